/**
 * The two-stage dynamic on the reasoning testbed (Yao et al. 2025, "The Debate on RLVR Reasoning Capability
 * Boundary"): GRPO, GRPO on positive-advantage samples only ("−P") and GRPO on negative-advantage samples only
 * ("−N", the paper's "relative negative gradients") train copies of the cached transformer base model
 * (testbeds/reasoning/base-model.ts, addition levels ≤ 2) with fresh training-split problems at the training level
 * every update. Base, GRPO at an early checkpoint and every method at the end are evaluated on the same held-out
 * problems (never trained on), n samples each, with the unbiased pass@k. Task entry point: `runSeed(config, seed)`.
 *
 * The trainer has no sign filter on the advantage, so this file holds it (`signKeep`, a pure function) and applies
 * it by masking the per-token weights of the other sign (`SignMaskedPolicy`) around the trainer's own
 * `policyUpdate`; it belongs in testbeds/reasoning/trainer/filters.ts as an advantage-sign filter.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import type { Task } from '../../testbeds/reasoning/tasks/task';
import {
  completionBudget,
  evaluateCounts,
  passAtKFromCounts,
  sampleRollouts,
} from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type Completions, type RlPolicy, type Scored } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate, recipeAdvantages } from '../../testbeds/reasoning/trainer/update';

export type Method = 'grpo' | 'grpo-positive' | 'grpo-negative';
export const METHODS: readonly Method[] = ['grpo', 'grpo-positive', 'grpo-negative'];

/** Which samples' advantages each method keeps. */
export type SampleSign = 'all' | 'positive' | 'negative';
export const SIGN: Record<Method, SampleSign> = {
  grpo: 'all',
  'grpo-positive': 'positive',
  'grpo-negative': 'negative',
};

/**
 * The recipe of all three methods: GRPO (Shao et al. 2024, eq. 3: group-standardised advantage, per-sequence token
 * mean, one on-policy pass so the ratio clip never acts) without the KL term, as in this notebook's GRU section.
 */
export const RECIPE: Recipe = { ...RECIPES.grpo, name: 'GRPO (no KL)', kl: { kind: 'none' } };

/**
 * Keep mask of the paper's sample-sign ablations (§4, "GRPO-N": only the relative negative gradients; "GRPO-P":
 * only the positive ones). With A_i the GRPO advantage of response i, the −N objective is
 * J_−N = (1/G) Σ_i 1[A_i < 0] · (1/|o_i|) Σ_t A_i · log π(o_i,t)  (and 1[A_i > 0] for −P), i.e. GRPO's objective with
 * the other sign's advantages set to 0, the normaliser unchanged. Returns 1 where response i is kept.
 */
export function signKeep(adv: ArrayLike<number>, sign: SampleSign): Uint8Array {
  const keep = new Uint8Array(adv.length);
  for (let i = 0; i < adv.length; i++)
    keep[i] = sign === 'all' ? 1 : sign === 'positive' ? (adv[i] > 0 ? 1 : 0) : adv[i] < 0 ? 1 : 0;
  return keep;
}

/**
 * A policy that zeroes the per-token weights w (and entropy weights) of the responses `rows` does not keep before
 * the inner policy's backward. With no KL part and one pass (`RECIPE`), w_it = c_it · A_i, so zeroing row i is
 * setting A_i = 0 with the aggregation weights c_it unchanged: exactly `signKeep`'s objective.
 */
export class SignMaskedPolicy implements RlPolicy {
  /** Keep mask over the N responses of the next backward (null: keep all). */
  rows: Uint8Array | null = null;
  constructor(readonly inner: RlPolicy) {}
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos: number; pad: number; greedy?: boolean },
  ): Completions {
    return this.inner.sample(prompts, N, P, L, rng, o);
  }
  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    return this.inner.score(seq, N, T, P);
  }
  backward(s: Scored, w: Float32Array, entropyWeights?: Float32Array): void {
    const m = this.rows;
    if (m) {
      if (w.length % m.length !== 0)
        throw new RangeError(`rlvr-two-stage: a mask of ${m.length} rows for ${w.length} token weights`);
      const L = w.length / m.length;
      for (let i = 0; i < m.length; i++)
        if (!m[i]) {
          w.fill(0, i * L, (i + 1) * L);
          entropyWeights?.fill(0, i * L, (i + 1) * L);
        }
    }
    this.inner.backward(s, w, entropyWeights);
  }
  step(): number {
    return this.inner.step();
  }
  snapshot(): Float32Array {
    return this.inner.snapshot();
  }
}

/** Settings of one signed GRPO run. */
export interface SignedRlConfig {
  level: number;
  updates: number;
  batchPrompts: number;
  groupSize: number;
  sign: SampleSign;
}

/**
 * Trains `policy` with `RECIPE` restricted to the responses of `sign`: the reasoning trainer's loop (trainer/loop.ts
 * `trainRl`, without dynamic sampling or KL) with the sign mask set before each update. With sign 'all' it is
 * `trainRl(policy, task, {recipe: RECIPE, …}, rng, null)` float for float (same problem and sample streams).
 * `after(t)` runs after update t (checkpoints). Returns per-update batch mean reward and kept responses.
 */
export function trainSigned(
  policy: RlPolicy,
  task: Task,
  c: SignedRlConfig,
  rng: Rng,
  after?: (t: number) => void,
): { reward: number[]; kept: number[] } {
  const stream = new ProblemStream(task, 0, 'train');
  (stream as { rng: Rng }).rng = rng.split('problems');
  const L = completionBudget(task, c.level);
  const masked = new SignMaskedPolicy(policy);
  const reward: number[] = [],
    kept: number[] = [];
  for (let t = 1; t <= c.updates; t++) {
    const batch = sampleRollouts(
      policy,
      task,
      stream.batch(c.level, c.batchPrompts),
      c.groupSize,
      L,
      rng.split(`sample${t}`),
    );
    masked.rows = c.sign === 'all' ? null : signKeep(recipeAdvantages(RECIPE, batch, null).adv, c.sign);
    policyUpdate(masked, RECIPE, batch, null);
    reward.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
    kept.push(masked.rows ? masked.rows.reduce((a, b) => a + b, 0) : batch.B * batch.G);
    after?.(t);
  }
  return { reward, kept };
}

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  methods: Method[];
  /** Training level; the held-out problems are at this level. */
  level: number;
  /** RL updates of each method ("prolonged" training: the end of the run). */
  updates: number;
  /** Update after which GRPO is also evaluated (the early checkpoint: the end of the exploitation stage). */
  earlyAt: number;
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out problems (drawn per seed; the same for every model of the seed). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: ['grpo', 'grpo-positive', 'grpo-negative'],
  level: 3,
  updates: 80,
  earlyAt: 20,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 32,
  evalSamples: 256,
  passKs: [1, 4, 16, 64, 256],
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/**
 * One seed. Models: `base` and `grpo-early` (GRPO after `earlyAt` updates; both only when `methods` includes GRPO)
 * and each method at the end. Keys
 * `<model>/L<level>:pass@k`; series `<model>/L<level>:counts` (correct samples per held-out problem, the same
 * problems for every model), `<method>/reward` and `<method>/kept` per update; timings `<method>/updateMs` (mean
 * per update), `<model>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const m of c.methods)
    if (!METHODS.includes(m))
      throw new RangeError(`rlvr-two-stage/transformer: unknown method "${m}"; known: ${METHODS.join(', ')}`);
  if (!(c.earlyAt >= 1 && c.earlyAt <= c.updates))
    throw new RangeError(`rlvr-two-stage/transformer: earlyAt ${c.earlyAt} must lie in 1…updates (${c.updates})`);
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('rlvr-two-stage-transformer');
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const tag = levelTag(c.level);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('rlvr-two-stage', base, new Rng(0));
  const evaluate = (model: string, policy: RlPolicy) => {
    const t0 = Date.now();
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval').split(model));
    series[metricKey(model, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(model, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(model, 'evalMs')] = Date.now() - t0;
  };
  // The base model is evaluated in the run that trains GRPO (once per seed when the methods run as separate records).
  if (c.methods.includes('grpo')) evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  for (const m of c.methods) {
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    let trainMs = 0,
      t0 = Date.now();
    const curves = trainSigned(
      policy,
      task,
      { level: c.level, updates: c.updates, batchPrompts: c.batchPrompts, groupSize: c.groupSize, sign: SIGN[m] },
      root.split('train').split(m),
      (t) => {
        if (m === 'grpo' && t === c.earlyAt) {
          trainMs += Date.now() - t0;
          evaluate('grpo-early', policy);
          t0 = Date.now();
        }
      },
    );
    trainMs += Date.now() - t0;
    series[metricKey(m, 'reward')] = curves.reward;
    series[metricKey(m, 'kept')] = curves.kept;
    timings[metricKey(m, 'updateMs')] = trainMs / c.updates;
    evaluate(m, policy);
  }
  return { metrics, series, timings };
}
