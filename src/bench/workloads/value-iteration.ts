/**
 * Value iteration, 1,000 states × 10 actions, 10 successors per (s, a) (CSR, 100k entries), γ = 0.9,
 * to a guaranteed ‖V − V*‖∞ ≤ 1e-8, float64 (the MDP of src/testbeds/tabular/bench.ts).
 * Like with like: the kit's Jacobi sweep against NumPy's Jacobi sweep (vectorised over the CSR
 * arrays), same start V = 0, same stopping rule, so the same number of sweeps; the kit's default
 * Gauss–Seidel sweep is a separate, labelled row (fewer sweeps, same V* within tol).
 */
import { Rng } from '../../core/rng';
import { randomEnv } from '../../testbeds/tabular/env/mdp';
import { valueIteration, type ValueIterationOptions } from '../../testbeds/tabular/solvers/exact';
import { removeBundle, writeBundle } from '../bundle';
import { runReference } from '../python';
import { maxAbsDiff, timeReps } from '../timing';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

export const VI = { nS: 1000, nA: 10, branching: 10, gamma: 0.9, tol: 1e-8, seed: 0, reps: 7 } as const;
const W = 'value iteration 1000×10';

export function viProblem() {
  const rng = new Rng(VI.seed).split('bench-value-iteration');
  const env = randomEnv(rng.split('env'), { nS: VI.nS, nA: VI.nA, gamma: VI.gamma, branching: VI.branching });
  const rbar = rng.split('reward').normals(VI.nS * VI.nA);
  return { env, rbar };
}

export const valueIterationWorkload: Workload = {
  id: 'vi',
  title: W,
  async run(ctx) {
    const { env, rbar } = viProblem();
    const rows: BenchRow[] = [];
    const backups = VI.nS * VI.nA;
    const kit = (sweep: NonNullable<ValueIterationOptions['sweep']>) => {
      const t = timeReps(() => valueIteration(env, rbar, { tol: VI.tol, sweep }), VI.reps);
      return { ms: t.median, res: t.last };
    };
    const jac = kit('jacobi');
    const gs = kit('gauss-seidel');
    const kitRow = (id: string, label: string, r: typeof jac): BenchRow => ({
      id,
      workload: W,
      impl: label,
      side: 'kit',
      ms: r.ms,
      unit: 'per solve',
      throughput: { value: (r.res.iterations * backups) / r.ms / 1e3, unit: 'M state-action backups/s' },
      backend: 'typed-arrays',
      threads: 1,
      refId: 'vi/numpy',
      detail:
        `${r.res.iterations} sweeps, last residual ${r.res.residual.toExponential(2)}; ` +
        `median of ${VI.reps} solves`,
    });
    rows.push(kitRow('vi/jacobi/kit', 'kit, Jacobi sweep (typed arrays)', jac));
    rows.push(kitRow('vi/gauss-seidel/kit', 'kit, Gauss–Seidel sweep (default; fewer sweeps)', gs));
    if (!ctx.py?.numpy) {
      rows[0].detail += '; no NumPy reference (python3 with numpy not found)';
      return rows;
    }
    const dir = writeBundle(
      'vi',
      { nS: VI.nS, nA: VI.nA, gamma: VI.gamma, tol: VI.tol },
      {
        rowPtr: { data: env.T.rowPtr, shape: [env.T.rowPtr.length] },
        col: { data: env.T.col, shape: [env.T.col.length] },
        prob: { data: env.T.prob, shape: [env.T.prob.length] },
        rbar: { data: rbar, shape: [rbar.length] },
      },
    );
    try {
      const out = runReference(ctx.py, 'value_iteration.py', dir, 1, ['--reps', String(VI.reps)]);
      const labels: Record<string, string> = {
        numpy: 'NumPy',
        'scipy-csr': 'SciPy sparse CSR',
        torch: 'PyTorch gather-sum',
      };
      for (const [key, r] of Object.entries(
        out.rows as Record<string, { ms: number; iterations: number; residual: number; V: number[]; version: string }>,
      )) {
        const dJ = maxAbsDiff(jac.res.V, r.V);
        rows.push({
          id: `vi/${key}`,
          workload: W,
          impl: `${labels[key] ?? key} ${r.version}, Jacobi sweep (1 thread)`,
          side: 'reference',
          ms: r.ms,
          unit: 'per solve',
          throughput: { value: (r.iterations * backups) / r.ms / 1e3, unit: 'M state-action backups/s' },
          backend: key,
          threads: 1,
          agreement: {
            ok: r.iterations === jac.res.iterations && dJ <= 1e-9,
            text:
              `${r.iterations} vs kit ${jac.res.iterations} sweeps; ` +
              `max |ΔV| vs kit Jacobi ${dJ.toExponential(1)} (≤ 1e-9)`,
          },
          detail: `median of ${VI.reps} solves`,
        });
      }
      const np = out.rows.numpy as { V: number[]; iterations: number };
      const dJ = maxAbsDiff(jac.res.V, np.V);
      const dG = maxAbsDiff(gs.res.V, np.V);
      rows[0].agreement = {
        ok: np.iterations === jac.res.iterations && dJ <= 1e-9,
        text: `same sweeps (${jac.res.iterations}); max |ΔV| vs NumPy ${dJ.toExponential(1)} (≤ 1e-9)`,
      };
      rows[1].agreement = {
        ok: dG <= 2 * VI.tol,
        text: `max |ΔV| vs NumPy Jacobi ${dG.toExponential(1)} (≤ 2·tol = ${(2 * VI.tol).toExponential(0)})`,
      };
    } catch (e) {
      rows.push(failedRow('vi/numpy', W, 'NumPy, Jacobi sweep', 'reference', e));
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
