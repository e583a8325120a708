/**
 * Stochastic linear bandit with a finite action set (Abbasi-Yadkori, Pál & Szepesvári 2011): action a ∈ 𝒜 ⊂ R^d,
 * reward ⟨θ*, a⟩ + σ·N(0, 1). θ* is known to the environment, so the pseudo-regret is exact.
 */
import type { Rng } from '../../../core/rng';

export interface LinearBandit {
  d: number;
  /** K actions, row-major K×d. */
  actions: Float64Array;
  K: number;
  theta: Float64Array;
  std: number;
}

export function linearBandit(actions: number[][], theta: number[], std: number): LinearBandit {
  const d = theta.length;
  for (const a of actions)
    if (a.length !== d) throw new RangeError(`linearBandit: every action needs ${d} coordinates, got ${a.length}`);
  return { d, actions: Float64Array.from(actions.flat()), K: actions.length, theta: Float64Array.from(theta), std };
}

/** The k-th action as a view. */
export function actionOf(env: { actions: Float64Array; d: number }, k: number): Float64Array {
  return env.actions.subarray(k * env.d, (k + 1) * env.d);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Mean reward ⟨θ*, a_k⟩ of every action. */
export function linearMeans(env: LinearBandit): Float64Array {
  return Float64Array.from({ length: env.K }, (_, k) => dot(env.theta, actionOf(env, k)));
}

export function pullLinear(env: LinearBandit, k: number, rng: Rng): number {
  return dot(env.theta, actionOf(env, k)) + env.std * rng.normal();
}
