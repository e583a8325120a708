/**
 * "R^3: Replay, Reflection, and Ranking Rewards for LLM Reinforcement Learning" (Jiang, Zhao, Xu et al. 2026) on the
 * reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE, pre-trained mostly on 1-2
 * digit scratchpad addition) trained with the 0/1 verifier reward on a harder level (3-digit addition, where most
 * groups of sampled answers are all wrong and GRPO's group advantage collapses to zero).
 *
 * Replay needs queries that recur, so training draws its prompts from a fixed POOL of `poolSize` distinct
 * training-split problems (each rollout step takes B of them at random without replacement); the held-out evaluation
 * uses held-out-split problems no run trains on. Every method samples the same budget: `rollouts` steps × B prompts ×
 * G answers, and updates on every step's B groups (split into `miniBatches` mini-batches, one Adam step each, as the
 * kit's COPO experiment does). The methods (the paper's ablation axis, reflection left out: it needs an LLM's
 * in-context ability):
 *   GRPO           the recipe of the kit (std-normalised group advantage, PPO clip 0.2, per-sequence token mean).
 *   GRPO + replay  cross-context replay (CCR): a history buffer keeps, per pool prompt, its latest correct and latest
 *                  wrong sampled answer (tokens, their log-probabilities under the policy that sampled them, and the
 *                  sampler's token entropies). A group whose G fresh rewards all agree (advantage collapse) gets its
 *                  last answer replaced by the stored answer of the other outcome for that prompt, when there is one:
 *                  the replayed answer keeps its own sampling log-probabilities, so the update's per-token ratio
 *                  π_θ/μ_old to the policy that produced it is the importance correction (clipped as PPO's ratio).
 *   GRPO + ranking the structural-entropy ranking reward (RR): within a group, the failed (wrong or truncated)
 *                  answers are ranked by their token-entropy profile s_i = max_t H_it − mean_t H_it (a local
 *                  high-entropy fork = exploration, a low mean = global stability) and given rewards
 *                  δ·(rank_i − 1)/(n_fail − 1) ∈ [0, δ] below a correct answer's 1 (`rankingRewards`).
 *   R3 (no ISR)    replay and ranking together.
 * The paper's exact replay rule, importance weight and ranking formula could not be read (see the notebook); these
 * are reconstructions from its abstract and the readable summary, listed as deviations.
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import type { Rng } from '../../core/rng';
import { ADDITION_BASE } from '../../testbeds/reasoning/base-model';
import { distinctProblems } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { advantages } from '../../testbeds/reasoning/trainer/advantage';
import { completionBudget, sampleRollouts } from '../../testbeds/reasoning/trainer/loop';
import {
  EntropyTap,
  checkMethodNames,
  mean,
  meanReward,
  miniBatchSteps,
  seedRun,
  type PaperConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { truncatedResponses, type Rollouts } from '../../testbeds/reasoning/trainer/update';

export { EntropyTap as SampleTap, levelTag, chunks as splitChunks } from '../../testbeds/reasoning/trainer/pipeline';

/** One compared method: which of R^3's parts it uses (GRPO's recipe otherwise). */
export interface MethodSpec {
  replay: boolean;
  ranking: boolean;
}

/** GRPO as the kit's COPO and RiskPO experiments run it (no KL). */
export const GRPO_RECIPE: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/** The compared methods by record-key name. */
export const METHODS: Record<string, MethodSpec> = {
  GRPO: { replay: false, ranking: false },
  'GRPO-replay': { replay: true, ranking: false },
  'GRPO-rank': { replay: false, ranking: true },
  R3: { replay: true, ranking: true },
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config extends PaperConfig {
  /** Distinct training-split problems the prompts are drawn from (they recur, so replay can find their history). */
  poolSize: number;
  /** Prompts per rollout step, and groups per update (B ≤ poolSize); each step samples B × G (the budget). */
  batchPrompts: number;
  /** The ranking reward's top value δ for failed answers (a correct answer gets 1; 0 < δ < 1). */
  rankTop: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  poolSize: 256,
  rollouts: 70,
  batchPrompts: 16,
  groupSize: 8,
  miniBatches: 4,
  lr: 1e-4,
  rankTop: 0.2,
  evalProblems: 128,
  evalSamples: 16,
  passKs: [1, 4, 16],
};

/**
 * The structural-entropy score of one answer from its per-token sampling entropies (nats):
 * s = max_t H_t − mean_t H_t (a local fork explored, on an otherwise stable, low-entropy path). 0 for an empty answer.
 */
export function entropyProfileScore(h: ArrayLike<number>, len: number): number {
  if (len <= 0) return 0;
  let mx = -Infinity,
    s = 0;
  for (let t = 0; t < len; t++) {
    mx = Math.max(mx, h[t]);
    s += h[t];
  }
  return mx - s / len;
}

/**
 * The ranking reward (R^3's RR, reconstructed): within each group, the failed answers (reward 0: wrong or truncated)
 * are ranked by `score` ascending (ties share their mean rank) and rewarded δ·(rank − 1)/(n_fail − 1) ∈ [0, δ]; correct
 * answers keep 1; a group with one failed answer gives it 0. Returns new rewards (B·G); δ must lie in (0, 1).
 */
export function rankingRewards(
  rewards: ArrayLike<number>,
  score: ArrayLike<number>,
  B: number,
  G: number,
  top: number,
): Float64Array {
  if (!(top > 0 && top < 1)) throw new RangeError(`r-3: the ranking reward's top value must lie in (0, 1), got ${top}`);
  const out = Float64Array.from(rewards);
  for (let b = 0; b < B; b++) {
    const fail: number[] = [];
    for (let g = 0; g < G; g++) if (rewards[b * G + g] === 0) fail.push(b * G + g);
    if (fail.length < 2) continue;
    const sorted = [...fail].sort((i, j) => score[i] - score[j]);
    for (let a = 0; a < sorted.length;) {
      let e = a;
      while (e + 1 < sorted.length && score[sorted[e + 1]] === score[sorted[a]]) e++;
      const rank = (a + e) / 2; // 0-based mean rank of the tie block
      for (let q = a; q <= e; q++) out[sorted[q]] = (top * rank) / (fail.length - 1);
      a = e + 1;
    }
  }
  return out;
}

/** One stored answer of a prompt: its completion tokens, length and the sampler's log-probabilities and entropies. */
export interface StoredAnswer {
  tokens: Int32Array;
  length: number;
  logp: Float32Array;
  entropy: Float32Array;
  /** The rollout step it was sampled at. */
  step: number;
}

/** The history buffer of cross-context replay: per pool prompt, its latest correct and latest failed answer. */
export class ReplayBuffer {
  readonly correct = new Map<number, StoredAnswer>();
  readonly failed = new Map<number, StoredAnswer>();

  /** Stores the fresh answers of a batch (`ids[b]` the pool index of group b; `entropy` B·G × L). */
  store(r: Rollouts, ids: readonly number[], entropy: Float32Array, step: number): void {
    const T = r.P + r.L;
    for (let b = 0; b < r.B; b++)
      for (let g = 0; g < r.G; g++) {
        const i = b * r.G + g;
        const a: StoredAnswer = {
          tokens: r.seq.slice(i * T + r.P, (i + 1) * T),
          length: r.lengths[i],
          logp: r.oldLogp.slice(i * r.L, (i + 1) * r.L),
          entropy: entropy.slice(i * r.L, (i + 1) * r.L),
          step,
        };
        (r.rewards[i] === 1 ? this.correct : this.failed).set(ids[b], a);
      }
  }
}

/**
 * Cross-context replay on a fresh batch (in place): every group whose rewards all agree gets its last answer replaced
 * by the buffer's stored answer of the other outcome for the same prompt (a correct one into an all-wrong group, a
 * failed one into an all-correct group), with that answer's own sampling log-probabilities (the importance ratio's
 * denominator) and entropies. Returns the groups replayed into, and how many collapsed groups had nothing to replay.
 */
export function replayInto(
  r: Rollouts,
  entropy: Float32Array,
  ids: readonly number[],
  buf: ReplayBuffer,
): { replayed: number[]; missed: number } {
  const T = r.P + r.L;
  const replayed: number[] = [];
  let missed = 0;
  for (let b = 0; b < r.B; b++) {
    let s = 0;
    for (let g = 0; g < r.G; g++) s += r.rewards[b * r.G + g];
    if (s !== 0 && s !== r.G) continue;
    const a = (s === 0 ? buf.correct : buf.failed).get(ids[b]);
    if (!a) {
      missed++;
      continue;
    }
    const i = b * r.G + r.G - 1;
    r.seq.set(a.tokens, i * T + r.P);
    r.lengths[i] = a.length;
    r.oldLogp.set(a.logp, i * r.L);
    entropy.set(a.entropy, i * r.L);
    r.rewards[i] = s === 0 ? 1 : 0;
    replayed.push(b);
  }
  return { replayed, missed };
}

/** Fraction of groups whose GRPO advantages are all exactly zero (no learning signal). */
export function zeroAdvantageShare(rewards: Float64Array, B: number, G: number): number {
  const adv = advantages('grpo', rewards, B, G);
  let z = 0;
  for (let b = 0; b < B; b++) {
    let all = true;
    for (let g = 0; g < G; g++) if (adv[b * G + g] !== 0) all = false;
    if (all) z++;
  }
  return z / B;
}

/** Per rollout step. */
export interface StepCurves {
  /** Mean verifier reward of the step's fresh answers (sampled by the current policy). */
  reward: number[];
  /** Fraction of the fresh draw's groups whose rewards all agree (before replay or ranking). */
  collapsed: number[];
  /** Fraction of the update batch's groups whose advantages are all zero (after the method's replay and ranking). */
  zeroAdv: number[];
  /** Fraction of groups that got a replayed answer. */
  replayed: number[];
  /** Mean generated tokens per fresh answer, and the fraction truncated (out of budget without the stop token). */
  tokens: number[];
  truncated: number[];
  /** Mean sampling entropy per generated token of the fresh draw (nats). */
  entropy: number[];
  /** Fraction of trained tokens whose gradient the clip cut, over the step's mini-batches. */
  clipFraction: number[];
}

/** Trains `policy` by `spec` on `c.rollouts` draws of B pool prompts (see the module comment). */
export function trainR3(
  policy: RlPolicy,
  task: Task,
  pool: readonly Problem[],
  spec: MethodSpec,
  c: Config,
  rng: Rng,
): StepCurves {
  if (c.batchPrompts > pool.length)
    throw new RangeError(`r-3: batchPrompts (${c.batchPrompts}) exceeds the pool's ${pool.length} prompts`);
  const L = completionBudget(task, c.level);
  const tap = new EntropyTap(policy);
  const buf = new ReplayBuffer();
  const prng = rng.split('pool');
  const curves: StepCurves = {
    reward: [],
    collapsed: [],
    zeroAdv: [],
    replayed: [],
    tokens: [],
    truncated: [],
    entropy: [],
    clipFraction: [],
  };
  for (let t = 1; t <= c.rollouts; t++) {
    const ids = prng
      .split(t)
      .shuffle(Array.from({ length: pool.length }, (_, i) => i))
      .slice(0, c.batchPrompts);
    tap.reset();
    const batch = sampleRollouts(
      tap,
      task,
      ids.map((i) => pool[i]),
      c.groupSize,
      L,
      rng.split(`s${t}`),
    );
    const entropy = Float32Array.from(tap.last!.entropy!);
    const N = batch.B * batch.G;
    curves.reward.push(meanReward(batch));
    curves.tokens.push(tap.tokens / tap.rows);
    curves.entropy.push(tap.sum / Math.max(1, tap.tokens));
    curves.truncated.push(truncatedResponses(batch).reduce((a, b) => a + b, 0) / N);
    curves.collapsed.push(zeroAdvantageShare(batch.rewards, batch.B, batch.G));
    // The fresh answers enter the history after the lookup (a group never replays its own step's answers).
    const fresh = spec.replay ? { seq: batch.seq.slice(), lp: batch.oldLogp.slice() } : null;
    const freshRewards = batch.rewards.slice();
    const freshLengths = batch.lengths.slice();
    let nReplayed = 0;
    if (spec.replay) nReplayed = replayInto(batch, entropy, ids, buf).replayed.length;
    curves.replayed.push(nReplayed / batch.B);
    if (fresh)
      buf.store(
        { ...batch, seq: fresh.seq, oldLogp: fresh.lp, rewards: freshRewards, lengths: freshLengths },
        ids,
        Float32Array.from(tap.last!.entropy!),
        t,
      );
    if (spec.ranking) {
      const score = Float64Array.from({ length: N }, (_, i) =>
        entropyProfileScore(entropy.subarray(i * L, (i + 1) * L), batch.lengths[i]),
      );
      batch.rewards = rankingRewards(batch.rewards, score, batch.B, batch.G, c.rankTop);
    }
    curves.zeroAdv.push(zeroAdvantageShare(batch.rewards, batch.B, batch.G));
    // Ratios to the sampling policy (exactly 1 for fresh answers on the first mini-batch; a replayed answer's ratio is
    // to the older policy that sampled it); a non-finite clip fraction counts as 0.
    const update = miniBatchSteps(policy, GRPO_RECIPE, batch, c.miniBatches, rng.split(`order${t}`), {
      clipCount: 'finite',
    });
    curves.clipFraction.push(update.clipFraction);
  }
  return curves;
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each), `m/evalTokens`
 * (mean generated tokens per held-out answer), `m/evalTruncated`, `m/evalEntropy`, and for the trained methods
 * `m/meanReward` (mean over steps of the fresh answers' reward), `m/lateReward` (last quarter), `m/collapsed` and
 * `m/collapsedEarly` (fresh groups whose rewards agree), `m/zeroAdv` and `m/zeroAdvEarly` (update groups without any
 * advantage), `m/replayed`, `m/trainTokens`, `m/clippedFraction`. Series of every per-step curve.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('r-3', c.methods, METHODS);
  if (!(Number.isInteger(c.rollouts) && c.rollouts >= 1))
    throw new RangeError(`r-3: rollouts must be a positive integer, got ${c.rollouts}`);
  if (!(c.rankTop > 0 && c.rankTop < 1)) throw new RangeError(`r-3: rankTop must lie in (0, 1), got ${c.rankTop}`);
  const run = seedRun(c, seed, 'r-3', {
    after: (name, tap) => {
      run.metrics[metricKey(name, 'evalTokens')] = tap.tokens / tap.rows;
      run.metrics[metricKey(name, 'evalEntropy')] = tap.sum / tap.tokens;
    },
  });
  const { metrics, series, timings } = run;
  const pool = distinctProblems(run.task, seed, c.level, 'train', c.poolSize);
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  const early = Math.max(1, Math.floor(c.rollouts / 4));
  const late = Math.floor((3 * c.rollouts) / 4);
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainR3(policy, run.task, pool, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    for (const [k, v] of Object.entries(cv)) series[key(k)] = v as number[];
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('collapsed')] = mean(cv.collapsed);
    metrics[key('collapsedEarly')] = mean(cv.collapsed.slice(0, early));
    metrics[key('zeroAdv')] = mean(cv.zeroAdv);
    metrics[key('zeroAdvEarly')] = mean(cv.zeroAdv.slice(0, early));
    metrics[key('replayed')] = mean(cv.replayed);
    metrics[key('trainTokens')] = mean(cv.tokens);
    metrics[key('trainTruncated')] = mean(cv.truncated);
    metrics[key('clippedFraction')] = mean(cv.clipFraction);
    run.evaluate(name, policy);
  }
  return run.result();
}
