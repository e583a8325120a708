/**
 * DDPO with per-prompt reward normalisation (Black et al. 2023: advantages are rewards normalised by the mean and
 * standard deviation of the same prompt's rewards, "per-prompt stat tracking"), for the prompt-conditional DDPM:
 * the round of methods/loop.ts `policyGradientRound` (sampling, path KL folded into the return, PPO's clipped
 * per-step surrogate over epochs × minibatches of whole prompt groups) with the advantage
 *     A_i = (R_i − mean_{j ∈ prompt(i)} R_j)/(sd_{j ∈ prompt(i)} R_j + 10⁻⁸)
 * computed from the round's own K samples of each prompt (DDPO keeps a running per-prompt buffer instead).
 * Kept in its own file so that methods/loop.ts (and the results keyed on it) stay unchanged.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import { clippedSurrogateGrad, ppoClipped } from '../../rlvr/methods/ppo-clip';
import type { Reward2d } from '../env/rewards';
import type { EpsMlp } from '../models/denoiser';
import type { DdpmSchedule } from '../models/schedule';
import { klRegularisedAdvantages } from './ddpo';
import {
  chainLogProbs,
  sampleConditionalChains,
  type PolicyGradientRoundOptions,
  type PolicyGradientRoundStats,
} from './loop';

/** (R − mean)/(sd + 10⁻⁸) within each contiguous prompt group of K (K ≥ 2 dividing N). */
export function perPromptNormalisedAdvantages(R: Float64Array, K: number): Float64Array {
  const N = R.length;
  if (!Number.isInteger(K) || K < 2 || N % K !== 0)
    throw new RangeError(`diffusion2d.perPromptNormalisedAdvantages: K = ${K} must be ≥ 2 and divide N = ${N}`);
  const A = new Float64Array(N);
  for (let g = 0; g < N / K; g++)
    A.set(klRegularisedAdvantages(R.subarray(g * K, g * K + K), new Float64Array(K), 0).A, g * K);
  return A;
}

/**
 * One DDPO round with per-prompt normalised advantages: sample the chains for `prompts` (groups of K), score them,
 * form returns, then epochs × minibatches Adam steps on the clipped surrogate (as `policyGradientRound`).
 */
export function ddpoPerPromptRound(
  policy: EpsMlp,
  ref: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  prompts: Int32Array,
  o: Omit<PolicyGradientRoundOptions, 'advantage'>,
  rng: Rng,
  opt: Adam,
): PolicyGradientRoundStats {
  const N = prompts.length,
    T = sched.T,
    K = o.K;
  const G = N / K;
  if (!Number.isInteger(G) || G % o.minibatches !== 0)
    throw new RangeError(
      `diffusion2d.ddpoPerPromptRound: ${N} samples in groups of ${K} do not split into ${o.minibatches} minibatches`,
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
  const A = perPromptNormalisedAdvantages(R, K);
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
