import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomFiniteHorizonMdp, type FiniteHorizonMdp } from '../../../../src/testbeds/tabular/env/finite-horizon';
import {
  kernelFromFactors,
  linearRewards,
  nominalKernels,
  oneHotLinearMdp,
  randomLinearMdp,
  validateLinearMdp,
} from '../../../../src/testbeds/tabular/env/linear-mdp';
import { makeEnv } from '../../../../src/testbeds/tabular/env/mdp';
import { optimalQ } from '../../../../src/testbeds/tabular/solvers/effective-horizon';
import { valueIteration } from '../../../../src/testbeds/tabular/solvers/exact';
import {
  evaluateUnderKernels,
  greedyOneHot,
  robustBellmanOptimality,
  robustDRectangular,
  robustSaRectangular,
  robustValueIteration,
  tvWorstCase,
  tvWorstCaseDual,
  type DiscountedModel,
} from '../../../../src/testbeds/tabular/solvers/robust-value-iteration';

interface Lp {
  solve(problem: string): { Status: string; ObjectiveValue: number };
}
let highs: Lp;
beforeAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('highs') as () => Promise<Lp>;
  highs = await load();
});

/** inf ⟨q, V⟩ s.t. q ≥ 0, Σq = 1, ½Σ|q − p| ≤ ρ, as an LP in (q, t) with t ≥ |q − p|, solved by HiGHS. */
function lpWorstCase(p: Float64Array, V: Float64Array, rho: number): number {
  const n = p.length;
  const num = (x: number) => x.toFixed(15);
  const lines = ['Minimize', ' obj: ' + V.reduce((acc, v, s) => `${acc} + ${num(v)} q${s}`, '0 q0'), 'Subject To'];
  lines.push(' mass: ' + Array.from({ length: n }, (_, s) => `q${s}`).join(' + ') + ' = 1');
  lines.push(' tv: ' + Array.from({ length: n }, (_, s) => `0.5 t${s}`).join(' + ') + ` <= ${num(rho)}`);
  for (let s = 0; s < n; s++) {
    lines.push(` up${s}: t${s} - q${s} >= ${num(-p[s])}`);
    lines.push(` dn${s}: t${s} + q${s} >= ${num(p[s])}`);
  }
  lines.push('Bounds');
  for (let s = 0; s < n; s++) lines.push(` 0 <= q${s} <= 1`, ` 0 <= t${s} <= 2`);
  lines.push('End');
  const sol = highs.solve(lines.join('\n'));
  expect(sol.Status).toBe('Optimal');
  return sol.ObjectiveValue;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let v = 0;
  for (let k = 0; k < a.length; k++) v += a[k] * b[k];
  return v;
};
const tv = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let v = 0;
  for (let k = 0; k < a.length; k++) v += Math.abs(a[k] - b[k]);
  return v / 2;
};

function randomInstance(rng: Rng, n: number): { p: Float64Array; V: Float64Array } {
  const p = rng.dirichlet(n, 0.5);
  // Sparse p half the time, so the ball reaches states outside the support.
  if (rng.uniform() < 0.5) {
    p[rng.int(n)] = 0;
    const z = p.reduce((a, b) => a + b, 0);
    for (let s = 0; s < n; s++) p[s] /= z;
  }
  const V = Float64Array.from({ length: n }, () => rng.range(-1, 3));
  return { p, V };
}

describe('TV ball worst case (inner problem)', () => {
  it('closed form = HiGHS LP = dual formula on random instances, and the minimiser is feasible', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + rng.int(7);
      const { p, V } = randomInstance(rng, n);
      const rho = [0, 0.05, 0.2, 0.5, 0.9, 1.3][trial % 6] * (trial % 7 === 0 ? 1 : rng.uniform());
      const { value, q } = tvWorstCase(p, V, rho);
      expect(value).toBeCloseTo(lpWorstCase(p, V, rho), 7);
      expect(value).toBeCloseTo(tvWorstCaseDual(p, V, rho), 10);
      expect(dot(q, V)).toBeCloseTo(value, 12);
      expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const x of q) expect(x).toBeGreaterThanOrEqual(-1e-15);
      expect(tv(q, p)).toBeLessThanOrEqual(rho + 1e-12);
    }
  });

  it('brute force over a fine grid of the 3-simplex brackets the closed form', () => {
    const rng = new Rng(12);
    const step = 1 / 300;
    for (let trial = 0; trial < 8; trial++) {
      const { p, V } = randomInstance(rng, 3);
      const rho = rng.range(0, 0.7);
      let gridMin = Infinity;
      for (let i = 0; i <= 300; i++)
        for (let j = 0; i + j <= 300; j++) {
          const q = [i * step, j * step, 1 - (i + j) * step];
          if (tv(q, p) <= rho) gridMin = Math.min(gridMin, dot(q, V));
        }
      const { value } = tvWorstCase(p, V, rho);
      const range = Math.max(...V) - Math.min(...V);
      expect(value).toBeLessThanOrEqual(gridMin + 1e-12); // feasible grid points cannot beat the infimum
      expect(gridMin - value).toBeLessThanOrEqual(3 * step * range); // and the grid gets within its mesh
    }
  });

  it('ρ = 0 gives ⟨p, V⟩, ρ ≥ 1 gives min V, and the value is non-increasing in ρ', () => {
    const rng = new Rng(13);
    for (let trial = 0; trial < 20; trial++) {
      const { p, V } = randomInstance(rng, 6);
      expect(tvWorstCase(p, V, 0).value).toBeCloseTo(dot(p, V), 12);
      expect(tvWorstCase(p, V, 1).value).toBeCloseTo(Math.min(...V), 12);
      expect(tvWorstCase(p, V, 7).value).toBeCloseTo(Math.min(...V), 12);
      let prev = Infinity;
      for (let rho = 0; rho <= 1; rho += 0.05) {
        const v = tvWorstCase(p, V, rho).value;
        expect(v).toBeLessThanOrEqual(prev + 1e-12);
        prev = v;
      }
    }
  });

  it('moves mass from the highest-value successors onto the lowest-value state (hand example)', () => {
    // p = (0.5, 0.3, 0.2), V = (3, 2, 0), ρ = 0.6: take 0.5 from s=0 and 0.1 from s=1, put 0.6 on s=2.
    const { value, q } = tvWorstCase(Float64Array.of(0.5, 0.3, 0.2), Float64Array.of(3, 2, 0), 0.6);
    expect(Array.from(q)).toEqual([0, expect.closeTo(0.2, 12), expect.closeTo(0.8, 12)]);
    expect(value).toBeCloseTo(0.4, 12);
    expect(() => tvWorstCase(Float64Array.of(1), Float64Array.of(1), -0.1)).toThrow(RangeError);
  });
});

function smallMdp(seed: number, nS = 5, nA = 3, T = 4): FiniteHorizonMdp {
  return randomFiniteHorizonMdp(new Rng(seed), { nS, nA, T, branching: 3, rewardDensity: 0.6 });
}

/** Every deterministic time-indexed policy as a one-hot array (tiny MDPs only). */
function allDeterministicPolicies(nS: number, nA: number, H: number): Float64Array[] {
  const out: Float64Array[] = [];
  const cells = H * nS;
  for (let code = 0; code < nA ** cells; code++) {
    const pi = new Float64Array(cells * nA);
    let c = code;
    for (let k = 0; k < cells; k++) {
      pi[k * nA + (c % nA)] = 1;
      c = Math.floor(c / nA);
    }
    out.push(pi);
  }
  return out;
}

describe('(s, a)-rectangular robust backward induction', () => {
  it('ρ = 0 recovers standard finite-horizon value iteration', () => {
    for (const seed of [1, 2, 3]) {
      const m = smallMdp(seed);
      const robust = robustSaRectangular(m, 0);
      const Qstar = optimalQ(m);
      for (let k = 0; k < Qstar.length; k++) expect(robust.Q[k]).toBeCloseTo(Qstar[k], 12);
    }
  });

  it('robust Q = backward induction with every inner problem solved as an LP by HiGHS', () => {
    const m = smallMdp(6, 4, 2, 3);
    const { nS, nA, T: H } = m;
    for (const rho of [0.1, 0.35]) {
      const sol = robustSaRectangular(m, rho);
      let next = new Float64Array(nS);
      for (let h = H - 1; h >= 0; h--) {
        const cur = new Float64Array(nS).fill(-Infinity);
        for (let sa = 0; sa < nS * nA; sa++) {
          const q = m.r[sa] + lpWorstCase(m.P.slice(sa * nS, (sa + 1) * nS), next, rho);
          expect(sol.Q[h * nS * nA + sa]).toBeCloseTo(q, 7);
          cur[Math.floor(sa / nA)] = Math.max(cur[Math.floor(sa / nA)], q);
        }
        next = cur;
      }
    }
  });

  it('robust optimum = max over all deterministic policies of their robust value (brute force)', () => {
    const m = smallMdp(4, 2, 2, 3);
    for (const rho of [0.1, 0.4]) {
      const opt = robustSaRectangular(m, rho).value;
      let best = -Infinity;
      for (const pi of allDeterministicPolicies(m.nS, m.nA, m.T))
        best = Math.max(best, robustSaRectangular(m, rho, pi).value);
      expect(opt).toBeCloseTo(best, 12);
    }
  });

  it("the adversary's kernels give the robust value; other kernels in the set do no worse", () => {
    const rng = new Rng(5);
    const m = smallMdp(5);
    const { nS, nA, T: H } = m;
    const r = new Float64Array(H * nS * nA);
    for (let h = 0; h < H; h++) r.set(m.r, h * nS * nA);
    const pi = new Float64Array(H * nS * nA);
    for (let k = 0; k < H * nS; k++) pi.set(rng.dirichlet(nA, 1), k * nA);
    for (const rho of [0, 0.15, 0.5]) {
      const sol = robustSaRectangular(m, rho, pi);
      expect(evaluateUnderKernels(nS, nA, H, sol.worst, r, m.init, pi)).toBeCloseTo(sol.value, 12);
      for (let trial = 0; trial < 20; trial++) {
        // q = (1 − λ) p + λ u has D_TV(q, p) = λ D_TV(u, p) ≤ λ ≤ ρ.
        const K = new Float64Array(H * nS * nA * nS);
        for (let h = 0; h < H; h++)
          for (let sa = 0; sa < nS * nA; sa++) {
            const u = rng.dirichlet(nS, 0.3);
            const lam = rho * rng.uniform();
            for (let sp = 0; sp < nS; sp++)
              K[(h * nS * nA + sa) * nS + sp] = (1 - lam) * m.P[sa * nS + sp] + lam * u[sp];
          }
        expect(evaluateUnderKernels(nS, nA, H, K, r, m.init, pi)).toBeGreaterThanOrEqual(sol.value - 1e-12);
      }
    }
    // The robust value decreases with ρ.
    const values = [0, 0.1, 0.3, 0.6, 1].map((rho) => robustSaRectangular(m, rho).value);
    for (let k = 1; k < values.length; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1] + 1e-12);
    expect(values[0] - values[values.length - 1]).toBeGreaterThan(1e-3);
  });
});

describe('d-rectangular robust backward induction (linear MDPs)', () => {
  const linear = () =>
    randomLinearMdp(new Rng(7), {
      nS: 6,
      nA: 3,
      d: 4,
      H: 5,
      featureConcentration: 0.5,
      factorConcentration: 0.5,
      denseRewards: true,
    });

  it('the random linear MDP is valid and its nominal kernels are distributions', () => {
    const m = linear();
    expect(() => validateLinearMdp(m)).not.toThrow();
    const K = nominalKernels(m);
    for (let row = 0; row < m.H * m.nS * m.nA; row++) {
      let sum = 0;
      for (let sp = 0; sp < m.nS; sp++) sum += K[row * m.nS + sp];
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('one-hot features: d-rectangular = (s, a)-rectangular', () => {
    const m = smallMdp(8);
    const lin = oneHotLinearMdp({ nS: m.nS, nA: m.nA, H: m.T, P: m.P, r: m.r, init: m.init });
    for (const rho of [0, 0.2, 0.7]) {
      const a = robustSaRectangular(m, rho);
      const b = robustDRectangular(lin, rho);
      for (let k = 0; k < a.Q.length; k++) expect(b.Q[k]).toBeCloseTo(a.Q[k], 12);
    }
  });

  it('ρ = 0 = standard backward induction on the nominal kernels', () => {
    const m = linear();
    const { nS, nA, H } = m;
    const K = nominalKernels(m);
    const r = linearRewards(m);
    const sol = robustDRectangular(m, 0);
    const pi = greedyOneHot(sol.Q, nS, nA, H);
    expect(evaluateUnderKernels(nS, nA, H, K, r, m.init, pi)).toBeCloseTo(sol.value, 12);
    // and no deterministic policy does better under the nominal kernels (value of a random sample of them)
    const rng = new Rng(9);
    for (let trial = 0; trial < 200; trial++) {
      const other = new Float64Array(H * nS * nA);
      for (let k = 0; k < H * nS; k++) other[k * nA + rng.int(nA)] = 1;
      expect(evaluateUnderKernels(nS, nA, H, K, r, m.init, other)).toBeLessThanOrEqual(sol.value + 1e-12);
    }
  });

  it("adversary's factors lie in the balls and attain the robust value; perturbed factors do no worse", () => {
    const m = linear();
    const { nS, nA, d, H } = m;
    const r = linearRewards(m);
    const rng = new Rng(10);
    for (const rho of [0.1, 0.4]) {
      const sol = robustDRectangular(m, rho);
      const pi = greedyOneHot(sol.Q, nS, nA, H);
      for (let row = 0; row < H * d; row++)
        expect(
          tv(sol.worstFactors.subarray(row * nS, (row + 1) * nS), m.mu.subarray(row * nS, (row + 1) * nS)),
        ).toBeLessThanOrEqual(rho + 1e-12);
      expect(evaluateUnderKernels(nS, nA, H, sol.worst, r, m.init, pi)).toBeCloseTo(sol.value, 12);
      for (let trial = 0; trial < 20; trial++) {
        const K = new Float64Array(H * nS * nA * nS);
        for (let h = 0; h < H; h++) {
          const nu = new Float64Array(d * nS);
          for (let i = 0; i < d; i++) {
            const u = rng.dirichlet(nS, 0.3);
            const lam = rho * rng.uniform();
            for (let sp = 0; sp < nS; sp++) nu[i * nS + sp] = (1 - lam) * m.mu[(h * d + i) * nS + sp] + lam * u[sp];
          }
          K.set(kernelFromFactors(m, nu), h * nS * nA * nS);
        }
        expect(evaluateUnderKernels(nS, nA, H, K, r, m.init, pi)).toBeGreaterThanOrEqual(sol.value - 1e-12);
      }
    }
  });

  it('d-rectangular set ⊂ (s, a)-rectangular set of the same radius: its robust value is higher', () => {
    const m = linear();
    const { nS, nA, H } = m;
    const K = nominalKernels(m);
    const r = linearRewards(m);
    for (const rho of [0.05, 0.2, 0.5]) {
      const dRect = robustDRectangular(m, rho);
      const pi = greedyOneHot(dRect.Q, nS, nA, H);
      // (s, a)-rectangular robust evaluation of the same policy, step by step on the time-dependent kernels.
      let saValue = 0;
      {
        let next = new Float64Array(nS);
        for (let h = H - 1; h >= 0; h--) {
          const cur = new Float64Array(nS);
          for (let s = 0; s < nS; s++)
            for (let a = 0; a < nA; a++) {
              const w = pi[h * nS * nA + s * nA + a];
              if (w === 0) continue;
              const row = K.subarray((h * nS * nA + s * nA + a) * nS, (h * nS * nA + s * nA + a + 1) * nS);
              cur[s] += w * (r[h * nS * nA + s * nA + a] + tvWorstCase(row, next, rho).value);
            }
          next = cur;
        }
        for (let s = 0; s < nS; s++) saValue += m.init[s] * next[s];
      }
      const dPolicyValue = robustDRectangular(m, rho, pi).value;
      expect(dPolicyValue).toBeCloseTo(dRect.value, 12);
      expect(dPolicyValue).toBeGreaterThanOrEqual(saValue - 1e-12);
    }
  });
});

describe('discounted robust Bellman operator', () => {
  const model = (seed: number, gamma: number): DiscountedModel => {
    const rng = new Rng(seed);
    const nS = 6,
      nA = 3;
    const P = new Float64Array(nS * nA * nS);
    for (let sa = 0; sa < nS * nA; sa++) P.set(rng.dirichlet(nS, 0.5), sa * nS);
    const r = Float64Array.from({ length: nS * nA }, () => rng.uniform());
    return { nS, nA, P, r, gamma };
  };

  it('is a γ-contraction in the sup norm', () => {
    const rng = new Rng(21);
    for (const gamma of [0.5, 0.9]) {
      const m = model(20, gamma);
      let maxRatio = 0;
      for (let trial = 0; trial < 200; trial++) {
        const rho = rng.range(0, 1);
        const V = Float64Array.from({ length: m.nS }, () => rng.range(-5, 5));
        const U = Float64Array.from({ length: m.nS }, () => rng.range(-5, 5));
        const TV = robustBellmanOptimality(m, rho, V);
        const TU = robustBellmanOptimality(m, rho, U);
        let num = 0,
          den = 0;
        for (let s = 0; s < m.nS; s++) {
          num = Math.max(num, Math.abs(TV[s] - TU[s]));
          den = Math.max(den, Math.abs(V[s] - U[s]));
        }
        maxRatio = Math.max(maxRatio, num / den);
      }
      expect(maxRatio).toBeLessThanOrEqual(gamma + 1e-12);
      expect(maxRatio).toBeGreaterThan(0.5 * gamma); // not trivially small: the bound is nearly attained
    }
  });

  it('robust value iteration reaches the fixed point; ρ = 0 agrees with standard value iteration', () => {
    const m = model(22, 0.9);
    for (const rho of [0, 0.1, 0.3]) {
      const { V } = robustValueIteration(m, rho);
      const TV = robustBellmanOptimality(m, rho, V);
      for (let s = 0; s < m.nS; s++) expect(TV[s]).toBeCloseTo(V[s], 10);
    }
    const env = makeEnv({ nS: m.nS, nA: m.nA, gamma: m.gamma, T: m.P });
    const standard = valueIteration(env, m.r, { tol: 1e-12 });
    const robust0 = robustValueIteration(m, 0).V;
    for (let s = 0; s < m.nS; s++) expect(robust0[s]).toBeCloseTo(standard.V[s], 9);
    // Larger ambiguity, lower value everywhere.
    const v1 = robustValueIteration(m, 0.1).V;
    const v3 = robustValueIteration(m, 0.3).V;
    for (let s = 0; s < m.nS; s++) {
      expect(v1[s]).toBeLessThanOrEqual(robust0[s] + 1e-10);
      expect(v3[s]).toBeLessThanOrEqual(v1[s] + 1e-10);
    }
  });
});
