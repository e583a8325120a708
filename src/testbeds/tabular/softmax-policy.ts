/**
 * Tabular softmax policies π_θ(a|s) = exp θ(s,a) / Σ_b exp θ(s,b) with exact gradients.
 *
 * For any objective of the form L = Σ_{s,a} C(s,a) log π_θ(a|s) (every loss on log-probabilities of
 * observed actions reduces to this, with C(s,a) = Σ over occurrences of ∂L/∂log π), the gradient is
 *   ∂L/∂θ(s,b) = C(s,b) − π_θ(b|s) Σ_a C(s,a),
 * since ∂ log π(a|s)/∂θ(s,b) = 1{a = b} − π(b|s).
 */

/** π_θ (row-major nS·nA), stable softmax per state. */
export function softmaxPolicy(theta: ArrayLike<number>, nS: number, nA: number): Float64Array {
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (theta[s * nA + a] > m) m = theta[s * nA + a];
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const e = Math.exp(theta[s * nA + a] - m);
      pi[s * nA + a] = e;
      z += e;
    }
    for (let a = 0; a < nA; a++) pi[s * nA + a] /= z;
  }
  return pi;
}

/** log π_θ (row-major nS·nA). */
export function logSoftmaxPolicy(theta: ArrayLike<number>, nS: number, nA: number): Float64Array {
  const lp = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (theta[s * nA + a] > m) m = theta[s * nA + a];
    let z = 0;
    for (let a = 0; a < nA; a++) z += Math.exp(theta[s * nA + a] - m);
    const lz = m + Math.log(z);
    for (let a = 0; a < nA; a++) lp[s * nA + a] = theta[s * nA + a] - lz;
  }
  return lp;
}

/** grad(s,b) = C(s,b) − π(b|s) Σ_a C(s,a): the θ-gradient of Σ C(s,a) log π_θ(a|s). */
export function logProbGradient(C: Float64Array, pi: Float64Array, nS: number, nA: number, grad: Float64Array): void {
  for (let s = 0; s < nS; s++) {
    let tot = 0;
    for (let a = 0; a < nA; a++) tot += C[s * nA + a];
    for (let a = 0; a < nA; a++) grad[s * nA + a] = C[s * nA + a] - pi[s * nA + a] * tot;
  }
}

/**
 * Empirical policy from action counts (row-major nS·nA) with add-`smoothing` (Laplace) smoothing;
 * states without data get the uniform policy. The maximum-likelihood policy of behaviour cloning.
 */
export function countsPolicy(counts: ArrayLike<number>, nS: number, nA: number, smoothing = 0): Float64Array {
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let tot = 0;
    for (let a = 0; a < nA; a++) tot += counts[s * nA + a] + smoothing;
    for (let a = 0; a < nA; a++) pi[s * nA + a] = tot > 0 ? (counts[s * nA + a] + smoothing) / tot : 1 / nA;
  }
  return pi;
}

/** θ = log π (a softmax parameterisation of π; −∞ entries are clipped to log(floor)). */
export function logitsFromPolicy(pi: ArrayLike<number>, floor = 1e-300): Float64Array {
  const th = new Float64Array(pi.length);
  for (let i = 0; i < pi.length; i++) th[i] = Math.log(Math.max(pi[i], floor));
  return th;
}

/** KL(p(·|s) ‖ q(·|s)) for every state (row-major nS·nA inputs). */
export function stateKL(p: ArrayLike<number>, q: ArrayLike<number>, nS: number, nA: number): Float64Array {
  const out = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let kl = 0;
    for (let a = 0; a < nA; a++) {
      const ps = p[s * nA + a];
      if (ps > 0) kl += ps * (Math.log(ps) - Math.log(Math.max(q[s * nA + a], 1e-300)));
    }
    out[s] = Math.max(0, kl);
  }
  return out;
}

/** Σ_s weight(s)·KL(p(·|s) ‖ q(·|s)) (weights: e.g. uniform over non-terminal states, or d^π). */
export function weightedKL(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  nS: number,
  nA: number,
  weight: ArrayLike<number>,
): number {
  const kl = stateKL(p, q, nS, nA);
  let acc = 0;
  for (let s = 0; s < nS; s++) acc += weight[s] * kl[s];
  return acc;
}
