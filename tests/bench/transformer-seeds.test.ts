/**
 * The `transformer-seeds` bench workload (src/bench/workloads/transformer-seeds.ts): its steps/hour arithmetic; the
 * kit's two seeds on two worker threads compute exactly what each seed computes alone, inline (the throughput run
 * measures the same GRPO steps as a single-seed run); and, where the interpreter has PyTorch, the reference's
 * throughput mode runs its steps in concurrent processes, rank 0 repeating a lone process's losses. Small sizes
 * (one block, 4 sequences of 4 + 4 tokens): seconds. The kit side uses the compiled task under dist/, as the pool does.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeBundle } from '../../src/bench/bundle';
import { probePython } from '../../src/bench/python';
import {
  bestRow,
  comparisonMinutes,
  cpuBoundStepsPerHour,
  referenceSeeds,
  seedEstimate,
  stepsPerHour,
  windowThroughput,
  type SeedsSizes,
  type ThroughputConfig,
} from '../../src/bench/workloads/transformer-seeds';
import { transformerSpec, writeTransformerBundle } from '../../src/bench/workloads/transformer';
import type { RunResult } from '../../src/core/records';
import type { BenchRow } from '../../src/bench/types';
import { CLI, ROOT } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { kitSeeds } = require(path.join(ROOT, 'dist', 'bench', 'workloads', 'transformer-seeds.js')) as {
  kitSeeds: (base: Omit<ThroughputConfig, 'barrier'>, workers?: number, seeds?: number[]) => Promise<RunResult[]>;
};

const py = probePython();
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeBundle));
const tiny: SeedsSizes = { layers: 1, prompts: 2, group: 2, promptLen: 4, responseLen: 4 };

describe('transformer-seeds arithmetic', () => {
  it('steps and seeds per hour from timings; concurrent windows count over their union', () => {
    expect(stepsPerHour(6, 3600)).toBeCloseTo(6000, 9);
    // issue 15's comparison: 5 seeds × 4 methods = 20 whole seeds; at 40 seeds/h half an hour
    expect(comparisonMinutes(40)).toBeCloseTo(30, 12);
    expect(comparisonMinutes(20)).toBeCloseTo(60, 12);
    // two seeds of 6 steps, the second window starting 100 ms late and ending 200 ms late: 12 steps in 1.2 s
    const t = windowThroughput([
      { startEpochMs: 1000, endEpochMs: 2000, steps: 6 },
      { startEpochMs: 1100, endEpochMs: 2200, steps: 6 },
    ]);
    expect(t.steps).toBe(12);
    expect(t.spanMs).toBe(1200);
    expect(t.stepsHour).toBeCloseTo(36_000, 6);
    expect(cpuBoundStepsPerHour(500)).toBeCloseTo(14_400, 9); // 2 cores × 3600 s ÷ 0.5 s
    expect(cpuBoundStepsPerHour(500, 1)).toBeCloseTo(7_200, 9);
    expect(() => windowThroughput([])).toThrow(/no windows/);
    expect(() => windowThroughput([{ startEpochMs: 5, endEpochMs: 5, steps: 1 }])).toThrow(/span 0 ms/);
  });

  it('a seed end to end: the start beyond the warm-up steps, plus 600 steady steps; seeds side by side', () => {
    // two seeds launched at 0, ready at 2000 and 2200 ms after 4 warm-up steps, timed 1000…2600 / 1100…2700 for 8
    // steps: span 1700 ms, steady 212.5 ms per step per seed; start = mean(2000, 2200) − 4 × 212.5 = 1250 ms
    const runs = [
      { launchEpochMs: 0, readyEpochMs: 2000, startEpochMs: 1000, endEpochMs: 2600, steps: 8 },
      { launchEpochMs: 0, readyEpochMs: 2200, startEpochMs: 1100, endEpochMs: 2700, steps: 8 },
    ];
    const e = seedEstimate(runs, 4);
    expect(e.steadyMs).toBeCloseTo(212.5, 9);
    expect(e.startMs).toBeCloseTo(1250, 9);
    expect(e.seedMs).toBeCloseTo(1250 + 600 * 212.5, 6);
    expect(e.seedsHour).toBeCloseTo((2 * 3.6e6) / (1250 + 600 * 212.5), 9);
    // one seed alone (one process with 2 threads): one seed per seed time
    const one = seedEstimate([runs[0]], 0, 300);
    expect(one.steadyMs).toBeCloseTo(200, 9);
    expect(one.seedsHour).toBeCloseTo(3.6e6 / (2000 + 300 * 200), 9);
    // with no start cost and 600 updates, seeds/h = steady steps/h ÷ 600 (the old measure's arithmetic)
    const flat = [{ launchEpochMs: 0, readyEpochMs: 400, startEpochMs: 400, endEpochMs: 1400, steps: 5 }];
    expect(seedEstimate(flat, 2).seedsHour).toBeCloseTo(windowThroughput(flat).stepsHour / 600, 9);
    expect(() => seedEstimate([], 1)).toThrow(/no runs/);
    expect(() => seedEstimate(runs, -1)).toThrow(/warmup/);
  });

  it('the better reference is the one with the most seeds per hour; failed rows do not count', () => {
    expect(bestRow([{ seedsHour: 9 }, { seedsHour: NaN }, { seedsHour: 12 }])).toEqual({ seedsHour: 12 });
    expect(bestRow([{ seedsHour: NaN }])).toBeNull();
  });
});

describe('transformer-seeds kit side', () => {
  it('two seeds on two worker threads return what each seed returns alone, inline', async () => {
    const base = { specSeed: 5, sizes: tiny, gemm: 'mul-add' as const, warmup: 1, steps: 2 };
    const two = await kitSeeds(base, 2, [0, 1]);
    const alone = [...(await kitSeeds(base, 1, [0])), ...(await kitSeeds(base, 1, [1]))];
    expect(two.map((r) => r.metrics)).toEqual(alone.map((r) => r.metrics));
    expect(two.map((r) => r.series)).toEqual(alone.map((r) => r.series));
    expect(two[0].series!.loss).toHaveLength(3); // warm-up + timed steps
    // the candidate kernel computes the same steps bit for bit
    const next = await kitSeeds({ ...base, kernel: 'next' }, 2, [0, 1]);
    expect(next.map((r) => r.series)).toEqual(two.map((r) => r.series));
    expect(next[0].extra?.backend).toMatch(/candidate kernel/);
    expect(two[0].metrics.paramSum).not.toBe(two[1].metrics.paramSum); // the seeds sample different tokens
    for (const r of two) {
      expect(r.timings!.endEpochMs).toBeGreaterThan(r.timings!.startEpochMs);
      // launched, warmed up, then timed: in this order on the epoch clock
      expect(r.timings!.readyEpochMs).toBeGreaterThan(r.timings!.launchEpochMs);
      expect(r.timings!.startEpochMs).toBeGreaterThanOrEqual(r.timings!.readyEpochMs);
      expect(r.timings!.cpuEndUs).toBeGreaterThanOrEqual(r.timings!.cpuStartUs);
    }
  });
});

describe('transformer-seeds through the CLI', () => {
  it('--seed-steps reaches the workload: each kit row times that many steps per seed after 4 warm-up steps', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-seeds-'));
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, 'bench', '--only', 'transformer-seeds', '--no-reference', '--seed-steps', '2'],
        { encoding: 'utf8', timeout: 300_000, env: { ...process.env, RLMINI_REPORTS_DIR: dir } },
      );
      expect(r.status, r.stderr).toBe(0);
      const rows = JSON.parse(fs.readFileSync(path.join(dir, 'bench.json'), 'utf8')).rows as BenchRow[];
      const kit = rows.filter((x) => x.side === 'kit');
      expect(kit.map((x) => x.id)).toEqual(
        expect.arrayContaining(['transformer-seeds/kit-2w', 'transformer-seeds/2x64/kit-2w']),
      );
      for (const x of kit) {
        expect(x.detail).toMatch(/\(4 timed steps in [0-9.]+ s after 4 warm-up steps per seed\)/); // 2 seeds × 2 steps
        expect(x.throughput?.unit).toBe('seeds/h');
        expect(x.ms).toBeGreaterThan(0);
        // the detail's comparison minutes are the row's seeds/h turned into 20 whole seeds
        const seedsHour = Number(/^([0-9.]+) seeds\/h/.exec(x.detail ?? '')![1]);
        const minutes = Number(/comparison: ([0-9.]+) min/.exec(x.detail ?? '')![1]);
        expect(minutes).toBeCloseTo(comparisonMinutes(seedsHour), 0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.skipIf(!py?.torch)('transformer-seeds PyTorch side', () => {
  it('concurrent processes time their steps; rank 0 repeats a lone process, rank 1 samples others', async () => {
    const dir = writeTransformerBundle(transformerSpec(5, { ...tiny, reps: 1 }));
    dirs.push(dir);
    const [pair, lone] = await Promise.all([
      referenceSeeds(py!, dir, 2, 1, 1, 2),
      referenceSeeds(py!, dir, 1, 1, 1, 2),
    ]);
    expect(pair.map((o) => o.rank)).toEqual([0, 1]);
    for (const o of pair) {
      expect(o.steps).toBe(2);
      expect(o.stepMs).toHaveLength(2);
      expect(o.losses).toHaveLength(3);
      expect(o.endEpochMs).toBeGreaterThan(o.startEpochMs);
      expect(o.readyEpochMs).toBeGreaterThan(o.launchEpochMs);
      expect(o.startEpochMs).toBeGreaterThanOrEqual(o.readyEpochMs);
      expect(o.blas).toBeTruthy();
    }
    expect(pair[0].losses).toEqual(lone[0].losses);
    expect(pair[1].losses).not.toEqual(pair[0].losses);
    expect(windowThroughput(pair).steps).toBe(4);
  });
});
