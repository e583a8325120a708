/**
 * Token-aggregation parts: how per-token losses ℓ_{i,t} of the N responses of a batch (response i has
 * |o_i| tokens) are summed into one loss, as weights c_{i,t} with loss = Σ_i Σ_t c_{i,t} ℓ_{i,t}:
 *   sequence-mean  c = 1/(N·|o_i|)      GRPO (Shao et al. 2024, eq. 3: (1/G) Σ_i (1/|o_i|) Σ_t)
 *   token-mean     c = 1/Σ_j |o_j|      DAPO (Yu et al. 2025, eq. 8: token-level policy-gradient loss)
 *   constant       c = 1/(N·L_max)      Dr. GRPO (Liu et al. 2025, eq. 3 and their Appendix: sum over tokens
 *                                       divided by a constant, the generation budget, so no length bias)
 * The same weights as the RLVR testbed's methods/token-aggregation.ts (imported), under shorter names.
 */
import { aggregateTokenLoss, type TokenAggregation } from '../../rlvr/methods/token-aggregation';

export type AggregationName = 'sequence-mean' | 'token-mean' | 'constant';

export const AGGREGATION_NAMES: readonly AggregationName[] = ['sequence-mean', 'token-mean', 'constant'];

const RLVR_NAME: Record<AggregationName, TokenAggregation> = {
  'sequence-mean': 'seq-mean-token-mean',
  'token-mean': 'token-mean',
  constant: 'seq-mean-token-sum-norm',
};

/**
 * Per-token weights c_{i,t} of responses with `lengths` (each ≥ 1), `maxLen` the generation budget used by
 * 'constant'. Returns one Float64Array of length |o_i| per response.
 */
export function tokenWeights(name: AggregationName, lengths: ArrayLike<number>, maxLen: number): Float64Array[] {
  for (let i = 0; i < lengths.length; i++)
    if (!(lengths[i] >= 1))
      throw new RangeError(`reasoning.tokenWeights: response ${i} has length ${lengths[i]}; every length must be ≥ 1`);
  return aggregateTokenLoss(lengths, RLVR_NAME[name], maxLen);
}
