/**
 * POWER, Preference Optimization via Weighted Entropy Robust Rewards (Rashidinejad & Tian 2024, "Sail into the
 * Headwind: Alignment via Robust Rewards and Dynamic Labels against Reward Hacking", arXiv:2412.09544), on a
 * tabular softmax policy.
 *
 * Reconstructed, not transcribed: the paper's method section could not be read for this implementation (see the
 * notebook's deviations); what follows is derived from the abstract's description — a robust (maximin) reward
 * objective regularised by Guiaşu's weighted entropy H_w(π) = −Σ_y w(y) π(y) log π(y) — by the same steps as RPO
 * (methods/rpo.ts, Liu et al. 2024):
 *   max_π min_r  L_BT(r) + η·( E_{x, y~π}[r] − E_{x, y~π'}[r] + β·H_w(π) )                                   (1)
 * For a fixed r the inner maximiser over π(·|x) satisfies r(x, y) = β w(x, y)(log π(y|x) + 1) + λ(x)          (2)
 * (stationarity on the simplex; `weightedEntropyPolicy` solves it). Substituting (2) — the reward of a policy, the
 * per-context λ(x) cancels in every difference — turns (1) into a loss of the policy alone:
 *   L_POWER(θ) = L_BT(r_θ) + η·β·( E_{x~D} Σ_y π_θ(y|x) w(x, y) − E_{(x, y)~π'} [w(x, y) log π_θ(y|x)] ) + const,  (3)
 *   r_θ(x, y) = β w(x, y)(log π_θ(y|x) + 1),
 * whose Bradley–Terry margin r_θ(a) − r_θ(b) = β(w_a log π(a) − w_b log π(b)) + β(w_a − w_b) is SimPO's
 * length-normalised margin for w = 1/|y| with a length-dependent target margin. π' = the chosen responses of the
 * data (the data's labels weight a and b as in methods/sft.ts); contexts are weighted by their share of the data.
 * With all weights equal to 1 (every response of the same length) the E_π[w] term is constant, H_w is Shannon's
 * entropy, and (3) is RPO with a uniform reference policy.
 */
import { sigmoid } from '../../../math';
import { totalWeight, type Comparisons } from '../data/comparisons';
import type { LossAndGrad } from '../loops/full-batch';
import { logSigmoid, logSoftmaxRows, type TableShape } from '../policies/logit-table';

export interface PowerOptions {
  /** Weighted-entropy coefficient β > 0. */
  beta: number;
  /** Robustness weight η ≥ 0 (η = 0: the Bradley–Terry term alone). */
  eta: number;
  /** Guiaşu weights w(x, y) > 0 (nX·nY; the paper's LLM choice is 1/|y|); all 1 when omitted. */
  weights?: Float64Array;
}

/** The implicit reward of a policy, eq. (2) without λ(x): β w(x, y)(log π(y|x) + 1). */
export function powerImplicitReward(logp: Float64Array, beta: number, weights?: Float64Array): Float64Array {
  const r = new Float64Array(logp.length);
  for (let i = 0; i < r.length; i++) r[i] = beta * (weights ? weights[i] : 1) * (logp[i] + 1);
  return r;
}

/**
 * The maximiser over the simplex of Σ_y π(y) r(y) + β H_w(π) for one context: π(y) = exp((r(y) − λ)/(β w(y)) − 1)
 * with λ fixed by Σ π = 1 (bisection; the sum decreases in λ). Returns the probabilities and λ.
 */
export function weightedEntropyPolicy(
  r: ArrayLike<number>,
  w: ArrayLike<number>,
  beta: number,
): { probs: Float64Array; lambda: number } {
  const n = r.length;
  const mass = (lam: number) => {
    let s = 0;
    for (let y = 0; y < n; y++) s += Math.exp((r[y] - lam) / (beta * w[y]) - 1);
    return s;
  };
  let lo = -1,
    hi = 1;
  while (mass(lo) < 1) lo = 2 * lo - 1;
  while (mass(hi) > 1) hi = 2 * hi + 1;
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (mass(mid) > 1) lo = mid;
    else hi = mid;
  }
  const lambda = 0.5 * (lo + hi);
  const probs = new Float64Array(n);
  for (let y = 0; y < n; y++) probs[y] = Math.exp((r[y] - lambda) / (beta * w[y]) - 1);
  const s = probs.reduce((a, b) => a + b, 0);
  for (let y = 0; y < n; y++) probs[y] /= s;
  return { probs, lambda };
}

/**
 * The POWER loss (3) and its gradient in the logits. Labels p_i of `c` enter both the Bradley–Terry term and π'
 * (POWER-DL passes its dynamic labels here; see methods/dynamic-labels.ts).
 */
export function powerLoss(logits: Float64Array, c: Comparisons, shape: TableShape, o: PowerOptions): LossAndGrad {
  if (!(o.beta > 0)) throw new RangeError(`powerLoss: beta must be > 0, got ${o.beta}`);
  if (!(o.eta >= 0)) throw new RangeError(`powerLoss: eta must be ≥ 0, got ${o.eta}`);
  const { nX, nY } = shape;
  const W = totalWeight(c, 'powerLoss');
  const logp = logSoftmaxRows(logits, shape);
  const wt = (i: number) => (o.weights ? o.weights[i] : 1);
  const grad = new Float64Array(logits.length);
  let loss = 0;
  // ctx[x]: share of the data in context x; chosen[x·nY + y]: π' mass (labels split a and b).
  const ctx = new Float64Array(nX);
  const chosen = new Float64Array(nX * nY);
  for (let i = 0; i < c.n; i++) {
    const off = c.x[i] * nY;
    const ia = off + c.a[i],
      ib = off + c.b[i];
    const v = c.w[i] / W,
      p = c.p[i];
    ctx[c.x[i]] += v;
    chosen[ia] += v * p;
    chosen[ib] += v * (1 - p);
    // Bradley–Terry term on r_θ: d = β(w_a(log π_a + 1) − w_b(log π_b + 1)).
    const wa = wt(ia),
      wb = wt(ib);
    const d = o.beta * (wa * (logp[ia] + 1) - wb * (logp[ib] + 1));
    loss -= v * (p * logSigmoid(d) + (1 - p) * logSigmoid(-d));
    const g = v * (sigmoid(d) - p) * o.beta;
    grad[ia] += g * wa;
    grad[ib] -= g * wb;
    if (wa !== wb) for (let y = 0; y < nY; y++) grad[off + y] -= g * (wa - wb) * Math.exp(logp[off + y]);
  }
  if (o.eta === 0) return { loss, grad };
  const k = o.eta * o.beta;
  for (let x = 0; x < nX; x++) {
    if (ctx[x] === 0) continue;
    const off = x * nY;
    let wbar = 0, // Σ_y π_y w_y
      cw = 0; // Σ_y π'(y) w_y
    for (let y = 0; y < nY; y++) {
      const py = Math.exp(logp[off + y]);
      wbar += py * wt(off + y);
      cw += chosen[off + y] * wt(off + y);
      loss += k * (-chosen[off + y] * wt(off + y) * logp[off + y]);
    }
    loss += k * ctx[x] * wbar;
    for (let y = 0; y < nY; y++) {
      const py = Math.exp(logp[off + y]);
      // ∂/∂θ_y of ctx·Σ π w = ctx·π_y (w_y − w̄); of −Σ π' w log π = −π'_y w_y + π_y Σ π' w.
      grad[off + y] += k * (ctx[x] * py * (wt(off + y) - wbar) - chosen[off + y] * wt(off + y) + py * cw);
    }
  }
  return { loss, grad };
}
