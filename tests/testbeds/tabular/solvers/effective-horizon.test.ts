import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  randomFiniteHorizonMdp,
  slipGridMdp,
  validateFiniteHorizonMdp,
  type FiniteHorizonMdp,
} from '../../../../src/testbeds/tabular/env/finite-horizon';
import {
  analyseQvi,
  effectiveHorizonAnalysis,
  finiteHorizonOptimalReturn,
  finiteHorizonRandomReturn,
  optimalQ,
  qviIterates,
  randomPolicyQ,
  randomReturnVariance,
  timeIndexedPolicyReturn,
} from '../../../../src/testbeds/tabular/solvers/effective-horizon';

/** All trajectories from (t, s, a) under the random policy after the first action: [probability, return]. */
function trajectories(m: FiniteHorizonMdp, t: number, s: number, a: number): [number, number][] {
  const out: [number, number][] = [];
  const r = m.r[s * m.nA + a];
  if (t === m.T - 1) return [[1, r]];
  for (let sp = 0; sp < m.nS; sp++) {
    const p = m.P[(s * m.nA + a) * m.nS + sp];
    if (p === 0) continue;
    for (let b = 0; b < m.nA; b++)
      for (const [q, g] of trajectories(m, t + 1, sp, b)) out.push([(p * q) / m.nA, r + g]);
  }
  return out;
}

/** Every deterministic time-indexed policy with π_t(s) ∈ argmax Q_t(s, ·) (brute force over ties). */
function greedyPolicies(m: FiniteHorizonMdp, Q: Float64Array): Int32Array[] {
  const choices: number[][] = [];
  for (let t = 0; t < m.T; t++)
    for (let s = 0; s < m.nS; s++) {
      const off = (t * m.nS + s) * m.nA;
      let best = -Infinity;
      for (let a = 0; a < m.nA; a++) best = Math.max(best, Q[off + a]);
      const c: number[] = [];
      for (let a = 0; a < m.nA; a++) if (Q[off + a] >= best - 1e-9 * Math.max(1, Math.abs(best))) c.push(a);
      choices.push(c);
    }
  let pols: number[][] = [[]];
  for (const c of choices) pols = pols.flatMap((p) => c.map((a) => [...p, a]));
  return pols.map((p) => Int32Array.from(p));
}

/** A tiny MDP with 0/1 rewards (ties are common). */
function tiny(seed: number): FiniteHorizonMdp {
  const rng = new Rng(seed);
  const m = randomFiniteHorizonMdp(rng, { nS: 3, nA: 2, T: 3, branching: 2, rewardDensity: 0.4 });
  const r = m.r.map((x) => (x > 0 ? 1 : 0));
  return { ...m, r };
}

describe('effective horizon: exact quantities', () => {
  it('Q^rand and the variance of random returns match exhaustive trajectory enumeration', () => {
    for (let seed = 0; seed < 5; seed++) {
      const m = tiny(seed);
      validateFiniteHorizonMdp(m);
      const Q = randomPolicyQ(m);
      const V = randomReturnVariance(m);
      for (let t = 0; t < m.T; t++)
        for (let s = 0; s < m.nS; s++)
          for (let a = 0; a < m.nA; a++) {
            const tr = trajectories(m, t, s, a);
            const mean = tr.reduce((acc, [p, g]) => acc + p * g, 0);
            const second = tr.reduce((acc, [p, g]) => acc + p * g * g, 0);
            const i = (t * m.nS + s) * m.nA + a;
            expect(Q[i]).toBeCloseTo(mean, 12);
            expect(V[i]).toBeCloseTo(second - mean * mean, 12);
          }
    }
  });

  it('Q^T = Q*, and Q^i is exact on the last i timesteps', () => {
    const m = randomFiniteHorizonMdp(new Rng(3), { nS: 6, nA: 3, T: 5, branching: 3, rewardDensity: 0.5 });
    const it = qviIterates(m, m.T);
    const Qs = optimalQ(m);
    const SA = m.nS * m.nA;
    for (let i = 1; i <= m.T; i++)
      for (let t = m.T - i; t < m.T; t++)
        for (let j = 0; j < SA; j++) expect(it[i - 1][t * SA + j]).toBeCloseTo(Qs[t * SA + j], 12);
    // Q^1 is not exact earlier than the last step in general.
    let diff = 0;
    for (let j = 0; j < SA; j++) diff = Math.max(diff, Math.abs(it[0][j] - Qs[j]));
    expect(diff).toBeGreaterThan(1e-6);
  });

  it('k-QVI-solvability equals "every greedy policy is optimal" by brute force over tie-breaks', () => {
    let solvableSeen = 0;
    let unsolvableSeen = 0;
    for (let seed = 0; seed < 40; seed++) {
      const m = tiny(100 + seed);
      const Qs = optimalQ(m);
      const Jstar = finiteHorizonOptimalReturn(m);
      const it = qviIterates(m, m.T);
      for (let k = 1; k <= m.T; k++) {
        const brute = greedyPolicies(m, it[k - 1]).every((pi) => timeIndexedPolicyReturn(m, pi) >= Jstar - 1e-9);
        expect(analyseQvi(m, it[k - 1], Qs).solvable).toBe(brute);
        if (brute) solvableSeen++;
        else unsolvableSeen++;
      }
    }
    expect(solvableSeen).toBeGreaterThan(0);
    expect(unsolvableSeen).toBeGreaterThan(0);
  });

  it('k_min in closed form: a one-step bandit and a combination lock with a tempting exit', () => {
    // Bandit: T = 1, action 1 pays more.
    const bandit: FiniteHorizonMdp = {
      nS: 1,
      nA: 2,
      T: 1,
      P: Float64Array.from([1, 1]),
      r: Float64Array.from([0, 1]),
      init: Float64Array.from([1]),
    };
    expect(effectiveHorizonAnalysis(bandit).kMin).toBe(1);
    // Combination lock: states 0..T−1 on the chain plus a dead state T; only action 0 advances; reward at the end.
    const T = 4;
    const nS = T + 1;
    const P = new Float64Array(nS * 2 * nS);
    const r = new Float64Array(nS * 2);
    for (let s = 0; s < nS; s++) {
      P[(s * 2 + 0) * nS + (s < T - 1 ? s + 1 : T)] = 1;
      P[(s * 2 + 1) * nS + T] = 1;
    }
    r[(T - 1) * 2 + 0] = 1;
    const init = new Float64Array(nS);
    init[0] = 1;
    const lock: FiniteHorizonMdp = { nS, nA: 2, T, P, r, init };
    // Random policy reaches the reward with probability 2^−T, so Q^rand already prefers action 0: k_min = 1.
    expect(effectiveHorizonAnalysis(lock).kMin).toBe(1);
    // Let the wrong action pay c immediately at the start. Q^k_0(0, advance) = (1/2)^(T−k) (the random policy must
    // advance on the T−k steps after the lookahead), so k_min is the least k with (1/2)^(T−k) > c.
    const withBonus = (c: number) => {
      const r2 = r.slice();
      r2[0 * 2 + 1] = c;
      return effectiveHorizonAnalysis({ ...lock, r: r2 });
    };
    expect(withBonus(0.1).kMin).toBe(1); // 1/8 > 0.1
    expect(withBonus(0.2).kMin).toBe(2); // 1/8 < 0.2 < 1/4
    expect(withBonus(0.4).kMin).toBe(3); // 1/4 < 0.4 < 1/2
    const a4 = withBonus(0.6); // 1/2 < 0.6 < 1
    expect(a4.kMin).toBe(T);
    expect(a4.greedyKminRegret).toBeCloseTo(0, 12);
  });

  it('slip gridworld: rows are distributions and the goal is reachable better than at random', () => {
    const g = slipGridMdp({ size: 4, T: 8, slip: 0.2, goal: 15, start: 0 });
    validateFiniteHorizonMdp(g);
    const js = finiteHorizonOptimalReturn(g);
    expect(js).toBeGreaterThan(finiteHorizonRandomReturn(g));
    expect(js).toBeLessThanOrEqual(1 + 1e-12);
  });
});
