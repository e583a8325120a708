/**
 * Statistics micro-benchmarks. Run: `npx tsc -p . && node dist/stats/bench.js`.
 * The headline case is rliable's typical workload: IQM intervals for 5 methods × 100 runs with
 * 10,000 bootstrap replicates each (target: under 100 ms in total), with the percentile interval and
 * with the expanded percentile interval the claim checks and tables use by default (same resampling,
 * other quantile levels: the cost should be the same).
 */
import { Rng } from '../core/rng';
import { bootstrapCI } from './bootstrap';
import { probabilityOfImprovementCI } from './compare';
import { spearmanDifferenceCI } from './correlation';
import { aggregateCurves } from './curves';
import { performanceProfile } from './profiles';
import { RecordLike, aggregateRecords, danfoLoadTime, loadDanfo } from './tables';

export interface BenchResult {
  name: string;
  ms: number;
  detail: string;
}

function time(fn: () => string): { ms: number; detail: string } {
  const t0 = process.hrtime.bigint();
  const detail = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, detail };
}

/** Best of `runs` timings (after one warm-up run). */
function bench(name: string, runs: number, fn: () => string): BenchResult {
  fn();
  let best = Infinity;
  let detail = '';
  for (let i = 0; i < runs; i++) {
    const r = time(fn);
    if (r.ms < best) {
      best = r.ms;
      detail = r.detail;
    }
  }
  return { name, ms: Math.round(best * 100) / 100, detail };
}

/** Run the statistics benchmarks and return one row per case. */
export async function benchStats(): Promise<BenchResult[]> {
  const data = new Rng(12345);
  const methods = Array.from({ length: 5 }, (_, m) => Array.from(data.normals(100, 0.5 + 0.1 * m, 0.3)));
  const tasks = Array.from({ length: 5 }, () => Array.from(data.normals(20, 0.5, 0.3)));
  const tasksB = Array.from({ length: 5 }, () => Array.from(data.normals(20, 0.4, 0.3)));
  const curves = Array.from({ length: 10 }, () => Array.from(data.normals(200, 0, 1)));
  const y = Array.from(data.normals(200, 0, 1));
  const x1 = y.map((v) => v + data.normal(0, 0.5));
  const x2 = y.map((v) => v + data.normal(0, 1));
  const fmt = (x: number) => x.toFixed(3);
  const out: BenchResult[] = [];

  out.push(
    bench('iqm-ci 5 methods x 100 runs x 10k reps (percentile)', 5, () => {
      const rng = new Rng(1);
      return methods
        .map((x) => {
          const ci = bootstrapCI(x, 'iqm', { reps: 10_000, rng });
          return `[${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
        })
        .join(' ');
    }),
  );
  out.push(
    bench('iqm-ci 5 methods x 100 runs x 10k reps (expanded)', 5, () => {
      const rng = new Rng(1);
      return methods
        .map((x) => {
          const ci = bootstrapCI(x, 'iqm', { reps: 10_000, rng, method: 'expanded' });
          return `[${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
        })
        .join(' ');
    }),
  );
  out.push(
    bench('iqm-ci 5 methods x 100 runs x 10k reps (BCa)', 3, () => {
      const rng = new Rng(1);
      return methods
        .map((x) => {
          const ci = bootstrapCI(x, 'iqm', { reps: 10_000, rng, method: 'bca' });
          return `[${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
        })
        .join(' ');
    }),
  );
  out.push(
    bench('stratified iqm-ci 5 tasks x 20 runs x 10k reps', 3, () => {
      const ci = bootstrapCI(tasks, 'iqm', { reps: 10_000, rng: 2 });
      return `${fmt(ci.estimate)} [${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
    }),
  );
  out.push(
    bench('probability of improvement 5 tasks x 20 runs x 2k reps', 3, () => {
      const ci = probabilityOfImprovementCI(tasks, tasksB, { reps: 2000, rng: 3 });
      return `${fmt(ci.estimate)} [${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
    }),
  );
  out.push(
    bench('spearman difference 200 obs x 2k reps', 3, () => {
      const ci = spearmanDifferenceCI(x1, x2, y, { reps: 2000, rng: 4 });
      return `${fmt(ci.estimate)} [${fmt(ci.lo)}, ${fmt(ci.hi)}]`;
    }),
  );
  out.push(
    bench('iqm curve band 10 seeds x 200 steps x 2k reps', 3, () => {
      const band = aggregateCurves(curves, { reps: 2000, rng: 5 });
      return `step0 ${fmt(band.estimate[0])} [${fmt(band.lo[0])}, ${fmt(band.hi[0])}]`;
    }),
  );
  out.push(
    bench('performance profile 5 tasks x 20 runs, 101 taus, 2k reps', 3, () => {
      const taus = Array.from({ length: 101 }, (_, i) => i / 100);
      const p = performanceProfile(tasks, taus, { reps: 2000, rng: 6 });
      return `tau=0.5: ${fmt(p.fraction[50])} [${fmt(p.lo![50])}, ${fmt(p.hi![50])}]`;
    }),
  );
  const records: RecordLike[] = [];
  for (let m = 0; m < 5; m++) {
    for (let c = 0; c < 4; c++) {
      for (let seed = 0; seed < 10; seed++)
        records.push({ method: `m${m}`, seed, config: { lr: 10 ** -c }, metrics: { ret: data.normal(m - c, 1) } });
    }
  }
  out.push(
    bench('table: 5 methods x 4 configs x 10 seeds, mean + 2k reps', 3, () => {
      const a = aggregateRecords(records, { metrics: 'ret', by: ['method', 'config.lr'], rng: 7 });
      return (
        `${a.rows.length} groups; m0 lr=1: ${fmt(a.rows[0].estimate)} ` + `[${fmt(a.rows[0].lo)}, ${fmt(a.rows[0].hi)}]`
      );
    }),
  );
  if (Number.isNaN(danfoLoadTime())) {
    try {
      loadDanfo();
      out.push({
        name: 'danfojs-node first load (lazy; DataFrame views only)',
        ms: danfoLoadTime(),
        detail: 'single measurement, not best-of',
      });
    } catch (e) {
      out.push({ name: 'danfojs-node first load', ms: NaN, detail: `failed: ${(e as Error).message}` });
    }
  }
  return out;
}

if (require.main === module) {
  benchStats().then((rows) => {
    for (const r of rows) console.log(`${r.ms.toFixed(2).padStart(9)} ms  ${r.name}  ${r.detail}`);
  });
}
