/**
 * The PAL miniature (Chen et al. 2024, "PAL: Pluralistic Alignment Framework for Learning from Heterogeneous
 * Preferences"), one seed = one synthetic plural population + every reward model.
 *
 * World: items are feature vectors x ~ N(0, I_D) (stand-ins for frozen foundation-model embeddings). A true linear
 * map A* (d* × D, Gaussian, rows scaled to unit norm) sends items to a d*-dimensional preference space holding K*
 * true ideal points on a circle of radius `protoRadius`. Each user belongs to one group (uniformly drawn) and
 * prefers the item closer to the group's ideal point: P(xa ≻ xb) = σ(β(‖A*xb − a‖ − ‖A*xa − a‖)); labels are
 * Bernoulli draws. Seen users give `trainPairs` labelled pairs (fit) and `testPairs` held-out pairs; new users give
 * `shots` labelled pairs and `testPairs` held-out pairs.
 * Reward models (methods/ideal-point-mixture.ts, same Adam optimiser, steps, learning rate, ridge and data):
 *   pal    — ideal-point mixture with K = K* prototypes, d = d*;
 *   single — the same model with K = 1: one user-independent ideal-point BT reward (the "universal preference");
 *   linear — linear BT reward θ·x (Newton, methods/bradley-terry.ts), a second homogeneous reference.
 * Few-shot: the shared A and P are frozen and only the new user's weights w are fitted on its `shots` pairs (the
 * code's main_pal_*_unseen.py protocol); the homogeneous models have nothing per-user to fit.
 * Task entry point: `runSeed(config, seed)` ('papers/pal/experiment#runSeed').
 *
 * Record keys: `<pal|single|linear|oracle>/seenAcc`, `<pal|single|linear|oracle>/newAcc@shots=<n>`,
 * `<pal|single>/trainLoss`, `data/disagree`, `identity/k1MaxUserGap`, `identity/gradRelErr`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { sigmoid } from '../../math';
import {
  fitIdealPointMixture,
  idealPointMixtureLoss,
  idealPointOffsets,
  idealPointParamCount,
  idealPointScores,
  type IdealPointShape,
  type UserPairs,
} from '../../testbeds/preference/methods/ideal-point-mixture';
import { fitBTOnDifferences } from '../../testbeds/preference/methods/bradley-terry';

export interface Config {
  /** Item feature dimension D. */
  D: number;
  /** True (and fitted) preference dimension d*. */
  dPref: number;
  /** True (and fitted, for PAL) number of groups K*. */
  K: number;
  /** Radius of the circle holding the true ideal points. */
  protoRadius: number;
  /** Logit scale β of the true preference. */
  beta: number;
  /** Seen users and their labelled / held-out pairs. */
  users: number;
  trainPairs: number;
  testPairs: number;
  /** New (unseen) users and their few-shot sizes. */
  newUsers: number;
  shots: number[];
  /** Adam steps / learning rate of the population fit and of the few-shot fit; ridge of every fit. */
  steps: number;
  lr: number;
  fewShotSteps: number;
  fewShotLr: number;
  l2: number;
}

export const DEFAULTS: Config = {
  D: 8,
  dPref: 2,
  K: 3,
  protoRadius: 1.5,
  beta: 4,
  users: 60,
  trainPairs: 30,
  testPairs: 40,
  newUsers: 30,
  shots: [1, 5, 20],
  steps: 800,
  lr: 0.03,
  fewShotSteps: 200,
  fewShotLr: 0.1,
  l2: 1e-4,
};

export const METHODS = ['pal', 'single', 'linear'] as const;

interface World {
  Astar: Float64Array;
  protos: Float64Array;
}

function trueScore(w: World, c: Config, g: number, xa: Float64Array, xb: Float64Array, i: number): number {
  let da = 0,
    db = 0;
  for (let r = 0; r < c.dPref; r++) {
    let pa = 0,
      pb = 0;
    for (let j = 0; j < c.D; j++) {
      pa += w.Astar[r * c.D + j] * xa[i * c.D + j];
      pb += w.Astar[r * c.D + j] * xb[i * c.D + j];
    }
    da += (pa - w.protos[g * c.dPref + r]) ** 2;
    db += (pb - w.protos[g * c.dPref + r]) ** 2;
  }
  return Math.sqrt(db) - Math.sqrt(da);
}

/** n pairs for users 0..nUsers−1 (perUser each), labels drawn from the true group model; also the true scores. */
function samplePairs(
  rng: Rng,
  w: World,
  c: Config,
  groups: Int32Array,
  perUser: number,
): { data: UserPairs; truth: Float64Array } {
  const n = groups.length * perUser;
  const data: UserPairs = {
    n,
    user: new Int32Array(n),
    xa: rng.normals(n * c.D),
    xb: rng.normals(n * c.D),
    p: new Float64Array(n),
  };
  const truth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.floor(i / perUser);
    data.user[i] = u;
    truth[i] = trueScore(w, c, groups[u], data.xa, data.xb, i);
    data.p[i] = rng.bernoulli(sigmoid(c.beta * truth[i])) ? 1 : 0;
  }
  return { data, truth };
}

function accuracy(scores: Float64Array, p: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < p.length; i++) ok += (scores[i] > 0 ? 1 : 0) === p[i] ? 1 : 0;
  return ok / p.length;
}

function initTheta(rng: Rng, s: IdealPointShape): Float64Array {
  const th = new Float64Array(idealPointParamCount(s));
  const off = idealPointOffsets(s);
  for (let j = 0; j < off.W; j++) th[j] = rng.normal(0, 1 / Math.sqrt(s.D));
  for (let j = off.W; j < th.length; j++) th[j] = rng.normal(0, 1);
  return th;
}

function linearScores(theta: Float64Array, data: UserPairs, D: number): Float64Array {
  const out = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    let z = 0;
    for (let j = 0; j < D; j++) z += theta[j] * (data.xa[i * D + j] - data.xb[i * D + j]);
    out[i] = z;
  }
  return out;
}

/** Max relative error between the exact gradient and central finite differences on a few coordinates. */
function gradRelErr(theta: Float64Array, s: IdealPointShape, data: UserPairs, rng: Rng, l2: number): number {
  const g = idealPointMixtureLoss(theta, s, data, l2).grad;
  let worst = 0;
  const h = 1e-6;
  for (let t = 0; t < 12; t++) {
    const j = rng.int(theta.length);
    const tp = Float64Array.from(theta),
      tm = Float64Array.from(theta);
    tp[j] += h;
    tm[j] -= h;
    const fd = (idealPointMixtureLoss(tp, s, data, l2).loss - idealPointMixtureLoss(tm, s, data, l2).loss) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - g[j]) / Math.max(1e-6, Math.abs(fd) + Math.abs(g[j])));
  }
  return worst;
}

export function runSeed(config: Partial<Config>, seed: number): RunResult {
  const c: Config = { ...DEFAULTS, ...config };
  const rng = new Rng(seed).split('pal');
  const wr = rng.split('world');
  const Astar = wr.normals(c.dPref * c.D);
  for (let r = 0; r < c.dPref; r++) {
    let nrm = 0;
    for (let j = 0; j < c.D; j++) nrm += Astar[r * c.D + j] ** 2;
    for (let j = 0; j < c.D; j++) Astar[r * c.D + j] /= Math.sqrt(nrm);
  }
  const protos = new Float64Array(c.K * c.dPref);
  const phase = wr.uniform() * 2 * Math.PI;
  for (let k = 0; k < c.K; k++) {
    protos[k * c.dPref] = c.protoRadius * Math.cos(phase + (2 * Math.PI * k) / c.K);
    protos[k * c.dPref + 1] = c.protoRadius * Math.sin(phase + (2 * Math.PI * k) / c.K);
  }
  const world: World = { Astar, protos };
  const groups = Int32Array.from({ length: c.users }, () => wr.int(c.K));
  const newGroups = Int32Array.from({ length: c.newUsers }, () => wr.int(c.K));
  const dr = rng.split('data');
  const train = samplePairs(dr.split('train'), world, c, groups, c.trainPairs);
  const test = samplePairs(dr.split('test'), world, c, groups, c.testPairs);
  const maxShots = Math.max(...c.shots);
  const newTrain = samplePairs(dr.split('new-train'), world, c, newGroups, maxShots);
  const newTest = samplePairs(dr.split('new-test'), world, c, newGroups, c.testPairs);

  const metrics: Record<string, number> = {};
  const fr = rng.split('fit');
  const fits: Record<string, { theta: Float64Array; s: IdealPointShape; loss: number }> = {};
  for (const [m, K] of [
    ['pal', c.K],
    ['single', 1],
  ] as const) {
    const s: IdealPointShape = { D: c.D, d: c.dPref, K, U: c.users };
    const f = fitIdealPointMixture(initTheta(fr.split(m), s), s, train.data, { steps: c.steps, lr: c.lr }, c.l2);
    fits[m] = { theta: f.theta, s, loss: f.loss };
    metrics[`${m}/seenAcc`] = accuracy(idealPointScores(f.theta, s, test.data), test.data.p);
    metrics[`${m}/trainLoss`] = f.loss;
  }
  // Linear BT reference on feature differences (user-independent).
  const Dtr = new Float64Array(train.data.n * c.D);
  for (let j = 0; j < Dtr.length; j++) Dtr[j] = train.data.xa[j] - train.data.xb[j];
  const lin = fitBTOnDifferences(Dtr, train.data.p, new Float64Array(train.data.n).fill(1), c.D, { l2: c.l2 });
  metrics['linear/seenAcc'] = accuracy(linearScores(lin.theta, test.data, c.D), test.data.p);
  metrics['oracle/seenAcc'] = accuracy(test.truth, test.data.p);

  // Few-shot: new users; shared A, P frozen, only the new users' weights fitted (from w = 0, the uniform mixture).
  for (const n of c.shots) {
    const sel: number[] = [];
    for (let i = 0; i < newTrain.data.n; i++) if (i % maxShots < n) sel.push(i);
    const sub: UserPairs = {
      n: sel.length,
      user: Int32Array.from(sel, (i) => newTrain.data.user[i]),
      xa: new Float64Array(sel.length * c.D),
      xb: new Float64Array(sel.length * c.D),
      p: Float64Array.from(sel, (i) => newTrain.data.p[i]),
    };
    sel.forEach((i, r) => {
      sub.xa.set(newTrain.data.xa.subarray(i * c.D, (i + 1) * c.D), r * c.D);
      sub.xb.set(newTrain.data.xb.subarray(i * c.D, (i + 1) * c.D), r * c.D);
    });
    for (const m of ['pal', 'single'] as const) {
      const { theta, s } = fits[m];
      const sNew: IdealPointShape = { ...s, U: c.newUsers };
      const off = idealPointOffsets(sNew);
      const th = new Float64Array(idealPointParamCount(sNew));
      th.set(theta.subarray(0, off.W));
      const mask = new Uint8Array(th.length);
      mask.fill(1, off.W);
      const f = fitIdealPointMixture(th, sNew, sub, { steps: c.fewShotSteps, lr: c.fewShotLr, mask }, c.l2);
      metrics[`${m}/newAcc@shots=${n}`] = accuracy(idealPointScores(f.theta, sNew, newTest.data), newTest.data.p);
    }
    metrics[`linear/newAcc@shots=${n}`] = accuracy(linearScores(lin.theta, newTest.data, c.D), newTest.data.p);
    metrics[`oracle/newAcc@shots=${n}`] = accuracy(newTest.truth, newTest.data.p);
  }

  // Premise: fraction of held-out pairs on which the K* true groups do not all agree (plurality of the population).
  let dis = 0;
  for (let i = 0; i < test.data.n; i++) {
    let pos = 0;
    for (let g = 0; g < c.K; g++) pos += trueScore(world, c, g, test.data.xa, test.data.xb, i) > 0 ? 1 : 0;
    dis += pos > 0 && pos < c.K ? 1 : 0;
  }
  metrics['data/disagree'] = dis / test.data.n;
  // Identity: with K = 1 the fitted scores of a pair do not depend on the user.
  const { theta: t1, s: s1 } = fits.single;
  const probe: UserPairs = {
    n: c.users,
    user: Int32Array.from({ length: c.users }, (_, u) => u),
    xa: new Float64Array(c.users * c.D),
    xb: new Float64Array(c.users * c.D),
    p: new Float64Array(c.users),
  };
  for (let u = 0; u < c.users; u++) {
    probe.xa.set(test.data.xa.subarray(0, c.D), u * c.D);
    probe.xb.set(test.data.xb.subarray(0, c.D), u * c.D);
  }
  const ps = idealPointScores(t1, s1, probe);
  let gap = 0;
  for (let u = 1; u < c.users; u++) gap = Math.max(gap, Math.abs(ps[u] - ps[0]));
  metrics['identity/k1MaxUserGap'] = gap;
  metrics['identity/gradRelErr'] = gradRelErr(fits.pal.theta, fits.pal.s, train.data, rng.split('fd'), c.l2);
  return { metrics, series: {} };
}
