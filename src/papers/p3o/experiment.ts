/**
 * The P3O miniature (Wu et al. 2023, "Pairwise Proximal Policy Optimization"), one seed = one task, one
 * reward model, every method.
 *
 * Task: nX contexts × nY responses with features φ(x, y) ~ N(0, I_d); gold reward r* = θ*·φ + σ_m·ξ(x, y)
 * (ξ ~ N(0, 1): a part no linear reward model can represent). π_ref = softmax of N(0, 1) logits.
 * Preference data: `pairsPerContext` pairs per context from π_ref ⊗ π_ref with Bradley–Terry labels from r*.
 * Reward model: linear Bradley–Terry r̂ = θ̂·φ (Newton). Equivalent reward: r̂ + c(x), c(x) ~ N(0, (κ·sd r̂)²),
 * which carries identical preference information.
 * Methods, each run with a KL coefficient β to π_ref and the same budgets (2 responses per context per iteration,
 * `epochs` × `minibatches` optimiser steps per iteration, Adam; DPO: `dpoSteps` full-batch Adam steps, recorded at
 * as many checkpoints as the online runs):
 *   PPO (critic V(x), whitened advantages, KL penalty in the reward), P3O V1 (separate clipping),
 *   P3O V2 (joint clipping); DPO on the preference data with a log-linear policy over the reward model's features
 *   (logits = log π_ref + θ·φ: it generalises across responses as the RM does; the verdicts' baseline), and, as
 *   context, DPO with the same tabular policy as PPO/P3O.
 * Every method sweeps the same KL-coefficient grid `betaGrid` (equal tuning effort); its KL-reward frontier is the
 * envelope over all its runs' training paths: f(k) = the best reward within KL ≤ k along any of its runs (checkpoints,
 * joined linearly; `frontierOnPath`), at KL budgets that are fractions of
 * KL(π*_β‖π_ref), π*_β ∝ π_ref·exp(r̂/β) (the exact optimum of the regularised objective at the notebook's β).
 * At the notebook's β, the online methods are also trained on r̂ + c(x) from the same sampling stream.
 * Task entry point: `runSeed(config, seed)` ('papers/p3o/experiment#runSeed').
 *
 * Record keys (`method/metric`). Per run of the sweep (`<method>@beta=<β>`, method `ppo`, `p3o-v1`, `p3o-v2`,
 * `dpo`, `dpo-linear`): `/rm`, `/gold`, `/kl` (final; series along training), `/frontierRm`, `/frontierGold`
 * (means over the budgets; `/frontierRmCkpt`, `/frontierGoldCkpt`: checkpoints only), `/frontierRm@<b>`,
 * `/frontierGold@<b>` per budget fraction b. Per method (envelope over its sweep): the same frontier metrics,
 * `/checkpoints`, series `/frontierRmCurve`, `/frontierGoldCurve` (at `curveBudgets`). Offsets (notebook's β):
 * `<online method>-offsets/...` (as a run), `<online method>/offsetMaxAbs`, `/offsetMaxTV`, `/refMaxTV` (largest
 * TV(π_final, π_ref) over contexts, on r̂). `ref/rm`, `ref/gold`; `optimum/kl`, `/rm`, `/gold` (π*_β),
 * `optimum/frontierRm…`, `/frontierGold…` (the exact KL-constrained optimum of r̂ at each budget, and its gold
 * reward; series `optimum/frontierRmCurve`, `/frontierGoldCurve`) and `optimum@beta=<β>/...` per β of the grid;
 * `rm/trainLoss`; series `all/iteration`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { sampleComparisons, type PreferenceTask } from '../../testbeds/preference/data/comparisons';
import { trainLogits } from '../../testbeds/preference/loops/full-batch';
import { fitBTLinear } from '../../testbeds/preference/methods/bradley-terry';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { trainDpoLogLinear } from '../../testbeds/preference/methods/dpo-log-linear';
import { p3oUpdate, type P3oVariant } from '../../testbeds/preference/methods/p3o';
import { ppoUpdate, type PpoConfig } from '../../testbeds/preference/methods/rlhf';
import { makePolicyState, samplePolicy } from '../../testbeds/preference/policies/logit-model';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  type TableShape,
} from '../../testbeds/preference/policies/logit-table';
import { klRegularisedOptimumLogp } from '../../testbeds/preference/solvers/kl-optimum';

export interface Config {
  /** Contexts (prompts). */
  nX: number;
  /** Responses per context. */
  nY: number;
  /** Dimension d of the response features φ(x, y) ~ N(0, I_d). */
  d: number;
  /** σ_m: scale of the gold reward's part no linear reward model can represent. */
  misspecification: number;
  /** Preference pairs per context from π_ref ⊗ π_ref (Bradley–Terry labels from r*). */
  pairsPerContext: number;
  /** L2 (ridge) of the linear reward-model fit. */
  rmL2: number;
  /** Offsets c(x) ~ N(0, (offsetScale · sd of r̂)²). */
  offsetScale: number;
  /**
   * KL coefficient β to π_ref of the runs with and without offsets, and of π*_β, whose KL sets the budgets.
   * Must be one of `betaGrid`.
   */
  beta: number;
  /** KL coefficients swept by every method (the same grid for PPO, P3O and DPO): its KL-reward frontier. */
  betaGrid: number[];
  /** Iterations of PPO and P3O (2 responses per context each). */
  iterations: number;
  /** Epochs over each iteration's batch. */
  epochs: number;
  /** Minibatches per epoch (one optimiser step each). */
  minibatches: number;
  /** Clip range ε of the importance ratios. */
  clip: number;
  /** Adam learning rate of the policy. */
  lr: number;
  /** Adam learning rate of PPO's critic. */
  criticLr: number;
  /** Whiten PPO's advantages over the batch. */
  whiten: boolean;
  /** DPO: full-batch steps. */
  dpoSteps: number;
  /** DPO: Adam learning rate. */
  dpoLr: number;
  /** Record every `every` iterations (DPO: every dpoSteps·every/iterations steps). */
  every: number;
  /** KL budgets as fractions of KL(π*_β ‖ π_ref). */
  budgets: number[];
  /** Finer budget fractions at which the frontier curves of the figure are recorded (series). */
  curveBudgets: number[];
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nX: 64,
  nY: 16,
  d: 8,
  misspecification: 0.5,
  pairsPerContext: 8,
  rmL2: 1e-3,
  offsetScale: 2,
  beta: 0.2,
  betaGrid: [0.1, 0.2, 0.4, 0.8],
  iterations: 200,
  epochs: 4,
  minibatches: 4,
  clip: 0.2,
  lr: 0.02,
  criticLr: 0.05,
  whiten: true,
  dpoSteps: 2000,
  dpoLr: 0.02,
  every: 5,
  budgets: [0.25, 0.5, 1],
  curveBudgets: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25],
};

export const ONLINE_METHODS = ['ppo', 'p3o-v1', 'p3o-v2'] as const;
export type OnlineMethod = (typeof ONLINE_METHODS)[number];

export function makeP3oTask(config: Config, seed: number) {
  const rng = new Rng(seed).split('p3o');
  const shape: TableShape = { nX: config.nX, nY: config.nY };
  const n = config.nX * config.nY,
    d = config.d;
  const features = new Float64Array(n * d);
  const fr = rng.split('features');
  for (let i = 0; i < features.length; i++) features[i] = fr.normal();
  const thetaStar = new Float64Array(d);
  const tr = rng.split('theta*');
  for (let k = 0; k < d; k++) thetaStar[k] = tr.normal() / Math.sqrt(d);
  const gold = new Float64Array(n);
  const mr = rng.split('misspec');
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += thetaStar[k] * features[i * d + k];
    gold[i] = s + config.misspecification * mr.normal();
  }
  const task: PreferenceTask = { ...shape, gold, features, d };
  const refLogits = new Float64Array(n);
  const rr = rng.split('ref');
  for (let i = 0; i < n; i++) refLogits[i] = rr.normal();
  const logpRef = logSoftmaxRows(refLogits, shape);
  const refProbs = logpRef.map(Math.exp);
  const data = sampleComparisons(rng.split('data'), task, {
    behaviour: refProbs,
    perContext: config.pairsPerContext,
    labels: 'bradley-terry',
  });
  const rm = fitBTLinear(data, features, d, shape, { l2: config.rmL2 });
  let m = 0,
    v = 0;
  for (const r of rm.reward) m += r / n;
  for (const r of rm.reward) v += ((r - m) * (r - m)) / n;
  const offsets = new Float64Array(config.nX);
  const or = rng.split('offsets');
  for (let x = 0; x < config.nX; x++) offsets[x] = config.offsetScale * Math.sqrt(v) * or.normal();
  return { shape, task, logpRef, refProbs, data, rm, offsets };
}

interface Curve {
  rm: number[];
  gold: number[];
  kl: number[];
}

/** The reward frontier of a set of checkpoints: f(k) = max{reward_t : KL_t ≤ k}, at each budget k. */
export function frontierAt(kl: number[], reward: number[], budgets: number[]): number[] {
  return budgets.map((k) => {
    let best = -Infinity;
    for (let t = 0; t < kl.length; t++) if (kl[t] <= k + 1e-12 && reward[t] > best) best = reward[t];
    return best;
  });
}

/**
 * The reward frontier of one training path read as piecewise linear between its checkpoints: the best reward
 * within KL ≤ k over the checkpoints and over the points where a segment crosses KL = k (reward interpolated
 * linearly in KL there). It is the exact maximum over the in-budget part of the piecewise-linear path, and it does
 * not jump when a checkpoint lands just above a budget.
 */
export function frontierOnPath(kl: number[], reward: number[], budgets: number[]): number[] {
  return budgets.map((k, j) => {
    let best = frontierAt(kl, reward, [budgets[j]])[0];
    for (let t = 0; t + 1 < kl.length; t++) {
      const a = kl[t] - k,
        b = kl[t + 1] - k;
      if ((a < 0 && b > 0) || (a > 0 && b < 0)) {
        const v = reward[t] + ((k - kl[t]) / (kl[t + 1] - kl[t])) * (reward[t + 1] - reward[t]);
        if (v > best) best = v;
      }
    }
    return best;
  });
}

/** The method name of one run of the KL-coefficient sweep, e.g. `p3o-v2@beta=0.4`. */
export const sweepRun = (method: string, beta: number): string => `${method}@beta=${beta}`;

export function runSeed(config: Config, seed: number): RunResult {
  if (!config.betaGrid.includes(config.beta))
    throw new RangeError(`p3o runSeed: beta ${config.beta} must be one of betaGrid [${config.betaGrid.join(', ')}]`);
  const { shape, task, logpRef, data, rm, offsets } = makeP3oTask(config, seed);
  const { nX, nY } = shape;
  const rhat = rm.reward;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const evalLogits = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      logp,
      rm: expectedValue(p, rhat, shape),
      gold: expectedValue(p, task.gold, shape),
      kl: expectedKL(logp, logpRef, shape),
    };
  };
  const ref = evalLogits(logpRef);
  const star = klRegularisedOptimumLogp(logpRef, rhat, config.beta, shape);
  const starEval = evalLogits(star);
  Object.assign(
    metrics,
    metricsFor('ref', { rm: ref.rm, gold: ref.gold }),
    metricsFor('optimum', { kl: starEval.kl, rm: starEval.rm, gold: starEval.gold }),
  );
  // The exact optimum π*_β of every β of the sweep (where each method's run would converge on r̂).
  for (const b of config.betaGrid) {
    const e = evalLogits(klRegularisedOptimumLogp(logpRef, rhat, b, shape));
    Object.assign(metrics, metricsFor(sweepRun('optimum', b), { kl: e.kl, rm: e.rm, gold: e.gold }));
  }
  const budgets = config.budgets.map((f) => f * starEval.kl);
  const curveBudgets = config.curveBudgets.map((f) => f * starEval.kl);
  // The exact constrained optimum at each budget k: π*_β(k) with KL(π*_β(k)‖π_ref) = k maximises E_π r̂ subject to
  // KL ≤ k (Lagrangian duality), so no policy's RM-reward frontier can exceed it. β(k) by bisection on log β.
  const optimumAtKl = (k: number) => {
    let lo = Math.log(1e-4),
      hi = Math.log(1e4);
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (evalLogits(klRegularisedOptimumLogp(logpRef, rhat, Math.exp(mid), shape)).kl > k) lo = mid;
      else hi = mid;
    }
    return evalLogits(klRegularisedOptimumLogp(logpRef, rhat, Math.exp(hi), shape));
  };
  {
    const opt = budgets.map(optimumAtKl);
    opt.forEach((e, j) => {
      metrics[metricKey('optimum', `frontierRm@${config.budgets[j]}`)] = e.rm;
      metrics[metricKey('optimum', `frontierGold@${config.budgets[j]}`)] = e.gold;
    });
    metrics[metricKey('optimum', 'frontierRm')] = opt.reduce((s, e) => s + e.rm, 0) / opt.length;
    metrics[metricKey('optimum', 'frontierGold')] = opt.reduce((s, e) => s + e.gold, 0) / opt.length;
    const optCurve = curveBudgets.map(optimumAtKl);
    series[metricKey('optimum', 'frontierRmCurve')] = optCurve.map((e) => e.rm);
    series[metricKey('optimum', 'frontierGoldCurve')] = optCurve.map((e) => e.gold);
  }
  const contexts = Array.from({ length: nX }, (_, i) => i);

  const runOnline = (method: OnlineMethod, beta: number, withOffsets: boolean) => {
    // The sampling and shuffling streams depend on the method (and on β when it is not the notebook's β), not on
    // the offsets: the runs on r̂ and on r̂ + c(x) share them.
    const base = new Rng(seed).split('p3o-run').split(method);
    const rng = beta === config.beta ? base : base.split(`beta=${beta}`);
    const sampler = rng.split('sample'),
      shuffler = rng.split('shuffle');
    const state = makePolicyState(shape, logpRef, { optimiser: 'adam', lr: config.lr, criticLr: config.criticLr });
    const score = (x: number, y: number) => rhat[x * nY + y] + (withOffsets ? offsets[x] : 0);
    const ppoCfg: PpoConfig = {
      beta,
      clip: config.clip,
      epochs: config.epochs,
      minibatches: config.minibatches,
      optimiser: 'adam',
      lr: config.lr,
      criticLr: config.criticLr,
      whiten: config.whiten,
    };
    const curve: Curve = { rm: [], gold: [], kl: [] };
    const snapshots: Float64Array[] = [];
    const record = () => {
      const e = evalLogits(state.logits);
      curve.rm.push(e.rm);
      curve.gold.push(e.gold);
      curve.kl.push(e.kl);
      snapshots.push(e.logp);
    };
    record();
    for (let it = 1; it <= config.iterations; it++) {
      const s = samplePolicy(sampler, state.logits, shape, contexts, 2);
      if (method === 'ppo') {
        const n = s.x.length;
        const b = {
          n,
          x: s.x,
          y: s.y,
          score: new Float64Array(n),
          logpOld: new Float64Array(n),
          logpRef: new Float64Array(n),
        };
        for (let i = 0; i < n; i++) {
          b.score[i] = score(s.x[i], s.y[i]);
          b.logpOld[i] = s.logp[s.x[i] * nY + s.y[i]];
          b.logpRef[i] = logpRef[s.x[i] * nY + s.y[i]];
        }
        ppoUpdate(state, b, ppoCfg, shuffler);
      } else {
        const n = nX;
        const b = {
          n,
          x: new Int32Array(n),
          y1: new Int32Array(n),
          y2: new Int32Array(n),
          score1: new Float64Array(n),
          score2: new Float64Array(n),
          logpOld1: new Float64Array(n),
          logpOld2: new Float64Array(n),
          logpRef1: new Float64Array(n),
          logpRef2: new Float64Array(n),
        };
        for (let i = 0; i < n; i++) {
          const x = s.x[2 * i],
            y1 = s.y[2 * i],
            y2 = s.y[2 * i + 1];
          b.x[i] = x;
          b.y1[i] = y1;
          b.y2[i] = y2;
          b.score1[i] = score(x, y1);
          b.score2[i] = score(x, y2);
          b.logpOld1[i] = s.logp[x * nY + y1];
          b.logpOld2[i] = s.logp[x * nY + y2];
          b.logpRef1[i] = logpRef[x * nY + y1];
          b.logpRef2[i] = logpRef[x * nY + y2];
        }
        const variant: P3oVariant = method === 'p3o-v1' ? 'separate' : 'joint';
        p3oUpdate(
          state,
          b,
          { beta, clip: config.clip, epochs: config.epochs, minibatches: config.minibatches, variant },
          shuffler,
        );
      }
      if (it % config.every === 0 || it === config.iterations) record();
    }
    return { curve, snapshots };
  };

  const store = (name: string, curve: Curve) => {
    for (const k of ['rm', 'gold', 'kl'] as const) {
      series[metricKey(name, k)] = curve[k];
      metrics[metricKey(name, k)] = curve[k][curve[k].length - 1];
    }
    storeFrontier(name, [curve]);
  };
  /**
   * Frontier of a set of training paths (one run, or every run of a method's sweep) at the budgets: `frontier…`
   * reads the piecewise-linear paths (checkpoints and the points where a path crosses a budget), `frontier…Ckpt`
   * the checkpoints only.
   */
  const storeFrontier = (name: string, curves: Curve[]) => {
    const env = (reward: 'rm' | 'gold', ks: number[], path: boolean) =>
      ks.map((_, j) =>
        Math.max(...curves.map((c) => (path ? frontierOnPath : frontierAt)(c.kl, c[reward], [ks[j]])[0])),
      );
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    for (const [reward, label] of [
      ['rm', 'Rm'],
      ['gold', 'Gold'],
    ] as const) {
      const f = env(reward, budgets, true),
        fc = env(reward, budgets, false);
      f.forEach((v, j) => (metrics[metricKey(name, `frontier${label}@${config.budgets[j]}`)] = v));
      metrics[metricKey(name, `frontier${label}`)] = mean(f);
      metrics[metricKey(name, `frontier${label}Ckpt`)] = mean(fc);
    }
  };
  /** The envelope over a method's sweep: its frontier from all its runs' training paths. */
  const storeSweep = (method: string, curves: Curve[]) => {
    storeFrontier(method, curves);
    for (const [reward, label] of [
      ['rm', 'Rm'],
      ['gold', 'Gold'],
    ] as const)
      series[metricKey(method, `frontier${label}Curve`)] = curveBudgets.map((k) =>
        Math.max(...curves.map((c) => frontierOnPath(c.kl, c[reward], [k])[0])),
      );
    metrics[metricKey(method, 'checkpoints')] = curves.reduce((s, c) => s + c.kl.length, 0);
  };

  const iterations = [0];
  for (let it = 1; it <= config.iterations; it++)
    if (it % config.every === 0 || it === config.iterations) iterations.push(it);
  series[metricKey('all', 'iteration')] = iterations;
  for (const method of ONLINE_METHODS) {
    const curves: Curve[] = [];
    for (const beta of config.betaGrid) {
      const plain = runOnline(method, beta, false);
      curves.push(plain.curve);
      store(sweepRun(method, beta), plain.curve);
      if (beta !== config.beta) continue;
      // The equivalent reward r̂ + c(x), at the notebook's β, from the same sampling stream.
      const shifted = runOnline(method, beta, true);
      store(`${method}-offsets`, shifted.curve);
      // Sensitivity to the offsets: largest |π − π'| and largest total-variation distance over checkpoints.
      let maxAbs = 0,
        maxTV = 0;
      for (let j = 0; j < plain.snapshots.length; j++) {
        const a = plain.snapshots[j],
          b = shifted.snapshots[j];
        for (let x = 0; x < nX; x++) {
          let tv = 0;
          for (let y = 0; y < nY; y++) {
            const dlt = Math.abs(Math.exp(a[x * nY + y]) - Math.exp(b[x * nY + y]));
            tv += dlt / 2;
            if (dlt > maxAbs) maxAbs = dlt;
          }
          if (tv > maxTV) maxTV = tv;
        }
      }
      metrics[metricKey(method, 'offsetMaxAbs')] = maxAbs;
      metrics[metricKey(method, 'offsetMaxTV')] = maxTV;
      // How far the policy moves from π_ref on r̂ (final checkpoint, largest TV over contexts): the scale of the
      // offset sensitivity.
      const last = plain.snapshots[plain.snapshots.length - 1];
      let moveTV = 0;
      for (let x = 0; x < nX; x++) {
        let tv = 0;
        for (let y = 0; y < nY; y++) tv += Math.abs(Math.exp(last[x * nY + y]) - Math.exp(logpRef[x * nY + y])) / 2;
        if (tv > moveTV) moveTV = tv;
      }
      metrics[metricKey(method, 'refMaxTV')] = moveTV;
    }
    storeSweep(method, curves);
  }
  // DPO on the preference data (offline), at every β of the sweep, with as many checkpoints per run as the online
  // methods: (1) the same tabular policy as PPO/P3O (context: it learns only about responses in the comparisons);
  // (2) a log-linear policy over the reward model's features (the baseline of the verdicts).
  const every = Math.max(1, Math.round((config.dpoSteps * config.every) / config.iterations));
  const tabCurves: Curve[] = [],
    linCurves: Curve[] = [];
  for (const beta of config.betaGrid) {
    const tab: Curve = { rm: [], gold: [], kl: [] };
    trainLogits({
      loss: (th) => dpoLoss(th, logpRef, data, shape, beta),
      init: logpRef,
      steps: config.dpoSteps,
      optimiser: 'adam',
      lr: config.dpoLr,
      every,
      onRecord: (_, th) => {
        const e = evalLogits(th);
        tab.rm.push(e.rm);
        tab.gold.push(e.gold);
        tab.kl.push(e.kl);
      },
    });
    tabCurves.push(tab);
    store(sweepRun('dpo', beta), tab);
    const lin: Curve = { rm: [], gold: [], kl: [] };
    trainDpoLogLinear(data, logpRef, task.features as Float64Array, task.d, shape, {
      beta,
      steps: config.dpoSteps,
      lr: config.dpoLr,
      every,
      onRecord: (_, logits) => {
        const e = evalLogits(logits);
        lin.rm.push(e.rm);
        lin.gold.push(e.gold);
        lin.kl.push(e.kl);
      },
    });
    linCurves.push(lin);
    store(sweepRun('dpo-linear', beta), lin);
  }
  storeSweep('dpo', tabCurves);
  storeSweep('dpo-linear', linCurves);
  metrics[metricKey('rm', 'trainLoss')] = rm.report.loss;
  return { metrics, series };
}
