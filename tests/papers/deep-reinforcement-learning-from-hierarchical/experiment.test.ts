import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  goldNormaliser,
  makeWorld,
  plan,
  runSeed,
  signalWeights,
  signalsOf,
} from '../../../src/papers/deep-reinforcement-learning-from-hierarchical/experiment';
import { sampleSegments, segmentFeatureSums, uniformBehaviour } from '../../../src/testbeds/tabular/env/preferences';

const small = { ...DEFAULTS, rounds: 3, rollouts: 10, pairs: 15, alphaGrid: [2] };

describe('HERON experiment: one seed', () => {
  it('is a pure function of the seed, with method/metric keys and one curve point per round', () => {
    const a = runSeed(small, 5);
    expect(runSeed(small, 5)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    expect(a.series?.['heron/curve']).toHaveLength(small.rounds + 1);
    expect(a.series?.['gold-pref/curve']).toHaveLength(small.rounds + 1);
    for (let k = 0; k < small.weightings.length; k++)
      expect(a.metrics[`linear-${k}/final`]).toBeLessThanOrEqual(1 + 1e-9);
    expect(a.metrics['heron/labels']).toBeLessThanOrEqual(small.rounds * small.pairs);
    expect(a.metrics['heron/steps']).toBeLessThanOrEqual(small.rounds * small.rollouts * small.horizon);
  });

  it("HERON's run is identical under every rescaling of a signal (end to end), linear weightings are not", () => {
    const a = runSeed(small, 1);
    for (let j = 0; j < small.rescales.length; j++) expect(a.metrics[`heron/rs${j}`]).toBe(a.metrics['heron/final']);
    expect(a.metrics['heron/drop']).toBe(0);
  });

  it('normalises the uniform policy to 0 and the gold-optimal policy to 1; signals and weights agree', () => {
    const { world, start } = makeWorld(DEFAULTS, new Rng(9));
    const { norm } = goldNormaliser(world, DEFAULTS.gold);
    expect(norm(new Float64Array(world.nS * world.nA).fill(0.25))).toBeCloseTo(0, 12);
    expect(norm(plan(world, signalWeights(DEFAULTS.gold)))).toBeCloseTo(1, 8);
    // Σ_t w·φ over an episode equals gold · z(episode), at any scaling of the signals.
    const segs = sampleSegments(world, new Rng(2), {
      n: 20,
      L: 30,
      behaviour: uniformBehaviour(4),
      starts: Int32Array.of(start),
    });
    const phi = segmentFeatureSums(world, segs);
    const s = [2, 0.5, 3];
    const w = signalWeights(DEFAULTS.gold, s);
    const z = signalsOf(phi, world.nF, s);
    for (let i = 0; i < segs.n; i++) {
      let lhs = 0;
      for (let f = 0; f < world.nF; f++) lhs += w[f] * phi[i * world.nF + f];
      const rhs = DEFAULTS.gold[0] * z[i * 3] + DEFAULTS.gold[1] * z[i * 3 + 1] + DEFAULTS.gold[2] * z[i * 3 + 2];
      expect(lhs).toBeCloseTo(rhs, 10);
    }
  });
});
