/**
 * The correlated-proxies miniature (Laidlaw, Singhal & Dragan, "Correlated Proxies: A New Definition
 * and Improved Mitigation for Reward Hacking", ICLR 2025, arXiv:2403.03185) on random tabular MDPs.
 *
 * Definitions (paper §4–5; normalised occupancy μ_π, ν = μ_{π_base}, J(π, R) = E_{μ_π}[R]):
 * - R̃ is an r-correlated proxy for R w.r.t. π_base if Corr_{(s,a)∼ν}(R(s,a), R̃(s,a)) = r.
 * - Reward hacking: optimising R̃ gives J(π, R) < J(π_base, R).
 * - Bound (the form we check, derived in the notebook; it gives the paper's λ): with σ's the standard
 *   deviations under ν and r > 0, for every policy π,
 *     J(π,R) − J(π_base,R) ≥ (σ_R / (r σ_R̃)) · [ J(π,R̃) − J(π_base,R̃) − σ_R̃ √(1−r²) √χ²(μ_π‖ν) ].
 *   (Regress R̃ on R under ν: R̃ = a + β R + ε with β = r σ_R̃/σ_R, Var_ν ε = σ_R̃²(1−r²),
 *   Cov_ν(ε, R) = 0; then J(π,R̃) − J(π_base,R̃) = β ΔJ(R) + E_ν[(μ_π/ν − 1) ε] and Cauchy–Schwarz.)
 *   So maximising J(π,R̃) − λ√χ² with λ = σ_R̃ √(1−r²) guarantees no hacking: the theory's λ.
 *
 * One MDP: |S| states, |A| actions, random sparse transitions, start state 0, discount γ. True
 * reward R(s,a) ~ N(0,1), except a "hackable" state h (the reachable state a uniformly random policy
 * visits least; one of its actions loops on h) with low true reward and high proxy reward. Base policy:
 * a noisy safe policy, (1−ε)·(optimal for R) + ε·uniform.
 * Proxy: R̃ = R + σ_n ξ (ξ ~ N(0,1)) off h, with σ_n calibrated so that Corr_ν(R, R̃) = r exactly.
 * The regularised optima are solved exactly by `testbeds/tabular/methods/occupancy-regularisation.ts`.
 *
 * Record keys (`method/metric`), averaged over the seed's MDPs. Per regulariser k of REGULARISERS:
 * metrics `<k>/{bestTrue,bestLambdaIndex,fracImproving,fracStrictImproving,fracNoHacking,trueAtTheory}`
 * (`fracStrictImproving`: fraction of the grid with normalised true improvement > `strictImprovement`,
 * so that returning the base policy does not count) and series over
 * the λ grid then the theory's λ `<k>/{true,proxy,sqrtChi2,klOm,adKl,corr,hackOccupancy}`;
 * `chi2-om/lambdaBaseOverSigma`, `chi2-om/theoryHacksCount`. Reference policies: `base/{corr,
 * hackOccupancy,trueReturn}`, `unregularised/{true,proxy,corr,hackOccupancy}`, `true-optimal/{proxy,
 * trueReturn}`. Per MDP construction: `all/{sigmaProxy,noiseScale,lambdaTheoryOverSigma,
 * boundSlackMin,nMdps}`.
 */

import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { denseTransitions, fromDenseTransitions, randomEnv, type TabularEnv } from '../../testbeds/tabular/env/mdp';
import { valueIteration } from '../../testbeds/tabular/solvers/exact';
import {
  actionKl,
  chiSquared,
  klDivergence,
  normalisedOccupancy,
  occupancyReturn,
  solveActionKlRegularised,
  solveChi2Regularised,
  solveKlOccupancyRegularised,
  solveUnregularised,
} from '../../testbeds/tabular/methods/occupancy-regularisation';

export interface Config {
  /** Random MDPs per seed; every record value is the mean over them. */
  mdpsPerSeed: number;
  /** States |S| of each random MDP (start state 0). */
  nS: number;
  /** Actions per state. */
  nA: number;
  /** Discount γ. */
  gamma: number;
  /** Successors per (s, a). */
  branching: number;
  /** Target correlation r of R and R̃ under the base occupancy. */
  correlation: number;
  /** True reward of every action in the hackable state. */
  hackTrue: number;
  /** Proxy reward of every action in the hackable state. */
  hackProxy: number;
  /** ε of the base policy (1−ε)·π*_R + ε·uniform. */
  baseEpsilon: number;
  /** Regularisation strengths, in units of σ_R̃ (the proxy's standard deviation under ν). */
  lambdas: number[];
  /**
   * A policy strictly improves on the base policy when its normalised true improvement exceeds this
   * (returning the base policy, improvement 0 up to round-off, does not count).
   */
  strictImprovement: number;
}

/**
 * A log-spaced grid from `lo` to `hi` (both included) with `perDecade` points per factor of 10,
 * e.g. logGrid(0.001, 50, 12): 0.001, 0.00121, …, 50. Endpoints exact.
 */
export function logGrid(lo: number, hi: number, perDecade: number): number[] {
  if (!(lo > 0 && hi > lo && Number.isInteger(perDecade) && perDecade >= 1))
    throw new RangeError(`logGrid: need 0 < lo < hi and an integer perDecade ≥ 1, got ${lo}, ${hi}, ${perDecade}`);
  const n = Math.ceil(Math.log10(hi / lo) * perDecade - 1e-9);
  const step = Math.log10(hi / lo) / n;
  return Array.from({ length: n + 1 }, (_, i) => (i === 0 ? lo : i === n ? hi : lo * 10 ** (i * step)));
}

/** The full-profile configuration of the notebook (its smoke profile varies only the seeds and mdpsPerSeed). */
export const DEFAULTS: Config = {
  mdpsPerSeed: 4,
  nS: 30,
  nA: 4,
  gamma: 29 / 30,
  branching: 3,
  correlation: 0.7,
  hackTrue: -2,
  hackProxy: 4,
  baseEpsilon: 0.5,
  lambdas: logGrid(0.001, 50, 24),
  strictImprovement: 0.01,
};

export const REGULARISERS = ['chi2-om', 'kl-om', 'ad-kl'] as const;
export type Regulariser = (typeof REGULARISERS)[number];

/** Weighted mean, standard deviation and correlation of x, y under the distribution w. */
export function weightedStats(
  w: Float64Array,
  x: Float64Array,
  y: Float64Array,
): { mx: number; my: number; sx: number; sy: number; corr: number } {
  let W = 0,
    mx = 0,
    my = 0;
  for (let i = 0; i < w.length; i++) {
    W += w[i];
    mx += w[i] * x[i];
    my += w[i] * y[i];
  }
  mx /= W;
  my /= W;
  let vx = 0,
    vy = 0,
    cxy = 0;
  for (let i = 0; i < w.length; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    vx += w[i] * dx * dx;
    vy += w[i] * dy * dy;
    cxy += w[i] * dx * dy;
  }
  vx /= W;
  vy /= W;
  cxy /= W;
  const sx = Math.sqrt(vx),
    sy = Math.sqrt(vy);
  return { mx, my, sx, sy, corr: sx > 0 && sy > 0 ? cxy / (sx * sy) : NaN };
}

export interface ProxyMdp {
  env: TabularEnv;
  hack: number;
  R: Float64Array;
  proxy: Float64Array;
  piBase: Float64Array;
  nu: Float64Array;
  /** Realised statistics under ν. */
  r: number;
  sigmaR: number;
  sigmaProxy: number;
  noiseScale: number;
}

/** Build one MDP with its true reward, base policy and calibrated r-correlated proxy. */
export function makeProxyMdp(rng: Rng, c: Config): ProxyMdp {
  const { nS, nA } = c;
  const base = randomEnv(rng.split('env'), {
    nS,
    nA,
    gamma: c.gamma,
    branching: Math.min(c.branching, nS),
    init: 'single',
  });
  // The hackable state: the reachable state (other than the start) that a uniformly random policy
  // visits least, so that a noisy base policy rarely sees it.
  const occU = normalisedOccupancy(base, new Float64Array(nS * nA).fill(1 / nA));
  let hack = -1,
    least = Infinity;
  for (let s = 1; s < nS; s++) {
    let d = 0;
    for (let a = 0; a < nA; a++) d += occU[s * nA + a];
    if (d > 1e-12 && d < least) {
      least = d;
      hack = s;
    }
  }
  if (hack < 0) throw new Error('makeProxyMdp: no reachable state other than the start; increase nS or branching');
  const dense = denseTransitions(base.T);
  const row = (hack * nA + 0) * nS;
  for (let sp = 0; sp < nS; sp++) dense[row + sp] = sp === hack ? 1 : 0;
  const env: TabularEnv = { ...base, T: fromDenseTransitions(nS, nA, dense) };
  const R = rng.split('true').normals(nS * nA);
  for (let a = 0; a < nA; a++) R[hack * nA + a] = c.hackTrue;
  const vi = valueIteration(env, R, { tol: 1e-12 });
  const piBase = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) piBase[s * nA + a] = (a === vi.policy[s] ? 1 - c.baseEpsilon : 0) + c.baseEpsilon / nA;
  const nu = normalisedOccupancy(env, piBase);
  const xi = rng.split('proxy-noise').normals(nS * nA);
  const proxyWith = (sn: number) => {
    const P = new Float64Array(nS * nA);
    for (let i = 0; i < P.length; i++) P[i] = Math.floor(i / nA) === hack ? c.hackProxy : R[i] + sn * xi[i];
    return P;
  };
  const corrAt = (sn: number) => weightedStats(nu, R, proxyWith(sn)).corr;
  // Corr decreases in σ_n (from its value at σ_n = 0 toward ≈ 0): bisection for Corr = r.
  let lo = 0,
    hi = 1;
  let noiseScale = 0;
  if (corrAt(0) > c.correlation) {
    while (corrAt(hi) > c.correlation && hi < 1e6) hi *= 2;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (corrAt(mid) > c.correlation) lo = mid;
      else hi = mid;
      if (hi - lo < 1e-14 * hi) break;
    }
    noiseScale = 0.5 * (lo + hi);
  }
  const proxy = proxyWith(noiseScale);
  const st = weightedStats(nu, R, proxy);
  return { env, hack, R, proxy, piBase, nu, r: st.corr, sigmaR: st.sx, sigmaProxy: st.sy, noiseScale };
}

export interface PolicyEval {
  trueReturn: number;
  proxyReturn: number;
  sqrtChi2: number;
  klOm: number;
  adKl: number;
  /** Corr_{μ_π}(R, R̃). */
  corr: number;
  /** Occupancy of the hackable state. */
  hackOccupancy: number;
}

export function evaluatePolicy(m: ProxyMdp, pi: Float64Array, mu: Float64Array): PolicyEval {
  const { nA } = m.env;
  let hk = 0;
  for (let a = 0; a < nA; a++) hk += mu[m.hack * nA + a];
  return {
    trueReturn: occupancyReturn(mu, m.R),
    proxyReturn: occupancyReturn(mu, m.proxy),
    sqrtChi2: Math.sqrt(chiSquared(mu, m.nu)),
    klOm: klDivergence(mu, m.nu),
    adKl: actionKl(m.env, mu, pi, m.piBase),
    corr: weightedStats(mu, m.R, m.proxy).corr,
    hackOccupancy: hk,
  };
}

/** The theorem's lower bound on J(π,R) − J(π_base,R) (see the module comment). */
export function theoremBound(m: ProxyMdp, proxyImprovement: number, sqrtChi2: number): number {
  return (m.sigmaR / (m.r * m.sigmaProxy)) * (proxyImprovement - m.sigmaProxy * Math.sqrt(1 - m.r * m.r) * sqrtChi2);
}

/** One proxy MDP solved by every method (solveProxyMdp). */
export interface ProxyMdpResult {
  base: PolicyEval;
  trueOptimal: PolicyEval;
  unregularised: PolicyEval;
  /** Per regulariser, per λ of the grid (then the theory's λ last). */
  sweep: Record<Regulariser, PolicyEval[]>;
  lambdas: number[];
  lambdaTheory: number;
  lambdaBase: number;
  mdp: ProxyMdp;
  /** min over all computed policies of (true improvement − bound); ≥ 0 when the theorem holds. */
  boundSlack: number;
}

/** Solve every method on one MDP. */
export function solveProxyMdp(rng: Rng, c: Config): ProxyMdpResult {
  const m = makeProxyMdp(rng, c);
  const base = evaluatePolicy(m, m.piBase, m.nu);
  const opt = solveUnregularised(m.env, m.R);
  const un = solveUnregularised(m.env, m.proxy);
  const lambdaTheory = m.sigmaProxy * Math.sqrt(1 - m.r * m.r);
  const lambdas = [...c.lambdas.map((l) => l * m.sigmaProxy), lambdaTheory];
  const sweep: Record<Regulariser, PolicyEval[]> = { 'chi2-om': [], 'kl-om': [], 'ad-kl': [] };
  let lambdaBase = NaN;
  for (const lam of lambdas) {
    const x = solveChi2Regularised(m.env, m.proxy, m.nu, lam);
    lambdaBase = x.lambdaBase;
    sweep['chi2-om'].push(evaluatePolicy(m, x.pi, x.mu));
    const k = solveKlOccupancyRegularised(m.env, m.proxy, m.nu, lam);
    sweep['kl-om'].push(evaluatePolicy(m, k.pi, k.mu));
    const a = solveActionKlRegularised(m.env, m.proxy, m.piBase, lam);
    sweep['ad-kl'].push(evaluatePolicy(m, a.pi, a.mu));
  }
  const unregularised = evaluatePolicy(m, un.pi, un.mu);
  const trueOptimal = evaluatePolicy(m, opt.pi, opt.mu);
  let boundSlack = Infinity;
  const all = [unregularised, trueOptimal, ...REGULARISERS.flatMap((k) => sweep[k])];
  for (const p of all) {
    const lhs = p.trueReturn - base.trueReturn;
    const rhs = theoremBound(m, p.proxyReturn - base.proxyReturn, p.sqrtChi2);
    boundSlack = Math.min(boundSlack, lhs - rhs);
  }
  return { base, trueOptimal, unregularised, sweep, lambdas, lambdaTheory, lambdaBase, mdp: m, boundSlack };
}

/**
 * Worker task: one seed = `mdpsPerSeed` random MDPs; every quantity is averaged over them.
 * Normalised true improvement of π: (J(π,R) − J(π_base,R)) / (J(π*_R,R) − J(π_base,R)) (1 = the
 * true optimum, 0 = the base policy, < 0 = reward hacking); proxy improvement likewise with
 * (J(π*_R̃,R̃) − J(π_base,R̃)).
 */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('correlated-proxies');
  const nL = config.lambdas.length + 1;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const acc = (method: string, metric: string, v: number, n: number) => {
    const k = metricKey(method, metric);
    metrics[k] = (metrics[k] ?? 0) + v / n;
  };
  const accSeries = (method: string, metric: string, v: number[], n: number) => {
    const k = metricKey(method, metric);
    if (!series[k]) series[k] = new Array(v.length).fill(0);
    for (let i = 0; i < v.length; i++) series[k][i] += v[i] / n;
  };
  const M = config.mdpsPerSeed;
  let minSlack = Infinity;
  for (let i = 0; i < M; i++) {
    const res = solveProxyMdp(root.split(i), config);
    const b = res.base;
    const dTrue = res.trueOptimal.trueReturn - b.trueReturn;
    const dProxy = res.unregularised.proxyReturn - b.proxyReturn;
    const nt = (p: PolicyEval) => (p.trueReturn - b.trueReturn) / dTrue;
    const np = (p: PolicyEval) => (p.proxyReturn - b.proxyReturn) / dProxy;
    acc('unregularised', 'true', nt(res.unregularised), M);
    acc('unregularised', 'proxy', np(res.unregularised), M);
    acc('base', 'hackOccupancy', b.hackOccupancy, M);
    acc('unregularised', 'hackOccupancy', res.unregularised.hackOccupancy, M);
    acc('base', 'corr', b.corr, M);
    acc('unregularised', 'corr', res.unregularised.corr, M);
    acc('true-optimal', 'proxy', np(res.trueOptimal), M);
    acc('all', 'sigmaProxy', res.mdp.sigmaProxy, M);
    acc('all', 'noiseScale', res.mdp.noiseScale, M);
    acc('all', 'lambdaTheoryOverSigma', res.lambdaTheory / res.mdp.sigmaProxy, M);
    acc('chi2-om', 'lambdaBaseOverSigma', res.lambdaBase / res.mdp.sigmaProxy, M);
    acc('base', 'trueReturn', b.trueReturn, M);
    acc('true-optimal', 'trueReturn', res.trueOptimal.trueReturn, M);
    minSlack = Math.min(minSlack, res.boundSlack);
    for (const k of REGULARISERS) {
      const sw = res.sweep[k];
      accSeries(k, 'true', sw.map(nt), M);
      accSeries(k, 'proxy', sw.map(np), M);
      accSeries(
        k,
        'sqrtChi2',
        sw.map((p) => p.sqrtChi2),
        M,
      );
      accSeries(
        k,
        'klOm',
        sw.map((p) => p.klOm),
        M,
      );
      accSeries(
        k,
        'adKl',
        sw.map((p) => p.adKl),
        M,
      );
      accSeries(
        k,
        'corr',
        sw.map((p) => p.corr),
        M,
      );
      accSeries(
        k,
        'hackOccupancy',
        sw.map((p) => p.hackOccupancy),
        M,
      );
    }
    const chi2Theory = res.sweep['chi2-om'][nL - 1];
    acc('chi2-om', 'theoryHacksCount', chi2Theory.trueReturn < b.trueReturn - 1e-9 ? 1 : 0, 1);
  }
  metrics[metricKey('all', 'boundSlackMin')] = minSlack;
  metrics[metricKey('all', 'nMdps')] = M;
  for (const k of REGULARISERS) {
    const t = series[metricKey(k, 'true')];
    const grid = t.slice(0, nL - 1);
    metrics[metricKey(k, 'bestTrue')] = Math.max(...grid);
    metrics[metricKey(k, 'bestLambdaIndex')] = grid.indexOf(Math.max(...grid));
    metrics[metricKey(k, 'fracImproving')] = grid.filter((x) => x > 0).length / grid.length;
    metrics[metricKey(k, 'fracStrictImproving')] =
      grid.filter((x) => x > config.strictImprovement).length / grid.length;
    metrics[metricKey(k, 'fracNoHacking')] = grid.filter((x) => x >= -1e-9).length / grid.length;
    metrics[metricKey(k, 'trueAtTheory')] = t[nL - 1];
  }
  return { metrics, series };
}
