/**
 * A meta-bandit of Bernoulli arms (the RL² setting of Duan et al. 2016 and Wang et al. 2016): one trial is E
 * episodes of T pulls each. Every arm's mean is drawn from Beta(α, β). With recurring structure the means are drawn
 * once per trial and kept for all its episodes, so what the agent learns in one episode pays in the next; without
 * structure they are redrawn at the start of every episode, so earlier episodes carry no information.
 *
 * The agent's per-step input (`encodeInput`) is the previous pull's arm (one-hot, K), its reward, and a flag that
 * is 1 on the first pull of an episode: I = K + 2 features, zeros before the first pull of the trial.
 */
import type { Rng } from '../../../core/rng';
import { sampleBeta } from '../methods/thompson-sampling';

export interface MetaBanditSpec {
  /** Arms K. */
  arms: number;
  /** Episodes per trial E. */
  episodes: number;
  /** Pulls per episode T. */
  pulls: number;
  /** Recurring structure: the same means in every episode of a trial (false: fresh means every episode). */
  structure: boolean;
  /** Beta prior of each arm's mean. */
  alpha: number;
  beta: number;
}

export function checkSpec(s: MetaBanditSpec): void {
  for (const k of ['arms', 'episodes', 'pulls'] as const)
    if (!(Number.isInteger(s[k]) && s[k] >= 1))
      throw new RangeError(`meta-bandit: ${k} must be an integer ≥ 1, got ${s[k]}`);
  if (!(s.alpha > 0 && s.beta > 0))
    throw new RangeError(`meta-bandit: Beta prior needs α, β > 0, got α=${s.alpha}, β=${s.beta}`);
}

/** Input features per step, K + 2. */
export const inputSize = (s: MetaBanditSpec) => s.arms + 2;

/** Steps per trial L = E·T. */
export const trialLength = (s: MetaBanditSpec) => s.episodes * s.pulls;

/** The means of one trial, E × K (row e = episode e); rows are equal with structure. */
export function sampleTrialMeans(s: MetaBanditSpec, rng: Rng): Float64Array {
  const K = s.arms,
    E = s.episodes;
  const m = new Float64Array(E * K);
  for (let e = 0; e < E; e++) {
    if (s.structure && e > 0) {
      m.copyWithin(e * K, 0, K);
      continue;
    }
    for (let k = 0; k < K; k++) m[e * K + k] = sampleBeta(s.alpha, s.beta, rng);
  }
  return m;
}

/** Writes the input of step τ into out[off … off + K + 2): previous arm (one-hot), previous reward, episode start. */
export function encodeInput(
  s: MetaBanditSpec,
  tau: number,
  prevArm: number,
  prevReward: number,
  out: Float64Array,
  off: number,
): void {
  const K = s.arms;
  out.fill(0, off, off + K + 2);
  if (tau > 0) {
    out[off + prevArm] = 1;
    out[off + K] = prevReward;
  }
  if (tau % s.pulls === 0) out[off + K + 1] = 1;
}

/**
 * Which arms are greedy (highest posterior mean (α + s)/(α + β + s + f)) given the counts c = (s_1, f_1, …); ties
 * are all greedy. Writes 1/0 per arm into `greedy`.
 */
export function greedyArms(
  counts: ArrayLike<number>,
  off: number,
  K: number,
  alpha: number,
  beta: number,
  greedy: Uint8Array,
): void {
  let best = -Infinity;
  for (let k = 0; k < K; k++) {
    const s = counts[off + 2 * k],
      f = counts[off + 2 * k + 1];
    best = Math.max(best, (alpha + s) / (alpha + beta + s + f));
  }
  for (let k = 0; k < K; k++) {
    const s = counts[off + 2 * k],
      f = counts[off + 2 * k + 1];
    greedy[k] = (alpha + s) / (alpha + beta + s + f) >= best - 1e-12 ? 1 : 0;
  }
}
