/**
 * A light Decision Transformer (Chen et al., "Decision Transformer: Reinforcement Learning via Sequence Modeling",
 * NeurIPS 2021, arXiv:2106.01345) on the kit's transformer (nn/transformer-lm.ts, the reasoning testbed's model).
 *
 * Tokens (§3 "Trajectory representation": returns-to-go R̂_t = Σ_{t' ≥ t} r_{t'}, states, actions, one token each):
 *   vocabulary  [ return-to-go buckets 0 … nB−1 | states nB … nB+nS−1 | actions nB+nS … nB+nS+nA−1 ]
 *   bucket(R)   = clamp(round((R_hi − R)/w), 0, nB − 1): R_hi the largest return-to-go in the data, w the bucket width
 *               (default 1, the reward unit, so −1/0 step rewards give one bucket per integer return); nB covers the
 *               data's range, at most `maxBuckets` (w is widened when the range needs more)
 *   an episode  (R̂_0, s_0, a_0, R̂_1, s_1, a_1, …); the model sees the last K triples and predicts a_t from the
 *               position of s_t.
 * Loss (§3 "Training": "the prediction head corresponding to the input token s_t is trained to predict a_t … with
 * cross-entropy loss for discrete actions"): the mean over sampled transitions of −log p(a_t | R̂_t, s_t, history),
 * on the action tokens only (the return and state tokens get weight 0), minimised with Adam (minibatches of
 * transitions drawn uniformly from the data).
 * Acting (§3 "Evaluation", Algorithm 1): condition on a target return R̂_0 = g, take a ∼ p(· | R̂, s) restricted to
 * the action tokens (renormalised), then R̂ ← R̂ − r after each reward.
 *
 * Context window K = 1 (the last triple only). The worlds here are fully observed and the return-to-go is a function
 * of (s_t, R̂_t, future), so a longer window can only tell the model which behaviour produced the episode (in mixed
 * data), not anything about the world; cut to K = 1, the learned policy is a function π(a | R̂, s), and acting with
 * it is a stationary policy on the finite product MDP (s, bucket): scored EXACTLY (`decisionTransformerValue`),
 * with no rollout noise. The exact minimiser of the K = 1 loss over all policies is the count ratio
 * π(a | b, s) = n(b, s, a) / n(b, s) (`returnConditionedTable`, methods/return-conditioned.ts's table on buckets);
 * the transformer approaches it on the data's contexts and generalises (untested) elsewhere.
 */
import { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { TransformerLm, type TransformerLmConfig } from '../../../nn/transformer-lm';
import type { OfflineDataset } from '../data/dataset';
import type { OfflineMdp } from '../env/tasks';
import { undiscountedReturnsToGo } from './return-conditioned';

/** The token map of one dataset. */
export interface DtTokeniser {
  nS: number;
  nA: number;
  /** Return-to-go buckets. */
  nB: number;
  /** Return of bucket 0 (the largest return-to-go in the data). */
  rHi: number;
  /** Bucket width w. */
  width: number;
  /** nB + nS + nA. */
  vocab: number;
}

export interface DtTokeniserOptions {
  /** Bucket width in reward units (default 1). */
  width?: number;
  /** Most buckets (default 64): w is widened to (R_hi − R_lo)/(maxBuckets − 1) when the range needs more. */
  maxBuckets?: number;
}

export function dtTokeniser(data: OfflineDataset, o: DtTokeniserOptions = {}): DtTokeniser {
  if (data.size === 0) throw new RangeError('dtTokeniser: the dataset is empty');
  const maxBuckets = o.maxBuckets ?? 64;
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 1))
    throw new RangeError(`dtTokeniser: maxBuckets must be an integer ≥ 1, got ${maxBuckets}`);
  let width = o.width ?? 1;
  if (!(width > 0) || !Number.isFinite(width))
    throw new RangeError(`dtTokeniser: width must be a positive number, got ${width}`);
  const G = undiscountedReturnsToGo(data);
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < data.size; i++) ((lo = Math.min(lo, G[i])), (hi = Math.max(hi, G[i])));
  if (Math.round((hi - lo) / width) + 1 > maxBuckets) width = (hi - lo) / Math.max(1, maxBuckets - 1);
  const nB = Math.min(maxBuckets, Math.round((hi - lo) / width) + 1);
  return { nS: data.nS, nA: data.nA, nB, rHi: hi, width, vocab: nB + data.nS + data.nA };
}

/** Bucket of a return-to-go (returns above R_hi go to bucket 0, below the range to nB − 1). */
export function dtBucket(tok: DtTokeniser, R: number): number {
  const b = Math.round((tok.rHi - R) / tok.width);
  return b < 0 ? 0 : b >= tok.nB ? tok.nB - 1 : b;
}

/** Return-to-go a bucket stands for. */
export function dtBucketReturn(tok: DtTokeniser, b: number): number {
  return tok.rHi - b * tok.width;
}

/** Tokens (bucket, nB + s, nB + nS + a) of every transition, 3 per transition (the K = 1 sequences). */
export function dtTransitionTokens(data: OfflineDataset, tok: DtTokeniser): Int32Array {
  if (data.nS !== tok.nS || data.nA !== tok.nA)
    throw new RangeError(`dtTransitionTokens: data is ${data.nS}×${data.nA}, the tokeniser ${tok.nS}×${tok.nA}`);
  const G = undiscountedReturnsToGo(data);
  const out = new Int32Array(3 * data.size);
  for (let i = 0; i < data.size; i++) {
    out[3 * i] = dtBucket(tok, G[i]);
    out[3 * i + 1] = tok.nB + data.s[i];
    out[3 * i + 2] = tok.nB + tok.nS + data.a[i];
  }
  return out;
}

export interface DecisionTransformerOptions extends DtTokeniserOptions {
  /** Model shape (vocab and context are set here). Default: 1 layer, d = 32, 2 heads, MLP 64. */
  model?: Partial<Omit<TransformerLmConfig, 'vocab' | 'context'>>;
  /** Adam steps (default 300). */
  steps?: number;
  /** Transitions per minibatch (default 64). */
  batch?: number;
  /** Adam learning rate (default 3e-3; DT's 1e-4 is for 128-wide models and 10⁵ steps). */
  lr?: number;
}

export const DT_DEFAULTS = {
  model: { layers: 1, dModel: 32, heads: 2, mlp: 64 },
  steps: 300,
  batch: 64,
  lr: 3e-3,
} as const;

export interface DecisionTransformer {
  model: TransformerLm;
  tok: DtTokeniser;
  /** Mean action cross-entropy of each minibatch (nats). */
  losses: number[];
  parameters: number;
}

/**
 * The K = 1 loss weights of a batch of sequences (R, s, a): w = −1/N on the action token (scored position 1 of
 * the forward with outFrom = 1), so Σ w·logp is the mean action cross-entropy.
 */
export function dtActionLoss(model: TransformerLm, tokens: Int32Array, N: number): { loss: number; w: Float32Array } {
  const f = model.forward(tokens, N, 3, 1);
  const w = new Float32Array(N).fill(-1 / N);
  let loss = 0;
  for (let n = 0; n < N; n++) loss -= f.logp[n] / N;
  model.backward(f, w);
  return { loss, w };
}

/** Trains a Decision Transformer (K = 1) on a dataset; deterministic given the rng. */
export function trainDecisionTransformer(
  data: OfflineDataset,
  rng: Rng,
  o: DecisionTransformerOptions = {},
): DecisionTransformer {
  const steps = o.steps ?? DT_DEFAULTS.steps,
    batch = o.batch ?? DT_DEFAULTS.batch,
    lr = o.lr ?? DT_DEFAULTS.lr;
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new RangeError(`trainDecisionTransformer: steps must be an integer ≥ 0, got ${steps}`);
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new RangeError(`trainDecisionTransformer: batch must be an integer ≥ 1, got ${batch}`);
  const tok = dtTokeniser(data, o);
  const all = dtTransitionTokens(data, tok);
  const model = new TransformerLm(
    { ...DT_DEFAULTS.model, ...o.model, vocab: tok.vocab, context: 2 },
    rng.split('init'),
  );
  const opt = new Adam(model.size, { lr, maxGradNorm: 1 });
  const draw = rng.split('batches');
  const tokens = new Int32Array(3 * batch);
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let n = 0; n < batch; n++) {
      const i = draw.int(data.size);
      tokens[3 * n] = all[3 * i];
      tokens[3 * n + 1] = all[3 * i + 1];
      tokens[3 * n + 2] = all[3 * i + 2];
    }
    model.zeroGrad();
    losses.push(dtActionLoss(model, tokens, batch).loss);
    opt.step(model.params.f, model.grads.f);
  }
  model.releaseCaches();
  return { model, tok, losses, parameters: model.size };
}

/**
 * π(a | b, s) of the trained model for every bucket b and state s (length nB·nS·nA, index (b·nS + s)·nA + a): the
 * model's next-token distribution at the state token restricted to the action tokens and renormalised (the
 * constrained decoding of the acting rule).
 */
export function dtPolicyTable(dt: DecisionTransformer): Float64Array {
  const { nB, nS, nA } = dt.tok;
  const N = nB * nS * nA;
  const tokens = new Int32Array(3 * N);
  for (let b = 0; b < nB; b++)
    for (let s = 0; s < nS; s++)
      for (let a = 0; a < nA; a++) {
        const n = (b * nS + s) * nA + a;
        tokens[3 * n] = b;
        tokens[3 * n + 1] = nB + s;
        tokens[3 * n + 2] = nB + nS + a;
      }
  const f = dt.model.forward(tokens, N, 3, 1);
  const out = new Float64Array(N);
  for (let c = 0; c < nB * nS; c++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, f.logp[c * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) z += out[c * nA + a] = Math.exp(f.logp[c * nA + a] - m);
    for (let a = 0; a < nA; a++) out[c * nA + a] /= z;
  }
  dt.model.releaseCaches();
  return out;
}

/**
 * The exact minimiser of the K = 1 action cross-entropy over all policies: π(a | b, s) = n(b, s, a) / n(b, s), and
 * uniform at contexts without data (layout as `dtPolicyTable`).
 */
export function returnConditionedTable(data: OfflineDataset, tok: DtTokeniser): Float64Array {
  const { nB, nS, nA } = tok;
  const toks = dtTransitionTokens(data, tok);
  const n = new Float64Array(nB * nS * nA);
  for (let i = 0; i < data.size; i++) n[(toks[3 * i] * nS + data.s[i]) * nA + data.a[i]]++;
  for (let c = 0; c < nB * nS; c++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += n[c * nA + a];
    for (let a = 0; a < nA; a++) n[c * nA + a] = z > 0 ? n[c * nA + a] / z : 1 / nA;
  }
  return n;
}

/**
 * Target return per start state: the largest return-to-go the data shows from s ('per-state', the default: the
 * protocol's μ₀ spreads starts over the whole grid, where DT's single target of one start state does not apply), or
 * one number for every start. States the data never visits get R_hi (the data's best return).
 */
export function dtTargets(data: OfflineDataset, tok: DtTokeniser, target: 'per-state' | number): Float64Array {
  const out = new Float64Array(tok.nS).fill(typeof target === 'number' ? target : tok.rHi);
  if (typeof target === 'number') return out;
  const G = undiscountedReturnsToGo(data);
  const seen = new Uint8Array(tok.nS);
  for (let i = 0; i < data.size; i++) {
    const s = data.s[i];
    if (!seen[s] || G[i] > out[s]) out[s] = G[i];
    seen[s] = 1;
  }
  return out;
}

export interface DtValue {
  /** J = Σ_s μ₀(s) V(s, bucket(target(s))). */
  value: number;
  /** V(s, b) on the product MDP, index b·nS + s. */
  V: Float64Array;
  /** Block sweeps (one bucket each) until no change exceeded tol. */
  iterations: number;
}

/**
 * Exact value of acting with a table π(a | b, s) and the return-to-go update R̂ ← R̂ − r (bucketed after each
 * step) from target returns `targets[s₀]`: the policy is stationary on the product MDP (s, b), whose transitions are
 * s' ∼ τ(s, a) with b' = bucket(R(b) − r(s, a, s')) (per-entry rewards), terminal states worth 0. Solved by policy
 * evaluation sweeps (block Gauss–Seidel over buckets) until no value changes by more than tol (default 1e-12; the
 * error is then ≤ γ·tol/(1 − γ)); `maxIterations` caps the block sweeps (default 10⁶).
 */
export function decisionTransformerValue(
  mdp: OfflineMdp,
  tok: DtTokeniser,
  table: Float64Array,
  targets: Float64Array,
  o: { tol?: number; maxIterations?: number } = {},
): DtValue {
  const { env, entryReward, terminal } = mdp;
  const { nS, nA, gamma, T } = env;
  const { nB } = tok;
  if (tok.nS !== nS || tok.nA !== nA)
    throw new RangeError(`decisionTransformerValue: tokeniser is ${tok.nS}×${tok.nA}, the MDP ${nS}×${nA}`);
  if (table.length !== nB * nS * nA)
    throw new RangeError(`decisionTransformerValue: table has length ${table.length}, expected nB·nS·nA`);
  if (targets.length !== nS) throw new RangeError(`decisionTransformerValue: need one target per state (${nS})`);
  const tol = o.tol ?? 1e-12,
    maxIt = o.maxIterations ?? 1_000_000;
  // Next bucket of every (bucket, entry).
  const nE = T.col.length;
  const next = new Int32Array(nB * nE);
  for (let b = 0; b < nB; b++)
    for (let k = 0; k < nE; k++) next[b * nE + k] = dtBucket(tok, dtBucketReturn(tok, b) - entryReward[k]);
  const V = new Float64Array(nB * nS);
  // One Gauss–Seidel sweep of bucket b's block; returns its largest change.
  const sweep = (b: number): number => {
    let delta = 0;
    for (let s = 0; s < nS; s++) {
      if (terminal[s]) continue;
      let v = 0;
      for (let a = 0; a < nA; a++) {
        const p = table[(b * nS + s) * nA + a];
        if (p === 0) continue;
        const row = s * nA + a;
        let q = 0;
        for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) {
          const sp = T.col[k];
          q += T.prob[k] * (entryReward[k] + (terminal[sp] ? 0 : gamma * V[next[b * nE + k] * nS + sp]));
        }
        v += p * q;
      }
      delta = Math.max(delta, Math.abs(v - V[b * nS + s]));
      V[b * nS + s] = v;
    }
    return delta;
  };
  // Block Gauss–Seidel: each bucket's block swept to its fixed point given the others, in bucket order (with
  // step costs the return-to-go rises, b' ≤ b, so one outer pass after the first settles it); outer passes until
  // no block moves by more than tol on its first sweep.
  let it = 0;
  for (;;) {
    let outer = 0;
    for (let b = 0; b < nB; b++) {
      let d = sweep(b);
      it++;
      outer = Math.max(outer, d);
      while (d > tol) {
        if (++it > maxIt) throw new RangeError(`decisionTransformerValue: no convergence in ${maxIt} sweeps`);
        d = sweep(b);
      }
    }
    if (outer <= tol) break;
  }
  let value = 0;
  for (let s = 0; s < nS; s++) if (env.init[s] > 0) value += env.init[s] * V[dtBucket(tok, targets[s]) * nS + s];
  return { value, V, iterations: it };
}
