/**
 * The miniature of Mussi, Metelli & Restelli, "Dynamical Linear Bandits" (ICML 2023, arXiv:2211.08997): one seed =
 * every method on the synthetic dynamical linear bandit at every spectral radius ρ.
 *
 * System (testbeds/bandits/env/dynamical-linear.ts), the official code's synthetic test case
 * (config/testcase_synt_*.json: n = m = p = 3, reward = sum of the outputs) with its decay rates scaled to ρ:
 *   A = diag(ρ, 0, ρ/2),  B = diag(0.5625 (1 − ρ), 0, (1/9)(1 − ρ/2)),  ω = (1, 0, 0.1),  θ = (0, 0.5, 0.1);
 * at ρ = 0.2 this is exactly the code's A = diag(0.2, 0, 0.1), B = diag(0.45, 0, 0.1). B is scaled so that the
 * steady-state gain h = θ + Bᵀ(I − A)^{-ᵀ}ω = (0.5625, 0.5, 0.1111) is the same for every ρ: only the memory of the
 * system changes. Actions: the code's 6 budget allocations (permutations of (1, 0.5, 0): daily budget 1.5, at most
 * 1 per campaign). The steady-state optimum (1, 0.5, 0) differs from the myopic optimum argmax ⟨θ, a⟩ = (0, 1, 0.5).
 * Noise: N(0, σ²) on every state coordinate and on the reward (common random numbers across methods).
 *
 * Methods (equal horizon T, the official code's settings):
 * - `dynlin-ucb`: DynLin-UCB with λ = ln T, δ = 1/T (the code's `dynlinucblog`), bounds computed from the system;
 * - `lin-ucb`: the same estimator and confidence set without the dynamics (a new action and a sample every round,
 *   no bias term; the code's `linucblog`);
 * - `exp3`: Exp3 over the 6 actions with the code's γ, η = γ/K and reward range M = (‖θ‖ + ‖ω‖‖B‖/(1 − ρ)) U;
 * - `oracle`: the optimal constant action (closed form), the regret reference.
 *
 * Record keys (`method/metric@rho=<ρ>`): `<m>/regret` (steady-state pseudo-regret Σ_t ⟨h, a* − a_t⟩ after T, as the
 * code's plots), `<m>/exactRegret` (T·J* − Σ_t E[y_t | a_0..a_t], the exact expected regret from the mean state),
 * `<m>/fracOptimal`, `<m>/fracMyopic` (fraction of rounds on the optimal / the myopic action), `dynlin-ucb/blocks`;
 * series `<m>/regretCurve` at the log-spaced `checkpoints` (`exact/checkpoints@rho=…` holds the rounds).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  DLB_ACTIONS,
  dlbSystem,
  initialState,
  stepDlb,
  type DynamicalLinearBandit,
} from '../../testbeds/bandits/env/dynamical-linear';
import { actionOf, dot } from '../../testbeds/bandits/env/linear';
import {
  bestAction,
  phiConstant,
  spectralNorm,
  spectralRadius,
  steadyStateGain,
} from '../../testbeds/bandits/solvers/steady-state';
import { dynLinUcb, type DynLinBounds } from '../../testbeds/bandits/methods/dynlin-ucb';
import { exp3, exp3Gamma } from '../../testbeds/bandits/methods/exp3';
import { logCheckpoints } from '../../testbeds/bandits/loops/run';

export interface Config {
  /** Spectral radii ρ of A. */
  rhos: number[];
  /** Horizon (rounds) of every method. */
  T: number;
  /** Noise standard deviation σ of each state coordinate and of the reward. */
  sigma: number;
  /** Number of log-spaced regret checkpoints. */
  checkpoints: number;
}

export const DEFAULTS: Config = { rhos: [0.3, 0.6, 0.9], T: 200000, sigma: 0.01, checkpoints: 40 };

export const METHODS = ['dynlin-ucb', 'lin-ucb', 'exp3', 'oracle'] as const;
export type Method = (typeof METHODS)[number];

/** The 6 budget allocations of the official code (row-major 6×3). */
export const ACTIONS = DLB_ACTIONS;
export const D = 3;

/** The synthetic system at spectral radius ρ (testbeds/bandits/env/dynamical-linear.ts `dlbSystem`). */
export function system(rho: number, sigma: number): DynamicalLinearBandit {
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`system: ρ must be in [0, 1), got ${rho}`);
  return dlbSystem(rho, sigma);
}

/** The bounds DynLin-UCB is given, computed from the true system as the official code does. */
export function boundsOf(env: DynamicalLinearBandit, sigma: number): DynLinBounds {
  let U = 0;
  for (let k = 0; k < ACTIONS.length / D; k++) U = Math.max(U, Math.hypot(...actionOf({ actions: ACTIONS, d: D }, k)));
  const Bsq = new Float64Array(Math.max(env.n, env.d) ** 2); // ‖B‖₂ via the square embedding
  const s = Math.max(env.n, env.d);
  for (let i = 0; i < env.n; i++) for (let k = 0; k < env.d; k++) Bsq[i * s + k] = env.B[i * env.d + k];
  return {
    rhoBar: spectralRadius(env.A, env.n),
    phi: phiConstant(env.A, env.n),
    omegaNorm: Math.hypot(...env.omega),
    thetaNorm: Math.hypot(...env.theta),
    bNorm: spectralNorm(Bsq, s),
    U,
    sigma,
  };
}

/** Long-run mean reward of every point of a grid of the budget polytope (noise-free simulation) and its argmax. */
export function bruteForceOptimum(env: DynamicalLinearBandit, step = 0.05, rounds = 800) {
  let best = -Infinity,
    arg: number[] = [];
  const n = Math.round(1 / step);
  const nx = new Float64Array(env.n);
  for (let i = 0; i <= n; i++)
    for (let j = 0; j <= n; j++)
      for (let k = 0; k <= n; k++) {
        const a = [i * step, j * step, k * step];
        if (a[0] + a[1] + a[2] > 1.5 + 1e-9) continue;
        const x = new Float64Array(env.n); // the mean state, x_0 = 0
        let y = 0;
        for (let t = 0; t < rounds; t++) {
          y = dot(env.omega, x) + dot(env.theta, a);
          for (let r = 0; r < env.n; r++) {
            let v = 0;
            for (let c = 0; c < env.n; c++) v += env.A[r * env.n + c] * x[c];
            for (let c = 0; c < env.d; c++) v += env.B[r * env.d + c] * a[c];
            nx[r] = v;
          }
          x.set(nx);
        }
        if (y > best + 1e-12) [best, arg] = [y, a];
      }
  return { value: best, action: arg };
}

interface Learner {
  select(t: number, rng: Rng): number;
  update(k: number, y: number): void;
}

function learnerOf(method: Method, env: DynamicalLinearBandit, config: Config, rng: Rng): Learner {
  const K = ACTIONS.length / D;
  const bounds = boundsOf(env, config.sigma);
  if (method === 'oracle') {
    const star = bestAction(ACTIONS, D, steadyStateGain(env)).index;
    return { select: () => star, update: () => {} };
  }
  if (method === 'exp3') {
    const gamma = exp3Gamma(K, config.T);
    const M = (bounds.thetaNorm + (bounds.omegaNorm * bounds.bNorm) / (1 - bounds.rhoBar)) * bounds.U;
    return exp3(K, { gamma, eta: gamma / K, shift: 2 * M, scale: 4 * M });
  }
  const agent = dynLinUcb({
    actions: ACTIONS,
    d: D,
    bounds,
    lambda: Math.log(config.T),
    delta: 1 / config.T,
    dynamics: method === 'dynlin-ucb',
    firstAction: rng.split('first').int(K),
  });
  return { select: (t) => agent.select(t), update: (_k, y) => agent.update(y) };
}

/** Runs one method at one ρ: regret curve and final metrics. */
export function runMethod(config: Config, method: Method, rho: number, seed: number) {
  const env = system(rho, config.sigma);
  const h = steadyStateGain(env);
  const K = ACTIONS.length / D;
  const value = Float64Array.from({ length: K }, (_, k) => dot(h, actionOf({ actions: ACTIONS, d: D }, k)));
  const star = bestAction(ACTIONS, D, h).index;
  const myopic = bestAction(ACTIONS, D, env.theta).index;
  const root = new Rng(seed).split(`rho=${rho}`);
  const noise = root.split('noise'); // common random numbers: the same noise sequence for every method
  const polRng = root.split(method);
  const learner = learnerOf(method, env, config, polRng);
  const cps = logCheckpoints(config.T, config.checkpoints);
  const curve = new Float64Array(cps.length);
  const s = initialState(env);
  let R = 0,
    exactR = 0,
    onStar = 0,
    onMyopic = 0,
    c = 0;
  for (let t = 0; t < config.T; t++) {
    while (c < cps.length && cps[c] === t) curve[c++] = R;
    const k = learner.select(t, polRng);
    const { reward, meanReward } = stepDlb(env, s, actionOf({ actions: ACTIONS, d: D }, k), noise);
    learner.update(k, reward);
    R += value[star] - value[k];
    exactR += value[star] - meanReward;
    if (k === star) onStar++;
    if (k === myopic) onMyopic++;
  }
  while (c < cps.length) curve[c++] = R;
  return {
    regret: R,
    exactRegret: exactR,
    fracOptimal: onStar / config.T,
    fracMyopic: onMyopic / config.T,
    curve: Array.from(curve),
    checkpoints: cps,
  };
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const rho of config.rhos) {
    const at = `@rho=${rho}`;
    for (const m of METHODS) {
      const r = runMethod(config, m, rho, seed);
      metrics[`${m}/regret${at}`] = r.regret;
      metrics[`${m}/exactRegret${at}`] = r.exactRegret;
      metrics[`${m}/fracOptimal${at}`] = r.fracOptimal;
      metrics[`${m}/fracMyopic${at}`] = r.fracMyopic;
      series[`${m}/regretCurve${at}`] = r.curve;
      series[`exact/checkpoints${at}`] = r.checkpoints;
    }
  }
  return { metrics, series };
}
