/**
 * The trainer's objective slot (objective.ts): an objective that re-implements the clipped surrogate hands the policy
 * exactly the weights of the plain recipe (a fixed point of the slot), its advantage replaces the recipe's (a negated
 * advantage negates the surrogate's weights), the recipe's KL term is still added on top, the filters still apply,
 * and an unregistered or empty objective fails with a message naming what to import.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { clippedSurrogateGrad } from '../../../../src/testbeds/rlvr/methods/ppo-clip';
import { isClipped } from '../../../../src/testbeds/reasoning/trainer/clipping';
import { registerObjective } from '../../../../src/testbeds/reasoning/trainer/objective';
import { RECIPES, type Recipe } from '../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../free-logp';

const B = 2,
  G = 3,
  L = 4,
  N = B * G;
const lengths = Int32Array.from([4, 2, 3, 1, 4, 2]);
const rewards = Float64Array.from([1, 0, 1, 1, 1, 1]);
const rng = new Rng(5);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L),
  refLogp = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.4, 0.4);
    refLogp[i * L + t] = oldLogp[i * L + t] + rng.range(-0.2, 0.2);
  }
const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards, offPolicy: true };

registerObjective('test-surrogate', {
  source: 'the clipped surrogate, re-implemented (test)',
  tokenGrads(ctx, w, cut) {
    for (const i of ctx.kept)
      for (let k = 0; k < ctx.batch.lengths[i]; k++) {
        const j = i * ctx.batch.L + k;
        const ratio = Math.exp(ctx.logp[j] - ctx.batch.oldLogp[j]);
        const c = isClipped(ctx.recipe.clipping, ctx.adv[i], ratio);
        w[j] = clippedSurrogateGrad(ctx.coef[i]![k], ctx.adv[i], ratio, c, ratio, 1);
        cut[j] = c ? 1 : 0;
      }
  },
});
registerObjective('test-negated', {
  source: 'the recipe advantage, negated (test)',
  advantages: (ctx) => ctx.base.map((a) => -a),
});

registerObjective('test-ones', {
  source: 'w = 1 on every kept token, clip flag on the first (test)',
  tokenGrads(ctx, w, cut) {
    for (const i of ctx.kept) {
      cut[i * ctx.batch.L] = 1;
      for (let k = 0; k < ctx.batch.lengths[i]; k++) w[i * ctx.batch.L + k] = 1;
    }
  },
});

function weights(recipe: Recipe): { w: Float32Array; clip: number } {
  const p = new FreeLogp(theta);
  const s = policyUpdate(p, recipe, batch, refLogp);
  return { w: p.w!, clip: s.clipFraction };
}

describe('objective slot', () => {
  const grpo: Recipe = { ...RECIPES.grpo, clipping: { kind: 'symmetric', eps: 0.1 } };

  it('an objective re-implementing the clipped surrogate gives the plain recipe its exact weights and clips', () => {
    // Without a KL term the weights are the surrogate's alone and match bit for bit (with one, the slot's float32
    // buffer rounds before the KL is added).
    const noKl: Recipe = { ...grpo, kl: { kind: 'none' } };
    const plain = weights(noKl);
    const viaSlot = weights({ ...noKl, objective: { kind: 'test-surrogate' } });
    expect(plain.clip).toBeGreaterThan(0); // the test exercises clipped tokens
    expect(Array.from(viaSlot.w)).toEqual(Array.from(plain.w));
    expect(viaSlot.clip).toBe(plain.clip);
  });

  it("an objective's advantage replaces the recipe's; the KL term is still added on top", () => {
    const noKl: Recipe = { ...grpo, clipping: { kind: 'none' }, kl: { kind: 'none' } };
    const a = weights(noKl).w,
      b = weights({ ...noKl, objective: { kind: 'test-negated' } }).w;
    let nonzero = 0;
    for (let j = 0; j < N * L; j++) {
      expect(b[j]).toBeCloseTo(-a[j], 6);
      if (a[j] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(5);
    // With the recipe's KL in the loss: w(slot) − w(plain) is the surrogate's change alone, so the KL part cancels.
    const klA = weights({ ...noKl, kl: grpo.kl }).w,
      klB = weights({ ...noKl, kl: grpo.kl, objective: { kind: 'test-negated' } }).w;
    for (let j = 0; j < N * L; j++) expect(klB[j] - klA[j]).toBeCloseTo(b[j] - a[j], 5);
  });

  it("an objective's token weights are what the policy receives, its clip flags what the stats count", () => {
    const p = new FreeLogp(theta);
    const s = policyUpdate(p, { ...grpo, kl: { kind: 'none' }, objective: { kind: 'test-ones' } }, batch, null);
    for (let i = 0; i < N; i++) for (let k = 0; k < L; k++) expect(p.w![i * L + k]).toBe(k < lengths[i] ? 1 : 0);
    const tokens = lengths.reduce((a, b) => a + b, 0);
    expect(s.clipFraction).toBeCloseTo(N / tokens, 12);
  });

  it('the filters still apply under an objective', () => {
    const w = weights({ ...grpo, filters: ['uniform-groups'], objective: { kind: 'test-surrogate' } }).w;
    // Group 2 (responses 3..5) is all-correct: removed.
    for (let j = 3 * L; j < N * L; j++) expect(w[j]).toBe(0);
  });

  it('an unregistered objective names the module to import; an empty one is refused', () => {
    expect(() => weights({ ...grpo, objective: { kind: 'nope' } })).toThrow(/objectives\/nope.*registered: /);
    expect(() => registerObjective('empty', { source: 'nothing' })).toThrow(/neither advantages nor tokenGrads/);
    expect(() => registerObjective('test-negated', { source: 'another', advantages: (c) => c.base })).toThrow(
      /registered twice/,
    );
  });
});
