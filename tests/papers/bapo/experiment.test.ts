/**
 * bapo's transformer experiment (src/papers/bapo/experiment.ts) on a tiny configuration: the run list (GRPO on-policy,
 * every method at each stale k), the record has the keys and series the notebook reads with one entry per update, the
 * held-out counts give the recorded pass@k, BAPO's bounds stay in their ranges and GRPO's at (0.8, 1.2), the stale
 * methods see the same first k + 1 batches (same rewards), a rerun is bit-identical, and bad configs fail by name.
 */
import { describe, expect, it } from 'vitest';
import { metricKey } from '../../../src/core/metric-keys';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import {
  DEFAULTS,
  METHODS,
  coefficientOfVariation,
  maxOverMedian,
  runSeed,
  runsOf,
  spikeFraction,
  type Config,
} from '../../../src/papers/bapo/experiment';

const K = 2;
const tiny: Config = {
  ...DEFAULTS,
  staleness: [K],
  updates: 4,
  batchPrompts: 3,
  groupSize: 4,
  evalProblems: 3,
  evalSamples: 8,
  passKs: [1, 8],
};

describe('bapo experiment: helpers', () => {
  it('spikeFraction counts norms above factor × the running median (causal)', () => {
    // running medians (lower of the two middles): 1, 1, 1, 1, 2 → spikes at 5 (> 3·1) only
    expect(spikeFraction([1, 1, 1, 5, 2], 3)).toBeCloseTo(1 / 5, 14);
    expect(spikeFraction([1, 2, 4, 8], 10)).toBe(0);
    expect(spikeFraction([2, 2, 2], 0.5)).toBe(1);
    expect(Number.isNaN(spikeFraction([], 2))).toBe(true);
  });
  it('coefficientOfVariation and maxOverMedian are scale free', () => {
    expect(coefficientOfVariation([1, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3) / 2, 14);
    expect(coefficientOfVariation([2, 4, 6])).toBeCloseTo(coefficientOfVariation([1, 2, 3]), 14);
    expect(maxOverMedian([1, 2, 3, 10])).toBeCloseTo(10 / 3, 14);
  });
  it('runsOf: GRPO on-policy, then each method at each stale k', () => {
    expect(runsOf([4, 16]).map((r) => r.name)).toEqual([
      'GRPO@k=0',
      'GRPO@k=4',
      'Clip-Higher@k=4',
      'BAPO@k=4',
      'BAPO-rho0.5@k=4',
      'GRPO@k=16',
      'Clip-Higher@k=16',
      'BAPO@k=16',
      'BAPO-rho0.5@k=16',
    ]);
    expect(Object.keys(METHODS)).toEqual(['GRPO', 'Clip-Higher', 'BAPO', 'BAPO-rho0.5']);
    expect(METHODS['BAPO-rho0.5'].objective).toMatchObject({ adaptive: true, target: 0.5, highMax: 3 });
  });
});

describe('bapo experiment: a tiny run', () => {
  const r = runSeed(tiny, 7);
  const names = runsOf([K]).map((x) => x.name);
  it('records every metric and per-update series the notebook reads', () => {
    for (const name of names) {
      for (const k of [
        'L3:pass@1',
        'meanReward',
        'lateReward',
        'meanEntropy',
        'lateEntropy',
        'negShareLoss',
        'negShareGrad',
        'clippedFraction',
        'cLow',
        'cHigh',
        'metFraction',
        'gradNormCv',
      ])
        expect(r.metrics[metricKey(name, k)], `${name}/${k}`).toBeTypeOf('number');
      for (const s of ['reward', 'gradNorm', 'entropy', 'negShareLoss', 'cLow', 'cHigh', 'clipFraction'])
        expect(r.series![metricKey(name, s)], `${name}/${s}`).toHaveLength(tiny.updates);
      expect(r.metrics[metricKey(name, 'meanEntropy')]).toBeGreaterThan(0);
    }
    expect(r.metrics[metricKey('base', 'L3:pass@1')]).toBeTypeOf('number');
  });
  it('the held-out counts give the recorded pass@k', () => {
    for (const name of ['base', ...names]) {
      const counts = r.series![metricKey(name, 'L3:counts')];
      expect(counts).toHaveLength(tiny.evalProblems);
      for (const k of tiny.passKs)
        expect(r.metrics[metricKey(name, `L3:pass@${k}`)]).toBeCloseTo(
          passAtKFromCounts(counts, tiny.evalSamples, k),
          14,
        );
    }
  });
  it("bounds: GRPO's fixed (0.8, 1.2), Clip-Higher's (0.8, 1.28), BAPO's inside [0.6, 0.9] × [1.2, 3.0]", () => {
    expect(r.series![metricKey(`GRPO@k=${K}`, 'cLow')].every((x) => x === 0.8)).toBe(true);
    expect(r.series![metricKey(`GRPO@k=${K}`, 'cHigh')].every((x) => x === 1.2)).toBe(true);
    expect(r.series![metricKey(`Clip-Higher@k=${K}`, 'cHigh')].every((x) => x === 1.28)).toBe(true);
    for (const x of r.series![metricKey(`BAPO@k=${K}`, 'cLow')])
      expect(x >= 0.6 - 1e-12 && x <= 0.9 + 1e-12).toBe(true);
    const hi = r.series![metricKey(`BAPO@k=${K}`, 'cHigh')];
    for (const x of hi) expect(x >= 1.2 - 1e-12 && x <= 3 + 1e-12).toBe(true);
  });
  it('stale runs share their first k + 1 batches (base-model samples); on-policy GRPO has no behaviour KL', () => {
    const first = (name: string) => r.series![metricKey(name, 'reward')].slice(0, K + 1);
    expect(first(`Clip-Higher@k=${K}`)).toEqual(first(`GRPO@k=${K}`));
    expect(first(`BAPO@k=${K}`)).toEqual(first(`GRPO@k=${K}`));
    expect(first(`BAPO-rho0.5@k=${K}`)).toEqual(first(`GRPO@k=${K}`));
    expect(first('GRPO@k=0')[0]).toBe(first(`GRPO@k=${K}`)[0]);
    expect(Number.isNaN(r.metrics[metricKey('GRPO@k=0', 'meanKlBehaviour')])).toBe(true);
  });
  it('a rerun is bit-identical', () => {
    const again = runSeed({ ...tiny, runs: [`BAPO@k=${K}`] }, 7);
    for (const k of ['L3:pass@1', 'meanEntropy', 'negShareLoss', 'cHigh'])
      expect(again.metrics[metricKey(`BAPO@k=${K}`, k)]).toBe(r.metrics[metricKey(`BAPO@k=${K}`, k)]);
  });
  it('bad configs fail, naming the field', () => {
    expect(() => runSeed({ ...tiny, staleness: [0] }, 1)).toThrow(/config.staleness/);
    expect(() => runSeed({ ...tiny, runs: ['PPO@k=2'] }, 1)).toThrow(/unknown run "PPO@k=2".*config.runs/);
  });
});
