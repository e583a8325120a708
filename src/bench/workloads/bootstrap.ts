/**
 * Bootstrap intervals: percentile intervals of the IQM for 5 methods × 100 runs with 10,000
 * replicates each (rliable's typical workload), float64. The kit's `bootstrapCI` against a NumPy
 * reference vectorised over the replicates (sort each resample, trimmed mean, np.percentile).
 * The two draw different random resamples, so the intervals agree up to Monte Carlo error; the
 * point estimates (the IQM of the data) agree exactly.
 */
import { Rng } from '../../core/rng';
import { bootstrapCI } from '../../stats/bootstrap';
import { removeBundle, writeBundle } from '../bundle';
import { runReference } from '../python';
import { timeReps } from '../timing';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

export const BOOT = { methods: 5, runs: 100, reps: 10_000, level: 0.95, seed: 12345, timings: 5 } as const;
const W = 'bootstrap IQM intervals 5×100, 10k reps';

export const bootstrapWorkload: Workload = {
  id: 'bootstrap',
  title: W,
  async run(ctx) {
    const data = new Rng(BOOT.seed);
    const methods = Array.from({ length: BOOT.methods }, (_, m) => data.normals(BOOT.runs, 0.5 + 0.1 * m, 0.3));
    const t = timeReps(() => {
      const rng = new Rng(1);
      return methods.map((x) => bootstrapCI(x, 'iqm', { reps: BOOT.reps, rng, level: BOOT.level }));
    }, BOOT.timings);
    const kitCis = t.last;
    const resamples = BOOT.methods * BOOT.reps;
    const rows: BenchRow[] = [
      {
        id: 'bootstrap/kit',
        workload: W,
        impl: 'kit (stats.bootstrapCI, percentile)',
        side: 'kit',
        ms: t.median,
        unit: 'per 5 intervals',
        throughput: { value: resamples / t.median / 1e3, unit: 'M resamples/s' },
        backend: 'typed-arrays',
        threads: 1,
        refId: 'bootstrap/numpy',
        detail: `median of ${BOOT.timings} runs`,
      },
    ];
    if (!ctx.py?.numpy) return rows;
    const scores = new Float64Array(BOOT.methods * BOOT.runs);
    methods.forEach((x, m) => scores.set(x, m * BOOT.runs));
    const dir = writeBundle(
      'bootstrap',
      { reps: BOOT.reps, level: BOOT.level, seed: 1 },
      { scores: { data: scores, shape: [BOOT.methods, BOOT.runs] } },
    );
    try {
      const out = runReference(ctx.py, 'bootstrap.py', dir, 1, ['--reps', String(BOOT.timings)]);
      const r = out.rows.numpy as { ms: number; cis: [number, number, number][]; version: string };
      let dEst = 0,
        dEnd = 0;
      r.cis.forEach(([est, lo, hi], m) => {
        const k = kitCis[m];
        dEst = Math.max(dEst, Math.abs(est - k.estimate));
        dEnd = Math.max(dEnd, Math.abs(lo - k.lo) / (k.hi - k.lo), Math.abs(hi - k.hi) / (k.hi - k.lo));
      });
      const agreement = {
        ok: dEst <= 1e-12 && dEnd <= 0.05,
        text:
          `IQM estimates max |Δ| ${dEst.toExponential(1)} (≤ 1e-12); ` +
          `interval ends within ${(100 * dEnd).toFixed(1)}% of the width (≤ 5%, Monte Carlo)`,
      };
      rows[0].agreement = agreement;
      rows.push({
        id: 'bootstrap/numpy',
        workload: W,
        impl: `NumPy ${r.version}, vectorised (1 thread)`,
        side: 'reference',
        ms: r.ms,
        unit: 'per 5 intervals',
        throughput: { value: resamples / r.ms / 1e3, unit: 'M resamples/s' },
        backend: 'numpy',
        threads: 1,
        agreement,
        detail: `median of ${BOOT.timings} runs`,
      });
    } catch (e) {
      rows.push(failedRow('bootstrap/numpy', W, 'NumPy', 'reference', e));
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
