/**
 * The tabular softmax policy, one implementation for the whole testbed. Every function here takes
 * the table's shape first, `(nS, nA, …arrays)`, so a policy call reads the same everywhere.
 *
 * Policy. θ ∈ ℝ^{nObs×nA} (row-major, index o·nA + a); π_θ(a|s) = softmax(θ[obs(s), ·])_a, where
 * obs: S → {0..nObs−1} maps states to the rows of θ (default: the identity, a fully tabular policy;
 * a many-to-one map aliases states, i.e. the policy sees only an observation).
 *
 * Gradients. For any objective of the form L = Σ_{s,a} C(s,a) log π_θ(a|s) (every loss on
 * log-probabilities of observed actions reduces to this, with C(s,a) = Σ over occurrences of
 * ∂L/∂log π), the gradient is
 *   ∂L/∂θ(s,b) = C(s,b) − π_θ(b|s) Σ_a C(s,a),
 * since ∂ log π(a|s)/∂θ(s,b) = 1{a = b} − π(b|s).
 */

/** The identity observation map (a fully tabular policy). */
export function identityObs(nS: number): Int32Array {
  const o = new Int32Array(nS);
  for (let s = 0; s < nS; s++) o[s] = s;
  return o;
}

/** Checks that `obs` maps each of the nS states to a row of θ; returns the number of rows of θ. */
export function checkObs(nS: number, nA: number, theta: ArrayLike<number>, obs: Int32Array, where: string): number {
  if (obs.length !== nS)
    throw new RangeError(
      `${where}: obs must map each of the ${nS} states to a row of θ (length ${nS}), got length ${obs.length}`,
    );
  if (theta.length % nA !== 0)
    throw new RangeError(`${where}: θ has length ${theta.length}, not a multiple of nA = ${nA}`);
  const nObs = theta.length / nA;
  for (let s = 0; s < nS; s++)
    if (!(obs[s] >= 0 && obs[s] < nObs))
      throw new RangeError(`${where}: obs[${s}] = ${obs[s]} is outside the ${nObs} rows of θ`);
  return nObs;
}

/**
 * π(·|s) = softmax(θ[obs(s), ·]) for every state (stable: shifted by the row maximum): a stochastic
 * policy matrix of length nS·nA. Without `obs`, θ has one row per state.
 */
export function softmaxPolicy(nS: number, nA: number, theta: ArrayLike<number>, obs?: Int32Array): Float64Array {
  const o = obs ?? identityObs(nS);
  checkObs(nS, nA, theta, o, 'softmaxPolicy');
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const base = o[s] * nA;
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (theta[base + a] > m) m = theta[base + a];
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const e = Math.exp(theta[base + a] - m);
      pi[s * nA + a] = e;
      z += e;
    }
    for (let a = 0; a < nA; a++) pi[s * nA + a] /= z;
  }
  return pi;
}

/** log π_θ (row-major nS·nA; θ has one row per state). */
export function logSoftmaxPolicy(nS: number, nA: number, theta: ArrayLike<number>): Float64Array {
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
export function logProbGradient(nS: number, nA: number, C: Float64Array, pi: Float64Array, grad: Float64Array): void {
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
export function countsPolicy(nS: number, nA: number, counts: ArrayLike<number>, smoothing = 0): Float64Array {
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let tot = 0;
    for (let a = 0; a < nA; a++) tot += counts[s * nA + a] + smoothing;
    for (let a = 0; a < nA; a++) pi[s * nA + a] = tot > 0 ? (counts[s * nA + a] + smoothing) / tot : 1 / nA;
  }
  return pi;
}

/**
 * θ = log π, a softmax parameterisation of π (softmaxPolicy(nS, nA, θ) = π for a full-support π);
 * entries below `floor` (zeros) are clipped to log(floor).
 */
export function logitsFromPolicy(nS: number, nA: number, pi: ArrayLike<number>, floor = 1e-300): Float64Array {
  if (pi.length !== nS * nA)
    throw new RangeError(`logitsFromPolicy: π has length ${pi.length}, expected nS·nA = ${nS * nA}`);
  const th = new Float64Array(pi.length);
  for (let i = 0; i < pi.length; i++) th[i] = Math.log(Math.max(pi[i], floor));
  return th;
}

/** KL(p(·|s) ‖ q(·|s)) for every state (row-major nS·nA inputs). */
export function stateKL(nS: number, nA: number, p: ArrayLike<number>, q: ArrayLike<number>): Float64Array {
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
  nS: number,
  nA: number,
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  weight: ArrayLike<number>,
): number {
  const kl = stateKL(nS, nA, p, q);
  let acc = 0;
  for (let s = 0; s < nS; s++) acc += weight[s] * kl[s];
  return acc;
}
