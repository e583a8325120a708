/**
 * The function-approximation variant of the RPO miniature (Liu et al. 2024): a log-linear policy on response
 * features, where DPO can over-optimise *beyond* the data (the tabular variant can only move mass between the
 * table cells the data touch and the rest).
 *
 * Task: nX contexts × nY responses with features φ(x, y) ∈ R^(dCov + dUnc). The reference/SFT policy π_ref (= the
 * data policy π_b) covers `covered` responses per context (Dirichlet(1) weights, 1 − uncoveredMass of the mass), as in
 * the tabular variant. Covered responses vary only in the first dCov features (the last dUnc are 0); poorly covered
 * responses also vary in the dUnc "out-of-distribution" directions (N(0, uncScale²)). Gold reward r* = w*·φ with
 * w* ~ N(0, I): linear, so the log-linear class holds the KL-regularised optimum (the paper's linear-reward setting),
 * and the OOD directions carry real reward that the data barely identify (only comparisons that involve a poorly
 * covered response inform them).
 * Policy: logits = log π_ref + Φθ, θ = 0 at the start (π = π_ref). Losses on the logits (methods/dpo.ts, rpo.ts)
 * are back-propagated through Φ (policies/logit-model.ts `logLinearModel`).
 * Methods (same data, full-batch Adam, same steps and learning rate): DPO for each β of `dpoBetas`; RPO = DPO +
 * η·β·SFT(chosen) (Algorithm 2, π_base = the chosen responses as in the authors' code) at β = `rpoBeta` for each η of
 * `rpoEtas`. Both grids have the same size (equal tuning effort); the notebook picks one point of each on a pilot seed.
 * Recorded along training: expected gold reward, mass on poorly covered responses, KL(π‖π_ref), and the mean
 * log-probability of the data's chosen responses (the quantity of the paper's Figure 1).
 * Task entry point: `runSeedFa(config, seed)` ('papers/rpo/function-approx#runSeedFa').
 *
 * Record keys (`method/metric`), method ∈ `dpo-beta<β>`, `rpo-eta<η>`: `/reward`, `/uncovered`, `/kl`, `/chosenLogp`
 * (final; series along training), `/peakReward`, `/drop` (peak − final gold), `/thetaNorm`; `ref/reward`,
 * `ref/uncovered`, `ref/chosenLogp`; `oracle/all`, `oracle/covered`; `data/pairs`, `data/fracPairsWithUncovered`;
 * series `all/step`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import {
  partialCoveragePolicy,
  sampleComparisons,
  type PreferenceTask,
} from '../../testbeds/preference/data/comparisons';
import { trainLogits, type LossAndGrad } from '../../testbeds/preference/loops/full-batch';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { rpoLoss } from '../../testbeds/preference/methods/rpo';
import { logLinearModel } from '../../testbeds/preference/policies/logit-model';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  logitsOf,
  massOn,
  type TableShape,
} from '../../testbeds/preference/policies/logit-table';

export interface FaConfig {
  /** Contexts (prompts). */
  nX: number;
  /** Responses per context. */
  nY: number;
  /** Responses per context that π_ref (= the data policy) covers well. */
  covered: number;
  /** Total probability π_ref puts on the responses outside its covered set. */
  uncoveredMass: number;
  /** Feature directions in which every response varies (N(0, 1)). */
  dCov: number;
  /** Feature directions in which only poorly covered responses vary (0 on covered responses). */
  dUnc: number;
  /** Standard deviation of the poorly covered responses' features in the dUnc directions. */
  uncScale: number;
  /** Preference pairs per context drawn from π_ref ⊗ π_ref (Bradley–Terry labels from r*). */
  pairsPerContext: number;
  /** DPO's β grid (one run per value). */
  dpoBetas: number[];
  /** RPO's β (its KL coefficient; shared with the DPO run it is compared with along training). */
  rpoBeta: number;
  /** RPO's η grid (the loss adds η·β·SFT(chosen)); same size as dpoBetas. */
  rpoEtas: number[];
  /** Full-batch training steps of every run. */
  steps: number;
  /** Adam learning rate of every run (on θ). */
  lr: number;
  /** Record every `every` steps. */
  every: number;
}

export const FA_DEFAULTS: FaConfig = {
  nX: 50,
  nY: 20,
  covered: 6,
  uncoveredMass: 0.05,
  dCov: 4,
  dUnc: 8,
  uncScale: 1,
  pairsPerContext: 10,
  dpoBetas: [0.03, 0.1, 0.3, 1],
  rpoBeta: 0.1,
  rpoEtas: [0.1, 0.3, 1, 3],
  steps: 2000,
  lr: 0.02,
  every: 50,
};

export const dpoName = (beta: number) => `dpo-beta${beta}`;
export const rpoName = (eta: number) => `rpo-eta${eta}`;

export function faMethodNames(c: FaConfig): string[] {
  return [...c.dpoBetas.map(dpoName), ...c.rpoEtas.map(rpoName)];
}

/** The task, features and data of one seed. */
export function makeFaTask(c: FaConfig, seed: number) {
  if (c.dpoBetas.length !== c.rpoEtas.length)
    throw new RangeError(
      `papers/rpo (function approximation): dpoBetas (${c.dpoBetas.length}) and rpoEtas (${c.rpoEtas.length}) ` +
        'must have the same size (equal tuning effort).',
    );
  const rng = new Rng(seed).split('rpo-fa');
  const shape: TableShape = { nX: c.nX, nY: c.nY };
  const n = c.nX * c.nY;
  const d = c.dCov + c.dUnc;
  const { probs: refProbs, covered } = partialCoveragePolicy(rng.split('ref'), shape, {
    covered: c.covered,
    uncoveredMass: c.uncoveredMass,
  });
  const wr = rng.split('gold-weights');
  const wStar = Float64Array.from({ length: d }, () => wr.normal());
  const features = new Float64Array(n * d);
  const gold = new Float64Array(n);
  const fr = rng.split('features');
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c.dCov; k++) features[i * d + k] = fr.normal();
    for (let k = c.dCov; k < d; k++) features[i * d + k] = covered[i] ? 0 : c.uncScale * fr.normal();
    let g = 0;
    for (let k = 0; k < d; k++) g += wStar[k] * features[i * d + k];
    gold[i] = g;
  }
  const uncovered = new Uint8Array(n);
  for (let i = 0; i < n; i++) uncovered[i] = covered[i] ? 0 : 1;
  const task: PreferenceTask = { ...shape, gold, features, d };
  const data = sampleComparisons(rng.split('data'), task, {
    behaviour: refProbs,
    perContext: c.pairsPerContext,
    labels: 'bradley-terry',
  });
  return { shape, task, d, wStar, features, refProbs, logpRef: logitsOf(refProbs), covered, uncovered, data };
}

/** A loss on the logits, pulled back to θ through logits = log π_ref + Φθ. */
export function throughFeatures(
  lossOnLogits: (logits: Float64Array) => LossAndGrad,
  logpRef: Float64Array,
  features: Float64Array,
  d: number,
): (theta: Float64Array) => LossAndGrad {
  const model = logLinearModel(logpRef, features, d);
  return (theta) => {
    const r = lossOnLogits(model.logits(theta));
    return { loss: r.loss, grad: model.backprop(r.grad) };
  };
}

export function runSeedFa(c: FaConfig, seed: number): RunResult {
  const { shape, task, d, features, logpRef, covered, uncovered, data } = makeFaTask(c, seed);
  const model = logLinearModel(logpRef, features, d);
  const metrics: Record<string, number> = {};
  const steps: number[] = [];
  const series: Record<string, number[]> = { [metricKey('all', 'step')]: steps };
  const chosenLogp = (logp: Float64Array) => {
    let s = 0;
    for (let i = 0; i < data.n; i++) s += logp[data.x[i] * shape.nY + data.a[i]];
    return s / data.n;
  };
  const evalLogits = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      reward: expectedValue(p, task.gold, shape),
      uncovered: massOn(p, uncovered, shape),
      kl: expectedKL(logp, logpRef, shape),
      chosenLogp: chosenLogp(logp),
    };
  };
  const ref = evalLogits(logpRef);
  Object.assign(
    metrics,
    metricsFor('ref', { reward: ref.reward, uncovered: ref.uncovered, chosenLogp: ref.chosenLogp }),
  );
  let bestAll = 0,
    bestCov = 0;
  for (let x = 0; x < shape.nX; x++) {
    let a = -Infinity,
      b = -Infinity;
    for (let y = 0; y < shape.nY; y++) {
      const g = task.gold[x * shape.nY + y];
      a = Math.max(a, g);
      if (covered[x * shape.nY + y]) b = Math.max(b, g);
    }
    bestAll += a / shape.nX;
    bestCov += b / shape.nX;
  }
  Object.assign(metrics, metricsFor('oracle', { all: bestAll, covered: bestCov }));

  const runs: [string, (logits: Float64Array) => LossAndGrad][] = [
    ...c.dpoBetas.map((b): [string, (l: Float64Array) => LossAndGrad] => [
      dpoName(b),
      (l) => dpoLoss(l, logpRef, data, shape, b),
    ]),
    ...c.rpoEtas.map((e): [string, (l: Float64Array) => LossAndGrad] => [
      rpoName(e),
      (l) => rpoLoss(l, logpRef, data, shape, c.rpoBeta, e),
    ]),
  ];
  let first = true;
  for (const [m, lossOnLogits] of runs) {
    const curve = { reward: [] as number[], uncovered: [] as number[], kl: [] as number[], chosenLogp: [] as number[] };
    const theta = trainLogits({
      loss: throughFeatures(lossOnLogits, logpRef, features, d),
      init: new Float64Array(d),
      steps: c.steps,
      optimiser: 'adam',
      lr: c.lr,
      every: c.every,
      onRecord: (step, th) => {
        const e = evalLogits(model.logits(th));
        for (const k of ['reward', 'uncovered', 'kl', 'chosenLogp'] as const) curve[k].push(e[k]);
        if (first) steps.push(step);
      },
    });
    first = false;
    for (const k of ['reward', 'uncovered', 'kl', 'chosenLogp'] as const) {
      series[metricKey(m, k)] = curve[k];
      metrics[metricKey(m, k)] = curve[k][curve[k].length - 1];
    }
    const peak = Math.max(...curve.reward);
    metrics[metricKey(m, 'peakReward')] = peak;
    metrics[metricKey(m, 'drop')] = peak - curve.reward[curve.reward.length - 1];
    metrics[metricKey(m, 'thetaNorm')] = Math.hypot(...theta);
  }
  let unc = 0;
  for (let i = 0; i < data.n; i++)
    unc += uncovered[data.x[i] * shape.nY + data.a[i]] | uncovered[data.x[i] * shape.nY + data.b[i]];
  Object.assign(metrics, metricsFor('data', { pairs: data.n, fracPairsWithUncovered: unc / data.n }));
  return { metrics, series };
}
