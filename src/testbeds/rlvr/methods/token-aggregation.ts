/**
 * How a sequence policy gradient aggregates per-token losses over a batch (the one place where GRPO,
 * DAPO and Dr. GRPO differ besides the advantage):
 *   'seq-mean-token-mean'      GRPO (Shao et al. 2024, eq. 3): mean over each sequence's |o| tokens,
 *                              then over sequences;
 *   'token-mean'               DAPO (Yu et al. 2025, token-level policy-gradient loss): mean over all tokens;
 *   'seq-mean-token-sum-norm'  Dr. GRPO (Liu et al. 2025, eq. 3): sum over tokens divided by a constant
 *                              (the maximum length), no 1/|o| length normalisation.
 */

export type TokenAggregation = 'seq-mean-token-mean' | 'token-mean' | 'seq-mean-token-sum-norm';

/**
 * Aggregate per-token losses of a batch of sequences: 'seq-mean-token-mean' (GRPO: mean over each
 * sequence's |o| tokens, then over sequences), 'token-mean' (DAPO: mean over all tokens), or
 * 'seq-mean-token-sum-norm' (Dr. GRPO: sum over tokens divided by a constant, the maximum length).
 * Returns the per-token weights c_t such that loss = Σ_t c_t ℓ_t.
 */
export function aggregateTokenLoss(
  lengths: ArrayLike<number>,
  mode: TokenAggregation,
  maxLen?: number,
): Float64Array[] {
  const n = lengths.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += lengths[i];
  const L = maxLen ?? Math.max(...Array.from(lengths));
  return Array.from({ length: n }, (_, i) => {
    const len = lengths[i];
    const c = mode === 'seq-mean-token-mean' ? 1 / (n * len) : mode === 'token-mean' ? 1 / total : 1 / (n * L);
    return new Float64Array(len).fill(c);
  });
}
