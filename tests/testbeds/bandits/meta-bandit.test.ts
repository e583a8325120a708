import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  encodeInput,
  greedyArms,
  sampleTrialMeans,
  type MetaBanditSpec,
} from '../../../src/testbeds/bandits/env/meta-bandit';
import { a2cLoss, discountedReturns } from '../../../src/testbeds/bandits/methods/a2c';
import { GruPolicy } from '../../../src/testbeds/bandits/policies/gru-policy';
import { bruteForceBayesValue, solveBayesBernoulli } from '../../../src/testbeds/bandits/solvers/bayes-bernoulli';
import {
  bayesAgent,
  entropyAt,
  evaluateMetaAgent,
  myopicAgent,
  randomAgent,
} from '../../../src/testbeds/bandits/loops/meta-train';

/** The A2C loss of fixed inputs/actions/returns through the policy, and its analytic gradient. */
function lossAndGrad(pol: GruPolicy, xs: Float64Array[], actions: Int32Array, G: Float64Array, B: number) {
  const L = xs.length;
  pol.begin(B, L);
  for (const x of xs) pol.step(x);
  const r = a2cLoss(pol.probs, pol.values, actions, G, pol.shape.actions, { valueCoef: 0.7, entropyCoef: 0.3 });
  pol.zeroGrad();
  pol.backward(r.dLogits, r.dValues);
  return { loss: r.loss, grad: Float64Array.from(pol.grad) };
}

describe('GruPolicy backpropagation through time', () => {
  for (const memory of [true, false])
    it(`matches central finite differences of the A2C loss (memory: ${memory})`, () => {
      const rng = new Rng(3);
      const I = 4,
        H = 5,
        K = 3,
        B = 2,
        L = 4;
      const pol = new GruPolicy({ input: I, hidden: H, actions: K, memory }, rng.split('init'));
      for (let i = 0; i < pol.params.length; i++) pol.params[i] = rng.range(-0.8, 0.8); // away from the small init
      const xs = Array.from({ length: L }, () => Float64Array.from({ length: B * I }, () => rng.range(-1, 1)));
      const actions = Int32Array.from({ length: L * B }, () => rng.int(K));
      const G = Float64Array.from({ length: L * B }, () => rng.range(-1, 2));
      // the advantage uses V as a constant: freeze the values of the base point in the returns' role by
      // differentiating only the parameters, as the loss is defined (A = G − V with V detached is what a2cLoss
      // differentiates through its explicit dValues term); finite differences therefore use the same detachment
      const base = lossAndGrad(pol, xs, actions, G, B);
      pol.begin(B, L);
      for (const x of xs) pol.step(x);
      const V0 = Float64Array.from(pol.values);
      const detachedLoss = () => {
        pol.begin(B, L);
        for (const x of xs) pol.step(x);
        // loss with the advantage's V held at V0 and the value term live
        const N = L * B;
        let loss = 0;
        for (let i = 0; i < N; i++) {
          const adv = G[i] - V0[i];
          let Hs = 0;
          for (let k = 0; k < K; k++) Hs -= pol.probs[i * K + k] * Math.log(pol.probs[i * K + k]);
          loss += (-adv * Math.log(pol.probs[i * K + actions[i]]) + 0.35 * (pol.values[i] - G[i]) ** 2 - 0.3 * Hs) / N;
        }
        return loss;
      };
      expect(detachedLoss()).toBeCloseTo(base.loss, 12);
      const eps = 1e-6;
      let checked = 0,
        maxRel = 0;
      for (let i = 0; i < pol.params.length; i++) {
        const keep = pol.params[i];
        pol.params[i] = keep + eps;
        const up = detachedLoss();
        pol.params[i] = keep - eps;
        const down = detachedLoss();
        pol.params[i] = keep;
        const fd = (up - down) / (2 * eps);
        const an = base.grad[i];
        if (Math.abs(fd) < 1e-9 && Math.abs(an) < 1e-9) continue;
        maxRel = Math.max(maxRel, Math.abs(fd - an) / Math.max(1e-6, Math.abs(fd) + Math.abs(an)));
        checked++;
      }
      expect(checked).toBeGreaterThan(memory ? 150 : 60);
      expect(maxRel).toBeLessThan(1e-4); // float64 central differences at ε = 1e-6
      if (!memory) {
        const lay = pol.layout; // without memory W_h never touches the output
        for (let i = lay.Wh; i < lay.bh; i++) expect(base.grad[i]).toBe(0);
      }
    });

  it('without memory, a step depends on its own input only', () => {
    const pol = new GruPolicy({ input: 3, hidden: 4, actions: 2, memory: false }, new Rng(1));
    const x1 = Float64Array.from([1, 0, 0.5]),
      x2 = Float64Array.from([0, 1, 0]);
    pol.begin(1, 2);
    pol.step(x1);
    pol.step(x2);
    const after = Array.from(pol.probs.subarray(2, 4));
    pol.begin(1, 1);
    pol.step(x2);
    expect(Array.from(pol.probs.subarray(0, 2))).toEqual(after);
    const mem = new GruPolicy({ input: 3, hidden: 4, actions: 2, memory: true }, new Rng(1));
    mem.begin(1, 2);
    mem.step(x1);
    mem.step(x2);
    const withHistory = Array.from(mem.probs.subarray(2, 4));
    mem.begin(1, 1);
    mem.step(x2);
    expect(Array.from(mem.probs.subarray(0, 2))).not.toEqual(withHistory);
  });
});

describe('A2C returns and entropy schedule', () => {
  it('discounts within the trial or within the episode', () => {
    // L = 4, B = 1, rewards 1, 0, 1, 1
    const r = Float64Array.from([1, 0, 1, 1]);
    expect(Array.from(discountedReturns(r, 4, 1, 0.5))).toEqual([1 + 0 + 0.25 + 0.125, 0.5 + 0.25, 1.5, 1]);
    expect(Array.from(discountedReturns(r, 4, 1, 0.5, 2))).toEqual([1, 0, 1.5, 1]);
    expect(Array.from(discountedReturns(r, 4, 1, 0))).toEqual([1, 0, 1, 1]);
    // B = 2 interleaved step-major
    const r2 = Float64Array.from([1, 0, 0, 1]);
    expect(Array.from(discountedReturns(r2, 2, 2, 1))).toEqual([1, 1, 0, 1]);
  });

  it('anneals β linearly to exactly 0', () => {
    const cfg = {
      hidden: 4,
      memory: true,
      gamma: 1,
      credit: 'trial' as const,
      updates: 100,
      batch: 1,
      lr: 1e-3,
      entropyStart: 0.2,
      entropyAnnealFrac: 0.5,
      valueCoef: 0.5,
      maxGradNorm: 0,
    };
    expect(entropyAt(cfg, 0)).toBe(0.2);
    expect(entropyAt(cfg, 25)).toBeCloseTo(0.1, 12);
    expect(entropyAt(cfg, 50)).toBe(0);
    expect(entropyAt(cfg, 99)).toBe(0);
  });
});

describe('Bayes-optimal Bernoulli bandit by dynamic programming', () => {
  it('agrees with expectimax over raw histories', () => {
    for (const [K, Hmax] of [
      [2, 6],
      [3, 4],
    ])
      for (let H = 0; H <= Hmax; H++)
        for (const [a, b, g] of [
          [1, 1, 1],
          [0.5, 2, 0.9],
          [2, 1, 0.5],
        ]) {
          const dp = solveBayesBernoulli({ arms: K, horizon: H, alpha: a, beta: b, gamma: g }).value;
          expect(dp).toBeCloseTo(bruteForceBayesValue(K, H, a, b, g), 12);
        }
  });

  it('has the hand-computed values: H = 1 is the prior mean, H = 2 with two uniform arms is 13/12', () => {
    expect(solveBayesBernoulli({ arms: 2, horizon: 1 }).value).toBeCloseTo(0.5, 14);
    expect(solveBayesBernoulli({ arms: 2, horizon: 2 }).value).toBeCloseTo(13 / 12, 14);
    // stay on a success, switch after a failure
    const s = solveBayesBernoulli({ arms: 2, horizon: 2 });
    expect(s.action([1, 0, 0, 0])).toBe(0);
    expect(s.action([0, 1, 0, 0])).toBe(1);
  });

  it('values more than the myopic policy on a long horizon and plans to explore; its value is its mean reward', () => {
    const H = 20;
    const sol = solveBayesBernoulli({ arms: 2, horizon: H });
    // a one-pull-each history, success then failure: the myopic arm is 0 (2/3 vs 1/3) for both horizons here,
    // but after (s,f) = (1,1) on arm 0 and nothing on arm 1 the long horizon tries the unknown arm
    expect(sol.action([1, 1, 0, 0])).toBe(1);
    const spec: MetaBanditSpec = { arms: 2, episodes: 1, pulls: H, structure: true, alpha: 1, beta: 1 };
    const ev = evaluateMetaAgent(spec, bayesAgent(sol, 'trial'), 20000, 500, new Rng(5), new Rng(6));
    const my = evaluateMetaAgent(spec, myopicAgent(2, 1, 1), 20000, 500, new Rng(5), new Rng(6));
    // Monte-Carlo mean reward of 20000 trials: SE ≤ √(H²/4/20000) ≈ 0.07
    expect(Math.abs(ev.reward - sol.value)).toBeLessThan(0.25);
    expect(ev.reward).toBeGreaterThan(my.reward);
  });

  it('rejects tables that would not fit', () => {
    expect(() => solveBayesBernoulli({ arms: 3, horizon: 40 })).toThrow(/exceeds/);
  });
});

describe('meta-bandit environment and evaluation', () => {
  const spec: MetaBanditSpec = { arms: 3, episodes: 4, pulls: 5, structure: true, alpha: 2, beta: 1 };

  it('repeats the means across episodes only with structure; means follow Beta(α, β)', () => {
    const rng = new Rng(11);
    let sum = 0,
      n = 0,
      differ = 0;
    for (let i = 0; i < 4000; i++) {
      const m = sampleTrialMeans(spec, rng);
      for (let e = 1; e < 4; e++) for (let k = 0; k < 3; k++) expect(m[e * 3 + k]).toBe(m[k]);
      const u = sampleTrialMeans({ ...spec, structure: false }, rng);
      if (u[3] !== u[0]) differ++;
      for (const v of m.subarray(0, 3)) ((sum += v), n++);
    }
    expect(differ).toBe(4000);
    // Beta(2, 1): mean 2/3, sd √(2/36)/√12000 ≈ 0.0022
    expect(Math.abs(sum / n - 2 / 3)).toBeLessThan(0.01);
  });

  it('encodes previous arm, reward and the episode start', () => {
    const out = new Float64Array(5);
    encodeInput(spec, 0, 2, 1, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 1]);
    encodeInput(spec, 3, 2, 1, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0]);
    encodeInput(spec, 5, 1, 0, out, 0);
    expect(Array.from(out)).toEqual([0, 1, 0, 0, 1]);
    const g = new Uint8Array(3);
    greedyArms([1, 0, 0, 0, 1, 1], 0, 3, 1, 1, g);
    expect(Array.from(g)).toEqual([1, 0, 0]);
    greedyArms([0, 0, 0, 0, 0, 0], 0, 3, 1, 1, g);
    expect(Array.from(g)).toEqual([1, 1, 1]);
  });

  it('random arms have regret E[max − mean] and the myopic agent never explores', () => {
    const s2: MetaBanditSpec = { arms: 2, episodes: 2, pulls: 10, structure: true, alpha: 1, beta: 1 };
    const r = evaluateMetaAgent(s2, randomAgent(2), 4000, 250, new Rng(1), new Rng(2));
    // two uniform means: E[max − (μ1 + μ2)/2] = E|μ1 − μ2| / 2 = 1/6
    for (const v of r.regret) expect(Math.abs(v - 1 / 6)).toBeLessThan(0.01);
    const m = evaluateMetaAgent(s2, myopicAgent(2, 1, 1), 500, 250, new Rng(1), new Rng(2));
    expect(m.explore).toEqual([0, 0]);
    // the same trials whatever the batch split
    const a = evaluateMetaAgent(s2, myopicAgent(2, 1, 1), 300, 300, new Rng(1), new Rng(2));
    const b = evaluateMetaAgent(s2, myopicAgent(2, 1, 1), 300, 70, new Rng(1), new Rng(2));
    expect(b.cover1).toBe(a.cover1);
    expect(b.reward).toBe(a.reward);
    for (let e = 0; e < 2; e++) expect(b.regret[e]).toBeCloseTo(a.regret[e], 12);
  });
});
