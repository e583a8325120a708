import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { CELL, gridReward, makeGridworld } from '../../../../src/testbeds/tabular/env/gridworld';
import {
  labelsFromLogits,
  pairLogits,
  randomPairs,
  sampleSegments,
  segmentSums,
  uniformBehaviour,
} from '../../../../src/testbeds/tabular/env/preferences';
import { cplLoss, fitCpl } from '../../../../src/testbeds/tabular/methods/cpl';
import { logProbGradient, logSoftmaxPolicy, softmaxPolicy } from '../../../../src/testbeds/tabular/policies/softmax';
import { softValueIteration } from '../../../../src/testbeds/tabular/solvers/soft-value-iteration';

function maxRelFdError(f: (x: Float64Array, g: Float64Array) => number, x: Float64Array, h = 1e-6): number {
  const g = new Float64Array(x.length),
    tmp = new Float64Array(x.length);
  f(x, g);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const xp = Float64Array.from(x),
      xm = Float64Array.from(x);
    xp[i] += h;
    xm[i] -= h;
    const fd = (f(xp, tmp) - f(xm, tmp)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - g[i]) / Math.max(1e-7, Math.abs(fd) + Math.abs(g[i])));
  }
  return worst;
}

// 3×3 gridworld with 10% slips, a goal and a sheep; γ = 0.9, α = 1.
const world = makeGridworld({
  height: 3,
  width: 3,
  cells: [0, 0, 0, 0, CELL.sheep, 0, CELL.roadblock, 0, CELL.goal],
  gamma: 0.9,
  slip: 0.1,
});
const rbar = gridReward(world, [-1, 11, -9, 0, -2, 0]);
const alpha = 1;
const soft = softValueIteration(world, rbar, { alpha, tol: 1e-13, terminal: world.terminal });

describe('tabular softmax policy', () => {
  it('log-probability gradient matches finite differences', () => {
    const rng = new Rng(2);
    const theta = Float64Array.from({ length: 12 }, () => rng.normal());
    const C = Float64Array.from({ length: 12 }, () => rng.normal());
    const f = (th: Float64Array, g: Float64Array) => {
      const lp = logSoftmaxPolicy(3, 4, th);
      logProbGradient(3, 4, C, softmaxPolicy(3, 4, th), g);
      return lp.reduce((s, v, i) => s + C[i] * v, 0);
    };
    expect(maxRelFdError(f, theta)).toBeLessThan(1e-7);
  });
});

describe('CPL', () => {
  const rng = new Rng(21);
  const segs = sampleSegments(world, rng, { n: 300, L: 4, behaviour: uniformBehaviour(4) });
  const pairs = randomPairs(rng, 300, 1200);
  // Exact (infinite-data) labels from the regret model with the max-ent optimal advantage.
  const G = segmentSums(segs, soft.A, 4, world.gamma);
  const y = labelsFromLogits(pairLogits(G, pairs), 'exact');

  it('loss gradient matches finite differences (conservative bias, BC term, soft labels)', () => {
    const theta = Float64Array.from({ length: world.nS * 4 }, () => rng.normal());
    const yy = Float64Array.from(y, (v, p) => (p % 3 === 0 ? (v > 0.5 ? 1 : 0) : v));
    const f = (th: Float64Array, g: Float64Array) =>
      cplLoss(th, world.nS, 4, segs, pairs, yy, { alpha: 0.7, lambda: 0.5, g: 0.9, bcCoeff: 0.3 }, g);
    expect(maxRelFdError(f, theta)).toBeLessThan(1e-6);
  });

  it("CPL's optimum on exact preference data (λ = 1) is the maximum-entropy optimal policy", () => {
    const fit = fitCpl(
      world.nS,
      4,
      segs,
      pairs,
      y,
      { alpha, lambda: 1, g: world.gamma },
      { kind: 'lbfgs', gtol: 1e-12, maxIterations: 5000 },
    );
    const pi = softmaxPolicy(world.nS, 4, fit.x);
    let worst = 0;
    for (let s = 0; s < world.nS; s++) {
      if (world.terminal[s]) continue;
      for (let a = 0; a < 4; a++) worst = Math.max(worst, Math.abs(pi[s * 4 + a] - soft.policy[s * 4 + a]));
    }
    expect(worst).toBeLessThan(1e-6);
    // The loss there equals the entropy of the labels (the minimum of a cross-entropy).
    const ent =
      y.reduce((s, p) => s - (p > 0 ? p * Math.log(p) : 0) - (p < 1 ? (1 - p) * Math.log(1 - p) : 0), 0) / y.length;
    expect(Math.abs(fit.loss - ent)).toBeLessThan(1e-9);
  });

  it(
    'with the conservative bias λ < 1, minimising the loss moves the policy away from π* ' + '(the bias is not free)',
    () => {
      // Started at π* itself: the biased loss is not stationary there.
      const start = Float64Array.from(soft.policy, (p) => Math.log(p));
      const g = new Float64Array(start.length);
      cplLoss(start, world.nS, 4, segs, pairs, y, { alpha, lambda: 0.5, g: world.gamma }, g);
      expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-4);
      const fit = fitCpl(
        world.nS,
        4,
        segs,
        pairs,
        y,
        { alpha, lambda: 0.5, g: world.gamma },
        { kind: 'lbfgs', gtol: 1e-10, maxIterations: 200 },
        start,
      );
      const pi = softmaxPolicy(world.nS, 4, fit.x);
      let worst = 0;
      for (let s = 0; s < world.nS; s++)
        if (!world.terminal[s])
          for (let a = 0; a < 4; a++) worst = Math.max(worst, Math.abs(pi[s * 4 + a] - soft.policy[s * 4 + a]));
      expect(worst).toBeGreaterThan(1e-3);
    },
  );
});
