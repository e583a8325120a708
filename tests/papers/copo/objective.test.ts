/**
 * COPO's objective (trainer/objectives/copo.ts; official code core_algos.py): the answer entropy and the global reward
 * at their analytic values, the global advantage standardised over prompts, the blend weights of every `global_flg`
 * variant, the token weights handed to the policy equal the gradient of the blended clipped loss (central differences,
 * off-policy with clipped tokens), 'no-global' gives GRPO's weights bit for bit and 'only-global' −c·A^glob on-policy,
 * attached batch statistics replace the batch's own, and bad specs fail with a message naming the field.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { ANSWER, EOS } from '../../../src/testbeds/reasoning/tasks/vocab';
import { advantages } from '../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../src/testbeds/reasoning/trainer/clipping';
import {
  COPO_DEFAULTS,
  COPO_RECIPES,
  attachCopoGroupStats,
  copoAnswerEntropy,
  copoAnswerKey,
  copoBatchAnswerKeys,
  copoBlendWeight,
  copoGlobalReward,
  copoGroupStats,
  copoParams,
  copoResponseParts,
  copoStandardise,
  copoTokenGrads,
  type CopoBlend,
} from '../../../src/testbeds/reasoning/trainer/objectives/copo';
import type { ObjectiveSpec, PassContext } from '../../../src/testbeds/reasoning/trainer/objective';
import { RECIPES, type Recipe } from '../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../testbeds/reasoning/free-logp';

/**
 * B groups of G responses, prompt of 2 tokens, completions of L = 5 tokens: `> d d $` with the answer digits `answers`
 * (a string per response; '' writes no answer marker), rewards as given, log-probabilities drawn from `rng`.
 */
function batch(rewards: number[], answers: string[], B: number, G: number, rng: Rng): Rollouts {
  const P = 2,
    L = 5,
    T = P + L,
    N = B * G;
  const seq = new Int32Array(N * T);
  const lengths = new Int32Array(N);
  const oldLogp = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    const toks = answers[i] === '' ? [3, 4, EOS] : [ANSWER, ...Array.from(answers[i], Number), EOS];
    seq.set([1, 2], i * T);
    seq.set(toks, i * T + P);
    lengths[i] = toks.length;
    for (let t = 0; t < toks.length; t++) oldLogp[i * L + t] = -0.2 - rng.uniform();
  }
  return { B, G, P, L, seq, lengths, oldLogp, rewards: Float64Array.from(rewards) };
}

describe('answer entropy, global reward and global advantage', () => {
  it('entropy in bits of the answer distribution', () => {
    expect(copoAnswerEntropy(['7', '7', '7', '7'])).toBe(0);
    expect(copoAnswerEntropy(['1', '2', '3', '4', '5', '6', '7', '8'])).toBeCloseTo(3, 12);
    expect(copoAnswerEntropy(['1', '1', '2', '2'])).toBeCloseTo(1, 12);
    expect(copoAnswerEntropy(['1', '1', '1', '2'])).toBeCloseTo(-(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)), 12);
    expect(() => copoAnswerEntropy([])).toThrow(/no answers/);
  });
  it('answer keys: the tokens after the answer marker; no marker is one answer', () => {
    expect(copoAnswerKey([1, 2, ANSWER, 4, 6, EOS])).toBe('4,6');
    expect(copoAnswerKey([1, 2, 3, EOS])).toBe('');
    const b = batch([0, 0, 0], ['46', '', '46'], 1, 3, new Rng(1));
    expect(copoBatchAnswerKeys(b)).toEqual(['4,6', '', '4,6']);
  });
  it('global reward: the accuracy; with the coefficient, 1/G of it when all G answers differ', () => {
    // λ·log2 G = 1 − 1/G
    expect(copoGlobalReward(0.5, 2.3, 8, false)).toBe(0.5);
    expect(copoGlobalReward(0.5, 3, 8, true)).toBeCloseTo(0.5 / 8, 12);
    expect(copoGlobalReward(1, 0, 8, true)).toBe(1);
  });
  it('standardised over prompts with the unbiased std (+1e-6); one prompt gives 0', () => {
    const z = copoStandardise([0, 0.5, 1]);
    expect(z[0]).toBeCloseTo(-1 / (1 + 2e-6), 5);
    expect(z[1]).toBe(0);
    expect(z[2]).toBeCloseTo(1, 5);
    expect(Array.from(copoStandardise([0.3]))).toEqual([0]);
    expect(Array.from(copoStandardise([0.25, 0.25]))).toEqual([0, 0]);
  });
  it('group statistics of a batch', () => {
    const s = copoGroupStats([1, 1, 0, 0, 0, 0], ['5', '5', '6', '6', '6', '6'], 2, 3, false);
    expect(Array.from(s.globalReward)).toEqual([2 / 3, 0]);
    expect(s.answerEntropy[1]).toBe(0);
    expect(s.globalAdvantage[0]).toBeGreaterThan(0);
    expect(s.globalAdvantage[0] + s.globalAdvantage[1]).toBeCloseTo(0, 12);
  });
});

describe('blend weights (the code’s global_flg)', () => {
  const p = (blend: CopoBlend) => ({ ...COPO_DEFAULTS, blend });
  const soft = (H: number) => 1 / (1 + Math.exp(-5 * (H - 1)));
  it('soft-with-zero (COPO): σ(k(H − b)) on correct answers, 0 (global loss only) on wrong ones', () => {
    expect(copoBlendWeight(p('soft-with-zero'), 2, 1, 0.7)).toBeCloseTo(soft(2), 14);
    expect(copoBlendWeight(p('soft-with-zero'), 1, 1, 0)).toBeCloseTo(0.5, 14);
    expect(copoBlendWeight(p('soft-with-zero'), 2, 0, -0.7)).toBe(0);
  });
  it('the other variants', () => {
    expect(copoBlendWeight(p('soft-with-forced'), 2, 0, -0.7)).toBeCloseTo(soft(2), 14);
    expect(copoBlendWeight(p('soft-with-forced'), 2, 1, 0)).toBe(0);
    expect(copoBlendWeight(p('only-forced'), 0.1, 0, -0.7)).toBe(1);
    expect(copoBlendWeight(p('only-forced'), 3, 1, 0)).toBe(0);
    expect(copoBlendWeight(p('only-soft'), 0, 0, 0)).toBeCloseTo(soft(0), 14);
    expect(copoBlendWeight(p('only-global'), 3, 1, 1)).toBe(0);
    expect(copoBlendWeight(p('no-global'), 0, 0, 0)).toBe(1);
  });
});

describe('token weights', () => {
  // Two mixed groups and two uniform ones (all wrong with scattered answers, all correct with one answer).
  const rewards = [1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1];
  const answers = ['12', '13', '14', '57', '57', '51', '31', '32', '', '88', '88', '88'];
  const B = 4,
    G = 3,
    L = 5;
  const recipe: Recipe = COPO_RECIPES.copo;
  const ctxFor = (r: Rollouts, logp: Float32Array, spec: ObjectiveSpec, rec: Recipe = recipe): PassContext => {
    const N = r.B * r.G;
    const kept = Array.from({ length: N }, (_, i) => i);
    const wts = tokenWeights(rec.aggregation, Array.from(r.lengths), r.L);
    return {
      spec,
      recipe: rec,
      batch: r,
      pass: 0,
      logp,
      refLogp: null,
      adv: advantages(rec.advantage, r.rewards, r.B, r.G),
      kept,
      coef: wts,
    };
  };
  /** The blended clipped loss Σ_i Σ_t c_it [(1 − w_i) ℓ(ρ, A^glob) + w_i ℓ(ρ, A^loc)] at log-probabilities `logp`. */
  const loss = (r: Rollouts, logp: ArrayLike<number>, spec: ObjectiveSpec): number => {
    const p = copoParams(spec);
    const local = advantages(recipe.advantage, r.rewards, r.B, r.G);
    const { global, weight } = copoResponseParts(r, local, p);
    const wts = tokenWeights(recipe.aggregation, Array.from(r.lengths), r.L);
    let s = 0;
    for (let i = 0; i < r.B * r.G; i++)
      for (let t = 0; t < r.lengths[i]; t++) {
        const rho = Math.exp(logp[i * L + t] - r.oldLogp[i * L + t]);
        s +=
          wts[i][t] *
          ((1 - weight[i]) * surrogateLoss(recipe.clipping, global[i], rho) +
            weight[i] * surrogateLoss(recipe.clipping, local[i], rho));
      }
    return s;
  };
  it.each(['soft-with-zero', 'only-forced', 'soft-with-forced'] as CopoBlend[])(
    '%s: the weights are the central-difference gradient of the blended clipped loss (off-policy, some tokens clipped)',
    (blend) => {
      const rng = new Rng(7);
      const r = batch(rewards, answers, B, G, rng);
      r.offPolicy = true;
      const spec = { kind: 'copo', ...COPO_DEFAULTS, blend };
      const logp = new Float64Array(r.oldLogp.length);
      for (let j = 0; j < logp.length; j++) logp[j] = r.oldLogp[j] + 0.5 * (rng.uniform() - 0.5); // ρ ∈ [0.78, 1.28]
      const w = new Float32Array(logp.length);
      const cut = new Uint8Array(logp.length);
      copoTokenGrads(ctxFor(r, Float32Array.from(logp), spec), w, cut);
      let cuts = 0,
        checked = 0;
      const h = 1e-6;
      for (let i = 0; i < B * G; i++)
        for (let t = 0; t < r.lengths[i]; t++) {
          const j = i * L + t;
          const rho = Math.exp(Math.fround(logp[j]) - r.oldLogp[j]);
          if (Math.abs(rho - 0.8) < 1e-3 || Math.abs(rho - 1.2) < 1e-3) continue; // at a kink
          const up = Float64Array.from(logp, (x) => Math.fround(x));
          const dn = Float64Array.from(up);
          up[j] += h;
          dn[j] -= h;
          const fd = (loss(r, up, spec) - loss(r, dn, spec)) / (2 * h);
          expect(w[j]).toBeCloseTo(fd, 5);
          cuts += cut[j];
          checked++;
        }
      expect(checked).toBeGreaterThan(30);
      expect(cuts).toBeGreaterThan(0);
    },
  );
  it('no-global gives the GRPO recipe’s weights bit for bit (on- and off-policy)', () => {
    for (const off of [false, true]) {
      const rng = new Rng(3);
      const r = batch(rewards, answers, B, G, rng);
      r.offPolicy = off;
      const theta = Float32Array.from(r.oldLogp, (x) => x + 0.4 * (rng.uniform() - 0.5));
      const a = new FreeLogp(theta),
        b = new FreeLogp(theta);
      policyUpdate(a, { ...recipe, objective: { kind: 'copo', ...COPO_DEFAULTS, blend: 'no-global' } }, r, null);
      policyUpdate(b, { ...RECIPES.grpo, kl: { kind: 'none' } }, r, null);
      expect(Array.from(a.w!)).toEqual(Array.from(b.w!));
    }
  });
  it('only-global on-policy: −c·A^glob on every token, the same for all responses of a prompt', () => {
    const r = batch(rewards, answers, B, G, new Rng(4));
    const pol = new FreeLogp(Float32Array.from(r.oldLogp));
    policyUpdate(pol, { ...recipe, objective: { kind: 'copo', ...COPO_DEFAULTS, blend: 'only-global' } }, r, null);
    const Ag = copoGroupStats(rewards, copoBatchAnswerKeys(r), B, G, false).globalAdvantage;
    const wts = tokenWeights(recipe.aggregation, Array.from(r.lengths), L);
    for (let i = 0; i < B * G; i++)
      for (let t = 0; t < r.lengths[i]; t++)
        expect(pol.w![i * L + t]).toBeCloseTo(-wts[i][t] * Ag[Math.floor(i / G)], 6);
    // the all-wrong and all-correct groups (GRPO's advantage 0) still get a gradient
    expect(Math.abs(pol.w![6 * L])).toBeGreaterThan(0);
    expect(Math.abs(pol.w![9 * L])).toBeGreaterThan(0);
  });
  it('attached statistics replace the batch’s own (a mini-batch keeps the whole batch’s standardisation)', () => {
    const r = batch(rewards.slice(0, 6), answers.slice(0, 6), 2, G, new Rng(5));
    const spec = { kind: 'copo', ...COPO_DEFAULTS, blend: 'only-global' as CopoBlend };
    const own = new Float32Array(2 * G * L);
    copoTokenGrads(ctxFor(r, Float32Array.from(r.oldLogp), spec), own, new Uint8Array(own.length));
    attachCopoGroupStats(r, { answerEntropy: Float64Array.from([1, 1]), globalAdvantage: Float64Array.from([2, -1]) });
    const att = new Float32Array(2 * G * L);
    copoTokenGrads(ctxFor(r, Float32Array.from(r.oldLogp), spec), att, new Uint8Array(att.length));
    expect(Array.from(att)).not.toEqual(Array.from(own));
    const wts = tokenWeights(recipe.aggregation, Array.from(r.lengths), L);
    expect(att[0]).toBeCloseTo(-2 * wts[0][0], 6);
    expect(att[3 * L]).toBeCloseTo(1 * wts[3][0], 6);
    expect(() =>
      attachCopoGroupStats(r, { answerEntropy: Float64Array.from([1]), globalAdvantage: Float64Array.from([1]) }),
    ).toThrow(/1 groups' statistics for 2 groups/);
  });
});

describe('bad specs', () => {
  it('fail with a message naming the field', () => {
    expect(() => copoParams({ kind: 'copo', blend: 'soft' })).toThrow(/objective.blend must be one of/);
    expect(() => copoParams({ kind: 'copo', k: 0 })).toThrow(/objective.k must be > 0/);
    expect(() => copoParams({ kind: 'copo', b: 'one' })).toThrow(/objective.b must be a finite number/);
    expect(() => copoParams({ kind: 'copo', consistencyCoef: 1 })).toThrow(/consistencyCoef must be a boolean/);
    expect(copoParams({ kind: 'copo' })).toEqual(COPO_DEFAULTS);
  });
  it('a sequence-level ratio is refused', () => {
    const r = batch([1, 0, 0], ['1', '2', '3'], 1, 3, new Rng(1));
    expect(() =>
      policyUpdate(
        new FreeLogp(Float32Array.from(r.oldLogp)),
        { ...COPO_RECIPES.copo, importance: 'sequence' },
        r,
        null,
      ),
    ).toThrow(/importance must be 'token'/);
  });
});
