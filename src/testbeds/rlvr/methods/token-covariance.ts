/**
 * The token-level covariance that drives the entropy of a softmax policy under policy gradient (Cui et
 * al. 2025, "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models", Lemma 1 and
 * §4): over the sampled answer tokens of a batch, token i's centred covariance of its log-probability
 * and its advantage,
 *   Cov_i = (A_i − mean_j A_j) · (log π_θ(y_i) − mean_j log π_θ(y_j)),
 * whose mean is the batch estimate of Cov(log π, A). High-covariance tokens are the ones Clip-Cov
 * (clip-cov.ts) and KL-Cov (kl-cov.ts) act on.
 */

/** Centred token covariance Cov_i = (A_i − Ā)(logp_i − mean logp) over the tokens given (one entry per token). */
export function tokenCovariance(adv: ArrayLike<number>, logp: ArrayLike<number>): Float64Array {
  const n = adv.length;
  if (logp.length !== n)
    throw new RangeError(`rlvr.tokenCovariance: ${n} advantages but ${logp.length} log-probabilities`);
  let ma = 0,
    ml = 0;
  for (let i = 0; i < n; i++) {
    ma += adv[i];
    ml += logp[i];
  }
  ma /= n || 1;
  ml /= n || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (adv[i] - ma) * (logp[i] - ml);
  return out;
}
