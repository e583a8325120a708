/**
 * Reward backpropagation through the DDPM sampler, DRaFT-K style (Clark et al. 2024, "Directly Fine-Tuning
 * Diffusion Models on Differentiable Rewards", §4, Algorithm 1 with truncation K; ReFL/AlignProp are the K = 1 and
 * K = T cases up to their step choices): sample a chain with the policy, hold its noise z fixed, and take the
 * gradient of −r(x_0) through the last K denoising steps x_{t−1} = (x_t − c_t ε_θ(x_t, t))/√α_t + σ_t z_t,
 * c_t = β_t/√(1 − ᾱ_t) (the earlier steps are treated as constants, stop-gradient on x_K).
 *
 * Backward pass, for t = 1…K with g_{t−1} = ∂L/∂x_{t−1} (g_0 = −∇r(x_0)/N):
 *   ∂L/∂θ += −(c_t/√α_t)·J_θ ε_θ(x_t, t)ᵀ g_{t−1},  g_t = g_{t−1}/√α_t − (c_t/√α_t)·J_x ε_θ(x_t, t)ᵀ g_{t−1},
 * each step recomputing the network's forward at (x_t, t) (the engine keeps one forward's activations).
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { ddpmSample } from '../models/ddpm';
import type { EpsMlp } from '../models/denoiser';
import type { DdpmSchedule } from '../models/schedule';

/**
 * Accumulates into policy.mlp.grads the gradient of L = −(1/N) Σ_n r(x_0^n) through the last K steps of the given
 * recorded chain (traj[t] = x_t); returns L. The network's input is x/2 (EpsMlp.features), hence the factor ½.
 */
export function rewardBackpropGrad(
  policy: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  traj: Float64Array[],
  N: number,
  K: number,
): number {
  if (!reward.grad) throw new Error(`diffusion2d.rewardBackpropGrad: reward ${reward.name} has no gradient`);
  const x0 = traj[0];
  const r = reward.value(x0, N);
  let g = reward.grad(x0, N).map((v) => -v / N);
  const D = policy.inputs;
  for (let t = 1; t <= Math.min(K, sched.T); t++) {
    const k = 1 / Math.sqrt(sched.alpha[t]),
      c = sched.beta[t] / Math.sqrt(1 - sched.alphaBar[t]);
    policy.predict(traj[t], t, N);
    const dy = new Float32Array(2 * N);
    for (let i = 0; i < 2 * N; i++) dy[i] = -k * c * g[i];
    const dfeat = new Float32Array(N * D);
    policy.mlp.backward(dy, dfeat);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      next[2 * n] = k * g[2 * n] + 0.5 * dfeat[n * D];
      next[2 * n + 1] = k * g[2 * n + 1] + 0.5 * dfeat[n * D + 1];
    }
    g = next;
  }
  return -r.reduce((a, b) => a + b, 0) / N;
}

/** One DRaFT-K step: sample N chains with the policy, backpropagate the reward through the last K steps, Adam. */
export function draftStep(
  policy: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  N: number,
  K: number,
  rng: Rng,
  opt: Adam,
): { reward: number; gradNorm: number } {
  const tr = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), N, rng, { record: true });
  policy.mlp.zeroGrad();
  const loss = rewardBackpropGrad(policy, sched, reward, tr.traj!, N, K);
  const gradNorm = opt.step(policy.mlp.params.f, policy.mlp.grads.f);
  return { reward: -loss, gradNorm };
}
