import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  chiSquared,
  normalisedOccupancy,
  occupancyReturn,
  solveChi2Regularised,
  solveUnregularised,
} from '../../../src/testbeds/tabular/methods/occupancy-regularisation';
import { softmaxPolicy } from '../../../src/testbeds/tabular/policies/softmax';
import {
  type Config,
  logGrid,
  makeProxyMdp,
  runSeed,
  theoremBound,
  weightedStats,
} from '../../../src/papers/correlated-proxies/experiment';

const config: Config = {
  mdpsPerSeed: 1,
  nS: 20,
  nA: 3,
  gamma: 0.95,
  branching: 3,
  correlation: 0.7,
  hackTrue: -2,
  hackProxy: 4,
  baseEpsilon: 0.5,
  lambdas: [],
  strictImprovement: 0.01,
};

describe('r-correlated proxy construction', () => {
  it(
    'calibrates Corr_ν(R, R̃) to r exactly, makes the hack state a self-loop with low true / high proxy reward, ' +
      'and gives the base policy full support',
    () => {
      for (let k = 0; k < 4; k++) {
        const m = makeProxyMdp(new Rng(k).split('t'), config);
        expect(m.r).toBeCloseTo(0.7, 9);
        expect(weightedStats(m.nu, m.R, m.proxy).corr).toBeCloseTo(0.7, 9);
        const { nS, nA, T } = m.env;
        const row = m.hack * nA;
        expect(T.rowPtr[row + 1] - T.rowPtr[row]).toBe(1);
        expect(T.col[T.rowPtr[row]]).toBe(m.hack);
        for (let a = 0; a < nA; a++) {
          expect(m.R[m.hack * nA + a]).toBe(-2);
          expect(m.proxy[m.hack * nA + a]).toBe(4);
        }
        for (let i = 0; i < nS * nA; i++) expect(m.piBase[i]).toBeGreaterThan(0);
      }
    },
  );
});

describe('the χ² lower bound on true-reward improvement', () => {
  it('holds for every policy (random, proxy-optimal, χ²-regularised), and fails if the χ² penalty is halved', () => {
    let violatedWithHalf = false;
    for (let k = 0; k < 4; k++) {
      const m = makeProxyMdp(new Rng(10 + k).split('t'), config);
      const Jb = occupancyReturn(m.nu, m.R),
        Jbp = occupancyReturn(m.nu, m.proxy);
      const rng = new Rng(20 + k);
      const mus: Float64Array[] = [];
      for (let i = 0; i < 60; i++)
        mus.push(
          normalisedOccupancy(
            m.env,
            softmaxPolicy(m.env.nS, m.env.nA, rng.split(i).normals(m.env.nS * m.env.nA, 0, 1 + (i % 5))),
          ),
        );
      mus.push(solveUnregularised(m.env, m.proxy).mu);
      for (const f of [0.1, 0.3, 0.6]) mus.push(solveChi2Regularised(m.env, m.proxy, m.nu, f * m.sigmaProxy).mu);
      for (const mu of mus) {
        const c = Math.sqrt(chiSquared(mu, m.nu));
        const lhs = occupancyReturn(mu, m.R) - Jb;
        const dProxy = occupancyReturn(mu, m.proxy) - Jbp;
        expect(lhs).toBeGreaterThanOrEqual(theoremBound(m, dProxy, c) - 1e-12);
        const halved = (m.sigmaR / (m.r * m.sigmaProxy)) * (dProxy - 0.5 * m.sigmaProxy * Math.sqrt(1 - m.r * m.r) * c);
        if (lhs < halved - 1e-9) violatedWithHalf = true;
      }
    }
    expect(violatedWithHalf).toBe(true);
  });

  it(
    "at the theory's λ = σ_R̃ √(1−r²) the χ²-regularised policy never hacks, " +
      'while the unregularised proxy optimum does',
    () => {
      for (let k = 0; k < 4; k++) {
        const m = makeProxyMdp(new Rng(30 + k).split('t'), config);
        const Jb = occupancyReturn(m.nu, m.R);
        const s = solveChi2Regularised(m.env, m.proxy, m.nu, m.sigmaProxy * Math.sqrt(1 - m.r * m.r));
        expect(occupancyReturn(s.mu, m.R)).toBeGreaterThanOrEqual(Jb - 1e-12);
        expect(occupancyReturn(solveUnregularised(m.env, m.proxy).mu, m.R)).toBeLessThan(Jb);
      }
    },
  );
});

describe('the λ grid and strict improvement', () => {
  it('logGrid is log-spaced with exact endpoints and the requested density', () => {
    const g = logGrid(0.001, 50, 24);
    expect(g[0]).toBe(0.001);
    expect(g[g.length - 1]).toBe(50);
    expect(g.length).toBe(Math.ceil(Math.log10(50 / 0.001) * 24) + 1);
    const ratios = g.slice(1).map((x, i) => x / g[i]);
    for (const q of ratios) expect(q).toBeCloseTo(ratios[0], 10);
    expect(ratios[0]).toBeLessThanOrEqual(10 ** (1 / 24) + 1e-12);
    expect(logGrid(1, 10, 1)).toEqual([1, 10]);
    expect(() => logGrid(0, 1, 3)).toThrow(RangeError);
  });

  it(
    'returning the base policy is "no hacking" but not a strict improvement: with λ ≥ σ_R̃ the χ² solution is ' +
      'the base policy, so fracNoHacking = 1 while fracStrictImproving = 0',
    () => {
      const r = runSeed({ ...config, lambdas: [1, 2, 5] }, 3);
      expect(r.metrics['chi2-om/fracNoHacking']).toBe(1);
      expect(r.metrics['chi2-om/fracStrictImproving']).toBe(0);
      for (const x of r.series!['chi2-om/true'].slice(0, 3)) expect(Math.abs(x)).toBeLessThan(1e-9);
    },
  );
});
