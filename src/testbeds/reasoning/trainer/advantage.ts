/**
 * Advantage parts of the reasoning trainer: each maps the rewards of B groups of G responses (group-major,
 * G responses to the same prompt) to one advantage per response. The formulas live once in the RLVR
 * testbed's methods/ (imported here, so a GRPO advantage is the same float operations on both testbeds);
 * this file names them as parts of a recipe. For one group with rewards r_1..r_G, mean r̄, std s:
 *   reinforce   A_i = r_i                                (Williams 1992, eq. 11 with the return as weight)
 *   baseline    A_i = r_i − r̄                            (REINFORCE with the group-mean baseline)
 *   rloo        A_i = r_i − (Σ_j r_j − r_i)/(G − 1)      (Ahmadian et al. 2024, "Back to Basics", eq. 5)
 *   grpo        A_i = (r_i − r̄)/(s + ε)                  (Shao et al. 2024, "DeepSeekMath", eq. 3, outcome
 *                                                        supervision; s the unbiased std as in verl/TRL)
 *   dr-grpo     A_i = r_i − r̄                            (Liu et al. 2025, "Understanding R1-Zero-Like
 *                                                        Training", eq. 3: GRPO without the 1/s)
 *   bnpo        A_i = (r_i − r̄)/f_N(r̄; α, β)             (Xiao et al. 2025, eq. 6; (α, β) fitted to the batch)
 *   remax       A_i = r_i − r(greedy answer)             (Li et al. 2024, "ReMax", eq. 5; needs the greedy rewards)
 *   gae         per token, from a learned critic (gae.ts: PPO's GAE; computed by the loop, not here)
 * and two normalisations over the whole batch of B·G rewards (mean m, unbiased std S, ε = 1e-6), local to this
 * testbed:
 *   batch-norm            A_i = (r_i − m)/(S + ε)         (REINFORCE++, Hu 2025: global advantage normalisation)
 *   group-mean-batch-std  A_i = (r_i − r̄)/(S + ε)         (group-level mean, batch-level std: the normalisation
 *                                                        Liu et al. 2025, "Part I: Tricks or Traps?", recommend)
 */
import { batchAdvantages, type AdvantageKind } from '../../rlvr/methods/advantages';
import { remaxAdvantages } from '../../rlvr/methods/remax';

/** The advantage parts by name. */
export type AdvantageName =
  | 'reinforce'
  | 'baseline'
  | 'rloo'
  | 'grpo'
  | 'dr-grpo'
  | 'bnpo'
  | 'remax'
  | 'batch-norm'
  | 'group-mean-batch-std'
  | 'gae';

export const ADVANTAGE_NAMES: readonly AdvantageName[] = [
  'reinforce',
  'baseline',
  'rloo',
  'grpo',
  'dr-grpo',
  'bnpo',
  'remax',
  'batch-norm',
  'group-mean-batch-std',
  'gae',
];

/** What an advantage part may read besides the rewards. */
export interface AdvantageInputs {
  /** ReMax: the reward of each prompt's greedy answer (B entries). */
  greedyRewards?: ArrayLike<number>;
}

/**
 * Advantages of B·G rewards (group-major) by the named part. GRPO uses the unbiased std and ε = 1e-6
 * (the RLVR testbed's defaults, so the two testbeds compute the same numbers).
 */
export function advantages(
  name: AdvantageName,
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  inputs: AdvantageInputs = {},
): Float64Array {
  if (rewards.length !== B * G)
    throw new RangeError(`reasoning.advantages: ${rewards.length} rewards for ${B} groups of ${G}`);
  if (name === 'gae')
    throw new RangeError(
      "reasoning.advantages: 'gae' gives one advantage per token from a learned critic (gae.ts); the loop " +
        '(trainRl with RlConfig.critic) computes it, not this per-response function',
    );
  if (name === 'remax') {
    if (!inputs.greedyRewards || inputs.greedyRewards.length !== B)
      throw new RangeError('reasoning.advantages: remax needs one greedy-answer reward per group (greedyRewards)');
    return remaxAdvantages(rewards, inputs.greedyRewards, B, G);
  }
  if (name === 'batch-norm' || name === 'group-mean-batch-std') return batchStdAdvantages(name, rewards, B, G);
  const kind: AdvantageKind = name;
  return batchAdvantages(rewards, B, G, kind === 'bnpo' ? { kind, bnpo: 'adaptive' } : { kind }).adv;
}

/** The batch-std normalisations (see the module comment): the centre is the batch mean or each group's mean. */
function batchStdAdvantages(
  name: 'batch-norm' | 'group-mean-batch-std',
  rewards: ArrayLike<number>,
  B: number,
  G: number,
): Float64Array {
  const n = B * G;
  let m = 0;
  for (let i = 0; i < n; i++) m += rewards[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (rewards[i] - m) ** 2;
  const S = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  const out = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    let centre = m;
    if (name === 'group-mean-batch-std') {
      centre = 0;
      for (let g = 0; g < G; g++) centre += rewards[b * G + g];
      centre /= G;
    }
    for (let g = 0; g < G; g++) out[b * G + g] = (rewards[b * G + g] - centre) / (S + 1e-6);
  }
  return out;
}
