/**
 * The 2-D diffusion testbed's ground truth: the mixture's score equals finite differences of its log-density (at
 * t = 0 and for the noised marginals), the noised marginal matches a Monte-Carlo convolution, exact samples have
 * the mixture's moments, the grid masses normalise and integrate the box, the grid tilt matches the closed-form
 * tilted mixtures (quadratic and linear rewards), KL(p‖p) = 0, KL and TV of distinct densities are positive,
 * and the tilted target is the maximiser of E_q[r] − β·KL(q‖p) (its value is β·log Z).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  RING8,
  baseMixture,
  gmmLogDensity,
  gmmNoised,
  gmmSample,
  gmmScore,
  goldProxyPair,
  gridCoarsen,
  gridExpectation,
  gridGmm,
  gridHistogram,
  gridKl,
  gridMasses,
  gridModeMasses,
  rewardOnGrid,
  gridTilt,
  gridTv,
  linearReward2d,
  makeGmm2d,
  makeGrid2d,
  promptMixture,
  quadraticReward2d,
  sampleModeMasses,
  sparseReward2d,
  tiltScorer,
} from '../../../src/testbeds/diffusion2d/env';
import { tiltGmmLinear, tiltGmmQuadratic } from '../../../src/testbeds/diffusion2d/solvers';

const aniso = makeGmm2d([
  { weight: 2, mean: [1, -0.5], cov: [0.5, 0.2, 0.3] },
  { weight: 1, mean: [-1.5, 1], std: 0.4 },
  { weight: 1, mean: [0, 2], cov: [0.2, -0.1, 0.6] },
]);

describe('diffusion2d mixtures', () => {
  it('score = finite differences of log p, at t = 0 and for noised marginals', () => {
    const rng = new Rng(1);
    for (const g of [aniso, baseMixture(RING8), gmmNoised(aniso, 0.6, 0.8), gmmNoised(baseMixture(RING8), 0.3, 0.9)]) {
      const x = rng.normals(40, 0, 2);
      const s = gmmScore(g, x, 20);
      const e = 1e-5;
      for (let i = 0; i < 40; i++) {
        const xp = Float64Array.from(x),
          xm = Float64Array.from(x);
        xp[i] += e;
        xm[i] -= e;
        const n = i >> 1;
        const fd = (gmmLogDensity(g, xp, 20)[n] - gmmLogDensity(g, xm, 20)[n]) / (2 * e);
        expect(Math.abs(fd - s[i])).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
      }
    }
  });

  it('the noised marginal is the convolution a·x_0 + s·ε (Monte Carlo)', () => {
    const rng = new Rng(2);
    const a = 0.7,
      s = 0.5;
    const pt = gmmNoised(aniso, a, s);
    const y = [0.4, -0.1];
    // p_t(y) = E_{x0}[N(y; a x0, s² I)]
    const M = 200_000;
    const { x } = gmmSample(aniso, M, rng);
    let acc = 0;
    for (let n = 0; n < M; n++) {
      const dx = y[0] - a * x[2 * n],
        dy = y[1] - a * x[2 * n + 1];
      acc += Math.exp(-(dx * dx + dy * dy) / (2 * s * s)) / (2 * Math.PI * s * s);
    }
    const mc = acc / M;
    const exact = Math.exp(gmmLogDensity(pt, y, 1)[0]);
    expect(Math.abs(mc - exact) / exact).toBeLessThan(0.02);
  });

  it('exact samples have the mixture mean and covariance', () => {
    const { x } = gmmSample(aniso, 100_000, new Rng(3));
    let mx = 0,
      my = 0;
    for (let n = 0; n < 100_000; n++) {
      mx += x[2 * n] / 1e5;
      my += x[2 * n + 1] / 1e5;
    }
    const ex = 0.5 * 1 + 0.25 * -1.5 + 0.25 * 0,
      ey = 0.5 * -0.5 + 0.25 * 1 + 0.25 * 2;
    expect(Math.abs(mx - ex)).toBeLessThan(0.02);
    expect(Math.abs(my - ey)).toBeLessThan(0.02);
  });

  it('prompts reweight the base components and drop the zero ones', () => {
    const odd = promptMixture(RING8, 'odd');
    expect(odd.w.length).toBe(4);
    expect(Array.from(odd.w)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => promptMixture(RING8, 'nope')).toThrow(/no prompt/);
  });
});

describe('diffusion2d grid', () => {
  const grid = makeGrid2d(-5, 5, 128);
  const pRef = gridGmm(grid, baseMixture(RING8));

  it('grid masses normalise and hold the mixture mass inside the box', () => {
    const { p, inside } = gridMasses(grid, (x, N) => gmmLogDensity(aniso, x, N));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.abs(inside - 1)).toBeLessThan(1e-4);
    expect(gridKl(pRef, pRef)).toBe(0);
    expect(gridTv(pRef, pRef)).toBe(0);
  });

  it('the tilted target matches the closed-form tilt (quadratic and linear) and normalises', () => {
    const g = baseMixture(RING8);
    const beta = 0.5;
    const rq = quadraticReward2d([3, 0], 1.5);
    const q = gridTilt(pRef, rewardOnGrid(grid, rq), beta).q;
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const exactQ = gridGmm(grid, tiltGmmQuadratic(g, [3, 0], 1.5, beta));
    expect(gridTv(q, exactQ)).toBeLessThan(1e-6);
    expect(gridKl(q, pRef)).toBeGreaterThan(0.3);
    const rl = linearReward2d([0.3, -0.2]);
    const ql = gridTilt(pRef, rewardOnGrid(grid, rl), beta).q;
    expect(gridTv(ql, gridGmm(grid, tiltGmmLinear(g, [0.3, -0.2], beta)))).toBeLessThan(1e-6);
  });

  it('the tilted target maximises E_q[r] − β KL(q‖p) with value β log Z', () => {
    const r = rewardOnGrid(grid, goldProxyPair([3, 0], 0.8, [1, 0], 0.2).gold);
    const beta = 0.2;
    const { q, logZ } = gridTilt(pRef, r, beta);
    const obj = (d: Float64Array) => gridExpectation(d, r) - beta * gridKl(d, pRef);
    expect(obj(q)).toBeCloseTo(beta * logZ, 9);
    const mix = q.map((v, i) => 0.9 * v + 0.1 * pRef[i]);
    expect(obj(mix)).toBeLessThan(obj(q));
    expect(obj(pRef)).toBeLessThan(obj(q));
  });

  it('histograms of exact samples approach the grid density; mode masses match the weights', () => {
    const g = promptMixture(RING8, 'skewed');
    const pg = gridGmm(grid, g);
    const { x } = gmmSample(g, 50_000, new Rng(4));
    const c = gridCoarsen(grid, pg, 4);
    const h = gridCoarsen(grid, gridHistogram(grid, x, 50_000).p, 4);
    const kl = gridKl(h.p, c.p);
    expect(kl).toBeLessThan(0.02);
    expect(kl).toBeGreaterThan(0);
    const wrong = gridCoarsen(grid, pRef, 4).p;
    expect(gridKl(h.p, wrong)).toBeGreaterThan(0.2);
    const base = baseMixture(RING8);
    const mm = gridModeMasses(grid, pg, base);
    const sm = sampleModeMasses(x, 50_000, base);
    const w = [8, 4, 2, 1, 1, 1, 1, 1].map((v) => v / 19);
    for (let k = 0; k < 8; k++) {
      expect(Math.abs(mm[k] - w[k])).toBeLessThan(1e-3);
      expect(Math.abs(sm[k] - w[k])).toBeLessThan(0.01);
    }
  });

  it('rewards: gradients match finite differences; sparse is an indicator; the proxy agrees with gold at c', () => {
    const { gold, proxy } = goldProxyPair([3, 0], 0.8, [1, 0], 0.2);
    const x = new Rng(5).normals(20, 0, 2);
    for (const r of [gold, proxy, quadraticReward2d([1, 2], 0.7), linearReward2d([0.5, -1])]) {
      const gr = r.grad!(x, 10);
      for (let i = 0; i < 20; i++) {
        const xp = Float64Array.from(x),
          xm = Float64Array.from(x);
        xp[i] += 1e-6;
        xm[i] -= 1e-6;
        const fd = (r.value(xp, 10)[i >> 1] - r.value(xm, 10)[i >> 1]) / 2e-6;
        expect(Math.abs(fd - gr[i])).toBeLessThan(1e-6);
      }
    }
    expect(Array.from(sparseReward2d([0, 0], 1).value([0.5, 0.5, 1, 1], 2))).toEqual([1, 0]);
    expect(proxy.value([10, 0], 1)[0]).toBeGreaterThan(proxy.value([3, 0], 1)[0]);
    expect(gold.value([10, 0], 1)[0]).toBeLessThan(1e-10);
  });
});

describe('diffusion2d tilt scorer', () => {
  const grid = makeGrid2d(-5, 5, 128);
  const g = baseMixture(RING8);
  const pRef = gridGmm(grid, g);
  const reward = quadraticReward2d([3, 0], 2);

  it('scores exact tilted samples near 0 and p_ref samples at KL(p_ref ‖ q); counts outside points', () => {
    const beta = 0.5;
    const s = tiltScorer(grid, pRef, reward, beta, 4);
    const N = 50_000;
    const xq = gmmSample(tiltGmmQuadratic(g, [3, 0], 2, beta), N, new Rng(7)).x;
    const fq = s.score(xq, N);
    expect(fq.klTilt).toBeLessThan(0.02);
    // the tilted samples are as far from p_ref as the tilt itself (up to the histogram's bias)
    expect(Math.abs(fq.klRef - gridKl(s.qCoarse, s.pRefCoarse))).toBeLessThan(0.03);
    expect(Math.abs(fq.reward - s.tiltReward)).toBeLessThan(0.02);
    const xp = gmmSample(g, N, new Rng(8)).x;
    const fp = s.score(xp, N);
    expect(Math.abs(fp.klTilt - gridKl(s.pRefCoarse, s.qCoarse))).toBeLessThan(0.03);
    expect(fp.klTilt).toBeGreaterThan(0.3);
    expect(fp.outside).toBe(0);
    // points outside the box count in the outside fraction and the reward, not in the histogram
    const withOut = Float64Array.from([...xp.subarray(0, 2 * 999), 9, 9]);
    const fo = s.score(withOut, 1000);
    expect(fo.outside).toBeCloseTo(1 / 1000, 12);
    expect(fo.reward).toBeCloseTo(reward.value(withOut, 1000).reduce((a, b) => a + b, 0) / 1000, 12);
  });
});
