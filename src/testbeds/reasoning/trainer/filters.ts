/**
 * Sample-filter parts: which responses of a sampled batch the update uses.
 *   uniform-groups   drop every group whose G rewards are all equal (all correct or all wrong): their
 *                    group-relative advantage is 0, so they only dilute the batch (DAPO's dynamic sampling,
 *                    Yu et al. 2025, eq. 11: 0 < |{o_i correct}| < G; the loop refills the batch with fresh
 *                    prompts when `dynamic` sampling is on)
 *   correct-only     keep only the responses with reward 1 (rejection-sampling fine-tuning: Yuan et al.
 *                    2023, "Scaling Relationship on Learning Mathematical Reasoning", §3.3, RFT; the
 *                    STaR/ReST-EM family)
 * A filter returns a 0/1 keep mask over the B·G responses (group-major).
 */

export type FilterName = 'uniform-groups' | 'correct-only';

/** Keep mask of B groups of G: 1 where the response survives every filter in `filters`. */
export function keepMask(filters: readonly FilterName[], rewards: ArrayLike<number>, B: number, G: number): Uint8Array {
  const keep = new Uint8Array(B * G).fill(1);
  for (const f of filters) {
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
