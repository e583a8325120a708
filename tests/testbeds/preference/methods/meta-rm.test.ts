import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { differenceObjective, metaRmStep } from '../../../../src/testbeds/preference/methods/meta-rm';
import { StrengthAwareReward } from '../../../../src/testbeds/preference/methods/preference-strength';

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('MetaRM difference objective (eq. 11)', () => {
  it('matches a hand computation and is invariant to a shift of all rewards', () => {
    // one prompt, k = 3: J = (2/9)[σ(|1−0|) + σ(|1−3|) + σ(|0−3|)]
    const { J } = differenceObjective([1, 0, 3], 1, 3);
    expect(J).toBeCloseTo((2 / 9) * (sigma(1) + sigma(2) + sigma(3)), 12);
    expect(differenceObjective([11, 10, 13], 1, 3).J).toBeCloseTo(J, 12);
    // two prompts: the mean of the two prompts' values; equal rewards give the minimum (2/k²)·C(k,2)·½
    const two = differenceObjective([1, 0, 3, 5, 5, 5], 2, 3);
    expect(two.J).toBeCloseTo((J + (2 / 9) * 3 * 0.5) / 2, 12);
  });

  it('its derivative matches central differences', () => {
    const r = [0.3, -1.2, 2.0, 0.9, 0.1, -0.4, 1.7, 0.2];
    const { dr } = differenceObjective(r, 2, 4);
    const h = 1e-6;
    for (let i = 0; i < r.length; i++) {
      const up = [...r],
        down = [...r];
      up[i] += h;
      down[i] -= h;
      const fd = (differenceObjective(up, 2, 4).J - differenceObjective(down, 2, 4).J) / (2 * h);
      expect(dr[i]).toBeCloseTo(fd, 7);
    }
  });
});

describe('MetaRM step (Algorithm 1)', () => {
  it('with η = 0 it is the vanilla step; otherwise it applies the vanilla gradient taken at θ + η∇J', () => {
    const rng = new Rng(11);
    const d = 3,
      n = 4,
      G = 2,
      k = 3;
    const draw = (m: number) => Float32Array.from({ length: m * d }, () => rng.normal());
    const xs = draw(G * k),
      xc = draw(n),
      xr = draw(n);
    const ones = [1, 1, 1, 1],
      zeros = [0, 0, 0, 0];
    const make = () => new StrengthAwareReward({ dIn: d, hidden: [4], lr: 1e-2 }, new Rng(5).split('init'));
    const a = make(),
      b = make();
    metaRmStep(a, xs, G, k, xc, xr, ones, zeros, n, 0);
    b.step(xc, xr, ones, zeros, n);
    expect(Array.from(a.net.params.f)).toEqual(Array.from(b.net.params.f));

    // manual: gradient of J at θ, ascend, gradient of L at θ', Adam step from θ with it
    const eta = 0.5;
    const m = make(),
      ref = make();
    const out = ref.net.forward(xs, G * k);
    const { dr } = differenceObjective(out, G, k);
    ref.net.zeroGrad();
    ref.net.backward(Float32Array.from(dr));
    const theta = Float32Array.from(ref.net.params.f);
    const gJ = Float32Array.from(ref.net.grads.f);
    for (let i = 0; i < theta.length; i++) ref.net.params.f[i] += eta * gJ[i];
    ref.lossAndGrad(xc, xr, ones, zeros, n);
    ref.net.params.f.set(theta);
    ref.applyGradient();
    metaRmStep(m, xs, G, k, xc, xr, ones, zeros, n, eta);
    expect(Array.from(m.net.params.f)).toEqual(Array.from(ref.net.params.f));
    // and it differs from the vanilla step
    expect(Array.from(m.net.params.f)).not.toEqual(Array.from(b.net.params.f));
  });
});
