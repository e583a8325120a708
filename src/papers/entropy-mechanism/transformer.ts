/**
 * The entropy mechanism (Cui et al. 2025) on the reasoning testbed (issue [reasoning], item 6): the GRU section's
 * comparison of GRPO with the paper's two covariance-based entropy controls, ported to the tiny transformer
 * (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained by the reasoning trainer (testbeds/reasoning/trainer/) on
 * scratchpad addition with fresh training-split problems every update. Every method is a recipe of the trainer's
 * table (trainer/recipes.ts) and they share the GRPO advantage (r − r̄)/std, the per-sequence token mean, two passes
 * per batch (the importance ratio acts on the second) and no KL to a reference:
 *   GRPO      PPO ratio clip ε = 0.2, no token control
 *   Clip-Cov  GRPO, and per pass max(1, ⌊2·10⁻⁴·N⌋) tokens with covariance in (1, 5), not already clipped, drawn at
 *             random, are detached (the paper's §4, Clip-Cov; official constants)
 *   KL-Cov    unclipped surrogate, and per pass the max(1, ⌊2·10⁻³·N⌋) tokens of largest covariance get the penalty
 *             β·|log π_θ − log π_old|, β = 1 (the paper's §4, KL-Cov; official constants)
 * where the token covariance is Cov_i = (A_i − Ā)(log π(y_i) − mean log π) over the batch's tokens (the paper's
 * eq. for Cov under Lemma 1; rlvr/methods/token-covariance.ts). Per update the module observes the sampled batch
 * (the trainer returns neither): the mean sampled-token entropy H (the predictive entropy at every generated
 * position, mean over the batch's tokens) and the batch covariance Cov(log π, A) (the mean of Cov_i, before the
 * update), by wrapping the policy's `sample` and re-deriving the batch's rewards from a mirror of the trainer's
 * problem stream (checked against the trainer's reward curve at every update). All methods of a seed start from the
 * same base model, see the same training problems and random streams, and are evaluated on the same held-out
 * problems with the same sampling streams (paired by seed). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { tokenCovariance } from '../../testbeds/rlvr/methods/token-covariance';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { advantages } from '../../testbeds/reasoning/trainer/advantage';
import { evaluateCounts, passAtKFromCounts, trainRl, verifierRewards } from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type Completions, type RlPolicy, type Scored } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';

/**
 * The compared methods by record-key name: GRPO with the two passes and no KL of the Clip-Cov / KL-Cov recipes (so
 * the three differ only in the token control and, for KL-Cov, the unclipped surrogate the official code uses).
 */
export const METHODS: Record<string, Recipe> = {
  GRPO: { ...RECIPES.grpo, kl: { kind: 'none' }, epochs: 2 },
  'Clip-Cov': RECIPES['clip-cov'],
  'KL-Cov': RECIPES['kl-cov'],
};

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Names from `METHODS`, each trained from the same base model on the same problem stream. */
  methods: string[];
  /** Training level; the held-out problems are at this level too (the gate's level for papers). */
  level: number;
  /** RL updates per method. */
  updates: number;
  /** Prompts per update (B) and sampled completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems at `level` (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: Object.keys(METHODS),
  level: 3,
  updates: 100,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 64,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** What one observed training batch gave: mean sampled-token entropy, batch covariance, mean reward. */
export interface BatchObservation {
  entropy: number;
  cov: number;
  reward: number;
}

/**
 * Mean sampled-token entropy and the batch token covariance Cov(log π, A) = mean_i (A_i − Ā)(log π_i − mean log π)
 * over the generated tokens (t < length, the stop token included, as the trainer's update) of B groups of G, with
 * the GRPO advantage of the rewards (the advantage the three methods share).
 */
export function observeBatch(c: Completions, rewards: Float64Array, B: number, G: number): BatchObservation {
  if (!c.entropy) throw new Error('entropy-mechanism.transformer: the policy does not report sampled entropies');
  const adv = advantages('grpo', rewards, B, G);
  const a: number[] = [],
    lp: number[] = [];
  let h = 0;
  for (let i = 0; i < c.N; i++) {
    const len = Math.max(1, c.lengths[i]);
    for (let t = 0; t < len; t++) {
      a.push(adv[i]);
      lp.push(c.logp[i * c.L + t]);
      h += c.entropy[i * c.L + t];
    }
  }
  const cov = tokenCovariance(a, lp);
  let s = 0;
  for (const x of cov) s += x;
  return { entropy: h / a.length, cov: s / a.length, reward: rewards.reduce((x, y) => x + y, 0) / rewards.length };
}

/**
 * A policy that forwards everything to `inner` and observes every training batch it samples: `problems()` must
 * return the problems of that batch (a mirror of the trainer's stream), in order.
 */
export class ObservedPolicy implements RlPolicy {
  readonly observed: BatchObservation[] = [];
  constructor(
    readonly inner: RlPolicy,
    readonly task: Task,
    readonly G: number,
    readonly problems: () => Problem[],
  ) {}
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos: number; pad: number; greedy?: boolean },
  ): Completions {
    const c = this.inner.sample(prompts, N, P, L, rng, o);
    if (o.greedy) throw new Error('entropy-mechanism.transformer: greedy sampling is not observed');
    const problems = this.problems();
    if (problems.length * this.G !== N)
      throw new Error(`entropy-mechanism.transformer: batch of ${N} rows, expected ${problems.length} × ${this.G}`);
    for (let b = 0; b < problems.length; b++) {
      const p = problems[b].prompt;
      for (let k = 0; k < P; k++)
        if (prompts[b * this.G * P + k] !== p[k])
          throw new Error('entropy-mechanism.transformer: the mirrored problem stream is out of step with the trainer');
    }
    const rewards = verifierRewards(this.task, problems, this.G, c);
    this.observed.push(observeBatch(c, rewards, problems.length, this.G));
    return c;
  }
  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    return this.inner.score(seq, N, T, P);
  }
  backward(s: Scored, w: Float32Array, e?: Float32Array): void {
    this.inner.backward(s, w, e);
  }
  step(): number {
    return this.inner.step();
  }
  snapshot(): Float32Array {
    return this.inner.snapshot();
  }
}

/**
 * One seed. Metrics `<m>/L<l>:pass@k` for m ∈ {base, …methods}; per method `<m>/entropy:first`,
 * `<m>/entropy:final` (first and last update's mean sampled-token entropy), `<m>/meanReward`, `<m>/lateReward`
 * (mean batch reward on fresh training problems over the run and over its last quarter). Series per method
 * `<m>/entropy`, `<m>/cov`, `<m>/reward`, `<m>/controlled` (tokens the control touched per pass), `<m>/gradNorm`, and
 * `<m>/L<l>:counts` (correct samples per held-out problem, base included). Timings `<m>/updateMs`, `<m>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const name of c.methods)
    if (!METHODS[name])
      throw new RangeError(
        `entropy-mechanism.transformer: unknown method "${name}"; known: ${Object.keys(METHODS).join(', ')} ` +
          '(set config.methods in the notebook)',
      );
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('entropy-mechanism-transformer');
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('entropy-mechanism', base, new Rng(0));
  const evaluate = (method: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every method (common random numbers across the paired comparison).
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval'));
    series[metricKey(method, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(method, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(method, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const name of c.methods) {
    const recipe = METHODS[name];
    const inner = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const trainRng = root.split('train');
    // Mirror of trainRl's problem stream (loop.ts: a train-split stream whose generator is rng.split('problems')).
    const mirror = new ProblemStream(task, 0, 'train');
    (mirror as { rng: Rng }).rng = trainRng.split('problems');
    const policy = new ObservedPolicy(inner, task, c.groupSize, () => mirror.batch(c.level, c.batchPrompts));
    const gradNorm: number[] = [],
      controlled: number[] = [];
    const curves = trainRl(
      policy,
      task,
      {
        recipe,
        level: c.level,
        updates: c.updates,
        batchPrompts: c.batchPrompts,
        groupSize: c.groupSize,
        lr: c.lr,
      },
      trainRng,
      null,
      (_t, s) => {
        gradNorm.push(s.gradNorm);
        controlled.push(s.controlled);
      },
    );
    const obs = policy.observed;
    if (obs.length !== curves.reward.length || obs.some((o, t) => o.reward !== curves.reward[t]))
      throw new Error('entropy-mechanism.transformer: observed batch rewards differ from the trainer’s reward curve');
    const key = (k: string) => metricKey(name, k);
    series[key('entropy')] = obs.map((o) => o.entropy);
    series[key('cov')] = obs.map((o) => o.cov);
    series[key('reward')] = curves.reward;
    series[key('controlled')] = controlled;
    series[key('gradNorm')] = gradNorm;
    metrics[key('entropy:first')] = obs[0].entropy;
    metrics[key('entropy:final')] = obs[obs.length - 1].entropy;
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('lateReward')] = mean(curves.reward.slice(Math.floor((3 * curves.reward.length) / 4)));
    timings[key('updateMs')] = mean(curves.ms);
    evaluate(name, inner);
  }
  return { metrics, series, timings };
}
