import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { DEFAULTS, runSeed, standardiseGroupRewards } from '../../../src/papers/rover/learning';
import * as ds from '../../../src/testbeds/rlvr/env/digit-sequences';
import * as sp from '../../../src/testbeds/rlvr/loops/sequence-policy';

describe('rover: matched advantage scaling and per-method step sizes', () => {
  const task = ds.digitTask(6, 4, 3);
  const cfg: sp.SequenceTrainConfig = { steps: 1, groupSize: 8, epochs: 1, lr: 0.7, clip: 0.2, rho: 1, criticLr: 0.1 };
  const prompts = Int32Array.from([0, 1, 2, 3, 4, 5]);

  it('standardised groups have mean 0 and unbiased std 1 (all-equal groups become 0)', () => {
    const b = { G: 4, rewards: Float64Array.from([1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1]) };
    const s = standardiseGroupRewards(b).rewards;
    for (let g = 0; g < 3; g++) {
      const x = Array.from(s.slice(4 * g, 4 * g + 4));
      const m = x.reduce((a, c) => a + c, 0) / 4;
      expect(m).toBeCloseTo(0, 12);
      const v = x.reduce((a, c) => a + (c - m) ** 2, 0) / 3;
      if (g === 1) expect(v).toBe(0);
      else expect(v).toBeCloseTo(1, 5);
    }
    expect(b.rewards[0]).toBe(1); // the input is not modified
  });

  it('on standardised rewards, one epoch of REINFORCE and of ROVER is the GRPO step (ratio 1, no clip)', () => {
    const rng = new Rng(11);
    const z0 = rng.normals(task.nPrompts * ds.statesPerPrompt(task) * task.V, 0, 1);
    const raw = sp.sampleSeqBatch(rng.split('b'), task, z0, prompts, 8);
    expect(Array.from(raw.rewards).some((r) => r > 0)).toBe(true);
    const std = standardiseGroupRewards(raw);
    const step = (m: sp.SequenceMethod, b: sp.SeqBatch) => {
      const z = Float64Array.from(z0);
      sp.updateOnBatch(task, z, Float64Array.from(z0), b, m, cfg);
      return z;
    };
    const grpo = step('grpo', raw);
    const reinforce = step('reinforce', std);
    const rover = step('rover', std);
    const plain = step('reinforce', raw);
    let moved = 0;
    let differs = 0;
    let err = 0;
    for (let i = 0; i < z0.length; i++) {
      err = Math.max(err, Math.abs(reinforce[i] - grpo[i]), Math.abs(rover[i] - grpo[i]));
      moved = Math.max(moved, Math.abs(grpo[i] - z0[i]));
      differs = Math.max(differs, Math.abs(plain[i] - grpo[i]));
    }
    expect(err).toBeLessThan(1e-10);
    expect(moved).toBeGreaterThan(1e-3);
    expect(differs).toBeGreaterThan(1e-3); // without standardisation the scales differ
  });

  it("lrs sets each method's step: a method with step 0 stays at the prior, the others match runs with that lr", () => {
    const c = { ...DEFAULTS, nPrompts: 6, steps: 3, evalEvery: 3, evalSamples: 8, passKs: [1], L: 4, maxBanned: 3 };
    const a = runSeed({ ...c, methods: ['rover', 'grpo'], lrs: [0, 0.5] }, 5);
    const b = runSeed({ ...c, methods: ['rover', 'grpo'], lr: 0.5 }, 5);
    expect(a.metrics['rover/exactPass1']).toBeCloseTo(a.metrics['base/exactPass1'], 12);
    expect(a.metrics['grpo/exactPass1']).toBe(b.metrics['grpo/exactPass1']);
    expect(b.metrics['rover/exactPass1']).not.toBeCloseTo(b.metrics['base/exactPass1'], 6);
    expect(() => runSeed({ ...c, lrs: [1] }, 5)).toThrow(/lrs has 1 entries/);
  });
});
