/**
 * ADORA's objective (trainer/objectives/adora.ts; official compute_grpo_outcome_advantage_ADORA): the length-advantage
 * classification at analytic cases (ties, no correct answer, truncated wrong answers left out), the advantages equal
 * GRPO's times the group weight, λ = 1 gives GRPO's token weights bit for bit, the token weights handed to the policy
 * equal the central-difference gradient of the reweighted clipped loss (off-policy, some tokens clipped), and bad
 * specs fail with a message naming the parameter.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { EOS } from '../../../src/testbeds/reasoning/tasks/vocab';
import { advantages } from '../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../src/testbeds/reasoning/trainer/clipping';
import { objectiveFor } from '../../../src/testbeds/reasoning/trainer/objective';
import {
  ADORA_GRPO_BASE,
  adoraAdvantages,
  adoraClassify,
  adoraRecipe,
  adoraWeights,
  checkAdoraSpec,
} from '../../../src/testbeds/reasoning/trainer/objectives/adora';
import { policyUpdate, truncatedResponses, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../testbeds/reasoning/free-logp';

/**
 * B groups of G responses with the given rewards and lengths, prompt of 2 tokens, budget L = 8: a response of length
 * ℓ ends with the stop token unless `cut` marks it (it then runs to the budget without one: ℓ must be L).
 */
function batch(rewards: number[], lengths: number[], B: number, G: number, rng: Rng, cut: number[] = []): Rollouts {
  const P = 2,
    L = 8,
    T = P + L,
    N = B * G;
  const seq = new Int32Array(N * T);
  const oldLogp = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    seq.set([1, 2], i * T);
    for (let t = 0; t < lengths[i]; t++) seq[i * T + P + t] = 3 + (t % 5);
    if (!cut.includes(i)) seq[i * T + P + lengths[i] - 1] = EOS;
    for (let t = 0; t < lengths[i]; t++) oldLogp[i * L + t] = -0.2 - rng.uniform();
  }
  return { B, G, P, L, seq, lengths: Int32Array.from(lengths), oldLogp, rewards: Float64Array.from(rewards) };
}

describe('classification (the length advantage)', () => {
  const cls = (rewards: number[], lengths: number[], truncated: number[] = lengths.map(() => 0)) =>
    adoraClassify(rewards, lengths, truncated, 1, rewards.length)[0];
  it('advantageous iff the longest correct answer is longer than the wrong answers on average', () => {
    expect(cls([1, 0, 0], [10, 8, 9]).advantageous).toBe(true); // 10 > 8.5
    const tie = cls([1, 0, 0], [10, 8, 12]); // 10 > 10 is false: a tie is disadvantageous
    expect(tie.advantageous).toBe(false);
    expect(tie.maxCorrect).toBe(10);
    expect(tie.meanWrong).toBe(10);
    expect(cls([1, 1, 0], [6, 11, 10]).advantageous).toBe(true); // the longest correct one counts
    expect(cls([1, 0, 0, 0], [7, 7, 7, 7]).advantageous).toBe(false); // equal lengths: disadvantageous
  });
  it('edge cases as the LLM code: no correct answer → TDS, every wrong answer truncated → TAS', () => {
    const none = cls([0, 0], [5, 6]);
    expect(none.maxCorrect).toBe(-Infinity);
    expect(none.advantageous).toBe(false);
    const allCut = cls([1, 0, 0], [5, 8, 8], [0, 1, 1]);
    expect(allCut.meanWrong).toBe(-Infinity);
    expect(allCut.advantageous).toBe(true);
    expect(cls([1, 1], [5, 6]).advantageous).toBe(true); // all correct: no wrong answer
  });
  it('truncated wrong answers are left out of the mean; the threshold τ = ½ splits 0/1 rewards', () => {
    // without the cut one: mean (4 + 8)/2 = 6 > 5 → TDS; with it left out: 4 < 5 → TAS
    expect(cls([1, 0, 0], [5, 4, 8]).advantageous).toBe(false);
    expect(cls([1, 0, 0], [5, 4, 8], [0, 0, 1]).advantageous).toBe(true);
    expect(adoraClassify([0.6, 0.4], [5, 9], [0, 0], 1, 2, 0.5)[0].advantageous).toBe(false);
    expect(adoraClassify([0.6, 0.4], [5, 9], [0, 0], 1, 2, 0.3)[0].advantageous).toBe(true);
  });
  it('truncation flags from a batch: no stop token at the budget', () => {
    const r = batch([1, 0, 0], [5, 8, 8], 1, 3, new Rng(1), [2]);
    expect(Array.from(truncatedResponses(r))).toEqual([0, 0, 1]);
  });
  it('checks shapes', () => {
    expect(() => adoraClassify([1, 0], [3], [0, 0], 1, 2)).toThrow(/2 rewards, 1 lengths and 2 truncation flags/);
  });
});

describe('advantages', () => {
  const rewards = [1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1];
  const lengths = [8, 5, 6, 7, 6, 7, 7, 7, 4, 6, 6, 6];
  const B = 3,
    G = 4;
  it('GRPO’s advantage times λ on disadvantageous groups, unchanged on advantageous ones', () => {
    const groups = adoraClassify(rewards, lengths, new Uint8Array(12), B, G);
    expect(groups.map((q) => q.advantageous)).toEqual([true, false, true]);
    expect(Array.from(adoraWeights(groups, 0.1))).toEqual([1, 0.1, 1]);
    const grpo = advantages('grpo', rewards, B, G);
    const a = adoraAdvantages(grpo, rewards, lengths, new Uint8Array(12), B, G, 0.1);
    for (let i = 0; i < 12; i++) expect(a[i]).toBe(grpo[i] * [1, 0.1, 1][Math.floor(i / G)]);
    // the third group's advantages are not zero (one short wrong answer among three correct ones) and unchanged
    for (let i = 8; i < 12; i++) expect(a[i]).not.toBe(0);
    const one = adoraAdvantages(grpo, rewards, lengths, new Uint8Array(12), B, G, 1);
    expect(Array.from(one)).toEqual(Array.from(grpo));
  });
  it('through the trainer: λ = 1 gives GRPO’s token weights bit for bit; λ scales the disadvantageous group’s', () => {
    const rng = new Rng(3);
    const r = batch(rewards, lengths, B, G, rng);
    const run = (recipe: typeof ADORA_GRPO_BASE) => {
      const p = new FreeLogp(Float32Array.from(r.oldLogp));
      policyUpdate(p, recipe, r, null);
      return p.w!;
    };
    const grpo = run(ADORA_GRPO_BASE);
    expect(Array.from(run(adoraRecipe(1)))).toEqual(Array.from(grpo));
    const w = run(adoraRecipe(0.25));
    const L = r.L;
    for (let i = 0; i < B * G; i++)
      for (let t = 0; t < L; t++) {
        const j = i * L + t;
        if (Math.floor(i / G) === 1) expect(w[j]).toBeCloseTo(0.25 * grpo[j], 7);
        else expect(w[j]).toBe(grpo[j]);
      }
    expect(grpo.some((x, j) => x !== 0 && Math.floor(j / L / G) === 1)).toBe(true);
  });
  it('the token weights are the central-difference gradient of the reweighted clipped loss (off-policy)', () => {
    const rng = new Rng(11);
    const r = batch(rewards, lengths, B, G, rng);
    r.offPolicy = true;
    const recipe = adoraRecipe(0.1);
    const L = r.L;
    const logp = new Float64Array(r.oldLogp.length);
    for (let j = 0; j < logp.length; j++) logp[j] = r.oldLogp[j] + 0.5 * (rng.uniform() - 0.5); // ρ ∈ [0.78, 1.28]
    const p = new FreeLogp(Float32Array.from(logp));
    policyUpdate(p, recipe, r, null);
    const w = p.w!;
    const adv = adoraAdvantages(advantages('grpo', rewards, B, G), rewards, lengths, truncatedResponses(r), B, G, 0.1);
    const c = tokenWeights(recipe.aggregation, lengths, L);
    const loss = (lp: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < B * G; i++)
        for (let t = 0; t < lengths[i]; t++) {
          const rho = Math.exp(lp[i * L + t] - r.oldLogp[i * L + t]);
          s += c[i][t] * surrogateLoss(recipe.clipping, adv[i], rho);
        }
      return s;
    };
    const h = 1e-6;
    let checked = 0,
      clipped = 0;
    for (let i = 0; i < B * G; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const j = i * L + t;
        const rho = Math.exp(Math.fround(logp[j]) - r.oldLogp[j]);
        if (Math.abs(rho - 0.8) < 1e-3 || Math.abs(rho - 1.2) < 1e-3) continue; // at a kink
        const up = Float64Array.from(logp, (x) => Math.fround(x));
        const dn = Float64Array.from(up);
        up[j] += h;
        dn[j] -= h;
        const fd = (loss(up) - loss(dn)) / (2 * h);
        expect(w[j]).toBeCloseTo(fd, 5);
        if (adv[i] !== 0 && fd === 0) clipped++;
        checked++;
      }
    expect(checked).toBeGreaterThan(40);
    expect(clipped).toBeGreaterThan(0);
  });
});

describe('spec', () => {
  it('is registered and refuses a bad λ, naming it', () => {
    expect(objectiveFor({ kind: 'adora', lamda: 0.1 }, 'x').source).toMatch(/ADORA/);
    expect(checkAdoraSpec({ kind: 'adora', lamda: 0 }).lamda).toBe(0);
    expect(() => checkAdoraSpec({ kind: 'adora' })).toThrow(/lamda .* must be a finite number ≥ 0/);
    expect(() => checkAdoraSpec({ kind: 'adora', lamda: -0.1 })).toThrow(/got -0.1/);
    expect(() => adoraRecipe(Number.NaN)).toThrow(/lamda/);
    expect(adoraRecipe().objective).toEqual({ kind: 'adora', lamda: 0.1 });
    expect(ADORA_GRPO_BASE.aggregation).toBe('token-mean');
  });
});
