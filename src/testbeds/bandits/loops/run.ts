/**
 * Interaction loops of the bandit testbed. Each returns the exact pseudo-regret (from the known means) at the
 * requested checkpoints (rounds completed, ascending) and, on request, the played arms.
 */
import type { Rng } from '../../../core/rng';
import { pull, type KArmedBandit } from '../env/k-armed';
import { linearMeans, pullLinear, type LinearBandit } from '../env/linear';
import type { ArmPolicy } from '../methods/policy';
import { RidgeRegression, ofulBeta, optimisticAction } from '../methods/lin-ucb';

export interface RegretRun {
  /** Pseudo-regret Σ_{s<c} (μ* − μ_{A_s}) at each checkpoint c. */
  regret: Float64Array;
  /** Pulls of each arm after T rounds. */
  pulls: Float64Array;
  /** The arm of every round (when `trace`). */
  arms?: Int32Array;
}

function runArms(
  means: Float64Array,
  policy: ArmPolicy,
  reward: (arm: number) => number,
  T: number,
  checkpoints: number[],
  rng: Rng,
  trace: boolean,
): RegretRun {
  let best = -Infinity;
  for (const m of means) best = Math.max(best, m);
  const regret = new Float64Array(checkpoints.length),
    pulls = new Float64Array(means.length),
    arms = trace ? new Int32Array(T) : undefined;
  let R = 0,
    c = 0;
  for (let t = 0; t < T; t++) {
    while (c < checkpoints.length && checkpoints[c] === t) regret[c++] = R;
    const a = policy.select(t, rng);
    policy.update(a, reward(a));
    R += best - means[a];
    pulls[a]++;
    if (arms) arms[t] = a;
  }
  while (c < checkpoints.length) regret[c++] = R;
  return { regret, pulls, arms };
}

/** Runs `policy` for T rounds on a K-armed bandit; `rng` draws rewards and the policy's randomness (two streams). */
export function runKArmed(
  env: KArmedBandit,
  policy: ArmPolicy,
  T: number,
  checkpoints: number[],
  rng: Rng,
  trace = false,
): RegretRun {
  const envRng = rng.split('rewards'),
    polRng = rng.split('policy');
  return runArms(env.means, policy, (a) => pull(env, a, envRng), T, checkpoints, polRng, trace);
}

/** OFUL / LinUCB (methods/lin-ucb.ts) for T rounds on a finite-action linear bandit. */
export function runLinUcb(
  env: LinearBandit,
  o: { lambda: number; S: number; L: number; delta: number },
  T: number,
  checkpoints: number[],
  rng: Rng,
  trace = false,
): RegretRun & { ridge: RidgeRegression } {
  const ridge = new RidgeRegression(env.d, o.lambda);
  const envRng = rng.split('rewards');
  const policy: ArmPolicy = {
    select(t) {
      const beta = ofulBeta({ t, d: env.d, lambda: o.lambda, S: o.S, sigma: env.std, L: o.L, delta: o.delta });
      return optimisticAction(ridge, env.actions, beta);
    },
    update(a, y) {
      ridge.add(env.actions.subarray(a * env.d, (a + 1) * env.d), y);
    },
  };
  const run = runArms(linearMeans(env), policy, (a) => pullLinear(env, a, envRng), T, checkpoints, rng, trace);
  return { ...run, ridge };
}

/** Log-spaced integer checkpoints in [1, T], always including T. */
export function logCheckpoints(T: number, count: number): number[] {
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.max(1, Math.round(T ** (i / (count - 1)))));
  out.add(T);
  return [...out].sort((a, b) => a - b);
}

/** Least-squares slope of y on x. */
export function fitSlope(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) [mx, my] = [mx + x[i] / n, my + y[i] / n];
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < n; i++) [sxy, sxx] = [sxy + (x[i] - mx) * (y[i] - my), sxx + (x[i] - mx) ** 2];
  return sxy / sxx;
}
