/**
 * The reasoning trainer's RL loop and its evaluation. Every update draws B fresh problems of the training
 * split at the training level (tasks/splits.ts: no held-out problem is ever trained on), samples G
 * completions of each from the current policy (temperature 1, stop at EOS), rewards them with the task's
 * verifier, and applies the recipe (update.ts). Evaluation samples n completions of each problem of fixed
 * held-out sets and reports the unbiased pass@k of Chen et al. 2021 (rlvr/passk.ts) from the counts.
 */
import { Rng } from '../../../core/rng';
import { meanPassAtK } from '../../rlvr/passk';
import { ProblemStream } from '../tasks/splits';
import type { Problem, Task } from '../tasks/task';
import { EOS, PAD } from '../tasks/vocab';
import { ppoTokens, type Critic } from './critic';
import type { RlPolicy } from './policy';
import type { Recipe } from './recipes';
import { policyUpdate, type Rollouts, type UpdateStats } from './update';

/** Completion budget at `level`: the longest reference completion plus `slack` tokens. */
export function completionBudget(task: Task, level: number, slack = 4): number {
  return task.maxLength(level) - task.maxPromptLength(level) + slack;
}

/** N × P prompt rows, G copies of each problem's prompt in order (all prompts must have length P). */
export function promptRows(problems: readonly Problem[], G: number): { prompts: Int32Array; P: number } {
  const P = problems[0].prompt.length;
  const prompts = new Int32Array(problems.length * G * P);
  problems.forEach((p, b) => {
    if (p.prompt.length !== P)
      throw new RangeError(
        `reasoning.promptRows: prompts of one batch must have one length; got ${P} and ${p.prompt.length}`,
      );
    for (let g = 0; g < G; g++) prompts.set(p.prompt, (b * G + g) * P);
  });
  return { prompts, P };
}

/** The verifier reward of each completion row (1 correct, 0 otherwise). */
export function verifierRewards(
  task: Task,
  problems: readonly Problem[],
  G: number,
  c: { tokens: Int32Array; lengths: Int32Array; L: number },
): Float64Array {
  const out = new Float64Array(problems.length * G);
  for (let i = 0; i < out.length; i++)
    out[i] = task.verify(problems[Math.floor(i / G)], c.tokens.subarray(i * c.L, i * c.L + c.lengths[i])) ? 1 : 0;
  return out;
}

/** Samples G completions of each problem from `policy` and scores them: one `Rollouts`. */
export function sampleRollouts(
  policy: RlPolicy,
  task: Task,
  problems: readonly Problem[],
  G: number,
  L: number,
  rng: Rng,
  o: { greedy?: boolean } = {},
): Rollouts {
  const { prompts, P } = promptRows(problems, G);
  const N = problems.length * G,
    T = P + L;
  const c = policy.sample(prompts, N, P, L, rng, { eos: EOS, pad: PAD });
  const seq = new Int32Array(N * T);
  for (let i = 0; i < N; i++) {
    seq.set(prompts.subarray(i * P, (i + 1) * P), i * T);
    seq.set(c.tokens.subarray(i * L, (i + 1) * L), i * T + P);
  }
  const lengths = Int32Array.from(c.lengths, (l) => Math.max(1, l));
  const r: Rollouts = {
    B: problems.length,
    G,
    P,
    L,
    seq,
    lengths,
    oldLogp: c.logp,
    rewards: verifierRewards(task, problems, G, c),
  };
  if (o.greedy) {
    const g = promptRows(problems, 1);
    const gc = policy.sample(g.prompts, problems.length, g.P, L, rng, { eos: EOS, pad: PAD, greedy: true });
    r.greedyRewards = verifierRewards(task, problems, 1, gc);
  }
  return r;
}

/** The rows of groups `idx` of a batch (all with the same P and L). */
export function selectGroups(r: Rollouts, idx: readonly number[]): Rollouts {
  const { G, L } = r,
    T = r.P + L;
  const rows = idx.flatMap((b) => Array.from({ length: G }, (_, g) => b * G + g));
  const out: Rollouts = {
    B: idx.length,
    G,
    P: r.P,
    L,
    seq: new Int32Array(rows.length * T),
    lengths: Int32Array.from(rows, (i) => r.lengths[i]),
    oldLogp: new Float32Array(rows.length * L),
    rewards: Float64Array.from(rows, (i) => r.rewards[i]),
  };
  rows.forEach((i, j) => {
    out.seq.set(r.seq.subarray(i * T, (i + 1) * T), j * T);
    out.oldLogp.set(r.oldLogp.subarray(i * L, (i + 1) * L), j * L);
  });
  if (r.greedyRewards) out.greedyRewards = Float64Array.from(idx, (b) => r.greedyRewards![b]);
  return out;
}

/** Concatenation of batches with the same P, L and G. */
export function concatRollouts(parts: readonly Rollouts[]): Rollouts {
  if (parts.length === 1) return parts[0];
  const { G, P, L } = parts[0];
  const cat = <A extends Float32Array | Float64Array | Int32Array>(xs: A[], make: (n: number) => A): A => {
    const out = make(xs.reduce((s, x) => s + x.length, 0));
    let o = 0;
    for (const x of xs) {
      out.set(x as never, o);
      o += x.length;
    }
    return out;
  };
  const greedy = parts.every((p) => p.greedyRewards);
  return {
    B: parts.reduce((s, p) => s + p.B, 0),
    G,
    P,
    L,
    seq: cat(
      parts.map((p) => p.seq),
      (n) => new Int32Array(n),
    ),
    lengths: cat(
      parts.map((p) => p.lengths),
      (n) => new Int32Array(n),
    ),
    oldLogp: cat(
      parts.map((p) => p.oldLogp),
      (n) => new Float32Array(n),
    ),
    rewards: cat(
      parts.map((p) => p.rewards),
      (n) => new Float64Array(n),
    ),
    greedyRewards: greedy
      ? cat(
          parts.map((p) => p.greedyRewards!),
          (n) => new Float64Array(n),
        )
      : undefined,
  };
}

/** Indices of groups whose rewards are not all equal. */
function mixedGroups(r: Rollouts): number[] {
  const out: number[] = [];
  for (let b = 0; b < r.B; b++) {
    let mixed = false;
    for (let i = 1; i < r.G; i++) if (r.rewards[b * r.G + i] !== r.rewards[b * r.G]) mixed = true;
    if (mixed) out.push(b);
  }
  return out;
}

/** The RL loop's settings. */
export interface RlConfig {
  recipe: Recipe;
  /** Training level (fresh train-split problems of this level every update). */
  level: number;
  updates: number;
  /** Prompts per update (B) and completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  lr: number;
  /** Global gradient-norm clip of Adam (default 1). */
  maxGradNorm?: number;
  /**
   * Sampling lag k (default 0, on-policy): update t learns from completions sampled by the policy of update t − 1 − k
   * (the base policy while t ≤ k), as an asynchronous trainer whose rollout workers sync every k updates would;
   * the update then weights and clips with the ratio to that sampling policy (`Rollouts.offPolicy`). Needs a
   * second policy of the same shape to sample from (`trainRl`'s `behaviour`).
   */
  staleness?: number;
  /**
   * The learned value model of a recipe whose advantage is 'gae' (PPO; critic.ts): before each update it values
   * the batch's completion positions, the policy learns from the whitened GAE advantages (gae.ts), and the critic
   * then takes `recipe.epochs` passes of the clipped value loss toward the returns.
   */
  critic?: Critic;
}

/** Per-update curves. */
export interface RlCurves {
  reward: number[];
  kept: number[];
  clipFraction: number[];
  kl: number[];
  ms: number[];
  /** Per update: the k3 estimate of KL(μ ‖ π) to the sampling policy (NaN where ratios are 1). */
  klBehaviour: number[];
  /** Per update, with a critic: its value loss (first pass, before its step). */
  valueLoss?: number[];
}

/**
 * Trains `policy` for `c.updates` updates. `ref` scores the reference log-probabilities when the recipe has a
 * KL part (the frozen base model). `onUpdate` sees each update's stats. `behaviour`, a second policy of the
 * same shape, samples when `c.staleness` > 0 (it is loaded with the older parameters). Deterministic given `rng`.
 */
export function trainRl(
  policy: RlPolicy,
  task: Task,
  c: RlConfig,
  rng: Rng,
  ref: RlPolicy | null,
  onUpdate?: (t: number, s: UpdateStats) => void,
  behaviour?: RlPolicy,
): RlCurves {
  const k = c.staleness ?? 0;
  if (!(Number.isInteger(k) && k >= 0))
    throw new RangeError(`reasoning.trainRl: staleness must be a non-negative integer, got ${k}`);
  if (k > 0 && !(behaviour?.load && policy.load))
    throw new Error(
      `reasoning.trainRl: staleness ${k} samples from an older policy; pass a behaviour policy of the same shape ` +
        '(both must implement load, as LmPolicy does)',
    );
  const stream = new ProblemStream(task, 0, 'train');
  // The stream's own generator is replaced by the run's, so the problems depend on the run's seed.
  (stream as { rng: Rng }).rng = rng.split('problems');
  const L = completionBudget(task, c.level);
  const curves: RlCurves = { reward: [], kept: [], clipFraction: [], kl: [], ms: [], klBehaviour: [] };
  const greedy = c.recipe.advantage === 'remax';
  const gae = c.recipe.advantage === 'gae';
  if (gae && !(c.critic && c.recipe.critic))
    throw new Error(
      `reasoning.trainRl: the ${c.recipe.name} recipe's 'gae' advantage needs a critic (RlConfig.critic, e.g. a ` +
        "TransformerCritic) and the recipe's critic settings (Recipe.critic)",
    );
  if (gae) curves.valueLoss = [];
  // Before update t: θ_{t−1−k} … θ_{t−1} (θ_0, the start, while t ≤ k); history[0] samples.
  const history: Float32Array[] = k > 0 ? [policy.snapshot()] : [];
  for (let t = 1; t <= c.updates; t++) {
    const t0 = Date.now();
    const srng = rng.split(`sample${t}`);
    let sampler = policy;
    if (k > 0 && behaviour) {
      behaviour.load!(history[0]);
      sampler = behaviour;
    }
    let batch = sampleRollouts(sampler, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, srng, {
      greedy,
    });
    const meanReward = batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length;
    if (c.recipe.dynamicSampling) {
      const parts = [selectGroups(batch, mixedGroups(batch))];
      let have = parts[0].B;
      for (let round = 1; round < c.recipe.dynamicSampling.maxRounds && have < c.batchPrompts; round++) {
        const more = sampleRollouts(sampler, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, srng, {
          greedy,
        });
        const sel = selectGroups(more, mixedGroups(more).slice(0, c.batchPrompts - have));
        parts.push(sel);
        have += sel.B;
      }
      if (have === 0) {
        curves.reward.push(meanReward);
        curves.kept.push(0);
        curves.clipFraction.push(0);
        curves.kl.push(NaN);
        curves.ms.push(Date.now() - t0);
        curves.klBehaviour.push(NaN);
        curves.valueLoss?.push(NaN);
        if (k > 0) pushHistory(history, policy, k);
        continue;
      }
      batch = concatRollouts(parts.filter((p) => p.B > 0));
    }
    let refLogp: Float32Array | null = null;
    if (c.recipe.kl.kind !== 'none') {
      if (!ref)
        throw new Error(`reasoning.trainRl: the ${c.recipe.name} recipe has a KL part; pass the reference policy`);
      refLogp = Float32Array.from(ref.score(batch.seq, batch.B * batch.G, batch.P + batch.L, batch.P).logp);
    }
    if (k > 0) batch.offPolicy = true;
    const ppo = gae ? ppoTokens(c.critic!, c.recipe.critic!, c.recipe.kl, batch, refLogp) : null;
    const s = policyUpdate(
      policy,
      c.recipe,
      batch,
      refLogp,
      c.recipe.tokenControl?.kind === 'clip-cov' ? rng.split(`control${t}`) : undefined,
      ppo?.adv,
    );
    if (ppo) {
      const N = batch.B * batch.G,
        T = batch.P + batch.L;
      let first = NaN;
      for (let pass = 0; pass < c.recipe.epochs; pass++) {
        const l = c.critic!.update(
          batch.seq,
          N,
          T,
          batch.P,
          ppo.returns,
          ppo.values,
          ppo.mask,
          c.recipe.critic!.valueClip,
        );
        if (pass === 0) first = l;
      }
      curves.valueLoss!.push(first);
    }
    onUpdate?.(t, s);
    curves.reward.push(meanReward);
    curves.kept.push(s.kept);
    curves.clipFraction.push(s.clipFraction);
    curves.kl.push(s.kl);
    curves.ms.push(Date.now() - t0);
    curves.klBehaviour.push(s.klBehaviour);
    if (k > 0) pushHistory(history, policy, k);
  }
  return curves;
}

/** Appends the policy's parameters after an update, keeping the last k + 1. */
function pushHistory(history: Float32Array[], policy: RlPolicy, k: number): void {
  history.push(policy.snapshot());
  while (history.length > k + 1) history.shift();
}

/** Per-problem correct counts of n samples each (temperature 1). */
export function evaluateCounts(
  policy: RlPolicy,
  task: Task,
  problems: readonly Problem[],
  n: number,
  rng: Rng,
  chunkRows = 1024,
): Int32Array {
  const L = completionBudget(task, problems[0].level);
  const counts = new Int32Array(problems.length);
  const per = Math.max(1, Math.floor(chunkRows / n));
  for (let s = 0; s < problems.length; s += per) {
    const chunk = problems.slice(s, s + per);
    const r = sampleRollouts(policy, task, chunk, n, L, rng.split(`eval${s}`));
    for (let i = 0; i < r.rewards.length; i++) counts[s + Math.floor(i / n)] += r.rewards[i];
  }
  return counts;
}

/** Mean unbiased pass@k over problems from per-problem counts of n samples. */
export function passAtKFromCounts(counts: ArrayLike<number>, n: number, k: number): number {
  return meanPassAtK(
    Array.from(counts, () => n),
    counts,
    k,
  );
}
