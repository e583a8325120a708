/**
 * Tabular policies as probability tables (the game-theoretic side of the preference testbed): one
 * categorical distribution over nY responses per context, row-major in a Float64Array (index
 * x·nY + y), carried with its shape as a `TabularPolicy`. (Policies held as raw logit tables are in
 * logit-table.ts.)
 *
 * Exact operations only (no sampling noise): KL divergences, geometric mixtures π^{1−w}·μ^{w}
 * (Nash-MD's regularised policy), averages of iterates. Everything is computed in log space where a
 * ratio of tiny numbers could underflow, so the solvers can be driven to 1e-12.
 */
import type { Rng } from '../../../core/rng';
import { sampleCategorical } from './logit-table';

export interface TabularPolicy {
  nX: number;
  nY: number;
  /** π(y|x) at x·nY + y; every row sums to 1. */
  probs: Float64Array;
}

function checkShape(nX: number, nY: number, where: string): void {
  if (!Number.isInteger(nX) || nX < 1)
    throw new RangeError(`${where}: nX (contexts) must be an integer ≥ 1, got ${nX}`);
  if (!Number.isInteger(nY) || nY < 1)
    throw new RangeError(`${where}: nY (responses) must be an integer ≥ 1, got ${nY}`);
}

/** Throws unless every row is a probability vector (to `tol`). */
export function checkPolicy(p: TabularPolicy, where = 'checkPolicy', tol = 1e-9): void {
  checkShape(p.nX, p.nY, where);
  if (p.probs.length !== p.nX * p.nY)
    throw new RangeError(`${where}: probs has length ${p.probs.length}, expected nX·nY = ${p.nX * p.nY}`);
  for (let x = 0; x < p.nX; x++) {
    let s = 0;
    for (let y = 0; y < p.nY; y++) {
      const v = p.probs[x * p.nY + y];
      if (!(v >= 0)) throw new RangeError(`${where}: π(y=${y}|x=${x}) = ${v} is not a probability`);
      s += v;
    }
    if (Math.abs(s - 1) > tol) throw new RangeError(`${where}: row x=${x} sums to ${s}, not 1`);
  }
}

export function sameShape(a: TabularPolicy, b: TabularPolicy, where: string): void {
  if (a.nX !== b.nX || a.nY !== b.nY)
    throw new RangeError(`${where}: policies of shapes ${a.nX}×${a.nY} and ${b.nX}×${b.nY} differ`);
}

/** The uniform tabular policy π(y|x) = 1/nY. */
export function uniformTabularPolicy(nX: number, nY: number): TabularPolicy {
  checkShape(nX, nY, 'uniformTabularPolicy');
  return { nX, nY, probs: new Float64Array(nX * nY).fill(1 / nY) };
}

export function clonePolicy(p: TabularPolicy): TabularPolicy {
  return { nX: p.nX, nY: p.nY, probs: Float64Array.from(p.probs) };
}

/** A policy from explicit rows (validated). */
export function policyFromRows(rows: ArrayLike<number>[]): TabularPolicy {
  const nX = rows.length;
  const nY = nX > 0 ? rows[0].length : 0;
  checkShape(nX, nY, 'policyFromRows');
  const probs = new Float64Array(nX * nY);
  rows.forEach((r, x) => {
    if (r.length !== nY) throw new RangeError(`policyFromRows: row ${x} has ${r.length} entries, expected ${nY}`);
    for (let y = 0; y < nY; y++) probs[x * nY + y] = r[y];
  });
  const p = { nX, nY, probs };
  checkPolicy(p, 'policyFromRows');
  return p;
}

/**
 * The tabular policy of logits (nX × nY): π(y|x) = exp(l − max)/Σ exp(l − max) per row (unnormalised
 * log-probabilities work too). −∞ logits give probability 0.
 */
export function tabularPolicyFromLogits(nX: number, nY: number, logits: ArrayLike<number>): TabularPolicy {
  checkShape(nX, nY, 'tabularPolicyFromLogits');
  if (logits.length !== nX * nY)
    throw new RangeError(`tabularPolicyFromLogits: logits has length ${logits.length}, expected ${nX * nY}`);
  const probs = new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    const off = x * nY;
    let m = -Infinity;
    for (let y = 0; y < nY; y++) if (logits[off + y] > m) m = logits[off + y];
    if (!Number.isFinite(m)) throw new RangeError(`tabularPolicyFromLogits: row x=${x} has no finite logit`);
    let s = 0;
    for (let y = 0; y < nY; y++) {
      const e = Math.exp(logits[off + y] - m);
      probs[off + y] = e;
      s += e;
    }
    for (let y = 0; y < nY; y++) probs[off + y] /= s;
  }
  return { nX, nY, probs };
}

/** Softmax of i.i.d. N(0, scale²) logits: a random full-support policy (e.g. a reference μ). */
export function randomSoftmaxPolicy(rng: Rng, nX: number, nY: number, scale = 1): TabularPolicy {
  return tabularPolicyFromLogits(nX, nY, rng.normals(nX * nY, 0, scale));
}

/** log π (−∞ where π = 0). */
export function logProbs(p: TabularPolicy): Float64Array {
  const out = new Float64Array(p.probs.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(p.probs[i]);
  return out;
}

/** KL(p(·|x) ‖ q(·|x)) for one context (0·log 0 = 0; +∞ if p puts mass where q has none). */
export function klRow(p: TabularPolicy, q: TabularPolicy, x: number): number {
  const nY = p.nY;
  let k = 0;
  for (let y = 0; y < nY; y++) {
    const a = p.probs[x * nY + y];
    if (a === 0) continue;
    const b = q.probs[x * nY + y];
    if (b === 0) return Infinity;
    k += a * Math.log(a / b);
  }
  return Math.max(0, k);
}

/** E_x KL(p(·|x) ‖ q(·|x)), contexts weighted uniformly. */
export function kl(p: TabularPolicy, q: TabularPolicy): number {
  sameShape(p, q, 'kl');
  let s = 0;
  for (let x = 0; x < p.nX; x++) s += klRow(p, q, x);
  return s / p.nX;
}

/** max_x KL(p(·|x) ‖ q(·|x)). */
export function maxKl(p: TabularPolicy, q: TabularPolicy): number {
  sameShape(p, q, 'maxKl');
  let m = 0;
  for (let x = 0; x < p.nX; x++) m = Math.max(m, klRow(p, q, x));
  return m;
}

/** E_x Σ_y |p − q| / 2 (total variation). */
export function totalVariation(p: TabularPolicy, q: TabularPolicy): number {
  sameShape(p, q, 'totalVariation');
  let s = 0;
  for (let i = 0; i < p.probs.length; i++) s += Math.abs(p.probs[i] - q.probs[i]);
  return s / (2 * p.nX);
}

/**
 * Geometric mixture π^{1−w}·μ^{w} / Z per context (Nash-MD's regularised policy π_t^μ with
 * w = η·β). w = 0 gives π, w = 1 gives μ.
 */
export function geometricMixture(pi: TabularPolicy, mu: TabularPolicy, w: number): TabularPolicy {
  sameShape(pi, mu, 'geometricMixture');
  if (!(w >= 0 && w <= 1))
    throw new RangeError(`geometricMixture: weight w = ${w} must lie in [0, 1] (for Nash-MD, w = η·β: take η ≤ 1/β)`);
  const { nX, nY } = pi;
  const l = new Float64Array(nX * nY);
  for (let i = 0; i < l.length; i++) {
    const a = pi.probs[i],
      b = mu.probs[i];
    // 0^0 = 1 convention at the ends of the segment
    l[i] = (w === 1 ? 0 : (1 - w) * Math.log(a)) + (w === 0 ? 0 : w * Math.log(b));
  }
  return tabularPolicyFromLogits(nX, nY, l);
}

/** E_x E_{y~π} f(x, y), contexts weighted uniformly. */
export function expectation(p: TabularPolicy, f: ArrayLike<number>): number {
  if (f.length !== p.probs.length)
    throw new RangeError(`expectation: values have length ${f.length}, expected ${p.probs.length}`);
  let s = 0;
  for (let i = 0; i < f.length; i++) s += p.probs[i] * f[i];
  return s / p.nX;
}

/** Running (arithmetic) average of iterates: avg ← avg + (p − avg)/(n + 1), in place; returns avg. */
export function accumulateAverage(avg: TabularPolicy, p: TabularPolicy, n: number): TabularPolicy {
  sameShape(avg, p, 'accumulateAverage');
  const c = 1 / (n + 1);
  for (let i = 0; i < avg.probs.length; i++) avg.probs[i] += (p.probs[i] - avg.probs[i]) * c;
  return avg;
}

/** Draw a response for context x (inverse CDF of row x, `sampleCategorical`). */
export function sampleResponse(p: TabularPolicy, x: number, rng: Rng): number {
  return sampleCategorical(rng, p.probs, x * p.nY, p.nY);
}

/** Deterministic policy playing resp[x] in context x. */
export function deterministicPolicy(nY: number, resp: ArrayLike<number>): TabularPolicy {
  const nX = resp.length;
  const probs = new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) probs[x * nY + resp[x]] = 1;
  return { nX, nY, probs };
}
