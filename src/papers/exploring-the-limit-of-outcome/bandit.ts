/**
 * OREAL's theorem on a contextual bandit with binary rewards (Lyu et al. 2025, §2: behaviour cloning on the positive
 * samples of best-of-N sampling learns the KL-regularised optimal policy). For a context with reference policy π_ref
 * over A actions, reward r(a) ∈ {0, 1} and pass rate p = Σ_a π_ref(a) r(a) ∈ (0, 1), best-of-n sampling (draw n
 * actions from π_ref, return a correct one when there is one) returns action a with probability
 *   π_bon(a) = π_ref(a)·[1 − (1 − p)^n]/p     (r(a) = 1)
 *   π_bon(a) = π_ref(a)·(1 − p)^(n−1)         (r(a) = 0),
 * which is exactly the optimum of max_π E_π[r] − β·KL(π ‖ π_ref), π*(a) = π_ref(a)·exp(r(a)/β)/Z, at
 *   β_n = 1 / log([1 − (1 − p)^n] / [p·(1 − p)^(n−1)]),
 * and as n → ∞ (β_n → 0) it is π_ref restricted to the correct actions: behaviour cloning on the positives alone.
 * So maximum-likelihood fitting of BoN's selections (behaviour cloning on what BoN returns, positives whenever one was
 * drawn) converges to π*_{β_n}. This module computes π_bon by exhaustive enumeration of the n-tuples (independently of
 * the formula), the closed form, and a behaviour-cloning fit from sampled BoN selections.
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Rng } from '../../core/rng';

/** One seed's bandit (every field is used). */
export interface BanditConfig {
  contexts: number;
  actions: number;
  /** Std of the reference logits (π_ref = softmax of N(0, s²) logits). */
  logitStd: number;
  /** Best-of-n sizes fitted by behaviour cloning (each ≥ 1). */
  ns: number[];
  /** n values checked by enumeration (A^n tuples each: keep A^n small). */
  enumerateNs: number[];
  /** BoN selections drawn per context for the behaviour-cloning fit. */
  samples: number;
  /** Full-batch Adam steps of the cross-entropy fit (tabular logits, initialised at log π_ref). */
  fitSteps: number;
  fitLr: number;
}

export const BANDIT_DEFAULTS: BanditConfig = {
  contexts: 16,
  actions: 8,
  logitStd: 1,
  ns: [2, 4, 16],
  enumerateNs: [1, 2, 3, 4],
  samples: 4000,
  fitSteps: 300,
  fitLr: 0.1,
};

/** A random context: π_ref and a reward vector with at least one correct and one wrong action. */
export interface BanditContext {
  ref: Float64Array;
  reward: Uint8Array;
}

export function randomContext(A: number, logitStd: number, rng: Rng): BanditContext {
  const z = rng.normals(A, 0, logitStd);
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  const ref = e.map((x) => x / s);
  const reward = new Uint8Array(A);
  // Each action correct with probability 1/3, then one action forced correct and another forced wrong.
  for (let a = 0; a < A; a++) reward[a] = rng.uniform() < 1 / 3 ? 1 : 0;
  const i = rng.int(A);
  const j = (i + 1 + rng.int(A - 1)) % A;
  reward[i] = 1;
  reward[j] = 0;
  return { ref, reward };
}

/** p = Σ_a π_ref(a)·r(a). */
export function passRate(c: BanditContext): number {
  let p = 0;
  for (let a = 0; a < c.ref.length; a++) p += c.ref[a] * c.reward[a];
  return p;
}

/** β_n of the theorem (Infinity for n = 1: BoN of one draw is π_ref itself). */
export function bonBeta(p: number, n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`oreal bandit: n must be an integer ≥ 1, got ${n}`);
  if (n === 1) return Infinity; // the ratio is exactly 1 (rounding could make its log negative)
  const ratio = (1 - (1 - p) ** n) / (p * (1 - p) ** (n - 1));
  return 1 / Math.log(ratio);
}

/** π*(a) = π_ref(a)·exp(r(a)/β)/Z (β = Infinity gives π_ref; β = 0 gives π_ref restricted to r = 1). */
export function klOptimal(c: BanditContext, beta: number): Float64Array {
  const A = c.ref.length;
  const out = new Float64Array(A);
  if (beta === 0) {
    const p = passRate(c);
    for (let a = 0; a < A; a++) out[a] = c.reward[a] ? c.ref[a] / p : 0;
    return out;
  }
  // Weights relative to the correct actions' tilt, stable for small β: exp((r − 1)/β).
  let z = 0;
  for (let a = 0; a < A; a++) {
    out[a] = c.ref[a] * (c.reward[a] ? 1 : Number.isFinite(beta) ? Math.exp(-1 / beta) : 1);
    z += out[a];
  }
  for (let a = 0; a < A; a++) out[a] /= z;
  return out;
}

/** π_bon by enumerating all A^n draws (the first correct draw is returned, else the first draw). */
export function bonByEnumeration(c: BanditContext, n: number): Float64Array {
  const A = c.ref.length;
  const out = new Float64Array(A);
  const idx = new Int32Array(n);
  for (;;) {
    let pr = 1,
      pick = -1;
    for (let k = 0; k < n; k++) {
      pr *= c.ref[idx[k]];
      if (pick < 0 && c.reward[idx[k]]) pick = idx[k];
    }
    out[pick < 0 ? idx[0] : pick] += pr;
    let k = 0;
    while (k < n && ++idx[k] === A) idx[k++] = 0;
    if (k === n) break;
  }
  return out;
}

/** KL(p ‖ q) in nats (terms with p = 0 contribute 0). */
export function kl(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let a = 0; a < p.length; a++) if (p[a] > 0) s += p[a] * Math.log(p[a] / q[a]);
  return s;
}

/** One BoN selection: n draws from π_ref, the first correct one, else the first. */
export function bonSample(c: BanditContext, n: number, rng: Rng): number {
  let first = -1;
  for (let k = 0; k < n; k++) {
    const a = rng.categorical(c.ref);
    if (c.reward[a]) return a;
    if (first < 0) first = a;
  }
  return first;
}

/**
 * Behaviour cloning: tabular logits θ initialised at log π_ref, `steps` full-batch Adam steps on the mean
 * cross-entropy −(1/M) Σ_m log softmax(θ)[a_m] of the sampled actions. Returns softmax(θ).
 */
export function behaviourClone(c: BanditContext, actions: ArrayLike<number>, steps: number, lr: number): Float64Array {
  const A = c.ref.length;
  const freq = new Float64Array(A);
  for (let m = 0; m < actions.length; m++) freq[actions[m]] += 1 / actions.length;
  const th = Float64Array.from(c.ref, (x) => Math.log(x));
  const m1 = new Float64Array(A),
    m2 = new Float64Array(A);
  const pi = new Float64Array(A);
  const soft = () => {
    const mx = Math.max(...th);
    let z = 0;
    for (let a = 0; a < A; a++) z += pi[a] = Math.exp(th[a] - mx);
    for (let a = 0; a < A; a++) pi[a] /= z;
  };
  for (let t = 1; t <= steps; t++) {
    soft();
    for (let a = 0; a < A; a++) {
      const g = pi[a] - freq[a]; // ∂CE/∂θ_a
      m1[a] = 0.9 * m1[a] + 0.1 * g;
      m2[a] = 0.999 * m2[a] + 0.001 * g * g;
      th[a] -= (lr * (m1[a] / (1 - 0.9 ** t))) / (Math.sqrt(m2[a] / (1 - 0.999 ** t)) + 1e-12);
    }
  }
  soft();
  return Float64Array.from(pi);
}

/**
 * One seed: `contexts` random contexts. Metrics (`bandit/…`): `identityMaxErr` = max over contexts, n ∈ enumerateNs and
 * actions of |π_bon(enumerated) − π*_{β_n}|; per n ∈ ns, `klRatio@n` = mean over contexts of
 * KL(π*_{β_n} ‖ π_BC)/KL(π*_{β_n} ‖ π_ref) (behaviour cloning on `samples` BoN selections per context),
 * `klBC@n` and `klRef@n` (means of the two KLs), `betaMean@n` (mean β_n), `posFraction@n` (share of selections that are
 * correct), and `limitErr` = max |π*_{β_n} − π_ref|_{r=1}/p| at n = 1000 (the n → ∞ limit: plain positives-only BC).
 */
export function banditSeed(c: BanditConfig, seed: number): RunResult {
  const rng = new Rng(seed).split('oreal-bandit');
  const ctxs = Array.from({ length: c.contexts }, (_, i) => randomContext(c.actions, c.logitStd, rng.split(`ctx${i}`)));
  const metrics: Record<string, number> = {};
  let idErr = 0;
  for (const cx of ctxs)
    for (const n of c.enumerateNs) {
      const e = bonByEnumeration(cx, n);
      const s = klOptimal(cx, bonBeta(passRate(cx), n));
      for (let a = 0; a < c.actions; a++) idErr = Math.max(idErr, Math.abs(e[a] - s[a]));
    }
  metrics[metricKey('bandit', 'identityMaxErr')] = idErr;
  let limitErr = 0;
  for (const cx of ctxs) {
    const s = klOptimal(cx, bonBeta(passRate(cx), 1000));
    const z = klOptimal(cx, 0);
    for (let a = 0; a < c.actions; a++) limitErr = Math.max(limitErr, Math.abs(s[a] - z[a]));
  }
  metrics[metricKey('bandit', 'limitErr')] = limitErr;
  for (const n of c.ns) {
    let ratio = 0,
      klBc = 0,
      klRef = 0,
      beta = 0,
      pos = 0;
    ctxs.forEach((cx, i) => {
      const srng = rng.split(`bon${n}-${i}`);
      const acts = Int32Array.from({ length: c.samples }, () => bonSample(cx, n, srng));
      for (const a of acts) pos += cx.reward[a] / (c.samples * c.contexts);
      const b = bonBeta(passRate(cx), n);
      const star = klOptimal(cx, b);
      const fit = behaviourClone(cx, acts, c.fitSteps, c.fitLr);
      const kb = kl(star, fit),
        kr = kl(star, cx.ref);
      ratio += kb / kr / c.contexts;
      klBc += kb / c.contexts;
      klRef += kr / c.contexts;
      beta += b / c.contexts;
    });
    metrics[metricKey('bandit', `klRatio@${n}`)] = ratio;
    metrics[metricKey('bandit', `klBC@${n}`)] = klBc;
    metrics[metricKey('bandit', `klRef@${n}`)] = klRef;
    metrics[metricKey('bandit', `betaMean@${n}`)] = beta;
    metrics[metricKey('bandit', `posFraction@${n}`)] = pos;
  }
  return { metrics };
}
