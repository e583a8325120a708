/** The statistics micro-benchmarks of src/stats/bench.ts (kit only; the bootstrap workload has the NumPy reference). */
import { benchStats } from '../../stats/bench';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

export const statsWorkload: Workload = {
  id: 'stats',
  title: 'statistics micro-benchmarks',
  async run() {
    try {
      const rows = await benchStats();
      return rows.map((r): BenchRow => ({
        id: `stats/${slug(r.name)}`,
        workload: 'statistics micro-benchmarks',
        impl: r.name,
        side: 'kit',
        ms: r.ms,
        unit: 'per run',
        backend: 'typed-arrays',
        threads: 1,
        detail: r.detail,
      }));
    } catch (e) {
      return [failedRow('stats/all', 'statistics micro-benchmarks', 'kit', 'kit', e)];
    }
  },
};
