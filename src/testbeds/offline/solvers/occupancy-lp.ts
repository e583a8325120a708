/**
 * The linear program of RL over state-action visitation distributions (Manne 1960; Puterman 1994 §6.9; the starting
 * point of Dual RL, Sikchi et al., ICLR 2024, arXiv:2302.08560, §3 eq. "primal"), solved by HiGHS:
 *   max_{d ≥ 0}  Σ_{s,a} d(s, a) r̄(s, a)
 *   s.t.         Σ_a d(s, a) = (1 − γ) μ₀(s) + γ Σ_{s',a'} τ(s | s', a') d(s', a')   for every s,
 * whose optimum is (1 − γ) J* and whose multipliers of the flow rows are V* (the dual LP: min_V (1 − γ) μ₀·V s.t.
 * V(s) ≥ r̄(s, a) + γ τV(s, a)). The kit's HiGHS loader (tabular/methods/explicable-reward-lp.ts) is reused.
 * Variables are scaled by 1/(1 − γ) (the occupancy of tabular/solvers/exact.ts, summing to 1/(1 − γ)) so the
 * right-hand sides are μ₀ (O(1/|S|)); the returned d is the normalised one (summing to 1).
 */
import type { LpSolver } from '../../tabular/methods/explicable-reward-lp';
import type { OfflineMdp } from '../env/tasks';

export interface OccupancyLpSolution {
  /** max_d Σ d r̄, the normalised optimum ((1 − γ) J*). */
  value: number;
  /** Optimal normalised occupancy d(s, a) (length nS·nA). */
  d: Float64Array;
  /** Multipliers of the flow rows, signed so that they are V* (length nS). */
  V: Float64Array;
}

export function occupancyLpModel(mdp: OfflineMdp): string {
  const { nS, nA, gamma, T, init } = mdp.env;
  const num = (x: number): string => (x >= 0 ? `+ ${x.toPrecision(17)}` : `- ${(-x).toPrecision(17)}`);
  const lines = ['Maximize', ' obj:'];
  for (let row = 0; row < nS * nA; row++) lines.push(`  ${num(mdp.reward[row])} x${row}`);
  lines.push('Subject To');
  const rows: Map<number, number>[] = Array.from({ length: nS }, () => new Map());
  for (let row = 0; row < nS * nA; row++) {
    const s = Math.floor(row / nA);
    rows[s].set(row, (rows[s].get(row) ?? 0) + 1);
    for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) {
      const m = rows[T.col[k]];
      m.set(row, (m.get(row) ?? 0) - gamma * T.prob[k]);
    }
  }
  for (let s = 0; s < nS; s++) {
    lines.push(` flow${s}:`);
    for (const [row, v] of rows[s]) if (v !== 0) lines.push(`  ${num(v)} x${row}`);
    lines.push(`  = ${init[s].toPrecision(17)}`);
  }
  lines.push('End');
  return lines.join('\n');
}

export function solveOccupancyLp(mdp: OfflineMdp, solver: LpSolver): OccupancyLpSolution {
  const { nS, nA, gamma } = mdp.env;
  const sol = solver.solve(occupancyLpModel(mdp));
  if (sol.Status !== 'Optimal') throw new Error(`solveOccupancyLp: HiGHS returned status '${sol.Status}'`);
  const d = new Float64Array(nS * nA);
  for (let row = 0; row < nS * nA; row++) d[row] = (1 - gamma) * (sol.Columns[`x${row}`]?.Primal ?? 0);
  // The LP in x = d/(1−γ) has optimum J* = Σ x r̄ and flow-row duals V*(s) (maximisation, equality rows).
  const V = new Float64Array(nS);
  for (const r of sol.Rows) {
    const s = Number(r.Name.slice(4));
    if (r.Name.startsWith('flow') && Number.isInteger(s)) V[s] = r.Dual;
  }
  return { value: (1 - gamma) * sol.ObjectiveValue, d, V };
}
