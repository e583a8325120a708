import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHODS,
  runSeed,
  type Config,
} from '../../../src/papers/retrieval-augmented-reinforcement-learning/experiment';
import { expectWellFormed } from '../run-result';

describe('runSeed', () => {
  const cfg: Config = { ...DEFAULTS, goals: [0, 24, 12], episodes: 30, retrievalEpisodes: 60 };
  it('is deterministic per seed, well-formed, and every normalised value is at most the optimum (1)', () => {
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    for (const m of [...METHODS, 'retrieved-greedy']) {
      expect(r.metrics[`${m}/norm`]).toBeLessThanOrEqual(1 + 1e-9);
      for (let t = 0; t < cfg.goals.length; t++) expect(r.metrics[`${m}/norm${t}`]).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(r.metrics['r2a/hit']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['r2a/hit']).toBeLessThanOrEqual(1);
  });
  it('outcome keys hit at least as often as state-only keys (an exact match, when one exists, ranks first)', () => {
    const r = runSeed(cfg, 2);
    expect(r.metrics['r2a/hit']).toBeGreaterThanOrEqual(r.metrics['r2a-state-key/hit'] - 1e-12);
  });
});
