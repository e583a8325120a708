import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { exactGradient, objective, randomBinaryBandit } from '../../../../src/testbeds/rlvr/env/bandit';
import { banditPolicyState } from '../../../../src/testbeds/rlvr/loops/bandit-pg';
import {
  addEntropyGradient,
  addKlGradient,
  covarianceRows,
  entropyRows,
  klRows,
  logSoftmaxPerRow,
  softmaxPerRow,
} from '../../../../src/testbeds/rlvr/policies/tabular-softmax';

describe('rlvr tabular softmax: exact gradients', () => {
  const rng = new Rng(7);
  const { bandit, logits } = randomBinaryBandit(rng, { nPrompts: 3, nResponses: 5, correct: [1, 2] });
  const K = bandit.nResponses;
  it('exactGradient matches central finite differences of J', () => {
    const g = exactGradient(bandit, softmaxPerRow(logits, K));
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const zp = logits.slice(),
        zm = logits.slice();
      zp[i] += h;
      zm[i] -= h;
      const fd = (objective(bandit, softmaxPerRow(zp, K)) - objective(bandit, softmaxPerRow(zm, K))) / (2 * h);
      expect(g[i]).toBeCloseTo(fd, 8);
    }
  });
  it('entropy and KL gradients match finite differences', () => {
    const ref = logSoftmaxPerRow(
      logits.map((z, i) => z * 0.5 + (i % 3)),
      K,
    );
    const H = (z: Float64Array) => entropyRows(softmaxPerRow(z, K), K)[1];
    const KL = (z: Float64Array) => klRows(logSoftmaxPerRow(z, K), ref, K)[1];
    const p = softmaxPerRow(logits, K),
      lp = logSoftmaxPerRow(logits, K);
    const gH = new Float64Array(logits.length),
      gK = new Float64Array(logits.length);
    addEntropyGradient(p, lp, K, 1, 1, gH);
    addKlGradient(p, lp, ref, K, 1, 1, gK);
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const zp = logits.slice(),
        zm = logits.slice();
      zp[i] += h;
      zm[i] -= h;
      expect(gH[i]).toBeCloseTo((H(zp) - H(zm)) / (2 * h), 7);
      expect(gK[i]).toBeCloseTo((KL(zp) - KL(zm)) / (2 * h), 7);
    }
  });
});

describe('entropy-mechanism identity on a tabular softmax: ΔH = −Cov(log π, Δz) + O(‖Δz‖²)', () => {
  const rng = new Rng(21);
  const K = 8,
    Q = 5;
  const z = Float64Array.from({ length: Q * K }, () => rng.normal(0, 1.5));
  const v = Float64Array.from({ length: Q * K }, () => rng.normal(0, 1));
  const p = softmaxPerRow(z, K),
    lp = logSoftmaxPerRow(z, K);
  const H0 = entropyRows(p, K);
  const cov = covarianceRows(p, lp, v, K);
  const err = (eps: number) => {
    const z1 = z.map((x, i) => x + eps * v[i]);
    const H1 = entropyRows(softmaxPerRow(z1, K), K);
    let e = 0;
    for (let q = 0; q < Q; q++) e += Math.abs(H1[q] - H0[q] - -eps * cov[q]);
    return e;
  };
  it('the residual shrinks quadratically with the step (halving the step quarters it)', () => {
    for (const eps of [0.1, 0.01, 0.001]) {
      const ratio = err(eps) / err(eps / 2);
      expect(ratio).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    }
  });
  it('the first-order term is the derivative: residual/step → 0, and the prediction carries the sign', () => {
    expect(err(1e-4) / 1e-4).toBeLessThan(1e-3);
    const z1 = z.map((x, i) => x + 1e-3 * v[i]);
    const H1 = entropyRows(softmaxPerRow(z1, K), K);
    for (let q = 0; q < Q; q++) expect(Math.sign(H1[q] - H0[q])).toBe(Math.sign(-cov[q]));
  });
  it('under the exact policy gradient (Δz = η π A) the covariance is Cov(log π, π A)', () => {
    const { bandit, logits } = randomBinaryBandit(new Rng(4), { nPrompts: 6, nResponses: 8 });
    const st = banditPolicyState(logits, 8);
    const pa = exactGradient(bandit, st.probs).map((g) => g * bandit.nPrompts); // π ⊙ A
    const eta = 1e-3;
    const z1 = logits.map((x, i) => x + eta * pa[i]);
    const H1 = entropyRows(softmaxPerRow(z1, 8), 8),
      H0b = entropyRows(st.probs, 8);
    const c = covarianceRows(st.probs, st.logProbs, pa, 8);
    for (let q = 0; q < 6; q++) expect(H1[q] - H0b[q]).toBeCloseTo(-eta * c[q], 6);
  });
});
