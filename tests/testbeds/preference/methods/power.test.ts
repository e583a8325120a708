import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { totalWeight, type Comparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { trainLogits } from '../../../../src/testbeds/preference/loops/full-batch';
import { btLossTabular } from '../../../../src/testbeds/preference/methods/bradley-terry';
import {
  powerImplicitReward,
  powerLoss,
  weightedEntropyPolicy,
} from '../../../../src/testbeds/preference/methods/power';
import { rpoLoss } from '../../../../src/testbeds/preference/methods/rpo';
import { logSoftmaxRows, softmaxRows, type TableShape } from '../../../../src/testbeds/preference/policies/logit-table';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

const weightsOf = (rng: Rng, n: number) => {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 + 1.5 * rng.uniform();
  return w;
};

/** Σ_y π r + β H_w(π) for one context. */
const objective = (p: ArrayLike<number>, r: ArrayLike<number>, w: ArrayLike<number>, beta: number) => {
  let s = 0;
  for (let y = 0; y < p.length; y++) s += p[y] * r[y] - beta * w[y] * p[y] * Math.log(p[y]);
  return s;
};

/**
 * The maximin objective (1) of methods/power.ts in the reward, with the inner maximum over π taken exactly:
 * F(r) = L_BT(r) + η·(Σ_x ctx_x·max_π[E_π r + βH_w(π)] − Σ π'·r); ∂/∂r of the max is π_r (envelope theorem).
 */
function maximinInReward(r: Float64Array, c: Comparisons, sh: TableShape, w: Float64Array, beta: number, eta: number) {
  const { nX, nY } = sh;
  const bt = btLossTabular(r, c, sh);
  const W = totalWeight(c, 'test');
  const ctx = new Float64Array(nX),
    chosen = new Float64Array(nX * nY);
  for (let i = 0; i < c.n; i++) {
    const v = c.w[i] / W;
    ctx[c.x[i]] += v;
    chosen[c.x[i] * nY + c.a[i]] += v * c.p[i];
    chosen[c.x[i] * nY + c.b[i]] += v * (1 - c.p[i]);
  }
  let loss = bt.loss;
  const grad = Float64Array.from(bt.grad);
  const probs = new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    const rx = r.subarray(x * nY, (x + 1) * nY),
      wx = w.subarray(x * nY, (x + 1) * nY);
    const { probs: p } = weightedEntropyPolicy(rx, wx, beta);
    loss += eta * ctx[x] * objective(p, rx, wx, beta);
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      probs[i] = p[y];
      loss -= eta * chosen[i] * r[i];
      grad[i] += eta * (ctx[x] * p[y] - chosen[i]);
    }
  }
  return { loss, grad, probs };
}

describe('POWER (weighted-entropy robust reward) on a tabular policy', () => {
  const rng = new Rng(41);
  const c = inconsistentSoftData(rng);
  const n = shape.nX * shape.nY;

  it('the loss gradient matches finite differences, with and without Guiaşu weights', () => {
    const th = randomVec(rng, n);
    const w = weightsOf(rng, n);
    expect(fdCheck((t) => powerLoss(t, c, shape, { beta: 0.7, eta: 1.3, weights: w }), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => powerLoss(t, c, shape, { beta: 0.4, eta: 0.2 }), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => powerLoss(t, c, shape, { beta: 0.4, eta: 0 }), th)).toBeLessThan(1e-6);
  });

  it('weightedEntropyPolicy maximises E_π r + βH_w(π) and its reward identity (2) holds', () => {
    const r = randomVec(rng, 6, 2),
      w = weightsOf(rng, 6);
    const beta = 0.6;
    const { probs, lambda } = weightedEntropyPolicy(r, w, beta);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (let y = 0; y < 6; y++) expect(beta * w[y] * (Math.log(probs[y]) + 1) + lambda).toBeCloseTo(r[y], 9);
    const best = objective(probs, r, w, beta);
    for (let k = 0; k < 200; k++) {
      const q = Float64Array.from(probs, (p) => p * Math.exp(0.3 * rng.normal()));
      const s = q.reduce((a, b) => a + b, 0);
      expect(
        objective(
          q.map((v) => v / s),
          r,
          w,
          beta,
        ),
      ).toBeLessThanOrEqual(best + 1e-12);
    }
    // With unit weights it is the softmax π ∝ exp(r/β).
    const soft = weightedEntropyPolicy(r, new Float64Array(6).fill(1), beta).probs;
    const z = r.map((v) => Math.exp(v / beta));
    const zs = z.reduce((a, b) => a + b, 0);
    expect(
      maxAbsDiff(
        soft,
        z.map((v) => v / zs),
      ),
    ).toBeLessThan(1e-12);
  });

  it('with unit weights POWER is RPO with a uniform reference (same gradient; loss + ηβ)', () => {
    const th = randomVec(rng, n);
    const uniform = logSoftmaxRows(new Float64Array(n), shape);
    const p = powerLoss(th, c, shape, { beta: 0.5, eta: 2 });
    const q = rpoLoss(th, uniform, c, shape, 0.5, 2);
    expect(maxAbsDiff(p.grad, q.grad)).toBeLessThan(1e-12);
    expect(p.loss - q.loss).toBeCloseTo(0.5 * 2, 10);
  });

  it('the POWER minimiser equals the maximin policy of (1) computed through the adversarial reward', () => {
    const sh: TableShape = { nX: 2, nY: 4 };
    const r0 = new Rng(43);
    const data = inconsistentSoftData(r0, sh);
    const w = weightsOf(r0, 8);
    const beta = 0.8,
      eta = 0.7;
    const theta = trainLogits({
      loss: (t) => powerLoss(t, data, sh, { beta, eta, weights: w }),
      init: new Float64Array(8),
      steps: 40000,
      optimiser: 'sgd',
      lr: 1,
    });
    const r = trainLogits({
      loss: (v) => maximinInReward(v, data, sh, w, beta, eta),
      init: new Float64Array(8),
      steps: 40000,
      optimiser: 'sgd',
      lr: 1,
    });
    const gmax = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(gmax(powerLoss(theta, data, sh, { beta, eta, weights: w }).grad)).toBeLessThan(1e-9);
    expect(gmax(maximinInReward(r, data, sh, w, beta, eta).grad)).toBeLessThan(1e-9);
    const pPower = softmaxRows(theta, sh);
    const pMaximin = maximinInReward(r, data, sh, w, beta, eta).probs;
    expect(maxAbsDiff(pPower, pMaximin)).toBeLessThan(1e-7);
    // and the implicit reward of the POWER policy is the adversarial reward up to a per-context constant
    const ri = powerImplicitReward(logSoftmaxRows(theta, sh), beta, w);
    for (let x = 0; x < 2; x++)
      for (let y = 1; y < 4; y++) expect(ri[x * 4 + y] - ri[x * 4]).toBeCloseTo(r[x * 4 + y] - r[x * 4], 5);
  });
});
