/**
 * Policy-gradient training on the tabular bandit (env/bandit.ts): the per-sample surrogate of every
 * method of the family, composed from named parts, and the training loop around it.
 *
 * A method is a recipe (`PgConfig`) on a batch drawn from a behaviour policy μ (possibly stale),
 * ρ_i = π(o_i)/μ(o_i):
 *   weight_i = mask_i · A_i · (ρ_i if importance weighting) [· exp(A_i/T) for RED-Weight] + τ_asym
 *   A_i      the group advantage (methods/advantages.ts: REINFORCE, baseline, Dr. GRPO, RLOO, GRPO, BNPO)
 *   mask_i   = 0 where clipping cuts the gradient: 'ppo' (one-sided, = min(ρA, clip(ρ)A), GRPO/PPO;
 *              methods/ppo-clip.ts): A > 0 and ρ > 1 + ε_high, or A < 0 and ρ < 1 − ε_low;
 *              'two-side': ρ ∉ [1 − ε_low, 1 + ε_high]; and optionally only positive-advantage
 *              ('positive') or negative-advantage ('negative') samples are kept (PSR / NSR, the "−P" /
 *              "−N" variants).
 *   regularisers: OPMD's k2 term τ(log π(o) − log μ(o))² per sample (Kimi k1.5; Yao et al. 2025 REP),
 *              AsymRE's shifted baseline = forward-KL term −τ log π(o) per sample (Arnal et al. 2025),
 *              β·KL(π ‖ π_ref) to a reference (exact over the prompt's responses), c·H(π) entropy bonus.
 *
 * On the tabular bandit, ∂ log π_q(o)/∂z_q = e_o − π_q, so the ascent direction on prompt q's logits is
 *   d_q = (1/G) Σ_i weight_i (e_{o_i} − π_q) − (1/G) Σ_i 2τ_k2 (log π(o_i) − log μ(o_i))(e_{o_i} − π_q)
 *         − β ∇KL + c ∇H,
 * and a step is z_q ← z_q + η d_q for every prompt in the batch (SGD on the batch-mean loss with
 * learning rate η·B). Sequences have one token here, so GRPO's and Dr. GRPO's length aggregation
 * coincide (methods/token-aggregation.ts holds both for sequence models).
 *
 * The loop samples a batch of prompts, G responses each from the behaviour policy (the current policy,
 * or the one `staleness` updates ago: a fixed sync offset, as in Trinity-RFT's off-policy mode), and
 * takes SGD steps on the logits. Exact steps (true gradient, natural gradient) are here too, for the
 * checks that need them.
 */
import { Rng } from '../../../core/rng';
import { type Bandit } from '../env/bandit';
import { batchAdvantages, type AdvantageOptions, type GroupBatch } from '../methods/advantages';
import { ppoClipped } from '../methods/ppo-clip';
import {
  addEntropyGradient,
  addKlGradient,
  logSoftmaxPerRow,
  sampleGroup,
  softmaxPerRow,
} from '../policies/tabular-softmax';

/** A batch of groups on the bandit, sampled from a behaviour policy μ. */
export interface BanditBatch extends GroupBatch {
  /** Prompt of each group (B). */
  prompts: Int32Array;
  /** Sampled response of each sample (B·G, group-major). */
  actions: Int32Array;
  /** log μ(o_i) under the behaviour policy that generated the sample. */
  behaviourLogProb: Float64Array;
}

/** Sample G responses for each prompt from the behaviour policy (probabilities and log-probabilities, Q·K). */
export function sampleBatch(
  rng: Rng,
  bandit: Bandit,
  behaviourProbs: ArrayLike<number>,
  behaviourLogProbs: ArrayLike<number>,
  prompts: Int32Array,
  G: number,
): BanditBatch {
  const B = prompts.length;
  const K = bandit.nResponses;
  const actions = new Int32Array(B * G);
  const rewards = new Float64Array(B * G);
  const blp = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    const q = prompts[b];
    sampleGroup(rng, behaviourProbs, K, q, G, actions, b * G);
    for (let i = 0; i < G; i++) {
      const a = actions[b * G + i];
      rewards[b * G + i] = bandit.rewards[q * K + a];
      blp[b * G + i] = behaviourLogProbs[q * K + a];
    }
  }
  return { prompts, G, actions, rewards, behaviourLogProb: blp };
}

export interface PgConfig {
  advantage: AdvantageOptions;
  /** Multiply the advantage by the importance ratio ρ = π/μ (the IS weight of GRPO/PPO). */
  importanceWeight: boolean;
  /**
   * 'ppo': one-sided clip min(ρA, clip(ρ, 1 − ε_low, 1 + ε_high)A) (GRPO, PPO); 'two-side': drop samples with ρ outside
   * the band.
   */
  clip: 'none' | 'ppo' | 'two-side';
  clipLow?: number;
  clipHigh?: number;
  /** Keep only samples with positive ('positive', PSR, "−P") or negative ('negative', NSR, "−N") advantage. */
  samples?: 'all' | 'positive' | 'negative';
  /** OPMD: τ in τ(log π(o) − log μ(o))² per sample (Kimi k1.5's ½ absorbed into τ, as in Trinity-RFT). */
  k2Coef?: number;
  /** AsymRE: τ in −τ log π(o) per sample (a baseline lowered by τ). */
  asymShift?: number;
  /** RED-Weight: multiply the advantage by exp(A/T) (null: off). */
  advantageWeightTemp?: number | null;
  /** β in β·KL(π ‖ π_ref), exact over each batch prompt's responses. */
  klRefCoef?: number;
  /** c in c·H(π), exact over each batch prompt's responses. */
  entropyCoef?: number;
}

export interface PgDiagnostics {
  /** Fraction of samples whose gradient the clip (or the sample filter) removed. */
  clippedFraction: number;
  meanRatio: number;
  maxRatio: number;
  /** Fraction of samples with non-zero advantage. */
  informativeFraction: number;
  alpha?: number;
  beta?: number;
}

/**
 * The ascent direction d on the logits (Q·K; zero outside the batch's prompts) for one batch, at the
 * current policy (probs, logProbs). Step: z ← z + η·d.
 */
export function pgDirection(
  bandit: Bandit,
  probs: ArrayLike<number>,
  logProbs: ArrayLike<number>,
  batch: BanditBatch,
  cfg: PgConfig,
  out: Float64Array,
  refLogProbs?: ArrayLike<number>,
): PgDiagnostics {
  const K = bandit.nResponses;
  const B = batch.prompts.length;
  const G = batch.G;
  out.fill(0);
  const pExact = cfg.advantage.pExact;
  const { adv, alpha, beta } = batchAdvantages(
    batch.rewards,
    B,
    G,
    pExact ? { ...cfg.advantage, pExact } : cfg.advantage,
  );
  const lo = 1 - (cfg.clipLow ?? 0.2);
  const hi = 1 + (cfg.clipHigh ?? cfg.clipLow ?? 0.2);
  const only = cfg.samples ?? 'all';
  const k2 = cfg.k2Coef ?? 0;
  const asym = cfg.asymShift ?? 0;
  const temp = cfg.advantageWeightTemp ?? null;
  const klc = cfg.klRefCoef ?? 0;
  const entc = cfg.entropyCoef ?? 0;
  if (klc !== 0 && !refLogProbs) throw new RangeError('rlvr.pgDirection: klRefCoef needs refLogProbs');
  let clipped = 0;
  let ratioSum = 0;
  let ratioMax = 0;
  let informative = 0;
  for (let b = 0; b < B; b++) {
    const q = batch.prompts[b];
    const s = q * K;
    for (let i = 0; i < G; i++) {
      const j = b * G + i;
      const o = batch.actions[j];
      const A = adv[j];
      if (A !== 0) informative++;
      const lp = logProbs[s + o];
      const ratio = Math.exp(lp - batch.behaviourLogProb[j]);
      ratioSum += ratio;
      if (ratio > ratioMax) ratioMax = ratio;
      let keep = true;
      if (cfg.clip === 'ppo') keep = !ppoClipped(A, ratio, lo, hi);
      else if (cfg.clip === 'two-side') keep = ratio >= lo && ratio <= hi;
      if (only === 'positive' && !(A > 0)) keep = false;
      if (only === 'negative' && !(A < 0)) keep = false;
      if (!keep) clipped++;
      let w = keep ? A : 0;
      if (cfg.importanceWeight) w *= ratio;
      if (temp !== null && keep) w *= Math.exp(A / temp);
      w += asym;
      if (k2 !== 0) w -= 2 * k2 * (lp - batch.behaviourLogProb[j]);
      if (w === 0) continue;
      const c = w / G;
      for (let a = 0; a < K; a++) out[s + a] -= c * probs[s + a];
      out[s + o] += c;
    }
    if (klc !== 0) addKlGradient(probs, logProbs, refLogProbs as ArrayLike<number>, K, q, -klc, out);
    if (entc !== 0) addEntropyGradient(probs, logProbs, K, q, entc, out);
  }
  const n = B * G;
  return {
    clippedFraction: clipped / n,
    meanRatio: ratioSum / n,
    maxRatio: ratioMax,
    informativeFraction: informative / n,
    alpha,
    beta,
  };
}

/** B distinct prompts drawn uniformly from Q (partial Fisher–Yates), or all prompts when B ≥ Q. */
export function sampleDistinctPrompts(rng: Rng, Q: number, B: number): Int32Array {
  if (B >= Q) return Int32Array.from({ length: Q }, (_, i) => i);
  const idx = Int32Array.from({ length: Q }, (_, i) => i);
  for (let i = 0; i < B; i++) {
    const j = i + rng.int(Q - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, B);
}

export interface BanditRunConfig {
  steps: number;
  /** Step size η: z_q ← z_q + η·d_q for every prompt q in the batch. */
  lr: number;
  /** Prompts per batch (≥ nPrompts: all prompts every step). */
  batchPrompts: number;
  groupSize: number;
  pg: PgConfig;
  /** The behaviour policy is the policy of `staleness` updates ago (0: on-policy). */
  staleness?: number;
  /** Gradient steps on each batch (default 1); the ratio ρ is always taken against the behaviour policy. */
  updatesPerBatch?: number;
}

/** The bandit policy: its logits and, derived from them, probabilities and log-probabilities (Q·K). */
export interface BanditPolicyState {
  logits: Float64Array;
  probs: Float64Array;
  logProbs: Float64Array;
}

export function banditPolicyState(logits: Float64Array, K: number): BanditPolicyState {
  return { logits, probs: softmaxPerRow(logits, K), logProbs: logSoftmaxPerRow(logits, K) };
}

export interface StepInfo {
  /** Update index, 1-based (after the update). */
  t: number;
  before: BanditPolicyState;
  after: BanditPolicyState;
  batch: BanditBatch;
  diag: PgDiagnostics;
}

/**
 * Run `cfg.steps` updates from logits0 (copied); `onStep` sees every update (before/after states).
 * The reference policy of a KL term is the initial policy. Returns the final state.
 */
export function runBandit(
  bandit: Bandit,
  logits0: Float64Array,
  cfg: BanditRunConfig,
  rng: Rng,
  onStep?: (s: StepInfo) => void,
): BanditPolicyState {
  const K = bandit.nResponses;
  const Q = bandit.nPrompts;
  const k = cfg.staleness ?? 0;
  const inner = cfg.updatesPerBatch ?? 1;
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`rlvr.runBandit: staleness must be a non-negative integer, got ${k}`);
  if (!Number.isInteger(inner) || inner < 1)
    throw new RangeError(`rlvr.runBandit: updatesPerBatch must be a positive integer, got ${inner}`);
  let cur = banditPolicyState(Float64Array.from(logits0), K);
  const ref = cur.logProbs.slice();
  const history: BanditPolicyState[] = [cur];
  const dir = new Float64Array(Q * K);
  const rp = rng.split('prompts');
  const rs = rng.split('samples');
  let t = 0;
  while (t < cfg.steps) {
    const behaviour = history[0];
    const prompts = sampleDistinctPrompts(rp, Q, cfg.batchPrompts);
    const batch = sampleBatch(rs, bandit, behaviour.probs, behaviour.logProbs, prompts, cfg.groupSize);
    for (let u = 0; u < inner && t < cfg.steps; u++) {
      const diag = pgDirection(bandit, cur.probs, cur.logProbs, batch, cfg.pg, dir, ref);
      const z = cur.logits.slice();
      for (let i = 0; i < z.length; i++) z[i] += cfg.lr * dir[i];
      const next = banditPolicyState(z, K);
      t++;
      onStep?.({ t, before: cur, after: next, batch, diag });
      cur = next;
    }
    history.push(cur);
    while (history.length > k + 1) history.shift();
  }
  return cur;
}

/** Exact policy-gradient step on every prompt: Δz_qa = η π_q(a)(r_qa − p_q) (= η·Q·∂J/∂z). */
export function exactPgDirection(bandit: Bandit, probs: ArrayLike<number>, out: Float64Array): Float64Array {
  const K = bandit.nResponses;
  for (let q = 0; q < bandit.nPrompts; q++) {
    let p = 0;
    for (let a = 0; a < K; a++) p += probs[q * K + a] * bandit.rewards[q * K + a];
    for (let a = 0; a < K; a++) out[q * K + a] = probs[q * K + a] * (bandit.rewards[q * K + a] - p);
  }
  return out;
}

/** Exact natural-policy-gradient step (softmax NPG = advantage on the logits): Δz_qa = η (r_qa − p_q). */
export function naturalPgDirection(bandit: Bandit, probs: ArrayLike<number>, out: Float64Array): Float64Array {
  const K = bandit.nResponses;
  for (let q = 0; q < bandit.nPrompts; q++) {
    let p = 0;
    for (let a = 0; a < K; a++) p += probs[q * K + a] * bandit.rewards[q * K + a];
    for (let a = 0; a < K; a++) out[q * K + a] = bandit.rewards[q * K + a] - p;
  }
  return out;
}
