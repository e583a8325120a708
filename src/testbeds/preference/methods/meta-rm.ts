/**
 * MetaRM (Wang et al., "Secrets of RLHF in Large Language Models Part II: Reward Modeling", arXiv:2401.06080, §3.2,
 * Algorithm 1): train a reward model on the original preference pairs while keeping it discriminative on responses
 * sampled from a shifted policy distribution.
 *
 * Difference objective (eq. 11), for k responses s_1..s_k of one prompt:
 *   J_θ = (2/k²) Σ_{i<j} σ(|r_θ(s_i) − r_θ(s_j)|),
 * averaged over the prompts of a meta mini-batch X_s. One MetaRM step (eqs. 12–14):
 *   θ' = θ + η ∇_θ J_θ(X_s)                  (meta-process: gradient ascent on the difference)
 *   θ ← θ − α ∇_{θ'} L_{θ'}(X_t)             (the vanilla loss's gradient at θ', applied to θ)
 * The descent step here is the reward model's Adam step with that gradient (the paper writes a plain step of size α).
 */
import { StrengthAwareReward } from './preference-strength';

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Eq. 11 averaged over G prompts of k responses each (rewards r, row g·k + i for response i of prompt g), and its
 * derivative in every reward. At r_i = r_j the derivative of |r_i − r_j| is taken as 0.
 */
export function differenceObjective(r: ArrayLike<number>, G: number, k: number): { J: number; dr: Float64Array } {
  if (r.length !== G * k) throw new RangeError(`differenceObjective: expected ${G}·${k} rewards, got ${r.length}`);
  if (k < 2) throw new RangeError(`differenceObjective: need k ≥ 2 responses per prompt, got ${k}`);
  const dr = new Float64Array(G * k);
  const c = 2 / (k * k) / G;
  let J = 0;
  for (let g = 0; g < G; g++)
    for (let i = 0; i < k; i++)
      for (let j = i + 1; j < k; j++) {
        const d = r[g * k + i] - r[g * k + j];
        const s = sigma(Math.abs(d));
        J += c * s;
        const gd = c * s * (1 - s) * Math.sign(d);
        dr[g * k + i] += gd;
        dr[g * k + j] -= gd;
      }
  return { J, dr };
}

/**
 * One MetaRM step (Algorithm 1, lines 4–7) on a reward model: meta responses xs (G·k × dIn) and a batch of n pairs
 * (chosen xc, rejected xr, soft targets and margins of methods/preference-strength.ts; target 1, margin 0 is the
 * vanilla loss of eq. 10). Returns the difference objective before the step and the vanilla loss at θ'.
 */
export function metaRmStep(
  model: StrengthAwareReward,
  xs: Float32Array,
  G: number,
  k: number,
  xc: Float32Array,
  xr: Float32Array,
  target: ArrayLike<number>,
  margin: ArrayLike<number>,
  n: number,
  eta: number,
): { J: number; loss: number } {
  const net = model.net;
  const out = net.forward(xs, G * k);
  const { J, dr } = differenceObjective(out, G, k);
  net.zeroGrad();
  net.backward(Float32Array.from(dr));
  const p = net.params.f;
  const theta = Float32Array.from(p);
  const gJ = net.grads.f;
  for (let i = 0; i < p.length; i++) p[i] += eta * gJ[i]; // θ' = θ + η ∇J (eq. 12)
  const loss = model.lossAndGrad(xc, xr, target, margin, n); // ∇_{θ'} L_{θ'} (eq. 13), left in net.grads
  p.set(theta);
  model.applyGradient(); // θ ← θ − Adam(∇_{θ'} L) (eq. 14)
  return { J, loss };
}
