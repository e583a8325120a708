/**
 * Sample-filter parts: which responses of a sampled batch the update uses.
 *   uniform-groups   drop every group whose G rewards are all equal (all correct or all wrong): their
 *                    group-relative advantage is 0, so they only dilute the batch (DAPO's dynamic sampling,
 *                    Yu et al. 2025, eq. 11: 0 < |{o_i correct}| < G; the loop refills the batch with fresh
 *                    prompts when `dynamic` sampling is on)
 *   correct-only     keep only the responses with reward 1 (rejection-sampling fine-tuning: Yuan et al.
 *                    2023, "Scaling Relationship on Learning Mathematical Reasoning", §3.3, RFT; the
 *                    STaR/ReST-EM family)
 *   overlong         drop the responses that hit the completion budget without the stop token (truncated): their
 *                    reward says nothing about the answer they would have written (DAPO's overlong filtering,
 *                    Yu et al. 2025; one of the techniques Liu et al. 2025, "Part I: Tricks or Traps?", examine)
 * A filter returns a 0/1 keep mask over the B·G responses (group-major).
 */

export type FilterName = 'uniform-groups' | 'correct-only' | 'overlong';

/**
 * Keep mask of B groups of G: 1 where the response survives every filter in `filters`. `truncated` (B·G, 1 where
 * the response hit the budget without the stop token) is needed by 'overlong'.
 */
export function keepMask(
  filters: readonly FilterName[],
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  truncated?: ArrayLike<number>,
): Uint8Array {
  const keep = new Uint8Array(B * G).fill(1);
  for (const f of filters) {
    if (f === 'overlong') {
      if (!truncated || truncated.length !== B * G)
        throw new RangeError(
          `reasoning.keepMask: the overlong filter needs one truncation flag per response (${B * G})`,
        );
      for (let i = 0; i < B * G; i++) if (truncated[i]) keep[i] = 0;
      continue;
    }
    for (let b = 0; b < B; b++) {
      if (f === 'uniform-groups') {
        let uniform = true;
        for (let i = 1; i < G; i++) if (rewards[b * G + i] !== rewards[b * G]) uniform = false;
        if (uniform) keep.fill(0, b * G, (b + 1) * G);
      } else {
        for (let i = 0; i < G; i++) if (!(rewards[b * G + i] > 0)) keep[b * G + i] = 0;
      }
    }
  }
  return keep;
}

/** Whether group b keeps at least one response. */
export function groupKept(keep: Uint8Array, b: number, G: number): boolean {
  for (let i = 0; i < G; i++) if (keep[b * G + i]) return true;
  return false;
}
