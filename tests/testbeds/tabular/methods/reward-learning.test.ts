import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { CELL, entryRewards, gridReward, makeGridworld } from '../../../../src/testbeds/tabular/env/gridworld';
import {
  labelsFromLogits,
  pairLogits,
  partialReturns,
  randomPairs,
  sampleSegments,
  segmentFeatureSums,
  segmentRegrets,
  uniformBehaviour,
} from '../../../../src/testbeds/tabular/env/preferences';
import {
  bradleyTerryTabularLoss,
  fitBradleyTerryTabular,
  fitPartialReturnLinear,
  fitRegretLinear,
  linearOptimum,
  pairFeatureDifferences,
  partialReturnLoss,
  regretObjective,
} from '../../../../src/testbeds/tabular/methods/reward-learning';

function fdCheck(f: (x: Float64Array, g: Float64Array) => number, x: Float64Array, h = 1e-6): number {
  const g = new Float64Array(x.length);
  f(x, g);
  let worst = 0;
  const tmp = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xp = Float64Array.from(x),
      xm = Float64Array.from(x);
    xp[i] += h;
    xm[i] -= h;
    const fd = (f(xp, tmp) - f(xm, tmp)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - g[i]) / Math.max(1e-6, Math.abs(fd) + Math.abs(g[i])));
  }
  return worst;
}

// 4×5 delivery grid: goal, two sheep, coins and roadblocks; deterministic, γ = 0.99.
const CELLS = [
  0,
  0,
  CELL.coin,
  0,
  CELL.goal,
  0,
  CELL.roadblock,
  0,
  CELL.sheep,
  0,
  0,
  CELL.roadblock,
  CELL.coin,
  0,
  0,
  0,
  0,
  0,
  CELL.sheep,
  0,
];
const world = makeGridworld({ height: 4, width: 5, cells: CELLS, gamma: 0.99 });
const wTrue = Float64Array.from([-1, 11, -9, 1, -3, 0]);

describe('reward learning: gradients', () => {
  const rng = new Rng(4);
  const segs = sampleSegments(world, rng, { n: 60, L: 3, behaviour: uniformBehaviour(4) });
  const pairs = randomPairs(rng, 60, 80);
  const y = Float64Array.from({ length: 80 }, () => rng.uniform());

  it('partial-return loss gradient matches finite differences', () => {
    const dPhi = pairFeatureDifferences(segmentFeatureSums(world, segs), world.nF, pairs);
    expect(
      fdCheck((w, g) => partialReturnLoss(w, dPhi, y, g), Float64Array.from([0.3, -0.2, 0.5, 0.1, -0.4, 0.2])),
    ).toBeLessThan(1e-6);
  });

  it('regret-model loss gradient matches finite differences where the optimal policy is unique', () => {
    const f = regretObjective(world, segs, pairs, y);
    expect(fdCheck(f, Float64Array.from([-0.7, 3.1, -2.3, 0.4, -1.3, 0.25]), 1e-7)).toBeLessThan(1e-5);
  });

  it('tabular Bradley–Terry loss gradient matches finite differences', () => {
    const r = Float64Array.from({ length: world.nS * 4 }, () => rng.normal());
    expect(fdCheck((x, g) => bradleyTerryTabularLoss(x, 4, segs, pairs, y, 0.9, 0.01, g), r)).toBeLessThan(1e-6);
  });
});

describe('reward learning: recovery from noise-free (exact-probability) preferences', () => {
  const rng = new Rng(12);
  const segs = sampleSegments(world, rng, { n: 400, L: 3, behaviour: uniformBehaviour(4) });
  const pairs = randomPairs(rng, 400, 1500);

  it('partial-return MLE recovers the linear reward exactly when segments of different horizons are compared', () => {
    const pr = partialReturns(segs, entryRewards(world, wTrue));
    const y = labelsFromLogits(pairLogits(pr, pairs), 'exact');
    const dPhi = pairFeatureDifferences(segmentFeatureSums(world, segs), world.nF, pairs);
    const fit = fitPartialReturnLinear(dPhi, y, world.nF, { kind: 'lbfgs', gtol: 1e-12, maxIterations: 2000 });
    // The mud feature never occurs: its weight is unidentified (stays at its initial 0).
    for (let f = 0; f < 5; f++) expect(Math.abs(fit.x[f] - wTrue[f])).toBeLessThan(1e-5);
  });

  it('partial return cannot identify a constant shift when no compared segment terminates (the invariance)', () => {
    // Keep only pairs of full-length (non-terminating) segments.
    const keep: number[] = [];
    for (let p = 0; p < pairs.i.length; p++)
      if (
        segs.len[pairs.i[p]] === 3 &&
        segs.len[pairs.j[p]] === 3 &&
        !world.terminal[segs.last[pairs.i[p]]] &&
        !world.terminal[segs.last[pairs.j[p]]]
      )
        keep.push(p);
    const sub = { i: Int32Array.from(keep.map((p) => pairs.i[p])), j: Int32Array.from(keep.map((p) => pairs.j[p])) };
    const pr = partialReturns(segs, entryRewards(world, wTrue));
    const y = labelsFromLogits(pairLogits(pr, sub), 'exact');
    const dPhi = pairFeatureDifferences(segmentFeatureSums(world, segs), world.nF, sub);
    const g = new Float64Array(world.nF);
    const shifted = Float64Array.from(wTrue);
    shifted[0] += 2; // every non-terminal transition +2: alive reward +1, so never terminating is optimal
    expect(Math.abs(partialReturnLoss(wTrue, dPhi, y, g) - partialReturnLoss(shifted, dPhi, y, g))).toBeLessThan(1e-12);
    // … but the shift changes the optimal policy; regret preferences see it.
    const o1 = linearOptimum(world, wTrue),
      o2 = linearOptimum(world, shifted);
    expect(Array.from(o1.policy)).not.toEqual(Array.from(o2.policy));
    const r1 = segmentRegrets(segs, o1.A, 4, world.gamma),
      r2 = segmentRegrets(segs, o2.A, 4, world.gamma);
    const z1 = pairLogits(r1, sub),
      z2 = pairLogits(r2, sub);
    expect(Math.max(...z1.map((v, p) => Math.abs(v - z2[p])))).toBeGreaterThan(0.1);
  });

  it('regret-model MLE recovers the optimal advantage (so the optimal policy) from regret preferences', () => {
    const opt = linearOptimum(world, wTrue);
    const y = labelsFromLogits(
      pairLogits(
        segmentRegrets(segs, opt.A, 4, world.gamma).map((v) => -v),
        pairs,
      ),
      'exact',
    );
    const fit = fitRegretLinear(world, segs, pairs, y, { kind: 'lbfgs', gtol: 1e-10, maxIterations: 2000 });
    const learned = linearOptimum(world, fit.x);
    expect(Array.from(learned.policy)).toEqual(Array.from(opt.policy));
    // w itself is identified only up to the model's invariances (here: a constant potential on the
    // non-terminal states, which moves weight between alive and the terminal features); A* is identified.
    for (let s = 0; s < world.nS; s++) {
      if (world.terminal[s]) continue;
      for (let a = 0; a < 4; a++) expect(Math.abs(learned.A[s * 4 + a] - opt.A[s * 4 + a])).toBeLessThan(1e-4);
    }
    // The invariance itself: Φ ≡ k on non-terminal states shifts alive by −(1−γ)k and goal, sheep by −γk.
    const k = 1.7;
    const shaped = Float64Array.from(wTrue);
    shaped[0] -= (1 - world.gamma) * k;
    shaped[1] -= world.gamma * k;
    shaped[2] -= world.gamma * k;
    const g = new Float64Array(world.nF);
    const f = regretObjective(world, segs, pairs, y);
    expect(Math.abs(f(shaped, g) - f(wTrue, g))).toBeLessThan(1e-10);
  });

  it('tabular Bradley–Terry MLE recovers r(s,a) up to a constant on non-terminating equal-length segments', () => {
    const open = makeGridworld({
      height: 3,
      width: 3,
      cells: [0, 0, CELL.coin, 0, CELL.mud, 0, CELL.roadblock, 0, 0],
      gamma: 0.9,
      slip: 0.1,
    });
    const r = gridReward(open, [-1, 0, 0, 2, -3, -2]);
    const rr = new Rng(5);
    const s2 = sampleSegments(open, rr, { n: 500, L: 4, behaviour: uniformBehaviour(4) });
    const p2 = randomPairs(rr, 500, 3000);
    // Labels from the expected-reward partial return (what a tabular r(s,a) model can represent).
    const R = new Float64Array(500);
    for (let i = 0; i < 500; i++) for (let t = 0; t < s2.len[i]; t++) R[i] += r[s2.s[i * 4 + t] * 4 + s2.a[i * 4 + t]];
    const y = labelsFromLogits(pairLogits(R, p2), 'exact');
    const fit = fitBradleyTerryTabular(open.nS, 4, s2, p2, y, {
      g: 1,
      optimizer: { kind: 'lbfgs', gtol: 1e-11, maxIterations: 5000 },
    });
    const diff = fit.x.map((v, i) => v - r[i]);
    const c = diff.reduce((s, v) => s + v, 0) / diff.length;
    for (let i = 0; i < diff.length; i++) expect(Math.abs(diff[i] - c)).toBeLessThan(1e-4);
  });
});
