/**
 * The implicit-maximiser value losses (XQL's Gumbel regression, f-DVL's χ²) and their SGD loop: derivatives by finite
 * differences, exact minimisers by their optimality conditions and limits, float32 overflow, and convergence of the
 * tabular SGD to the exact fixed point.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { goalTask } from '../../../src/testbeds/offline/env/tasks';
import { behaviourPolicy, collectDataset, type OfflineDataset } from '../../../src/testbeds/offline/data/dataset';
import { empiricalIndex } from '../../../src/testbeds/offline/data/empirical';
import { fittedQIteration } from '../../../src/testbeds/offline/methods/fqi';
import { gumbelGrad, gumbelLoss, gumbelStabilisedGrads, softMaxValue } from '../../../src/testbeds/offline/methods/xql';
import { chiSquareGrad, chiSquareLoss, chiSquareValue } from '../../../src/testbeds/offline/methods/f-dvl';
import { implicitValueFixedPoint, trainImplicitValue } from '../../../src/testbeds/offline/loops/implicit-value-sgd';

const open = goalTask({ layout: 'open-room', size: 4, gamma: 0.9, slip: 0 });
const data: OfflineDataset = collectDataset(
  open,
  behaviourPolicy(open, { kind: 'random' }),
  { episodes: 80, horizon: 20, quality: 'random' },
  new Rng(3),
);
const idx = empiricalIndex(data);

describe('value losses', () => {
  it('gradients match central differences of the losses', () => {
    for (const u of [-3, -0.7, 0.2, 1.5])
      for (const beta of [0.5, 1, 2]) {
        const h = 1e-6;
        const fd = (gumbelLoss(u + h, beta) - gumbelLoss(u - h, beta)) / (2 * h);
        expect(gumbelGrad(u, beta)).toBeCloseTo(fd, 4);
      }
    for (const u of [-6, -1, 0.5, 3])
      for (const lambda of [0.5, 0.8]) {
        const h = 1e-6;
        const fd = (chiSquareLoss(u + h, lambda) - chiSquareLoss(u - h, lambda)) / (2 * h);
        expect(chiSquareGrad(u, lambda)).toBeCloseTo(fd, 5);
      }
  });

  it('the Gumbel gradient overflows float32 where e^{u/β} does (u/β > 88.72), the χ² gradient grows linearly', () => {
    expect(gumbelGrad(88, 1)).toBeLessThan(Infinity);
    expect(gumbelGrad(89, 1)).toBe(Infinity);
    expect(chiSquareGrad(1e6, 0.5)).toBeCloseTo(0.5 * (1 + 5e5) - 0.5, 6);
  });

  it('the stabilised Gumbel gradient is the plain one scaled by e^{−m}, and 0 beyond the clip', () => {
    const beta = 0.5;
    const u = Float64Array.from([-1, 0.3, 2.0, 5.0]); // z = u/β: −2, 0.6, 4, 10 (clipped at 7)
    const out = new Float64Array(4);
    gumbelStabilisedGrads(u, 4, beta, 7, out);
    const m = 7; // max(min(z, 7)) = 7
    // (both round e^{·} to float32: equal to a relative 1e-6)
    for (let i = 0; i < 3; i++)
      expect(Math.abs(out[i] - gumbelGrad(u[i], beta) * Math.exp(-m))).toBeLessThan(1e-6 * Math.abs(out[i]) + 1e-12);
    expect(out[3]).toBe(0);
  });
});

describe('exact minimisers', () => {
  const Q = new Float64Array(idx.nS * idx.nA);
  const rng = new Rng(9);
  for (let k = 0; k < Q.length; k++) Q[k] = -3 * rng.uniform();

  it("XQL's soft maximum zeroes the Gumbel loss's derivative under the data's actions", () => {
    for (const beta of [0.3, 1]) {
      const V = softMaxValue(idx, Q, beta);
      for (let s = 0; s < idx.nS; s++) {
        if (idx.stateCount[s] === 0) continue;
        let g = 0;
        for (let a = 0; a < idx.nA; a++) g += idx.count[s * idx.nA + a] * gumbelGrad(Q[s * idx.nA + a] - V[s], beta);
        expect(Math.abs(g) / idx.stateCount[s]).toBeLessThan(1e-6); // e^{·} is rounded to float32
      }
    }
  });

  it("f-DVL's χ² minimiser zeroes the derivative, and tends to the in-sample max as λ → 1", () => {
    // The loss has a kink at u = 0 (max(u + u²/4, 0)): check the subgradient condition D(V − ε) ≤ 0 ≤ D(V + ε) of
    // D(v) = Σ_a n(s, a) [−ℓ'(Q(s, a) − v)], the non-decreasing derivative of the per-state objective.
    for (const lambda of [0.5, 0.8]) {
      const V = chiSquareValue(idx, Q, lambda);
      for (let s = 0; s < idx.nS; s++) {
        if (idx.stateCount[s] === 0) continue;
        const D = (v: number) => {
          let g = 0;
          for (let a = 0; a < idx.nA; a++)
            g -= idx.count[s * idx.nA + a] * chiSquareGrad(Q[s * idx.nA + a] - v, lambda);
          return g;
        };
        expect(D(V[s] - 1e-7)).toBeLessThanOrEqual(1e-9);
        expect(D(V[s] + 1e-7)).toBeGreaterThanOrEqual(-1e-9);
        expect(D(V[s] - 0.05)).toBeLessThan(0); // and it is the root, not any point of a wide bracket
      }
    }
    const V = chiSquareValue(idx, Q, 0.9999);
    for (let s = 0; s < idx.nS; s++) {
      if (idx.stateCount[s] === 0) continue;
      let mx = -Infinity;
      for (let a = 0; a < idx.nA; a++) if (idx.count[s * idx.nA + a] > 0) mx = Math.max(mx, Q[s * idx.nA + a]);
      expect(V[s]).toBeCloseTo(mx, 6); // Q spread < 4: the flat region starts at max Q
    }
    expect(() => chiSquareValue(idx, Q, 1)).toThrow(/lambda must lie in \(0, 1\)/);
  });

  it('both fixed points tend to fitted Q iteration (in-sample max) at the implicit-maximiser limits', () => {
    const fqi = fittedQIteration(data, { tol: 1e-12 });
    for (const loss of [
      { kind: 'gumbel', beta: 1e-4 },
      { kind: 'chi-square', lambda: 0.99999 },
    ] as const) {
      const fp = implicitValueFixedPoint(data, loss, { tol: 1e-12 });
      for (let k = 0; k < fp.Q.length; k++) if (idx.count[k] > 0) expect(fp.Q[k]).toBeCloseTo(fqi.Q![k], 2);
    }
  });
});

describe('SGD loop', () => {
  it('the tabular critic converges to the exact fixed point of its loss', () => {
    for (const loss of [
      { kind: 'chi-square', lambda: 0.8 },
      { kind: 'gumbel', beta: 0.5 },
    ] as const) {
      const exact = implicitValueFixedPoint(data, loss);
      const r = trainImplicitValue(data, loss, { steps: 6000, batch: 256, lr: 0.02 }, new Rng(4));
      expect(r.diverged).toBe(false);
      let err = 0;
      for (let s = 0; s < idx.nS; s++) if (idx.stateCount[s] > 0) err = Math.max(err, Math.abs(r.V[s] - exact.V[s]));
      expect(err).toBeLessThan(0.15);
    }
  });

  it('flags divergence when the Gumbel exponential overflows float32, and records the blown-up gradient', () => {
    const big: OfflineDataset = { ...data, r: Float64Array.from(data.r, () => 200) };
    // Adam moves every parameter by about lr per step, so Q̄ − V oscillates on the scale of lr; with β = 1e-3 that
    // exceeds 88.72·β and e^{(Q̄−V)/β} overflows float32.
    const r = trainImplicitValue(big, { kind: 'gumbel', beta: 1e-3 }, { steps: 200, batch: 64, lr: 0.5 }, new Rng(5));
    expect(r.maxLossGrad).toBe(Infinity);
    expect(r.diverged).toBe(true);
    for (let k = 0; k < r.policy.length; k++) expect(r.policy[k]).toBeCloseTo(1 / idx.nA, 12);
    const c = trainImplicitValue(
      big,
      { kind: 'chi-square', lambda: 0.8 },
      { steps: 200, batch: 64, lr: 0.5 },
      new Rng(5),
    );
    expect(Number.isFinite(c.maxLossGrad)).toBe(true);
  });

  it('is deterministic in its generator and rejects bad options', () => {
    const o = { steps: 50, batch: 16, lr: 0.05 };
    const a = trainImplicitValue(data, { kind: 'chi-square', lambda: 0.7 }, o, new Rng(1));
    const b = trainImplicitValue(data, { kind: 'chi-square', lambda: 0.7 }, o, new Rng(1));
    expect(Array.from(a.V)).toEqual(Array.from(b.V));
    expect(() => trainImplicitValue(data, { kind: 'chi-square', lambda: 0.7 }, { ...o, lr: 0 }, new Rng(1))).toThrow(
      /lr > 0/,
    );
  });
});
