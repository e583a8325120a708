/**
 * Micro-benchmark of the tabular solvers: value iteration on a random 1,000-state × 10-action MDP
 * with 10 successors per (s, a) (CSR transitions, 100k entries), γ = 0.9, to a guaranteed
 * ‖V − V*‖∞ ≤ 1e-8 (see `valueIteration`). Reports the median wall time of several runs after one
 * warm-up run.
 */

import { Rng } from '../../core/rng';
import { randomEnv } from './env/mdp';
import { valueIteration, type ValueIterationOptions } from './solvers/exact';

export interface BenchResult {
  name: string;
  /** Median wall time of one solve, milliseconds. */
  ms: number;
  detail: string;
}

export function benchValueIteration(
  opts: { runs?: number; seed?: number; sweep?: ValueIterationOptions['sweep'] } = {},
): BenchResult {
  const runs = opts.runs ?? 7;
  const seed = opts.seed ?? 0;
  const sweep = opts.sweep ?? 'gauss-seidel';
  const nS = 1000,
    nA = 10,
    branching = 10,
    gamma = 0.9,
    tol = 1e-8;
  const rng = new Rng(seed).split('bench-value-iteration');
  const env = randomEnv(rng.split('env'), { nS, nA, gamma, branching });
  const rbar = rng.split('reward').normals(nS * nA); // r̄(s,a) ~ N(0,1)
  valueIteration(env, rbar, { tol, sweep }); // warm-up (JIT)
  const times: number[] = [];
  let iterations = 0;
  let residual = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const res = valueIteration(env, rbar, { tol, sweep });
    const t1 = process.hrtime.bigint();
    times.push(Number(t1 - t0) / 1e6);
    iterations = res.iterations;
    residual = res.residual;
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  return {
    name: `tabular value iteration ${nS}x${nA}, ${branching} successors, gamma ${gamma}, tol ${tol}`,
    ms,
    detail:
      `${sweep} sweeps: ${iterations} iterations, last residual ${residual.toExponential(2)}; ` +
      `median of ${runs} runs (min ${times[0].toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms), ` +
      `seed ${seed}`,
  };
}
