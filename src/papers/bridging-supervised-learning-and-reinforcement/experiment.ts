/**
 * "Bridging Supervised Learning and Reinforcement Learning in Math Reasoning" (Chen et al. 2025, NFT) on the reasoning
 * testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on 3-digit scratchpad
 * addition with fresh training-split problems, by NFT (trainer/objectives/nft.ts) and the paper's baselines, all on
 * the paper's pipeline (the official code runs NFT, RFT and DAPO on the DAPO code base, train_7B.sh):
 *   rollout step   sample G answers to each of B fresh prompts (temperature 1); keep the groups with mixed rewards
 *                  and draw B fresh prompts again until B such groups are kept (at most `maxRounds` draws: DAPO's
 *                  dynamic sampling, Algorithm 1's 0 < r̂_q < 1);
 *   gradient steps split the kept groups at random into `miniBatches` mini-batches and take one Adam step on each in
 *                  turn (the paper: 512 prompts in 16 mini-batches of 32, one epoch), so every mini-batch after the
 *                  first is off-policy: the likelihood ratios to the sampling policy, and the clips, act.
 * Methods (record-key names), one recipe each, everything else shared:
 *   NFT      ε = 1, ω = 1 − r̂_q, λ = 1, token-mean            (the paper's NFT)
 *   NFT-w1   as NFT with ω = 1                                 (negatives without the prompt weighting)
 *   RFT      λ = 0, ω = 1, token-mean                          (the paper's RFT: NFT with the negative loss zeroed)
 *   GRPO     A = (r − r̄)/std, PPO clip 0.2, sequence-mean, no KL  (testbed recipe grpo without its KL)
 *   DAPO     A = (r − r̄)/std, clip-higher 0.2/0.28, token-mean  (testbed recipe dapo; neg_weight −1 in the code)
 * All methods of a seed start from the same base model, see the same first draws of training problems and the same
 * random streams, and are evaluated on the same held-out problems with the same sampling streams (paired by seed).
 * `equivalenceSeed` is the strict on-policy identity (Prop. 4.1–4.2) on one sampled batch of the base model.
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Rng } from '../../core/rng';
import { TransformerLm } from '../../nn/transformer-lm';
import { ADDITION_BASE, reasoningBase } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import type { Task } from '../../testbeds/reasoning/tasks/task';
import { completionBudget, concatRollouts, sampleRollouts, selectGroups } from '../../testbeds/reasoning/trainer/loop';
import { NFT_RECIPES } from '../../testbeds/reasoning/trainer/objectives/nft';
import {
  EntropyTap,
  checkMethodNames,
  chunks,
  finiteMean,
  mean,
  mixedGroups,
  seedRun,
  trainPipeline as dapoPipeline,
  trainingStream,
  type PipelineCurves as DapoCurves,
  type PaperConfig,
  type PipelineConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type RlPolicy, type Scored } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../testbeds/reasoning/trainer/update';

export { chunks, EntropyTap, levelTag, mixedGroups } from '../../testbeds/reasoning/trainer/pipeline';

/** The compared methods by record-key name. */
export const METHODS: Record<string, Recipe> = {
  NFT: NFT_RECIPES.nft,
  'NFT-w1': NFT_RECIPES['nft-uniform'],
  RFT: NFT_RECIPES['rft-nft'],
  GRPO: { ...RECIPES.grpo, kl: { kind: 'none' } },
  DAPO: RECIPES.dapo,
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config extends PaperConfig, PipelineConfig {}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 60,
  batchPrompts: 16,
  groupSize: 8,
  maxRounds: 3,
  miniBatches: 4,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** Per rollout step: the pipeline's curves and the first draw's sampling entropy. */
export interface PipelineCurves extends DapoCurves {
  /** Mean sampling entropy per generated token of the first draw. */
  entropy: number[];
}

/** Trains `policy` with `recipe` on the paper's pipeline (see the module comment); deterministic given `rng`. */
export function trainPipeline(policy: RlPolicy, task: Task, recipe: Recipe, c: Config, rng: Rng): PipelineCurves {
  const tap = new EntropyTap(policy);
  const entropy: number[] = [];
  const cv = dapoPipeline(policy, task, recipe, c, rng, {
    draw: (problems, L, srng, round) => {
      if (round === 0) tap.reset();
      return sampleRollouts(tap, task, problems, c.groupSize, L, srng);
    },
    firstDraw: () => entropy.push(tap.mean()),
  });
  return { ...cv, entropy };
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each),
 * `m/evalEntropy` (mean sampling entropy per generated token over the held-out evaluation's samples), and for the
 * trained methods `m/meanReward` (mean over rollout steps of the first draw's reward on fresh training problems),
 * `m/lateReward` (its last quarter), `m/entropyLate` (rollout entropy over the last quarter), `m/promptsSampled`
 * (prompts drawn in all), `m/clippedFraction` (mean fraction of tokens whose clip bound). Series `m/L<l>:counts`,
 * `m/reward`, `m/entropy`, `m/kept`, `m/sampled`, `m/clipFraction`. Timings `m/rolloutMs`, `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('bridging-supervised-learning-and-reinforcement', c.methods, METHODS);
  const run = seedRun(c, seed, 'nft', { entropy: true });
  const { metrics, series, timings } = run;
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainPipeline(policy, run.task, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    const late = Math.floor((3 * c.rollouts) / 4);
    series[key('reward')] = cv.reward;
    series[key('entropy')] = cv.entropy;
    series[key('kept')] = cv.kept;
    series[key('sampled')] = cv.sampled;
    series[key('clipFraction')] = cv.clipFraction;
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('entropyLate')] = mean(cv.entropy.slice(late));
    metrics[key('promptsSampled')] = cv.sampled.reduce((a, b) => a + b, 0);
    metrics[key('clippedFraction')] = finiteMean(cv.clipFraction);
    run.evaluate(name, policy);
  }
  return run.result();
}

/** A policy over a transformer that keeps the gradient of each step (and the token weights) and never moves. */
class GradientTap implements RlPolicy {
  grads: Float32Array[] = [];
  weights: Float32Array[] = [];
  private readonly fwd = new WeakMap<Scored, ReturnType<TransformerLm['forward']>>();
  constructor(readonly model: TransformerLm) {
    model.zeroGrad();
  }
  sample(): never {
    throw new Error('GradientTap: not a sampler');
  }
  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    const f = this.model.forward(seq, N, T, P - 1);
    const s: Scored = { logp: f.logp, entropy: f.entropy };
    this.fwd.set(s, f);
    return s;
  }
  backward(s: Scored, w: Float32Array): void {
    this.model.backward(this.fwd.get(s)!, w);
    this.weights.push(Float32Array.from(w));
  }
  step(): number {
    this.grads.push(Float32Array.from(this.model.grads.f));
    this.model.zeroGrad();
    return 0;
  }
  snapshot(): Float32Array {
    return this.model.snapshot();
  }
}

/** Cosine of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** max_j |a_j − k·b_j| / max_j |a_j|. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, k = 1): number {
  let num = 0,
    den = 0;
  for (let j = 0; j < a.length; j++) {
    num = Math.max(num, Math.abs(a[j] - k * b[j]));
    den = Math.max(den, Math.abs(a[j]));
  }
  return num / den;
}

/**
 * Strict on-policy identity (Prop. 4.1–4.2) on one batch: B prompts × G answers sampled from the base model (mixed
 * groups kept, up to `maxRounds` draws). Token weights w = ∂loss/∂log π and parameter gradients of
 *   NFT with ω = √((1 − r̂)/r̂), sequence-mean   vs   GRPO (unbiased std, no KL), scaled by √(G/(G − 1))
 *   NFT with ω = 1 − r̂, token-mean             vs   Dr. GRPO (A = r − r̄), token-mean
 * Metrics `equiv/grpoMaxRelErr`, `equiv/grpoCosine`, `equiv/drGrpoMaxRelErr`, `equiv/drGrpoCosine` (weights: max
 * |w_NFT − k·w| / max |w_NFT|; gradients: cosine), and, after `miniBatches` NFT Adam steps on the batch (off-policy
 * from then on), `equiv/offPolicyCosine` of the NFT (ω = GRPO) and GRPO parameter gradients; `equiv/groups`.
 */
export function equivalenceSeed(c: Config, seed: number): RunResult {
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const rng = new Rng(seed).split('nft-equivalence');
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const sampler = new LmPolicy(base, { lr: 1 });
  const parts: Rollouts[] = [];
  let have = 0;
  for (let round = 0; round < c.maxRounds && have < c.batchPrompts; round++) {
    const r = sampleRollouts(sampler, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, rng.split(round));
    const sel = selectGroups(r, mixedGroups(r).slice(0, c.batchPrompts - have));
    if (sel.B > 0) parts.push(sel);
    have += sel.B;
  }
  if (have === 0) throw new Error('nft equivalenceSeed: no group with mixed rewards in the draws; raise maxRounds');
  const batch = concatRollouts(parts);
  const model = new TransformerLm(base.config, new Rng(0));
  model.load(base.snapshot());
  const tap = new GradientTap(model);
  const run = (recipe: Recipe, b: Rollouts) => {
    policyUpdate(tap, recipe, b, null);
    return { w: tap.weights[tap.weights.length - 1], g: tap.grads[tap.grads.length - 1] };
  };
  const k = Math.sqrt(c.groupSize / (c.groupSize - 1));
  const nftG = run({ ...NFT_RECIPES['nft-grpo'], aggregation: 'sequence-mean' }, batch);
  const grpo = run(METHODS.GRPO, batch);
  const nftD = run({ ...NFT_RECIPES.nft, aggregation: 'token-mean' }, batch);
  const dr = run({ ...RECIPES['dr-grpo'], aggregation: 'token-mean' }, batch);
  // Off-policy: NFT steps on the batch in mini-batches (as in training), then both gradients on the whole batch.
  const trained = new TransformerLm(base.config, new Rng(0));
  trained.load(base.snapshot());
  const policy = new LmPolicy(trained, { lr: c.lr, maxGradNorm: 1 });
  for (const groups of chunks(
    Array.from({ length: batch.B }, (_, b) => b),
    c.miniBatches,
  )) {
    const mb = selectGroups(batch, groups);
    mb.offPolicy = true;
    policyUpdate(policy, NFT_RECIPES.nft, mb, null);
  }
  const offTap = new GradientTap(trained);
  const stale: Rollouts = { ...batch, offPolicy: true };
  policyUpdate(offTap, { ...NFT_RECIPES['nft-grpo'], aggregation: 'sequence-mean' }, stale, null);
  policyUpdate(offTap, METHODS.GRPO, stale, null);
  return {
    metrics: {
      [metricKey('equiv', 'grpoMaxRelErr')]: maxRelativeError(nftG.w, grpo.w, k),
      [metricKey('equiv', 'grpoCosine')]: cosine(nftG.g, grpo.g),
      [metricKey('equiv', 'drGrpoMaxRelErr')]: maxRelativeError(nftD.w, dr.w),
      [metricKey('equiv', 'drGrpoCosine')]: cosine(nftD.g, dr.g),
      [metricKey('equiv', 'offPolicyCosine')]: cosine(offTap.grads[0], offTap.grads[1]),
      [metricKey('equiv', 'groups')]: batch.B,
    },
  };
}
