/**
 * P3O, Pairwise Proximal Policy Optimization (Wu et al. 2023, "Pairwise Proximal Policy Optimization:
 * Harnessing Relative Feedback for LLM Alignment"), on a tabular softmax policy.
 *
 * Two responses y1, y2 ~ π_old(·|x) per context; KL-penalised rewards R_j = r(x, y_j) − β·log
 * π_old(y_j|x)/π_ref(y_j|x);
 * only their difference Δ = R_1 − R_2 enters the update, so adding any per-context offset c(x) to r
 * leaves every update unchanged (the paper's invariance to equivalent rewards). Pairwise policy gradient:
 *   ∇J = E[(R_1 − R_2)·∇(log π(y_1|x) − log π(y_2|x)) / 2],
 * made proximal with importance ratios ρ_j = π(y_j|x)/π_old(y_j|x) and clipping, in the paper's two variants:
 *   'separate' (V1): −[min(ρ_1 Δ/2, clip(ρ_1)Δ/2) + min(−ρ_2 Δ/2, −clip(ρ_2)Δ/2)]
 *   'joint'    (V2): −min(ρ Δ/2, clip(ρ)Δ/2),  ρ = ρ_1/ρ_2 = π(y_1)π_old(y_2) / (π_old(y_1)π(y_2))
 * (minimised; averaged over the pairs of a minibatch). No critic.
 */
import type { Rng } from '../../../core/rng';
import { shuffled } from '../data/comparisons';
import { stepPolicy, type PolicyState } from '../policies/logit-model';
import { logSoftmaxRows, type TableShape } from '../policies/logit-table';

export type P3oVariant = 'separate' | 'joint';

export interface P3oConfig {
  beta: number;
  clip: number;
  epochs: number;
  minibatches: number;
  variant: P3oVariant;
}

/** Pairs (x_i, y1_i, y2_i) with scores and log-probabilities under π_old and π_ref. */
export interface PairBatch {
  n: number;
  x: Int32Array;
  y1: Int32Array;
  y2: Int32Array;
  score1: Float64Array;
  score2: Float64Array;
  logpOld1: Float64Array;
  logpOld2: Float64Array;
  logpRef1: Float64Array;
  logpRef2: Float64Array;
}

/** Δ_i = R_1 − R_2 with the KL penalty folded into each response's reward. */
export function pairDifferences(b: PairBatch, beta: number): Float64Array {
  const D = new Float64Array(b.n);
  for (let i = 0; i < b.n; i++) {
    const R1 = b.score1[i] - beta * (b.logpOld1[i] - b.logpRef1[i]);
    const R2 = b.score2[i] - beta * (b.logpOld2[i] - b.logpRef2[i]);
    D[i] = R1 - R2;
  }
  return D;
}

/** Add −g·(e_y − π(·|x)) to grad (gradient of −g·log π(y|x)). */
function addLogpGrad(grad: Float64Array, logp: Float64Array, nY: number, x: number, y: number, g: number): void {
  for (let z = 0; z < nY; z++) grad[x * nY + z] += g * Math.exp(logp[x * nY + z]);
  grad[x * nY + y] -= g;
}

/** The clipped pairwise loss over pairs `idx` and its gradient in the logits. */
export function p3oLoss(
  logits: Float64Array,
  shape: TableShape,
  b: PairBatch,
  D: Float64Array,
  idx: ArrayLike<number>,
  cfg: Pick<P3oConfig, 'clip' | 'variant'>,
): { loss: number; grad: Float64Array } {
  const { nY } = shape;
  const logp = logSoftmaxRows(logits, shape);
  const grad = new Float64Array(logits.length);
  const m = idx.length,
    eps = cfg.clip;
  let loss = 0;
  const clipR = (r: number) => Math.min(Math.max(r, 1 - eps), 1 + eps);
  for (let k = 0; k < m; k++) {
    const i = idx[k];
    const x = b.x[i],
      y1 = b.y1[i],
      y2 = b.y2[i];
    const l1 = logp[x * nY + y1] - b.logpOld1[i];
    const l2 = logp[x * nY + y2] - b.logpOld2[i];
    const h = D[i] / 2;
    if (cfg.variant === 'separate') {
      // term j: min(ρ_j A_j, clip(ρ_j) A_j) with A_1 = h, A_2 = −h
      for (const [l, A, y] of [
        [l1, h, y1],
        [l2, -h, y2],
      ] as const) {
        const rho = Math.exp(l);
        const un = rho * A,
          cl = clipR(rho) * A;
        if (un <= cl) {
          loss -= un / m;
          addLogpGrad(grad, logp, nY, x, y, (A * rho) / m);
        } else loss -= cl / m;
      }
    } else {
      const rho = Math.exp(l1 - l2);
      const un = rho * h,
        cl = clipR(rho) * h;
      if (un <= cl) {
        loss -= un / m;
        // ∇ρ = ρ(∇log π(y1) − ∇log π(y2)); the normaliser terms cancel within a context.
        const g = (h * rho) / m;
        grad[x * nY + y1] -= g;
        grad[x * nY + y2] += g;
      } else loss -= cl / m;
    }
  }
  return { loss, grad };
}

/** One P3O iteration on a batch of pairs (in place on the policy state; the critic is unused). */
export function p3oUpdate(state: PolicyState, b: PairBatch, cfg: P3oConfig, rng: Rng): void {
  const D = pairDifferences(b, cfg.beta);
  for (let e = 0; e < cfg.epochs; e++) {
    const order = shuffled(rng, b.n);
    const size = Math.ceil(b.n / cfg.minibatches);
    for (let s = 0; s < b.n; s += size) {
      const { grad } = p3oLoss(state.logits, state.shape, b, D, order.slice(s, s + size), cfg);
      stepPolicy(state, grad);
    }
  }
}
