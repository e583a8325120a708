import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  PROTOCOL_DEFAULTS,
  taskInstances,
  type ProtocolConfig,
} from '../../../../src/testbeds/tabular/protocol-reward-learning';
import {
  RLHF_SOFT_VI_TOL,
  bcAllSegments,
  softRlhfTabular,
  sftPreferred,
  labelWeightedActionCounts,
} from '../../../../src/testbeds/tabular/protocol-reward-learning/recipes/rlhf-and-cloning';
import {
  BC_SMOOTHING,
  CPL_ALPHA,
  CPL_LR,
  CPL_STEPS,
} from '../../../../src/testbeds/tabular/protocol-reward-learning/recipes/learners';
import { DEFAULTS as CPL_PAPER } from '../../../../src/papers/cpl/experiment';
import { fitBradleyTerryTabular } from '../../../../src/testbeds/tabular/methods/reward-learning';
import { segmentActionCounts } from '../../../../src/testbeds/tabular/methods/cpl';
import { softBellmanResidual, softValueIteration } from '../../../../src/testbeds/tabular/solvers/soft-value-iteration';
import { countsPolicy } from '../../../../src/testbeds/tabular/policies/softmax';
import { epsilonMixtureBehaviour, sampleSegments, segmentSums } from '../../../../src/testbeds/tabular/env/preferences';

const small: ProtocolConfig = { ...PROTOCOL_DEFAULTS, mdpsPerTask: 2 };

describe("the cpl notebook's baselines in the tabular reward-learning protocol", () => {
  it("keep the cpl notebook's settings (α, the Adam budget shared with CPL, BC smoothing)", () => {
    expect(CPL_ALPHA).toBe(CPL_PAPER.alpha);
    expect(CPL_LR).toBe(CPL_PAPER.adam.lr);
    expect(CPL_STEPS).toBe(CPL_PAPER.adam.steps);
    expect(BC_SMOOTHING).toBe(CPL_PAPER.smoothing);
    expect([softRlhfTabular.name, sftPreferred.name, bcAllSegments.name]).toEqual(['rlhf', 'sft', 'bc']);
  });

  it("rlhf is the notebook's composition; its policy is the soft Bellman fixed point of r̂ at γ = 0.999", () => {
    const inst = taskInstances(small, 'partial-return-stochastic', 4)[0];
    const { world } = inst;
    const { nS, nA, gamma } = world;
    expect(gamma).toBe(0.999);
    const rm = fitBradleyTerryTabular(nS, nA, inst.segs, inst.pairs, inst.labels, {
      g: gamma,
      optimizer: { kind: 'adam', lr: CPL_PAPER.adam.lr, steps: CPL_PAPER.adam.steps, keepBest: false },
    });
    const sv = softValueIteration(world, rm.x, { alpha: CPL_PAPER.alpha, tol: 1e-10, terminal: world.terminal });
    expect(RLHF_SOFT_VI_TOL).toBe(1e-10);
    const pi = softRlhfTabular.learn(inst, new Rng(0));
    expect(Array.from(pi)).toEqual(Array.from(sv.policy));
    // The RL phase converged at the protocol's γ: V solves V = α log Σ_a exp((r̂ + γ τ V)/α) (0 on terminal cells) …
    expect(sv.converged).toBe(true);
    expect(softBellmanResidual(world, rm.x, sv.V, CPL_ALPHA, world.terminal)).toBeLessThan(1e-9);
    // … and the policy is π(a|s) = exp((Q(s,a) − V(s))/α), V(s) = α log Σ_a exp(Q(s,a)/α) from Q itself.
    for (const s of world.startStates) {
      let m = -Infinity;
      for (let a = 0; a < nA; a++) m = Math.max(m, sv.Q[s * nA + a]);
      let z = 0;
      for (let a = 0; a < nA; a++) z += Math.exp((sv.Q[s * nA + a] - m) / CPL_ALPHA);
      for (let a = 0; a < nA; a++)
        expect(pi[s * nA + a]).toBeCloseTo(Math.exp((sv.Q[s * nA + a] - m) / CPL_ALPHA) / z, 10);
    }
  });

  it("rlhf's reward model orders the strictly labelled pairs of separable (noiseless partial-return) labels", () => {
    // Noiseless partial-return labels come from the gold reward, which a tabular r̂(s,a) expresses exactly
    // (slip 0): the fit must order (nearly) every strict pair; an unfitted or sign-flipped model orders about half.
    for (const inst of taskInstances(small, 'partial-return-noiseless', 7)) {
      const { nS, nA, gamma } = inst.world;
      const rm = fitBradleyTerryTabular(nS, nA, inst.segs, inst.pairs, inst.labels, {
        g: gamma,
        optimizer: { kind: 'adam', lr: CPL_LR, steps: CPL_STEPS, keepBest: false },
      });
      const R = segmentSums(inst.segs, rm.x, nA, gamma);
      let strict = 0,
        right = 0;
      for (let p = 0; p < inst.labels.length; p++) {
        const y = inst.labels[p];
        if (y === 0.5) continue;
        strict++;
        const d = R[inst.pairs.i[p]] - R[inst.pairs.j[p]];
        if ((y === 1 && d > 0) || (y === 0 && d < 0)) right++;
      }
      expect(strict).toBeGreaterThan(50);
      expect(right / strict).toBeGreaterThan(0.97);
    }
  });

  it("sft on 0/1 labels is behaviour cloning on each pair's preferred segment (the notebook's rule)", () => {
    const inst = taskInstances(small, 'regret-stochastic', 3)[1];
    const { nS, nA } = inst.world;
    const preferred = Array.from(inst.labels, (y, p) => (y >= 0.5 ? inst.pairs.i[p] : inst.pairs.j[p]));
    const notebook = countsPolicy(nS, nA, segmentActionCounts(inst.segs, nS, nA, preferred), CPL_PAPER.smoothing);
    expect(Array.from(sftPreferred.learn(inst, new Rng(0)))).toEqual(Array.from(notebook));
    // and differs from BC on all segments (the labels matter)
    expect(Array.from(sftPreferred.learn(inst, new Rng(0)))).not.toEqual(
      Array.from(bcAllSegments.learn(inst, new Rng(0))),
    );
  });

  it('sft counts a tied pair at ½ on each side, so the order of a tied pair does not matter', () => {
    const inst = taskInstances(small, 'partial-return-noiseless', 5)[0];
    const { nS, nA } = inst.world;
    const ties = Array.from(inst.labels).filter((y) => y === 0.5).length;
    expect(ties).toBeGreaterThan(0);
    // Swap the segments of every tied pair: same counts, same policy.
    const swapped = {
      i: Int32Array.from(inst.pairs.i, (v, p) => (inst.labels[p] === 0.5 ? inst.pairs.j[p] : v)),
      j: Int32Array.from(inst.pairs.j, (v, p) => (inst.labels[p] === 0.5 ? inst.pairs.i[p] : v)),
    };
    expect(Array.from(sftPreferred.learn({ ...inst, pairs: swapped }, new Rng(0)))).toEqual(
      Array.from(sftPreferred.learn(inst, new Rng(0))),
    );
    // All ties: exactly half of behaviour cloning's counts.
    const half = labelWeightedActionCounts(
      inst.segs,
      nS,
      nA,
      inst.pairs,
      new Float64Array(inst.labels.length).fill(0.5),
    );
    const all = segmentActionCounts(inst.segs, nS, nA);
    expect(Array.from(half)).toEqual(Array.from(all, (c) => c / 2));
    expect(() => labelWeightedActionCounts(inst.segs, nS, nA, inst.pairs, [2])).toThrow(/not in \[0, 1\]/);
  });

  it('bc recovers the behaviour policy that generated the segments', () => {
    const inst = taskInstances(small, 'regret-stochastic', 1)[0];
    const { world } = inst;
    const { nS, nA } = world;
    // A known stochastic behaviour: random rows with probabilities well away from 0.
    const rng = new Rng(11);
    const known = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      let z = 0;
      for (let a = 0; a < nA; a++) z += known[s * nA + a] = 0.2 + rng.uniform();
      for (let a = 0; a < nA; a++) known[s * nA + a] /= z;
    }
    const segs = sampleSegments(world, rng.split('segments'), {
      n: 100000,
      L: 3,
      behaviour: epsilonMixtureBehaviour(known, nA, () => 0),
    });
    const pi = bcAllSegments.learn({ ...inst, segs }, new Rng(0));
    const visits = segmentActionCounts(segs, nS, nA);
    let checked = 0;
    for (let s = 0; s < nS; s++) {
      let n = 0;
      for (let a = 0; a < nA; a++) n += visits[s * nA + a];
      if (n < 1000) continue;
      checked++;
      // binomial s.d. ≤ √(¼/1000) ≈ 0.016 (smoothing bias ≤ 1/1000): 0.08 is 5 s.d.
      for (let a = 0; a < nA; a++) expect(Math.abs(pi[s * nA + a] - known[s * nA + a])).toBeLessThan(0.08);
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('cpl-unbiased is the cpl entry with λ = 1: the same fit from BC without the bias (another policy)', async () => {
    const { recipe: unbiased } =
      await import('../../../../src/testbeds/tabular/protocol-reward-learning/recipes/contrastive-unbiased');
    const { cpl } = await import('../../../../src/testbeds/tabular/protocol-reward-learning/recipes/learners');
    const { fitCpl } = await import('../../../../src/testbeds/tabular/methods/cpl');
    const { logitsFromPolicy, softmaxPolicy } = await import('../../../../src/testbeds/tabular/policies/softmax');
    expect(CPL_PAPER.lambda).toBe(0.5); // the entry `cpl` keeps the authors' conservative λ
    const inst = taskInstances(small, 'regret-stochastic', 4)[0];
    const { nS, nA, gamma } = inst.world;
    const bc = countsPolicy(nS, nA, segmentActionCounts(inst.segs, nS, nA), BC_SMOOTHING);
    const fit = fitCpl(
      nS,
      nA,
      inst.segs,
      inst.pairs,
      inst.labels,
      { alpha: CPL_ALPHA, lambda: 1, g: gamma },
      { kind: 'adam', lr: CPL_LR, steps: CPL_STEPS, keepBest: false },
      logitsFromPolicy(nS, nA, bc),
    );
    const pi = unbiased.learn(inst, new Rng(0));
    expect(Array.from(pi)).toEqual(Array.from(softmaxPolicy(nS, nA, fit.x)));
    const biased = cpl.learn(inst, new Rng(0));
    expect(Array.from(pi).some((v, i) => Math.abs(v - biased[i]) > 1e-6)).toBe(true);
  });
});
