import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { sampleTrialMeans, type MetaBanditSpec } from '../../../src/testbeds/bandits/env/meta-bandit';
import { myopicAgent, randomAgent, type MetaAgent } from '../../../src/testbeds/bandits/loops/meta-train';
import {
  crossEntropyGrad,
  evaluateBehaviour,
  stepRewardOf,
  trainParadigm,
  ucb1ArmFromCounts,
  ucb1MetaAgent,
} from '../../../src/testbeds/bandits/loops/paradigm-train';
import { ucb1 } from '../../../src/testbeds/bandits/methods/ucb1';
import { GruPolicy } from '../../../src/testbeds/bandits/policies/gru-policy';

const spec: MetaBanditSpec = { arms: 3, episodes: 1, pulls: 12, structure: true, alpha: 1, beta: 1 };

describe('paradigm-train', () => {
  it('ucb1ArmFromCounts picks the same arms as the UCB1 learner of methods/ucb1.ts', () => {
    const rng = new Rng(11);
    const K = 4,
      means = [0.2, 0.5, 0.55, 0.8];
    const ref = ucb1(K);
    const counts = new Int32Array(2 * K),
      idx = new Float64Array(K);
    for (let t = 0; t < 200; t++) {
      const a = ref.select(t, rng);
      expect(ucb1ArmFromCounts(counts, 0, K, 1, idx)).toBe(a);
      const r = rng.uniform() < means[a] ? 1 : 0;
      ref.update(a, r);
      counts[2 * a + (r ? 0 : 1)]++;
    }
  });

  it('step rewards: original = observation, strategic = μ_a − μ*, algorithmic = agreement with UCB1', () => {
    const m = [0.1, 0.7, 0.4];
    expect(stepRewardOf('original', 1, m, 0, 2)).toBe(1);
    expect(stepRewardOf('strategic', 1, m, 2, 2)).toBeCloseTo(0.4 - 0.7, 15);
    expect(stepRewardOf('strategic', 0, m, 1, 0)).toBe(0);
    expect(stepRewardOf('algorithmic', 0, m, 2, 2)).toBe(1);
    expect(stepRewardOf('algorithmic', 1, m, 1, 2)).toBe(0);
  });

  it('crossEntropyGrad matches central finite differences through the GRU', () => {
    const rng = new Rng(5);
    const pol = new GruPolicy({ input: 5, hidden: 4, actions: 3, memory: true }, rng);
    const B = 2,
      L = 3;
    const xs = Array.from({ length: L }, () => Float64Array.from({ length: B * 5 }, () => rng.range(-1, 1)));
    const acts = Int32Array.from([0, 2, 1, 1, 2, 0]);
    const lossOf = () => {
      pol.begin(B, L);
      for (const x of xs) pol.step(x);
      return crossEntropyGrad(pol.probs, acts, 3);
    };
    const r = lossOf();
    pol.zeroGrad();
    pol.backward(r.dLogits, new Float64Array(L * B));
    const g = Float64Array.from(pol.grad);
    for (const i of [0, 7, 30, pol.layout.Wh + 3, pol.layout.Wo + 2, pol.layout.bo + 1]) {
      const h = 1e-6,
        p0 = pol.params[i];
      pol.params[i] = p0 + h;
      const up = lossOf().loss;
      pol.params[i] = p0 - h;
      const dn = lossOf().loss;
      pol.params[i] = p0;
      expect(g[i]).toBeCloseTo((up - dn) / (2 * h), 6);
    }
  });

  it('evaluateBehaviour: exact regret of uniform arms; greedy fraction 1 for greedy; metrics in range', () => {
    const K = 3;
    const ev = (a: MetaAgent) => evaluateBehaviour(spec, a, [6, 12], 300, 64, new Rng(1).split('t'), new Rng(2));
    const rnd = ev(randomAgent(K));
    // Rao–Blackwellised regret of uniform arms on the same trials, recomputed from the trial means
    const meansRng = new Rng(1).split('t');
    let gap = 0;
    for (let i = 0; i < 300; i++) {
      const r = meansRng.split(i).split('means');
      const m = sampleTrialMeans({ ...spec, pulls: 12 }, r);
      const best = Math.max(...m);
      gap += m.reduce((s: number, v: number) => s + (best - v) / K, 0);
    }
    expect(rnd.regret[0]).toBeCloseTo((6 * gap) / 300, 10);
    expect(rnd.regret[1]).toBeCloseTo((12 * gap) / 300, 10);
    const g = ev(myopicAgent(K, 1, 1));
    expect(g.greedyFrac).toEqual([1, 1]);
    const u = ev(ucb1MetaAgent(K));
    expect(u.minFrac[0]).toBeGreaterThanOrEqual(K / 6 - 1e-12); // UCB1 pulls every arm once first
    for (const e of [rnd, g, u])
      for (let c = 0; c < 2; c++) {
        expect(e.suffixFail[c]).toBeGreaterThanOrEqual(0);
        expect(e.suffixFail[c]).toBeLessThanOrEqual(1);
        expect(e.minFrac[c]).toBeLessThanOrEqual(1 + 1e-12);
      }
  });

  it('SFT on UCB1 drives the agent towards UCB1 and is deterministic in the seed', () => {
    const cfg = {
      hidden: 8,
      updates: 150,
      batch: 16,
      lr: 0.02,
      gamma: 0,
      valueCoef: 0.5,
      entropyStart: 0,
      entropyAnnealFrac: 0.5,
      maxGradNorm: 1,
      ucbC: 1,
    };
    const a = trainParadigm(spec, cfg, { kind: 'sft', expert: 'ucb1' }, new Rng(3));
    const b = trainParadigm(spec, cfg, { kind: 'sft', expert: 'ucb1' }, new Rng(3));
    expect(Array.from(b.policy.params)).toEqual(Array.from(a.policy.params));
    expect(a.finalEntropy).toBeLessThan(Math.log(3) - 0.2);
  });
});
