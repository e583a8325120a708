/**
 * The training pipeline and held-out evaluation scaffolding shared by the reasoning papers that train the testbed's
 * tiny transformer on fresh problems with mini-batch Adam steps per rollout step (NFT, COPO, RiskPO, CANON, OREAL,
 * ADORA, R^3). Each part is what those papers did identically; where they differ, a hook or an option says how.
 *   rollout step    `trainPipeline`: DAPO's dynamic sampling (Yu et al. 2025, Algorithm 1: keep the groups with
 *                   0 < r̂_q < 1, draw B fresh prompts again until B such groups are kept, here at most `maxRounds`
 *                   draws), then `miniBatchSteps`;
 *   gradient steps  `miniBatchSteps`: the kept groups shuffled and split into `miniBatches` mini-batches, one Adam step
 *                   each (DAPO's and verl's PPO mini-batches), every mini-batch after the first off-policy (ratios to
 *                   the sampling policy, exactly 1 on the first);
 *   evaluation      `seedRun`: copies of the base model, the held-out problems of a seed, unbiased pass@k from the
 *                   correct counts of `evalSamples` samples each, with the sampling entropy (`EntropyTap`).
 * Not exported from the trainer's index (adding it there would re-key every paper that imports the index): import
 * this file directly.
 */
import { metricKey } from '../../../core/metric-keys';
import type { RunResult } from '../../../core/records';
import { Rng } from '../../../core/rng';
import { TransformerLm } from '../../../nn/transformer-lm';
import { transformerLmCopy, type AnyTransformerLm } from '../../../nn/thread-engine';
import { reasoningBase, type ReasoningBaseSpec } from '../base-model';
import { getTask } from '../tasks/registry';
import { distinctProblems, ProblemStream } from '../tasks/splits';
import type { Problem, Task } from '../tasks/task';
import { completionBudget, concatRollouts, evaluateCounts, passAtKFromCounts, selectGroups } from './loop';
import { LmPolicy, type Completions, type RlPolicy, type Scored } from './policy';
import type { Recipe } from './recipes';
import { policyUpdate, type Rollouts } from './update';

/**
 * A policy that passes everything to `inner` and sums the sampler's per-token entropy over generated tokens (and
 * counts the rows, keeps the last completions).
 */
export class EntropyTap implements RlPolicy {
  /** Σ of the per-token sampling entropies (nats) over generated tokens since the last reset. */
  sum = 0;
  /** Generated tokens since the last reset. */
  tokens = 0;
  /** Sampled rows since the last reset. */
  rows = 0;
  /** The last sampled completions. */
  last: Completions | null = null;
  constructor(readonly inner: RlPolicy) {}
  reset(): void {
    this.sum = 0;
    this.tokens = 0;
    this.rows = 0;
  }
  /** Mean predictive entropy (nats) per generated token since the last reset (NaN when none). */
  mean(): number {
    return this.tokens ? this.sum / this.tokens : NaN;
  }
  sample(...a: Parameters<RlPolicy['sample']>): Completions {
    const c = this.inner.sample(...a);
    if (!c.entropy) throw new Error('EntropyTap: the policy reports no sampling entropies');
    this.last = c;
    for (let n = 0; n < c.N; n++)
      for (let t = 0; t < c.lengths[n]; t++) {
        this.sum += c.entropy[n * c.L + t];
        this.tokens++;
      }
    this.rows += c.N;
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

/** Indices of the groups of a batch whose rewards are not all equal (DAPO's 0 < r̂_q < 1 for 0/1 rewards). */
export function mixedGroups(r: { B: number; G: number; rewards: ArrayLike<number> }): number[] {
  const out: number[] = [];
  for (let b = 0; b < r.B; b++) {
    let mixed = false;
    for (let g = 1; g < r.G; g++) if (r.rewards[b * r.G + g] !== r.rewards[b * r.G]) mixed = true;
    if (mixed) out.push(b);
  }
  return out;
}

/** `xs` split into min(m, |xs|) consecutive chunks whose sizes differ by at most one (no empty chunk; one if empty). */
export function chunks<T>(xs: readonly T[], m: number): T[][] {
  const k = Math.max(1, Math.min(m, xs.length));
  const out: T[][] = [];
  let from = 0;
  for (let c = 0; c < k; c++) {
    const size = Math.floor(xs.length / k) + (c < xs.length % k ? 1 : 0);
    out.push(xs.slice(from, from + size));
    from += size;
  }
  return out;
}

/** The stream of fresh training-split problems of a run: its generator is the run's `rng.split('problems')`. */
export function trainingStream(task: Task, rng: Rng): ProblemStream<Problem> {
  const stream = new ProblemStream(task, 0, 'train');
  // The stream's generator is replaced by the run's (as trainRl does), so the problems depend on the seed.
  (stream as { rng: Rng }).rng = rng.split('problems');
  return stream;
}

/** Mean reward of a batch's responses. */
export function meanReward(r: { rewards: Float64Array }): number {
  return r.rewards.reduce((a, b) => a + b, 0) / r.rewards.length;
}

/** How `miniBatchSteps` forms and steps its mini-batches; every field is optional. */
export interface MiniBatchOptions<R extends Rollouts> {
  /** The mini-batch of some groups of the batch (default `selectGroups`). */
  select?: (batch: R, groups: number[]) => R;
  /** Groups per shuffled unit: units of this many consecutive groups are shuffled and split (RiskPO's bundles; 1). */
  unit?: number;
  /** Called on each mini-batch before its step (COPO: the update batch's per-group statistics). */
  prepare?: (mb: R, groups: number[]) => void;
  /** The reference log-probabilities of a mini-batch for a KL part (OREAL; default none). */
  ref?: (mb: R, groups: number[]) => Float32Array | null;
  /**
   * How a mini-batch's clip fraction enters the token-weighted mean: 'all' (default) every mini-batch's tokens;
   * 'kept' only mini-batches whose update kept a response; 'finite' every mini-batch, a non-finite fraction as 0.
   */
  clipCount?: 'all' | 'kept' | 'finite';
}

/**
 * One rollout step's gradient steps (DAPO, Yu et al. 2025, Algorithm 1, its inner loop over mini-batches): the groups
 * of `batch` (or units of `unit` groups) shuffled by `rng` and split by `chunks` into `miniBatches` mini-batches, one
 * `policyUpdate` (one Adam step) on each in turn. Every mini-batch is marked off-policy: the likelihood ratios are to
 * the policy that sampled the batch, exactly 1 on the first mini-batch, so the clips act from the second on. Returns
 * the token-weighted fraction of clipped tokens over the mini-batches (NaN when none) and the steps taken.
 */
export function miniBatchSteps<R extends Rollouts>(
  policy: RlPolicy,
  recipe: Recipe,
  batch: R,
  miniBatches: number,
  rng: Rng,
  o: MiniBatchOptions<R> = {},
): { clipFraction: number; steps: number } {
  const K = o.unit ?? 1;
  // The defaults are for plain Rollouts: a subtype with per-response fields passes its own `select`.
  const select = o.select ?? (selectGroups as unknown as (b: R, groups: number[]) => R);
  const units = rng.shuffle(Array.from({ length: batch.B / K }, (_, u) => u));
  let clipped = 0,
    tokens = 0,
    steps = 0;
  for (const part of chunks(units, miniBatches)) {
    const groups = K === 1 ? part : part.flatMap((u) => Array.from({ length: K }, (_, k) => u * K + k));
    const mb = select(batch, groups);
    // Sampled by the policy before this rollout step's first Adam step: ratios to it (exactly 1 on the first).
    mb.offPolicy = true;
    o.prepare?.(mb, groups);
    const s = policyUpdate(policy, recipe, mb, o.ref ? o.ref(mb, groups) : null);
    steps++;
    if (o.clipCount === 'kept' && s.kept === 0) continue;
    let n = 0;
    for (let i = 0; i < mb.B * mb.G; i++) n += mb.lengths[i];
    clipped += (o.clipCount === 'finite' && !Number.isFinite(s.clipFraction) ? 0 : s.clipFraction) * n;
    tokens += n;
  }
  return { clipFraction: tokens ? clipped / tokens : NaN, steps };
}

/** The sizes every paper's training loop has. */
export interface LoopConfig {
  /** Training level; the held-out problems are at this level too. */
  level: number;
  /** Rollout steps per method. */
  rollouts: number;
  /** Prompts per rollout step (B). */
  batchPrompts: number;
  /** Answers per prompt (G). */
  groupSize: number;
  /** Mini-batches (Adam steps) per rollout step. */
  miniBatches: number;
}

/** The sizes of a `trainPipeline` run (B: also the kept groups wanted per rollout step). */
export interface PipelineConfig extends LoopConfig {
  /** Sampling rounds per rollout step at most (dynamic sampling). */
  maxRounds: number;
}

/** Per rollout step of `trainPipeline`. */
export interface PipelineCurves {
  /** Mean reward of the first draw of B fresh training problems (sampled by the current policy). */
  reward: number[];
  /** Groups with mixed rewards kept for the gradient steps. */
  kept: number[];
  /** Prompts sampled (all draws). */
  sampled: number[];
  /** Fraction of kept tokens whose clip bound (over the mini-batches; NaN when no group was kept). */
  clipFraction: number[];
}

/** Where the papers on `trainPipeline` differ: how a draw is sampled, and what travels with its groups. */
export interface PipelineHooks<R extends Rollouts> {
  /** G answers to each problem within budget L, drawn from `rng` (round 0: the rollout step's first draw). */
  draw: (problems: Problem[], L: number, rng: Rng, round: number) => R;
  /** Called with each rollout step's first draw, before any further draw (the paper's per-step curves). */
  firstDraw?: (first: R) => void;
  /** Some groups of a batch (default `selectGroups`). */
  select?: (r: R, groups: number[]) => R;
  /** Batches joined (default `concatRollouts`). */
  concat?: (parts: R[]) => R;
}

/**
 * DAPO-style training (Yu et al. 2025, Algorithm 1), deterministic given `rng`. Per rollout step t: sample G answers
 * to each of B fresh training problems (`draw`, from `rng.split('sample' + t)`), keep its groups with mixed rewards,
 * and draw B fresh problems again (the same generator) until B such groups are kept or `maxRounds` draws were made
 * (extras of the last draw dropped); then `miniBatchSteps` on the kept groups (order from `rng.split('order' + t)`).
 * A rollout step that keeps no group takes no step.
 */
export function trainPipeline<R extends Rollouts>(
  policy: RlPolicy,
  task: Task,
  recipe: Recipe,
  c: PipelineConfig,
  rng: Rng,
  hooks: PipelineHooks<R>,
): PipelineCurves {
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  // The defaults are for plain Rollouts: a subtype with per-response fields passes its own `select` and `concat`.
  const select = hooks.select ?? (selectGroups as unknown as (r: R, groups: number[]) => R);
  const concat = hooks.concat ?? (concatRollouts as unknown as (parts: R[]) => R);
  const curves: PipelineCurves = { reward: [], kept: [], sampled: [], clipFraction: [] };
  for (let t = 1; t <= c.rollouts; t++) {
    const srng = rng.split(`sample${t}`);
    const first = hooks.draw(stream.batch(c.level, c.batchPrompts), L, srng, 0);
    curves.reward.push(meanReward(first));
    hooks.firstDraw?.(first);
    const parts = [select(first, mixedGroups(first))];
    let have = parts[0].B,
      sampled = c.batchPrompts;
    for (let round = 1; round < c.maxRounds && have < c.batchPrompts; round++) {
      const more = hooks.draw(stream.batch(c.level, c.batchPrompts), L, srng, round);
      sampled += c.batchPrompts;
      const sel = select(more, mixedGroups(more).slice(0, c.batchPrompts - have));
      parts.push(sel);
      have += sel.B;
    }
    curves.kept.push(have);
    curves.sampled.push(sampled);
    if (have === 0) {
      curves.clipFraction.push(NaN);
      continue;
    }
    const batch = concat(parts.filter((p) => p.B > 0));
    const steps = miniBatchSteps(policy, recipe, batch, c.miniBatches, rng.split(`order${t}`), { select });
    curves.clipFraction.push(steps.clipFraction);
  }
  return curves;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean of the finite entries (NaN when none). */
export function finiteMean(xs: readonly number[]): number {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? mean(f) : NaN;
}

/** Throws a RangeError naming `paper` when a name is not a key of `known`. */
export function checkMethodNames(paper: string, names: readonly string[], known: Record<string, unknown>): void {
  for (const name of names)
    if (!known[name])
      throw new RangeError(`${paper}: unknown method "${name}"; known: ${Object.keys(known).join(', ')}`);
}

/** A record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** What `seedRun` reads from a paper's config. */
export interface HeldoutConfig {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Level of the held-out problems. */
  level: number;
  /** Distinct held-out-split problems (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

/** The fields of one seed's run that the papers on this pipeline share (each paper adds its own). */
export interface PaperConfig extends LoopConfig, HeldoutConfig {
  /** Record-key names of the paper's methods to train. */
  methods: string[];
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
}

/** Extras of `SeedRun.evaluate`, in the order they are written. */
export interface HeldoutHooks {
  /** Before any metric or series of the evaluation (RiskPO: its hard bucket from the base model's counts). */
  counts?: (name: string, counts: Int32Array) => void;
  /** After each `name/L<l>:pass@k`. */
  passK?: (name: string, k: number, counts: Int32Array) => void;
  /** Write `name/evalEntropy` (mean sampling entropy per generated token) after the pass@k metrics. */
  entropy?: boolean;
  /** After those, with the evaluation's tap (its entropies, tokens and rows). */
  after?: (name: string, tap: EntropyTap) => void;
}

/** One seed's scaffolding: the base model, its copies, the held-out problems and the record being written. */
export interface SeedRun {
  task: Task;
  base: TransformerLm;
  /** `new Rng(seed).split(label)`: the parent of every stream of the seed. */
  root: Rng;
  /** `L<level>`. */
  tag: string;
  heldout: Problem[];
  metrics: Record<string, number>;
  series: Record<string, number[]>;
  timings: Record<string, number>;
  /** A fresh copy of the base model, on the engine of the task's thread (`nn/thread-engine`). */
  copy(): AnyTransformerLm;
  /** A trainable policy on a fresh copy (Adam at `lr`, global-norm clip 1). */
  policy(lr: number): LmPolicy<ReturnType<AnyTransformerLm['forward']>>;
  /**
   * The held-out evaluation of `policy` as method `name`: `evalSamples` samples of each held-out problem from
   * `root.split('eval')` (the same stream for every method: common random numbers across the paired comparison),
   * series `name/L<l>:counts`, metrics `name/L<l>:pass@k` (unbiased, from the counts), timing `name/evalMs`.
   */
  evaluate(name: string, policy: RlPolicy): void;
  /** The record. */
  result(): RunResult;
}

/** The scaffolding of one seed (see `SeedRun`); `label` names the seed's root stream. */
export function seedRun(c: HeldoutConfig, seed: number, label: string, hooks: HeldoutHooks = {}): SeedRun {
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split(label);
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('reasoning.seedRun', base, new Rng(0));
  const evaluate = (name: string, policy: RlPolicy) => {
    const t0 = Date.now();
    const tap = new EntropyTap(policy);
    const counts = evaluateCounts(tap, task, heldout, c.evalSamples, root.split('eval'));
    hooks.counts?.(name, counts);
    series[metricKey(name, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs) {
      metrics[metricKey(name, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
      hooks.passK?.(name, k, counts);
    }
    if (hooks.entropy) metrics[metricKey(name, 'evalEntropy')] = tap.mean();
    hooks.after?.(name, tap);
    timings[metricKey(name, 'evalMs')] = Date.now() - t0;
  };
  return {
    task,
    base,
    root,
    tag,
    heldout,
    metrics,
    series,
    timings,
    copy,
    policy: (lr) => new LmPolicy(copy(), { lr, maxGradNorm: 1 }),
    evaluate,
    result: () => ({ metrics, series, timings }),
  };
}
