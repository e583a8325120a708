/**
 * Maximum-likelihood reward learning from segment-pair preferences.
 *
 * Every fit minimises the mean binary cross-entropy of labels y_p ∈ [0, 1] ("first segment
 * preferred") under a logistic preference model with logit z_p(θ):
 *   loss(θ) = (1/n) Σ_p [ y_p·softplus(−z_p) + (1 − y_p)·softplus(z_p) ],   ∂loss/∂z_p = (σ(z_p) − y_p)/n.
 *
 * - Linear reward, partial-return model (Knox et al. 2024, arXiv:2206.02231, Eq. 1; Christiano et al.
 *   2017): z_p = w·(Φ(σ_i) − Φ(σ_j)), Φ(σ) = Σ_t φ(s_t, a_t, s_{t+1}).
 * - Linear reward, regret model (Knox et al. 2024, Eq. 5 and Algorithm 1): z_p = Σ_t γ^t A*_w(σ_i) −
 *   Σ_t γ^t A*_w(σ_j), A*_w(s,a) = w·φ̄(s,a) + γ E[V*_w(s')] − V*_w(s), with V*_w computed exactly
 *   (policy iteration) and ∇_w V*_w(s) = ψ^{π*_w}(s), the successor features of the optimal policy.
 *   (The authors approximate V*_w by a soft maximum over the successor features of a fixed set of
 *   policies; here the maximum is over all policies, exactly.)
 * - Tabular reward r̂(s,a), partial-return (Bradley–Terry) model: z_p = Σ_t g^t r̂(σ_i) − Σ_t g^t r̂(σ_j),
 *   the reward model of two-phase RLHF (CPL paper's baselines).
 */
import { sigmoid } from '../../../math/softmax';
import { adam, lbfgs, type AdamOptions, type LbfgsOptions, type OptimResult } from '../loops/optimize';
import { policyIteration, policyIterationDeterministic } from '../solvers/policy-iteration';
import { successorFeatures, successorFeaturesDeterministic } from '../solvers/occupancy';
import { gridReward, type FeatureGridworld } from '../env/gridworld';
import type { SegmentPairs, SegmentSet } from '../env/preferences';

export type FitOptimizer = ({ kind: 'adam' } & AdamOptions) | ({ kind: 'lbfgs' } & LbfgsOptions);

/** softplus(x) = log(1 + e^x), stable. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Mean BCE of labels y under logits z; writes ∂loss/∂z_p into dz. */
export function bceFromLogits(z: Float64Array, y: ArrayLike<number>, dz: Float64Array): number {
  const n = z.length;
  let loss = 0;
  for (let p = 0; p < n; p++) {
    loss += y[p] * softplus(-z[p]) + (1 - y[p]) * softplus(z[p]);
    dz[p] = (sigmoid(z[p]) - y[p]) / n;
  }
  return loss / n;
}

function runOptimizer(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  opt: FitOptimizer,
): OptimResult {
  return opt.kind === 'adam' ? adam(f, x0, opt) : lbfgs(f, x0, opt);
}

// ---------------------------------------------------------------------------------------------
// Linear reward, partial-return model
// ---------------------------------------------------------------------------------------------

/** Feature differences Φ(σ_i) − Φ(σ_j) of each pair, row-major nPairs × nF. */
export function pairFeatureDifferences(segFeatures: Float64Array, nF: number, pairs: SegmentPairs): Float64Array {
  const n = pairs.i.length;
  const d = new Float64Array(n * nF);
  for (let p = 0; p < n; p++)
    for (let f = 0; f < nF; f++) d[p * nF + f] = segFeatures[pairs.i[p] * nF + f] - segFeatures[pairs.j[p] * nF + f];
  return d;
}

/** Partial-return loss of linear weights w (and its gradient). */
export function partialReturnLoss(
  w: Float64Array,
  dPhi: Float64Array,
  y: ArrayLike<number>,
  grad: Float64Array,
): number {
  const nF = w.length;
  const n = y.length;
  const z = new Float64Array(n),
    dz = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let acc = 0;
    for (let f = 0; f < nF; f++) acc += w[f] * dPhi[p * nF + f];
    z[p] = acc;
  }
  const loss = bceFromLogits(z, y, dz);
  grad.fill(0);
  for (let p = 0; p < n; p++) for (let f = 0; f < nF; f++) grad[f] += dz[p] * dPhi[p * nF + f];
  return loss;
}

export function fitPartialReturnLinear(
  dPhi: Float64Array,
  y: ArrayLike<number>,
  nF: number,
  opt: FitOptimizer,
  w0?: Float64Array,
): OptimResult {
  if (dPhi.length !== y.length * nF)
    throw new RangeError(
      `fitPartialReturnLinear: dPhi has length ${dPhi.length}, expected nPairs·nF = ${y.length * nF}`,
    );
  return runOptimizer((w, g) => partialReturnLoss(w, dPhi, y, g), w0 ?? new Float64Array(nF), opt);
}

// ---------------------------------------------------------------------------------------------
// Linear reward, regret model
// ---------------------------------------------------------------------------------------------

/** The optimal value, advantage and successor features of a linear reward w on a gridworld. */
export interface LinearOptimum {
  V: Float64Array;
  /** A*_w(s,a), length nS·nA. */
  A: Float64Array;
  /** ψ^{π*_w}(s), row-major nS × nF. */
  psi: Float64Array;
  policy: Int32Array;
}

/**
 * V*_w, A*_w and ψ^{π*_w} by policy iteration (O(nS·nA) evaluations on deterministic worlds, dense
 * solves otherwise); `warm` carries the previous optimal policy between calls.
 */
export function linearOptimum(world: FeatureGridworld, w: ArrayLike<number>, warm?: Int32Array): LinearOptimum {
  const { nS, nA, nF, gamma, phiSA } = world;
  const r = gridReward(world, w);
  let V: Float64Array, Q: Float64Array, policy: Int32Array, psi: Float64Array;
  if (world.next) {
    const pi = policyIterationDeterministic(world.next, r, nA, gamma, { init: warm });
    V = pi.V;
    Q = pi.Q;
    policy = pi.policy;
    psi = successorFeaturesDeterministic(world.next, nA, phiSA, nF, policy, gamma);
  } else {
    const pi = policyIteration(world, r, { init: warm });
    V = pi.V;
    Q = pi.Q;
    policy = pi.policy;
    psi = successorFeatures(world, phiSA, nF, policy);
  }
  const A = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) A[s * nA + a] = Q[s * nA + a] - V[s];
  return { V, A, psi, policy };
}

/**
 * The regret-model objective on a fixed dataset. Returns f(w, grad) (stateful: warm-starts policy
 * iteration from the previous call's optimal policy).
 */
export function regretObjective(
  world: FeatureGridworld,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
): (w: Float64Array, grad: Float64Array) => number {
  const { nA, nF, gamma, phiSA, T } = world;
  const nP = pairs.i.length;
  if (y.length !== nP) throw new RangeError(`regretObjective: ${y.length} labels for ${nP} pairs`);
  let warm: Int32Array | undefined;
  const G = new Float64Array(segs.n);
  const z = new Float64Array(nP),
    dz = new Float64Array(nP);
  const dG = new Float64Array(segs.n);
  const coef = new Float64Array(world.nS * nA);
  return (w, grad) => {
    const opt = linearOptimum(world, w, warm);
    warm = opt.policy;
    const A = opt.A;
    for (let i = 0; i < segs.n; i++) {
      let acc = 0,
        gt = 1;
      for (let t = 0; t < segs.len[i]; t++) {
        const o = i * segs.L + t;
        acc += gt * A[segs.s[o] * nA + segs.a[o]];
        gt *= gamma;
      }
      G[i] = acc;
    }
    for (let p = 0; p < nP; p++) z[p] = G[pairs.i[p]] - G[pairs.j[p]];
    const loss = bceFromLogits(z, y, dz);
    dG.fill(0);
    for (let p = 0; p < nP; p++) {
      dG[pairs.i[p]] += dz[p];
      dG[pairs.j[p]] -= dz[p];
    }
    coef.fill(0);
    for (let i = 0; i < segs.n; i++) {
      if (dG[i] === 0) continue;
      let gt = 1;
      for (let t = 0; t < segs.len[i]; t++) {
        const o = i * segs.L + t;
        coef[segs.s[o] * nA + segs.a[o]] += dG[i] * gt;
        gt *= gamma;
      }
    }
    // ∇_w A*_w(s,a) = φ̄(s,a) + γ Σ τ(s,a,s') ψ(s') − ψ(s).
    grad.fill(0);
    const psi = opt.psi;
    for (let sa = 0; sa < coef.length; sa++) {
      const c = coef[sa];
      if (c === 0) continue;
      const s = Math.floor(sa / nA);
      for (let f = 0; f < nF; f++) grad[f] += c * (phiSA[sa * nF + f] - psi[s * nF + f]);
      for (let k = T.rowPtr[sa]; k < T.rowPtr[sa + 1]; k++) {
        const sp = T.col[k],
          pk = T.prob[k] * gamma * c;
        for (let f = 0; f < nF; f++) grad[f] += pk * psi[sp * nF + f];
      }
    }
    return loss;
  };
}

export function fitRegretLinear(
  world: FeatureGridworld,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  opt: FitOptimizer,
  w0?: Float64Array,
): OptimResult {
  return runOptimizer(regretObjective(world, segs, pairs, y), w0 ?? new Float64Array(world.nF), opt);
}

// ---------------------------------------------------------------------------------------------
// Tabular reward r̂(s,a), partial-return (Bradley–Terry) model
// ---------------------------------------------------------------------------------------------

/**
 * Bradley–Terry loss of a tabular reward r̂ (length nS·nA) with optional L2 penalty (l2/2)‖r̂‖²;
 * segment returns Σ_t g^t r̂(s_t, a_t).
 */
export function bradleyTerryTabularLoss(
  r: Float64Array,
  nA: number,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  g: number,
  l2: number,
  grad: Float64Array,
): number {
  const nP = pairs.i.length;
  const R = new Float64Array(segs.n);
  for (let i = 0; i < segs.n; i++) {
    let acc = 0,
      gt = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const o = i * segs.L + t;
      acc += gt * r[segs.s[o] * nA + segs.a[o]];
      gt *= g;
    }
    R[i] = acc;
  }
  const z = new Float64Array(nP),
    dz = new Float64Array(nP);
  for (let p = 0; p < nP; p++) z[p] = R[pairs.i[p]] - R[pairs.j[p]];
  let loss = bceFromLogits(z, y, dz);
  const dR = new Float64Array(segs.n);
  for (let p = 0; p < nP; p++) {
    dR[pairs.i[p]] += dz[p];
    dR[pairs.j[p]] -= dz[p];
  }
  grad.fill(0);
  for (let i = 0; i < segs.n; i++) {
    if (dR[i] === 0) continue;
    let gt = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const o = i * segs.L + t;
      grad[segs.s[o] * nA + segs.a[o]] += dR[i] * gt;
      gt *= g;
    }
  }
  if (l2 > 0) {
    let sq = 0;
    for (let i = 0; i < r.length; i++) {
      sq += r[i] * r[i];
      grad[i] += l2 * r[i];
    }
    loss += 0.5 * l2 * sq;
  }
  return loss;
}

export function fitBradleyTerryTabular(
  nS: number,
  nA: number,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  opts: { g: number; l2?: number; optimizer: FitOptimizer; r0?: Float64Array },
): OptimResult {
  const l2 = opts.l2 ?? 0;
  return runOptimizer(
    (r, grad) => bradleyTerryTabularLoss(r, nA, segs, pairs, y, opts.g, l2, grad),
    opts.r0 ?? new Float64Array(nS * nA),
    opts.optimizer,
  );
}
