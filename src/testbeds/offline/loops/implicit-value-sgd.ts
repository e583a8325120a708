/**
 * Stochastic-gradient training of a tabular critic with an implicit-maximiser value loss, the training loop of
 * XQL (Garg et al., ICLR 2023, offline Algorithm) and f-DVL (Sikchi et al., ICLR 2024, arXiv:2302.08560, §6; official
 * code github.com/hari-sikchi/DVL, offline/learner.py and critic.py `update_v`, `update_q`), on typed arrays.
 * Each step draws a minibatch of B transitions uniformly from the data and takes one Adam step (Kingma & Ba 2015,
 * β₁ = 0.9, β₂ = 0.999, ε = 1e−8) on each of
 *   V:  (1/B) Σ_j ℓ(Q̄(s_j, a_j) − V(s_j))          (ℓ: methods/xql.ts or methods/f-dvl.ts; Q̄ the target critic)
 *   Q:  (1/B) Σ_j ½ (Q(s_j, a_j) − r_j − γ (1 − done_j) V(s'_j))²
 * then moves the target critic Q̄ ← (1 − τ) Q̄ + τ Q (τ = 0.005). V and Q are linear in sparse state features,
 * V(s) = w·φ(s), Q(s, a) = θ_a·φ(s): one-hot features give the tabular critic; coarse shared features give function
 * approximation, where an update at one state moves the values of others (as a network's does). Parameters are
 * stored in float32 (Float32Array), the
 * precision of the official JAX code, so e^{z} overflows to ∞ for z > 88.72 as it does there; a successor without
 * data is worth V_out (data/empirical.ts), as in every learner of this testbed.
 * Divergence: a non-finite entry, or |V| or |Q| beyond twice the largest return magnitude max|r|/(1 − γ), checked
 * every `checkEvery` steps (training stops at the first non-finite entry).
 */
import type { Rng } from '../../../core/rng';
import type { OfflineDataset } from '../data/dataset';
import {
  empiricalIndex,
  greedyInSupport,
  iterateToFixedPoint,
  meanTargets,
  type FixedPointOptions,
} from '../data/empirical';
import { gumbelGrad, gumbelStabilisedGrads, softMaxValue } from '../methods/xql';
import { chiSquareGrad, chiSquareValue } from '../methods/f-dvl';

export type ValueLoss =
  | { kind: 'gumbel'; beta: number }
  | { kind: 'gumbel-stabilised'; beta: number; maxClip: number }
  | { kind: 'chi-square'; lambda: number };

export interface ImplicitValueSgdOptions {
  steps: number;
  batch: number;
  lr: number;
  /** Target-critic averaging rate τ (default 0.005, the official code's). */
  tau?: number;
  /** Steps between divergence checks (default 100). */
  checkEvery?: number;
  /**
   * Linear function approximation: sparse state features (`SparseFeatures`); V(s) = w·φ(s), Q(s, a) = θ_a·φ(s).
   * Default one-hot features: the tabular critic.
   */
  features?: SparseFeatures;
}

/** Sparse state features: state s has the features index[ptr[s] .. ptr[s+1]) with values value[…]; nF in all. */
export interface SparseFeatures {
  readonly nF: number;
  readonly ptr: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** One-hot features of nS states (the tabular critic). */
export function oneHotFeatures(nS: number): SparseFeatures {
  return {
    nF: nS,
    ptr: Int32Array.from({ length: nS + 1 }, (_, s) => s),
    index: Int32Array.from({ length: nS }, (_, s) => s),
    value: new Float64Array(nS).fill(1),
  };
}

export interface ImplicitValueSgdResult {
  Q: Float64Array;
  V: Float64Array;
  /** Greedy over supported actions on Q; uniform when the run diverged. */
  policy: Float64Array;
  diverged: boolean;
  /** Step of the first failed check (−1 if none). */
  divergedAt: number;
  /** max |V| at the end (∞ / NaN when not finite). */
  maxAbsV: number;
  /** The largest per-sample value-loss gradient |∂ℓ/∂u| met during training (∞ after an overflow). */
  maxLossGrad: number;
}

/** ∂ℓ/∂u for the batch u (length ≥ n), written to out. */
export function lossGrads(loss: ValueLoss, u: Float64Array, n: number, out: Float64Array): void {
  if (loss.kind === 'gumbel') for (let i = 0; i < n; i++) out[i] = gumbelGrad(u[i], loss.beta);
  else if (loss.kind === 'gumbel-stabilised') gumbelStabilisedGrads(u, n, loss.beta, loss.maxClip, out);
  else if (loss.kind === 'chi-square') for (let i = 0; i < n; i++) out[i] = chiSquareGrad(u[i], loss.lambda);
  else throw new RangeError(`lossGrads: unknown loss '${String((loss as { kind: unknown }).kind)}'`);
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  constructor(
    n: number,
    private readonly lr: number,
  ) {
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
  }
  step(theta: Float32Array, g: Float32Array): void {
    this.t++;
    const c1 = 1 - Math.pow(0.9, this.t),
      c2 = 1 - Math.pow(0.999, this.t);
    for (let i = 0; i < theta.length; i++) {
      this.m[i] = 0.9 * this.m[i] + 0.1 * g[i];
      this.v[i] = 0.999 * this.v[i] + 0.001 * g[i] * g[i];
      theta[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + 1e-8);
    }
  }
}

export function trainImplicitValue(
  data: OfflineDataset,
  loss: ValueLoss,
  opts: ImplicitValueSgdOptions,
  rng: Rng,
): ImplicitValueSgdResult {
  const { steps, batch, lr } = opts;
  const tau = opts.tau ?? 0.005;
  const checkEvery = opts.checkEvery ?? 100;
  if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(batch) && batch >= 1 && lr > 0))
    throw new RangeError(
      `trainImplicitValue: need integer steps, batch ≥ 1 and lr > 0 (got ${steps}, ${batch}, ${lr})`,
    );
  const idx = empiricalIndex(data);
  const { nS, nA, gamma, stateCount, outsideValue } = idx;
  let rMax = 0;
  for (let i = 0; i < data.size; i++) rMax = Math.max(rMax, Math.abs(data.r[i]));
  const bound = (2 * Math.max(rMax, 1e-12)) / (1 - gamma);
  const F = opts.features ?? oneHotFeatures(nS);
  if (F.ptr.length !== nS + 1) throw new RangeError(`trainImplicitValue: features must cover ${nS} states`);
  const { nF, ptr, index, value } = F;
  // Parameters: w (nF) for V, θ (nA × nF) for Q, θ̄ the target critic.
  const w = new Float32Array(nF),
    th = new Float32Array(nA * nF),
    thT = new Float32Array(nA * nF);
  const gW = new Float32Array(nF),
    gTh = new Float32Array(nA * nF);
  const optQ = new Adam(nA * nF, lr),
    optV = new Adam(nF, lr);
  const vOf = (s: number): number => {
    let acc = 0;
    for (let k = ptr[s]; k < ptr[s + 1]; k++) acc += w[index[k]] * value[k];
    return Math.fround(acc);
  };
  const qOf = (p: Float32Array, s: number, a: number): number => {
    let acc = 0;
    for (let k = ptr[s]; k < ptr[s + 1]; k++) acc += p[a * nF + index[k]] * value[k];
    return Math.fround(acc);
  };
  const pick = new Int32Array(batch);
  const u = new Float64Array(batch),
    du = new Float64Array(batch);
  const V = new Float64Array(nS),
    Q = new Float64Array(nS * nA);
  const snapshot = (): void => {
    for (let s = 0; s < nS; s++) {
      V[s] = vOf(s);
      for (let a = 0; a < nA; a++) Q[s * nA + a] = qOf(th, s, a);
    }
  };
  let divergedAt = -1;
  let maxLossGrad = 0;
  for (let t = 1; t <= steps; t++) {
    for (let j = 0; j < batch; j++) pick[j] = rng.int(data.size);
    // V step on the target critic's Q̄.
    gW.fill(0);
    for (let j = 0; j < batch; j++) {
      const i = pick[j];
      u[j] = qOf(thT, data.s[i], data.a[i]) - vOf(data.s[i]);
    }
    lossGrads(loss, u, batch, du);
    for (let j = 0; j < batch; j++) {
      const g = Math.abs(du[j]);
      if (!(g <= maxLossGrad)) maxLossGrad = Number.isNaN(g) ? Infinity : g;
      const s = data.s[pick[j]];
      for (let k = ptr[s]; k < ptr[s + 1]; k++) gW[index[k]] -= (du[j] * value[k]) / batch;
    }
    optV.step(w, gW);
    // Q step on the new V.
    gTh.fill(0);
    for (let j = 0; j < batch; j++) {
      const i = pick[j];
      const sp = data.sp[i];
      const next = data.done[i] ? 0 : stateCount[sp] > 0 ? vOf(sp) : outsideValue;
      const s = data.s[i],
        a = data.a[i];
      const err = (qOf(th, s, a) - (data.r[i] + gamma * next)) / batch;
      for (let k = ptr[s]; k < ptr[s + 1]; k++) gTh[a * nF + index[k]] += err * value[k];
    }
    optQ.step(th, gTh);
    for (let k = 0; k < th.length; k++) thT[k] = (1 - tau) * thT[k] + tau * th[k];
    if (t % checkEvery === 0 || t === steps) {
      snapshot();
      let finite = true,
        inside = true;
      for (let s = 0; s < nS; s++) {
        if (stateCount[s] === 0) continue;
        if (!Number.isFinite(V[s])) finite = false;
        else if (Math.abs(V[s]) > bound) inside = false;
        for (let a = 0; a < nA; a++) {
          if (idx.count[s * nA + a] === 0) continue;
          const q = Q[s * nA + a];
          if (!Number.isFinite(q)) finite = false;
          else if (Math.abs(q) > bound) inside = false;
        }
      }
      if ((!finite || !inside) && divergedAt < 0) divergedAt = t;
      if (!finite) break;
    }
  }
  snapshot();
  const Qd = Q,
    Vd = V;
  for (let k = 0; k < Qd.length; k++) if (idx.count[k] === 0) Qd[k] = NaN;
  let maxAbsV = 0;
  for (let s = 0; s < nS; s++)
    if (stateCount[s] > 0) maxAbsV = Number.isFinite(Vd[s]) ? Math.max(maxAbsV, Math.abs(Vd[s])) : Infinity;
  const diverged = divergedAt >= 0;
  const policy = diverged ? new Float64Array(nS * nA).fill(1 / nA) : greedyInSupport(idx, Qd);
  return { Q: Qd, V: Vd, policy, diverged, divergedAt, maxAbsV, maxLossGrad };
}

/**
 * The exact tabular fixed point the SGD loop aims at: V(s) the exact per-state minimiser of the value loss under the
 * data's action counts (methods/xql.ts softMaxValue for both Gumbel forms — the stabilised form only rescales the
 * full-batch loss, clipping aside —, methods/f-dvl.ts chiSquareValue), Q(s, a) the mean target r + γ (1 − done) V(s'),
 * alternated to convergence (a γ-contraction: both minimisers are monotone and shift with Q).
 */
export function implicitValueFixedPoint(
  data: OfflineDataset,
  loss: ValueLoss,
  opts: FixedPointOptions = {},
): { Q: Float64Array; V: Float64Array; policy: Float64Array; iterations: number } {
  const idx = empiricalIndex(data);
  const V = new Float64Array(idx.nS);
  const value = (q: Float64Array): Float64Array =>
    loss.kind === 'chi-square' ? chiSquareValue(idx, q, loss.lambda, V) : softMaxValue(idx, q, loss.beta, V);
  const Q = meanTargets(data, idx, value(new Float64Array(idx.nS * idx.nA)));
  const iterations = iterateToFixedPoint(
    `implicitValueFixedPoint(${loss.kind})`,
    Q,
    (q, out) => meanTargets(data, idx, value(q), out),
    opts,
  );
  value(Q);
  return { Q, V, policy: greedyInSupport(idx, Q), iterations };
}
