import { fdCheck, maxAbsDiff } from '../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  exactComparisons,
  makeComparisons,
  sampleComparisons,
  type Comparisons,
} from '../../src/testbeds/preference/data';
import {
  btLossOnDifferences,
  btLossTabular,
  featureDifferences,
  fitBTLinear,
  fitBTTabular,
} from '../../src/testbeds/preference/bt-reward';
import { dpoLoss, implicitReward, sftLoss, trainLogits, type LossAndGrad } from '../../src/testbeds/preference/dpo';
import { ipoLoss } from '../../src/testbeds/preference/ipo';
import { rpoLoss } from '../../src/testbeds/preference/rpo';
import { adversarialRewardObjective, equivalenceCheck } from '../../src/testbeds/preference/rpo-experiment';
import {
  expectedKL,
  expectedValue,
  klRegularisedOptimum,
  logSoftmaxRows,
  softmaxRows,
} from '../../src/testbeds/preference/tabular-policy';

const shape = { nX: 3, nY: 5 };

function randomVec(rng: Rng, n: number, s = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = s * rng.normal();
  return v;
}

/** Soft-labelled comparisons on every pair of every context, with labels that are NOT Bradley–Terry consistent. */
function inconsistentSoftData(rng: Rng): Comparisons {
  const rows: { x: number; a: number; b: number; p: number; w: number }[] = [];
  for (let x = 0; x < shape.nX; x++)
    for (let a = 0; a < shape.nY; a++)
      for (let b = a + 1; b < shape.nY; b++)
        rows.push({ x, a, b, p: 0.1 + 0.8 * rng.uniform(), w: 0.5 + rng.uniform() });
  return makeComparisons(rows);
}

describe('Bradley–Terry reward models', () => {
  it('tabular fit recovers a known reward up to a per-context constant from exact-probability comparisons', () => {
    const rng = new Rng(11);
    const gold = randomVec(rng, shape.nX * shape.nY, 2);
    const { reward, report } = fitBTTabular(exactComparisons({ ...shape, gold, d: 0 }), shape);
    expect(report.converged).toBe(true);
    for (let x = 0; x < shape.nX; x++) {
      const off = x * shape.nY;
      const shift = reward[off] - gold[off];
      for (let y = 0; y < shape.nY; y++) expect(Math.abs(reward[off + y] - gold[off + y] - shift)).toBeLessThan(1e-9);
    }
  });

  it('linear fit recovers θ* exactly from exact-probability comparisons (identifiable: no constant)', () => {
    const rng = new Rng(12);
    const d = 4;
    const features = randomVec(rng, shape.nX * shape.nY * d);
    const theta = randomVec(rng, d);
    const gold = new Float64Array(shape.nX * shape.nY);
    for (let i = 0; i < gold.length; i++) for (let k = 0; k < d; k++) gold[i] += theta[k] * features[i * d + k];
    const fit = fitBTLinear(exactComparisons({ ...shape, gold, d }), features, d, shape);
    expect(maxAbsDiff(fit.theta, theta)).toBeLessThan(1e-8);
  });

  it('a sampled dataset does NOT recover the reward exactly (the test above could fail)', () => {
    const rng = new Rng(13);
    const gold = randomVec(rng, shape.nX * shape.nY, 2);
    const behaviour = new Float64Array(gold.length).fill(1 / shape.nY);
    const c = sampleComparisons(rng, { ...shape, gold, d: 0 }, { behaviour, perContext: 40, labels: 'bradley-terry' });
    const { reward } = fitBTTabular(c, shape, { l2: 1e-3 });
    let worst = 0;
    for (let x = 0; x < shape.nX; x++) {
      const off = x * shape.nY,
        shift = reward[off] - gold[off];
      for (let y = 0; y < shape.nY; y++) worst = Math.max(worst, Math.abs(reward[off + y] - gold[off + y] - shift));
    }
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('gradients of the tabular and linear BT losses match finite differences', () => {
    const rng = new Rng(14);
    const c = inconsistentSoftData(rng);
    expect(fdCheck((r) => btLossTabular(r, c, shape, 0.3), randomVec(rng, shape.nX * shape.nY))).toBeLessThan(1e-6);
    const d = 3;
    const features = randomVec(rng, shape.nX * shape.nY * d);
    const D = featureDifferences(c, features, d, shape.nY);
    expect(fdCheck((th) => btLossOnDifferences(th, D, c.p, c.w, 0.1), randomVec(rng, d))).toBeLessThan(1e-6);
  });

  it('the fitted tabular reward is a stationary point (gradient ≈ 0) on inconsistent soft labels', () => {
    const c = inconsistentSoftData(new Rng(15));
    const { reward } = fitBTTabular(c, shape);
    expect(maxAbsDiff(btLossTabular(reward, c, shape).grad, new Float64Array(reward.length))).toBeLessThan(1e-10);
  });
});

describe('DPO, IPO, RPO on a tabular policy', () => {
  const rng = new Rng(21);
  const c = inconsistentSoftData(rng);
  const logpRef = logSoftmaxRows(randomVec(rng, shape.nX * shape.nY), shape);

  it('gradients of DPO, IPO, SFT and RPO losses match finite differences', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    const base = softmaxRows(randomVec(rng, shape.nX * shape.nY), shape);
    expect(fdCheck((t) => dpoLoss(t, logpRef, c, shape, 0.7), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => ipoLoss(t, logpRef, c, shape, 0.7), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => sftLoss(t, shape, { kind: 'chosen' }, c), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => rpoLoss(t, logpRef, c, shape, 0.7, 2), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => rpoLoss(t, logpRef, c, shape, 0.7, 2, { kind: 'policy', probs: base }), th)).toBeLessThan(
      1e-6,
    );
    expect(fdCheck((r) => adversarialRewardObjective(r, c, shape, logpRef, base, 1.5, 0.7), th)).toBeLessThan(1e-6);
  });

  for (const beta of [0.5, 2]) {
    it(`DPO's fixed point equals π* ∝ π_ref·exp(r̂/β) for the BT-MLE r̂ on the same data (β = ${beta})`, () => {
      const { reward: rhat } = fitBTTabular(c, shape);
      const star = klRegularisedOptimum(logpRef, rhat, beta, shape);
      const theta = trainLogits({
        loss: (t) => dpoLoss(t, logpRef, c, shape, beta),
        init: logpRef,
        steps: 20000,
        optimiser: 'sgd',
        lr: 20 / (beta * beta),
      });
      const logp = logSoftmaxRows(theta, shape);
      expect(maxAbsDiff(logp, star)).toBeLessThan(1e-7);
      // and the implicit reward β·log π/π_ref equals r̂ up to a per-context constant
      const imp = implicitReward(logp, logpRef, beta);
      for (let x = 0; x < shape.nX; x++) {
        const off = x * shape.nY,
          k = imp[off] - rhat[off];
        for (let y = 0; y < shape.nY; y++) expect(Math.abs(imp[off + y] - rhat[off + y] - k)).toBeLessThan(1e-6);
      }
      // the same π* is the maximiser of E_π[r̂] − β·KL(π‖π_ref): random perturbations do worse
      const obj = (lp: Float64Array) =>
        expectedValue(lp.map(Math.exp), rhat, shape) - beta * expectedKL(lp, logpRef, shape);
      const best = obj(star);
      for (let k = 0; k < 20; k++) {
        const pert = Float64Array.from(star);
        for (let i = 0; i < pert.length; i++) pert[i] += 0.05 * rng.normal();
        expect(obj(logSoftmaxRows(pert, shape))).toBeLessThan(best);
      }
    });
  }

  it('IPO converges to log-ratio margins (2p − 1)/(2τ) when each pair appears once (all pairs, consistent targets)', () => {
    // Targets are consistent when p comes from differences of per-response scores: u_ab = s_a − s_b.
    const sr = new Rng(22);
    const s = Array.from({ length: shape.nX * shape.nY }, () => 0.5 * sr.uniform() - 0.25);
    const tau = 0.8;
    const rows: { x: number; a: number; b: number; p: number }[] = [];
    for (let x = 0; x < shape.nX; x++)
      for (let a = 0; a < shape.nY; a++)
        for (let b = a + 1; b < shape.nY; b++)
          rows.push({ x, a, b, p: 0.5 + tau * (s[x * shape.nY + a] - s[x * shape.nY + b]) });
    const cc = makeComparisons(rows);
    const theta = trainLogits({
      loss: (t) => ipoLoss(t, logpRef, cc, shape, tau),
      init: logpRef,
      steps: 4000,
      optimiser: 'sgd',
      lr: 2,
    });
    for (let i = 0; i < cc.n; i++) {
      const ia = cc.x[i] * shape.nY + cc.a[i],
        ib = cc.x[i] * shape.nY + cc.b[i];
      const u = theta[ia] - theta[ib] - (logpRef[ia] - logpRef[ib]);
      expect(Math.abs(u - (2 * cc.p[i] - 1) / (2 * tau))).toBeLessThan(1e-8);
    }
  });

  it('RPO (Algorithm 2) equals the maximin policy of Algorithm 1 computed through the adversarial reward', () => {
    const r = equivalenceCheck({ nX: 2, nY: 4, eta: 0.7, beta: 0.5, steps: 20000, lr: 1 }, new Rng(23));
    expect(r.gradRpo).toBeLessThan(1e-10);
    expect(r.gradAdv).toBeLessThan(1e-10);
    expect(r.maxAbsDiff).toBeLessThan(1e-9);
  });

  it('RPO with η = 0 is DPO, and a large η pulls the policy toward the chosen responses', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    expect(maxAbsDiff(rpoLoss(th, logpRef, c, shape, 0.7, 0).grad, dpoLoss(th, logpRef, c, shape, 0.7).grad)).toBe(0);
    const hard = sampleComparisons(
      new Rng(24),
      { ...shape, gold: randomVec(new Rng(25), 15), d: 0 },
      { behaviour: new Float64Array(15).fill(0.2), perContext: 6, labels: 'deterministic' },
    );
    const sftNll = (t: Float64Array) => sftLoss(t, shape, { kind: 'chosen' }, hard).loss;
    const run = (eta: number) =>
      trainLogits({
        loss: (t) => rpoLoss(t, logpRef, hard, shape, 0.5, eta),
        init: logpRef,
        steps: 500,
        optimiser: 'adam',
        lr: 0.05,
      });
    expect(sftNll(run(20))).toBeLessThan(sftNll(run(0)));
  });
});
