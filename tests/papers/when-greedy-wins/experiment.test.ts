import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  PARADIGMS,
  REFERENCES,
  TRAINED,
  runSeed,
  type Config,
} from '../../../src/papers/when-greedy-wins/experiment';

const small: Config = {
  ...DEFAULTS,
  arms: 3,
  pulls: 8,
  train: { ...DEFAULTS.train, hidden: 4, updates: 5, batch: 4 },
  evalTrials: 40,
  evalBatch: 16,
};

describe('when-greedy-wins experiment', () => {
  it('is a pure function of the seed; keys follow method/metric; references are what they claim', () => {
    const a = runSeed(small, 3);
    const b = runSeed(small, 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of [...TRAINED, ...REFERENCES])
      for (const h of ['T', '6T']) {
        expect(a.metrics[`${m}/regret${h}`]).toBeGreaterThanOrEqual(0);
        expect(a.metrics[`${m}/greedy${h}`]).toBeLessThanOrEqual(1 + 1e-12);
        expect(a.metrics[`${m}/suffix${h}`]).toBeLessThanOrEqual(1);
      }
    expect(a.metrics['greedy/greedyT']).toBe(1);
    // uniform arms on the same trials: the Rao–Blackwellised regret grows exactly linearly in the horizon
    expect(a.metrics['random/regret6T']).toBeCloseTo(6 * a.metrics['random/regretT'], 10);
    expect(runSeed(small, 4).metrics).not.toEqual(a.metrics);
  });

  it('the variants differ only in their paradigm (equal budgets) and cover SFT and the three RL rewards', () => {
    expect(Object.keys(PARADIGMS).sort()).toEqual([...TRAINED].sort());
    const rewards = TRAINED.map((m) => PARADIGMS[m]).filter((p) => p.kind === 'rl');
    expect(rewards.map((p) => (p.kind === 'rl' ? p.reward : '')).sort()).toEqual([
      'algorithmic',
      'original',
      'strategic',
    ]);
    expect(PARADIGMS['sft-ucb']).toEqual({ kind: 'sft', expert: 'ucb1' });
  });
});
