/**
 * The Bayes-optimal policy of a finite-horizon Bernoulli bandit with independent Beta priors, by dynamic programming
 * over the posterior counts (Berry & Fristedt 1985, "Bandit Problems", ch. 2 and 6; the belief-MDP of Duff 2002).
 * Arm i has mean μ_i ~ Beta(α, β) independently; after s_i successes and f_i failures its posterior is
 * Beta(α + s_i, β + f_i) with predictive success probability p_i = (α + s_i)/(α + β + s_i + f_i). With n pulls left
 * and discount γ (reward at the k-th pull from now weighted γ^k, γ = 1 is the plain sum),
 *   V_n(c) = max_i Q_n(c, i),  Q_n(c, i) = p_i (1 + γ V_{n−1}(c + e_{s_i})) + (1 − p_i) γ V_{n−1}(c + e_{f_i}),
 *   V_0 ≡ 0,
 * where c = (s_1, f_1, …, s_K, f_K). The counts are a sufficient statistic, so V is exact; its state space has at
 * most C(H + 2K, 2K) points for horizon H (K = 2, H = 40: 1.4·10⁵). The table is dense over (H+1)^{2K} cells,
 * so keep (H+1)^{2K} ≤ ~10⁷ (K = 2 up to H ≈ 55, K = 3 up to H ≈ 14).
 */

export interface BayesBernoulliOptions {
  /** Number of arms K (≥ 1). */
  arms: number;
  /** Horizon H: the number of pulls the policy plans for from the empty history. */
  horizon: number;
  /** Beta prior α (pseudo-successes), > 0. */
  alpha?: number;
  /** Beta prior β (pseudo-failures), > 0. */
  beta?: number;
  /** Discount γ in [0, 1]. */
  gamma?: number;
}

export interface BayesBernoulliSolution {
  arms: number;
  horizon: number;
  alpha: number;
  beta: number;
  gamma: number;
  /** V_H(0): the Bayes-optimal expected (discounted) reward of the whole horizon from the prior. */
  value: number;
  /** The Bayes-optimal arm given counts c = (s_1, f_1, …, s_K, f_K) (ties to the lowest index). */
  action(counts: ArrayLike<number>): number;
  /** Q(c, i) for every arm at counts c (with H − Σc pulls left), K values. */
  q(counts: ArrayLike<number>): Float64Array;
  /** V(c) at counts c. */
  valueAt(counts: ArrayLike<number>): number;
}

const MAX_CELLS = 2e7;

/** Solves the belief MDP by memoised recursion on a dense table of the counts. */
export function solveBayesBernoulli(o: BayesBernoulliOptions): BayesBernoulliSolution {
  const K = o.arms,
    H = o.horizon,
    alpha = o.alpha ?? 1,
    beta = o.beta ?? 1,
    gamma = o.gamma ?? 1;
  if (!(Number.isInteger(K) && K >= 1))
    throw new RangeError(`solveBayesBernoulli: arms must be an integer ≥ 1, got ${K}`);
  if (!(Number.isInteger(H) && H >= 0))
    throw new RangeError(`solveBayesBernoulli: horizon must be an integer ≥ 0, got ${H}`);
  if (!(alpha > 0 && beta > 0))
    throw new RangeError(`solveBayesBernoulli: the Beta prior needs α, β > 0, got α=${alpha}, β=${beta}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`solveBayesBernoulli: γ must be in [0, 1], got ${gamma}`);
  const D = 2 * K,
    base = H + 1;
  const cells = base ** D;
  if (cells > MAX_CELLS)
    throw new RangeError(
      `solveBayesBernoulli: (H+1)^(2K) = ${cells} table cells for K=${K}, H=${H} exceeds ${MAX_CELLS}; ` +
        'use fewer arms or a shorter horizon',
    );
  const stride = new Int32Array(D);
  for (let j = 0, s = 1; j < D; j++, s *= base) stride[j] = s;
  const V = new Float64Array(cells).fill(NaN);
  const c = new Int32Array(D);

  // value of the current counts `c` with `left` pulls left; c is restored on return
  function value(idx: number, left: number): number {
    if (left === 0) return 0;
    const memo = V[idx];
    if (memo === memo) return memo;
    let best = -Infinity;
    for (let i = 0; i < K; i++) {
      const s = c[2 * i],
        f = c[2 * i + 1];
      const p = (alpha + s) / (alpha + beta + s + f);
      c[2 * i]++;
      const vs = value(idx + stride[2 * i], left - 1);
      c[2 * i]--;
      c[2 * i + 1]++;
      const vf = value(idx + stride[2 * i + 1], left - 1);
      c[2 * i + 1]--;
      const q = p * (1 + gamma * vs) + (1 - p) * gamma * vf;
      if (q > best) best = q;
    }
    V[idx] = best;
    return best;
  }

  function load(counts: ArrayLike<number>): { idx: number; left: number } {
    if (counts.length !== D)
      throw new RangeError(`solveBayesBernoulli: counts must have 2K = ${D} entries, got ${counts.length}`);
    let idx = 0,
      used = 0;
    for (let j = 0; j < D; j++) {
      const v = counts[j];
      if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`solveBayesBernoulli: bad count ${v} at ${j}`);
      c[j] = v;
      idx += v * stride[j];
      used += v;
    }
    if (used > H) throw new RangeError(`solveBayesBernoulli: counts sum to ${used} > horizon ${H}`);
    return { idx, left: H - used };
  }

  function q(counts: ArrayLike<number>): Float64Array {
    const { idx, left } = load(counts);
    const out = new Float64Array(K);
    if (left === 0) return out;
    for (let i = 0; i < K; i++) {
      const s = c[2 * i],
        f = c[2 * i + 1];
      const p = (alpha + s) / (alpha + beta + s + f);
      c[2 * i]++;
      const vs = value(idx + stride[2 * i], left - 1);
      c[2 * i]--;
      c[2 * i + 1]++;
      const vf = value(idx + stride[2 * i + 1], left - 1);
      c[2 * i + 1]--;
      out[i] = p * (1 + gamma * vs) + (1 - p) * gamma * vf;
    }
    return out;
  }

  const zero = new Int32Array(D);
  const v0 = value(load(zero).idx, H);
  return {
    arms: K,
    horizon: H,
    alpha,
    beta,
    gamma,
    value: v0,
    q,
    action(counts) {
      const qs = q(counts);
      let b = 0;
      for (let i = 1; i < K; i++) if (qs[i] > qs[b] + 1e-12) b = i;
      return b;
    },
    valueAt(counts) {
      const { idx, left } = load(counts);
      return value(idx, left);
    },
  };
}

/**
 * The same Bayes value by expectimax over raw histories (sequences of (arm, reward)), without the count
 * compression: (2K)^H leaves, for tests on tiny horizons only. Exact in exact arithmetic, like the DP.
 */
export function bruteForceBayesValue(K: number, H: number, alpha = 1, beta = 1, gamma = 1): number {
  if ((2 * K) ** H > 5e6) throw new RangeError(`bruteForceBayesValue: (2K)^H = ${(2 * K) ** H} leaves is too many`);
  const hist: Array<[number, number]> = [];
  function rec(left: number): number {
    if (left === 0) return 0;
    let best = -Infinity;
    for (let i = 0; i < K; i++) {
      // the predictive probability from the raw history (recounted, no sufficient statistic kept)
      let s = 0,
        f = 0;
      for (const [a, r] of hist) if (a === i) r === 1 ? s++ : f++;
      const p = (alpha + s) / (alpha + beta + s + f);
      hist.push([i, 1]);
      const vs = rec(left - 1);
      hist.pop();
      hist.push([i, 0]);
      const vf = rec(left - 1);
      hist.pop();
      best = Math.max(best, p * (1 + gamma * vs) + (1 - p) * gamma * vf);
    }
    return best;
  }
  return rec(H);
}
