import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../../helpers';
import { trainGruRl } from '../../../../src/testbeds/rlvr/loops/gru-rl';
import {
  runGruPgSweepSeed,
  trainGruPg,
  type GruPgConfig,
  type GruPgMethod,
} from '../../../../src/testbeds/rlvr/loops/gru-pg';

// A tiny base model pre-trained in a temporary directory (never the committed data/models).
const TINY = { hidden: 8, digits: [1, 2], steps: 150, batch: 32, lr: 3e-3, seed: 0 };
useTempModelsDir();

const C: GruPgConfig = {
  base: TINY,
  digits: [1],
  nTrain: 24,
  nHeldOut: 8,
  steps: 4,
  batchPrompts: 4,
  groupSize: 4,
  lr: 3e-3,
  aggregation: 'seq-mean-token-mean',
  evalEvery: 2,
  passKs: [1],
};
const REINFORCE: GruPgMethod = { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' };

function run(c: GruPgConfig, m: GruPgMethod, seed = 7) {
  const p: number[] = [];
  const curves = trainGruPg(c, m, seed, (_s, pt) => p.push(...Array.from(pt)));
  return { p, curves };
}

describe('rlvr GRU policy-gradient loop with staleness (trainGruPg)', () => {
  it('on-policy with one pass is exactly trainGruRl (same streams, same update)', () => {
    const mine = run(C, { advantage: { kind: 'grpo' }, importanceWeight: true, clip: 'ppo' });
    const ref: number[] = [];
    const rc = trainGruRl({ ...C, advantage: { kind: 'grpo' } }, 7, (s) => ref.push(...Array.from(s.pTrain)));
    expect(mine.p).toEqual(ref);
    expect(mine.curves.reward).toEqual(rc.reward);
    expect(mine.curves.klBehaviour.every((x) => x === 0)).toBe(true);
  });

  it('on-policy, the k2 (OPMD) term and the IS weight vanish; the AsymRE shift does not', () => {
    const a = run(C, REINFORCE);
    expect(run(C, { ...REINFORCE, k2Coef: 0.5, importanceWeight: true }).p).toEqual(a.p);
    expect(run(C, { ...REINFORCE, asymShift: 0.5 }).p).not.toEqual(a.p);
  });

  it('with staleness k, update t samples from the policy of t−1−k updates ago', () => {
    // Staleness beyond the horizon: every batch comes from the base model, so the sampled rewards do
    // not depend on the update rule.
    const far = { ...REINFORCE, staleness: 10 };
    const r1 = run(C, far).curves.reward;
    const r2 = run(C, { ...far, advantage: { kind: 'grpo' }, asymShift: 0.3 }).curves.reward;
    expect(r1).toEqual(r2);
    const on = run(C, REINFORCE).curves;
    expect(r1[0]).toBe(on.reward[0]); // the first batch is on-policy either way
    // k = 1: the first update is on-policy (KL 0), later ones are one update behind (KL > 0).
    const k1 = run({ ...C, lr: 1e-2 }, { ...REINFORCE, staleness: 1 }).curves;
    expect(k1.klBehaviour[0]).toBeCloseTo(0, 6);
    expect(k1.klBehaviour[2]).toBeGreaterThan(1e-6);
  });

  it('the PPO clip cuts gradients only off-policy, and a sweep records every method', () => {
    const off = run(
      { ...C, lr: 3e-2, steps: 6 },
      { ...REINFORCE, importanceWeight: true, clip: 'ppo', clipLow: 0.01, clipHigh: 0.01, staleness: 3 },
    ).curves;
    expect(off.clippedFraction[0]).toBe(0);
    expect(Math.max(...off.clippedFraction)).toBeGreaterThan(0);
    // REINFORCE on-policy and OPMD at k = 2 (the recipes of papers/grpo-off-policy/gru.ts `methodsAt(2)`).
    const r = runGruPgSweepSeed(
      { ...C, steps: 2, methods: { a: REINFORCE, b: { ...REINFORCE, k2Coef: 0.1, staleness: 2 } } },
      3,
    );
    expect(r.series!['a/gradNorm']).toHaveLength(2);
    expect(r.metrics['b/train:pass@1']).toBeGreaterThan(0);
    expect(r.series!['a/step']).toEqual([0, 2]);
  });
});
