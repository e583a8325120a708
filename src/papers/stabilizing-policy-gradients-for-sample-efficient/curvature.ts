/**
 * CAPO's last-layer curvature model and its token mask (Melo, Abate & Gal 2025, "Stabilizing Policy Gradients for
 * Sample-Efficient Reinforcement Learning in LLM Reasoning"; the token-level rule of the official code,
 * github.com/luckeciano/stable-pg-llm, src/open_r1/grpo_entropy_trainer.py and
 * src/open_r1/sparse_optim_models/sparse_adam_model.py).
 *
 * The model: only the output head W (d × V, logits z = hᵀW) moves, so for a completion token t with final hidden
 * state h, next-token distribution π = softmax(z), sampled token a, advantage A and v = e_a − π:
 *   g_t    = A · h ⊗ v                                   per-token policy gradient of A·log π(a) w.r.t. W
 *   ĝ_t    = m̂/(√v̂ + ε),  m̂ = (β₁m + (1−β₁)g_t)/(1−β₁^{k+1}),  v̂ = (β₂v + (1−β₂)g_t²)/(1−β₂^{k+1})
 *            the prospective Adam direction of the token (m, v, k: a shadow Adam state of W tracked by the
 *            model; ĝ_t = g_t before its first update, as the code's empty moment dictionary falls back to)
 *   u      = ĝ_tᵀ h                                      the logit change per unit learning rate (V)
 *   s      = vᵀu                                         the change of log π(a) per unit learning rate
 *   ĝᵀHĝ   = A·(s² − uᵀFu),  F = diag(π) − ππᵀ           the surrogate A·π/π_old's Hessian along ĝ_t at π = π_old
 *   M_obj  = η⟨g_t, ĝ_t⟩ + ½η²·ĝᵀHĝ                      predicted change of the token's objective
 *                                                        (code: full_update_term)
 *   M_KL   = ½η²·s²                                      predicted KL (empirical Fisher of the token; code: approx_kl)
 * and the token is kept iff M_KL < τ_F and −τ_H < M_obj < τ_H (hessian_symmetric_clipping: true, the released
 * CAPO recipe: τ_F = 1e-4, τ_H = 0.01). After the mask, the shadow state takes one Adam moment update with the mean
 * gradient of the kept tokens (the code's global gradient per logit row over the unmasked tokens).
 */

/** Per-token output of the curvature model. */
export interface TokenCurvature {
  /** ⟨g_t, ĝ_t⟩. */
  gradDot: number;
  /** ĝᵀHĝ = A(s² − uᵀFu). */
  hess: number;
  /** s = vᵀu. */
  s: number;
  /** M_obj = η⟨g, ĝ⟩ + ½η²ĝᵀHĝ. */
  objShift: number;
  /** M_KL = ½η²s². */
  klShift: number;
}

/** The shadow Adam state of the output head W (d × V, row-major like the transformer's W_head). */
export class ShadowAdam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** Moment updates so far. */
  t = 0;
  constructor(
    readonly d: number,
    readonly V: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    if (!(Number.isInteger(d) && d > 0 && Number.isInteger(V) && V > 1))
      throw new RangeError(`capo.ShadowAdam: d and V must be positive integers (V > 1), got ${d}, ${V}`);
    this.m = new Float64Array(d * V);
    this.v = new Float64Array(d * V);
  }

  /** One moment update with gradient G (d·V), as SparseAdamModel.update_effective_gradient_moments. */
  update(G: Float64Array): void {
    if (G.length !== this.m.length)
      throw new RangeError(`capo.ShadowAdam.update: expected ${this.m.length} entries, got ${G.length}`);
    this.t++;
    const { beta1: b1, beta2: b2 } = this;
    for (let i = 0; i < G.length; i++) {
      this.m[i] = b1 * this.m[i] + (1 - b1) * G[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * G[i] * G[i];
    }
  }
}

/**
 * The curvature model of one token: `h` (d) its final hidden state, `pi` (V) its next-token distribution, `a` the
 * sampled token, `A` its advantage, `lr` the step size η. `u` (V) is scratch space.
 */
export function tokenCurvature(
  h: ArrayLike<number>,
  pi: ArrayLike<number>,
  a: number,
  A: number,
  lr: number,
  state: ShadowAdam,
  u: Float64Array = new Float64Array(state.V),
): TokenCurvature {
  const { d, V } = state;
  if (h.length !== d || pi.length !== V)
    throw new RangeError(
      `capo.tokenCurvature: expected h of ${d} and pi of ${V} entries, got ${h.length}, ${pi.length}`,
    );
  if (!(Number.isInteger(a) && a >= 0 && a < V))
    throw new RangeError(`capo.tokenCurvature: token ${a} is outside the vocabulary of ${V}`);
  u.fill(0);
  let gradDot = 0;
  if (state.t === 0) {
    // No moments yet: ĝ = g, so u_w = A·|h|²·v_w and ⟨g, ĝ⟩ = A²|h|²|v|².
    let hh = 0;
    for (let i = 0; i < d; i++) hh += h[i] * h[i];
    let vv = 0;
    for (let w = 0; w < V; w++) {
      const vw = (w === a ? 1 : 0) - pi[w];
      u[w] = A * hh * vw;
      vv += vw * vw;
    }
    gradDot = A * A * hh * vv;
  } else {
    const { beta1: b1, beta2: b2, eps, m, v } = state;
    const c1 = 1 - b1 ** (state.t + 1),
      c2 = 1 - b2 ** (state.t + 1);
    for (let i = 0; i < d; i++) {
      const hi = h[i],
        row = i * V;
      for (let w = 0; w < V; w++) {
        const g = A * hi * ((w === a ? 1 : 0) - pi[w]);
        const mh = (b1 * m[row + w] + (1 - b1) * g) / c1;
        const vh = (b2 * v[row + w] + (1 - b2) * g * g) / c2;
        const e = mh / (Math.sqrt(vh) + eps);
        u[w] += e * hi;
        gradDot += g * e;
      }
    }
  }
  let pu = 0,
    puu = 0;
  for (let w = 0; w < V; w++) {
    pu += pi[w] * u[w];
    puu += pi[w] * u[w] * u[w];
  }
  const s = u[a] - pu;
  const uFu = puu - pu * pu;
  const hess = A * (s * s - uFu);
  return {
    gradDot,
    hess,
    s,
    objShift: lr * gradDot + 0.5 * lr * lr * hess,
    klShift: 0.5 * lr * lr * s * s,
  };
}

/** CAPO's thresholds. */
export interface CapoThresholds {
  /** τ_F: bound on the predicted KL M_KL. */
  tauKl: number;
  /** τ_H: symmetric bound on the predicted objective shift M_obj. */
  tauObj: number;
}

/** Whether a token is kept: M_KL < τ_F and −τ_H < M_obj < τ_H (an infinite bound never masks). */
export function keepToken(c: TokenCurvature, t: CapoThresholds): boolean {
  return c.klShift < t.tauKl && c.objShift < t.tauObj && c.objShift > -t.tauObj;
}

export function checkThresholds(t: CapoThresholds): void {
  for (const [k, v] of Object.entries(t))
    if (!(v > 0)) throw new RangeError(`capo: the threshold ${k} must be > 0 (Infinity disables it), got ${v}`);
}
