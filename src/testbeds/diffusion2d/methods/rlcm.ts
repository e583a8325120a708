/**
 * RLCM, reinforcement learning for consistency models (Oertell et al. 2024, "RL for Consistency Models: Faster Reward
 * Guided Text-to-Image Generation", arXiv 2404.03673; official code github.com/Owen-Oertell/rlcm), on the plane.
 *
 * The consistency model. On the rectified-flow path x_τ = (1 − τ)x_0 + τε (models/flow.ts), the consistency function
 * of a density maps a point of the probability-flow ODE's trajectory at time τ to its end point at τ = 0. For a
 * Gaussian mixture it is computed here exactly up to ODE discretisation (`exactConsistency`: Heun's method on the
 * exact velocity `exactVelocity`, `substeps` steps per unit time): the ideal limit of consistency distillation
 * from the exact ODE. The trainable model is f_θ(x, τ_n) = f*(x, τ_n) + g_θ(x, n) (`ResidualConsistencyMlp`), g_θ the
 * testbed's step-conditioned ReLU MLP (denoiser.ts EpsMlp, step index k = S·τ_n) with a zero output layer, so
 * fine-tuning starts exactly at the distilled model.
 *
 * Multistep consistency sampling as an MDP (the paper's §4 and Figure 2; code: diffusers_patch/lcm_scheduler.py,
 * `step`): S inference steps on the grid 1 = τ_0 > τ_1 > … > τ_{S−1} > 0 (τ_n = 1 − n/S). State s_n = (x_{τ_n}, τ_n);
 * the policy evaluates the consistency function and noises its prediction back to the next level,
 *   π_θ(a_n | s_n) = N((1 − τ_{n+1}) f_θ(x_{τ_n}, τ_n), τ_{n+1}² I),   a_n = x_{τ_{n+1}},   n = 0 … S − 2,
 * (the code's prev_sample = √ᾱ_prev·denoised + √(1 − ᾱ_prev)·z with its Gaussian log-probability, written for the
 * rectified-flow path), and the final sample is one more deterministic evaluation x_0 = f_θ(x_{τ_{S−1}}, τ_{S−1}),
 * on which the reward is paid (sparse, at the end of the horizon). With the exact f* the sampler draws exactly from
 * the data density at every S (each x_{τ_{n+1}} has the exact marginal of level τ_{n+1}).
 *
 * The update (`rlcmRound`) is the code's PPO loop (core/ppo_training_loop.py), the same as DDPO_IS's: advantages
 * normalised over the round (the per-prompt stat tracker with one prompt), clipped to ±advClipMax, then for `epochs`
 * passes in `minibatches` chunks one Adam step on the clipped surrogate summed over the S − 1 stochastic steps,
 *   L(θ) = −(1/N_mb) Σ_n Σ_j min(ρ_{n,j} A_n, clip(ρ_{n,j}, 1 − ε, 1 + ε) A_n),  ρ = π_θ(a_j | s_j)/π_old(a_j | s_j),
 * with the clip decision and per-term gradient of rlvr/methods/ppo-clip.ts.
 */
import { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import { clippedSurrogateGrad, ppoClipped } from '../../rlvr/methods/ppo-clip';
import type { Gmm2d } from '../env/gmm';
import type { Reward2d } from '../env/rewards';
import { EpsMlp } from '../models/denoiser';
import { exactVelocity } from '../models/flow';
import { klRegularisedAdvantages } from './ddpo';

/** A batched consistency function: the ODE end point x̂_0 (2N) of N points x (2N) at time τ ∈ (0, 1]. */
export type ConsistencyFn = (x: Float64Array, tau: number, N: number) => Float64Array;

/** The exact consistency function of a mixture on the rectified-flow path: Heun from τ to 0 on `exactVelocity`. */
export function exactConsistency(g: Gmm2d, substeps = 48): ConsistencyFn {
  const v = exactVelocity(g);
  return (x, tau, N) => {
    const m = Math.max(1, Math.ceil(substeps * tau));
    const h = tau / m;
    let y = Float64Array.from(x);
    for (let i = 0; i < m; i++) {
      const t = (tau * (m - i)) / m,
        t1 = (tau * (m - i - 1)) / m;
      const v1 = v(y, t, N);
      const pred = new Float64Array(2 * N);
      for (let j = 0; j < 2 * N; j++) pred[j] = y[j] - h * v1[j];
      const v2 = v(pred, t1, N);
      const next = new Float64Array(2 * N);
      for (let j = 0; j < 2 * N; j++) next[j] = y[j] - 0.5 * h * (v1[j] + v2[j]);
      y = next;
    }
    return y;
  };
}

/** The S-step consistency-sampling time grid τ_n = 1 − n/S, n = 0 … S − 1. */
export function consistencyTimes(S: number): Float64Array {
  return Float64Array.from({ length: S }, (_, n) => 1 - n / S);
}

/** f_θ(x, τ_n) = f*(x, τ_n) + g_θ(x, n): the distilled consistency model plus a zero-initialised residual MLP. */
export class ResidualConsistencyMlp {
  readonly net: EpsMlp;
  readonly base: ConsistencyFn;
  readonly S: number;

  constructor(base: ConsistencyFn, S: number, hidden: number[], rng: Rng, frequencies = 4) {
    if (!Number.isInteger(S) || S < 1) throw new RangeError(`diffusion2d.ResidualConsistencyMlp: S = ${S}`);
    this.base = base;
    this.S = S;
    this.net = new EpsMlp({ hidden, frequencies, prompts: 0, T: S }, rng);
    const mlp = this.net.mlp;
    const last = mlp.offsets[mlp.offsets.length - 1];
    mlp.params.f.fill(0, last.W, last.b + 2);
  }

  /** Step index k = S − n of sampling step n (τ_n = k/S, the MLP's τ input). */
  stepIndex(n: number): number {
    return this.S - n;
  }

  /** f_θ (2N) at N points of step n, plus f* separately; keeps the residual's activations for `backward`. */
  predict(x: Float64Array, n: number, N: number, fStar?: Float64Array): { f: Float64Array; fStar: Float64Array } {
    const fs = fStar ?? this.base(x, 1 - n / this.S, N);
    const g = this.net.predict(x, this.stepIndex(n), N);
    const f = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) f[i] = fs[i] + g[i];
    return { f, fStar: fs };
  }

  /** S-step consistency samples of the current model (x_{τ_0} ~ N(0, I)). */
  sample(N: number, rng: Rng): Float64Array {
    return sampleConsistencyChains(this, N, rng).x0;
  }

  get size(): number {
    return this.net.mlp.size;
  }

  /** A copy with the same parameters. */
  clone(): ResidualConsistencyMlp {
    const m = new ResidualConsistencyMlp(this.base, this.S, this.net.shape.hidden, new Rng(0));
    m.net.mlp.params.f.set(this.net.mlp.params.f);
    return m;
  }
}

/** N recorded consistency chains: states x_{τ_n} (n = 0 … S − 1), f* at each, log π_old of each action, x_0. */
export interface ConsistencyChains {
  N: number;
  S: number;
  /** xs[n] = x_{τ_n} (2N). */
  xs: Float64Array[];
  /** fStar[n] = f*(x_{τ_n}, τ_n) (2N), cached (the frozen part does not change during the round). */
  fStar: Float64Array[];
  /** logpOld[n] = log π_old(x_{τ_{n+1}} | x_{τ_n}) (N), n = 0 … S − 2. */
  logpOld: Float64Array[];
  x0: Float64Array;
}

/** log N(a; (1 − τ_{n+1}) f, τ_{n+1}² I) per point, and optionally ∂/∂f (2N). */
export function consistencyLogProb(
  S: number,
  n: number,
  f: ArrayLike<number>,
  a: ArrayLike<number>,
  N: number,
  grad?: Float64Array,
): Float64Array {
  const tn = 1 - (n + 1) / S,
    c = 1 - tn,
    s2 = tn * tn;
  const lognorm = -Math.log(2 * Math.PI * s2);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const dx = a[2 * i] - c * f[2 * i],
      dy = a[2 * i + 1] - c * f[2 * i + 1];
    out[i] = lognorm - (dx * dx + dy * dy) / (2 * s2);
    if (grad) {
      grad[2 * i] = (c * dx) / s2;
      grad[2 * i + 1] = (c * dy) / s2;
    }
  }
  return out;
}

/** Samples N chains of the policy's S-step consistency sampler, recording states and log-probabilities. */
export function sampleConsistencyChains(policy: ResidualConsistencyMlp, N: number, rng: Rng): ConsistencyChains {
  const S = policy.S;
  let x = rng.split('x1').normals(2 * N);
  const xs: Float64Array[] = [],
    fStar: Float64Array[] = [],
    logpOld: Float64Array[] = [];
  let x0 = x;
  for (let n = 0; n < S; n++) {
    xs.push(x);
    const p = policy.predict(x, n, N);
    fStar.push(p.fStar);
    if (n === S - 1) {
      x0 = p.f;
      break;
    }
    const tn = 1 - (n + 1) / S;
    const z = rng.split(`z${n}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) next[i] = (1 - tn) * p.f[i] + tn * z[i];
    logpOld.push(consistencyLogProb(S, n, p.f, next, N));
    x = next;
  }
  return { N, S, xs, fStar, logpOld, x0 };
}

export interface RlcmRoundOptions {
  /** Passes over the round's samples and minibatches per pass (gradient steps = epochs·minibatches). */
  epochs: number;
  minibatches: number;
  /** PPO clip range ε. */
  clip: number;
  /** Advantages clipped to ±advClipMax (the code's adv_clip_max). */
  advClipMax: number;
}

export interface RlcmRoundStats {
  /** Mean reward of the round's samples (before the update). */
  reward: number;
  /** Fraction of (chain, step) terms the clip cut. */
  clipFraction: number;
  /** Network rows evaluated this round: forward rows while sampling, forward + backward rows while training. */
  networkRows: number;
}

/** One RLCM round: N chains, rewards, normalised advantages, epochs × minibatches clipped Adam steps. */
export function rlcmRound(
  policy: ResidualConsistencyMlp,
  reward: Reward2d,
  N: number,
  o: RlcmRoundOptions,
  rng: Rng,
  opt: Adam,
): RlcmRoundStats {
  const S = policy.S,
    H = S - 1;
  if (N % o.minibatches !== 0)
    throw new RangeError(`diffusion2d.rlcmRound: ${N} samples do not split into ${o.minibatches} minibatches`);
  const ch = sampleConsistencyChains(policy, N, rng.split('sample'));
  let rows = N * S;
  const r = reward.value(ch.x0, N);
  const A = klRegularisedAdvantages(r, new Float64Array(N), 0).A.map((a) =>
    Math.max(-o.advClipMax, Math.min(o.advClipMax, a)),
  );
  const perMb = N / o.minibatches;
  let clipped = 0,
    terms = 0;
  const order = rng.split('order');
  const mlp = policy.net.mlp;
  for (let e = 0; e < o.epochs; e++) {
    const idx = Array.from({ length: N }, (_, i) => i);
    order.split(e).shuffle(idx);
    for (let b = 0; b < o.minibatches; b++) {
      mlp.zeroGrad();
      const sel = idx.slice(b * perMb, (b + 1) * perMb);
      for (let n = 0; n < H; n++) {
        const x = new Float64Array(2 * perMb),
          fs = new Float64Array(2 * perMb),
          a = new Float64Array(2 * perMb);
        sel.forEach((src, i) => {
          x[2 * i] = ch.xs[n][2 * src];
          x[2 * i + 1] = ch.xs[n][2 * src + 1];
          fs[2 * i] = ch.fStar[n][2 * src];
          fs[2 * i + 1] = ch.fStar[n][2 * src + 1];
          a[2 * i] = ch.xs[n + 1][2 * src];
          a[2 * i + 1] = ch.xs[n + 1][2 * src + 1];
        });
        const { f } = policy.predict(x, n, perMb, fs);
        const dF = new Float64Array(2 * perMb);
        const lp = consistencyLogProb(S, n, f, a, perMb, dF);
        sel.forEach((src, i) => {
          const ratio = Math.exp(lp[i] - ch.logpOld[n][src]);
          const cut = ppoClipped(A[src], ratio, 1 - o.clip, 1 + o.clip);
          if (cut) clipped++;
          terms++;
          const w = clippedSurrogateGrad(1 / perMb, A[src], ratio, cut);
          dF[2 * i] *= w;
          dF[2 * i + 1] *= w;
        });
        // ∂f_θ/∂g_θ = I: the residual's gradient is ∂L/∂f
        policy.net.backward(dF);
        rows += 2 * perMb;
      }
      opt.step(mlp.params.f, mlp.grads.f);
    }
  }
  return { reward: r.reduce((s, v) => s + v, 0) / N, clipFraction: terms ? clipped / terms : 0, networkRows: rows };
}
