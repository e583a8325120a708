/**
 * The POWER / POWER-DL miniature (Rashidinejad & Tian 2024, "Sail into the Headwind: Alignment via Robust Rewards
 * and Dynamic Labels against Reward Hacking"), one seed = one task + one dataset + every method.
 *
 * Task: nX contexts × nY responses, gold Bradley–Terry reward r*(x, y) ~ N(0, 1) i.i.d. Two sources, as in the
 * paper's setting: the initial model π_0 ∝ exp(alignment·r* + initNoise·ξ) (ξ ~ N(0, 1)), and an independent data
 * policy μ that covers `covered` random responses per context (Dirichlet(1) weights on 1 − uncoveredMass) and spreads
 * uncoveredMass over the rest. `pairsPerContext` pairs per context from μ ⊗ μ, labelled by Bradley–Terry sampling.
 * Response sets (per context, from the data and the gold reward): a response is *poorly covered* when it appears in
 * 1..pcMaxCount comparisons, *subpar* when r*(x, y) < V_{π_0}(x), *decent* otherwise. Type I set: poorly covered
 * subpar responses that won at least one comparison (they look better than they are); Type II set: poorly covered
 * decent responses that lost at least one comparison (they look worse than they are).
 * Metrics (exact): `type1` = mass on the Type I set minus π_0's (> 0: Type I reward hacking), `type2` = π_0's mass on
 * the Type II set minus the policy's (> 0: Type II reward hacking), the expected gold reward and its change from
 * π_0, KL(π‖π_0).
 * Methods (config.methods): DPO, cDPO, IPO, SimPO, RPO, POWER, POWER-DL — tabular softmax logits from log π_0,
 * full-batch gradient descent, same steps and step size.
 * Task entry point: 'papers/sail-into-the-headwind/experiment#runSeed'.
 *
 * Record keys: `<method>/reward`, `/gain` (reward − π_0's), `/type1`, `/type2`, `/kl`, `/peakReward`, `/pcResidual`
 * (POWER family: mean |σ(d_i) − l_i| over comparisons with a poorly covered response, the size of their gradient);
 * series `<method>/reward`, `/type1`, `/type2`, `all/step`; `init/reward`, `/type1Mass`, `/type2Mass`;
 * `oracle/best`, `/bestCovered`; `data/pairs`, `/type1Count`, `/type2Count`, `/pcCount` (per context).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { sigmoid } from '../../math';
import {
  partialCoveragePolicy,
  sampleComparisons,
  type Comparisons,
  type PreferenceTask,
} from '../../testbeds/preference/data/comparisons';
import { trainLogits, type LossAndGrad } from '../../testbeds/preference/loops/full-batch';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { makeDynamicLabels } from '../../testbeds/preference/methods/dynamic-labels';
import { ipoLoss } from '../../testbeds/preference/methods/ipo';
import { powerLoss } from '../../testbeds/preference/methods/power';
import { rpoLoss } from '../../testbeds/preference/methods/rpo';
import { simpoLoss } from '../../testbeds/preference/methods/simpo';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  massOn,
  type TableShape,
} from '../../testbeds/preference/policies/logit-table';

/** One method and its hyperparameters (β is the KL / entropy / reward scale; τ of IPO is written beta). */
export type MethodSpec =
  | { algo: 'dpo'; beta: number }
  | { algo: 'cdpo'; beta: number; eps: number }
  | { algo: 'ipo'; beta: number }
  | { algo: 'simpo'; beta: number; margin: number }
  | { algo: 'rpo'; beta: number; eta: number }
  | { algo: 'power'; beta: number; eta: number }
  | { algo: 'power-dl'; beta: number; eta: number; gamma: number };

export interface Config {
  /** Contexts (prompts). */
  nX: number;
  /** Responses per context. */
  nY: number;
  /** π_0 ∝ exp(alignment·r* + initNoise·ξ): how well the initial model already agrees with the gold reward. */
  alignment: number;
  /** Noise scale of π_0's logits. */
  initNoise: number;
  /** Responses per context the data policy μ covers well. */
  covered: number;
  /** μ's total mass on the other responses. */
  uncoveredMass: number;
  /** Comparisons per context, pairs from μ ⊗ μ with Bradley–Terry labels. */
  pairsPerContext: number;
  /** A response in 1..pcMaxCount comparisons of its context is poorly covered. */
  pcMaxCount: number;
  /** The methods to train, by record name. */
  methods: Record<string, MethodSpec>;
  /** Full-batch gradient-descent steps of every method. */
  steps: number;
  /** Step size per comparison: θ ← θ − lr·N·∇L with L the mean over the N comparisons (same for every method). */
  lr: number;
  /** Record every `every` steps. */
  every: number;
}

/**
 * The full-profile configuration. `methods` holds each method's grid point picked on pilot seeds 1000–1002 by the
 * mean final gold reward (`PILOT_GRIDS`; decisions in the notebook), before the full run.
 */
export const DEFAULTS: Config = {
  nX: 50,
  nY: 10,
  alignment: 1,
  initNoise: 1,
  covered: 4,
  uncoveredMass: 0.2,
  pairsPerContext: 12,
  pcMaxCount: 2,
  methods: {
    dpo: { algo: 'dpo', beta: 0.1 },
    cdpo: { algo: 'cdpo', beta: 0.1, eps: 0.2 },
    ipo: { algo: 'ipo', beta: 0.3 },
    simpo: { algo: 'simpo', beta: 0.3, margin: 0.15 },
    rpo: { algo: 'rpo', beta: 0.1, eta: 0.01 },
    power: { algo: 'power', beta: 0.1, eta: 0.01 },
    'power-dl': { algo: 'power-dl', beta: 0.1, eta: 0.01, gamma: 0.001 },
    // The shared-β comparison (β = 1, where DPO shows Type I on the pilot), other settings as picked above.
    'dpo-beta1': { algo: 'dpo', beta: 1 },
    'power-beta1': { algo: 'power', beta: 1, eta: 0.01 },
    'power-dl-beta1': { algo: 'power-dl', beta: 1, eta: 0.01, gamma: 0.001 },
  },
  steps: 2000,
  lr: 0.02,
  every: 50,
};

/**
 * The tuning grids, three points per method (equal tuning effort), searched in three stages on the pilot seeds:
 * (1) DPO's β, IPO's τ, SimPO's β (margin γ = β/2, SimPO's recommended γ/β ≈ 0.5); (2) at DPO's β: cDPO's ε, RPO's η,
 * POWER's η; (3) at POWER's β and η: POWER-DL's γ. `picks` holds the earlier stages' choices.
 */
export function pilotGrid(picks: { beta: number; powerEta: number }): Record<string, MethodSpec> {
  const g: Record<string, MethodSpec> = {};
  for (const b of [0.1, 0.3, 1]) g[`dpo-beta${b}`] = { algo: 'dpo', beta: b };
  for (const b of [0.1, 0.3, 1]) g[`ipo-tau${b}`] = { algo: 'ipo', beta: b };
  for (const b of [0.3, 1, 3]) g[`simpo-beta${b}`] = { algo: 'simpo', beta: b, margin: b / 2 };
  for (const e of [0.05, 0.1, 0.2]) g[`cdpo-eps${e}`] = { algo: 'cdpo', beta: picks.beta, eps: e };
  for (const e of [0.01, 0.1, 1]) g[`rpo-eta${e}`] = { algo: 'rpo', beta: picks.beta, eta: e };
  for (const e of [0.01, 0.1, 1]) g[`power-eta${e}`] = { algo: 'power', beta: picks.beta, eta: e };
  for (const c of [0.001, 0.003, 0.01])
    g[`power-dl-gamma${c}`] = { algo: 'power-dl', beta: picks.beta, eta: picks.powerEta, gamma: c };
  return g;
}

/** The methods of the comparison, in table order. */
export const METHODS = ['dpo', 'cdpo', 'ipo', 'simpo', 'rpo', 'power', 'power-dl'] as const;

/** The shared-β (β = 1) mechanism comparison: DPO, POWER and POWER-DL at the same β. */
export const SHARED_BETA = ['dpo-beta1', 'power-beta1', 'power-dl-beta1'] as const;

/** The task, data, initial model and response sets of one seed. */
export function makeHeadwindTask(config: Config, seed: number) {
  const rng = new Rng(seed).split('headwind');
  const shape: TableShape = { nX: config.nX, nY: config.nY };
  const n = config.nX * config.nY;
  const gold = new Float64Array(n);
  const gr = rng.split('gold');
  for (let i = 0; i < n; i++) gold[i] = gr.normal();
  const task: PreferenceTask = { ...shape, gold, d: 0 };
  const ir = rng.split('init');
  const initLogits = new Float64Array(n);
  for (let i = 0; i < n; i++) initLogits[i] = config.alignment * gold[i] + config.initNoise * ir.normal();
  const logp0 = logSoftmaxRows(initLogits, shape);
  const p0 = logp0.map(Math.exp);
  const { probs: mu } = partialCoveragePolicy(rng.split('mu'), shape, {
    covered: config.covered,
    uncoveredMass: config.uncoveredMass,
  });
  const data = sampleComparisons(rng.split('data'), task, {
    behaviour: mu,
    perContext: config.pairsPerContext,
    labels: 'bradley-terry',
  });
  const sets = responseSets(data, gold, p0, shape, config.pcMaxCount);
  return { shape, task, logp0, p0, mu, data, ...sets };
}

/**
 * Per-response counts in the data and the Type I / Type II / poorly covered masks (see the header), with V_{π_0}(x)
 * as the subpar / decent threshold.
 */
export function responseSets(c: Comparisons, gold: Float64Array, p0: Float64Array, shape: TableShape, pcMax: number) {
  const { nX, nY } = shape;
  const count = new Int32Array(nX * nY),
    wins = new Int32Array(nX * nY),
    losses = new Int32Array(nX * nY);
  for (let i = 0; i < c.n; i++) {
    const ia = c.x[i] * nY + c.a[i],
      ib = c.x[i] * nY + c.b[i];
    count[ia]++;
    count[ib]++;
    if (c.p[i] >= 0.5) {
      wins[ia]++;
      losses[ib]++;
    } else {
      wins[ib]++;
      losses[ia]++;
    }
  }
  const pc = new Uint8Array(nX * nY),
    type1 = new Uint8Array(nX * nY),
    type2 = new Uint8Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    let v0 = 0;
    for (let y = 0; y < nY; y++) v0 += p0[x * nY + y] * gold[x * nY + y];
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      if (count[i] < 1 || count[i] > pcMax) continue;
      pc[i] = 1;
      if (gold[i] < v0 && wins[i] > 0) type1[i] = 1;
      if (gold[i] >= v0 && losses[i] > 0) type2[i] = 1;
    }
  }
  return { count, pc, type1, type2 };
}

/** Margins d_i = r_θ(a_i) − r_θ(b_i) in POWER's implicit reward β(log π + 1) (unit weights). */
function powerMargins(logp: Float64Array, c: Comparisons, nY: number, beta: number): Float64Array {
  const d = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) d[i] = beta * (logp[c.x[i] * nY + c.a[i]] - logp[c.x[i] * nY + c.b[i]]);
  return d;
}

export function runSeed(config: Config, seed: number): RunResult {
  const { shape, task, logp0, p0, data, pc, type1, type2, count } = makeHeadwindTask(config, seed);
  const { nX, nY } = shape;
  const scale = config.lr * data.n;
  const metrics: Record<string, number> = {};
  const steps: number[] = [];
  const series: Record<string, number[]> = { [metricKey('all', 'step')]: steps };
  const m0 = {
    reward: expectedValue(p0, task.gold, shape),
    t1: massOn(p0, type1, shape),
    t2: massOn(p0, type2, shape),
  };
  Object.assign(metrics, metricsFor('init', { reward: m0.reward, type1Mass: m0.t1, type2Mass: m0.t2 }));
  let best = 0,
    bestCov = 0;
  for (let x = 0; x < nX; x++) {
    let a = -Infinity,
      b = -Infinity;
    for (let y = 0; y < nY; y++) {
      const g = task.gold[x * nY + y];
      a = Math.max(a, g);
      if (count[x * nY + y] > config.pcMaxCount) b = Math.max(b, g);
    }
    best += a / nX;
    if (b > -Infinity) bestCov += b / nX;
  }
  Object.assign(metrics, metricsFor('oracle', { best, bestCovered: bestCov }));
  const pcPairs: number[] = [];
  for (let i = 0; i < data.n; i++)
    if (pc[data.x[i] * nY + data.a[i]] || pc[data.x[i] * nY + data.b[i]]) pcPairs.push(i);
  const sum = (m: Uint8Array) => m.reduce((s, v) => s + v, 0) / nX;
  Object.assign(
    metrics,
    metricsFor('data', { pairs: data.n, type1Count: sum(type1), type2Count: sum(type2), pcCount: sum(pc) }),
  );
  const evalPolicy = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      reward: expectedValue(p, task.gold, shape),
      type1: massOn(p, type1, shape) - m0.t1,
      type2: m0.t2 - massOn(p, type2, shape),
      kl: expectedKL(logp, logp0, shape),
    };
  };
  const scaled = (r: LossAndGrad): LossAndGrad => {
    for (let i = 0; i < r.grad.length; i++) r.grad[i] *= scale;
    return r;
  };
  let first = true;
  for (const [name, spec] of Object.entries(config.methods)) {
    let loss: (th: Float64Array) => LossAndGrad;
    let labels: Comparisons = data;
    switch (spec.algo) {
      case 'dpo':
        loss = (th) => dpoLoss(th, logp0, data, shape, spec.beta);
        break;
      case 'cdpo': {
        // conservative DPO: every label smoothed to 1 − ε (Mitchell 2023), the same data otherwise.
        const smoothed: Comparisons = { ...data, p: data.p.map((p) => p * (1 - spec.eps) + (1 - p) * spec.eps) };
        loss = (th) => dpoLoss(th, logp0, smoothed, shape, spec.beta);
        break;
      }
      case 'ipo':
        loss = (th) => ipoLoss(th, logp0, data, shape, spec.beta);
        break;
      case 'simpo':
        loss = (th) => simpoLoss(th, data, shape, { beta: spec.beta, margin: spec.margin });
        break;
      case 'rpo':
        loss = (th) => rpoLoss(th, logp0, data, shape, spec.beta, spec.eta);
        break;
      case 'power':
        loss = (th) => powerLoss(th, data, shape, { beta: spec.beta, eta: spec.eta });
        break;
      case 'power-dl': {
        const dl = makeDynamicLabels(data, spec.gamma);
        labels = dl.data;
        loss = (th) => {
          const r = powerLoss(th, dl.data, shape, { beta: spec.beta, eta: spec.eta });
          dl.update(powerMargins(logSoftmaxRows(th, shape), data, nY, spec.beta));
          return r;
        };
        break;
      }
      default:
        throw new RangeError(`papers/sail-into-the-headwind: unknown algorithm in ${JSON.stringify(spec)}`);
    }
    const curve = { reward: [] as number[], type1: [] as number[], type2: [] as number[] };
    let kl = 0;
    const theta = trainLogits({
      loss: (th) => scaled(loss(th)),
      init: logp0,
      steps: config.steps,
      optimiser: 'sgd',
      lr: 1,
      every: config.every,
      onRecord: (step, th) => {
        const e = evalPolicy(th);
        curve.reward.push(e.reward);
        curve.type1.push(e.type1);
        curve.type2.push(e.type2);
        kl = e.kl;
        if (first) steps.push(step);
      },
    });
    first = false;
    for (const k of ['reward', 'type1', 'type2'] as const) {
      series[metricKey(name, k)] = curve[k];
      metrics[metricKey(name, k)] = curve[k][curve[k].length - 1];
    }
    metrics[metricKey(name, 'gain')] = metrics[metricKey(name, 'reward')] - m0.reward;
    metrics[metricKey(name, 'peakReward')] = Math.max(...curve.reward);
    metrics[metricKey(name, 'kl')] = kl;
    if (spec.algo === 'power' || spec.algo === 'power-dl') {
      const d = powerMargins(logSoftmaxRows(theta, shape), data, nY, spec.beta);
      let s = 0;
      for (const i of pcPairs) s += Math.abs(sigmoid(d[i]) - labels.p[i]);
      metrics[metricKey(name, 'pcResidual')] = pcPairs.length ? s / pcPairs.length : 0;
    }
  }
  return { metrics, series };
}
