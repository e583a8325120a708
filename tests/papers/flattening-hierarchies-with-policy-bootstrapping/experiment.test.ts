import { describe, expect, it } from 'vitest';
import {
  binLabel,
  DEFAULTS,
  makeEvalMaze,
  methodNames,
  runSeed,
  type Config,
} from '../../../src/papers/flattening-hierarchies-with-policy-bootstrapping/experiment';
import { expectWellFormed } from '../run-result';

const tiny: Config = {
  ...DEFAULTS,
  maze: { ...DEFAULTS.maze, rooms: 5 },
  episodes: 6,
  horizon: 80,
  steps: 300,
  batch: 32,
  rank: 8,
  kSweep: [5],
  bins: [
    [2, 6],
    [6, 40],
  ],
  pairsPerBin: 6,
};

describe('the SAW maze miniature', () => {
  it('evaluation pairs lie in their distance bins and are the same for every run', () => {
    const mz = makeEvalMaze(DEFAULTS);
    expect(mz.pairs.length).toBe(DEFAULTS.bins.length);
    mz.pairs.forEach((pairs, b) => {
      expect(pairs.length).toBe(DEFAULTS.pairsPerBin);
      for (const [s, g] of pairs) {
        const d = mz.dist[s * mz.nS + g];
        expect(d).toBeGreaterThanOrEqual(DEFAULTS.bins[b][0]);
        expect(d).toBeLessThan(DEFAULTS.bins[b][1]);
      }
    });
    expect(makeEvalMaze(DEFAULTS).pairs).toEqual(mz.pairs);
    expect(() => makeEvalMaze({ ...DEFAULTS, bins: [[500, 600]] })).toThrow(/holds only/);
  });

  it('a run of a tiny configuration is well formed, records every method, and is deterministic', () => {
    const r = runSeed(tiny, 3);
    expectWellFormed(r);
    for (const m of methodNames(tiny))
      for (const b of tiny.bins) {
        const x = r.metrics[`${m}/success@${binLabel(b)}`];
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1 + 1e-12);
      }
    // The derivation's special case holds exactly on learned values too.
    expect(r.metrics['identity/klOnlyVsHiql']).toBeLessThan(1e-9);
    expect(r.metrics['saw/klShare']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['saw/klShare']).toBeLessThanOrEqual(1);
    // noAWR at the hierarchy's k and β = α_h is HIQL's policy: same success.
    expect(r.metrics['saw-noAWR/successFar']).toBeCloseTo(r.metrics['hiql/successFar'], 9);
    expect(r.metrics['data/transitions']).toBe(tiny.episodes * tiny.horizon);
    expect(runSeed(tiny, 3)).toEqual(r);
  });
});
