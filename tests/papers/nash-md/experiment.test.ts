import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { metricOf } from '../../../src/core/metric-keys';
import { logCheckpoints, rlhfReward, runSeed, type Config } from '../../../src/papers/nash-md/experiment';
import { gameFromParts, pIndex } from '../../../src/testbeds/preference/data/game';
import {
  kl,
  randomSoftmaxPolicy,
  tabularPolicyFromLogits,
} from '../../../src/testbeds/preference/policies/tabular-policy';
import { klMatchedBeta } from '../../../src/testbeds/preference/solvers/kl-optimum';
import { expectWellFormed } from '../run-result';

describe('the Nash-MD experiment', () => {
  it('checkpoints: 0 and log-spaced iterations up to T', () => {
    expect(logCheckpoints(1000, 4)).toEqual([0, 1, 10, 100, 1000]);
  });

  it(
    'the KL-matched RLHF β reproduces the target KL; RLHF under ' +
      'a pure BT game equals the KL-optimum of the true reward',
    () => {
      const rng = new Rng(19);
      const nX = 2,
        nY = 5;
      const r = rng.split('r').normals(nX * nY);
      const g = gameFromParts(nX, nY, r, new Float64Array(nX * nY * nY));
      const mu = randomSoftmaxPolicy(rng.split('mu'), nX, nY, 1);
      const rHat = rlhfReward(g, mu);
      const b = klMatchedBeta(mu, rHat, 0.3);
      const pol = tabularPolicyFromLogits(
        nX,
        nY,
        Float64Array.from(rHat, (v, i) => Math.log(mu.probs[i]) + v / b),
      );
      expect(kl(pol, mu)).toBeCloseTo(0.3, 9);
      for (let x = 0; x < nX; x++)
        for (let y = 1; y < nY; y++) expect(rHat[x * nY + y] - rHat[x * nY]).toBeCloseTo(r[x * nY + y] - r[x * nY], 6);
      expect(g.P[pIndex(nY, 0, 1, 2)]).toBeCloseTo(1 / (1 + Math.exp(-(r[1] - r[2]))), 14);
    },
  );

  it('a seed of a tiny configuration returns finite metrics and is deterministic', () => {
    const cfg: Config = {
      nY: 4,
      contexts: [1, 3],
      btScale: 1,
      cyclicScale: 2,
      cyclic: 'curl',
      beta: 0.2,
      muScale: 1,
      steps: 200,
      constantEta: 1,
      selfPlayEta: 1,
      checkpoints: 5,
      sweepCyclicScales: [0, 2],
    };
    const a = runSeed(cfg, 3);
    expectWellFormed(a);
    expect(runSeed(cfg, 3).metrics).toEqual(a.metrics);
    expect(metricOf(a, 'nash-md', 'multi.theoremViolations')).toBe(0);
  });
});
