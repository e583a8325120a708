/**
 * Per-token terms of the off-policy REINFORCE family (Yao et al. 2025, "Group-Relative REINFORCE Is Secretly an
 * Off-Policy Algorithm"; coefficients as in the authors' Trinity-RFT `rec_gsm8k` configurations), added to the
 * policy-gradient term of each kept token t (aggregation weight c_t, d_t = log π_θ(o_t) − log μ(o_t)):
 *   k2Behaviour τ           OPMD, online policy mirror descent: loss + τ·c_t·d_t², gradient 2τ·c_t·d_t
 *   asymRe τ                AsymRE, asymmetric REINFORCE: loss − τ·c_t·log π_θ(o_t) (the baseline lowered by τ),
 *                           gradient −τ·c_t
 *   advantageWeightTemp T   RED-Weight: the policy-gradient term weighted by exp(A/T) (data weighting)
 * The GRU loop of the same paper (rlvr/loops/gru-pg.ts) adds the same terms in the same order.
 */

export interface OffPolicyTerms {
  k2Behaviour?: number;
  asymRe?: number;
  advantageWeightTemp?: number;
}

/** ∂/∂log π_θ(o_t) of the OPMD and AsymRE terms for one token (0 when neither is set). */
export function offPolicyTermGrad(terms: OffPolicyTerms, c: number, d: number): number {
  let g = 0;
  if (terms.asymRe) g -= c * terms.asymRe;
  if (terms.k2Behaviour) g += c * 2 * terms.k2Behaviour * d;
  return g;
}

/** RED-Weight's factor exp(A/T) (1 when off). */
export function advantageWeight(terms: OffPolicyTerms | undefined, A: number): number {
  const T = terms?.advantageWeightTemp;
  if (T === undefined) return 1;
  if (!(T > 0)) throw new RangeError(`reasoning.advantageWeight: advantageWeightTemp must be > 0, got ${T}`);
  return Math.exp(A / T);
}
