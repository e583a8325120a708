/**
 * Determinism across worker counts: the gate's task run for two seeds inline (1 worker) and on a pool of 2
 * worker threads gives bit-identical metrics and series (each seed's randomness flows from its own seed, and
 * the wasm engine gives the same bits in every thread). Uses the compiled task under dist/ as the runner does.
 */
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/core/records';
import type { TaskJob } from '../../../src/core/tasks';
import { DEFAULTS, type Config } from '../../../src/papers/testbed-reasoning/experiment';
import { ROOT } from '../../helpers';

// The compiled pool, as the runner uses it (tasks resolve to dist/ files).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runTasks } = require(path.join(ROOT, 'dist', 'core', 'tasks.js')) as {
  runTasks: (jobs: TaskJob[]) => Promise<RunResult[]>;
};

const tiny: Config = {
  ...DEFAULTS,
  updates: 2,
  batchPrompts: 3,
  groupSize: 4,
  evalProblems: 3,
  evalSamples: 8,
  passKs: [1, 4, 8],
};
const saved = process.env.RLMINI_WORKERS;
afterEach(() => {
  if (saved === undefined) delete process.env.RLMINI_WORKERS;
  else process.env.RLMINI_WORKERS = saved;
});

async function runWith(workers: number) {
  process.env.RLMINI_WORKERS = String(workers);
  const jobs = [3, 4].map((seed) => ({ task: 'papers/testbed-reasoning/experiment#runSeed', config: tiny, seed }));
  return await runTasks(jobs);
}

describe('testbed-reasoning across worker counts', () => {
  it('1 worker (inline) and 2 worker threads give bit-identical records; the two seeds differ', async () => {
    const one = await runWith(1);
    const two = await runWith(2);
    expect(two.map((r) => r.metrics)).toEqual(one.map((r) => r.metrics));
    expect(two.map((r) => r.series)).toEqual(one.map((r) => r.series));
    expect(one[0].series).not.toEqual(one[1].series);
  }, 120_000);
});
