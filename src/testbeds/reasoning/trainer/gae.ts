/**
 * The value-based advantage of PPO (Schulman et al. 2017, "Proximal Policy Optimization Algorithms", eq. 11–12)
 * as the RLHF/RLVR trainers apply it to a completion (Ouyang et al. 2022; verl's `compute_gae_advantage_return`,
 * whose defaults γ = 1, λ = 1 the recipe takes). For one completion of n tokens, values V_t = V(prompt, o_<t)
 * from the critic (V_n = 0 after the last token) and per-token rewards r_t (the verifier reward on the last
 * token; −β·k_t on every token when the KL is in the reward):
 *   δ_t = r_t + γ·V_{t+1} − V_t                              (Schulman et al. 2016, "GAE", eq. 10)
 *   A_t = Σ_{l ≥ 0} (γλ)^l δ_{t+l}                            (eq. 16; with γ = λ = 1, A_t = Σ_{s≥t} r_s − V_t)
 *   R_t = A_t + V_t                                          (the critic's regression target)
 * The policy's advantages are then whitened over the batch's tokens (verl's `masked_whiten`: mean 0, unbiased
 * variance 1, ε = 1e-8). The critic's loss is PPO's clipped value loss (verl's `compute_value_loss`, the
 * cliprange_value of OpenAI's baselines ppo2):
 *   ℓ_V = ½·max((v − R)², (clip(v, v_old − c, v_old + c) − R)²), averaged over the batch's tokens.
 */

/**
 * GAE advantages and returns of N completions (row i: tokens 0 … lengths[i] − 1 of L). `values` and `rewards`
 * are N × L (entries after a row's end are ignored); the outputs are N × L with 0 after each row's end.
 */
export function gaeAdvantages(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  lengths: ArrayLike<number>,
  N: number,
  L: number,
  gamma: number,
  lambda: number,
): { adv: Float64Array; returns: Float64Array } {
  if (rewards.length !== N * L || values.length !== N * L || lengths.length !== N)
    throw new RangeError(
      `reasoning.gaeAdvantages: expected ${N}·${L} rewards and values and ${N} lengths, got ` +
        `${rewards.length}, ${values.length} and ${lengths.length}`,
    );
  if (!(gamma >= 0 && gamma <= 1 && lambda >= 0 && lambda <= 1))
    throw new RangeError(`reasoning.gaeAdvantages: γ and λ must lie in [0, 1], got ${gamma} and ${lambda}`);
  const adv = new Float64Array(N * L),
    returns = new Float64Array(N * L);
  for (let i = 0; i < N; i++) {
    const n = lengths[i];
    if (!(Number.isInteger(n) && n >= 1 && n <= L))
      throw new RangeError(`reasoning.gaeAdvantages: row ${i} has length ${n}, expected an integer in [1, ${L}]`);
    let next = 0,
      acc = 0;
    for (let t = n - 1; t >= 0; t--) {
      const j = i * L + t;
      const delta = rewards[j] + gamma * next - values[j];
      acc = delta + gamma * lambda * acc;
      adv[j] = acc;
      returns[j] = acc + values[j];
      next = values[j];
    }
  }
  return { adv, returns };
}

/** Whitens x over the entries with mask 1: (x − mean)/√(var + 1e-8), unbiased variance (verl's masked_whiten). */
export function maskedWhiten(x: Float64Array, mask: ArrayLike<number>): Float64Array {
  if (mask.length !== x.length)
    throw new RangeError(`reasoning.maskedWhiten: ${x.length} values and ${mask.length} mask entries`);
  let n = 0,
    s = 0;
  for (let j = 0; j < x.length; j++)
    if (mask[j]) {
      n++;
      s += x[j];
    }
  const out = new Float64Array(x.length);
  if (n === 0) return out;
  const m = s / n;
  let v = 0;
  for (let j = 0; j < x.length; j++) if (mask[j]) v += (x[j] - m) ** 2;
  // torch.var's unbiased correction, as verl's masked_var (n/(n−1)); one token: variance 0
  v = n > 1 ? v / (n - 1) : 0;
  const r = 1 / Math.sqrt(v + 1e-8);
  for (let j = 0; j < x.length; j++) if (mask[j]) out[j] = (x[j] - m) * r;
  return out;
}

/**
 * PPO's clipped value loss at one token and its derivative in v: ½·max((v − R)², (clip(v, v_old ± c) − R)²);
 * `clip` null: ½·(v − R)². Where the clipped term is the larger and v lies outside the clip range, the
 * derivative is 0 (the clip cuts the gradient, as autograd does).
 */
export function clippedValueLoss(
  v: number,
  vOld: number,
  R: number,
  clip: number | null,
): { loss: number; grad: number } {
  const u = v - R;
  if (clip === null) return { loss: 0.5 * u * u, grad: u };
  const vc = Math.min(Math.max(v, vOld - clip), vOld + clip);
  const c = vc - R;
  if (u * u >= c * c) return { loss: 0.5 * u * u, grad: u };
  return { loss: 0.5 * c * c, grad: vc === v ? c : 0 };
}
