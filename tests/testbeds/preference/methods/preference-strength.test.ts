import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  ensembleStrength,
  lowestStrengthFlags,
  marginSmoothedLoss,
  StrengthAwareReward,
} from '../../../../src/testbeds/preference/methods/preference-strength';

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('preference strength (eq. 4)', () => {
  it('mean and population std of a 2-model ensemble match a hand computation', () => {
    // pair 0: d = 1 and 3 → μ̂ = 2, σ̂ = √(((1−2)² + (3−2)²)/2) = 1; pair 1: −2 and 0 → −1, 1; pair 2: equal → σ̂ = 0
    const { mean, std } = ensembleStrength([Float64Array.of(1, -2, 0.5, 4), Float64Array.of(3, 0, 0.5, -4)]);
    expect(Array.from(mean)).toEqual([2, -1, 0.5, 0]);
    expect(Array.from(std)).toEqual([1, 1, 0, 4]);
  });

  it('rejects ensembles that score different numbers of pairs', () => {
    expect(() => ensembleStrength([Float64Array.of(1), Float64Array.of(1, 2)])).toThrow(RangeError);
    expect(() => ensembleStrength([])).toThrow(RangeError);
  });
});

describe('label flipping rule (§2.4.1)', () => {
  it('flags exactly the ⌊fraction·n⌋ pairs of lowest mean strength', () => {
    const mu = [0.3, -1, 2, -0.5, 0.1];
    expect(Array.from(lowestStrengthFlags(mu, 0.4))).toEqual([0, 1, 0, 1, 0]);
    expect(Array.from(lowestStrengthFlags(mu, 0.2))).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(lowestStrengthFlags(mu, 0))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(lowestStrengthFlags(mu, 1))).toEqual([1, 1, 1, 1, 1]);
    // ties go to the lower index
    expect(Array.from(lowestStrengthFlags([1, 0, 0, 0], 0.5))).toEqual([0, 1, 1, 0]);
    expect(() => lowestStrengthFlags(mu, 1.5)).toThrow(RangeError);
  });
});

describe('label smoothing (eq. 5) and adaptive margin (eq. 6)', () => {
  it('equal the closed forms and their derivatives match central differences', () => {
    for (const [delta, alpha, m] of [
      [0.7, 0.1, 0],
      [-1.3, 0.3, 0.4],
      [2.5, 0, 1.2],
      [0.2, 0.5, -0.8],
    ]) {
      const t = 1 - alpha;
      const z = delta - m;
      const closed = -((1 - alpha) * Math.log(sigma(z)) + alpha * Math.log(1 - sigma(z)));
      const g = marginSmoothedLoss(delta, t, m);
      expect(g.loss).toBeCloseTo(closed, 12);
      const h = 1e-5;
      const fd = (marginSmoothedLoss(delta + h, t, m).loss - marginSmoothedLoss(delta - h, t, m).loss) / (2 * h);
      expect(g.dd).toBeCloseTo(fd, 8);
    }
  });

  it('with target 1 and margin 0 is the Bradley–Terry loss −log σ(Δ) (eq. 2)', () => {
    for (const delta of [-3, -0.1, 0, 0.5, 4])
      expect(marginSmoothedLoss(delta, 1, 0).loss).toBeCloseTo(-Math.log(sigma(delta)), 12);
  });

  it('the margin shifts the optimum: with α the loss is minimised at Δ = m + log((1−α)/α)', () => {
    const alpha = 0.2,
      m = 0.9;
    const star = m + Math.log((1 - alpha) / alpha);
    expect(marginSmoothedLoss(star, 1 - alpha, m).dd).toBeCloseTo(0, 12);
    expect(marginSmoothedLoss(star - 0.1, 1 - alpha, m).dd).toBeLessThan(0);
    // a larger margin asks for a larger reward gap: the loss at a fixed Δ grows with m
    expect(marginSmoothedLoss(1, 1, 2).loss).toBeGreaterThan(marginSmoothedLoss(1, 1, 0).loss);
  });
});

describe('StrengthAwareReward', () => {
  it('its parameter gradient matches central differences of the mean batch loss', () => {
    const rng = new Rng(7);
    const n = 6,
      d = 3;
    const model = new StrengthAwareReward({ dIn: d, hidden: [5], lr: 1e-3 }, rng.split('init'));
    const xc = Float32Array.from({ length: n * d }, () => rng.normal());
    const xr = Float32Array.from({ length: n * d }, () => rng.normal());
    const target = [1, 0.7, 1, 0, 0.7, 1];
    const margin = [0, 0.5, -0.3, 1.1, 0, 0.2];
    model.lossAndGrad(xc, xr, target, margin, n);
    const grad = Float64Array.from(model.net.grads.f);
    const p = model.net.params.f;
    const lossAt = () => {
      const dl = model.differences(xc, xr, n);
      let s = 0;
      for (let i = 0; i < n; i++) s += marginSmoothedLoss(dl[i], target[i], margin[i]).loss / n;
      return s;
    };
    for (const k of [0, 4, 11, 17, p.length - 2, p.length - 1]) {
      const old = p[k];
      const h = 1e-2;
      p[k] = old + h;
      const up = lossAt();
      p[k] = old - h;
      const down = lossAt();
      p[k] = old;
      expect(grad[k]).toBeCloseTo((up - down) / (2 * h), 3);
    }
  });

  it('learns a linear preference from clean labels', () => {
    const rng = new Rng(3);
    const d = 4,
      n = 32;
    const model = new StrengthAwareReward({ dIn: d, hidden: [16], lr: 1e-2 }, rng.split('init'));
    const w = [1, -2, 0.5, 0];
    const u = (x: Float32Array, i: number) => w.reduce((s, wj, j) => s + wj * x[i * d + j], 0);
    let last = 0;
    for (let t = 0; t < 300; t++) {
      const a = Float32Array.from({ length: n * d }, () => rng.normal());
      const b = Float32Array.from({ length: n * d }, () => rng.normal());
      const xc = new Float32Array(n * d),
        xr = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const aw = u(a, i) > u(b, i);
        xc.set((aw ? a : b).subarray(i * d, (i + 1) * d), i * d);
        xr.set((aw ? b : a).subarray(i * d, (i + 1) * d), i * d);
      }
      last = model.step(xc, xr, new Float64Array(n).fill(1), new Float64Array(n), n);
    }
    expect(last).toBeLessThan(0.2);
  });
});
