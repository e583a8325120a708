/**
 * Reward-Aligned Behaviour Cloning (RA-BC) of SARM (Chen et al., arXiv:2509.25358), tabular. Equation numbers are the
 * paper's as cited by LeRobot's RA-BC implementation (rabc.py), the only place the text of Eqs. 6–9 was readable:
 * - Eq. (6), the progress reward of the sample at frame t: r_t = φ(o_{t+Δ}) − φ(o_t) (Δ: the action chunk; the last
 *   frame is used where t + Δ runs past the episode);
 * - Eq. (8), the soft weight: w̃_t = clip((r_t − (μ − 2σ)) / (4σ + ε), 0, 1), with μ (clamped at 0) and σ the mean
 *   and standard deviation of the rewards (LeRobot: running Welford statistics; here: over the whole dataset);
 * - Eq. (9), the weight: w_t = 1{r_t > κ} + 1{0 ≤ r_t ≤ κ} w̃_t (negative progress gets weight 0: filtered out);
 * - the weighted BC objective Σ_t w_t ℓ(π(·|s_t), a_t) / Σ_t w_t, whose tabular minimiser (ℓ the negative
 *   log-likelihood) is π(a|s) ∝ Σ_{t: s_t = s, a_t = a} w_t; uniform at states whose samples all have weight 0 or
 *   that have no samples.
 */
import type { StagedEpisode } from '../data/staged-demos';

/** Eq. (6): r_t = φ(s_{min(t+Δ, T)}) − φ(s_t) for every action of every episode (concatenated in episode order). */
export function progressDeltas(episodes: readonly StagedEpisode[], phi: ArrayLike<number>, delta = 1): Float64Array {
  if (!(Number.isInteger(delta) && delta >= 1)) throw new RangeError(`progressDeltas: Δ must be an integer ≥ 1`);
  const out: number[] = [];
  for (const ep of episodes) {
    const T = ep.actions.length;
    for (let t = 0; t < T; t++) out.push(phi[ep.states[Math.min(t + delta, T)]] - phi[ep.states[t]]);
  }
  return Float64Array.from(out);
}

/** Eqs. (8)–(9): RA-BC weights of progress rewards r (κ: the hard threshold; ε: numerical floor). */
export function rabcWeights(r: Float64Array, kappa: number, eps = 1e-6): Float64Array {
  const n = r.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += r[i] / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (r[i] - mean) ** 2;
  const sigma = Math.max(Math.sqrt(n > 1 ? v / (n - 1) : 0), eps);
  const mu = Math.max(mean, 0);
  const lower = mu - 2 * sigma;
  return Float64Array.from(r, (x) => {
    if (x > kappa) return 1;
    if (x < 0) return 0;
    return Math.min(1, Math.max(0, (x - lower) / (4 * sigma + eps)));
  });
}

/** The weighted-BC policy π(a|s) ∝ Σ w_t over samples (s, a); uniform where the weights sum to 0. */
export function weightedBehaviourCloning(
  nS: number,
  nA: number,
  episodes: readonly StagedEpisode[],
  weights?: Float64Array,
): Float64Array {
  const W = new Float64Array(nS * nA);
  let i = 0;
  for (const ep of episodes)
    for (let t = 0; t < ep.actions.length; t++, i++) W[ep.states[t] * nA + ep.actions[t]] += weights ? weights[i] : 1;
  if (weights && i !== weights.length)
    throw new RangeError(`weightedBehaviourCloning: ${weights.length} weights for ${i} samples`);
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += W[s * nA + a];
    for (let a = 0; a < nA; a++) pi[s * nA + a] = z > 0 ? W[s * nA + a] / z : 1 / nA;
  }
  return pi;
}
