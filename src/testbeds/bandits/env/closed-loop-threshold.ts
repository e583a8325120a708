/**
 * A closed-loop threshold-lending bandit (two groups, one scalar score, demographic-parity and service-rate
 * constraints, a population mix that responds to the decisions).
 *
 * Each round a batch of m applicants arrives; applicant i belongs to group 1 with probability p_t (else group 0)
 * and has a score s ~ N(μ_g, σ²). The lender picks one threshold τ_k from a grid and accepts iff s ≥ τ_k. An accepted
 * applicant repays with probability q(s) = clip(s, 0, 1) (a calibrated score); repayment earns 1 − c, default −c.
 *
 * Per round the learner observes only, for the threshold it chose (bandit feedback):
 *   reward    r̂_t = (1/m) Σ_i 1[accepted_i] (y_i − c),
 *   DP residual  ĝ_dp = |Â_0 − Â_1| − ε            (Â_g = acceptance rate of group g in the batch),
 *   service residual ĝ_sr = s_min − (accepted / m)  (a constraint holds when its residual is ≤ 0).
 *
 * Closed loop (a stable contraction): p_{t+1} = (1 − a) p_t + a f(Â_0, Â_1), f = clip(p̄ + κ(Â_1 − Â_0), p_lo, p_hi):
 * a group accepted less applies less. For a fixed threshold τ the share converges (in mean) to
 * p*(τ) = p̄ + κ(A_1(τ) − A_0(τ)) (f is linear in the rates and the clip is inactive on the grid; asserted).
 *
 * Exact quantities (given p): A_g(τ) = 1 − Φ((τ − μ_g)/σ); R_g(τ) = E[1[s ≥ τ](q(s) − c) | g] in closed form;
 * the expected reward r(τ, p) = (1 − p) R_0 + p R_1, the overall acceptance A(τ, p) = (1 − p) A_0 + p A_1, and the
 * expected violation v(τ, p) = [|A_0 − A_1| − ε]_+ + [s_min − A(τ, p)]_+. Sampling is exact in distribution without
 * drawing scores: given the group, acceptance is Bernoulli(A_g(τ)) and repayment given acceptance is
 * Bernoulli(E[q(s) | s ≥ τ, g]).
 */
import type { Rng } from '../../../core/rng';
import { normalCdf } from '../../../stats/distributions';

export interface ClosedLoopThresholdParams {
  /** Mean score of group 0 (advantaged) and group 1. */
  mu: [number, number];
  /** Score standard deviation (both groups). */
  sd: number;
  /** Cost of a loan: repayment earns 1 − c, default −c. */
  cost: number;
  /** Demographic-parity tolerance ε: |A_0 − A_1| ≤ ε. */
  eps: number;
  /** Minimum overall acceptance (service) rate s_min. */
  sMin: number;
  /** Baseline group-1 share p̄ and its sensitivity κ to the acceptance-rate gap. */
  pBar: number;
  kappa: number;
  /** Contraction step a ∈ (0, 1]. */
  alpha: number;
  /** Initial group-1 share p_0. */
  p0: number;
  /** Clip range of f. */
  pLo: number;
  pHi: number;
  /** Applicants per round. */
  batch: number;
  /** The threshold grid (ascending). */
  grid: number[];
}

export interface ClosedLoopThresholdTables {
  params: ClosedLoopThresholdParams;
  K: number;
  /** A_g(τ_k): acceptance rate of group g at grid point k (index g·K + k). */
  accept: Float64Array;
  /** E[q(s) | s ≥ τ_k, g] (repay probability of the accepted; 0 where nobody is accepted). */
  repay: Float64Array;
  /** R_g(τ_k) = E[1[s ≥ τ_k](q(s) − c) | g]. */
  reward: Float64Array;
}

/** ∫_τ^∞ clip(s, 0, 1) φ_{μ,σ}(s) ds in closed form. */
export function clippedScoreMass(tau: number, mu: number, sd: number): number {
  const pdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const lo = Math.max(tau, 0);
  if (lo >= 1) return 1 - normalCdf((tau - mu) / sd);
  const zl = (lo - mu) / sd,
    z1 = (1 - mu) / sd;
  // ∫_lo^1 s φ = μ(Φ(z1) − Φ(zl)) − σ(φ(z1) − φ(zl)); above 1 the repay probability is 1.
  return mu * (normalCdf(z1) - normalCdf(zl)) - sd * (pdf(z1) - pdf(zl)) + (1 - normalCdf(z1));
}

export function closedLoopTables(params: ClosedLoopThresholdParams): ClosedLoopThresholdTables {
  const K = params.grid.length;
  const accept = new Float64Array(2 * K),
    repay = new Float64Array(2 * K),
    reward = new Float64Array(2 * K);
  for (let g = 0; g < 2; g++)
    for (let k = 0; k < K; k++) {
      const tau = params.grid[k],
        mu = params.mu[g];
      const A = 1 - normalCdf((tau - mu) / params.sd);
      const mass = clippedScoreMass(tau, mu, params.sd);
      accept[g * K + k] = A;
      repay[g * K + k] = A > 0 ? Math.min(1, mass / A) : 0;
      reward[g * K + k] = mass - params.cost * A;
    }
  return { params, K, accept, repay, reward };
}

/** The steady-state group-1 share p*(τ_k) under a fixed threshold (the fixed point of the mean dynamics). */
export function steadyShare(tb: ClosedLoopThresholdTables, k: number): number {
  const { pBar, kappa, pLo, pHi } = tb.params;
  const f = pBar + kappa * (tb.accept[tb.K + k] - tb.accept[k]);
  if (f < pLo || f > pHi) throw new RangeError(`steadyShare: f = ${f} is clipped at grid point ${k}; p* is not linear`);
  return f;
}

/** Expected reward r(τ_k, p) given the share p. */
export function thresholdReward(tb: ClosedLoopThresholdTables, k: number, p: number): number {
  return (1 - p) * tb.reward[k] + p * tb.reward[tb.K + k];
}

/** |A_0(τ_k) − A_1(τ_k)|: the demographic-parity gap (independent of p). */
export function dpGap(tb: ClosedLoopThresholdTables, k: number): number {
  return Math.abs(tb.accept[k] - tb.accept[tb.K + k]);
}

/** Overall acceptance rate A(τ_k, p). */
export function serviceRate(tb: ClosedLoopThresholdTables, k: number, p: number): number {
  return (1 - p) * tb.accept[k] + p * tb.accept[tb.K + k];
}

/** Expected constraint violations [DP residual]_+ and [service residual]_+ at (τ_k, p). */
export function expectedViolation(tb: ClosedLoopThresholdTables, k: number, p: number): { dp: number; sr: number } {
  return {
    dp: Math.max(0, dpGap(tb, k) - tb.params.eps),
    sr: Math.max(0, tb.params.sMin - serviceRate(tb, k, p)),
  };
}

export interface FixedThresholdValue {
  k: number;
  share: number;
  reward: number;
  dpGap: number;
  service: number;
  feasible: boolean;
}

/** Steady-state value of every fixed grid threshold (exact, from the known model). */
export function fixedThresholdValues(tb: ClosedLoopThresholdTables): FixedThresholdValue[] {
  return Array.from({ length: tb.K }, (_, k) => {
    const share = steadyShare(tb, k);
    const gap = dpGap(tb, k),
      service = serviceRate(tb, k, share);
    return {
      k,
      share,
      reward: thresholdReward(tb, k, share),
      dpGap: gap,
      service,
      feasible: gap <= tb.params.eps && service >= tb.params.sMin,
    };
  });
}

/** The best feasible fixed threshold (steady-state reward under the loop), and the unconstrained best. */
export function bestFixedThreshold(tb: ClosedLoopThresholdTables): {
  feasible: FixedThresholdValue;
  unconstrained: FixedThresholdValue;
} {
  const v = fixedThresholdValues(tb);
  let f: FixedThresholdValue | undefined,
    u = v[0];
  for (const x of v) {
    if (x.reward > u.reward) u = x;
    if (x.feasible && (!f || x.reward > f.reward)) f = x;
  }
  if (!f) throw new Error('bestFixedThreshold: no grid threshold is feasible');
  return { feasible: f, unconstrained: u };
}

export interface ClosedLoopState {
  /** Current group-1 share p_t. */
  p: number;
}

export interface ClosedLoopObservation {
  /** Observed batch reward and residuals (what the learner sees). */
  reward: number;
  dpResidual: number;
  srResidual: number;
  /** Exact expected reward and violations at (τ_k, p_t) (for evaluation only). */
  meanReward: number;
  dpViolation: number;
  srViolation: number;
  /** p_t before the update. */
  share: number;
}

/** One round at grid threshold k: samples the batch, observes, updates the share. */
export function stepClosedLoop(
  tb: ClosedLoopThresholdTables,
  state: ClosedLoopState,
  k: number,
  rng: Rng,
): ClosedLoopObservation {
  const P = tb.params,
    K = tb.K,
    p = state.p;
  const a0 = tb.accept[k],
    a1 = tb.accept[K + k],
    q0 = tb.repay[k],
    q1 = tb.repay[K + k];
  let n1 = 0,
    acc0 = 0,
    acc1 = 0,
    repaid = 0;
  for (let i = 0; i < P.batch; i++) {
    const g1 = rng.uniform() < p;
    if (g1) n1++;
    if (rng.uniform() < (g1 ? a1 : a0)) {
      if (g1) acc1++;
      else acc0++;
      if (rng.uniform() < (g1 ? q1 : q0)) repaid++;
    }
  }
  const n0 = P.batch - n1,
    acc = acc0 + acc1;
  const r0 = n0 > 0 ? acc0 / n0 : n1 > 0 ? acc1 / n1 : 0;
  const r1 = n1 > 0 ? acc1 / n1 : r0;
  const v = expectedViolation(tb, k, p);
  const obs: ClosedLoopObservation = {
    reward: (repaid - P.cost * acc) / P.batch,
    dpResidual: Math.abs(r0 - r1) - P.eps,
    srResidual: P.sMin - acc / P.batch,
    meanReward: thresholdReward(tb, k, p),
    dpViolation: v.dp,
    srViolation: v.sr,
    share: p,
  };
  const f = Math.min(P.pHi, Math.max(P.pLo, P.pBar + P.kappa * (r1 - r0)));
  state.p = (1 - P.alpha) * p + P.alpha * f;
  return obs;
}

/** The evenly spaced grid of `count` thresholds on [lo, hi]. */
export function thresholdGrid(count: number, lo = 0, hi = 1): number[] {
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}
