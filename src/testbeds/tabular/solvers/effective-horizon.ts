/**
 * Exact quantities of the stochastic effective horizon (Laidlaw, Zhu, Russell & Dragan, ICLR 2024,
 * arXiv:2312.08369, §3) on finite-horizon tabular MDPs (`env/finite-horizon.ts`).
 *
 * - Q^rand: the Q-function of the uniformly random policy, by backward recursion.
 * - Iterated Q-value iteration (the paper's Definition 3.1): Q^1 = Q^rand and
 *   Q^{i+1}_t(s, a) = R(s, a) + E_{s'}[max_{a'} Q^i_{t+1}(s', a')]. Q^i is exact on the last i timesteps,
 *   so Q^T = Q*.
 * - k-QVI-solvability (Definition 3.1): every policy with π_t(s) ∈ argmax_a Q^k_t(s, a) is optimal.
 *   Exact test: collect the (t, s) that some greedy policy reaches with positive probability (expand every
 *   greedy action); the MDP is k-QVI-solvable iff at every such (t, s) every greedy action is optimal
 *   under Q*. (If a reachable greedy action were suboptimal, the greedy policy that reaches it and takes it
 *   loses Q*-value with positive probability; otherwise every greedy policy only takes optimal actions
 *   where it goes.) k_min is the least such k (k_min ≤ T since Q^T = Q*).
 * - A sample-size proxy for the stochastic effective horizon (in the spirit of Definition 3.5,
 *   H̄_k = k + log_A m_k with m_k the number of random rollouts needed to estimate Q^k well enough to act
 *   greedily): here m_k = max(1, 4σ²/Δ_k²), with Δ_k the smallest margin of Q^k between the δ-optimal
 *   actions (under Q*) and the others over greedy-reachable (t, s), and σ² the largest variance of the random
 *   policy's return-to-go over (t, s, a). The paper's constants (and its union bound over T and A) are not
 *   reproduced; only the ranking across MDPs is used.
 */
import type { FiniteHorizonMdp } from '../env/finite-horizon';

/** Relative tolerance for ties between Q-values. */
export const QVI_TIE_TOLERANCE = 1e-9;

function backupInto(m: FiniteHorizonMdp, next: Float64Array | null, out: Float64Array, outOffset: number) {
  // out[s·nA + a] = R(s, a) + Σ_{s'} P(s' | s, a) next[s'] (next = null at the last step).
  const { nS, nA, P, r } = m;
  for (let sa = 0; sa < nS * nA; sa++) {
    let v = r[sa];
    if (next) {
      const base = sa * nS;
      for (let sp = 0; sp < nS; sp++) v += P[base + sp] * next[sp];
    }
    out[outOffset + sa] = v;
  }
}

function stateValues(Q: Float64Array, offset: number, nS: number, nA: number, kind: 'max' | 'mean') {
  const v = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let acc = kind === 'max' ? -Infinity : 0;
    for (let a = 0; a < nA; a++) {
      const q = Q[offset + s * nA + a];
      acc = kind === 'max' ? Math.max(acc, q) : acc + q / nA;
    }
    v[s] = acc;
  }
  return v;
}

/** Q^rand_t(s, a) for t = 0 … T−1, layout [t·nS·nA + s·nA + a]. */
export function randomPolicyQ(m: FiniteHorizonMdp): Float64Array {
  const { nS, nA, T } = m;
  const Q = new Float64Array(T * nS * nA);
  let next: Float64Array | null = null;
  for (let t = T - 1; t >= 0; t--) {
    backupInto(m, next, Q, t * nS * nA);
    next = stateValues(Q, t * nS * nA, nS, nA, 'mean');
  }
  return Q;
}

/** One application of the Bellman optimality backup to a time-indexed Q: (B Q)_t = R + P max Q_{t+1}. */
export function bellmanOptimalityBackup(m: FiniteHorizonMdp, Q: Float64Array): Float64Array {
  const { nS, nA, T } = m;
  const out = new Float64Array(T * nS * nA);
  for (let t = 0; t < T; t++) {
    const next = t + 1 < T ? stateValues(Q, (t + 1) * nS * nA, nS, nA, 'max') : null;
    backupInto(m, next, out, t * nS * nA);
  }
  return out;
}

/** The iterates [Q^1, …, Q^K] of Definition 3.1 (Q^1 = Q^rand). */
export function qviIterates(m: FiniteHorizonMdp, K: number): Float64Array[] {
  const out = [randomPolicyQ(m)];
  while (out.length < K) out.push(bellmanOptimalityBackup(m, out[out.length - 1]));
  return out;
}

/** Q* by backward induction. */
export function optimalQ(m: FiniteHorizonMdp): Float64Array {
  const { nS, nA, T } = m;
  const Q = new Float64Array(T * nS * nA);
  let next: Float64Array | null = null;
  for (let t = T - 1; t >= 0; t--) {
    backupInto(m, next, Q, t * nS * nA);
    next = stateValues(Q, t * nS * nA, nS, nA, 'max');
  }
  return Q;
}

/** Expected return of a time-indexed deterministic policy pi[t·nS + s] from init. */
export function timeIndexedPolicyReturn(m: FiniteHorizonMdp, pi: Int32Array): number {
  const { nS, nA, T, P, r, init } = m;
  let V = new Float64Array(nS);
  for (let t = T - 1; t >= 0; t--) {
    const W = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      const a = pi[t * nS + s];
      const sa = s * nA + a;
      let v = r[sa];
      if (t + 1 < T) for (let sp = 0; sp < nS; sp++) v += P[sa * nS + sp] * V[sp];
      W[s] = v;
    }
    V = W;
  }
  let J = 0;
  for (let s = 0; s < nS; s++) J += init[s] * V[s];
  return J;
}

/** Expected return of the uniformly random policy. */
export function finiteHorizonRandomReturn(m: FiniteHorizonMdp): number {
  const Q = randomPolicyQ(m);
  const v = stateValues(Q, 0, m.nS, m.nA, 'mean');
  let J = 0;
  for (let s = 0; s < m.nS; s++) J += m.init[s] * v[s];
  return J;
}

/** Optimal expected return. */
export function finiteHorizonOptimalReturn(m: FiniteHorizonMdp): number {
  const v = stateValues(optimalQ(m), 0, m.nS, m.nA, 'max');
  let J = 0;
  for (let s = 0; s < m.nS; s++) J += m.init[s] * v[s];
  return J;
}

/** The greedy policy on a time-indexed Q (ties → lowest action index), pi[t·nS + s]. */
export function greedyTimeIndexedPolicy(m: FiniteHorizonMdp, Q: Float64Array): Int32Array {
  const { nS, nA, T } = m;
  const pi = new Int32Array(T * nS);
  for (let t = 0; t < T; t++)
    for (let s = 0; s < nS; s++) {
      let best = 0;
      for (let a = 1; a < nA; a++) if (Q[(t * nS + s) * nA + a] > Q[(t * nS + s) * nA + best]) best = a;
      pi[t * nS + s] = best;
    }
  return pi;
}

function tieTol(Q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < Q.length; i++) s = Math.max(s, Math.abs(Q[i]));
  return QVI_TIE_TOLERANCE * Math.max(1, s);
}

/** Result of analysing Q^k against Q*. */
export interface QviAnalysis {
  /** Whether every greedy policy on Q^k is optimal (k-QVI-solvable). */
  solvable: boolean;
  /** Smallest margin max_{a optimal} Q^k − max_{a suboptimal} Q^k over greedy-reachable (t, s) (optimal under
   *  Q*); positive when k-QVI-solvable; Infinity when no such state has a suboptimal action. */
  gap: number;
  /** Number of greedy-reachable (t, s) pairs. */
  reachable: number;
}

/**
 * k-QVI-solvability of Q = Q^k and its action gap over the states greedy policies reach (see the header). For
 * the gap, actions within `delta` of V*_t(s) count as optimal (the ε-optimal version used for H̄; `solvable`
 * is always the exact Definition 3.1).
 */
export function analyseQvi(m: FiniteHorizonMdp, Qk: Float64Array, Qstar: Float64Array, delta = 0): QviAnalysis {
  const { nS, nA, T, P, init } = m;
  const tolK = tieTol(Qk);
  const tolS = tieTol(Qstar);
  const tolGap = Math.max(tolS, delta);
  let reach = new Uint8Array(nS);
  for (let s = 0; s < nS; s++) if (init[s] > 0) reach[s] = 1;
  let solvable = true;
  let gap = Infinity;
  let count = 0;
  for (let t = 0; t < T; t++) {
    const next = new Uint8Array(nS);
    for (let s = 0; s < nS; s++) {
      if (!reach[s]) continue;
      count++;
      const off = (t * nS + s) * nA;
      let best = -Infinity;
      let bestStar = -Infinity;
      for (let a = 0; a < nA; a++) {
        best = Math.max(best, Qk[off + a]);
        bestStar = Math.max(bestStar, Qstar[off + a]);
      }
      // Margin of Q^k between the optimal actions (under Q*) and the suboptimal ones.
      let bestOpt = -Infinity;
      let bestSub = -Infinity;
      for (let a = 0; a < nA; a++) {
        const q = Qk[off + a];
        if (Qstar[off + a] >= bestStar - tolGap) bestOpt = Math.max(bestOpt, q);
        else bestSub = Math.max(bestSub, q);
        if (q >= best - tolK) {
          if (Qstar[off + a] < bestStar - tolS) solvable = false;
          if (t + 1 < T) for (let sp = 0; sp < nS; sp++) if (P[(s * nA + a) * nS + sp] > 0) next[sp] = 1;
        }
      }
      if (bestSub > -Infinity) gap = Math.min(gap, bestOpt - bestSub);
    }
    reach = next;
  }
  return { solvable, gap, reachable: count };
}

/** Variance of the random policy's return-to-go from (t, s, a), layout as Q. */
export function randomReturnVariance(m: FiniteHorizonMdp): Float64Array {
  const { nS, nA, T, P, r } = m;
  const Q = randomPolicyQ(m);
  const M2 = new Float64Array(T * nS * nA);
  let v1: Float64Array | null = null; // E[G_{t+1} | s'] under the random policy
  let v2: Float64Array | null = null; // E[G_{t+1}² | s']
  for (let t = T - 1; t >= 0; t--) {
    for (let sa = 0; sa < nS * nA; sa++) {
      const rr = r[sa];
      let e1 = 0;
      let e2 = 0;
      if (v1 && v2)
        for (let sp = 0; sp < nS; sp++) {
          const p = P[sa * nS + sp];
          e1 += p * v1[sp];
          e2 += p * v2[sp];
        }
      M2[t * nS * nA + sa] = rr * rr + 2 * rr * e1 + e2;
    }
    v1 = stateValues(Q, t * nS * nA, nS, nA, 'mean');
    v2 = stateValues(M2, t * nS * nA, nS, nA, 'mean');
  }
  const Var = new Float64Array(T * nS * nA);
  for (let i = 0; i < Var.length; i++) Var[i] = Math.max(0, M2[i] - Q[i] * Q[i]);
  return Var;
}

/** Everything the effective-horizon analysis of one MDP reports. */
export interface EffectiveHorizonAnalysis {
  /** Least k for which the MDP is k-QVI-solvable. */
  kMin: number;
  /** H̄_k = k + log_A m_k for k = 1 … T (NaN where Q^k does not separate the δ-optimal actions). */
  hk: number[];
  /** min_k H̄_k. */
  effectiveHorizon: number;
  /** The k attaining it. */
  kStar: number;
  /** Largest variance of the random policy's return-to-go. */
  maxVariance: number;
  /** max |Q^T − Q*| (identity check: 0 up to rounding). */
  qTMinusQstar: number;
  /** J* − J(greedy on Q^{k_min}) (0 by definition of k_min). */
  greedyKminRegret: number;
}

/**
 * k_min, H̄_k and the effective-horizon proxy of one MDP, exactly. H̄_k is defined where Q^k separates the
 * δ-optimal actions from the others by a positive margin at every greedy-reachable state (δ = 0: exactly where
 * the MDP is k-QVI-solvable).
 */
export function effectiveHorizonAnalysis(m: FiniteHorizonMdp, delta = 0): EffectiveHorizonAnalysis {
  const Qs = optimalQ(m);
  const iters = qviIterates(m, m.T);
  const Var = randomReturnVariance(m);
  let maxVariance = 0;
  for (let i = 0; i < Var.length; i++) maxVariance = Math.max(maxVariance, Var[i]);
  const hk: number[] = [];
  let kMin = 0;
  let best = Infinity;
  let kStar = 0;
  for (let k = 1; k <= m.T; k++) {
    if (kMin === 0 && analyseQvi(m, iters[k - 1], Qs).solvable) kMin = k;
    const a = analyseQvi(m, iters[k - 1], Qs, delta);
    if (!(a.gap > 0)) {
      hk.push(NaN);
      continue;
    }
    const mk = Number.isFinite(a.gap) ? Math.max(1, (4 * maxVariance) / (a.gap * a.gap)) : 1;
    const h = k + Math.log(mk) / Math.log(m.nA);
    hk.push(h);
    if (h < best) {
      best = h;
      kStar = k;
    }
  }
  let qT = 0;
  const QT = iters[m.T - 1];
  for (let i = 0; i < QT.length; i++) qT = Math.max(qT, Math.abs(QT[i] - Qs[i]));
  const Jstar = finiteHorizonOptimalReturn(m);
  const greedyKminRegret = Jstar - timeIndexedPolicyReturn(m, greedyTimeIndexedPolicy(m, iters[kMin - 1]));
  return { kMin, hk, effectiveHorizon: best, kStar, maxVariance, qTMinusQstar: qT, greedyKminRegret };
}
