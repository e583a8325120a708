import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomGame, rockPaperScissors } from '../../../../src/testbeds/preference/data/game';
import { runDynamics } from '../../../../src/testbeds/preference/loops/self-play';
import { kl, policyFromRows, randomSoftmaxPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';
import { exploitability, regularisedNash } from '../../../../src/testbeds/preference/solvers/nash';

describe('Nash-MD in the self-play loop', () => {
  it("last iterate converges to rock–paper–scissors' regularised equilibrium (KL < 1e-6), the average lags", () => {
    const g = rockPaperScissors(1);
    const mu = policyFromRows([[0.6, 0.3, 0.1]]);
    const beta = 0.1;
    const star = regularisedNash(g, mu, beta).policy;
    // the equilibrium is not μ and not uniform: it tilts μ toward the responses that beat μ's favourite
    expect(kl(star, mu)).toBeGreaterThan(0.05);
    const pi0 = policyFromRows([[0.05, 0.05, 0.9]]);
    const kls: Record<number, number> = {};
    const res = runDynamics(
      g,
      pi0,
      mu,
      { method: 'nash-md', beta, schedule: { kind: 'decreasing', c: 2 }, steps: 3000, checkpoints: [300, 3000] },
      (t, last) => {
        kls[t] = kl(star, last);
      },
    );
    expect(kls[3000]).toBeLessThan(1e-6);
    expect(kls[3000]).toBeLessThan(kls[300] / 10); // still shrinking: not stuck at a biased point
    expect(kl(star, res.average)).toBeGreaterThan(kls[3000]);
  });

  it(
    'with a constant step its fixed point is biased by O(η) (π ∝ ' +
      'μ·exp(P(· ≻ π^μ)/β)), while OMD without the mixture is exact',
    () => {
      const g = rockPaperScissors(1);
      const mu = policyFromRows([[0.6, 0.3, 0.1]]);
      const beta = 0.1;
      const star = regularisedNash(g, mu, beta).policy;
      const bias = (eta: number, method: 'nash-md' | 'omd') =>
        kl(
          star,
          runDynamics(
            g,
            mu,
            mu,
            { method, beta, schedule: { kind: 'constant', eta }, steps: 4000, checkpoints: [] },
            () => {},
          ).last,
        );
      const b1 = bias(1, 'nash-md'),
        b05 = bias(0.5, 'nash-md');
      expect(b1).toBeGreaterThan(1e-6);
      expect(b05).toBeLessThan(b1 / 2); // KL ~ bias² shrinks about 4× when η halves
      expect(bias(1, 'omd')).toBeLessThan(1e-20 + 1e-14);
    },
  );
});

describe('self-play baselines', () => {
  it(
    'unregularised multiplicative-weights self-play on RPS: ' + 'the last iterate spirals away, the average converges',
    () => {
      const g = rockPaperScissors(1);
      const pi0 = policyFromRows([[0.5, 0.3, 0.2]]);
      const ex: Record<number, [number, number]> = {};
      runDynamics(
        g,
        pi0,
        null,
        { method: 'omd', beta: 0, schedule: { kind: 'constant', eta: 0.1 }, steps: 5000, checkpoints: [0, 5000] },
        (t, l, a) => {
          ex[t] = [exploitability(g, l), exploitability(g, a)];
        },
      );
      expect(ex[5000][0]).toBeGreaterThan(ex[0][0]); // last iterate: farther from (⅓, ⅓, ⅓) than where it started
      expect(ex[5000][1]).toBeLessThan(0.05); // average: close to the equilibrium
    },
  );

  it('regularised fictitious play: the average converges to π*_β', () => {
    const rng = new Rng(13);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 2, 5, 1);
    const star = regularisedNash(g, mu, 0.2).policy;
    const res = runDynamics(
      g,
      mu,
      mu,
      { method: 'fictitious-play', beta: 0.2, schedule: { kind: 'decreasing' }, steps: 2000, checkpoints: [] },
      () => {},
    );
    expect(kl(star, res.average)).toBeLessThan(1e-4);
  });
});
