/**
 * f-DVL's value loss (Sikchi, Zheng, Zhang & Niekum, "Dual RL: Unification and New Methods for Reinforcement and
 * Imitation Learning", ICLR 2024, arXiv:2302.08560, §6 "f-DVL"): the dual-V objective of the f-regularised LP with
 * the conjugate f*_p of a divergence other than reverse KL in place of XQL's Gumbel regression,
 *   L_V = E_{(s,a)∼D}[ λ f*_p(Q(s, a) − V(s)) + (1 − λ) V(s) ] − const,
 * an implicit maximiser: as λ → 1 the minimiser V(s) tends to max_{a ∈ D(s)} Q(s, a) (tested). Pearson χ², as in
 * the official code (github.com/hari-sikchi/DVL, offline/critic.py `chi_square_loss`):
 *   ℓ(u) = λ max(u + u²/4, 0) − (1 − λ) u,  u = Q − V,
 * which grows quadratically, not exponentially, in u.
 */
import type { EmpiricalIndex } from '../data/empirical';

export function chiSquareLoss(u: number, lambda: number): number {
  return lambda * Math.max(u + (u * u) / 4, 0) - (1 - lambda) * u;
}

/** ∂ℓ/∂u = λ (1 + u/2) 1[u + u²/4 > 0] − (1 − λ). */
export function chiSquareGrad(u: number, lambda: number): number {
  return (u + (u * u) / 4 > 0 ? lambda * (1 + u / 2) : 0) - (1 - lambda);
}

/**
 * The exact minimiser per state of Σ_a n(s, a) ℓ(Q(s, a) − v) over v (bisection on the non-decreasing derivative
 * Σ_a n(s, a) [−ℓ'(Q(s, a) − v)]; V_out at states without data), bracketed by [min Q − max(4, 2(1 − 2λ)/λ) − 1, max Q]
 * (the derivative is negative below, positive at max Q).
 */
export function chiSquareValue(idx: EmpiricalIndex, Q: Float64Array, lambda: number, out?: Float64Array): Float64Array {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`chiSquareValue: lambda must lie in (0, 1), got ${lambda}`);
  const { nS, nA, count, stateCount, outsideValue } = idx;
  const V = out ?? new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    if (stateCount[s] === 0) {
      V[s] = outsideValue;
      continue;
    }
    let lo = Infinity,
      hi = -Infinity;
    for (let a = 0; a < nA; a++)
      if (count[s * nA + a] > 0) {
        lo = Math.min(lo, Q[s * nA + a]);
        hi = Math.max(hi, Q[s * nA + a]);
      }
    // ℓ'(u) > 0 for u > max(0, 2(1 − 2λ)/λ): below that margin under min Q the derivative is negative.
    lo -= Math.max(4, (2 * (1 - 2 * lambda)) / lambda) + 1;
    const dv = (v: number): number => {
      let g = 0;
      for (let a = 0; a < nA; a++)
        if (count[s * nA + a] > 0) g -= count[s * nA + a] * chiSquareGrad(Q[s * nA + a] - v, lambda);
      return g;
    };
    for (let it = 0; it < 200 && hi - lo > 1e-14 * (1 + Math.abs(hi)); it++) {
      const mid = (lo + hi) / 2;
      if (dv(mid) < 0) lo = mid;
      else hi = mid;
    }
    V[s] = (lo + hi) / 2;
  }
  return V;
}
