/**
 * The Entropy-Clip Rule of BAPO (Xi et al. 2025, §3, eq. 6–7; Appendix B, Propositions 1–2 and Table 4), tested as
 * stated, exactly, on its own premises: one state, a tabular softmax policy π = softmax(z) over V tokens, a stale
 * behaviour policy μ, advantages with E_π[A] = 0 (Lemma 3), the PPO objective with the fixed clip ε, and one step of
 * size η on the logits. With r = π/μ and X(y) = 1 when A(y) > 0 & r(y) < 1 + ε or A(y) < 0 & r(y) > 1 − ε (eq. 7):
 *   PPO gradient (exact expectation under μ):   ∂J/∂z_y = π(y)·(A(y)X(y) − E_π[AX])            (Proposition 1)
 *   Eq. 6 as stated:                            ΔH ≈ −η·Cov_{y∼π}(log π(y), A(y)X(y) + C)      (C constant)
 *   first order of the step (Lemma 1):          ΔH ≈ −Cov_{y∼π}(log π(y), Δz_y)
 * Proposition 1's step Δz = η·∂J/∂z carries the factor π(y) that eq. 6 drops; eq. 6 is the first-order change for the
 * natural-gradient step Δz = η·(AX − E_π[AX]) (Cui et al. 2025's setting). Both steps are measured. The token rule
 * of §3 / Table 4 ("updating the policy with positive high-probability tokens ... and negative low-probability tokens
 * sharpens the distribution and consequently reduces entropy. Conversely, ... negative high-probability tokens and
 * positive low-probability tokens ... increase in entropy", high probability: π(y) > exp(E_π log π), Definition 1) is
 * tested on one-token updates: the policy-gradient step on the sampled token y_s with advantage A_s,
 * Δz = η·A_s·∇_z log π(y_s) = η·A_s·(e_s − π), and the own-logit step Δz = η·A_s·e_s of Table 4's derivation.
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';

/** One seed: `instances` random (π, μ, A) triples. */
export interface Config {
  /** Vocabulary size V. */
  vocab: number;
  /** Logits z ~ N(0, logitScale²) (peaked, LM-like distributions for scales ≳ 2). */
  logitScale: number;
  /** Staleness: log μ = log softmax(z + δ), δ ~ N(0, drift²). */
  drift: number;
  /** PPO clip ε (eq. 4, 7). */
  eps: number;
  /** Step size η on the logits (small: a first-order statement is tested). */
  eta: number;
  instances: number;
}

export const DEFAULTS: Config = { vocab: 32, logitScale: 2, drift: 0.5, eps: 0.2, eta: 1e-4, instances: 400 };

/** Softmax of logits. */
export function softmax(z: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]);
  const p = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += p[i] = Math.exp(z[i] - m);
  for (let i = 0; i < z.length; i++) p[i] /= s;
  return p;
}

/** Shannon entropy −Σ p log p (nats). */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Cov_{y∼p}(a(y), b(y)). */
export function covariance(p: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0,
    mb = 0;
  for (let i = 0; i < p.length; i++) {
    ma += p[i] * a[i];
    mb += p[i] * b[i];
  }
  let c = 0;
  for (let i = 0; i < p.length; i++) c += p[i] * (a[i] - ma) * (b[i] - mb);
  return c;
}

/** Eq. 7: X(y) = 1 when the token's gradient survives the clip, else 0. */
export function unclippedIndicator(A: ArrayLike<number>, r: ArrayLike<number>, eps: number): Float64Array {
  return Float64Array.from(A, (a, i) => ((a > 0 && r[i] < 1 + eps) || (a < 0 && r[i] > 1 - eps) ? 1 : 0));
}

/**
 * ∂J_PPO/∂z of the exact expected PPO objective J = Σ_y μ(y)·min(r(y)A(y), clip(r(y), 1 − ε, 1 + ε)A(y)) for the
 * tabular softmax π = softmax(z) (the clipped branch is constant in z).
 */
export function ppoLogitGradient(
  z: ArrayLike<number>,
  mu: ArrayLike<number>,
  A: ArrayLike<number>,
  eps: number,
): Float64Array {
  const pi = softmax(z);
  const V = pi.length;
  const g = new Float64Array(V);
  for (let y = 0; y < V; y++) {
    const r = pi[y] / mu[y];
    if (!((A[y] > 0 && r < 1 + eps) || (A[y] < 0 && r > 1 - eps))) continue;
    // μ(y)·A(y)·∂r/∂z = μ(y)·A(y)·r·(e_y − π) = π(y)·A(y)·(e_y − π)
    for (let j = 0; j < V; j++) g[j] += pi[y] * A[y] * ((j === y ? 1 : 0) - pi[j]);
  }
  return g;
}

/** One random instance: logits, behaviour policy, centred advantages (E_π A = 0). */
export function drawInstance(c: Config, rng: Rng): { z: Float64Array; mu: Float64Array; A: Float64Array } {
  const z = Float64Array.from({ length: c.vocab }, () => c.logitScale * rng.normal());
  const mu = softmax(Float64Array.from(z, (x) => x + c.drift * rng.normal()));
  const pi = softmax(z);
  const A = Float64Array.from({ length: c.vocab }, () => rng.normal());
  let m = 0;
  for (let i = 0; i < c.vocab; i++) m += pi[i] * A[i];
  for (let i = 0; i < c.vocab; i++) A[i] -= m;
  return { z, mu, A };
}

/** Relative error |pred − actual| / |actual|. */
const relErr = (pred: number, actual: number): number => Math.abs(pred - actual) / Math.abs(actual);

/**
 * One seed: per instance (series under `all/`): `prop1Err` (max |∂J/∂z − π(AX − E_π[AX])|, Proposition 1),
 * `lemmaErr` (relative error of −Cov(log π, Δz) against the exact ΔH of the PPO gradient step: the harness),
 * `eq6Err`, `eq6Sign` (eq. 6's relative error and sign agreement for the PPO gradient step), `eq6NpgErr`,
 * `eq6NpgSign` (the same for the natural-gradient step), `tokenSign`, `tokenOwnSign` (whether the one-token rule's
 * predicted sign of ΔH holds for the policy-gradient and the own-logit step on a token sampled from μ with a random
 * sign of A), `tokenHighProb`, `tokenPositive` (that token's class), `clippedFraction` (π-mass of clipped tokens).
 * Metrics `all/<name>` are the fractions (signs, classes) or medians (errors) over instances; `all/eq6Within`,
 * `all/eq6NpgWithin`, `all/lemmaWithin` count errors ≤ 0.1.
 */
export function runSeed(c: Config, seed: number): RunResult {
  if (!(c.vocab >= 2 && c.instances >= 1 && c.eta > 0 && c.eps > 0 && c.eps < 1))
    throw new RangeError(`bapo.entropyClip: need vocab ≥ 2, instances ≥ 1, η > 0, 0 < ε < 1; got ${JSON.stringify(c)}`);
  const rng = new Rng(seed).split('bapo-entropy-clip');
  const S: Record<string, number[]> = {
    prop1Err: [],
    lemmaErr: [],
    eq6Err: [],
    eq6Sign: [],
    eq6NpgErr: [],
    eq6NpgSign: [],
    tokenSign: [],
    tokenOwnSign: [],
    tokenHighProb: [],
    tokenPositive: [],
    clippedFraction: [],
  };
  for (let n = 0; n < c.instances; n++) {
    const ir = rng.split(`instance${n}`);
    const { z, mu, A } = drawInstance(c, ir);
    const V = c.vocab;
    const pi = softmax(z);
    const logp = Float64Array.from(pi, Math.log);
    const H0 = entropy(pi);
    const r = Float64Array.from(pi, (p, i) => p / mu[i]);
    const X = unclippedIndicator(A, r, c.eps);
    const AX = Float64Array.from(A, (a, i) => a * X[i]);
    let eAX = 0,
      clipped = 0;
    for (let i = 0; i < V; i++) {
      eAX += pi[i] * AX[i];
      if (!X[i]) clipped += pi[i];
    }
    const g = ppoLogitGradient(z, mu, A, c.eps);
    let e1 = 0;
    for (let i = 0; i < V; i++) e1 = Math.max(e1, Math.abs(g[i] - pi[i] * (AX[i] - eAX)));
    const step = (dz: ArrayLike<number>) => entropy(softmax(Float64Array.from(z, (x, i) => x + dz[i]))) - H0;
    const dzPg = Float64Array.from(g, (x) => c.eta * x);
    const dHpg = step(dzPg);
    const eq6 = -c.eta * covariance(pi, logp, AX);
    const dHnpg = step(Float64Array.from(AX, (x) => c.eta * (x - eAX)));
    S.prop1Err.push(e1);
    S.lemmaErr.push(relErr(-covariance(pi, logp, dzPg), dHpg));
    S.eq6Err.push(relErr(eq6, dHpg));
    S.eq6Sign.push(Math.sign(eq6) === Math.sign(dHpg) ? 1 : 0);
    S.eq6NpgErr.push(relErr(eq6, dHnpg));
    S.eq6NpgSign.push(Math.sign(eq6) === Math.sign(dHnpg) ? 1 : 0);
    S.clippedFraction.push(clipped);
    // One-token rule: a token sampled from the behaviour policy, advantage ±1.
    let u = ir.uniform(),
      s = 0;
    for (; s < V - 1; s++) if ((u -= mu[s]) <= 0) break;
    const As = ir.uniform() < 0.5 ? 1 : -1;
    const high = logp[s] > -H0; // Definition 1: π(y) > exp(E_π log π) = exp(−H)
    const predicted = As > 0 === high ? -1 : 1; // positive-high / negative-low: entropy falls
    const dTok = step(Float64Array.from(pi, (p, i) => c.eta * As * ((i === s ? 1 : 0) - p)));
    const dOwn = step(Float64Array.from(pi, (_p, i) => (i === s ? c.eta * As : 0)));
    S.tokenSign.push(Math.sign(dTok) === predicted ? 1 : 0);
    S.tokenOwnSign.push(Math.sign(dOwn) === predicted ? 1 : 0);
    S.tokenHighProb.push(high ? 1 : 0);
    S.tokenPositive.push(As > 0 ? 1 : 0);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const within = (xs: number[]) => mean(xs.map((x) => (x <= 0.1 ? 1 : 0)));
  const key = (k: string) => metricKey('all', k);
  const metrics: Record<string, number> = {
    [key('prop1MaxErr')]: Math.max(...S.prop1Err),
    [key('lemmaMedianErr')]: median(S.lemmaErr),
    [key('lemmaMaxErr')]: Math.max(...S.lemmaErr),
    [key('lemmaWithin')]: within(S.lemmaErr),
    [key('eq6MedianErr')]: median(S.eq6Err),
    [key('eq6Within')]: within(S.eq6Err),
    [key('eq6Sign')]: mean(S.eq6Sign),
    [key('eq6NpgMedianErr')]: median(S.eq6NpgErr),
    [key('eq6NpgWithin')]: within(S.eq6NpgErr),
    [key('eq6NpgSign')]: mean(S.eq6NpgSign),
    [key('tokenSign')]: mean(S.tokenSign),
    [key('tokenOwnSign')]: mean(S.tokenOwnSign),
    [key('tokenHighProb')]: mean(S.tokenHighProb),
    [key('clippedFraction')]: mean(S.clippedFraction),
  };
  const series: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(S)) series[key(k)] = v;
  return { metrics, series };
}
