/**
 * The reasoning gate's task (src/papers/testbed-reasoning/experiment.ts) on a tiny configuration: every record
 * key is present, per-problem counts lie in [0, n] and give the recorded pass@k, pass@k grows with k, base and
 * trained models are evaluated on the same problems (same count length), and a rerun is bit-identical.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/core/records';
import { metricKey } from '../../../src/core/metric-keys';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import { DEFAULTS, runSeed, type Config } from '../../../src/papers/testbed-reasoning/experiment';

const tiny: Config = {
  ...DEFAULTS,
  updates: 2,
  batchPrompts: 3,
  groupSize: 4,
  evalProblems: 3,
  evalSamples: 8,
  passKs: [1, 4, 8],
};

describe('testbed-reasoning runSeed', () => {
  let r: RunResult;
  beforeAll(async () => {
    r = await runSeed(tiny, 7);
  }, 120_000);
  it('records pass@k of base and every recipe at both levels, consistent with the counts', () => {
    for (const m of ['base', ...tiny.recipes])
      for (const l of ['L3', 'L4']) {
        const counts = r.series![metricKey(m, `${l}:counts`)];
        expect(counts.length).toBe(tiny.evalProblems);
        for (const c of counts) expect(c >= 0 && c <= tiny.evalSamples && Number.isInteger(c)).toBe(true);
        let prev = -1;
        for (const k of tiny.passKs) {
          const v = r.metrics[metricKey(m, `${l}:pass@${k}`)];
          expect(v).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
          expect(v).toBeGreaterThanOrEqual(prev);
          prev = v;
        }
      }
    for (const m of tiny.recipes) expect(r.series![metricKey(m, 'reward')].length).toBe(tiny.updates);
  });
  it('is deterministic', async () => {
    expect((await runSeed(tiny, 7)).metrics).toEqual(r.metrics);
  }, 120_000);
  it('rejects an unknown recipe', async () => {
    await expect(runSeed({ ...tiny, recipes: ['nope' as never] }, 1)).rejects.toThrow(/unknown recipe/);
  });
});
