import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { kl, logProbs, randomSoftmaxPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';
import {
  klMatchedBeta,
  klRegularisedOptimum,
  klRegularisedOptimumLogp,
} from '../../../../src/testbeds/preference/solvers/kl-optimum';

describe('the KL-regularised optimum', () => {
  it('the KL-regularised optimum maximises E_π r − β·KL(π‖π_ref)', () => {
    const rng = new Rng(8);
    const ref = randomSoftmaxPolicy(rng.split('ref'), 2, 5, 1);
    const r = rng.split('r').normals(10);
    const beta = 0.4;
    const star = klRegularisedOptimum(ref, r, beta);
    const obj = (p: typeof ref) => {
      let s = 0;
      for (let i = 0; i < 10; i++) s += p.probs[i] * r[i];
      return s / 2 - beta * kl(p, ref);
    };
    const best = obj(star);
    // closed-form value: β·E_x log Σ_y π_ref(y|x)·exp(r(x,y)/β)
    let v = 0;
    for (let x = 0; x < 2; x++) {
      let z = 0;
      for (let y = 0; y < 5; y++) z += ref.probs[x * 5 + y] * Math.exp(r[x * 5 + y] / beta);
      v += beta * Math.log(z);
    }
    expect(best).toBeCloseTo(v / 2, 12);
    for (let k = 0; k < 20; k++) expect(obj(randomSoftmaxPolicy(rng.split(`q${k}`), 2, 5, 2))).toBeLessThan(best);
  });

  it('its two forms (probabilities, log-probabilities) agree to rounding', () => {
    const rng = new Rng(9);
    const ref = randomSoftmaxPolicy(rng.split('ref'), 3, 7, 1);
    const r = rng.split('r').normals(21);
    const p = klRegularisedOptimum(ref, r, 0.3);
    const lp = klRegularisedOptimumLogp(logProbs(ref), r, 0.3, { nX: 3, nY: 7 });
    for (let i = 0; i < 21; i++) expect(Math.abs(Math.exp(lp[i]) - p.probs[i])).toBeLessThan(1e-14);
  });

  it('the KL-matched β puts the optimum at the target KL from the reference', () => {
    const rng = new Rng(10);
    const ref = randomSoftmaxPolicy(rng.split('ref'), 4, 6, 1);
    const r = rng.split('r').normals(24);
    for (const target of [0.01, 0.3, 1]) {
      const beta = klMatchedBeta(ref, r, target);
      expect(kl(klRegularisedOptimum(ref, r, beta), ref)).toBeCloseTo(target, 9);
    }
  });
});
