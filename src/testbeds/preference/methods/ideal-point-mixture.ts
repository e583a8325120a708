/**
 * Ideal-point mixture reward model (PAL-A of Chen et al. 2024, "PAL: Pluralistic Alignment Framework for Learning
 * from Heterogeneous Preferences"; official code RamyaLab/pluralistic-alignment, src/pal_rm_a/learner.py
 * `PrefLearner_dist`, src/pal_rm_a/userLearner.py `UserLearner_FPw`, src/loss_function.py `nll_logistic_loss`).
 *
 * Shared linear projection f(x) = A x (A: d × D), K prototypes p_1..p_K ∈ R^D (rows of P), per-user weights
 * w_u ∈ R^K mapped to the simplex by α_u = softmax(w_u); the user's ideal point is a_u = f(Σ_k α_uk p_k) (the
 * code's "f(Pw)" user learner; for a linear f it equals Σ_k α_uk f(p_k), the "f(P)w" form). The user's reward of an
 * item is the negative distance r_u(x) = −‖f(x) − a_u‖₂ (the code's "dist" learner), and the pair score is
 *   s = r_u(x_a) − r_u(x_b) = ‖f(x_b) − a_u‖ − ‖f(x_a) − a_u‖,
 * fitted with the BT / logistic negative log-likelihood ℓ = −log σ(±s) (the code's `nll_logistic_loss` with
 * targets ±1; here labels p ∈ [0, 1] via the testbed's btPairLoss). With K = 1 every user shares one ideal point:
 * the model is a single, user-independent ideal-point BT reward model.
 *
 * Parameters are packed θ = [A (d·D row-major), P (K·D row-major), W (U·K row-major)].
 */
import { btPairLoss } from './bradley-terry';

export interface IdealPointShape {
  /** Item feature dimension D. */
  D: number;
  /** Preference (latent) dimension d. */
  d: number;
  /** Number of prototypes K. */
  K: number;
  /** Number of users U. */
  U: number;
}

/** Pairwise comparisons: user u_i compares items xa_i and xb_i (rows of n × D arrays); p_i = P(xa ≻ xb) label. */
export interface UserPairs {
  n: number;
  user: Int32Array;
  xa: Float64Array;
  xb: Float64Array;
  p: Float64Array;
}

export function idealPointParamCount(s: IdealPointShape): number {
  return s.d * s.D + s.K * s.D + s.U * s.K;
}

/** Offsets of A, P, W in the packed θ. */
export function idealPointOffsets(s: IdealPointShape): { A: number; P: number; W: number } {
  return { A: 0, P: s.d * s.D, W: s.d * s.D + s.K * s.D };
}

/** Mixture weights α_u = softmax(w_u) (length K). */
export function userMixture(theta: Float64Array, s: IdealPointShape, u: number): Float64Array {
  const o = idealPointOffsets(s).W + u * s.K;
  let mx = -Infinity;
  for (let k = 0; k < s.K; k++) mx = Math.max(mx, theta[o + k]);
  const a = new Float64Array(s.K);
  let z = 0;
  for (let k = 0; k < s.K; k++) z += a[k] = Math.exp(theta[o + k] - mx);
  for (let k = 0; k < s.K; k++) a[k] /= z;
  return a;
}

/** Ideal point a_u = A (Σ_k α_uk p_k) ∈ R^d, and the mixed prototype m_u = Σ_k α_uk p_k ∈ R^D. */
export function userIdealPoint(
  theta: Float64Array,
  s: IdealPointShape,
  u: number,
): { a: Float64Array; m: Float64Array } {
  const { D, d, K } = s;
  const off = idealPointOffsets(s);
  const al = userMixture(theta, s, u);
  const m = new Float64Array(D);
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) m[j] += al[k] * theta[off.P + k * D + j];
  const a = new Float64Array(d);
  for (let r = 0; r < d; r++) for (let j = 0; j < D; j++) a[r] += theta[off.A + r * D + j] * m[j];
  return { a, m };
}

function project(theta: Float64Array, s: IdealPointShape, X: Float64Array, row: number, out: Float64Array): void {
  const { D, d } = s;
  for (let r = 0; r < d; r++) {
    let v = 0;
    for (let j = 0; j < D; j++) v += theta[r * D + j] * X[row * D + j];
    out[r] = v;
  }
}

/** Pair scores s_i = ‖f(xb_i) − a_u‖ − ‖f(xa_i) − a_u‖ (positive: the user prefers xa). */
export function idealPointScores(theta: Float64Array, s: IdealPointShape, data: UserPairs): Float64Array {
  const ideal = Array.from({ length: s.U }, (_, u) => userIdealPoint(theta, s, u).a);
  const fa = new Float64Array(s.d),
    fb = new Float64Array(s.d);
  const out = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const a = ideal[data.user[i]];
    project(theta, s, data.xa, i, fa);
    project(theta, s, data.xb, i, fb);
    let da = 0,
      db = 0;
    for (let r = 0; r < s.d; r++) {
      da += (fa[r] - a[r]) ** 2;
      db += (fb[r] - a[r]) ** 2;
    }
    out[i] = Math.sqrt(db) - Math.sqrt(da);
  }
  return out;
}

/**
 * Mean BT negative log-likelihood of the ideal-point mixture and its exact gradient w.r.t. θ = [A, P, W]
 * (chain rule through the distance, the projection, the prototype mixture and the softmax), plus (l2/2)‖θ‖².
 */
export function idealPointMixtureLoss(
  theta: Float64Array,
  s: IdealPointShape,
  data: UserPairs,
  l2 = 0,
): { loss: number; grad: Float64Array } {
  const { D, d, K, U } = s;
  const off = idealPointOffsets(s);
  const grad = new Float64Array(theta.length);
  const ideal = Array.from({ length: U }, (_, u) => userIdealPoint(theta, s, u));
  // accumulated dL/da_u per user (d-vector); pushed through a_u = A m_u once per user at the end
  const gIdeal = new Float64Array(U * d);
  const fa = new Float64Array(d),
    fb = new Float64Array(d),
    ua = new Float64Array(d),
    ub = new Float64Array(d);
  let loss = 0;
  const n = data.n;
  for (let i = 0; i < n; i++) {
    const u = data.user[i];
    const a = ideal[u].a;
    project(theta, s, data.xa, i, fa);
    project(theta, s, data.xb, i, fb);
    let na = 0,
      nb = 0;
    for (let r = 0; r < d; r++) {
      ua[r] = fa[r] - a[r];
      ub[r] = fb[r] - a[r];
      na += ua[r] * ua[r];
      nb += ub[r] * ub[r];
    }
    na = Math.sqrt(na);
    nb = Math.sqrt(nb);
    const { loss: l, dd } = btPairLoss(nb - na, data.p[i]);
    loss += l / n;
    const g = dd / n;
    // ∂s/∂f(xa) = −ua/‖ua‖, ∂s/∂f(xb) = ub/‖ub‖, ∂s/∂a = ua/‖ua‖ − ub/‖ub‖
    for (let r = 0; r < d; r++) {
      const ca = na > 0 ? ua[r] / na : 0,
        cb = nb > 0 ? ub[r] / nb : 0;
      const gA = -g * ca,
        gB = g * cb;
      for (let j = 0; j < D; j++) grad[off.A + r * D + j] += gA * data.xa[i * D + j] + gB * data.xb[i * D + j];
      gIdeal[u * d + r] += g * (ca - cb);
    }
  }
  for (let u = 0; u < U; u++) {
    const { m } = ideal[u];
    const al = userMixture(theta, s, u);
    // a_u = A m_u: ∂/∂A += gIdeal m^T ; ∂/∂m = A^T gIdeal
    const gm = new Float64Array(D);
    for (let r = 0; r < d; r++) {
      const q = gIdeal[u * d + r];
      if (q === 0) continue;
      for (let j = 0; j < D; j++) {
        grad[off.A + r * D + j] += q * m[j];
        gm[j] += theta[off.A + r * D + j] * q;
      }
    }
    // m = Σ α_k p_k: ∂/∂p_k = α_k gm ; ∂/∂α_k = p_k·gm ; softmax: ∂/∂w_k = α_k (h_k − Σ α h)
    const h = new Float64Array(K);
    let ah = 0;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < D; j++) {
        grad[off.P + k * D + j] += al[k] * gm[j];
        h[k] += theta[off.P + k * D + j] * gm[j];
      }
      ah += al[k] * h[k];
    }
    for (let k = 0; k < K; k++) grad[off.W + u * K + k] += al[k] * (h[k] - ah);
  }
  if (l2 > 0)
    for (let j = 0; j < theta.length; j++) {
      loss += 0.5 * l2 * theta[j] * theta[j];
      grad[j] += l2 * theta[j];
    }
  return { loss, grad };
}

export interface IdealPointAdamOptions {
  steps: number;
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Only coordinates with mask[j] = 1 are updated (e.g. the new users' weights in few-shot adaptation). */
  mask?: Uint8Array;
}

/** Full-batch Adam on idealPointMixtureLoss (the code trains with Adam-type optimisers); returns θ, last loss. */
export function fitIdealPointMixture(
  theta0: Float64Array,
  s: IdealPointShape,
  data: UserPairs,
  o: IdealPointAdamOptions,
  l2 = 0,
): { theta: Float64Array; loss: number; gradNorm: number } {
  const b1 = o.beta1 ?? 0.9,
    b2 = o.beta2 ?? 0.999,
    eps = o.eps ?? 1e-8;
  const theta = Float64Array.from(theta0);
  const m1 = new Float64Array(theta.length),
    m2 = new Float64Array(theta.length);
  let last = idealPointMixtureLoss(theta, s, data, l2);
  for (let t = 1; t <= o.steps; t++) {
    const g = last.grad;
    for (let j = 0; j < theta.length; j++) {
      if (o.mask && !o.mask[j]) continue;
      m1[j] = b1 * m1[j] + (1 - b1) * g[j];
      m2[j] = b2 * m2[j] + (1 - b2) * g[j] * g[j];
      theta[j] -= (o.lr * (m1[j] / (1 - b1 ** t))) / (Math.sqrt(m2[j] / (1 - b2 ** t)) + eps);
    }
    last = idealPointMixtureLoss(theta, s, data, l2);
  }
  let gn = 0;
  for (let j = 0; j < theta.length; j++) if (!o.mask || o.mask[j]) gn = Math.max(gn, Math.abs(last.grad[j]));
  return { theta, loss: last.loss, gradNorm: gn };
}
