/**
 * Small helpers the RLVR notebooks share for reading run records: learning-curve bands over seeds and
 * first-crossing times. Pure functions of recorded series.
 */
import { bootstrapCI } from '../../stats/bootstrap';
import type { Rng } from '../../core/rng';

/**
 * Mean over seeds at every `every`-th point of equally long series, with a percentile bootstrap band
 * over seeds (`reps` replicates). rows[s][t] = seed s, point t.
 */
export function meanBand(
  rows: readonly (readonly number[])[],
  rng: Rng,
  opts: { every?: number; reps?: number; level?: number } = {},
): { idx: number[]; y: number[]; lo: number[]; hi: number[] } {
  if (rows.length === 0) throw new RangeError('rlvr.meanBand: no series');
  const n = Math.min(...rows.map((r) => r.length));
  const every = opts.every ?? 1;
  const idx: number[] = [];
  const y: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let t = 0; t < n; t += every) {
    const col = rows.map((r) => r[t]);
    idx.push(t);
    if (rows.length < 2) {
      y.push(col[0]);
      lo.push(col[0]);
      hi.push(col[0]);
      continue;
    }
    const ci = bootstrapCI(col, 'mean', {
      reps: opts.reps ?? 500,
      level: opts.level ?? 0.95,
      method: 'percentile',
      rng: rng.split(t),
    });
    y.push(ci.estimate);
    lo.push(ci.lo);
    hi.push(ci.hi);
  }
  return { idx, y, lo, hi };
}

/** Index of the first value satisfying `pred`, or the last index when none does. */
export function firstIndex(x: readonly number[], pred: (v: number) => boolean): number {
  for (let i = 0; i < x.length; i++) if (pred(x[i])) return i;
  return x.length - 1;
}
