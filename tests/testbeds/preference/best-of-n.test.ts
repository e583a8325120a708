import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { bestOfNValue } from '../../../src/testbeds/preference/solvers/best-of-n';

describe('exact best-of-n on a finite pool', () => {
  it('matches enumeration of all n-tuples of draws', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 5; trial++) {
      const m = 4,
        n = 3;
      const ref = rng.dirichlet(m);
      const proxy = rng.normals(m),
        gold = rng.normals(m);
      let e = 0;
      for (let t = 0; t < m ** n; t++) {
        const draws = [t % m, Math.floor(t / m) % m, Math.floor(t / m / m)];
        let prob = 1,
          best = draws[0];
        for (const k of draws) {
          prob *= ref[k];
          if (proxy[k] > proxy[best]) best = k;
        }
        e += prob * gold[best];
      }
      expect(bestOfNValue(ref, proxy, gold, n)).toBeCloseTo(e, 12);
    }
  });

  it('n = 1 gives the reference mean and large n the gold value of the proxy argmax', () => {
    const ref = [0.1, 0.2, 0.3, 0.4],
      proxy = [3, 1, 2, 0],
      gold = [1, 2, 3, 4];
    expect(bestOfNValue(ref, proxy, gold, 1)).toBeCloseTo(3, 12);
    expect(bestOfNValue(ref, proxy, gold, 2000)).toBeCloseTo(1, 6);
  });
});
