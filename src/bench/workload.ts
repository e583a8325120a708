/** The workload interface of `npm run bench`: each workload times the kit and, when it can, the reference. */
import type { PythonInfo } from './python';
import type { BenchRow } from './types';

export interface WorkloadContext {
  /** The Python interpreter with its packages, or null (no reference rows then). */
  py: PythonInfo | null;
  /** Print a progress line. */
  log: (line: string) => void;
  /** transformer-seeds: timed steps per seed (`--seed-steps`); absent: the workload's default. */
  seedSteps?: number;
}

export interface Workload {
  /** Short name used by --only and as the prefix of row ids. */
  id: string;
  title: string;
  /** Skipped by --quick (runs the notebooks). */
  slow?: boolean;
  run(ctx: WorkloadContext): Promise<BenchRow[]>;
}

/** A row standing for a failed measurement (ms NaN; the message in detail). */
export function failedRow(id: string, workload: string, impl: string, side: BenchRow['side'], e: unknown): BenchRow {
  const msg = (e as Error)?.message ?? String(e);
  return {
    id,
    workload,
    impl,
    side,
    ms: NaN,
    unit: '',
    backend: '',
    threads: 1,
    detail: `failed: ${msg.split('\n')[0]}`,
  };
}

/** Attach kit/reference ratios: every kit row with a refId gets ms / ms(ref). */
export function attachRatios(rows: BenchRow[]): BenchRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of rows) {
    if (r.side !== 'kit' || !r.refId) continue;
    const ref = byId.get(r.refId);
    r.ratio = ref && Number.isFinite(ref.ms) && ref.ms > 0 && Number.isFinite(r.ms) ? r.ms / ref.ms : undefined;
  }
  return rows;
}

/** Rows grouped by workload (in order of first appearance), kit rows before reference rows, otherwise stable. */
export function orderRows(rows: readonly BenchRow[]): BenchRow[] {
  const first = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!first.has(r.workload)) first.set(r.workload, i);
  });
  return rows
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        first.get(a.r.workload)! - first.get(b.r.workload)! ||
        (a.r.side === b.r.side ? 0 : a.r.side === 'kit' ? -1 : 1) ||
        a.i - b.i,
    )
    .map((x) => x.r);
}
