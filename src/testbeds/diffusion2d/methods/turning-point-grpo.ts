/**
 * TurningPoint-GRPO (TP-GRPO; Tong et al. 2026, arXiv 2602.06422) on the rectified flow of models/flow.ts sampled by
 * Flow-GRPO's SDE (methods/flow-grpo.ts). Instead of broadcasting the outcome reward to all K steps, each SDE step
 * k (k = 1 the first, noisiest step taken) gets its own reward, as in the authors' released code
 * (scripts/my_train_sd3_fast_with_op3.py, "process rewards"):
 * - R_0 = r(ODE completion of x_1) (no SDE step), R_j = r(ODE completion of the state after j SDE steps),
 *   R_K = r(x_0) the rollout's own reward;
 * - incremental reward d_j = R_j − R_{j−1} (the step's "pure" effect), global trend Δ = R_K − R_0,
 *   consistency s_j = sign(d_j)·sign(Δ);
 * - turning point: j = 1 with s_1 > 0, or j ≥ 2 with s_{j−1} < 0 and s_j > 0 (the step flips the local trend into
 *   the trajectory's overall trend);
 * - step reward: d_j at a normal step; at a turning point the aggregated long-term reward R_K − R_{j−1} = Σ_{i≥j} d_i
 *   (the code's `use_sde_minus_rt` bonus replacing the step's own term, `drop_original_reward_when_having_bonus`).
 * Advantages are normalised PER STEP over the group (code: one stat tracker per timestep), then the Flow-GRPO clipped
 * ratio objective is applied per step with that step's advantage. The ODE completions cost K reward queries per
 * trajectory beyond the outcome (K + 1 in all) and Σ_j (K − j) extra velocity evaluations.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { flowSdeSigma, flowTimes } from '../models/flow';
import type { ResidualVelocityMlp } from '../models/flow-policy';
import { flowClippedSurrogateGrad, flowGrpoLogRatio, flowSdeMeanGradV, logRatioGradMean } from './flow-grpo';

/**
 * Step rewards of one trajectory from its reward sequence R_0…R_K (R_j after j SDE steps + ODE completion).
 * Returns the K step rewards (index j − 1 for step j) and the turning-point indicator; `turningPoints = false` gives
 * the incremental-reward-only ablation (d_j at every step).
 */
export function turningPointStepRewards(
  R: ArrayLike<number>,
  turningPoints = true,
): { reward: Float64Array; turning: Uint8Array } {
  const K = R.length - 1;
  const reward = new Float64Array(K),
    turning = new Uint8Array(K);
  const sg = Math.sign(R[K] - R[0]);
  let sPrev = 0;
  for (let j = 1; j <= K; j++) {
    const d = R[j] - R[j - 1];
    const s = Math.sign(d) * sg;
    const tp = turningPoints && (j === 1 ? s > 0 : sPrev < 0 && s > 0);
    turning[j - 1] = tp ? 1 : 0;
    reward[j - 1] = tp ? R[K] - R[j - 1] : d;
    sPrev = s;
  }
  return { reward, turning };
}

/** Per-step group advantages: for each step column, (r − mean_G)/(std_G + 10⁻⁴) clipped to ±clipMax (N × K). */
export function perStepGroupAdvantages(rew: Float64Array, N: number, K: number, G: number, clipMax = 5): Float64Array {
  if (N % G !== 0) throw new RangeError(`perStepGroupAdvantages: ${N} rows are not groups of ${G}`);
  const A = new Float64Array(N * K);
  for (let g = 0; g < N; g += G)
    for (let j = 0; j < K; j++) {
      let m = 0;
      for (let i = g; i < g + G; i++) m += rew[i * K + j] / G;
      let v = 0;
      for (let i = g; i < g + G; i++) v += (rew[i * K + j] - m) ** 2 / G;
      const sd = Math.sqrt(v) + 1e-4;
      for (let i = g; i < g + G; i++) A[i * K + j] = Math.max(-clipMax, Math.min(clipMax, (rew[i * K + j] - m) / sd));
    }
  return A;
}

export interface TpGrpoRoundOptions {
  /** 'tp-grpo': per-step TP rewards; 'incremental': d_j only (no turning points); 'outcome': Flow-GRPO's broadcast
   * outcome reward (same code path). */
  credit: 'tp-grpo' | 'incremental' | 'outcome';
  K: number;
  noise: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  clip: number;
  advClipMax: number;
}

export interface TpGrpoRoundResult {
  /** Mean outcome reward of the rollouts, their final points, reward queries spent, turning-point fraction. */
  reward: number;
  x0: Float64Array;
  queries: number;
  turningFrac: number;
}

/** Euler ODE completion of N points from grid index k down to 0 with the current policy. */
export function flowOdeComplete(policy: ResidualVelocityMlp, x: Float64Array, k: number, N: number): Float64Array {
  const K = policy.K;
  let y = Float64Array.from(x);
  for (let i = k; i >= 1; i--) {
    const { v } = policy.velocity(y, i, N);
    const nx = new Float64Array(2 * N);
    for (let q = 0; q < 2 * N; q++) nx[q] = y[q] - v[q] / K;
    y = nx;
  }
  return y;
}

/** One round of TP-GRPO (or its outcome-reward control): rollouts, step rewards, Adam steps on the clipped loss. */
export function tpGrpoRound(
  policy: ResidualVelocityMlp,
  reward: Reward2d,
  opts: TpGrpoRoundOptions,
  rng: Rng,
  opt: Adam,
): TpGrpoRoundResult {
  const { K, noise: a } = opts;
  const N = opts.groups * opts.G;
  const ts = flowTimes(K);
  const R = N * K;
  const xt = new Float64Array(2 * R),
    xn = new Float64Array(2 * R),
    vStar = new Float64Array(2 * R),
    muOld = new Float64Array(2 * R),
    std = new Float64Array(R),
    tRow = new Float64Array(R);
  // seq[n·(K+1) + j] = R_j; step j (1…K) is the transition at grid index k = K − j + 1.
  const seq = new Float64Array(N * (K + 1));
  let queries = 0;
  let x = rng.split('x1').normals(2 * N);
  const track = (xs: Float64Array, kLeft: number, j: number) => {
    const r = reward.value(kLeft === 0 ? xs : flowOdeComplete(policy, xs, kLeft, N), N);
    queries += N;
    for (let n = 0; n < N; n++) seq[n * (K + 1) + j] = r[n];
  };
  if (opts.credit !== 'outcome') track(x, K, 0);
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const { v, vs } = policy.velocity(x, k, N);
    const s = flowSdeSigma(a, t, h);
    const c = (s * s) / (2 * t);
    const sd = s * Math.sqrt(h);
    const z = rng.split(`z${k}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const r = n * K + (k - 1);
      std[r] = sd;
      tRow[r] = t;
      for (let d = 0; d < 2; d++) {
        const i = 2 * n + d;
        const mu = x[i] - h * (v[i] + c * (x[i] + (1 - t) * v[i]));
        next[i] = mu + sd * z[i];
        xt[2 * r + d] = x[i];
        xn[2 * r + d] = next[i];
        vStar[2 * r + d] = vs[i];
        muOld[2 * r + d] = mu;
      }
    }
    x = next;
    if (opts.credit !== 'outcome') track(x, k - 1, K - k + 1);
  }
  let outcome: Float64Array;
  if (opts.credit === 'outcome') {
    outcome = reward.value(x, N);
    queries += N;
  } else {
    outcome = new Float64Array(N);
    for (let n = 0; n < N; n++) outcome[n] = seq[n * (K + 1) + K];
  }
  // Step rewards in row layout r = n·K + (k − 1).
  const stepRew = new Float64Array(R);
  let nTurn = 0;
  for (let n = 0; n < N; n++) {
    if (opts.credit === 'outcome') {
      for (let k = 1; k <= K; k++) stepRew[n * K + k - 1] = outcome[n];
    } else {
      const tp = turningPointStepRewards(seq.subarray(n * (K + 1), (n + 1) * (K + 1)), opts.credit === 'tp-grpo');
      for (let j = 1; j <= K; j++) {
        stepRew[n * K + (K - j)] = tp.reward[j - 1];
        nTurn += tp.turning[j - 1];
      }
    }
  }
  const A = perStepGroupAdvantages(stepRew, N, K, opts.G, opts.advClipMax);
  const order = Array.from({ length: N }, (_, n) => n);
  const mbSize = Math.floor(N / opts.minibatches);
  for (let e = 0; e < opts.epochs; e++) {
    rng.split('shuffle').split(e).shuffle(order);
    for (let b = 0; b < opts.minibatches; b++) {
      const idx = order.slice(b * mbSize, (b + 1) * mbSize);
      const M = idx.length * K;
      const bx = new Float64Array(2 * M),
        bk = new Int32Array(M),
        rows = new Int32Array(M);
      idx.forEach((n, q) => {
        for (let k = 1; k <= K; k++) {
          const r = n * K + (k - 1),
            m = q * K + (k - 1);
          rows[m] = r;
          bk[m] = k;
          bx[2 * m] = xt[2 * r];
          bx[2 * m + 1] = xt[2 * r + 1];
        }
      });
      const gOut = policy.residual(bx, bk, M);
      const muNew = new Float64Array(2 * M),
        muO = new Float64Array(2 * M),
        xnb = new Float64Array(2 * M),
        sdb = new Float64Array(M);
      for (let m = 0; m < M; m++) {
        const r = rows[m],
          t = tRow[r],
          h = 1 / K;
        const s = flowSdeSigma(a, t, h);
        const c = (s * s) / (2 * t);
        sdb[m] = std[r];
        for (let d = 0; d < 2; d++) {
          const i = 2 * m + d,
            ri = 2 * r + d;
          const vNew = vStar[ri] + gOut[i];
          muNew[i] = xt[ri] - h * (vNew + c * (xt[ri] + (1 - t) * vNew));
          muO[i] = muOld[ri];
          xnb[i] = xn[ri];
        }
      }
      const lr = flowGrpoLogRatio(xnb, muNew, muO, sdb, M);
      const gLog = logRatioGradMean('flow-grpo', xnb, muNew, muO, sdb, M);
      const dG = new Float64Array(2 * M);
      for (let m = 0; m < M; m++) {
        const r = rows[m];
        const rho = Math.exp(lr[m]);
        const dRho = flowClippedSurrogateGrad(A[r], rho, opts.clip);
        const dmu = flowSdeMeanGradV(tRow[r], 1 / K, a);
        for (let d = 0; d < 2; d++) dG[2 * m + d] = (dRho * rho * gLog[2 * m + d] * dmu) / M;
      }
      policy.zeroGrad();
      policy.backwardResidual(dG);
      opt.step(policy.params, policy.grads);
    }
  }
  const meanReward = outcome.reduce((p, q) => p + q, 0) / N;
  return { reward: meanReward, x0: x, queries, turningFrac: nTurn / R };
}
