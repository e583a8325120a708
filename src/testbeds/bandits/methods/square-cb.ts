/**
 * Action distributions of contextual-bandit policies built on a regression oracle's reward predictions ŷ over the
 * actions available on a round (a dynamic action space: `avail[a] = 1` marks an available action).
 *
 * - SquareCB's inverse gap weighting (Foster & Rakhlin 2020, "Beyond UCB", Algorithm 1; Abe & Long 1999), written for
 *   rewards: with b = argmax_{a ∈ A} ŷ_a and k = |A|,
 *     p(a) = 1 / (k + γ (ŷ_b − ŷ_a))  for a ≠ b,      p(b) = 1 − Σ_{a ≠ b} p(a);
 * - ε-greedy: p(a) = ε / k + (1 − ε) 1[a = b] (uniform exploration);
 * - greedy (ε = 0) and uniform (ε = 1) are its end points.
 * Ties in argmax go to the lowest index.
 */

/** The index of the largest prediction among available actions. */
export function argmaxAvailable(yhat: ArrayLike<number>, avail: ArrayLike<number>): number {
  let b = -1;
  for (let a = 0; a < avail.length; a++) if (avail[a] && (b < 0 || yhat[a] > yhat[b])) b = a;
  if (b < 0) throw new RangeError('argmaxAvailable: no action is available');
  return b;
}

/** SquareCB's inverse-gap-weighting distribution with learning rate γ ≥ 0 into `out` (0 on unavailable actions). */
export function inverseGapWeighting(
  yhat: ArrayLike<number>,
  avail: ArrayLike<number>,
  gamma: number,
  out: Float64Array,
): Float64Array {
  if (!(gamma >= 0)) throw new RangeError('inverseGapWeighting: γ must be ≥ 0');
  const b = argmaxAvailable(yhat, avail);
  let k = 0;
  for (let a = 0; a < avail.length; a++) k += avail[a] ? 1 : 0;
  let rest = 0;
  for (let a = 0; a < avail.length; a++) {
    out[a] = avail[a] && a !== b ? 1 / (k + gamma * (yhat[b] - yhat[a])) : 0;
    rest += out[a];
  }
  out[b] = 1 - rest;
  return out;
}

/** ε-greedy distribution into `out`: ε spread uniformly over the available actions, 1 − ε on the argmax. */
export function epsilonGreedyDistribution(
  yhat: ArrayLike<number>,
  avail: ArrayLike<number>,
  eps: number,
  out: Float64Array,
): Float64Array {
  if (!(eps >= 0 && eps <= 1)) throw new RangeError('epsilonGreedyDistribution: ε must be in [0, 1]');
  const b = argmaxAvailable(yhat, avail);
  let k = 0;
  for (let a = 0; a < avail.length; a++) k += avail[a] ? 1 : 0;
  for (let a = 0; a < avail.length; a++) out[a] = avail[a] ? eps / k : 0;
  out[b] += 1 - eps;
  return out;
}
