/**
 * BAPO (Xi et al. 2025, arXiv 2510.18927) on the reasoning testbed: the paper's central comparison (its Figures 2, 9
 * and 11: GRPO with the symmetric clip, clip-higher and BAPO trained on stale data, compared on training reward,
 * entropy, gradient norm, the positive/negative loss contributions and held-out accuracy) in miniature. The tiny
 * transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) is trained by the reasoning trainer on scratchpad
 * addition with fresh training-split problems every update, each update learning from completions sampled by the
 * policy of `k` updates earlier (the loop's `RlConfig.staleness`; k = 0 is on-policy). Recipes
 * (trainer/objectives/bapo.ts, all with GRPO's advantage, token-mean aggregation, no KL, one gradient pass):
 *   GRPO          the clipped surrogate with fixed ratio bounds (0.8, 1.2)             (ε = 0.2)
 *   Clip-Higher   fixed bounds (0.8, 1.28)                                             (DAPO's ε_low 0.2, ε_high 0.28)
 *   BAPO          bounds searched per batch (Algorithm 1) so the positive tokens' share of the loss (eq. 8) reaches
 *                 ρ₀ = 0.4, c_low ∈ [0.6, 0.9] by 0.02, c_high ∈ [1.2, 3.0] by 0.05 (§5.1)
 *   BAPO-rho0.5   the same with ρ₀ = 0.5 (the official code's README and default config)
 * On-policy (k = 0) the ratios are 1 and the three recipes coincide (bit for bit: tests), so k = 0 runs GRPO only: the
 * on-policy reference and the local validity check (GRPO raises held-out pass@1 over the base model). All runs of a
 * seed start from the same base model, see the same sequence of training problems and random streams, and are
 * evaluated on the same held-out problems with the same sampling streams (paired by seed). Task entry point:
 * `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../testbeds/reasoning/tasks/splits';
import { evaluateCounts, passAtKFromCounts, trainRl } from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import type { Recipe } from '../../testbeds/reasoning/trainer/recipes';
import {
  BAPO_RECIPES,
  bapoSpec,
  observeBapo,
  type BapoPassStats,
} from '../../testbeds/reasoning/trainer/objectives/bapo';

/**
 * The compared methods by record-key name. BAPO-rho0.5 is BAPO with the target ρ₀ = 0.5 of the official code's README
 * (`positive_contribution_target`) and default config (`adv_ratio_target: 1`, i.e. P/N ≥ 1), all else as BAPO.
 */
export const METHODS: Record<string, Recipe> = {
  GRPO: BAPO_RECIPES.grpo,
  'Clip-Higher': BAPO_RECIPES['clip-higher'],
  BAPO: BAPO_RECIPES.bapo,
  'BAPO-rho0.5': { ...BAPO_RECIPES.bapo, name: 'BAPO (ρ₀ 0.5)', objective: bapoSpec({ target: 0.5 }) },
};

/** A run's record-key name: `BAPO@k=48`. */
export const runName = (method: string, k: number): string => `${method}@k=${k}`;

/** The runs: GRPO on-policy (k = 0), and every method at each stale k. */
export function runsOf(staleness: readonly number[]): { name: string; method: string; k: number }[] {
  return [
    { name: runName('GRPO', 0), method: 'GRPO', k: 0 },
    ...staleness.flatMap((k) => Object.keys(METHODS).map((method) => ({ name: runName(method, k), method, k }))),
  ];
}

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** The stale sampling lags k ≥ 1 at which every method runs (GRPO also runs on-policy, k = 0). */
  staleness: number[];
  /** Record-key names from `runsOf(staleness)` to run (default: all). */
  runs?: string[];
  /** Training level; the held-out problems are at this level too. */
  level: number;
  /** RL updates per run. */
  updates: number;
  /** Prompts per update (B) and sampled completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems at `level` (drawn per seed, the same for every run). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  staleness: [48],
  level: 3,
  updates: 120,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** Mean of the finite entries (NaN when there are none). */
export function finiteMean(xs: readonly number[]): number {
  let s = 0,
    n = 0;
  for (const x of xs)
    if (Number.isFinite(x)) {
      s += x;
      n++;
    }
  return n ? s / n : NaN;
}

/** Coefficient of variation (population std / mean) of a series; NaN for an empty series. */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  return Math.sqrt(v) / m;
}

/** Largest value over the median (the upper median for an even count). */
export function maxOverMedian(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length - 1] / s[Math.floor(s.length / 2)];
}

/**
 * Gradient-norm spikes: the fraction of updates whose norm exceeds `factor` times the median of the run's norms up to
 * and including that update (a causal, scale-free count of the paper's "gradient explosions").
 */
export function spikeFraction(xs: readonly number[], factor: number): number {
  if (xs.length === 0) return NaN;
  const seen: number[] = [];
  let spikes = 0;
  for (const x of xs) {
    seen.push(x);
    const s = [...seen].sort((a, b) => a - b);
    if (x > factor * s[Math.floor((s.length - 1) / 2)]) spikes++;
  }
  return spikes / xs.length;
}

/** Per-update series of one run's objective statistics (pass 0 of each update). */
const STAT_SERIES = [
  'entropy',
  'negShareLoss',
  'negShareGrad',
  'cLow',
  'cHigh',
  'rhoStart',
  'clipPos',
  'clipNeg',
  'posLowProbClipped',
  'posHighProbClipped',
] as const;

/**
 * One seed. Metrics `<run>/L<l>:pass@k` for run ∈ {base, …runs}; per run: `meanReward` (mean over updates of the
 * batch mean reward on fresh training problems, sampled by the behaviour policy) and `lateReward` (last quarter);
 * `meanEntropy`, `lateEntropy` (mean per-token predictive entropy of the updated policy on each batch's completion
 * tokens, over all updates / the last quarter); `negShareLoss` (mean over updates of eq. 8's negative share N/(P + N)
 * at the bounds used), `negShareGrad` (mean share of Σ|∂ℓ/∂log π| from negative-advantage tokens);
 * `clippedFraction`, `clipPos`, `clipNeg`; `posLowProbClipped`, `posHighProbClipped` (fractions of positive tokens of
 * low / high probability the clip cut, Definition 1 of Appendix B.4.2); `cLow`, `cHigh`, `metFraction` (mean bounds,
 * and fraction of updates whose bounds meet ρ₀); `gradNormCv`, `gradNormMaxOverMedian`; `meanKlBehaviour`.
 * Series `<run>/L<l>:counts`, `<run>/reward`, `<run>/gradNorm`, `<run>/klBehaviour`, `<run>/clipFraction` and each of
 * STAT_SERIES. Timings `<run>/updateMs` (mean per update), `<run>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const k of c.staleness)
    if (!(Number.isInteger(k) && k >= 1))
      throw new RangeError(`bapo.experiment: every stale k must be an integer ≥ 1, got ${k} (config.staleness)`);
  const all = runsOf(c.staleness);
  const names = c.runs ?? all.map((r) => r.name);
  for (const name of names)
    if (!all.some((r) => r.name === name))
      throw new RangeError(
        `bapo.experiment: unknown run "${name}"; known: ${all.map((r) => r.name).join(', ')} (config.runs)`,
      );
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('bapo');
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('bapo', base, new Rng(0));
  const evaluate = (name: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every run (common random numbers across the paired comparison).
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval'));
    series[metricKey(name, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(name, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(name, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const late = (xs: number[]) => xs.slice(Math.floor((3 * xs.length) / 4));
  for (const run of all.filter((r) => names.includes(r.name))) {
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const behaviour = run.k > 0 ? new LmPolicy(copy(), { lr: 1 }) : undefined;
    const gradNorm: number[] = [];
    const stats: BapoPassStats[] = [];
    const prev = observeBapo((s) => {
      if (s.pass === 0) stats.push(s);
    });
    let curves;
    try {
      curves = trainRl(
        policy,
        task,
        {
          recipe: METHODS[run.method],
          level: c.level,
          updates: c.updates,
          batchPrompts: c.batchPrompts,
          groupSize: c.groupSize,
          lr: c.lr,
          staleness: run.k,
        },
        root.split('train'),
        null,
        (_t, s) => gradNorm.push(s.gradNorm),
        behaviour,
      );
    } finally {
      observeBapo(prev);
    }
    if (stats.length !== c.updates)
      throw new Error(
        `bapo.experiment: ${run.name} recorded ${stats.length} objective passes for ${c.updates} updates`,
      );
    const key = (k: string) => metricKey(run.name, k);
    for (const s of STAT_SERIES) series[key(s)] = stats.map((x) => x[s]);
    series[key('reward')] = curves.reward;
    series[key('gradNorm')] = gradNorm;
    series[key('klBehaviour')] = curves.klBehaviour;
    series[key('clipFraction')] = curves.clipFraction;
    const entropy = series[key('entropy')];
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('lateReward')] = mean(late(curves.reward));
    metrics[key('meanEntropy')] = finiteMean(entropy);
    metrics[key('lateEntropy')] = finiteMean(late(entropy));
    for (const s of ['negShareLoss', 'negShareGrad', 'clipPos', 'clipNeg', 'cLow', 'cHigh'] as const)
      metrics[key(s)] = finiteMean(series[key(s)]);
    metrics[key('posLowProbClipped')] = finiteMean(series[key('posLowProbClipped')]);
    metrics[key('posHighProbClipped')] = finiteMean(series[key('posHighProbClipped')]);
    metrics[key('metFraction')] = mean(stats.map((s) => (s.met ? 1 : 0)));
    metrics[key('clippedFraction')] = mean(curves.clipFraction);
    metrics[key('gradNormCv')] = coefficientOfVariation(gradNorm);
    metrics[key('gradNormMaxOverMedian')] = maxOverMedian(gradNorm);
    metrics[key('meanKlBehaviour')] = finiteMean(curves.klBehaviour);
    timings[key('updateMs')] = mean(curves.ms);
    evaluate(run.name, policy);
  }
  return { metrics, series, timings };
}
