/**
 * A contextual bandit with rare Bernoulli rewards from a per-action logistic model plus an interaction term
 * x₀·x₁ that a per-action logistic regression on (1, x) cannot represent (non-realizable), and a dynamic action
 * space: each round only a random subset of the K actions is available (a stand-in for payment interventions, whose
 * reward is e.g. a conversion and whose available interventions depend on the transaction).
 *
 *   x ~ N(0, I_d),   available a ∈ A_t (each action independently with probability pAvail, at least two),
 *   μ_a(x) = σ(b_a + ⟨θ_a, x⟩ + c_a x₀ x₁),   r_a ~ Bernoulli(μ_a(x)).
 *
 * The means μ are known, so any policy's expected reward on a round is exact: Σ_a p(a | x) μ_a(x).
 */
import { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math/softmax';

export interface SparseLogisticParams {
  /** Feature dimension d (≥ 2: the interaction uses x₀ and x₁). */
  d: number;
  /** Number of actions K. */
  K: number;
  /** Mean intercept logit (sets the base positive rate, e.g. −3 → ≈ 5%). */
  baseLogit: number;
  /** Standard deviation of the per-action intercepts b_a around baseLogit. */
  interceptSd: number;
  /** Norm scale: θ_a ~ N(0, (weightSd² / d) I). */
  weightSd: number;
  /** Standard deviation of the per-action interaction coefficients c_a (the non-realizable part). */
  interactionSd: number;
  /** Probability that an action is available on a round. */
  pAvail: number;
}

export interface SparseLogisticBandit extends SparseLogisticParams {
  b: Float64Array;
  /** θ, row-major K × d. */
  theta: Float64Array;
  c: Float64Array;
}

/** Draws one bandit instance (the parameters of every action). */
export function sparseLogisticBandit(p: SparseLogisticParams, rng: Rng): SparseLogisticBandit {
  if (!(p.d >= 2 && p.K >= 2)) throw new RangeError('sparseLogisticBandit: need d ≥ 2 and K ≥ 2');
  if (!(p.pAvail > 0 && p.pAvail <= 1)) throw new RangeError('sparseLogisticBandit: pAvail must be in (0, 1]');
  const b = Float64Array.from({ length: p.K }, () => p.baseLogit + p.interceptSd * rng.normal());
  const theta = Float64Array.from({ length: p.K * p.d }, () => (p.weightSd / Math.sqrt(p.d)) * rng.normal());
  const c = Float64Array.from({ length: p.K }, () => p.interactionSd * rng.normal());
  return { ...p, b, theta, c };
}

/** The true mean reward μ_a(x) of every action into `out` (length K). */
export function sparseLogisticMeans(env: SparseLogisticBandit, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const { d, K } = env;
  const inter = x[0] * x[1];
  for (let a = 0; a < K; a++) {
    let z = env.b[a] + env.c[a] * inter;
    for (let j = 0; j < d; j++) z += env.theta[a * d + j] * x[j];
    out[a] = sigmoid(z);
  }
  return out;
}

/** One round's context and available set: x into `x`, the availability mask into `avail` (≥ 2 available). */
export function sparseLogisticRound(env: SparseLogisticBandit, rng: Rng, x: Float64Array, avail: Uint8Array): void {
  for (let j = 0; j < env.d; j++) x[j] = rng.normal();
  for (;;) {
    let n = 0;
    for (let a = 0; a < env.K; a++) {
      avail[a] = rng.uniform() < env.pAvail ? 1 : 0;
      n += avail[a];
    }
    if (n >= 2) return;
  }
}
