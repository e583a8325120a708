/**
 * The dual (DICE-style) programs of the offline testbed: the χ² dual-V solver against HiGHS on the primal QP
 * (an independent solve), analytic optima of ReCOIL and SMODICE, the visitation LP of RL against value iteration,
 * and the imitation-data helpers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { goalTask, type OfflineTask } from '../../../src/testbeds/offline/env/tasks';
import { behaviourPolicy, collectDataset, type OfflineDataset } from '../../../src/testbeds/offline/data/dataset';
import {
  concatDatasets,
  empiricalMdp,
  padAbsorbing,
  pairDistribution,
  stateMarginal,
  withoutStates,
  type EmpiricalMdp,
} from '../../../src/testbeds/offline/data/imitation';
import {
  chi2PrimalConstant,
  chi2PrimalObjective,
  chi2PrimalQp,
  dualFlowResidual,
  solveChi2DualV,
  type Chi2DualProblem,
} from '../../../src/testbeds/offline/solvers/chi2-dual-v';
import { recoil, recoilProblem } from '../../../src/testbeds/offline/methods/recoil';
import { discriminatorReward, smodice, smodiceProblem } from '../../../src/testbeds/offline/methods/smodice';
import { solveOccupancyLp } from '../../../src/testbeds/offline/solvers/occupancy-lp';
import { loadLpSolver, type LpSolver } from '../../../src/testbeds/tabular/methods/explicable-reward-lp';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { valueScale } from '../../../src/testbeds/offline/solvers/evaluation';

let highs: LpSolver;
beforeAll(async () => {
  highs = await loadLpSolver();
});

const rooms = goalTask({ layout: 'four-rooms', size: 7, gamma: 0.9, slip: 0.1 });

function episodes(
  t: OfflineTask,
  kind: 'optimal' | 'random',
  n: number,
  horizon: number,
  seed: number,
): OfflineDataset {
  const raw = collectDataset(t, behaviourPolicy(t, { kind }), { episodes: n, horizon, quality: kind }, new Rng(seed));
  return padAbsorbing(raw, horizon, new Rng(seed).split('pad'));
}

/** Exact normalised occupancy of a policy (weights per pair) on an empirical MDP: (I − γ P_πᵀ) ρ = (1 − γ) μ̂₀. */
function empiricalOccupancy(mdp: EmpiricalMdp, pi: Float64Array): Float64Array {
  const { nS, nPairs, gamma } = mdp;
  // Fixed-point iteration ρ ← (1 − γ) μ̂₀ + γ Σ_k P̂(·|k) π(k) ρ(s_k), to machine precision.
  let rho = Float64Array.from(mdp.init, (x) => (1 - gamma) * x);
  for (let it = 0; it < 2000; it++) {
    const next = Float64Array.from(mdp.init, (x) => (1 - gamma) * x);
    for (let k = 0; k < nPairs; k++) {
      const mass = pi[k] * rho[mdp.pairState[k]];
      for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) next[mdp.succ[j]] += gamma * mdp.prob[j] * mass;
    }
    rho = next;
  }
  expect(rho.length).toBe(nS);
  return Float64Array.from({ length: nPairs }, (_, k) => pi[k] * rho[mdp.pairState[k]]);
}

describe('imitation data helpers', () => {
  it('pads episodes that reach the goal with absorbing self-loops up to the horizon', () => {
    const raw = collectDataset(
      rooms,
      behaviourPolicy(rooms, { kind: 'optimal' }),
      { episodes: 5, horizon: 30, quality: 'e' },
      new Rng(1),
    );
    const padded = padAbsorbing(raw, 30, new Rng(2));
    const perEpisode = new Map<number, number>();
    for (let i = 0; i < padded.size; i++)
      perEpisode.set(padded.episode[i], (perEpisode.get(padded.episode[i]) ?? 0) + 1);
    for (const n of perEpisode.values()) expect(n).toBe(30);
    // The goal is terminal (no raw transition starts there): every transition from it is an absorbing self-loop.
    for (let i = 0; i < padded.size; i++) if (padded.s[i] === rooms.goal) expect(padded.sp[i]).toBe(rooms.goal);
    let absorbing = 0;
    for (let i = 0; i < padded.size; i++) if (padded.s[i] === rooms.goal) absorbing++;
    expect(absorbing).toBe(padded.size - raw.size);
  });

  it('builds a normalised empirical model and distributions; concatenation keeps episodes apart', () => {
    const a = episodes(rooms, 'random', 10, 8, 3),
      b = episodes(rooms, 'optimal', 3, 20, 4);
    const all = concatDatasets([a, b], 'all');
    expect(all.size).toBe(a.size + b.size);
    expect(new Set(all.episode).size).toBe(13);
    const mdp = empiricalMdp(all);
    for (let k = 0; k < mdp.nPairs; k++) {
      let p = 0;
      for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) p += mdp.prob[j];
      expect(p).toBeCloseTo(1, 12);
    }
    expect(mdp.init.reduce((u, v) => u + v, 0)).toBeCloseTo(1, 12);
    expect(pairDistribution(a, mdp).reduce((u, v) => u + v, 0)).toBeCloseTo(1, 12);
    expect(stateMarginal(b).reduce((u, v) => u + v, 0)).toBeCloseTo(1, 12);
    const drop = new Set([b.s[0]]);
    const cut = withoutStates(all, drop);
    for (let i = 0; i < cut.size; i++) expect(drop.has(cut.s[i])).toBe(false);
  });

  it('names the pair a dataset lacks', () => {
    const a = episodes(rooms, 'optimal', 1, 10, 5),
      b = episodes(rooms, 'random', 20, 10, 6);
    expect(() => pairDistribution(b, empiricalMdp(a))).toThrow(/not a pair of the empirical MDP/);
  });
});

describe('χ² dual-V solver', () => {
  const E = episodes(rooms, 'optimal', 2, 20, 11);
  const S = episodes(rooms, 'random', 60, 10, 12);

  function checkAgainstHighs(p: Chi2DualProblem): void {
    const sol = solveChi2DualV(p);
    const qp = chi2PrimalQp(p);
    const out = highs.solve(qp.model);
    expect(out.Status).toBe('Optimal');
    const primal = qp.sigma * out.ObjectiveValue + chi2PrimalConstant(p);
    // Strong duality: min h = −(primal optimum); the recovered d attains it and is feasible.
    expect(-sol.dualValue).toBeCloseTo(primal, 6);
    expect(sol.primalValue).toBeCloseTo(primal, 6);
    expect(sol.flowResidual).toBeLessThan(1e-10);
    for (const x of sol.d) expect(x).toBeGreaterThanOrEqual(0);
    // The QP's minimiser is the same (strictly convex in d): compare coordinates.
    let maxDiff = 0;
    for (let k = 0; k < p.mdp.nPairs; k++)
      maxDiff = Math.max(maxDiff, Math.abs(qp.sigma * (out.Columns[`z${k}`]?.Primal ?? 0) - sol.d[k]));
    expect(maxDiff).toBeLessThan(1e-5);
  }

  it('ReCOIL: the Newton dual matches HiGHS on the primal QP', () => {
    checkAgainstHighs(recoilProblem(E, S, { beta: 0.5 }));
    checkAgainstHighs(recoilProblem(E, S, { beta: 0.9 }));
  });

  it('SMODICE: the Newton dual matches HiGHS on the primal QP', () => {
    checkAgainstHighs(smodiceProblem(E, concatDatasets([E, S], 'all')));
  });

  it('ReCOIL recovers the expert visitation exactly when it is an occupancy of the empirical MDP', () => {
    // Expert distribution := the exact occupancy of a fixed policy on the data's empirical MDP; the mixture divergence
    // is then minimised (to 0) by d = d^E.
    const mdp = empiricalMdp(concatDatasets([E, S], 'all'));
    const rng = new Rng(7);
    const w = Float64Array.from({ length: mdp.nPairs }, () => 0.1 + rng.uniform());
    const z = new Float64Array(mdp.nS);
    for (let k = 0; k < mdp.nPairs; k++) z[mdp.pairState[k]] += w[k];
    const pi = Float64Array.from(w, (x, k) => x / z[mdp.pairState[k]]);
    const dE = empiricalOccupancy(mdp, pi);
    const res = dualFlowResidual(mdp, dE);
    for (const r of res) expect(Math.abs(r)).toBeLessThan(1e-12);
    const dS = pairDistribution(S, mdp);
    const beta = 0.5;
    const p: Chi2DualProblem = {
      mdp,
      e: Float64Array.from(dE, (x, k) => beta * x + (1 - beta) * dS[k]),
      c: Float64Array.from(dS, (x) => (1 - beta) * x),
      R: new Float64Array(mdp.nPairs),
      beta,
    };
    const sol = solveChi2DualV(p);
    expect(Math.abs(sol.dualValue)).toBeLessThan(1e-10);
    for (let k = 0; k < mdp.nPairs; k++) expect(sol.d[k]).toBeCloseTo(dE[k], 8);
    expect(chi2PrimalObjective(p, dE)).toBeCloseTo(0, 12);
  });

  it('rejects malformed problems, naming the pair', () => {
    const p = recoilProblem(E, S, { beta: 0.5 });
    const bad = { ...p, c: Float64Array.from(p.e, (x) => 2 * x) };
    expect(() => solveChi2DualV(bad)).toThrow(/pair 0 needs e > 0 and 0 ≤ c ≤ e/);
    expect(() => recoilProblem(E, S, { beta: 1 })).toThrow(/beta must lie in \(0, 1\)/);
  });

  it('ReCOIL and SMODICE return distributions over actions; ReCOIL imitates better than chance', () => {
    const all = concatDatasets([E, S], 'all');
    for (const r of [recoil(E, S, { beta: 0.5 }), smodice(E, all)])
      for (let s = 0; s < rooms.env.nS; s++) {
        let sum = 0;
        for (let a = 0; a < rooms.env.nA; a++) sum += r.policy[s * rooms.env.nA + a];
        expect(sum).toBeCloseTo(1, 12);
      }
  });

  it('the discriminator reward is the log ratio of smoothed state frequencies', () => {
    const all = concatDatasets([E, S], 'all');
    const R = discriminatorReward(E, all, 0.5);
    const nS = rooms.env.nS;
    const nE = new Float64Array(nS),
      nO = new Float64Array(nS);
    for (let i = 0; i < E.size; i++) nE[E.s[i]]++;
    for (let i = 0; i < all.size; i++) nO[all.s[i]]++;
    for (let s = 0; s < nS; s++)
      expect(R[s]).toBeCloseTo(
        Math.log(((nE[s] + 0.5) / (E.size + 0.5 * nS)) * ((all.size + 0.5 * nS) / (nO[s] + 0.5))),
        12,
      );
  });
});

describe('visitation LP of RL (HiGHS)', () => {
  it('has optimum (1 − γ) J* and flow multipliers V* (value iteration)', () => {
    for (const t of [rooms, goalTask({ layout: 'open-room', size: 4, gamma: 0.8, slip: 0.3 })]) {
      const lp = solveOccupancyLp(t, highs);
      expect(lp.value).toBeCloseTo((1 - t.env.gamma) * valueScale(t).optimal, 9);
      const vi = valueIteration(t.env, t.reward, { tol: 1e-13 });
      for (let s = 0; s < t.env.nS; s++) expect(lp.V[s]).toBeCloseTo(vi.V[s], 8);
      expect(lp.d.reduce((u, v) => u + v, 0)).toBeCloseTo(1, 9);
      // The optimal occupancy only uses optimal actions.
      for (let s = 0; s < t.env.nS; s++)
        for (let a = 0; a < t.env.nA; a++)
          if (lp.d[s * t.env.nA + a] > 1e-9) expect(vi.Q[s * t.env.nA + a]).toBeCloseTo(vi.V[s], 6);
    }
  });
});
