/**
 * The optimal-transport proxy reward of observation-only imitation, as the official code of Liu, Dong, Hu, Wen, Yin,
 * Zhang & Gao, "Imitation Learning from Observation with Automatic Discount Scheduling" (ICLR 2024, arXiv:2310.07433)
 * computes it (github.com/dwjshift/IL_ADS, IL/agent/ot.py `ot_rewarder`, IL/rewarder.py; inherited from ROT,
 * Haldar et al. 2022, and from Papagiannis & Li / Dadashi et al.'s OT imitation rewards).
 *
 * For an agent episode of observations o_1..o_T and an expert demonstration e_1..e_T of the same length:
 *   C_ij = c(o_i, e_j)                                    (the code: `euclidean_distance` for state features)
 *   P    = Sinkhorn(1/T·1, 1/T·1, C, ε = 0.01, 100 iterations)   (POT's `ot.sinkhorn`, method 'sinkhorn')
 *   r_i  = −s · Σ_j P_ij C_ij                             (`-scale * diag(P Cᵀ)`)
 * With several demonstrations, the rewards of the demonstration with the largest total Σ_i r_i are used
 * (`closest_demo_index = argmax(scores_list)`). The scale s is set once, after the first episode, so that that
 * episode's total reward is −10 (`auto_rew_scale`, `auto_rew_scale_factor = 10`; see `autoRewardScale`).
 *
 * `sinkhornKnopp` follows POT's `sinkhorn_knopp` line by line (start u = 1/n, v = 1/m; v = b / Kᵀu; u = 1 / (K/a · v);
 * stop when the column-marginal error, checked every 10 iterations, is below 1e-9; on a numerical error keep the
 * previous scalings), so the transport plan is the code's, not an exact OT plan: with ε = 0.01 and costs of order 1 it
 * is close to (but smoother than) the exact assignment.
 */

/** Rows of observations (n × d, row-major) and their count n and dimension d. */
export interface ObsSeq {
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
}

/** C_ij = ‖x_i − y_j‖₂ (the code's `euclidean_distance`); n × m row-major. */
export function euclideanCost(a: ObsSeq, b: ObsSeq): Float64Array {
  if (a.d !== b.d) throw new RangeError(`euclideanCost: dimensions differ (${a.d} vs ${b.d})`);
  const C = new Float64Array(a.n * b.n);
  for (let i = 0; i < a.n; i++)
    for (let j = 0; j < b.n; j++) {
      let s = 0;
      for (let k = 0; k < a.d; k++) {
        const u = a.x[i * a.d + k] - b.x[j * b.d + k];
        s += u * u;
      }
      C[i * b.n + j] = Math.sqrt(s);
    }
  return C;
}

export interface SinkhornOptions {
  /** Entropic regularisation ε (the code: 0.01). */
  reg?: number;
  /** Maximum iterations (the code: `niter = 100`). */
  maxIter?: number;
  /** Stop threshold on the column-marginal error (POT default 1e-9). */
  stopThr?: number;
}

/**
 * Entropic OT plan between uniform marginals of sizes n and m for cost C (n × m row-major), by POT's
 * `sinkhorn_knopp`. Returns P (n × m row-major).
 */
export function sinkhornKnopp(C: Float64Array, n: number, m: number, opts: SinkhornOptions = {}): Float64Array {
  const reg = opts.reg ?? 0.01;
  const maxIter = opts.maxIter ?? 100;
  const stopThr = opts.stopThr ?? 1e-9;
  if (C.length !== n * m) throw new RangeError(`sinkhornKnopp: cost has length ${C.length}, expected n·m = ${n * m}`);
  if (!(reg > 0)) throw new RangeError(`sinkhornKnopp: reg must be positive, got ${reg}`);
  const a = 1 / n,
    b = 1 / m;
  const K = new Float64Array(n * m);
  for (let i = 0; i < n * m; i++) K[i] = Math.exp(-C[i] / reg);
  // Two buffers each for u and v: (u, v) current, (u2, v2) the previous iterate kept for a numerical-error rollback.
  let u = new Float64Array(n).fill(1 / n);
  let v = new Float64Array(m).fill(1 / m);
  let u2 = new Float64Array(n);
  let v2 = new Float64Array(m);
  const Ktu = new Float64Array(m);
  for (let it = 0; it < maxIter; it++) {
    // KtransposeU = Kᵀu; v = b / KtransposeU; u = 1 / ((K / a) v).
    Ktu.fill(0);
    for (let i = 0; i < n; i++) {
      const ui = u[i],
        row = i * m;
      for (let j = 0; j < m; j++) Ktu[j] += K[row + j] * ui;
    }
    let bad = false;
    for (let j = 0; j < m; j++) {
      v2[j] = b / Ktu[j];
      if (Ktu[j] === 0 || !Number.isFinite(v2[j])) bad = true;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * m;
      for (let j = 0; j < m; j++) s += K[row + j] * v2[j];
      u2[i] = 1 / (s / a);
      if (!Number.isFinite(u2[i])) bad = true;
    }
    if (bad) break; // POT: warn and keep the previous (u, v)
    let t = u;
    u = u2;
    u2 = t;
    t = v;
    v = v2;
    v2 = t;
    if (it % 10 === 0) {
      let err = 0;
      for (let j = 0; j < m; j++) {
        let col = 0;
        for (let i = 0; i < n; i++) col += u[i] * K[i * m + j];
        col *= v[j];
        err += (col - b) * (col - b);
      }
      if (Math.sqrt(err) < stopThr) break;
    }
  }
  const P = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) P[i * m + j] = u[i] * K[i * m + j] * v[j];
  return P;
}

/** Per-step OT cost Σ_j P_ij C_ij of each agent observation i (unscaled, ≥ 0). */
export function otStepCosts(C: Float64Array, n: number, m: number, opts: SinkhornOptions = {}): Float64Array {
  const P = sinkhornKnopp(C, n, m, opts);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += P[i * m + j] * C[i * m + j];
    out[i] = s;
  }
  return out;
}

export interface OtRewardResult {
  /** r_i = −scale · Σ_j P_ij C_ij for the closest demonstration, length T. */
  rewards: Float64Array;
  /** Index of the demonstration used (largest total reward). */
  demo: number;
  /** Σ_i r_i / scale of every demonstration (the code's `scores_list`). */
  scores: Float64Array;
}

/**
 * The code's `ot_rewarder`: OT rewards of one agent episode against every demonstration (each of the same length as
 * the episode), keeping the demonstration with the largest total (ties: the first).
 */
export function otRewards(agent: ObsSeq, demos: readonly ObsSeq[], scale: number, opts: SinkhornOptions = {}) {
  if (demos.length === 0) throw new RangeError('otRewards: need at least one demonstration');
  const scores = new Float64Array(demos.length);
  let best: Float64Array | null = null;
  let bestIdx = 0;
  for (let k = 0; k < demos.length; k++) {
    const e = demos[k];
    if (e.n !== agent.n || e.d !== agent.d)
      throw new RangeError(
        `otRewards: demonstration ${k} is ${e.n}×${e.d}, the episode ${agent.n}×${agent.d} ` +
          '(the code asserts equal shapes)',
      );
    const c = otStepCosts(euclideanCost(agent, e), agent.n, e.n, opts);
    let total = 0;
    for (let i = 0; i < c.length; i++) total -= c[i];
    scores[k] = total;
    if (best === null || total > scores[bestIdx]) {
      best = c;
      bestIdx = k;
    }
  }
  const rewards = new Float64Array(agent.n);
  for (let i = 0; i < agent.n; i++) rewards[i] = -scale * best![i];
  const res: OtRewardResult = { rewards, demo: bestIdx, scores };
  return res;
}

/** The code's `auto_rew_scale`: the scale that makes the first episode's total reward −factor (factor 10). */
export function autoRewardScale(firstEpisodeScore: number, factor = 10): number {
  if (!(Math.abs(firstEpisodeScore) > 0))
    throw new RangeError(`autoRewardScale: the first episode's OT score is ${firstEpisodeScore}; cannot rescale`);
  return factor / Math.abs(firstEpisodeScore);
}
