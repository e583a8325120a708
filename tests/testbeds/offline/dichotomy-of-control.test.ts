import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  bernoulliBanditMdp,
  officialBanditBehaviour,
  officialBanditSpec,
} from '../../../src/testbeds/offline/env/bernoulli-bandit';
import { FROZEN_LAKE_4X4, frozenLake } from '../../../src/testbeds/offline/env/frozen-lake';
import { collectDataset, type OfflineDataset } from '../../../src/testbeds/offline/data/dataset';
import { finiteHorizonValue } from '../../../src/testbeds/offline/solvers/finite-horizon';
import { returnConditioned, undiscountedReturnsToGo } from '../../../src/testbeds/offline/methods/return-conditioned';
import {
  dichotomyOfControl,
  docFromPosterior,
  docObjective,
} from '../../../src/testbeds/offline/methods/dichotomy-of-control';

const bandit = bernoulliBanditMdp(officialBanditSpec(0.1));
const banditData = collectDataset(
  bandit,
  officialBanditBehaviour(0.1),
  { episodes: 1000, horizon: 1, quality: 'official' },
  new Rng(11),
);
const lake = frozenLake({ map: FROZEN_LAKE_4X4, noSlip: 1 / 3, gamma: 0.99 });
const lakeData = collectDataset(
  lake,
  new Float64Array(64).fill(0.25),
  { episodes: 40, horizon: 30, quality: 'uniform' },
  new Rng(12),
);

/** Bandit counts n(a, r). */
function banditCounts(d: OfflineDataset): number[][] {
  const n = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < d.size; i++) n[d.a[i]][d.r[i] > 0 ? 1 : 0]++;
  return n;
}

/** One-hot posterior over K latents from a latent per episode. */
function oneHot(z: number[], K: number): Float64Array {
  const q = new Float64Array(z.length * K);
  z.forEach((k, i) => (q[i * K + k] = 1));
  return q;
}

describe('return-conditioned supervised learning (tabular DT)', () => {
  it('conditioned on return 1 in the bandit, it pulls each arm in proportion to its wins in the data', () => {
    const n = banditCounts(banditData);
    const dt = returnConditioned(banditData);
    expect(dt.target).toBe(1);
    expect(dt.matched).toBe(n[0][1] + n[1][1]);
    expect(dt.policy[1]).toBeCloseTo(n[1][1] / (n[0][1] + n[1][1]), 15);
    // Its value is the win-share mixture of the arms (0.1 and 0.9), near 0.5 since the wins split evenly.
    const v = finiteHorizonValue(bandit, dt.policy, 1);
    expect(v).toBeCloseTo(0.1 + 0.8 * dt.policy[1], 14);
    expect(Math.abs(v - 0.5)).toBeLessThan(0.15);
  });
  it('returns-to-go are undiscounted suffix sums within each episode; unmatched states get the uniform policy', () => {
    const G = undiscountedReturnsToGo(lakeData);
    for (let i = 0; i < lakeData.size; i++) {
      let g = 0;
      for (let j = i; j < lakeData.size && lakeData.episode[j] === lakeData.episode[i]; j++) g += lakeData.r[j];
      expect(G[i]).toBe(g);
    }
    const dt = returnConditioned(lakeData, { target: 0 });
    expect(dt.target).toBe(0);
    const never = returnConditioned(lakeData, { target: 7 });
    expect(never.matched).toBe(0);
    for (const p of never.policy) expect(p).toBe(0.25);
  });
});

describe('the DoC objective', () => {
  it('its gradient is ∂F/∂q by central finite differences (envelope theorem), at β = 0 and β = 3', () => {
    const K = 3;
    const rng = new Rng(5);
    const N = 40;
    const q = new Float64Array(N * K);
    for (let i = 0; i < q.length; i++) q[i] = 0.2 + rng.uniform();
    for (const beta of [0, 3]) {
      const { grad } = docObjective(lakeData, q, K, beta);
      for (const k of [0, 7, 31, 62, 100, 119]) {
        const h = 1e-5;
        const up = q.slice(),
          dn = q.slice();
        up[k] += h;
        dn[k] -= h;
        const fd = (docObjective(lakeData, up, K, beta).F - docObjective(lakeData, dn, K, beta).F) / (2 * h);
        expect(Math.abs(fd - grad[k])).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
      }
    }
  });
  it('the MI term is the exact conditional MI: 0 for z = action, H(r | a) for z = (action, reward)', () => {
    const n = banditCounts(banditData);
    const byAction = oneHot(Array.from(banditData.a), 4);
    const byOutcome = oneHot(
      Array.from(banditData.a, (a, i) => 2 * a + (banditData.r[i] > 0 ? 1 : 0)),
      4,
    );
    expect(docObjective(banditData, byAction, 4, 1).mi).toBeCloseTo(0, 14);
    let hra = 0;
    for (const a of [0, 1]) {
      const na = n[a][0] + n[a][1];
      for (const r of [0, 1]) if (n[a][r] > 0) hra -= (n[a][r] / banditData.size) * Math.log(n[a][r] / na);
    }
    const o = docObjective(banditData, byOutcome, 4, 1);
    expect(o.mi).toBeCloseTo(hra, 12);
    // The value NLL is then 0 and the action NLL 0; under z = action the value NLL is H(r | a).
    expect(o.valueNll).toBeCloseTo(0, 12);
    expect(docObjective(banditData, byAction, 4, 1).valueNll).toBeCloseTo(hra, 12);
    // The contrastive bound with the optimal critic f* = log p(r|a,z)/ρ(r|a) equals the MI: E[f*] − E log E_ρ e^{f*}.
    let ef = 0,
      elogz = 0;
    for (let a = 0; a < 2; a++)
      for (let r = 0; r < 2; r++) {
        if (n[a][r] === 0) continue;
        const na = n[a][0] + n[a][1];
        const rho = (x: number) => n[a][x] / na;
        const f = (x: number, zr: number) => (x === zr ? Math.log(1 / rho(x)) : -Infinity); // p(r|a,z) is one-hot
        ef += (n[a][r] / banditData.size) * f(r, r);
        let z = 0;
        for (const x of [0, 1]) if (n[a][x] > 0) z += rho(x) * Math.exp(f(x, r));
        elogz += (n[a][r] / banditData.size) * Math.log(z);
      }
    expect(ef - elogz).toBeCloseTo(o.mi, 12);
  });
  it('a model from a posterior: per-latent policies, prior, values and the eligible argmax', () => {
    const byOutcome = oneHot(
      Array.from(banditData.a, (a, i) => 2 * a + (banditData.r[i] > 0 ? 1 : 0)),
      4,
    );
    const m = docFromPosterior(banditData, byOutcome, 4, 0, 0.01);
    const n = banditCounts(banditData);
    expect(m.prior[1]).toBeCloseTo(n[0][1] / 1000, 15);
    expect(Array.from(m.value)).toEqual([0, 1, 0, 1]);
    expect(m.chosen).toBe(1); // the first latent of value 1: the lucky pulls of the bad arm
    expect(m.policy[0]).toBe(1);
    expect(() => docFromPosterior(banditData, new Float64Array(3), 4, 0, 0)).toThrow(/N×K/);
  });
});

describe('DoC training', () => {
  const opts = { latents: 4, steps: 400, lr: 0.05, initScale: 0.88, minPrior: 0.01, curveEvery: 50 };
  it('with the MI penalty it finds the better arm and predicts its own value (consistency)', () => {
    const m = dichotomyOfControl(banditData, { ...opts, beta: 10 }, new Rng(1));
    const n = banditCounts(banditData);
    expect(m.policy[1]).toBeGreaterThan(0.99);
    expect(m.predicted).toBeCloseTo(n[1][1] / (n[1][0] + n[1][1]), 2);
    expect(m.mi).toBeLessThan(1e-3);
    expect(m.curve[m.curve.length - 1]).toBeLessThan(m.curve[0]);
  });
  it('without it (β = 0) the value loss makes the latent encode the luck: V(z*) ≈ 1, far from its value', () => {
    const m = dichotomyOfControl(banditData, { ...opts, beta: 0 }, new Rng(1));
    expect(m.predicted).toBeGreaterThan(0.95);
    expect(m.mi).toBeGreaterThan(0.2);
    expect(Math.abs(finiteHorizonValue(bandit, m.policy, 1) - m.predicted)).toBeGreaterThan(0.05);
  });
  it('rejects bad options', () => {
    expect(() => dichotomyOfControl(banditData, { ...opts, beta: -1 }, new Rng(1))).toThrow(/beta/);
    expect(() => dichotomyOfControl(banditData, { ...opts, beta: 1, minPrior: 0.5 }, new Rng(1))).toThrow(/minPrior/);
  });
});
