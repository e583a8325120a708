/**
 * Euphonium (Zhong et al. 2026, arXiv 2602.04928): process-reward-gradient-guided SDE rollouts + Dual-Reward GRPO,
 * on the rectified flow of models/flow.ts sampled by Flow-GRPO's marginal-preserving SDE (methods/flow-grpo.ts).
 *
 * Guided step (as the authors' released sampler `flux_step.py` implements it): the SDE step's mean gets the
 * normalised gradient of a process reward model (PRM) R(x_t, t), scaled by λ,
 *   μ̃_t = μ_θ(x_t, t) + λ·∇R(x_t, t)/‖∇R(x_t, t)‖,   x_{t−h} = μ̃_t + s_t·z,
 * and the log-probabilities of the GRPO ratio use the guided mean μ̃ for both the old and the new policy (the
 * code's default `use_reward_guided_mean_for_logprob{,_training} = True`). λ = 0 is Flow-GRPO's sampler exactly.
 *
 * Dual-Reward GRPO (the code's `process_reward_advantage_mode = "both"`): the clipped GRPO loss of the outcome
 * advantage A_i (group-normalised final reward) plus, per step k, the clipped loss of the process advantage
 * A^P_{i,k} = (R_i(x_{t_k}) − mean_G)/(std_G + 10⁻⁸) (unbiased std, as torch's .std()), where R_i(x_{t_k}) is the
 * PRM score of the state the step is taken FROM (as the code records it), with weights c_O and c_P.
 *
 * The PRM here (a deviation: the paper trains a latent reward model) is the outcome reward at the base flow's
 * one-step clean prediction, R(x_t, t) = r(x_t − t·v_base(x_t, t)) (Tweedie's denoiser of the exact base
 * velocity), with its gradient through x̂₀ by central finite differences of v_base (2-D: four extra velocity
 * evaluations), `prmOneStep`.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { flowSdeSigma, flowTimes, type VelocityFn } from '../models/flow';
import type { ResidualVelocityMlp } from '../models/flow-policy';
import {
  flowClippedSurrogateGrad,
  flowGroupAdvantages,
  flowGrpoLogRatio,
  flowSdeMeanGradV,
  logRatioGradMean,
} from './flow-grpo';

/** A process reward model: score and ∇_x score (2N) at N noisy points at time t. */
export interface ProcessReward2d {
  score(x: Float64Array, t: number, N: number): { value: Float64Array; grad: Float64Array };
}

/**
 * R(x_t, t) = r(x̂₀), x̂₀ = x_t − t·v(x_t, t); ∇R = (∂x̂₀/∂x_t)ᵀ ∇r(x̂₀), the Jacobian by central differences (step
 * `eps`). At t = 0, x̂₀ = x.
 */
export function prmOneStep(reward: Reward2d, v: VelocityFn, eps = 1e-4): ProcessReward2d {
  if (!reward.grad) throw new Error(`prmOneStep: reward ${reward.name} has no gradient`);
  const gradR = reward.grad.bind(reward);
  const x0hat = (x: Float64Array, t: number, N: number): Float64Array => {
    const vt = v(x, t, N);
    const o = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) o[i] = x[i] - t * vt[i];
    return o;
  };
  return {
    score(x, t, N) {
      const x0 = x0hat(x, t, N);
      const value = reward.value(x0, N);
      const g0 = gradR(x0, N);
      const grad = new Float64Array(2 * N);
      for (let d = 0; d < 2; d++) {
        const xp = Float64Array.from(x),
          xm = Float64Array.from(x);
        for (let n = 0; n < N; n++) {
          xp[2 * n + d] += eps;
          xm[2 * n + d] -= eps;
        }
        const fp = x0hat(xp, t, N),
          fm = x0hat(xm, t, N);
        // column d of the Jacobian J_{ed} = ∂x̂₀_e/∂x_d; ∇R_d = Σ_e J_{ed} ∇r_e
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let e = 0; e < 2; e++) s += ((fp[2 * n + e] - fm[2 * n + e]) / (2 * eps)) * g0[2 * n + e];
          grad[2 * n + d] = s;
        }
      }
      return { value, grad };
    },
  };
}

/** λ·g/(‖g‖ + 10⁻⁸) per point (2N flat), the code's normalised guidance shift. */
export function euphoniumGuidanceShift(grad: ArrayLike<number>, lambda: number, N: number): Float64Array {
  const o = new Float64Array(2 * N);
  for (let n = 0; n < N; n++) {
    const a = grad[2 * n],
      b = grad[2 * n + 1];
    const nrm = Math.sqrt(a * a + b * b);
    if (nrm > 0) {
      o[2 * n] = (lambda * a) / (nrm + 1e-8);
      o[2 * n + 1] = (lambda * b) / (nrm + 1e-8);
    }
  }
  return o;
}

/** Per-group (consecutive groups of G) normalised process scores (r − mean)/(std_unbiased + 10⁻⁸), clipped. */
export function euphoniumProcessAdvantages(score: ArrayLike<number>, G: number, clipMax = 5): Float64Array {
  const N = score.length;
  if (N % G !== 0 || G < 2) throw new RangeError(`euphoniumProcessAdvantages: ${N} scores, groups of ${G}`);
  const A = new Float64Array(N);
  for (let g = 0; g < N; g += G) {
    let m = 0;
    for (let i = g; i < g + G; i++) m += score[i] / G;
    let v = 0;
    for (let i = g; i < g + G; i++) v += (score[i] - m) ** 2 / (G - 1);
    const sd = Math.sqrt(v) + 1e-8;
    for (let i = g; i < g + G; i++) A[i] = Math.max(-clipMax, Math.min(clipMax, (score[i] - m) / sd));
  }
  return A;
}

/** Settings of one Euphonium round. */
export interface EuphoniumRoundOptions {
  K: number;
  noise: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  clip: number;
  advClipMax: number;
  /** Guidance strength λ (0: Flow-GRPO's sampler). */
  guidance: number;
  /** Weights of the outcome and process advantages' clipped losses (c_P = 0: outcome-only GRPO). */
  outcomeCoef: number;
  processCoef: number;
}

export interface EuphoniumRoundResult {
  /** Mean outcome reward of the (guided) rollouts and their final points (2N). */
  reward: number;
  x0: Float64Array;
  /** PRM evaluations made (rollout steps × samples). */
  prmCalls: number;
}

/**
 * One round: groups·G guided SDE trajectories, outcome rewards, PRM scores per step, then epochs × minibatches Adam
 * steps on c_O·(clipped outcome loss) + c_P·(clipped process loss) (trajectories shuffled per epoch with the same
 * rng keys as `flowGrpoRound`, so that λ = 0, c_P = 0 reproduces it exactly).
 */
export function euphoniumRound(
  policy: ResidualVelocityMlp,
  reward: Reward2d,
  prm: ProcessReward2d,
  opts: EuphoniumRoundOptions,
  rng: Rng,
  opt: Adam,
): EuphoniumRoundResult {
  const { K, noise: a } = opts;
  const N = opts.groups * opts.G;
  const ts = flowTimes(K);
  const R = N * K;
  const xt = new Float64Array(2 * R),
    xn = new Float64Array(2 * R),
    vStar = new Float64Array(2 * R),
    muOld = new Float64Array(2 * R),
    shift = new Float64Array(2 * R),
    std = new Float64Array(R),
    tRow = new Float64Array(R),
    pScore = new Float64Array(R);
  const useP = opts.guidance !== 0 || opts.processCoef !== 0;
  let prmCalls = 0;
  let x = rng.split('x1').normals(2 * N);
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const { v, vs } = policy.velocity(x, k, N);
    const s = flowSdeSigma(a, t, h);
    const c = (s * s) / (2 * t);
    const sd = s * Math.sqrt(h);
    let sh = new Float64Array(2 * N);
    let sc = new Float64Array(N);
    if (useP) {
      const p = prm.score(x, t, N);
      prmCalls += N;
      sc = p.value;
      if (opts.guidance !== 0) sh = euphoniumGuidanceShift(p.grad, opts.guidance, N);
    }
    const z = rng.split(`z${k}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const r = n * K + (k - 1);
      std[r] = sd;
      tRow[r] = t;
      pScore[r] = sc[n];
      for (let d = 0; d < 2; d++) {
        const i = 2 * n + d;
        const mu = x[i] - h * (v[i] + c * (x[i] + (1 - t) * v[i])) + sh[i];
        next[i] = mu + sd * z[i];
        xt[2 * r + d] = x[i];
        xn[2 * r + d] = next[i];
        vStar[2 * r + d] = vs[i];
        muOld[2 * r + d] = mu;
        shift[2 * r + d] = sh[i];
      }
    }
    x = next;
  }
  const rew = reward.value(x, N);
  const A = flowGroupAdvantages(rew, opts.G, opts.advClipMax);
  // Process advantages per step k (rows n·K + k − 1), normalised within each group at that step.
  const AP = new Float64Array(R);
  if (opts.processCoef !== 0) {
    for (let k = 1; k <= K; k++) {
      const col = new Float64Array(N);
      for (let n = 0; n < N; n++) col[n] = pScore[n * K + (k - 1)];
      const adv = euphoniumProcessAdvantages(col, opts.G, opts.advClipMax);
      for (let n = 0; n < N; n++) AP[n * K + (k - 1)] = adv[n];
    }
  }
  const meanReward = rew.reduce((p, q) => p + q, 0) / N;
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
      idx.forEach((n, j) => {
        for (let k = 1; k <= K; k++) {
          const r = n * K + (k - 1),
            m = j * K + (k - 1);
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
          const x0 = xt[ri];
          const vNew = vStar[ri] + gOut[i];
          muNew[i] = x0 - h * (vNew + c * (x0 + (1 - t) * vNew)) + shift[ri];
          muO[i] = muOld[ri];
          xnb[i] = xn[ri];
        }
      }
      const lr = flowGrpoLogRatio(xnb, muNew, muO, sdb, M);
      const gLog = logRatioGradMean('flow-grpo', xnb, muNew, muO, sdb, M);
      const dG = new Float64Array(2 * M);
      for (let m = 0; m < M; m++) {
        const r = rows[m],
          n = Math.floor(r / K),
          t = tRow[r],
          h = 1 / K;
        const rho = Math.exp(lr[m]);
        let dRho = opts.outcomeCoef * flowClippedSurrogateGrad(A[n], rho, opts.clip);
        if (opts.processCoef !== 0) dRho += opts.processCoef * flowClippedSurrogateGrad(AP[r], rho, opts.clip);
        const dmu = flowSdeMeanGradV(t, h, a);
        for (let d = 0; d < 2; d++) {
          const i = 2 * m + d;
          dG[i] = (dRho * rho * gLog[i] * dmu) / M;
        }
      }
      policy.zeroGrad();
      policy.backwardResidual(dG);
      opt.step(policy.params, policy.grads);
    }
  }
  return { reward: meanReward, x0: x, prmCalls };
}
