/**
 * Exact game-theoretic references for preference games (Munos et al. 2023, "Nash Learning from
 * Human Feedback", §3–4): win rates P(π ≻ π'), the β-KL-regularised preference
 *
 *   P_β(π ≻ π') = P(π ≻ π') − β·KL(π ‖ μ) + β·KL(π' ‖ μ),
 *
 * its unique (symmetric) Nash equilibrium π*_β, characterised by the fixed point
 *
 *   π*_β(y|x) ∝ μ(y|x)·exp(P(y ≻ π*_β | x) / β),
 *
 * solved to high precision by mirror-prox (extragradient in the KL geometry), and exploitability /
 * duality gap. With β = 0 the same functions give the unregularised quantities.
 *
 * Contexts are weighted uniformly; every quantity decomposes over contexts. (The win rate under a
 * reward rather than a general preference is policies/logit-table.ts `rewardWinRate`.)
 */
import { pIndex, type PreferenceGame } from '../data/game';
import { logSoftmaxRows } from '../policies/logit-table';
import { klRow, sameShape, tabularPolicyFromLogits, type TabularPolicy } from '../policies/tabular-policy';

function checkPair(g: PreferenceGame, p: TabularPolicy, where: string): void {
  if (p.nX !== g.nX || p.nY !== g.nY)
    throw new RangeError(`${where}: policy is ${p.nX}×${p.nY} but the game has ${g.nX} contexts × ${g.nY} responses`);
}

/** P(y ≻ π | x) = Σ_y' P(y ≻ y' | x)·π(y'|x), for every (x, y) (nX·nY). */
export function preferenceAgainst(g: PreferenceGame, pi: TabularPolicy, out?: Float64Array): Float64Array {
  checkPair(g, pi, 'preferenceAgainst');
  const { nX, nY, P } = g;
  const o = out ?? new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    const po = x * nY;
    for (let y = 0; y < nY; y++) {
      const base = pIndex(nY, x, y, 0);
      let s = 0;
      for (let z = 0; z < nY; z++) s += P[base + z] * pi.probs[po + z];
      o[po + y] = s;
    }
  }
  return o;
}

/** P(a ≻ b | x) = Σ_{y,y'} a(y|x) b(y'|x) P(y ≻ y' | x). */
export function winRateInContext(g: PreferenceGame, a: TabularPolicy, b: TabularPolicy, x: number): number {
  const { nY, P } = g;
  let s = 0;
  for (let y = 0; y < nY; y++) {
    const p = a.probs[x * nY + y];
    if (p === 0) continue;
    const base = pIndex(nY, x, y, 0);
    let t = 0;
    for (let z = 0; z < nY; z++) t += P[base + z] * b.probs[x * nY + z];
    s += p * t;
  }
  return s;
}

/** Win rate P(a ≻ b) = E_x P(a ≻ b | x). P(a ≻ b) + P(b ≻ a) = 1 and P(a ≻ a) = ½. */
export function winRate(g: PreferenceGame, a: TabularPolicy, b: TabularPolicy): number {
  checkPair(g, a, 'winRate');
  checkPair(g, b, 'winRate');
  let s = 0;
  for (let x = 0; x < g.nX; x++) s += winRateInContext(g, a, b, x);
  return s / g.nX;
}

/** The regularised preference P_β(a ≻ b) = P(a ≻ b) − β·KL(a‖μ) + β·KL(b‖μ). */
export function regularisedWinRate(
  g: PreferenceGame,
  a: TabularPolicy,
  b: TabularPolicy,
  mu: TabularPolicy,
  beta: number,
): number {
  let ka = 0,
    kb = 0;
  for (let x = 0; x < g.nX; x++) {
    ka += klRow(a, mu, x);
    kb += klRow(b, mu, x);
  }
  return winRate(g, a, b) - (beta * (ka - kb)) / g.nX;
}

export interface Regularisation {
  /** Reference policy μ of the KL term (required when beta > 0). */
  mu?: TabularPolicy;
  /** KL coefficient β ≥ 0 (0: the unregularised game). */
  beta: number;
}

function regOf(
  r: Regularisation | undefined,
  g: PreferenceGame,
  where: string,
): { mu: TabularPolicy | null; beta: number } {
  const beta = r?.beta ?? 0;
  if (!(beta >= 0)) throw new RangeError(`${where}: beta must be ≥ 0, got ${beta}`);
  if (beta > 0) {
    if (!r?.mu) throw new RangeError(`${where}: beta = ${beta} > 0 needs the reference policy mu`);
    checkPair(g, r.mu, where);
    return { mu: r.mu, beta };
  }
  return { mu: null, beta: 0 };
}

/**
 * Exploitability of π in context x: max_π' P_β(π' ≻ π | x) − ½ ≥ 0, zero iff π is the (regularised)
 * Nash equilibrium there. With β > 0 the max is attained by π' ∝ μ·exp(P(· ≻ π)/β), giving
 * β·log Σ_y μ(y)·exp(P(y ≻ π)/β) + β·KL(π‖μ) − ½; with β = 0 it is max_y P(y ≻ π) − ½.
 */
export function exploitabilityPerContext(g: PreferenceGame, pi: TabularPolicy, reg?: Regularisation): Float64Array {
  checkPair(g, pi, 'exploitability');
  const { mu, beta } = regOf(reg, g, 'exploitability');
  const { nX, nY } = g;
  const pref = preferenceAgainst(g, pi);
  const out = new Float64Array(nX);
  for (let x = 0; x < nX; x++) {
    const off = x * nY;
    if (beta === 0 || !mu) {
      let m = -Infinity;
      for (let y = 0; y < nY; y++) m = Math.max(m, pref[off + y]);
      out[x] = Math.max(0, m - 0.5);
      continue;
    }
    let m = -Infinity;
    for (let y = 0; y < nY; y++)
      if (mu.probs[off + y] > 0) m = Math.max(m, Math.log(mu.probs[off + y]) + pref[off + y] / beta);
    let s = 0;
    for (let y = 0; y < nY; y++)
      if (mu.probs[off + y] > 0) s += Math.exp(Math.log(mu.probs[off + y]) + pref[off + y] / beta - m);
    out[x] = Math.max(0, beta * (m + Math.log(s)) + beta * klRow(pi, mu, x) - 0.5);
  }
  return out;
}

/** Exploitability averaged over contexts (see exploitabilityPerContext). */
export function exploitability(g: PreferenceGame, pi: TabularPolicy, reg?: Regularisation): number {
  const e = exploitabilityPerContext(g, pi, reg);
  let s = 0;
  for (const v of e) s += v;
  return s / e.length;
}

/**
 * Duality gap of the symmetric profile (π, π): max_π' P_β(π' ≻ π) − min_π' P_β(π ≻ π')
 * = 2·exploitability (P_β(π ≻ π') = 1 − P_β(π' ≻ π)).
 */
export function dualityGap(g: PreferenceGame, pi: TabularPolicy, reg?: Regularisation): number {
  return 2 * exploitability(g, pi, reg);
}

/**
 * Best response to π: with β > 0 the regularised one, π' ∝ μ·exp(P(· ≻ π)/β); with β = 0 a
 * deterministic argmax_y P(y ≻ π | x) (lowest index on ties).
 */
export function bestResponse(g: PreferenceGame, pi: TabularPolicy, reg?: Regularisation): TabularPolicy {
  const { mu, beta } = regOf(reg, g, 'bestResponse');
  const { nX, nY } = g;
  const pref = preferenceAgainst(g, pi);
  if (beta > 0 && mu) {
    const l = new Float64Array(nX * nY);
    for (let i = 0; i < l.length; i++) l[i] = Math.log(mu.probs[i]) + pref[i] / beta;
    return tabularPolicyFromLogits(nX, nY, l);
  }
  const probs = new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    let b = 0;
    for (let y = 1; y < nY; y++) if (pref[x * nY + y] > pref[x * nY + b]) b = y;
    probs[x * nY + b] = 1;
  }
  return { nX, nY, probs };
}

/**
 * Residual of the regularised-equilibrium fixed point: max over contexts of the span over y of
 * log π(y|x) − log μ(y|x) − P(y ≻ π | x)/β (zero exactly at π*_β, which has full support).
 */
export function fixedPointResidual(g: PreferenceGame, pi: TabularPolicy, mu: TabularPolicy, beta: number): number {
  checkPair(g, pi, 'fixedPointResidual');
  sameShape(pi, mu, 'fixedPointResidual');
  if (!(beta > 0)) throw new RangeError(`fixedPointResidual: beta must be > 0, got ${beta}`);
  const { nX, nY } = g;
  const pref = preferenceAgainst(g, pi);
  let worst = 0;
  for (let x = 0; x < nX; x++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      const v = Math.log(pi.probs[i]) - Math.log(mu.probs[i]) - pref[i] / beta;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    worst = Math.max(worst, hi - lo);
  }
  return worst;
}

export interface NashSolveOptions {
  /**
   * Stop when the fixed-point residual (see fixedPointResidual, computed in log space) is below
   * max(tol, the float floor of the iteration) (default tol 1e-12). The floor is 4·ε·S/(ηβ) with S the
   * largest |log π| + |log μ| + |P|/β of the iterate: the rounding noise of one step (ε·S) accumulated by
   * the contraction 1 − ηβ. It exceeds an absolute 1e-12 only when β is small (S ~ 1/β); there it makes
   * the tolerance relative (at β = 1e-3 about 1e-11 in payoff units, β·residual).
   */
  tol?: number;
  /** Iteration cap (default 1e6); exceeding it throws. */
  maxIter?: number;
  /** Mirror-prox step η (default min(1, 1/β)); needs η·β ≤ 1. */
  eta?: number;
  /** Starting point (default μ). */
  init?: TabularPolicy;
}

export interface NashSolution {
  policy: TabularPolicy;
  /** log π*_β (exact where π*_β underflows to 0 at small β). */
  logPolicy: Float64Array;
  iterations: number;
  /** The fixed-point residual of the log-policy at return. */
  residual: number;
}

function expInto(l: Float64Array, probs: Float64Array): void {
  for (let i = 0; i < l.length; i++) probs[i] = Math.exp(l[i]);
}

/**
 * fixedPointResidual from the log-policy itself (log π need not be representable as a probability: at
 * small β, log π*_β reaches −1/β and exp underflows), with the float floor of the mirror-prox iteration
 * computed alongside: 4·ε·max_i(|log π_i| + |log μ_i| + |P_i|/β)/(ηβ) (NashSolveOptions.tol).
 */
function logResidual(
  g: PreferenceGame,
  logPi: Float64Array,
  logMu: Float64Array,
  pi: TabularPolicy,
  beta: number,
  eta: number,
  pref: Float64Array,
): { residual: number; floor: number } {
  const { nX, nY } = g;
  preferenceAgainst(g, pi, pref);
  let worst = 0,
    scale = 0;
  for (let x = 0; x < nX; x++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      const v = logPi[i] - logMu[i] - pref[i] / beta;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      scale = Math.max(scale, Math.abs(logPi[i]) + Math.abs(logMu[i]) + Math.abs(pref[i]) / beta);
    }
    worst = Math.max(worst, hi - lo);
  }
  return { residual: worst, floor: (4 * Number.EPSILON * scale) / Math.min(1, eta * beta) };
}

/**
 * The β-regularised Nash equilibrium π*_β of a preference game with reference μ (β > 0), by
 * mirror-prox on the regularised game (a β-strongly monotone variational inequality in the KL
 * geometry, so the iterates converge linearly):
 *
 *   π_{k+½} ∝ π_k^{1−ηβ} μ^{ηβ} exp(η·P(· ≻ π_k)),   π_{k+1} ∝ π_k^{1−ηβ} μ^{ηβ} exp(η·P(· ≻ π_{k+½})),
 *
 * whose fixed point is π ∝ μ·exp(P(· ≻ π)/β). Iterates in log space until the fixed-point residual of log π
 * is below max(tol, its float floor) (see NashSolveOptions.tol): this converges for small β too (β = 1e-3).
 */
export function regularisedNash(
  g: PreferenceGame,
  mu: TabularPolicy,
  beta: number,
  opts: NashSolveOptions = {},
): NashSolution {
  checkPair(g, mu, 'regularisedNash');
  if (!(beta > 0))
    throw new RangeError(
      `regularisedNash: beta must be > 0 (the unregularised game may have many equilibria), got ${beta}`,
    );
  for (let i = 0; i < mu.probs.length; i++)
    if (!(mu.probs[i] > 0))
      throw new RangeError(
        `regularisedNash: the reference μ must have full support (μ = ${mu.probs[i]} at index ${i})`,
      );
  const tol = opts.tol ?? 1e-12;
  const maxIter = opts.maxIter ?? 1_000_000;
  const eta = opts.eta ?? Math.min(1, 1 / beta);
  if (!(eta > 0 && eta * beta <= 1))
    throw new RangeError(`regularisedNash: need 0 < η and η·β ≤ 1, got η = ${eta}, β = ${beta}`);
  const { nX, nY } = g;
  const n = nX * nY;
  const logMu = new Float64Array(n);
  for (let i = 0; i < n; i++) logMu[i] = Math.log(mu.probs[i]);
  const l = new Float64Array(n);
  const init = opts.init ?? mu;
  checkPair(g, init, 'regularisedNash (init)');
  for (let i = 0; i < n; i++) l[i] = Math.log(Math.max(init.probs[i], 1e-300));
  logSoftmaxRows(l, g, l);
  const pi: TabularPolicy = { nX, nY, probs: new Float64Array(n) };
  const half: TabularPolicy = { nX, nY, probs: new Float64Array(n) };
  const lh = new Float64Array(n);
  const pref = new Float64Array(n);
  const a = 1 - eta * beta,
    b = eta * beta;
  expInto(l, pi.probs);
  const res = new Float64Array(n);
  let r = logResidual(g, l, logMu, pi, beta, eta, res);
  let it = 0;
  while (r.residual >= Math.max(tol, r.floor)) {
    if (it >= maxIter)
      throw new Error(
        `regularisedNash: no convergence to residual ${tol} in ${maxIter} iterations (residual ` +
          `${r.residual.toExponential(3)}, float floor ${r.floor.toExponential(3)}, β = ${beta}, η = ${eta}); ` +
          'raise maxIter or lower tol.',
      );
    preferenceAgainst(g, pi, pref);
    for (let i = 0; i < n; i++) lh[i] = a * l[i] + b * logMu[i] + eta * pref[i];
    logSoftmaxRows(lh, g, lh);
    expInto(lh, half.probs);
    preferenceAgainst(g, half, pref);
    for (let i = 0; i < n; i++) l[i] = a * l[i] + b * logMu[i] + eta * pref[i];
    logSoftmaxRows(l, g, l);
    expInto(l, pi.probs);
    it++;
    if (it % 8 === 0 || it < 8) r = logResidual(g, l, logMu, pi, beta, eta, res);
  }
  r = logResidual(g, l, logMu, pi, beta, eta, res);
  const residual = r.residual;
  return { policy: pi, logPolicy: l, iterations: it, residual };
}
