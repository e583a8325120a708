/**
 * RLHF on a tabular softmax policy: a reward model's scores, a KL penalty to π_ref folded into the reward
 * (Ouyang et al. 2022, eq. 2: R = r(x, y) − β·log π_old(y|x)/π_ref(y|x)), and PPO (Schulman et al. 2017, clipped
 * surrogate, eq. 7) with a learned critic V(x).
 *
 * One "episode" is one response to one context, so generalised advantage estimation reduces to
 * A = R − V(x) (token-wise credit assignment does not arise). Optional batch whitening of A (as in common
 * RLHF PPO implementations). Per PPO iteration: advantages from the critic before the update, then
 * `epochs` passes over `minibatches` shuffled minibatches, each an optimiser step on the clipped surrogate
 * (policy) and on ½(V(x) − R)² (critic, its own optimiser).
 * The policies it trains (tabular or log-linear logits, with a critic) and on-policy sampling are in
 * policies/logit-model.ts; the exact KL-regularised optimum is solvers/kl-optimum.ts.
 */
import type { Rng } from '../../../core/rng';
import { shuffled } from '../data/comparisons';
import { logSoftmaxRows, type TableShape } from '../policies/logit-table';
import { stepPolicy, type PolicyState } from '../policies/logit-model';

export interface PpoConfig {
  /** KL coefficient β in R = r − β·log π_old/π_ref. */
  beta: number;
  /** Clip range ε of the ratio. */
  clip: number;
  epochs: number;
  minibatches: number;
  optimiser: 'adam' | 'sgd';
  lr: number;
  criticLr: number;
  /** Whiten advantages over the batch (mean 0, std 1). */
  whiten: boolean;
}

/** Samples (x_i, y_i) with the data the update needs. */
export interface SampleBatch {
  n: number;
  x: Int32Array;
  y: Int32Array;
  /** Reward-model score (possibly shaped) of each sample, before the KL penalty. */
  score: Float64Array;
  /** log π_old(y|x) and log π_ref(y|x) of each sample. */
  logpOld: Float64Array;
  logpRef: Float64Array;
}

/** KL-penalised returns R_i = score_i − β(log π_old − log π_ref). */
export function klPenalisedReturns(b: SampleBatch, beta: number): Float64Array {
  const R = new Float64Array(b.n);
  for (let i = 0; i < b.n; i++) R[i] = b.score[i] - beta * (b.logpOld[i] - b.logpRef[i]);
  return R;
}

/** Advantages A_i = R_i − V(x_i), whitened over the batch if asked. */
export function ppoAdvantages(b: SampleBatch, R: Float64Array, value: Float64Array, whiten: boolean): Float64Array {
  const A = new Float64Array(b.n);
  for (let i = 0; i < b.n; i++) A[i] = R[i] - value[b.x[i]];
  if (whiten && b.n > 1) {
    let m = 0;
    for (const a of A) m += a;
    m /= b.n;
    let v = 0;
    for (const a of A) v += (a - m) * (a - m);
    const s = Math.sqrt(v / b.n) + 1e-8;
    for (let i = 0; i < b.n; i++) A[i] = (A[i] - m) / s;
  }
  return A;
}

/**
 * Clipped surrogate (to minimise) over the samples `idx`: −(1/|idx|) Σ min(ρ_i A_i, clip(ρ_i, 1−ε, 1+ε) A_i),
 * ρ_i = π(y_i|x_i)/π_old(y_i|x_i); gradient in the logits: −A_i ρ_i (e_{y_i} − π(·|x_i)) where the unclipped term is
 * active.
 */
export function ppoSurrogate(
  logits: Float64Array,
  shape: TableShape,
  b: SampleBatch,
  A: Float64Array,
  idx: ArrayLike<number>,
  clip: number,
): { loss: number; grad: Float64Array; clipFrac: number } {
  const { nY } = shape;
  const logp = logSoftmaxRows(logits, shape);
  const grad = new Float64Array(logits.length);
  let loss = 0,
    clipped = 0;
  const m = idx.length;
  for (let k = 0; k < m; k++) {
    const i = idx[k];
    const x = b.x[i],
      y = b.y[i];
    const rho = Math.exp(logp[x * nY + y] - b.logpOld[i]);
    const a = A[i];
    const rc = Math.min(Math.max(rho, 1 - clip), 1 + clip);
    const un = rho * a,
      cl = rc * a;
    if (un <= cl) {
      loss -= un / m;
      const g = -(a * rho) / m;
      for (let z = 0; z < nY; z++) grad[x * nY + z] -= g * Math.exp(logp[x * nY + z]);
      grad[x * nY + y] += g;
    } else {
      loss -= cl / m;
      clipped++;
    }
  }
  return { loss, grad, clipFrac: m ? clipped / m : 0 };
}

/** One PPO iteration on a batch (in place). Returns mean clip fraction and the advantages used. */
export function ppoUpdate(
  state: PolicyState,
  b: SampleBatch,
  cfg: PpoConfig,
  rng: Rng,
): { clipFrac: number; advantages: Float64Array } {
  const R = klPenalisedReturns(b, cfg.beta);
  const A = ppoAdvantages(b, R, state.value, cfg.whiten);
  let clipSum = 0,
    updates = 0;
  const vgrad = new Float64Array(state.value.length);
  for (let e = 0; e < cfg.epochs; e++) {
    const order = shuffled(rng, b.n);
    const size = Math.ceil(b.n / cfg.minibatches);
    for (let s = 0; s < b.n; s += size) {
      const idx = order.slice(s, s + size);
      const { grad, clipFrac } = ppoSurrogate(state.logits, state.shape, b, A, idx, cfg.clip);
      stepPolicy(state, grad);
      vgrad.fill(0);
      for (const i of idx) vgrad[b.x[i]] += (state.value[b.x[i]] - R[i]) / idx.length;
      state.criticOpt.step(state.value, vgrad);
      clipSum += clipFrac;
      updates++;
    }
  }
  return { clipFrac: updates ? clipSum / updates : 0, advantages: A };
}
