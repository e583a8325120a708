/**
 * DRAKES (Wang et al. 2024, arXiv 2410.13643, "direct reward backpropagation with Gumbel-softmax trick"): fine-tune a
 * masked discrete diffusion model (models/masked-diffusion.ts) by maximising E[r(x_0)] − α·KL(P^θ ‖ P^pre) over
 * whole reverse trajectories, with the sampling chain made differentiable by the Gumbel-softmax relaxation.
 *
 * Written from the official code (github ChenyuWang-Monica/DRAKES, drakes_dna/diffusion_gosai_update.py
 * `_sample_finetune_gradient`, `_ddpm_update_finetune_gradient`, and drakes_dna/finetune_reward_bp.py), step j from
 * t to s with relaxed state x̃_t (L × (K+1)):
 *   q_k = p_θ(k | x̃_t)·(t − s) (k < K), q_mask = s;   g = softmax((log q + G)/τ), G ~ Gumbel(0, 1)
 *   c = 1 − x̃_t[mask] (soft copy flag);            x̃_s = c·x̃_t + (1 − c)·g
 * The first T − K_trunc steps are sampled hard and detached (truncated backprop, `truncate_steps`). The reward is
 * taken at the straight-through hard sample: value r(argmax x̃_0), gradient ∂r/∂x at that point passed to x̃_0's
 * token entries. KL term (at every step, as with the code's default truncate_kl = False): the discrete-time path KL
 * of the masked sampler, Σ_j Σ_ℓ w_ℓ·((t − s)/t)·KL(p_θ(·|x̃_t)_ℓ ‖ p_pre(·|x̃_t)_ℓ), w_ℓ = x̃_t[ℓ, mask] (1 on hard
 * masked positions), evaluated along the relaxed trajectory so its gradient also flows through x̃_t, as in the code
 * (see the paper's notebook for how this differs from the code's own KL expression). Loss: −mean r + α·mean KL.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { SequenceReward } from '../env/sequence-targets';
import type { MaskedDenoiser } from '../models/masked-diffusion';

export interface DrakesOptions {
  /** KL weight α (0: "DRAKES w/o KL"). */
  alpha: number;
  /** Gumbel-softmax temperature τ. */
  tau: number;
  /** Number of final steps backpropagated through (truncation); T = the whole trajectory. */
  truncate: number;
  /**
   * Reward at the straight-through hard sample (DRAKES's code; default) or, when false, at the soft x̃_0 itself (the
   * fully relaxed objective, a smooth function of θ for fixed noise: used to check gradients by finite differences).
   */
  straightThrough?: boolean;
}

/** Gumbel noise for one batch: one array (N × L × (K+1)) per step. */
export function drakesGumbelNoise(model: MaskedDenoiser, N: number, rng: Rng): Float64Array[] {
  const { L, T } = model.shape;
  return Array.from({ length: T }, (_, j) => {
    const r = rng.split(j);
    const g = new Float64Array(N * L * model.W);
    for (let i = 0; i < g.length; i++) g[i] = -Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, r.uniform()))));
    return g;
  });
}

interface StepRecord {
  x: Float64Array;
  g: Float64Array | null;
}

/**
 * Runs the relaxed chain with the given noise, accumulates ∂loss/∂θ into policy.mlp.grads (call zeroGrad first) and
 * returns the loss, the mean reward at the hard samples, the mean path-KL estimate and the hard samples (N × L).
 */
export function drakesLossAndGrad(
  policy: MaskedDenoiser,
  ref: MaskedDenoiser,
  reward: SequenceReward,
  o: DrakesOptions,
  noise: Float64Array[],
  N: number,
): { loss: number; reward: number; kl: number; x0: Int32Array } {
  const { K, L, T } = policy.shape;
  const W = policy.W;
  const first = T - Math.min(T, Math.max(0, o.truncate));
  let x = new Float64Array(N * L * W);
  for (let r = 0; r < N * L; r++) x[r * W + K] = 1;
  const rec: StepRecord[] = [];
  // forward
  for (let j = 0; j < T; j++) {
    const t = policy.time(j),
      s = policy.time(j + 1);
    const { p } = policy.probs(x, t, N);
    const G = noise[j];
    const next = new Float64Array(N * L * W);
    const relaxed = j >= first;
    const g = relaxed ? new Float64Array(N * L * W) : null;
    for (let r = 0; r < N * L; r++) {
      const o2 = r * W;
      const y = new Float64Array(W);
      for (let k = 0; k < K; k++) y[k] = Math.log(p[r * K + k] * (t - s)) + G[o2 + k];
      y[K] = Math.log(s) + G[o2 + K];
      if (relaxed) {
        let m = -Infinity;
        for (let k = 0; k < W; k++) m = Math.max(m, y[k] / o.tau);
        let z = 0;
        for (let k = 0; k < W; k++) z += g![o2 + k] = Number.isFinite(y[k]) ? Math.exp(y[k] / o.tau - m) : 0;
        for (let k = 0; k < W; k++) g![o2 + k] /= z;
        const c = 1 - x[o2 + K];
        for (let k = 0; k < W; k++) next[o2 + k] = c * x[o2 + k] + (1 - c) * g![o2 + k];
      } else {
        // hard step: Gumbel-max sample, copy unmasked positions
        if (x[o2 + K] < 0.5) for (let k = 0; k < W; k++) next[o2 + k] = x[o2 + k];
        else {
          let am = 0;
          for (let k = 1; k < W; k++) if (y[k] > y[am]) am = k;
          next[o2 + am] = 1;
        }
      }
    }
    rec.push({ x, g });
    x = next;
  }
  // straight-through reward at the hard sample
  const x0 = new Int32Array(N * L);
  const hard = new Float64Array(N * L * W);
  for (let r = 0; r < N * L; r++) {
    let am = 0;
    for (let k = 1; k < K; k++) if (x[r * W + k] > x[r * W + am]) am = k;
    x0[r] = am;
    hard[r * W + am] = 1;
  }
  const st = o.straightThrough ?? true;
  const rv = st ? reward.value(x0, N) : reward.softValue(x, N, W);
  const rMean = rv.reduce((a, b) => a + b, 0) / N;
  const rg = reward.softGrad(st ? hard : x, N, W);
  let gx: Float64Array | null = new Float64Array(N * L * W);
  for (let r = 0; r < N * L; r++) for (let k = 0; k < K; k++) gx[r * W + k] = -rg[r * W + k] / N;
  let klSum = 0;
  // backward, last step first
  for (let j = T - 1; j >= 0; j--) {
    const t = policy.time(j),
      s = policy.time(j + 1);
    const { x: xt, g } = rec[j];
    const relaxed: boolean = g !== null && gx !== null;
    const P = policy.probs(xt, t, N);
    const needRef = o.alpha > 0;
    const R = needRef ? ref.probs(xt, t, N) : null;
    const dz = new Float64Array(N * L * K),
      dzRef = new Float64Array(N * L * K);
    const gxt: Float64Array | null = relaxed ? new Float64Array(N * L * W) : null;
    const frac = (t - s) / t;
    for (let r = 0; r < N * L; r++) {
      const o2 = r * W,
        ok = r * K;
      const a = new Float64Array(K);
      if (relaxed) {
        const c = 1 - xt[o2 + K];
        let dot = 0,
          mix = 0;
        for (let k = 0; k < W; k++) {
          gxt![o2 + k] = c * gx![o2 + k];
          mix += gx![o2 + k] * (xt[o2 + k] - g![o2 + k]);
          dot += g![o2 + k] * (1 - c) * gx![o2 + k];
        }
        gxt![o2 + K] -= mix;
        if (!P.carried[r]) for (let k = 0; k < K; k++) a[k] = (g![o2 + k] * ((1 - c) * gx![o2 + k] - dot)) / o.tau;
      }
      let sa = 0;
      for (let k = 0; k < K; k++) sa += a[k];
      if (!P.carried[r]) for (let k = 0; k < K; k++) dz[ok + k] = a[k] - P.pNet[ok + k] * sa;
      if (needRef && !P.carried[r]) {
        const w = xt[o2 + K];
        let kl = 0;
        for (let k = 0; k < K; k++) kl += P.pNet[ok + k] * Math.log(P.pNet[ok + k] / R!.pNet[ok + k]);
        klSum += (w * frac * kl) / N;
        const kap = (o.alpha * w * frac) / N;
        for (let k = 0; k < K; k++) {
          dz[ok + k] += kap * P.pNet[ok + k] * (Math.log(P.pNet[ok + k] / R!.pNet[ok + k]) - kl);
          dzRef[ok + k] = kap * (R!.pNet[ok + k] - P.pNet[ok + k]);
        }
        if (relaxed) gxt![o2 + K] += (o.alpha * frac * kl) / N;
      }
    }
    const dxP = policy.backward(dz, N);
    if (relaxed) {
      for (let i = 0; i < gxt!.length; i++) gxt![i] += dxP[i];
      if (needRef) {
        const dxR = ref.backward(dzRef, N);
        for (let i = 0; i < gxt!.length; i++) gxt![i] += dxR[i];
      }
    }
    gx = relaxed ? gxt : null;
  }
  if (o.alpha > 0) ref.mlp.zeroGrad();
  return { loss: -rMean + o.alpha * klSum, reward: rMean, kl: klSum, x0 };
}

/** One DRAKES update: N relaxed trajectories, backprop of −r + α·KL, one Adam step (clipping set in the Adam). */
export function drakesStep(
  policy: MaskedDenoiser,
  ref: MaskedDenoiser,
  reward: SequenceReward,
  o: DrakesOptions,
  N: number,
  rng: Rng,
  opt: Adam,
): { loss: number; reward: number; kl: number; gradNorm: number } {
  const noise = drakesGumbelNoise(policy, N, rng);
  policy.mlp.zeroGrad();
  const res = drakesLossAndGrad(policy, ref, reward, o, noise, N);
  const gradNorm = opt.step(policy.mlp.params.f, policy.mlp.grads.f);
  return { loss: res.loss, reward: res.reward, kl: res.kl, gradNorm };
}
