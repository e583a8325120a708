/**
 * The RPO miniature (Liu et al. 2024, "Provably Mitigating Overoptimization in RLHF: Your SFT Loss is
 * Implicitly an Adversarial Regularizer"), one seed = one task + one dataset + every method.
 *
 * Task: nX contexts × nY responses, gold Bradley–Terry reward r*(x, y) ~ N(0, 1) i.i.d. The SFT/reference
 * policy π_ref (= the behaviour policy π_b) covers `covered` responses per context with Dirichlet(1)
 * weights summing to 1 − ε, and spreads ε over the others (poorly covered responses). The preference data:
 * `pairsPerContext` pairs per context drawn from π_b ⊗ π_b, labelled by BT sampling from r*.
 * Methods (full-batch, tabular softmax logits initialised at log π_ref, same optimiser and steps):
 * SFT on the chosen responses; DPO; IPO; RPO = DPO + η·β·SFT(chosen) for several η; RPO with π_base = π_ref.
 * Recorded along training: true expected reward E_π r*, gold win rate against π_b, probability mass on
 * the poorly covered responses, KL(π‖π_ref).
 * Plus an exact check of the paper's equivalence (Algorithm 1 ⇔ Algorithm 2) on a small instance with
 * soft labels: the maximin policy computed through the adversarial reward equals the RPO minimiser.
 * Task entry point: `runSeed(config, seed)` ('papers/rpo/experiment#runSeed').
 *
 * Record keys (`method/metric`): `<method>/reward`, `/win`, `/uncovered`, `/kl` (final; series along
 * training), `/peakReward`, `/peakWin`; `ref/reward`, `ref/uncovered`; `oracle/all`, `oracle/covered`;
 * `equivalence/maxAbsDiff`, `/gradRpo`, `/gradAdv`; `data/pairs`, `data/fracPairsWithUncovered`;
 * series `all/step` (the recorded training steps).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import {
  exactComparisons,
  partialCoveragePolicy,
  sampleComparisons,
  type PreferenceTask,
} from '../../testbeds/preference/data/comparisons';
import { trainLogits, type LossAndGrad } from '../../testbeds/preference/loops/full-batch';
import { dpoLoss } from '../../testbeds/preference/methods/dpo';
import { ipoLoss } from '../../testbeds/preference/methods/ipo';
import { adversarialRewardObjective, rpoLoss } from '../../testbeds/preference/methods/rpo';
import { sftLoss } from '../../testbeds/preference/methods/sft';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  logitsOf,
  massOn,
  rewardWinRate,
  softmaxRows,
  type TableShape,
} from '../../testbeds/preference/policies/logit-table';

export interface Config {
  /** Contexts (prompts). */
  nX: number;
  /** Responses per context. */
  nY: number;
  /** Responses per context that π_ref (= the data policy π_b) covers well. */
  covered: number;
  /** Total probability π_ref puts on the responses outside its covered set. */
  uncoveredMass: number;
  /** Preference pairs per context drawn from π_b ⊗ π_b (Bradley–Terry labels from r*). */
  pairsPerContext: number;
  /** KL coefficient β of DPO, IPO (τ) and RPO. */
  beta: number;
  /** RPO weights η to run (the loss adds η·β·SFT). */
  etas: number[];
  /** The η reported in the headline comparisons (must be one of etas). */
  primaryEta: number;
  /** Full-batch training steps of every method. */
  steps: number;
  /** Learning rate of every method. */
  lr: number;
  /** Optimiser of every method. */
  optimiser: 'adam' | 'sgd';
  /** Record every `every` steps. */
  every: number;
  /** Exact Algorithm 1 ⇔ Algorithm 2 check on a small instance with soft labels. */
  equivalence: { nX: number; nY: number; eta: number; beta: number; steps: number; lr: number };
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nX: 50,
  nY: 20,
  covered: 6,
  uncoveredMass: 0.05,
  pairsPerContext: 10,
  beta: 0.1,
  etas: [0.1, 1, 10],
  primaryEta: 1,
  steps: 2000,
  lr: 0.05,
  optimiser: 'adam',
  every: 50,
  equivalence: { nX: 3, nY: 5, eta: 1, beta: 0.5, steps: 10000, lr: 1 },
};

export const BASE_METHODS = ['sft', 'dpo', 'ipo'] as const;

export function methodNames(config: Config): string[] {
  return [...BASE_METHODS, ...config.etas.map((e) => `rpo-eta${e}`), `rpo-base-eta${config.primaryEta}`];
}

/** The task and data of one seed. */
export function makeRpoTask(config: Config, seed: number) {
  const rng = new Rng(seed).split('rpo');
  const shape: TableShape = { nX: config.nX, nY: config.nY };
  const gold = new Float64Array(config.nX * config.nY);
  const gr = rng.split('gold');
  for (let i = 0; i < gold.length; i++) gold[i] = gr.normal();
  const task: PreferenceTask = { ...shape, gold, d: 0 };
  const { probs: refProbs, covered } = partialCoveragePolicy(rng.split('ref'), shape, {
    covered: config.covered,
    uncoveredMass: config.uncoveredMass,
  });
  const uncovered = new Uint8Array(covered.length);
  for (let i = 0; i < covered.length; i++) uncovered[i] = covered[i] ? 0 : 1;
  const data = sampleComparisons(rng.split('data'), task, {
    behaviour: refProbs,
    perContext: config.pairsPerContext,
    labels: 'bradley-terry',
  });
  return { shape, task, refProbs, logpRef: logitsOf(refProbs), covered, uncovered, data };
}

/**
 * Algorithm 1 ⇔ Algorithm 2 on a small instance (soft labels on all pairs, full-support π_ref and π_base):
 * returns max_x,y |π_RPO − π_maximin|, both solved by gradient descent to convergence.
 */
export function equivalenceCheck(
  o: Config['equivalence'],
  rng: Rng,
): { maxAbsDiff: number; gradRpo: number; gradAdv: number } {
  const shape: TableShape = { nX: o.nX, nY: o.nY };
  const n = o.nX * o.nY;
  const gold = new Float64Array(n),
    refLogits = new Float64Array(n),
    baseLogits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    gold[i] = rng.normal();
    refLogits[i] = rng.normal();
    baseLogits[i] = rng.normal();
  }
  const c = exactComparisons({ ...shape, gold, d: 0 });
  const logpRef = logSoftmaxRows(refLogits, shape);
  const baseProbs = softmaxRows(baseLogits, shape);
  const rpo = (th: Float64Array) => rpoLoss(th, logpRef, c, shape, o.beta, o.eta, { kind: 'policy', probs: baseProbs });
  const theta = trainLogits({ loss: rpo, init: logpRef, steps: o.steps, optimiser: 'sgd', lr: o.lr });
  const adv = (r: Float64Array) => adversarialRewardObjective(r, c, shape, logpRef, baseProbs, 1 / o.eta, o.beta);
  const r = trainLogits({ loss: adv, init: new Float64Array(n), steps: o.steps, optimiser: 'sgd', lr: o.lr * o.beta });
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = logpRef[i] + r[i] / o.beta;
  const p1 = softmaxRows(theta, shape),
    p2 = softmaxRows(z, shape);
  let maxAbsDiff = 0;
  for (let i = 0; i < n; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p1[i] - p2[i]));
  const gmax = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { maxAbsDiff, gradRpo: gmax(rpo(theta).grad), gradAdv: gmax(adv(r).grad) };
}

export function runSeed(config: Config, seed: number): RunResult {
  if (!config.etas.includes(config.primaryEta))
    throw new RangeError(`papers/rpo: primaryEta ${config.primaryEta} is not one of etas [${config.etas.join(', ')}].`);
  const { shape, task, refProbs, logpRef, covered, uncovered, data } = makeRpoTask(config, seed);
  const { beta } = config;
  const losses: Record<string, (th: Float64Array) => LossAndGrad> = {
    sft: (th) => sftLoss(th, shape, { kind: 'chosen' }, data),
    dpo: (th) => dpoLoss(th, logpRef, data, shape, beta),
    ipo: (th) => ipoLoss(th, logpRef, data, shape, beta),
  };
  for (const eta of config.etas) losses[`rpo-eta${eta}`] = (th) => rpoLoss(th, logpRef, data, shape, beta, eta);
  losses[`rpo-base-eta${config.primaryEta}`] = (th) =>
    rpoLoss(th, logpRef, data, shape, beta, config.primaryEta, { kind: 'policy', probs: refProbs });

  const metrics: Record<string, number> = {};
  const steps: number[] = [];
  const series: Record<string, number[]> = { [metricKey('all', 'step')]: steps };
  const evalPolicy = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      reward: expectedValue(p, task.gold, shape),
      win: rewardWinRate(p, refProbs, task.gold, shape),
      uncovered: massOn(p, uncovered, shape),
      kl: expectedKL(logp, logpRef, shape),
    };
  };
  const ref = evalPolicy(logpRef);
  Object.assign(metrics, metricsFor('ref', { reward: ref.reward, uncovered: ref.uncovered }));
  // Oracles: the best response of each context overall, and among the covered ones.
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

  let first = true;
  for (const [m, loss] of Object.entries(losses)) {
    const curve = { reward: [] as number[], win: [] as number[], uncovered: [] as number[], kl: [] as number[] };
    trainLogits({
      loss,
      init: logpRef,
      steps: config.steps,
      optimiser: config.optimiser,
      lr: config.lr,
      every: config.every,
      onRecord: (step, th) => {
        const e = evalPolicy(th);
        curve.reward.push(e.reward);
        curve.win.push(e.win);
        curve.uncovered.push(e.uncovered);
        curve.kl.push(e.kl);
        if (first) steps.push(step);
      },
    });
    first = false;
    for (const k of ['reward', 'win', 'uncovered', 'kl'] as const) {
      series[metricKey(m, k)] = curve[k];
      metrics[metricKey(m, k)] = curve[k][curve[k].length - 1];
    }
    metrics[metricKey(m, 'peakReward')] = Math.max(...curve.reward);
    metrics[metricKey(m, 'peakWin')] = Math.max(...curve.win);
  }
  const eq = equivalenceCheck(config.equivalence, new Rng(seed).split('rpo-equivalence'));
  Object.assign(metrics, metricsFor('equivalence', eq));
  let unc = 0;
  for (let i = 0; i < data.n; i++)
    unc += uncovered[data.x[i] * shape.nY + data.a[i]] | uncovered[data.x[i] * shape.nY + data.b[i]];
  Object.assign(metrics, metricsFor('data', { pairs: data.n, fracPairsWithUncovered: unc / data.n }));
  return { metrics, series };
}
