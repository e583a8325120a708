/**
 * Extreme Q-learning's value loss, offline (Garg, Hejna, Geist & Ermon, "Extreme Q-Learning: MaxEnt RL without
 * Entropy", ICLR 2023, arXiv:2301.02328, §4 Gumbel regression): V is fitted to Q(s, a), a ∼ D, by
 *   L_V = E_{(s,a)∼D}[ e^{z} − z − 1 ],  z = (Q(s, a) − V(s)) / β,
 * whose minimiser is the soft maximum V(s) = β log E_{a∼D(·|s)}[e^{Q(s,a)/β}] (tested). Dual RL (Sikchi et al., ICLR
 * 2024, arXiv:2302.08560, §6) reads this loss as the dual-V objective of the reverse-KL regularised LP, and names its
 * exponential — e^{z} with z unbounded above — as the source of XQL's training instability.
 * Two forms: `gumbel` the loss as written; `gumbel-stabilised` the official code's (also DVL's `reverse_kl_loss`):
 * z clipped at `maxClip` (no gradient beyond it) and the loss scaled by e^{−m}, m = max(max_batch z, −1) held
 * constant: ℓ = e^{z−m} − z e^{−m} − e^{−m} (an adaptive learning rate).
 */
import type { EmpiricalIndex } from '../data/empirical';

/** ∂ℓ/∂u of the Gumbel loss at u = Q − V: (e^{u/β} − 1)/β, with e^{·} rounded to float32 (∞ beyond 88.72). */
export function gumbelGrad(u: number, beta: number): number {
  return (Math.fround(Math.exp(u / beta)) - 1) / beta;
}

/** The Gumbel loss e^{z} − z − 1 at z = u/β. */
export function gumbelLoss(u: number, beta: number): number {
  const z = u / beta;
  return Math.exp(z) - z - 1;
}

/**
 * ∂ℓ/∂u of the stabilised loss for a batch of u = Q − V (written to `out`): with z = min(u/β, maxClip) and
 * m = max(max_i z_i, −1), ∂ℓ_i/∂u_i = (e^{z_i − m} − e^{−m})/β where u_i/β < maxClip, 0 where clipped.
 */
export function gumbelStabilisedGrads(
  u: Float64Array,
  n: number,
  beta: number,
  maxClip: number,
  out: Float64Array,
): void {
  let m = -1;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.min(u[i] / beta, maxClip));
  const em = Math.exp(-m);
  for (let i = 0; i < n; i++) {
    const z = u[i] / beta;
    out[i] = z < maxClip ? (Math.fround(Math.exp(z - m)) - em) / beta : 0;
  }
}

/** The exact minimiser of L_V per state: V(s) = β log Σ_a p̂(a|s) e^{Q(s,a)/β} (V_out at states without data). */
export function softMaxValue(idx: EmpiricalIndex, Q: Float64Array, beta: number, out?: Float64Array): Float64Array {
  const { nS, nA, count, stateCount, outsideValue } = idx;
  const V = out ?? new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    if (stateCount[s] === 0) {
      V[s] = outsideValue;
      continue;
    }
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (count[s * nA + a] > 0) m = Math.max(m, Q[s * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++)
      if (count[s * nA + a] > 0) z += (count[s * nA + a] / stateCount[s]) * Math.exp((Q[s * nA + a] - m) / beta);
    V[s] = m + beta * Math.log(z);
  }
  return V;
}
