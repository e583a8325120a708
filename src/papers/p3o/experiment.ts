/**
 * The P3O miniature (Wu et al. 2023, "Pairwise Proximal Policy Optimization"), one seed = one task, one
 * reward model, every method.
 *
 * Task: nX contexts × nY responses with features φ(x, y) ~ N(0, I_d); gold reward r* = θ*·φ + σ_m·ξ(x, y)
 * (ξ ~ N(0, 1): a part no linear reward model can represent). π_ref = softmax of N(0, 1) logits.
 * Preference data: `pairsPerContext` pairs per context from π_ref ⊗ π_ref with Bradley–Terry labels from r*.
 * Reward model: linear Bradley–Terry r̂ = θ̂·φ (Newton). Equivalent reward: r̂ + c(x), c(x) ~ N(0, (κ·sd r̂)²),
 * which carries identical preference information.
 * Methods, all with KL coefficient β to π_ref and the same sample budget (2 responses per context per
 * iteration, `epochs` × `minibatches` optimiser steps per iteration, Adam):
 *   PPO (critic V(x), whitened advantages, KL penalty in the reward), P3O V1 (separate clipping),
 *   P3O V2 (joint clipping) — each trained on r̂ and on r̂ + c(x) from the same sampling stream;
 *   DPO on the preference data (offline, full batch), with the same tabular policy; and, as context, DPO
 *   with a log-linear policy over the reward model's features (it generalises across responses as the RM does).
 * Recorded: RM reward E_π r̂, gold E_π r*, KL(π‖π_ref) along training; the policy difference between
 * the runs with and without offsets; the KL-reward frontier at KL budgets that are fractions of
 * KL(π*_β‖π_ref), π*_β ∝ π_ref·exp(r̂/β) (the exact optimum of the regularised objective).
 * Task entry point: `runSeed(config, seed)` ('papers/p3o/experiment#runSeed').
 *
 * Record keys (`method/metric`), for every run (`ppo`, `p3o-v1`, `p3o-v2`, their `-offsets` twins
 * trained on r̂ + c(x), `dpo`, `dpo-linear`): `<run>/rm`, `/gold`, `/kl` (final; series along
 * training), `/frontierRm`, `/frontierGold` (means over the budgets) and `/frontierRm@<b>`,
 * `/frontierGold@<b>` per budget fraction b; `<online method>/offsetMaxAbs`, `/offsetMaxTV`;
 * `ref/rm`, `ref/gold`; `optimum/kl`, `/rm`, `/gold` (π*_β); `rm/trainLoss`; series `all/iteration`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { Adam64 } from '../../nn/adam';
import { sampleComparisons, type PreferenceTask } from '../../testbeds/preference/data/comparisons';
import { trainLogits } from '../../testbeds/preference/loops/full-batch';
import { fitBTLinear } from '../../testbeds/preference/methods/bradley-terry';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { p3oUpdate, type P3oVariant } from '../../testbeds/preference/methods/p3o';
import { ppoUpdate, type PpoConfig } from '../../testbeds/preference/methods/rlhf';
import { logLinearModel, makePolicyState, samplePolicy } from '../../testbeds/preference/policies/logit-model';
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
  /** KL coefficient β to π_ref of every method. */
  beta: number;
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

/** Max over budgets of the reward frontier: f(k) = max{reward_t : KL_t ≤ k}; returns f at each budget. */
export function frontierAt(kl: number[], reward: number[], budgets: number[]): number[] {
  return budgets.map((k) => {
    let best = -Infinity;
    for (let t = 0; t < kl.length; t++) if (kl[t] <= k + 1e-12 && reward[t] > best) best = reward[t];
    return best;
  });
}

export function runSeed(config: Config, seed: number): RunResult {
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
  const budgets = config.budgets.map((f) => f * starEval.kl);
  const contexts = Array.from({ length: nX }, (_, i) => i);
  const ppoCfg: PpoConfig = {
    beta: config.beta,
    clip: config.clip,
    epochs: config.epochs,
    minibatches: config.minibatches,
    optimiser: 'adam',
    lr: config.lr,
    criticLr: config.criticLr,
    whiten: config.whiten,
  };

  const runOnline = (method: OnlineMethod, withOffsets: boolean) => {
    // The sampling and shuffling streams depend on the method only, not on the offsets.
    const rng = new Rng(seed).split('p3o-run').split(method);
    const sampler = rng.split('sample'),
      shuffler = rng.split('shuffle');
    const state = makePolicyState(shape, logpRef, { optimiser: 'adam', lr: config.lr, criticLr: config.criticLr });
    const score = (x: number, y: number) => rhat[x * nY + y] + (withOffsets ? offsets[x] : 0);
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
          { beta: config.beta, clip: config.clip, epochs: config.epochs, minibatches: config.minibatches, variant },
          shuffler,
        );
      }
      if (it % config.every === 0 || it === config.iterations) record();
    }
    return { curve, snapshots };
  };

  let first = true;
  const store = (name: string, curve: Curve) => {
    for (const k of ['rm', 'gold', 'kl'] as const) {
      series[metricKey(name, k)] = curve[k];
      metrics[metricKey(name, k)] = curve[k][curve[k].length - 1];
    }
    const fr = frontierAt(curve.kl, curve.rm, budgets),
      fg = frontierAt(curve.kl, curve.gold, budgets);
    fr.forEach((v, j) => (metrics[metricKey(name, `frontierRm@${config.budgets[j]}`)] = v));
    fg.forEach((v, j) => (metrics[metricKey(name, `frontierGold@${config.budgets[j]}`)] = v));
    metrics[metricKey(name, 'frontierRm')] = fr.reduce((s, v) => s + v, 0) / fr.length;
    metrics[metricKey(name, 'frontierGold')] = fg.reduce((s, v) => s + v, 0) / fg.length;
  };
  for (const method of ONLINE_METHODS) {
    const plain = runOnline(method, false);
    const shifted = runOnline(method, true);
    if (first) {
      series[metricKey('all', 'iteration')] = plain.curve.rm.map((_, j) =>
        j === 0 ? 0 : Math.min(j * config.every, config.iterations),
      );
      first = false;
    }
    store(method, plain.curve);
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
  }
  // DPO on the preference data (offline), recorded at the same number of checkpoints.
  const dpoCurve: Curve = { rm: [], gold: [], kl: [] };
  const every = Math.max(1, Math.round((config.dpoSteps * config.every) / config.iterations));
  trainLogits({
    loss: (th) => dpoLoss(th, logpRef, data, shape, config.beta),
    init: logpRef,
    steps: config.dpoSteps,
    optimiser: 'adam',
    lr: config.dpoLr,
    every,
    onRecord: (_, th) => {
      const e = evalLogits(th);
      dpoCurve.rm.push(e.rm);
      dpoCurve.gold.push(e.gold);
      dpoCurve.kl.push(e.kl);
    },
  });
  store('dpo', dpoCurve);
  // Context (not the policy-class-matched comparison): DPO with a log-linear policy over the reward
  // model's features, logits = log π_ref + θ·φ, which generalises across responses as the RM does.
  const lin = logLinearModel(logpRef, task.features as Float64Array, task.d);
  const theta = new Float64Array(task.d);
  const adam = new Adam64(task.d, { lr: config.dpoLr });
  const linCurve: Curve = { rm: [], gold: [], kl: [] };
  const recordLin = () => {
    const e = evalLogits(lin.logits(theta));
    linCurve.rm.push(e.rm);
    linCurve.gold.push(e.gold);
    linCurve.kl.push(e.kl);
  };
  recordLin();
  for (let t = 1; t <= config.dpoSteps; t++) {
    adam.step(theta, lin.backprop(dpoLoss(lin.logits(theta), logpRef, data, shape, config.beta).grad));
    if (t % every === 0 || t === config.dpoSteps) recordLin();
  }
  store('dpo-linear', linCurve);
  metrics[metricKey('rm', 'trainLoss')] = rm.report.loss;
  return { metrics, series };
}
