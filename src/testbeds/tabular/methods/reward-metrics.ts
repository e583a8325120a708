/**
 * Reward metrics on tabular MDPs: STARC, EPIC, DARD and the plain-L2 baseline.
 *
 * Paper: J. Skalse, L. Farnik, S. R. Motwani, E. Jenner, A. Gleave, A. Abate. "STARC: A General
 * Framework For Quantifying Differences Between Reward Functions". ICLR 2024, arXiv:2309.15257.
 * Official code: github.com/lucyfarnik/starc (src/distance/canon/*.py, src/experiments/interpolated.py).
 * Definition numbers below are those of the ICLR/OpenReview version as its reviewers cite them
 * (Def. 1 canonicalisation function, Prop. 2 VAL, Def. 3 STARC metric); section numbers (§2
 * definitions, §3 theory, §4 experiments) are from the paper's outline. Each formula was checked
 * against the official code, which is what the paper's experiments ran.
 *
 * STARC (§2):
 * - Canonicalisation function (Def. 1): a linear c : R → R such that c(R) and R differ only by
 *   potential shaping and S'-redistribution, and c(R₁) = c(R₂) iff R₁ and R₂ differ only by
 *   potential shaping and S'-redistribution.
 * - Value-Adjusted Levelling, VAL (Prop. 2; official `state_val_exp_canon`, reported as "VAL"):
 *     c(R)(s,a,s') = E_{S'∼τ(s,a)}[ R(s,a,S') − V^π(s) + γ V^π(S') ],
 *   V^π the value of R under a fixed policy π (uniform here, as in the paper's experiments).
 *   The result does not depend on s'.                                        → `canonicaliseVAL`
 * - The variant without the expectation, R(s,a,s') − V^π(s) + γV^π(s') (official
 *   `state_val_canon`, reported as "VALPotential"), removes potential shaping only; it is NOT a
 *   canonicalisation function in the sense of Def. 1.                       → `canonicaliseValuePotential`
 * - Minimal canonicalisation for a norm n: n(c(R)) ≤ n(R') for every R' equivalent to R. For the
 *   (unweighted) L2 norm it is the orthogonal projection of R onto the complement of
 *   {potential shaping} + {S'-redistribution}; we compute it in closed form (derivation at
 *   `canonicaliseMinimalL2`). The official code approximates it with Adam.   → `canonicaliseMinimalL2`
 * - Normalisation (Def. 3): s(R) = c(R)/n(c(R)) if n(c(R)) ≠ 0, else c(R); n a norm.  → `standardise`
 * - STARC metric (Def. 3): d(R₁,R₂) = m(s(R₁), s(R₂)), m a metric bilipschitz-equivalent to a norm.
 *   We use m(x,y) = ‖x − y‖_p (the official experiments use p ∈ {1, 2, ∞} and τ-weighted variants
 *   for both n and m, unscaled, so with n = m = L2 the range is [0, 2]; pass `scale: 0.5` for [0, 1]).
 *                                                                                → `starcDistance`
 * - Soundness/completeness (§3): for every STARC metric there are constants U, L > 0 (depending on
 *   τ, μ₀, γ, c, n, m; the paper proves existence and gives no values) such that
 *   (sound) J₂(π₂) ≥ J₂(π₁) ⇒ J₁(π₁) − J₁(π₂) ≤ U·(max_π J₁ − min_π J₁)·d(R₁,R₂), and
 *   (complete) some π₁, π₂ with J₂(π₂) ≥ J₂(π₁) have J₁(π₁) − J₁(π₂) ≥ L·(max_π J₁ − min_π J₁)·d(R₁,R₂).
 *   `regretBoundCheck` evaluates an explicit, instance-level form of the soundness bound (derived here,
 *   not taken from the paper): see its doc comment.
 *
 * Baselines:
 * - EPIC (Gleave, Dennis, Legg, Russell & Leike, "Quantifying Differences in Reward Functions",
 *   ICLR 2021, Def. 4.1 and Def. 4.3):
 *     C_EPIC(R)(s,a,s') = R(s,a,s') + E[γR(s',A,S') − R(s,A,S') − γR(S,A,S')], S,S' ∼ D_S, A ∼ D_A,
 *     D_EPIC(R₁,R₂) = D_ρ(C(R₁), C(R₂)),  D_ρ(X,Y) = sqrt((1 − ρ(X,Y))/2), ρ Pearson under a
 *     coverage distribution D over (s,a,s') (default D_S⊗D_A⊗D_S, D_S, D_A uniform). → `epicDistance`
 * - DARD (Wulfe, Ellis, Mercat, McAllister, Gaidon & Balakrishna, "Dynamics-Aware Comparison of
 *   Learned Reward Functions", ICLR 2022, Eq. 3):
 *     C_DARD(R)(s,a,s') = R(s,a,s') + E[γR(s',A,S'') − R(s,A,S') − γR(S',A,S'')],
 *     A ∼ D_A, S' ∼ τ(s,A), S'' ∼ τ(s',A) (one A for all terms, as in the official STARC code),
 *     D_DARD = D_ρ of the canonicalised rewards under a coverage D over feasible transitions
 *     (default D(s,a,s') = D_S(s) D_A(a) τ(s,a,s')).                             → `dardDistance`
 *   EPIC and DARD are not canonicalisation functions in the sense of Def. 1 (they do not remove
 *   S'-redistribution), and STARC's appendices argue that neither metric is both sound and complete.
 * - Plain L2 ("None" canonicalisation in the paper's Figure 1 / official code): c = identity,
 *   then normalise and compare: ‖R₁/‖R₁‖₂ − R₂/‖R₂‖₂‖₂.                        → `l2Distance`
 *
 * Numerical zero: n(c(R)) is treated as 0 when it is ≤ `zeroTol`·n(R) (default 1e-9), so that a
 * pure-shaping reward (whose canonical form is zero up to rounding) is not blown up to unit norm.
 */

import { checkRewardShape, denseTransitions, uniformPolicy, type Policy, type TabularEnv } from '../env/mdp';
import {
  expectedReward,
  occupancy,
  policyEvaluation,
  policyMatrix,
  regretOfOptimal,
  returnRange,
  solveLinearSystem,
  valueIteration,
} from '../solvers/exact';

// ---------------------------------------------------------------------------------------------
// Norms and distributions
// ---------------------------------------------------------------------------------------------

/** An L_p norm, optionally weighted: (Σ w_i |x_i|^p)^{1/p}; for p = ∞, max_i w_i |x_i| (as in the official code). */
export interface NormSpec {
  /** 1, 2 (default), Infinity, or any p ≥ 1. */
  p?: number;
  /** Non-negative weights of the same length as the reward (e.g. `transitionWeights(env)`). */
  weights?: Float64Array;
}

export function lpNorm(x: ArrayLike<number>, spec: NormSpec = {}): number {
  const p = spec.p ?? 2;
  const w = spec.weights;
  if (!(p >= 1)) throw new RangeError(`lpNorm: p must be ≥ 1 (or Infinity), got ${p}`);
  if (w && w.length !== x.length)
    throw new RangeError(`lpNorm: weights have length ${w.length}, vector has ${x.length}`);
  const n = x.length;
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(x[i]) * (w ? w[i] : 1);
      if (v > m) m = v;
    }
    return m;
  }
  let acc = 0;
  if (p === 2) {
    for (let i = 0; i < n; i++) acc += (w ? w[i] : 1) * x[i] * x[i];
    return Math.sqrt(acc);
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) acc += (w ? w[i] : 1) * Math.abs(x[i]);
    return acc;
  }
  for (let i = 0; i < n; i++) acc += (w ? w[i] : 1) * Math.pow(Math.abs(x[i]), p);
  return Math.pow(acc, 1 / p);
}

/** τ(s,a,s') as weights over [s,a,s'] — the official code's "weighted" norms. */
export function transitionWeights(env: TabularEnv): Float64Array {
  return denseTransitions(env.T);
}

function uniform(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n);
}

function checkDist(name: string, d: Float64Array, n: number): Float64Array {
  if (d.length !== n) throw new RangeError(`${name}: expected length ${n}, got ${d.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!(d[i] >= 0)) throw new RangeError(`${name}: entry ${i} is ${d[i]}, must be ≥ 0`);
    sum += d[i];
  }
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`${name}: sums to ${sum}, expected 1`);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Canonicalisations
// ---------------------------------------------------------------------------------------------

export interface EpicOptions {
  /** D_S (default uniform). */
  stateDist?: Float64Array;
  /** D_A (default uniform). */
  actionDist?: Float64Array;
}

/**
 * C_EPIC(R)(s,a,s') = R + γ m(s') − m(s) − γ E[m(S)], m(s) = E_{A∼D_A, S'∼D_S} R(s,A,S')
 * (Gleave et al. 2021, Def. 4.1).
 */
export function canonicaliseEPIC(env: TabularEnv, R: Float64Array, opts: EpicOptions = {}): Float64Array {
  const { nS, nA, gamma } = env;
  checkRewardShape(env, R, 'canonicaliseEPIC');
  const DS = checkDist('canonicaliseEPIC: stateDist', opts.stateDist ?? uniform(nS), nS);
  const DA = checkDist('canonicaliseEPIC: actionDist', opts.actionDist ?? uniform(nA), nA);
  const m = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let acc = 0;
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * nS;
      let inner = 0;
      for (let sp = 0; sp < nS; sp++) inner += DS[sp] * R[base + sp];
      acc += DA[a] * inner;
    }
    m[s] = acc;
  }
  let mean = 0;
  for (let s = 0; s < nS; s++) mean += DS[s] * m[s];
  const out = new Float64Array(R.length);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * nS;
      for (let sp = 0; sp < nS; sp++) out[base + sp] = R[base + sp] + gamma * m[sp] - m[s] - gamma * mean;
    }
  }
  return out;
}

export interface DardOptions {
  /** D_A (default uniform). */
  actionDist?: Float64Array;
}

/**
 * C_DARD(R)(s,a,s') = R(s,a,s') + γ p(s') − p(s) − γ q(s,s') (Wulfe et al. 2022, Eq. 3), with
 * p(s) = E_{A∼D_A, X∼τ(s,A)} R(s,A,X) and q(s,s') = E_{A∼D_A, X∼τ(s,A), Y∼τ(s',A)} R(X,A,Y).
 */
export function canonicaliseDARD(env: TabularEnv, R: Float64Array, opts: DardOptions = {}): Float64Array {
  const { nS, nA, gamma, T } = env;
  const { rowPtr, col, prob } = T;
  checkRewardShape(env, R, 'canonicaliseDARD');
  const DA = checkDist('canonicaliseDARD: actionDist', opts.actionDist ?? uniform(nA), nA);
  const p = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let acc = 0;
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      let e = 0;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) e += prob[k] * R[r * nS + col[k]];
      acc += DA[a] * e;
    }
    p[s] = acc;
  }
  const q = new Float64Array(nS * nS);
  const G = new Float64Array(nS * nS); // G[x, s'] = E_{Y∼τ(s',a)} R(x,a,Y)
  for (let a = 0; a < nA; a++) {
    if (DA[a] === 0) continue;
    for (let x = 0; x < nS; x++) {
      const rb = (x * nA + a) * nS;
      for (let sp = 0; sp < nS; sp++) {
        const r = sp * nA + a;
        let e = 0;
        for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) e += prob[k] * R[rb + col[k]];
        G[x * nS + sp] = e;
      }
    }
    for (let s = 0; s < nS; s++) {
      const r = s * nA + a;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
        const w = DA[a] * prob[k];
        const gx = col[k] * nS;
        for (let sp = 0; sp < nS; sp++) q[s * nS + sp] += w * G[gx + sp];
      }
    }
  }
  const out = new Float64Array(R.length);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * nS;
      for (let sp = 0; sp < nS; sp++) out[base + sp] = R[base + sp] + gamma * p[sp] - p[s] - gamma * q[s * nS + sp];
    }
  }
  return out;
}

export interface ValOptions {
  /** The fixed policy π (default: uniformly random, as in the paper's experiments). */
  policy?: Policy;
  /** How V^π is computed: 'linear' (default, exact) or 'iterative' (for large nS). */
  evaluation?: 'linear' | 'iterative';
}

/** V^π of R, and E_{S'∼τ(s,a)} V^π(S') for every (s,a). */
function valueAndNextValue(env: TabularEnv, R: Float64Array, opts: ValOptions): { V: Float64Array; EV: Float64Array } {
  const { nS, nA, T } = env;
  const policy = opts.policy ?? uniformPolicy(env);
  policyMatrix(env, policy);
  const V = policyEvaluation(env, R, policy, { method: opts.evaluation ?? 'linear', tol: 1e-13 });
  const EV = new Float64Array(nS * nA);
  for (let r = 0; r < nS * nA; r++) {
    let e = 0;
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) e += T.prob[k] * V[T.col[k]];
    EV[r] = e;
  }
  return { V, EV };
}

/** VAL (STARC Prop. 2): c(R)(s,a,s') = E_{S'∼τ(s,a)}[R(s,a,S') − V^π(s) + γV^π(S')] (constant in s'). */
export function canonicaliseVAL(env: TabularEnv, R: Float64Array, opts: ValOptions = {}): Float64Array {
  const { nS, nA, gamma } = env;
  checkRewardShape(env, R, 'canonicaliseVAL');
  const rbar = expectedReward(env, R);
  const { V, EV } = valueAndNextValue(env, rbar, opts);
  const out = new Float64Array(R.length);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      const v = rbar[r] - V[s] + gamma * EV[r];
      out.fill(v, r * nS, (r + 1) * nS);
    }
  }
  return out;
}

/** "VALPotential" (official code): R(s,a,s') − V^π(s) + γV^π(s'). Removes potential shaping only. */
export function canonicaliseValuePotential(env: TabularEnv, R: Float64Array, opts: ValOptions = {}): Float64Array {
  const { nS, nA, gamma } = env;
  checkRewardShape(env, R, 'canonicaliseValuePotential');
  const { V } = valueAndNextValue(env, R, opts);
  const out = new Float64Array(R.length);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * nS;
      for (let sp = 0; sp < nS; sp++) out[base + sp] = R[base + sp] - V[s] + gamma * V[sp];
    }
  }
  return out;
}

/**
 * The minimal canonicalisation for the unweighted L2 norm over [s,a,s'] (STARC §2, "minimal
 * canonicalisation"): argmin ‖R'‖₂ over R' equivalent to R under potential shaping and
 * S'-redistribution.
 *
 * Derivation. The equivalence class is R + W, W = Shaping + Redist, with
 * Redist = {δ : Σ_{s'} τ(s,a,s') δ(s,a,s') = 0 ∀(s,a)}, whose orthogonal complement is
 * {α(s,a) τ(s,a,s')}. The minimiser is the projection of R onto W^⊥ ⊂ Redist^⊥, hence of the form
 * c(s,a,s') = τ(s,a,s') β(s,a)/w(s,a), w(s,a) = Σ_{s'} τ(s,a,s')², with E_τ[c](s,a) = β(s,a). It must
 * have the same τ-expectation as some shaping of R: β = r̄ + γτΦ − Φ, and its norm
 * ‖c‖² = Σ_{s,a} β(s,a)²/w(s,a) is minimised over Φ — a weighted least-squares problem in nS
 * unknowns whose normal matrix is positive definite for γ < 1.
 */
export function canonicaliseMinimalL2(env: TabularEnv, R: Float64Array): Float64Array {
  const { nS, nA, gamma, T } = env;
  const { rowPtr, col, prob } = T;
  checkRewardShape(env, R, 'canonicaliseMinimalL2');
  const rbar = expectedReward(env, R);
  const nSA = nS * nA;
  const w = new Float64Array(nSA);
  for (let r = 0; r < nSA; r++) {
    let acc = 0;
    for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) acc += prob[k] * prob[k];
    w[r] = acc;
  }
  // Row r of M: M[r, j] = γ τ(s,a,j) − [j = s]. Normal equations (Mᵀ W M) Φ = −Mᵀ W r̄, W = diag(1/w).
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  const idx: number[] = [];
  const val: number[] = [];
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      idx.length = 0;
      val.length = 0;
      let selfSeen = false;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
        const j = col[k];
        let v = gamma * prob[k];
        if (j === s) {
          v -= 1;
          selfSeen = true;
        }
        idx.push(j);
        val.push(v);
      }
      if (!selfSeen) {
        idx.push(s);
        val.push(-1);
      }
      const iw = 1 / w[r];
      for (let i = 0; i < idx.length; i++) {
        const vi = val[i] * iw;
        b[idx[i]] -= vi * rbar[r];
        for (let j = 0; j < idx.length; j++) A[idx[i] * nS + idx[j]] += vi * val[j];
      }
    }
  }
  const Phi = solveLinearSystem(A, b, nS);
  const out = new Float64Array(nSA * nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      let tphi = 0;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) tphi += prob[k] * Phi[col[k]];
      const beta = rbar[r] + gamma * tphi - Phi[s];
      const f = beta / w[r];
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) out[r * nS + col[k]] = prob[k] * f;
    }
  }
  return out;
}

export type CanonicalisationName = 'val' | 'minimal' | 'epic' | 'dard' | 'value-potential' | 'none';

/** Canonicalisations that are canonicalisation functions in the sense of STARC Def. 1. */
export const STARC_CANONICALISATIONS: readonly CanonicalisationName[] = ['val', 'minimal'];

export interface CanonicaliseOptions extends EpicOptions, ValOptions {}

export function canonicalise(
  env: TabularEnv,
  R: Float64Array,
  name: CanonicalisationName,
  opts: CanonicaliseOptions = {},
): Float64Array {
  switch (name) {
    case 'val':
      return canonicaliseVAL(env, R, opts);
    case 'minimal':
      return canonicaliseMinimalL2(env, R);
    case 'epic':
      return canonicaliseEPIC(env, R, opts);
    case 'dard':
      return canonicaliseDARD(env, R, opts);
    case 'value-potential':
      return canonicaliseValuePotential(env, R, opts);
    case 'none':
      checkRewardShape(env, R, 'canonicalise');
      return Float64Array.from(R);
    default:
      throw new RangeError(
        `canonicalise: unknown canonicalisation '${String(name)}' ` +
          '(use val | minimal | epic | dard | value-potential | none)',
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Standardisation and distances
// ---------------------------------------------------------------------------------------------

export interface StandardiseOptions extends CanonicaliseOptions {
  /** Canonicalisation c (default 'val'). */
  canonicalisation?: CanonicalisationName;
  /** Normalisation norm n (default unweighted L2). */
  norm?: NormSpec;
  /** n(c(R)) ≤ zeroTol·n(R) counts as 0 (default 1e-9). */
  zeroTol?: number;
}

export interface Standardised {
  /** s(R) = c(R)/n(c(R)), or c(R) (≈ 0) when n(c(R)) is numerically zero. */
  s: Float64Array;
  /** c(R). */
  canonical: Float64Array;
  /** n(c(R)) (0 when treated as zero). */
  normOfCanonical: number;
}

/** s(R) = c(R)/n(c(R)) (STARC Def. 3). */
export function standardise(env: TabularEnv, R: Float64Array, opts: StandardiseOptions = {}): Standardised {
  const canonical = canonicalise(env, R, opts.canonicalisation ?? 'val', opts);
  const norm = opts.norm ?? {};
  const nc = lpNorm(canonical, norm);
  const ref = lpNorm(R, norm);
  const zeroTol = opts.zeroTol ?? 1e-9;
  if (!(nc > zeroTol * ref)) {
    return { s: new Float64Array(canonical.length), canonical, normOfCanonical: 0 };
  }
  const s = new Float64Array(canonical.length);
  for (let i = 0; i < s.length; i++) s[i] = canonical[i] / nc;
  return { s, canonical, normOfCanonical: nc };
}

export interface DistanceOptions extends StandardiseOptions {
  /** Metric m(x,y) = scale·‖x − y‖ under this norm (default: same as `norm`). */
  metric?: NormSpec;
  /** Multiplier on the metric (default 1; 0.5 maps the L2/L2 range [0,2] to [0,1]). */
  scale?: number;
}

/** d(R₁,R₂) = scale·m(s(R₁), s(R₂)) for any canonicalisation (the paper's Figure-1 family). */
export function standardisedDistance(
  env: TabularEnv,
  R1: Float64Array,
  R2: Float64Array,
  opts: DistanceOptions = {},
): number {
  const s1 = standardise(env, R1, opts).s;
  const s2 = standardise(env, R2, opts).s;
  const diff = new Float64Array(s1.length);
  for (let i = 0; i < diff.length; i++) diff[i] = s1[i] - s2[i];
  return (opts.scale ?? 1) * lpNorm(diff, opts.metric ?? opts.norm ?? {});
}

/**
 * STARC distance (Def. 3) with VAL canonicalisation (uniform π) by default, L2 normalisation and
 * L2 metric, unscaled: d ∈ [0, 2], d(R, −R) = 2 for non-trivial R. `canonicalisation: 'minimal'`
 * gives the minimal-L2 STARC metric.
 */
export function starcDistance(env: TabularEnv, R1: Float64Array, R2: Float64Array, opts: DistanceOptions = {}): number {
  return standardisedDistance(env, R1, R2, { canonicalisation: 'val', ...opts });
}

/**
 * Pearson distance sqrt((1 − ρ)/2) under weights (a distribution over entries; normalised here).
 * Conventions for degenerate inputs: both constant → 0; exactly one constant → ρ := 0.
 */
export function pearsonDistance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
  zeroVar = 0,
): number {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`pearsonDistance: lengths differ (${n} vs ${y.length})`);
  if (weights && weights.length !== n)
    throw new RangeError(`pearsonDistance: weights have length ${weights.length}, expected ${n}`);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weights ? weights[i] : 1;
  if (!(wsum > 0)) throw new RangeError('pearsonDistance: weights must have a positive sum');
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    const w = (weights ? weights[i] : 1) / wsum;
    mx += w * x[i];
    my += w * y[i];
  }
  let vx = 0,
    vy = 0;
  for (let i = 0; i < n; i++) {
    const w = (weights ? weights[i] : 1) / wsum;
    const dx = x[i] - mx,
      dy = y[i] - my;
    vx += w * dx * dx;
    vy += w * dy * dy;
  }
  const zx = !(vx > zeroVar),
    zy = !(vy > zeroVar);
  if (zx && zy) return 0;
  if (zx || zy) return Math.SQRT1_2; // ρ := 0
  // sqrt((1 − ρ)/2) = ½‖x̃/σ_x − ỹ/σ_y‖ (standardised, weighted): evaluated in this form because it is
  // numerically stable near ρ = 1 (the square root of 1 − ρ would amplify rounding in ρ to ~1e-8).
  const sx = 1 / Math.sqrt(vx),
    sy = 1 / Math.sqrt(vy);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const w = (weights ? weights[i] : 1) / wsum;
    const d = (x[i] - mx) * sx - (y[i] - my) * sy;
    acc += w * d * d;
  }
  return Math.min(1, 0.5 * Math.sqrt(acc));
}

/** Zero-variance threshold relative to the raw rewards' second moment under the coverage weights. */
function relativeZeroVar(R1: Float64Array, R2: Float64Array, w: Float64Array, tol: number): number {
  let m = 0,
    wsum = 0;
  for (let i = 0; i < R1.length; i++) {
    m += w[i] * Math.max(R1[i] * R1[i], R2[i] * R2[i]);
    wsum += w[i];
  }
  return tol * tol * (m / wsum);
}

export interface EpicDistanceOptions extends EpicOptions {
  /** Coverage distribution over [s,a,s'] for the Pearson correlation (default D_S⊗D_A⊗D_S). */
  coverage?: Float64Array;
  /** Canonical variance ≤ zeroTol²·(raw second moment) counts as 0 (default 1e-9). */
  zeroTol?: number;
}

/** Product coverage D(s,a,s') = D_S(s) D_A(a) D_S(s'). */
export function productCoverage(
  env: { nS: number; nA: number },
  stateDist?: Float64Array,
  actionDist?: Float64Array,
): Float64Array {
  const { nS, nA } = env;
  const DS = stateDist ?? uniform(nS);
  const DA = actionDist ?? uniform(nA);
  const out = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) for (let sp = 0; sp < nS; sp++) out[(s * nA + a) * nS + sp] = DS[s] * DA[a] * DS[sp];
  return out;
}

/** Feasible-transition coverage D(s,a,s') = D_S(s) D_A(a) τ(s,a,s') (default for DARD). */
export function transitionCoverage(env: TabularEnv, stateDist?: Float64Array, actionDist?: Float64Array): Float64Array {
  const { nS, nA, T } = env;
  const DS = stateDist ?? uniform(nS);
  const DA = actionDist ?? uniform(nA);
  const out = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) out[r * nS + T.col[k]] = DS[s] * DA[a] * T.prob[k];
    }
  }
  return out;
}

/** EPIC distance (Gleave et al. 2021, Def. 4.3): Pearson distance of C_EPIC(R₁), C_EPIC(R₂) under the coverage D. */
export function epicDistance(
  env: TabularEnv,
  R1: Float64Array,
  R2: Float64Array,
  opts: EpicDistanceOptions = {},
): number {
  const c1 = canonicaliseEPIC(env, R1, opts);
  const c2 = canonicaliseEPIC(env, R2, opts);
  const cov = opts.coverage ?? productCoverage(env, opts.stateDist, opts.actionDist);
  return pearsonDistance(c1, c2, cov, relativeZeroVar(R1, R2, cov, opts.zeroTol ?? 1e-9));
}

export interface DardDistanceOptions extends DardOptions {
  /** Coverage distribution over [s,a,s'] (default D_S(s) D_A(a) τ(s,a,s'), D_S uniform). */
  coverage?: Float64Array;
  stateDist?: Float64Array;
  zeroTol?: number;
}

/** DARD distance (Wulfe et al. 2022): Pearson distance of C_DARD(R₁), C_DARD(R₂) under the coverage D. */
export function dardDistance(
  env: TabularEnv,
  R1: Float64Array,
  R2: Float64Array,
  opts: DardDistanceOptions = {},
): number {
  const c1 = canonicaliseDARD(env, R1, opts);
  const c2 = canonicaliseDARD(env, R2, opts);
  const cov = opts.coverage ?? transitionCoverage(env, opts.stateDist, opts.actionDist);
  return pearsonDistance(c1, c2, cov, relativeZeroVar(R1, R2, cov, opts.zeroTol ?? 1e-9));
}

/**
 * Plain-L2 baseline (the paper's "None" canonicalisation): ‖R₁/‖R₁‖₂ − R₂/‖R₂‖₂‖₂ (a zero reward
 * stays zero). With `normalise: false`, the raw ‖R₁ − R₂‖₂.
 */
export function l2Distance(R1: Float64Array, R2: Float64Array, opts: { normalise?: boolean } = {}): number {
  if (R1.length !== R2.length)
    throw new RangeError(`l2Distance: rewards differ in length (${R1.length} vs ${R2.length})`);
  const normalise = opts.normalise ?? true;
  const n1 = normalise ? lpNorm(R1) : 1;
  const n2 = normalise ? lpNorm(R2) : 1;
  const f1 = n1 > 0 ? 1 / n1 : 0;
  const f2 = n2 > 0 ? 1 / n2 : 0;
  let acc = 0;
  for (let i = 0; i < R1.length; i++) {
    const d = R1[i] * f1 - R2[i] * f2;
    acc += d * d;
  }
  return Math.sqrt(acc);
}

// ---------------------------------------------------------------------------------------------
// Regret bound check
// ---------------------------------------------------------------------------------------------

export interface RegretBoundCheck {
  /** (max J₁ − J₁(π₂*)) / (max J₁ − min J₁), π₂* optimal for R₂. */
  normalisedRegret: number;
  /** d(R₁,R₂) with the given options (scale included). */
  distance: number;
  /** K(R₁) = 2 n(c(R₁)) / ((1−γ)(max J₁ − min J₁)) — depends on R₁ only through s(R₁). */
  factor: number;
  /** K(R₁)·d/scale: an upper bound on `normalisedRegret` (uniform over policies). */
  bound: number;
  /** n(c(R₁))·‖η₁ − η₂‖_q·(d/scale) / (max J₁ − min J₁), q the Hölder conjugate of p: a tighter bound. */
  holderBound: number;
}

/**
 * An explicit instance-level form of STARC's soundness bound (derived here; the paper only proves
 * that some environment constant U exists). Let π₁ be R₁-optimal, π₂ R₂-optimal, η_i the discounted
 * occupancies over (s,a,s'), and let c be any canonicalisation with J_{c(R)}(π) − J_R(π) independent
 * of π (true for VAL, minimal, EPIC, value-potential and 'none': each differs from R only by
 * shaping and/or S'-redistribution; NOT for DARD, whose −γE[R(S',A,S'')] term depends on (s,s')
 * jointly and is not a potential difference, so 'dard' is rejected here).
 * Since ⟨η₁ − η₂, c(R₂)⟩ = J₂(π₁) − J₂(π₂) ≤ 0,
 *   J₁(π₁) − J₁(π₂) = n(c(R₁))⟨η₁−η₂, s(R₁)⟩ ≤ n(c(R₁))⟨η₁−η₂, s(R₁) − s(R₂)⟩
 *                   ≤ n(c(R₁)) ‖η₁−η₂‖_q ‖s(R₁) − s(R₂)‖_p ≤ n(c(R₁)) · 2/(1−γ) · d(R₁,R₂),
 * using ‖η₁−η₂‖_q ≤ ‖η₁−η₂‖₁ ≤ 2/(1−γ). Dividing by max J₁ − min J₁ gives regret ≤ K(R₁)·d. For a
 * STARC canonicalisation, sup over R₁ of K(R₁) is finite (max J − min J is a norm on the image of c
 * when every state has μ₀-mass or is reachable) — that supremum is a valid U. For EPIC or DARD, K can
 * be made arbitrarily large by adding S'-redistribution, which is why those metrics are not sound.
 * Requires unweighted L_p norm and metric with the same p.
 */
export function regretBoundCheck(
  env: TabularEnv,
  R1: Float64Array,
  R2: Float64Array,
  opts: DistanceOptions = {},
): RegretBoundCheck {
  const norm = opts.norm ?? {};
  const metric = opts.metric ?? norm;
  const p = norm.p ?? 2;
  if (norm.weights || metric.weights || (metric.p ?? 2) !== p) {
    throw new RangeError(
      'regretBoundCheck: the bound is derived for an unweighted L_p normalisation with the same unweighted L_p metric',
    );
  }
  if (opts.canonicalisation === 'dard') {
    throw new RangeError(
      'regretBoundCheck: C_DARD(R) is not return-equivalent to R (J_{C(R)} − J_R depends on the policy), so the ' +
        "bound does not apply; use 'val', 'minimal', 'epic', 'value-potential' or 'none'",
    );
  }
  const scale = opts.scale ?? 1;
  const st1 = standardise(env, R1, opts);
  const st2 = standardise(env, R2, opts);
  const diff = new Float64Array(st1.s.length);
  for (let i = 0; i < diff.length; i++) diff[i] = st1.s[i] - st2.s[i];
  const dUnscaled = lpNorm(diff, { p });
  const rbar1 = expectedReward(env, R1);
  const range1 = returnRange(env, rbar1);
  const span = range1.max - range1.min;
  const pi1 = range1.bestPolicy;
  const pi2 = valueIteration(env, expectedReward(env, R2), { tol: 1e-10 }).policy;
  const reg = regretOfOptimal(env, R1, R2);
  const { nS, nA, gamma, T } = env;
  const eta1 = occupancy(env, pi1);
  const eta2 = occupancy(env, pi2);
  const dEta = new Float64Array(nS * nA * nS);
  for (let r = 0; r < nS * nA; r++) {
    const de = eta1[r] - eta2[r];
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) dEta[r * nS + T.col[k]] = de * T.prob[k];
  }
  const q = p === 1 ? Infinity : p === Infinity ? 1 : p / (p - 1);
  const n1 = st1.normOfCanonical;
  const degenerate = !(span > 1e-12 * Math.max(1, Math.abs(range1.max), Math.abs(range1.min)));
  const factor = degenerate ? 0 : (2 * n1) / ((1 - gamma) * span);
  return {
    normalisedRegret: reg,
    distance: scale * dUnscaled,
    factor,
    bound: factor * dUnscaled,
    holderBound: degenerate ? 0 : (n1 * lpNorm(dEta, { p: q }) * dUnscaled) / span,
  };
}
