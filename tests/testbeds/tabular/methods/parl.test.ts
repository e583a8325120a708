import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { CELL, makeGridworld } from '../../../../src/testbeds/tabular/env/gridworld';
import type { SegmentSet } from '../../../../src/testbeds/tabular/env/preferences';
import {
  addMleGradient,
  addSegmentScore,
  BILEVEL_RECIPES,
  btLogLik,
  dependenceTerm,
  trainPreferenceBilevel,
} from '../../../../src/testbeds/tabular/methods/parl';
import {
  linearFeatureReward,
  softOptimalDerivative,
} from '../../../../src/testbeds/tabular/solvers/soft-optimal-derivative';
import { softValueIteration } from '../../../../src/testbeds/tabular/solvers/soft-value-iteration';

const cells = [CELL.empty, CELL.coin, CELL.mud, CELL.goal, CELL.empty, CELL.sheep, CELL.roadblock, CELL.empty];

describe('softOptimalDerivative: implicit derivative of the soft-optimal policy', () => {
  for (const [traps, slip] of [
    ['terminal', 0.1],
    ['continuing', 0],
  ] as const) {
    it(`matches central differences of log π* and V* (${traps} traps, slip ${slip})`, () => {
      const world = makeGridworld({ height: 2, width: 4, cells, gamma: 0.9, slip, traps });
      const rng = new Rng(3);
      const w = Float64Array.from({ length: world.nF }, () => rng.normal(0, 1));
      const alpha = 0.7;
      const d = softOptimalDerivative(world, w, alpha, { tol: 1e-12 });
      const h = 1e-5;
      let errPi = 0,
        errV = 0;
      for (let f = 0; f < world.nF; f++) {
        const wp = Float64Array.from(w),
          wm = Float64Array.from(w);
        wp[f] += h;
        wm[f] -= h;
        const o = { alpha, tol: 1e-13, terminal: world.terminal };
        const p = softValueIteration(world, linearFeatureReward(world, wp), o);
        const m = softValueIteration(world, linearFeatureReward(world, wm), o);
        for (let r = 0; r < world.nS * world.nA; r++)
          errPi = Math.max(errPi, Math.abs((p.A[r] - m.A[r]) / alpha / (2 * h) - d.dLogPi[r * world.nF + f]));
        for (let s = 0; s < world.nS; s++)
          errV = Math.max(errV, Math.abs((p.V[s] - m.V[s]) / (2 * h) - d.dV[s * world.nF + f]));
      }
      expect(errPi).toBeLessThan(1e-6);
      expect(errV).toBeLessThan(1e-6);
      // Σ_a π ∂log π = 0 in every state (the policy stays normalised).
      for (let s = 0; s < world.nS; s++)
        for (let f = 0; f < world.nF; f++) {
          let acc = 0;
          for (let a = 0; a < world.nA; a++)
            acc += d.soft.policy[s * world.nA + a] * d.dLogPi[(s * world.nA + a) * world.nF + f];
          expect(Math.abs(acc)).toBeLessThan(1e-10);
        }
    });
  }
});

describe('A-PARL hypergradient (PARL Lemma: ∇G = E[∇U + U ∇log ρ])', () => {
  it('equals the central-difference gradient of the exact upper objective G(w), by enumeration of segments', () => {
    const world = makeGridworld({
      height: 1,
      width: 3,
      cells: [CELL.sheep, CELL.empty, CELL.goal],
      gamma: 0.8,
      traps: 'continuing',
    });
    const { nA, nF } = world;
    const wTrue = Float64Array.from([-1, 3, -3, 0, 0, 0]);
    const alpha = 0.6,
      L = 2;
    // Every segment of L steps from every start state (deterministic moves).
    const starts = Array.from(world.startStates);
    const n = starts.length * nA ** L;
    const segs: SegmentSet = {
      n,
      L,
      s: new Int32Array(n * L),
      a: new Int32Array(n * L),
      k: new Int32Array(n * L),
      len: new Int32Array(n).fill(L),
      first: new Int32Array(n),
      last: new Int32Array(n),
    };
    const feat = new Float64Array(n * nF);
    const trueRet = new Float64Array(n);
    let i = 0;
    for (const s0 of starts)
      for (let code = 0; code < nA ** L; code++, i++) {
        let st = s0,
          c = code;
        segs.first[i] = s0;
        for (let t = 0; t < L; t++) {
          const a = c % nA;
          c = Math.floor(c / nA);
          const k = world.T.rowPtr[st * nA + a];
          segs.s[i * L + t] = st;
          segs.a[i * L + t] = a;
          segs.k[i * L + t] = k;
          for (let f = 0; f < nF; f++) {
            feat[i * nF + f] += world.phiEntry[k * nF + f];
            trueRet[i] += world.phiEntry[k * nF + f] * wTrue[f];
          }
          st = world.T.col[k];
        }
        segs.last[i] = st;
      }
    const segProbs = (pi: Float64Array) => {
      const p = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        p[j] = 1 / starts.length;
        for (let t = 0; t < L; t++) p[j] *= pi[segs.s[j * L + t] * nA + segs.a[j * L + t]];
      }
      return p;
    };
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const G = (w: Float64Array) => {
      const p = segProbs(softOptimalDerivative(world, w, alpha, { tol: 1e-13 }).soft.policy);
      let g = 0;
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          let z = 0;
          for (let f = 0; f < nF; f++) z += w[f] * (feat[a * nF + f] - feat[b * nF + f]);
          g += p[a] * p[b] * btLogLik(z, sig(trueRet[a] - trueRet[b]));
        }
      return g;
    };
    const w = Float64Array.from([0.3, 0.5, -0.4, 0.2, -0.1, 0.1]);
    const d = softOptimalDerivative(world, w, alpha, { tol: 1e-13 });
    const p = segProbs(d.soft.policy);
    const score = new Float64Array(n * nF);
    for (let j = 0; j < n; j++) addSegmentScore(segs, j, d.dLogPi, nA, nF, score.subarray(j * nF, (j + 1) * nF));
    const hyper = new Float64Array(nF);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const dF = new Float64Array(nF);
        let z = 0;
        for (let f = 0; f < nF; f++) {
          dF[f] = feat[a * nF + f] - feat[b * nF + f];
          z += w[f] * dF[f];
        }
        const y = sig(trueRet[a] - trueRet[b]); // E_y[U] and E_y[∇U] are linear in y
        addMleGradient(w, { n: 1, dF, y: Float64Array.of(y) }, hyper, p[a] * p[b]);
        const U = btLogLik(z, y);
        for (let f = 0; f < nF; f++) hyper[f] += p[a] * p[b] * U * (score[a * nF + f] + score[b * nF + f]);
      }
    const h = 1e-5;
    for (let f = 0; f < nF; f++) {
      const wp = Float64Array.from(w),
        wm = Float64Array.from(w);
      wp[f] += h;
      wm[f] -= h;
      expect(hyper[f]).toBeCloseTo((G(wp) - G(wm)) / (2 * h), 6);
    }
    // The dependence term is not zero here: PEBBLE's gradient alone differs from ∇G.
    const mleOnly = new Float64Array(nF);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const dF = new Float64Array(nF);
        for (let f = 0; f < nF; f++) dF[f] = feat[a * nF + f] - feat[b * nF + f];
        addMleGradient(w, { n: 1, dF, y: Float64Array.of(sig(trueRet[a] - trueRet[b])) }, mleOnly, p[a] * p[b]);
      }
    let diff = 0;
    for (let f = 0; f < nF; f++) diff = Math.max(diff, Math.abs(mleOnly[f] - hyper[f]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('btLogLik is the Bradley–Terry log-likelihood and stays finite for large logits', () => {
    expect(btLogLik(0.7, 1)).toBeCloseTo(Math.log(1 / (1 + Math.exp(-0.7))), 14);
    expect(btLogLik(0.7, 0)).toBeCloseTo(Math.log(1 / (1 + Math.exp(0.7))), 14);
    expect(btLogLik(-800, 1)).toBeCloseTo(-800, 10);
    expect(btLogLik(800, 1)).toBeCloseTo(0, 12);
  });

  it('the leave-one-out baseline removes a constant U (all pairs equally likely at w = 0)', () => {
    const world = makeGridworld({ height: 2, width: 4, cells, gamma: 0.9, traps: 'continuing' });
    const w = new Float64Array(world.nF);
    const d = softOptimalDerivative(world, w, 0.5);
    const segs: SegmentSet = {
      n: 4,
      L: 1,
      s: Int32Array.of(0, 1, 2, 4),
      a: Int32Array.of(0, 1, 3, 2),
      k: new Int32Array(4),
      len: Int32Array.of(1, 1, 1, 1),
      first: Int32Array.of(0, 1, 2, 4),
      last: new Int32Array(4),
    };
    const data = { n: 2, dF: new Float64Array(2 * world.nF).fill(1), y: Float64Array.of(1, 0) };
    const loo = dependenceTerm(w, segs, data, d.dLogPi, world.nA, 'leave-one-out');
    for (const x of loo) expect(x).toBe(0);
    const plain = dependenceTerm(w, segs, data, d.dLogPi, world.nA, 'none');
    expect(Math.max(...plain.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('trainPreferenceBilevel', () => {
  const world = makeGridworld({ height: 2, width: 4, cells, gamma: 0.9, traps: 'continuing' });
  const base = {
    wTrue: Float64Array.from([-1, 3, -3, 1, -1, -1]),
    betaTrue: 1,
    alpha: 0.5,
    rounds: 4,
    pairsPerRound: 3,
    segmentLength: 4,
    stepsPerRound: 2,
    lr: 5,
    l2: 0,
    radius: 2,
    rngOfRound: (t: number) => new Rng(11).split(`round-${t}`),
  };
  it('is deterministic, keeps w in the ball, and PEBBLE never computes a dependence term', () => {
    const depNorms: number[] = [];
    const a = trainPreferenceBilevel(world, {
      ...base,
      recipe: BILEVEL_RECIPES.pebble,
      onRound: (_t, w, _pi, info) => {
        depNorms.push(info.depNorm);
        expect(Math.hypot(...w)).toBeLessThanOrEqual(2 + 1e-12);
      },
    });
    expect(depNorms.every((x) => x === 0)).toBe(true);
    const b = trainPreferenceBilevel(world, { ...base, recipe: BILEVEL_RECIPES.pebble });
    expect(Array.from(b.w)).toEqual(Array.from(a.w));
    const c = trainPreferenceBilevel(world, { ...base, recipe: BILEVEL_RECIPES['a-parl'] });
    expect(Array.from(c.w)).not.toEqual(Array.from(a.w));
  });
});
