/**
 * Dynamical linear bandit (Mussi, Metelli & Restelli, "Dynamical Linear Bandits", ICML 2023): a hidden state
 * x_t ∈ R^n evolves as x_{t+1} = A x_t + B a_t + η_t and the learner observes y_t = ⟨ω, x_t⟩ + ⟨θ, a_t⟩ + ε_t
 * (x_0 = 0; η_t ~ N(0, σ_x² I), ε_t ~ N(0, σ_y²)). With spectral radius ρ(A) < 1 the system is stable.
 *
 * The environment also carries the noise-free mean state x̄_t (same recursion without η), so the exact expected
 * reward E[y_t | a_0..a_t] = ⟨ω, x̄_t⟩ + ⟨θ, a_t⟩ of any action sequence is available for the exact regret.
 */
import type { Rng } from '../../../core/rng';

export interface DynamicalLinearBandit {
  n: number;
  d: number;
  /** n×n, row-major. */
  A: Float64Array;
  /** n×d, row-major. */
  B: Float64Array;
  omega: Float64Array;
  theta: Float64Array;
  stateStd: number;
  rewardStd: number;
}

export function dynamicalLinearBandit(p: {
  A: number[][];
  B: number[][];
  omega: number[];
  theta: number[];
  stateStd: number;
  rewardStd: number;
}): DynamicalLinearBandit {
  const n = p.A.length,
    d = p.theta.length;
  if (p.A.some((r) => r.length !== n)) throw new RangeError('dynamicalLinearBandit: A must be n×n');
  if (p.B.length !== n || p.B.some((r) => r.length !== d)) throw new RangeError('dynamicalLinearBandit: B must be n×d');
  if (p.omega.length !== n) throw new RangeError('dynamicalLinearBandit: ω must have n entries');
  return {
    n,
    d,
    A: Float64Array.from(p.A.flat()),
    B: Float64Array.from(p.B.flat()),
    omega: Float64Array.from(p.omega),
    theta: Float64Array.from(p.theta),
    stateStd: p.stateStd,
    rewardStd: p.rewardStd,
  };
}

/** The running system: true state, noise-free mean state, round counter. */
export interface DlbState {
  x: Float64Array;
  xMean: Float64Array;
  t: number;
}

export function initialState(env: DynamicalLinearBandit): DlbState {
  return { x: new Float64Array(env.n), xMean: new Float64Array(env.n), t: 0 };
}

const scratch = new Map<number, Float64Array>();
function tmp(n: number): Float64Array {
  let s = scratch.get(n);
  if (!s) scratch.set(n, (s = new Float64Array(n)));
  return s;
}

/** x ← A x + B a (+ noise of std `std` from `rng` when given). */
function advance(env: DynamicalLinearBandit, x: Float64Array, a: ArrayLike<number>, rng: Rng | null): void {
  const { n, d, A, B } = env;
  const nx = tmp(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    for (let k = 0; k < d; k++) s += B[i * d + k] * a[k];
    nx[i] = s;
  }
  for (let i = 0; i < n; i++) x[i] = rng ? nx[i] + env.stateStd * rng.normal() : nx[i];
}

/**
 * Plays action a at round t: returns the observed reward y_t and its exact mean E[y_t | a_0..a_t], then advances
 * both states. `rng` draws ε_t then η_t.
 */
export function stepDlb(
  env: DynamicalLinearBandit,
  s: DlbState,
  a: ArrayLike<number>,
  rng: Rng,
): { reward: number; meanReward: number } {
  let ya = 0;
  for (let k = 0; k < env.d; k++) ya += env.theta[k] * a[k];
  let yx = 0,
    ym = 0;
  for (let i = 0; i < env.n; i++) {
    yx += env.omega[i] * s.x[i];
    ym += env.omega[i] * s.xMean[i];
  }
  const reward = yx + ya + env.rewardStd * rng.normal();
  advance(env, s.x, a, rng);
  advance(env, s.xMean, a, null);
  s.t++;
  return { reward, meanReward: ym + ya };
}

/**
 * The synthetic system of the official DLB code (github.com/marcomussi/DLB) at spectral radius ρ:
 * A = diag(ρ, 0, ρ/2), B scaled by (1 − ρ) and (1 − ρ/2) so that the steady-state gain h is the same at every ρ
 * (the code's case is ρ = 0.2).
 * Used by the dynamical-linear-bandits notebook and the bandits protocol's dynamical task.
 */
export function dlbSystem(rho: number, std: number): DynamicalLinearBandit {
  return dynamicalLinearBandit({
    A: [
      [rho, 0, 0],
      [0, 0, 0],
      [0, 0, rho / 2],
    ],
    B: [
      [0.5625 * (1 - rho), 0, 0],
      [0, 0, 0],
      [0, 0, (1 / 9) * (1 - rho / 2)],
    ],
    omega: [1, 0, 0.1],
    theta: [0, 0.5, 0.1],
    stateStd: std,
    rewardStd: std,
  });
}

/** The 6 budget allocations of the DLB official code (permutations of (1, 0.5, 0)), row-major 6 × 3. */
export const DLB_ACTIONS = Float64Array.from([1, 0.5, 0, 1, 0, 0.5, 0.5, 1, 0, 0, 1, 0.5, 0.5, 0, 1, 0, 0.5, 1]);
