import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../helpers';
import { Rng } from '../../src/core/rng';
import {
  clipCovSelect,
  klCovSelect,
  runEntropyGruSeed,
  tokenCovariance,
  type EntropyGruConfig,
} from '../../src/testbeds/rlvr/entropy-gru';
import { runGruRlSeed } from '../../src/testbeds/rlvr/gru-rl';

describe('rlvr entropy mechanism on the GRU: Clip-Cov / KL-Cov', () => {
  it('tokenCovariance is the centred product and its mean is the population covariance', () => {
    const a = [1, -1, 2, 0, -2];
    const l = [-0.1, -2, -0.5, -1, -3];
    const c = tokenCovariance(a, l);
    const ma = 0,
      ml = (-0.1 - 2 - 0.5 - 1 - 3) / 5;
    for (let i = 0; i < 5; i++) expect(c[i]).toBeCloseTo((a[i] - ma) * (l[i] - ml), 12);
    const covPop = a.reduce((s, x, i) => s + (x - ma) * (l[i] - ml), 0) / 5;
    expect(c.reduce((s, x) => s + x, 0) / 5).toBeCloseTo(covPop, 12);
    // invariance: shifting all advantages or all log-probabilities leaves it unchanged
    const c2 = tokenCovariance(
      a.map((x) => x + 3),
      l.map((x) => x - 7),
    );
    for (let i = 0; i < 5; i++) expect(c2[i]).toBeCloseTo(c[i], 12);
    expect(() => tokenCovariance([1, 2], [1])).toThrow(/2 advantages but 1 log-probabilities/);
  });

  it('clipCovSelect picks max(1, ⌊r·n⌋) distinct tokens inside the band, never excluded ones', () => {
    const cov = [0.5, 1.5, 2, 6, 3, 4.9, 1, 5, 2.5, -3];
    const inBand = new Set([1, 2, 4, 5, 8]);
    const excluded = cov.map((_, i) => i === 4);
    for (let s = 0; s < 20; s++) {
      const sel = clipCovSelect(cov, excluded, 0.3, 1, 5, new Rng(s));
      expect(sel.length).toBe(3);
      expect(new Set(sel).size).toBe(3);
      for (const q of sel) {
        expect(inBand.has(q)).toBe(true);
        expect(q).not.toBe(4);
      }
    }
    // floor: a tiny ratio still selects one token; no candidate → none
    expect(clipCovSelect(cov, null, 1e-6, 1, 5, new Rng(1)).length).toBe(1);
    expect(clipCovSelect([0, 0.5], null, 0.5, 1, 5, new Rng(1)).length).toBe(0);
    // uniform: over many draws every candidate is chosen
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) for (const q of clipCovSelect(cov, excluded, 0.1, 1, 5, new Rng(s))) seen.add(q);
    expect([...seen].sort()).toEqual([1, 2, 5, 8]);
  });

  it('klCovSelect returns the top max(1, ⌊k·n⌋) covariances', () => {
    const cov = [0.5, 9, 2, 6, 3, 4.9, 1, 5, 2.5, -3];
    expect(klCovSelect(cov, 0.3).sort()).toEqual([1, 3, 7]);
    expect(klCovSelect(cov, 1e-4)).toEqual([1]);
    expect(klCovSelect([], 0.5)).toEqual([]);
  });

  // A small base model in a temporary cache (the default model's cache key is computed from dist/, so
  // tests never touch data/models/).
  useTempModelsDir('rlmini-rlvr-entropy-gru-');
  const tiny: EntropyGruConfig = {
    base: { hidden: 16, digits: [1], steps: 300, batch: 32, lr: 1e-2, seed: 1 },
    method: 'grpo',
    digits: [1],
    nTrain: 12,
    nHeldOut: 8,
    steps: 4,
    batchPrompts: 4,
    groupSize: 4,
    lr: 2e-3,
    advantage: { kind: 'grpo' },
    aggregation: 'seq-mean-token-mean',
    epochs: 2,
    clip: 0.2,
    evalEvery: 2,
    passKs: [1, 16, 256],
    clipCov: { ratio: 2e-4, lb: 1, ub: 5 },
    klCov: { ratio: 2e-3, beta: 1 },
  };

  it("method 'grpo' is exactly trainGruRl (same problems, samples, updates and evaluations)", () => {
    const a = runEntropyGruSeed(tiny, 7);
    const { method: _m, clipCov: _c, klCov: _k, ...rl } = tiny;
    const b = runGruRlSeed(rl, 7);
    for (const key of ['step', 'train:pass@1', 'train:pass@256', 'heldout:pass@16', 'entropy', 'reward'])
      expect(a.series![key]).toEqual(b.series![key]);
    expect(a.series!.touched.every((x) => x === 0)).toBe(true);
    // the model did move (otherwise the equality above would be vacuous)
    expect(a.series!['train:pass@1'][2]).not.toBe(a.series!['train:pass@1'][0]);
  });

  it('Clip-Cov detaching every token leaves the model unchanged; KL-Cov changes GRPO and needs epochs ≥ 2', () => {
    const frozen = runEntropyGruSeed(
      { ...tiny, method: 'clip-cov', clipCov: { ratio: 1, lb: -1e9, ub: 1e9 }, epochs: 1 },
      3,
    );
    const p = frozen.series!['train:pass@1'];
    for (const v of p) expect(v).toBe(p[0]);
    const g = runEntropyGruSeed(tiny, 3);
    const k = runEntropyGruSeed({ ...tiny, method: 'kl-cov', klCov: { ratio: 0.5, beta: 1 } }, 3);
    expect(k.series!.touched[0]).toBeGreaterThan(0);
    expect(k.series!['train:pass@1'][2]).not.toBe(g.series!['train:pass@1'][2]);
    // first update's samples are identical (same stream), so the entropy before any update agrees
    expect(k.series!.entropy[0]).toBe(g.series!.entropy[0]);
    expect(() => runEntropyGruSeed({ ...tiny, method: 'kl-cov', epochs: 1 }, 1)).toThrow(/epochs ≥ 2/);
  });
});
