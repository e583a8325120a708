/**
 * LOOP, leave-one-out PPO for diffusion fine-tuning (Gupta et al. 2025, "A Simple and Effective Reinforcement
 * Learning Method for Text-to-Image Diffusion Fine-tuning", arXiv 2503.00897), and the family it is compared with,
 * as one sampling round of a prompt-conditional DDPM policy built from reusable parts:
 *
 * 1. Sampling: G prompts, each repeated K times, give N = G·K denoising chains of the policy (models/ddpm.ts
 *    `ddpmSample` with the prompt passed to the conditional ε_θ); each chain's x_0 is scored once by the reward
 *    (N reward queries per round).
 * 2. Return: with the path KL to the frozen pre-trained chain folded in (DPOK-style, as methods/ddpo.ts),
 *    R_n = r(x_0^n) − β Σ_t [log p_old(x_{t−1}^n | x_t^n, c_n) − log p_ref(x_{t−1}^n | x_t^n, c_n)]
 *    (β = 0: the reward alone).
 * 3. Advantage (`promptGroupAdvantages`): `leave-one-out` — within each prompt's K samples, the REINFORCE leave-one-out
 *    baseline A_i = R_i − (1/(K−1)) Σ_{j≠i} R_j (Kool et al. 2019; the RLOO estimator, reused from
 *    rlvr/methods/rloo.ts); `batch-normalised` — DDPO's (R − mean R)/(std R + 10⁻⁸) over the round (methods/ddpo.ts
 *    `klRegularisedAdvantages`); `none` — A = R (plain REINFORCE).
 * 4. Update (`policyGradientRound`): for `epochs` passes over the round in `minibatches` chunks, one Adam step on
 *    PPO's clipped surrogate taken per denoising step, as DDPO_IS does (Black et al. 2023, eq. 4 with PPO's clip,
 *    Schulman et al. 2017 eq. 7):
 *      L(θ) = −(1/N_mb) Σ_n Σ_t min(ρ_{n,t} A_n, clip(ρ_{n,t}, 1 − ε, 1 + ε) A_n),
 *      ρ_{n,t} = p_θ(x_{t−1}^n | x_t^n, c_n)/p_old(x_{t−1}^n | x_t^n, c_n),
 *    with the clip decision and per-sample gradient of rlvr/methods/ppo-clip.ts (`ppoClipped`,
 *    `clippedSurrogateGrad`). At ρ = 1 (the first step on fresh samples) this is exactly the REINFORCE gradient
 *    −(1/N) Σ_n A_n Σ_t ∇log p_θ; `clip: null` never clips (REINFORCE/RLOO are one epoch, one minibatch, no clip).
 *
 * LOOP is K > 1 with `leave-one-out`, several gradient steps per round and the clip; PPO/DDPO is K = 1 with
 * `batch-normalised`; RLOO is K > 1 with `leave-one-out` and one on-policy step; REINFORCE is K = 1 with `none`.
 * The T·N transitions of a minibatch go through the network in one batched forward/backward pass, stacked step-major
 * (row (t − 1)·N + n) so that each step's rows are contiguous and `ddpmLogProb`/`ddpmLogProbGradEps` apply per step.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import { clippedSurrogateGrad, ppoClipped } from '../../rlvr/methods/ppo-clip';
import { rlooAdvantages } from '../../rlvr/methods/rloo';
import type { Reward2d } from '../env/rewards';
import { ddpmLogProb, ddpmLogProbGradEps, ddpmSample } from '../models/ddpm';
import type { EpsMlp } from '../models/denoiser';
import type { DdpmSchedule } from '../models/schedule';
import { klRegularisedAdvantages } from './ddpo';

export type PromptGroupAdvantageKind = 'none' | 'leave-one-out' | 'batch-normalised';

/**
 * Advantages of N = G·K returns stored prompt-group by group (samples g·K … g·K + K − 1 share a prompt):
 * `leave-one-out` A_i = R_i − mean of the other K − 1 of its group (needs K ≥ 2); `batch-normalised`
 * (R − mean R)/(std R + 10⁻⁸) over all N; `none` A = R.
 */
export function promptGroupAdvantages(R: Float64Array, K: number, kind: PromptGroupAdvantageKind): Float64Array {
  const N = R.length;
  if (!Number.isInteger(K) || K < 1 || N % K !== 0)
    throw new RangeError(`diffusion2d.promptGroupAdvantages: K = ${K} must be a positive integer dividing N = ${N}`);
  if (kind === 'none') return Float64Array.from(R);
  if (kind === 'batch-normalised') return klRegularisedAdvantages(R, new Float64Array(N), 0).A;
  if (K < 2) throw new RangeError('diffusion2d.promptGroupAdvantages: the leave-one-out baseline needs K ≥ 2');
  const A = new Float64Array(N);
  for (let g = 0; g < N / K; g++) rlooAdvantages(R, g * K, K, A);
  return A;
}

/** Recorded conditional chains, stacked step-major: row (t − 1)·N + n holds x_t, x_{t−1}, t and prompt of chain n. */
export interface StackedChains {
  N: number;
  T: number;
  xt: Float64Array;
  xp: Float64Array;
  ts: Int32Array;
  prompts: Int32Array;
  /** log p_old(x_{t−1} | x_t, c) per row, recorded while sampling. */
  logpOld: Float64Array;
  x0: Float64Array;
}

/** Samples N conditional chains of `policy` (prompt c_n for chain n) and stacks their transitions. */
export function sampleConditionalChains(
  policy: EpsMlp,
  sched: DdpmSchedule,
  prompts: Int32Array,
  rng: Rng,
): StackedChains {
  const N = prompts.length,
    T = sched.T;
  const tr = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n, prompts), N, rng, { record: true });
  const xt = new Float64Array(2 * N * T),
    xp = new Float64Array(2 * N * T),
    ts = new Int32Array(N * T),
    pr = new Int32Array(N * T),
    logpOld = new Float64Array(N * T);
  for (let t = 1; t <= T; t++) {
    const o = (t - 1) * N;
    xt.set(tr.traj![t], 2 * o);
    xp.set(tr.traj![t - 1], 2 * o);
    ts.fill(t, o, o + N);
    pr.set(prompts, o);
    logpOld.set(tr.logp![t], o);
  }
  return { N, T, xt, xp, ts, prompts: pr, logpOld, x0: tr.x0 };
}

/**
 * log p(x_{t−1} | x_t, c) of a model for the chains `rows` (indices into 0…N−1) of `s`, stacked step-major as
 * (t − 1)·|rows| + i; with `grad`, also ∂log p/∂ε̂ per row (the model's activations stay for `backward`).
 */
export function chainLogProbs(
  model: EpsMlp,
  sched: DdpmSchedule,
  s: StackedChains,
  rows: Int32Array,
  grad?: Float64Array,
): Float64Array {
  const M = rows.length,
    T = s.T;
  const xt = new Float64Array(2 * M * T),
    xp = new Float64Array(2 * M * T),
    ts = new Int32Array(M * T),
    pr = new Int32Array(M * T);
  for (let t = 1; t <= T; t++)
    for (let i = 0; i < M; i++) {
      const src = (t - 1) * s.N + rows[i],
        dst = (t - 1) * M + i;
      xt[2 * dst] = s.xt[2 * src];
      xt[2 * dst + 1] = s.xt[2 * src + 1];
      xp[2 * dst] = s.xp[2 * src];
      xp[2 * dst + 1] = s.xp[2 * src + 1];
      ts[dst] = t;
      pr[dst] = s.prompts[src];
    }
  const eps = model.predict(xt, ts, M * T, pr);
  const out = new Float64Array(M * T);
  for (let t = 1; t <= T; t++) {
    const a = (t - 1) * M,
      b = a + M;
    const sub = (v: Float64Array) => v.subarray(2 * a, 2 * b);
    out.set(ddpmLogProb(sched, t, sub(xt), sub(xp), sub(eps), M), a);
    if (grad) grad.set(ddpmLogProbGradEps(sched, t, sub(xt), sub(xp), sub(eps), M), 2 * a);
  }
  return out;
}

export interface PolicyGradientRoundOptions {
  /** Samples per prompt K (prompt groups are contiguous in `prompts`). */
  K: number;
  advantage: PromptGroupAdvantageKind;
  /** KL weight β of the path KL to `ref` folded into the return (0: reward only). */
  beta: number;
  /** Passes over the round's samples and minibatches per pass (gradient steps = epochs·minibatches). */
  epochs: number;
  minibatches: number;
  /** PPO clip range ε (ratio kept in [1 − ε, 1 + ε]); null: no clipping. */
  clip: number | null;
}

export interface PolicyGradientRoundStats {
  /** Mean reward r(x_0) of the round's samples (before the update). */
  reward: number;
  /** Mean path log-ratio Σ_t log p_old/p_ref (a sample estimate of the path KL). */
  kl: number;
  /** Mean return R = r − β·log-ratio (the KL-regularised objective's estimate). */
  objective: number;
  /** Fraction of (chain, step) terms whose gradient the clip cut, over all gradient steps. */
  clipFraction: number;
  /** Mean squared advantage over the round (the scale of the per-sample gradient weights). */
  meanSqAdvantage: number;
}

/**
 * One round: sample the chains for `prompts` (groups of K), score them, form returns and advantages, then
 * epochs × minibatches Adam steps on the clipped surrogate (minibatches keep prompt groups whole).
 */
export function policyGradientRound(
  policy: EpsMlp,
  ref: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  prompts: Int32Array,
  o: PolicyGradientRoundOptions,
  rng: Rng,
  opt: Adam,
): PolicyGradientRoundStats {
  const N = prompts.length,
    T = sched.T,
    K = o.K;
  const G = N / K;
  if (!Number.isInteger(G) || G % o.minibatches !== 0)
    throw new RangeError(
      `diffusion2d.policyGradientRound: ${N} samples in groups of ${K} do not split into ${o.minibatches} minibatches`,
    );
  const s = sampleConditionalChains(policy, sched, prompts, rng.split('sample'));
  const r = reward.value(s.x0, N);
  const all = Int32Array.from({ length: N }, (_, n) => n);
  const logRatio = new Float64Array(N);
  if (o.beta !== 0) {
    const lpRef = chainLogProbs(ref, sched, s, all);
    for (let t = 1; t <= T; t++)
      for (let n = 0; n < N; n++) logRatio[n] += s.logpOld[(t - 1) * N + n] - lpRef[(t - 1) * N + n];
  }
  const R = r.map((v, n) => v - o.beta * logRatio[n]);
  const A = promptGroupAdvantages(R, K, o.advantage);
  const lo = o.clip === null ? -Infinity : 1 - o.clip,
    hi = o.clip === null ? Infinity : 1 + o.clip;
  const perMb = N / o.minibatches;
  let clipped = 0,
    terms = 0;
  const order = rng.split('order');
  for (let e = 0; e < o.epochs; e++) {
    // shuffle whole prompt groups, then cut into minibatches
    const groups = Array.from({ length: G }, (_, g) => g);
    if (o.minibatches > 1 || o.epochs > 1) order.split(e).shuffle(groups);
    for (let b = 0; b < o.minibatches; b++) {
      const rows = new Int32Array(perMb);
      for (let i = 0; i < perMb / K; i++)
        for (let k = 0; k < K; k++) rows[i * K + k] = groups[b * (perMb / K) + i] * K + k;
      policy.mlp.zeroGrad();
      const dEps = new Float64Array(2 * perMb * T);
      const lp = chainLogProbs(policy, sched, s, rows, dEps);
      for (let t = 1; t <= T; t++)
        for (let i = 0; i < perMb; i++) {
          const row = (t - 1) * perMb + i,
            n = rows[i];
          const ratio = Math.exp(lp[row] - s.logpOld[(t - 1) * N + n]);
          const cut = ppoClipped(A[n], ratio, lo, hi);
          if (cut) clipped++;
          terms++;
          // ∂L/∂log p_θ of this term, times ∂log p_θ/∂ε̂; ρ∇log p = ∇ρ
          const w = clippedSurrogateGrad(1 / perMb, A[n], ratio, cut);
          dEps[2 * row] *= w;
          dEps[2 * row + 1] *= w;
        }
      policy.backward(dEps);
      opt.step(policy.mlp.params.f, policy.mlp.grads.f);
    }
  }
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  return {
    reward: mean(r),
    kl: mean(logRatio),
    objective: mean(R),
    clipFraction: terms ? clipped / terms : 0,
    meanSqAdvantage: mean(A.map((a) => a * a)),
  };
}

/** G prompts drawn uniformly from P, each repeated K times (contiguous groups): N = G·K prompt indices. */
export function promptGroups(P: number, G: number, K: number, rng: Rng): Int32Array {
  const out = new Int32Array(G * K);
  for (let g = 0; g < G; g++) out.fill(rng.int(P), g * K, g * K + K);
  return out;
}
