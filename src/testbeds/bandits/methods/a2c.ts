/**
 * Advantage actor-critic with Monte-Carlo returns (Mnih et al. 2016, "Asynchronous Methods for Deep RL", Algorithm S3
 * with the n-step return taken to the end of the credit window; equivalently REINFORCE with a learned state-value
 * baseline, Williams 1992 / Sutton & Barto 2018 §13.4). For a batch of B trajectories of L steps, all arrays step-major
 * (row t·B + b):
 *   G_t = Σ_{k ≥ t, k in t's credit window} γ^{k−t} r_k                                        (discounted return)
 *   A_t = G_t − V(h_t)                                                            (advantage, V treated as constant)
 *   loss = (1 / BL) Σ_{t,b} [ −A_t log π(a_t | h_t) + (c_v / 2)(V(h_t) − G_t)² − β H(π(· | h_t)) ].
 * The credit window is the whole trajectory (`episodeLength` 0) or the episode holding t (returns stop at episode
 * ends): "per-episode credit only". γ = 0 gives G_t = r_t, the purely myopic objective.
 */

/** Discounted returns G (L × B) of rewards (L × B), cut at multiples of `episodeLength` when it is > 0. */
export function discountedReturns(
  rewards: Float64Array,
  L: number,
  B: number,
  gamma: number,
  episodeLength = 0,
): Float64Array {
  if (rewards.length !== L * B) throw new RangeError(`discountedReturns: rewards must hold L·B = ${L * B} values`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`discountedReturns: γ must be in [0, 1], got ${gamma}`);
  const G = new Float64Array(L * B);
  for (let b = 0; b < B; b++) {
    let acc = 0;
    for (let t = L - 1; t >= 0; t--) {
      if (episodeLength > 0 && (t + 1) % episodeLength === 0) acc = 0; // t is the last step of an episode
      acc = rewards[t * B + b] + gamma * acc;
      G[t * B + b] = acc;
    }
  }
  return G;
}

export interface A2cCoefficients {
  /** Value-loss weight c_v. */
  valueCoef: number;
  /** Entropy bonus weight β (≥ 0; 0 is the pure extrinsic objective). */
  entropyCoef: number;
}

export interface A2cLossResult {
  loss: number;
  /** Mean policy entropy (nats). */
  entropy: number;
  /** ∂loss/∂logits, L × B × K. */
  dLogits: Float64Array;
  /** ∂loss/∂V, L × B. */
  dValues: Float64Array;
}

/** The A2C loss above and its gradient with respect to the logits and values of every step. */
export function a2cLoss(
  probs: Float64Array,
  values: Float64Array,
  actions: Int32Array,
  returns: Float64Array,
  K: number,
  c: A2cCoefficients,
): A2cLossResult {
  const N = values.length;
  if (probs.length !== N * K || actions.length !== N || returns.length !== N)
    throw new RangeError(`a2cLoss: expected probs N·K, actions/returns/values N (N = ${N}, K = ${K})`);
  const dLogits = new Float64Array(N * K),
    dValues = new Float64Array(N);
  let loss = 0,
    ent = 0;
  const w = 1 / N;
  for (let i = 0; i < N; i++) {
    const a = actions[i];
    const adv = returns[i] - values[i];
    const pa = probs[i * K + a];
    let Hs = 0;
    for (let k = 0; k < K; k++) {
      const pk = probs[i * K + k];
      if (pk > 0) Hs -= pk * Math.log(pk);
    }
    loss += w * (-adv * Math.log(Math.max(pa, 1e-300)) + 0.5 * c.valueCoef * (values[i] - returns[i]) ** 2);
    loss -= w * c.entropyCoef * Hs;
    ent += w * Hs;
    for (let k = 0; k < K; k++) {
      const pk = probs[i * K + k];
      // −A ∂log π(a)/∂l_k = A (p_k − 1[k = a]);  −β ∂H/∂l_k = β p_k (log p_k + H)
      let d = adv * (pk - (k === a ? 1 : 0));
      if (pk > 0) d += c.entropyCoef * pk * (Math.log(pk) + Hs);
      dLogits[i * K + k] = w * d;
    }
    dValues[i] = w * c.valueCoef * (values[i] - returns[i]);
  }
  return { loss, entropy: ent, dLogits, dValues };
}
