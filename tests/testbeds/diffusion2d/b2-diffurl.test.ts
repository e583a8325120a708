/**
 * B²-DiffuRL's parts (methods/b2-diffurl.ts): the interval schedule against the official script's integer formula;
 * branched chains share their prefix state x_k and their recorded log-probabilities equal the Gaussian density
 * recomputed from the stacked rows; the per-prompt history z-scores against a hand computation; the branch
 * selection against brute force; and the round's gradient (one epoch, one minibatch, ratio 1) against central
 * finite differences of −(1/M) Σ_n A_n Σ_{t ≤ k} log p_θ, with no gradient when nothing is selected.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import type { Adam } from '../../../src/nn/adam';
import { discUnionReward2d } from '../../../src/testbeds/diffusion2d/env';
import {
  b2DiffuRlRound,
  backwardInterval,
  chainLogProbs,
  klRegularisedAdvantages,
  PromptScoreHistory,
  sampleBranchedChains,
  selectBranchExtremes,
} from '../../../src/testbeds/diffusion2d/methods';
import { ddpmLogProb, ddpmSchedule, EpsMlp } from '../../../src/testbeds/diffusion2d/models';

const sched = ddpmSchedule({ T: 6, kind: 'cosine' });
const model = () => new EpsMlp({ hidden: [12], frequencies: 2, prompts: 3, T: 6 }, new Rng(5));

describe('diffusion2d B²-DiffuRL', () => {
  it('interval schedule is run_process.sh: kMin + floor(i (kMax − kMin + 1)/S), from kMin up to kMax', () => {
    const S = 100,
      ks = Array.from({ length: S }, (_, i) => backwardInterval(i, S, 14, 20));
    expect(ks[0]).toBe(14);
    expect(ks[S - 1]).toBe(20);
    for (let i = 1; i < S; i++) expect(ks[i] - ks[i - 1]).toBeGreaterThanOrEqual(0);
    expect(ks.filter((k) => k === 14).length).toBe(Math.ceil(100 / 7)); // 15 stages at level 0
    expect(() => backwardInterval(S, S, 14, 20)).toThrow(RangeError);
  });

  it('branches share x_k; recorded log-probs equal the stacked rows’ Gaussian density', () => {
    const m = model();
    const G = 3,
      B = 4,
      k = 4;
    const prompts = Int32Array.from([0, 2, 1]);
    const { chains: s, xk } = sampleBranchedChains(m, sched, prompts, B, k, new Rng(7));
    expect(s.N).toBe(G * B);
    expect(s.T).toBe(k);
    const o = (k - 1) * s.N; // rows of step t = k start here: x_t is the shared state
    for (let g = 0; g < G; g++)
      for (let b = 0; b < B; b++) {
        const n = g * B + b;
        expect(s.xt[2 * (o + n)]).toBe(xk[2 * g]);
        expect(s.xt[2 * (o + n) + 1]).toBe(xk[2 * g + 1]);
        expect(s.prompts[o + n]).toBe(prompts[g]);
      }
    // different branches of one prefix take different actions
    expect(s.xp[2 * o]).not.toBe(s.xp[2 * (o + 1)]);
    const all = Int32Array.from({ length: s.N }, (_, n) => n);
    const lp = chainLogProbs(m, sched, s, all);
    for (let i = 0; i < lp.length; i++) expect(lp[i]).toBeCloseTo(s.logpOld[i], 9);
    // the last rows' x_{t−1} are the returned samples
    for (let i = 0; i < 2 * s.N; i++) expect(s.xp[i]).toBe(s.x0[i]);
    // and one row against ddpmLogProb directly
    const eps = m.predict(s.xt.subarray(0, 2), 1, 1, s.prompts[0]);
    expect(ddpmLogProb(sched, 1, s.xt.subarray(0, 2), s.xp.subarray(0, 2), eps, 1)[0]).toBeCloseTo(s.logpOld[0], 9);
  });

  it('history z-scores: per prompt, pooled over the last H rounds, unbiased std', () => {
    const h = new PromptScoreHistory(1);
    const z1 = h.zScores(Float64Array.from([1, 0, 0, 5]), Int32Array.from([0, 0, 0, 1]));
    // prompt 0: mean 1/3, sd sqrt(((2/3)^2 + 2(1/3)^2)/2) = sqrt(1/3); prompt 1 has one value: sd NaN → z = 0
    expect(z1[0]).toBeCloseTo((1 - 1 / 3) / Math.sqrt(1 / 3), 6);
    expect(z1[3]).toBe(0);
    const z2 = h.zScores(Float64Array.from([1]), Int32Array.from([0]));
    // pooled with round 1's prompt-0 rewards [1, 0, 0]: [1, 0, 0, 1], mean 0.5, sd sqrt(1/3)
    expect(z2[0]).toBeCloseTo(0.5 / Math.sqrt(1 / 3), 6);
    const z3 = h.zScores(Float64Array.from([0, 1]), Int32Array.from([0, 0]));
    // H = 1: only round 2 ([1]) is pooled: [1, 0, 1], mean 2/3, sd sqrt(1/3)
    expect(z3[1]).toBeCloseTo(1 / 3 / Math.sqrt(1 / 3), 6);
  });

  it('selection keeps the argmax past pos and the argmin past neg of each branch group (brute force)', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 50; trial++) {
      const B = 2 + rng.int(4),
        G = 1 + rng.int(5);
      const z = Float64Array.from({ length: G * B }, () => rng.normal() * 1.2);
      const sel = selectBranchExtremes(z, B, 0.5, -0.5);
      const want: number[] = [];
      for (let g = 0; g < G; g++) {
        const grp = Array.from(z.slice(g * B, g * B + B));
        const hi = grp.indexOf(Math.max(...grp)),
          lo = grp.indexOf(Math.min(...grp));
        if (grp[hi] >= 0.5) want.push(g * B + hi);
        if (grp[lo] < -0.5) want.push(g * B + lo);
      }
      expect(Array.from(sel.idx)).toEqual(want);
      expect(Array.from(sel.z)).toEqual(want.map((n) => z[n]));
    }
  });

  it('round gradient (B = 1, one step at ratio 1) matches finite differences of the interval-only loss', () => {
    const m = model();
    const reward = discUnionReward2d([[1e4, 0]], 1e4); // ≈ the half-plane x > 0
    const prompts = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
    const k = 3;
    const rng = new Rng(21);
    let g: Float32Array | Float64Array | null = null;
    const spy = { step: (_p: unknown, grad: Float32Array) => ((g = Float32Array.from(grad)), 0) } as unknown as Adam;
    const o = {
      B: 1,
      k,
      posThreshold: 0.5,
      negThreshold: -0.5,
      advClip: 5,
      epochs: 1,
      minibatches: 1,
      clip: 0.2,
    };
    const st = b2DiffuRlRound(m.clone(), sched, reward, prompts, new PromptScoreHistory(8), o, rng, spy);
    expect(st.kept).toBe(prompts.length);
    const { chains: s } = sampleBranchedChains(m, sched, prompts, 1, k, rng.split('sample'));
    const r = reward.value(s.x0, s.N);
    expect(r.some((v) => v === 1) && r.some((v) => v === 0)).toBe(true);
    const A = klRegularisedAdvantages(r, new Float64Array(s.N), 0).A;
    const rows = Int32Array.from({ length: s.N }, (_, n) => n);
    const loss = () => {
      const lp = chainLogProbs(m, sched, s, rows);
      let L = 0;
      for (let t = 1; t <= k; t++) for (let n = 0; n < s.N; n++) L -= (A[n] * lp[(t - 1) * s.N + n]) / s.N;
      return L;
    };
    const grad = g as unknown as Float32Array;
    const p = m.mlp.params.f;
    const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a]));
    for (const i of order.slice(0, 6)) {
      const h = 1e-2,
        v = p[i];
      p[i] = v + h;
      const lp = loss();
      p[i] = v - h;
      const lm = loss();
      p[i] = v;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(fd - grad[i])).toBeLessThan(0.05 * Math.abs(grad[i]) + 1e-3);
    }
  });

  it('no selected sample (constant reward): no update', () => {
    const m = model();
    const before = Float32Array.from(m.mlp.params.f);
    let steps = 0;
    const spy = { step: () => (steps++, 0) } as unknown as Adam;
    const o = { B: 4, k: 6, posThreshold: 0.5, negThreshold: -0.5, advClip: 5, epochs: 2, minibatches: 2, clip: 0.2 };
    const far = discUnionReward2d([[100, 100]], 0.1);
    const st = b2DiffuRlRound(m, sched, far, Int32Array.from([0, 1]), new PromptScoreHistory(8), o, new Rng(1), spy);
    expect(st.kept).toBe(0);
    expect(steps).toBe(0);
    expect(Array.from(m.mlp.params.f)).toEqual(Array.from(before));
  });
});
