import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { CELL, entryRewards, gridReward, makeGridworld } from '../../../../src/testbeds/tabular/env/gridworld';
import {
  labelsFromLogits,
  partialReturnPreferenceProbabilities,
  partialReturns,
  regretPreferenceProbabilities,
  sampleSegments,
  segmentRegrets,
  type SegmentSet,
  segmentSums,
  uniformBehaviour,
} from '../../../../src/testbeds/tabular/env/preferences';
import { policyIterationDeterministic } from '../../../../src/testbeds/tabular/solvers/policy-iteration';
import { softValueIteration } from '../../../../src/testbeds/tabular/solvers/soft-value-iteration';

/** A segment set from explicit (start, actions) on a deterministic world. */
function segmentsFrom(
  world: ReturnType<typeof makeGridworld>,
  list: { s0: number; actions: number[] }[],
  L: number,
): SegmentSet {
  const n = list.length;
  const s = new Int32Array(n * L).fill(-1),
    a = new Int32Array(n * L).fill(-1),
    k = new Int32Array(n * L).fill(-1);
  const len = new Int32Array(n),
    first = new Int32Array(n),
    last = new Int32Array(n);
  list.forEach((seg, i) => {
    let st = seg.s0;
    first[i] = st;
    let t = 0;
    for (; t < seg.actions.length && !world.terminal[st]; t++) {
      const r = st * world.nA + seg.actions[t];
      s[i * L + t] = st;
      a[i * L + t] = seg.actions[t];
      k[i * L + t] = world.T.rowPtr[r];
      st = world.T.col[world.T.rowPtr[r]];
    }
    len[i] = t;
    last[i] = st;
  });
  return { n, L, s, a, k, len, first, last };
}

const UP = 0,
  LEFT = 2,
  RIGHT = 3;
const logistic = (z: number) => 1 / (1 + Math.exp(-z));

describe('preference models', () => {
  // 1×3 corridor: goal | empty | empty, γ = 0.5; reward: −1 per step, entering the goal +1 in total.
  // By hand: V*(1) = 1 (step left into the goal), V*(2) = −1 + ½·1 = −½.
  //   A*(1, left) = 0, A*(1, up) = −1 + ½·1 − 1 = −1.5, A*(1, right) = −1 + ½·(−½) − 1 = −2.25,
  //   A*(2, left) = 0, A*(2, right) = A*(2, up) = −1 + ½·(−½) + ½ = −0.75.
  const world = makeGridworld({ height: 1, width: 3, cells: [CELL.goal, CELL.empty, CELL.empty], gamma: 0.5 });
  const w = [-1, 2, 0, 0, 0, 0];

  it('regret and partial-return probabilities match a hand computation', () => {
    const opt = policyIterationDeterministic(world.next as Int32Array, gridReward(world, w), 4, world.gamma);
    expect(opt.V[1]).toBeCloseTo(1, 12);
    expect(opt.V[2]).toBeCloseTo(-0.5, 12);
    const A = new Float64Array(12);
    for (let s = 0; s < 3; s++) for (let a = 0; a < 4; a++) A[s * 4 + a] = opt.Q[s * 4 + a] - opt.V[s];
    expect(A[1 * 4 + UP]).toBeCloseTo(-1.5, 12);
    expect(A[1 * 4 + RIGHT]).toBeCloseTo(-2.25, 12);
    expect(A[2 * 4 + RIGHT]).toBeCloseTo(-0.75, 12);
    // σ1: from cell 2, bump right then step left (ends in cell 1): regret = 0.75, partial return −2.
    // σ2: from cell 1, bump up then step into the goal: regret = 1.5, partial return 0.
    // σ3: from cell 1, step into the goal then nothing (terminated): regret 0, partial return 1.
    const segs = segmentsFrom(
      world,
      [
        { s0: 2, actions: [RIGHT, LEFT] },
        { s0: 1, actions: [UP, LEFT] },
        { s0: 1, actions: [LEFT, UP] },
      ],
      2,
    );
    expect(Array.from(segs.len)).toEqual([2, 2, 1]);
    const regret = segmentRegrets(segs, A, 4, world.gamma);
    expect(regret[0]).toBeCloseTo(0.75, 12);
    expect(regret[1]).toBeCloseTo(1.5, 12);
    expect(regret[2]).toBeCloseTo(0, 12);
    // Deterministic form: regret = V*(s0) − (Σ γ^t r_t + γ^L V*(s_L)) for σ1: −½ − (−1 − ½ + ¼·1) = 0.75.
    expect(regret[0]).toBeCloseTo(-0.5 - (-1 + 0.5 * -1 + 0.25 * 1), 12);
    const pr = partialReturns(segs, entryRewards(world, w));
    expect(Array.from(pr)).toEqual([-2, 0, 1]);
    const pairs = { i: Int32Array.from([0, 0, 1]), j: Int32Array.from([1, 2, 2]) };
    const pReg = regretPreferenceProbabilities(regret, pairs);
    const pPR = partialReturnPreferenceProbabilities(pr, pairs);
    expect(pReg[0]).toBeCloseTo(logistic(0.75), 12); // 0.6792: regret prefers σ1 …
    expect(pPR[0]).toBeCloseTo(logistic(-2), 12); // 0.1192: … partial return prefers σ2
    expect(pReg[1]).toBeCloseTo(logistic(-0.75), 12);
    expect(pReg[2]).toBeCloseTo(logistic(-1.5), 12);
    expect(pPR[2]).toBeCloseTo(logistic(-1), 12);
  });

  it('regret preferences are invariant to potential shaping of the reward; partial-return ones are not', () => {
    const big = makeGridworld({
      height: 4,
      width: 4,
      cells: [0, 0, 0, CELL.goal, 0, CELL.sheep, 0, 0, 0, 0, 0, 0, 0, 0, CELL.coin, 0],
      gamma: 0.9,
      slip: 0.2,
    });
    const wg = [-1, 5, -5, 1, 0, 0];
    const r = gridReward(big, wg);
    // Shaped reward r'(s,a) = r(s,a) + γ E[Φ(s')] − Φ(s), Φ = 0 on terminal states.
    const rng = new Rng(9);
    const phi = Float64Array.from({ length: big.nS }, (_, s) => (big.terminal[s] ? 0 : rng.normal() * 3));
    const shaped = Float64Array.from(r);
    for (let sa = 0; sa < r.length; sa++) {
      const s = Math.floor(sa / 4);
      let e = 0;
      for (let k = big.T.rowPtr[sa]; k < big.T.rowPtr[sa + 1]; k++) e += big.T.prob[k] * phi[big.T.col[k]];
      shaped[sa] += big.gamma * e - phi[s];
    }
    const a1 = softValueIteration(big, r, { alpha: 1, tol: 1e-12, terminal: big.terminal }).A;
    const a2 = softValueIteration(big, shaped, { alpha: 1, tol: 1e-12, terminal: big.terminal }).A;
    const segs = sampleSegments(big, rng, { n: 50, L: 4, behaviour: uniformBehaviour(4) });
    const pairs = {
      i: Int32Array.from({ length: 25 }, (_, p) => 2 * p),
      j: Int32Array.from({ length: 25 }, (_, p) => 2 * p + 1),
    };
    const p1 = regretPreferenceProbabilities(segmentRegrets(segs, a1, 4, big.gamma), pairs);
    const p2 = regretPreferenceProbabilities(segmentRegrets(segs, a2, 4, big.gamma), pairs);
    for (let p = 0; p < 25; p++) expect(Math.abs(p1[p] - p2[p])).toBeLessThan(1e-9);
    // Partial returns of the shaped expected reward differ.
    const q1 = partialReturnPreferenceProbabilities(segmentSums(segs, r, 4), pairs);
    const q2 = partialReturnPreferenceProbabilities(segmentSums(segs, shaped, 4), pairs);
    expect(Math.max(...q1.map((v, p) => Math.abs(v - q2[p])))).toBeGreaterThan(1e-3);
  });

  it('labels: noiseless thresholds with ties at ½, stochastic draws match the probabilities', () => {
    expect(Array.from(labelsFromLogits([2, -1, 0, 1e-12], 'noiseless'))).toEqual([1, 0, 0.5, 0.5]);
    const z = new Float64Array(20000).fill(0.8);
    const y = labelsFromLogits(z, 'stochastic', new Rng(1));
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(Math.abs(mean - logistic(0.8))).toBeLessThan(0.015);
    expect(labelsFromLogits([0.3], 'exact')[0]).toBeCloseTo(logistic(0.3), 14);
  });
});
