/**
 * Parallel seeds: the same four GRU RLVR seeds (src/testbeds/rlvr/loops/gru-rl `runGruRlSeed`, the base
 * model from data/models) through the kit's worker-thread task pool with 1 and then 2 workers.
 * Reports both wall times and the speed-up (ideal: the number of cores); the two runs must return
 * identical records (a seed's result does not depend on which worker ran it).
 */
import * as os from 'os';
import { runTasks, type TaskJob } from '../../core/tasks';
import { baseModel } from '../../testbeds/rlvr/policies/base-model';
import type { GruRlConfig } from '../../testbeds/rlvr/loops/gru-rl';
import { failedRow, type Workload } from '../workload';

const W = 'parallel seeds: 4 GRU RLVR seeds, 1 vs 2 workers';

export const SCALING_CONFIG: GruRlConfig = {
  digits: [2, 3],
  nTrain: 64,
  nHeldOut: 64,
  steps: 200,
  batchPrompts: 32,
  groupSize: 8,
  lr: 1e-3,
  advantage: { kind: 'grpo' },
  aggregation: 'seq-mean-token-mean',
  evalEvery: 30,
  passKs: [1, 16],
};

async function timed(workers: number, jobs: TaskJob[]) {
  const prev = process.env.RLMINI_WORKERS;
  process.env.RLMINI_WORKERS = String(workers);
  try {
    const t0 = performance.now();
    const res = await runTasks(jobs);
    return { ms: performance.now() - t0, res };
  } finally {
    if (prev === undefined) delete process.env.RLMINI_WORKERS;
    else process.env.RLMINI_WORKERS = prev;
  }
}

export const scalingWorkload: Workload = {
  id: 'scaling',
  title: W,
  async run(ctx) {
    try {
      baseModel(); // cached weights, loaded once so that no worker pre-trains
      const jobs: TaskJob[] = [0, 1, 2, 3].map((seed) => ({
        task: 'testbeds/rlvr/loops/gru-rl#runGruRlSeed',
        config: SCALING_CONFIG,
        seed,
      }));
      ctx.log('  1 worker …');
      const one = await timed(1, jobs);
      ctx.log('  2 workers …');
      const two = await timed(2, jobs);
      const same =
        JSON.stringify(one.res.map((r) => [r.metrics, r.series])) ===
        JSON.stringify(two.res.map((r) => [r.metrics, r.series]));
      const speedup = one.ms / two.ms;
      const cores = os.cpus().length;
      const agreement = {
        ok: same,
        text: same ? 'records identical with 1 and 2 workers' : 'records DIFFER between 1 and 2 workers',
      };
      return [
        {
          id: 'scaling/1-worker',
          workload: W,
          impl: 'kit task pool, 1 worker',
          side: 'kit',
          ms: one.ms,
          unit: 'per 4 seeds',
          backend: 'kit nn (wasm SIMD)',
          threads: 1,
          detail: 'seeds one after another',
          agreement,
        },
        {
          id: 'scaling/2-workers',
          workload: W,
          impl: 'kit task pool, 2 workers',
          side: 'kit',
          ms: two.ms,
          unit: 'per 4 seeds',
          backend: 'kit nn (wasm SIMD)',
          threads: 2,
          detail:
            `speed-up ×${speedup.toFixed(2)} on ${cores} cores ` +
            `(efficiency ${((100 * speedup) / Math.min(2, cores)).toFixed(0)}%)`,
          agreement,
        },
      ];
    } catch (e) {
      return [failedRow('scaling/2-workers', W, 'kit task pool', 'kit', e)];
    }
  },
};
