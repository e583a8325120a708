import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  attributeDecision,
  dataEmbedding,
  optimalActionMask,
  valueSampleW1,
  visitationEmbedding,
} from '../../../src/testbeds/offline/methods/trajectory-attribution';
import {
  clusterPurity,
  kMeansFrom,
  kMeansPlusPlus,
  silhouetteScore,
  xMeans,
  xMeansBic,
} from '../../../src/testbeds/offline/data/clustering';
import { lavaGridworld, ORIGINAL_7X7 } from '../../../src/testbeds/offline/env/lava-grid';
import { episodeOffsets, selectEpisodes } from '../../../src/testbeds/offline/data/episodes';
import { behaviourPolicy, collectDataset } from '../../../src/testbeds/offline/data/dataset';
import { bfsDistances } from '../../../src/testbeds/offline/solvers/evaluation';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';

describe('valueSampleW1 (SciPy wasserstein_distance on value samples)', () => {
  it('equals the mean absolute difference of sorted samples for equal sizes', () => {
    const rng = new Rng(3);
    const u = rng.normals(17),
      v = rng.normals(17, 0.5, 2);
    const a = Float64Array.from(u).sort(),
      b = Float64Array.from(v).sort();
    let brute = 0;
    for (let i = 0; i < 17; i++) brute += Math.abs(a[i] - b[i]) / 17;
    expect(valueSampleW1(u, v)).toBeCloseTo(brute, 12);
  });
  it('handles unequal sizes (∫|F_u − F_v|) and is shift-equivariant and symmetric', () => {
    expect(valueSampleW1([0, 1], [0])).toBeCloseTo(0.5, 14);
    expect(valueSampleW1([0, 1, 3], [2])).toBeCloseTo((2 + 1 + 1) / 3, 14);
    const u = [0.3, -1, 2.5];
    expect(
      valueSampleW1(
        u,
        u.map((x) => x + 0.7),
      ),
    ).toBeCloseTo(0.7, 14);
    expect(valueSampleW1(u, [4, 1])).toBeCloseTo(valueSampleW1([4, 1], u), 14);
    expect(valueSampleW1(u, [...u].reverse())).toBe(0);
  });
});

describe('data embedding and trajectory embedding', () => {
  it('the data embedding is the softmax of the summed embeddings / T_soft, order-free', () => {
    const t = [Float64Array.from([1, 0, 2]), Float64Array.from([0, 3, 1])];
    const d = dataEmbedding(t, 10);
    const z = [0.1, 0.3, 0.3].map(Math.exp);
    const s = z.reduce((x, y) => x + y, 0);
    z.forEach((x, i) => expect(d[i]).toBeCloseTo(x / s, 14));
    expect(Array.from(dataEmbedding([t[1], t[0]], 10))).toEqual(Array.from(d));
  });
  it('visit and action frequencies each sum to 1, and the outcome is flagged', () => {
    const task = lavaGridworld(ORIGINAL_7X7);
    const data = collectDataset(
      task,
      behaviourPolicy(task, { kind: 'optimal' }),
      { episodes: 3, horizon: 20, quality: 'opt' },
      new Rng(1),
    );
    const off = episodeOffsets(data);
    const { nS, nA } = task.env;
    for (let e = 0; e < 3; e++) {
      const t = visitationEmbedding(data, off[e], off[e + 1]);
      expect(t.subarray(0, nS).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      expect(t.subarray(nS, nS + nA).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      expect(t[nS + nA]).toBe(1); // the optimal policy reaches a goal
      expect(t[nS + nA + 1]).toBe(0);
    }
  });
});

describe('the attribution rule', () => {
  it('optimal-action masks keep ties, ignore unsupported actions and are full without data', () => {
    const Q = Float64Array.from([1, 1, 0, NaN, NaN, NaN, NaN, NaN, NaN, 2, NaN, -1]);
    expect(optimalActionMask(Q, 4, 0)).toBe(0b0011);
    expect(optimalActionMask(Q, 4, 1)).toBe(0b1111);
    expect(optimalActionMask(Q, 4, 2)).toBe(0b0010);
  });
  it('picks the closest cluster among those whose removal changes the decision', () => {
    expect(attributeDecision(1, [1, 2, 4, 1], [0.1, 0.5, 0.3, 0.01])).toEqual({
      cluster: 2,
      distance: 0.3,
      changed: 2,
    });
    expect(attributeDecision(1, [1, 1], [0.1, 0.2]).cluster).toBe(-1);
    expect(attributeDecision(1, [2, 4], [0, 0.2]).cluster).toBe(-1); // the code skips a zero distance
  });
});

function blobs(centres: number[][], per: number, sd: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const d = centres[0].length;
  const X = new Float64Array(centres.length * per * d);
  centres.forEach((c, j) => {
    for (let i = 0; i < per; i++) for (let f = 0; f < d; f++) X[(j * per + i) * d + f] = c[f] + rng.normal(0, sd);
  });
  return X;
}

describe('clustering', () => {
  const centres = [
    [0, 0, 0],
    [10, 0, 0],
    [0, 10, 5],
  ];
  const X = blobs(centres, 20, 0.5, 7);
  const truth = Int32Array.from({ length: 60 }, (_, i) => Math.floor(i / 20));
  it('k-means from k-means++ seeds recovers well-separated blobs', () => {
    const r = kMeansFrom(X, 60, 3, kMeansPlusPlus(X, 60, 3, 3, new Rng(2)));
    expect(clusterPurity(r.labels, truth)).toBe(1);
    expect(clusterPurity(truth, r.labels)).toBe(1);
  });
  it('X-means from 2 clusters finds the 3 blobs', () => {
    const r = xMeans(X, 60, 3, { kInit: 2, kMax: 10 }, new Rng(5));
    expect(r.k).toBe(3);
    expect(clusterPurity(r.labels, truth)).toBe(1);
  });
  it("the BIC matches pyclustering's formula on a hand example", () => {
    const Y = Float64Array.from([0, 0, 2, 0, 10, 10]); // three 2-d points
    const C = Float64Array.from([1, 0, 10, 10]);
    const N = 3,
      K = 2,
      d = 2;
    const s2 = (1 + 1 + 0) / (N - K);
    const p = K - 1 + d * K + 1;
    const term = (n: number) =>
      n * Math.log(n) -
      n * Math.log(N) -
      0.5 * n * Math.log(2 * Math.PI) -
      n * (d / 2) * Math.log(s2) -
      (n - K) / 2 -
      (p / 2) * Math.log(N);
    expect(xMeansBic(Y, d, [[0, 1], [2]], C)).toBeCloseTo(term(2) + term(1), 12);
  });
  it('silhouette: a hand example, and near 1 for far blobs', () => {
    // 1-d points 0, 1 (cluster 0) and 5 (cluster 1): s(0) = (5 − 1)/5, s(1) = (4 − 1)/4, s(5) = 0 (singleton).
    const s = silhouetteScore(Float64Array.from([0, 1, 5]), 3, 1, Int32Array.from([0, 0, 1]));
    expect(s).toBeCloseTo((4 / 5 + 3 / 4 + 0) / 3, 14);
    expect(silhouetteScore(X, 60, 3, truth)).toBeGreaterThan(0.85);
  });
  it('purity of a partition', () => {
    expect(clusterPurity([0, 0, 1, 1, 1], [5, 6, 7, 7, 6])).toBeCloseTo(3 / 5, 14);
  });
});

describe('the original 7×7 grid-world', () => {
  it('rewards −0.1 per step, ±1 on entering a goal or lava, and starts at the three start cells', () => {
    const task = lavaGridworld(ORIGINAL_7X7);
    const { env } = task;
    const st = (r: number, c: number) => env.cellState[r * 7 + c];
    expect(Array.from(task.starts)).toEqual([st(2, 0), st(6, 2), st(2, 4)]);
    expect(env.init.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 14);
    // up (0), down (1), left (2), right (3); deterministic
    expect(task.reward[st(0, 5) * 4 + 3]).toBeCloseTo(1, 14);
    expect(task.reward[st(5, 3) * 4 + 0]).toBeCloseTo(-1, 14); // (5,3) up → lava (4,3)
    expect(task.reward[st(2, 0) * 4 + 1]).toBeCloseTo(-0.1, 14);
    expect(task.outcome[st(6, 6)]).toBe(1);
    expect(task.outcome[st(4, 3)]).toBe(-1);
    expect(env.cellState[1 * 7 + 1]).toBe(-1); // obstacle
  });
  it('V*(s) = −0.1(1 − γ^(d−1))/(1 − γ) + γ^(d−1) with d the BFS distance to the nearest goal avoiding lava', () => {
    const task = lavaGridworld(ORIGINAL_7X7);
    const { env } = task;
    const g = env.gamma;
    const vi = valueIteration(env, task.reward, { tol: 1e-13 });
    const goals = [env.cellState[6], env.cellState[48]];
    // lava is absorbing, so BFS to a goal never passes through it
    const d = goals.map((x) => bfsDistances(env, x));
    for (const s of task.starts) {
      const dist = Math.min(...d.map((x) => (x[s] >= 0 ? x[s] : Infinity)));
      expect(vi.V[s]).toBeCloseTo((-0.1 * (1 - g ** (dist - 1))) / (1 - g) + g ** (dist - 1), 10);
    }
  });
  it('selectEpisodes keeps whole episodes, renumbered', () => {
    const task = lavaGridworld({ ...ORIGINAL_7X7, slip: 0.2 });
    const data = collectDataset(
      task,
      behaviourPolicy(task, { kind: 'random' }),
      { episodes: 6, horizon: 8, quality: 'r' },
      new Rng(4),
    );
    const off = episodeOffsets(data);
    const all = selectEpisodes(data, new Array(6).fill(true), 'all');
    expect(Array.from(all.s)).toEqual(Array.from(data.s));
    expect(Array.from(all.episode)).toEqual(Array.from(data.episode));
    const keep = [true, false, true, false, false, true];
    const sub = selectEpisodes(data, keep, 'sub');
    expect(sub.size).toBe([0, 2, 5].reduce((u, e) => u + off[e + 1] - off[e], 0));
    expect(Array.from(sub.s.subarray(0, off[1]))).toEqual(Array.from(data.s.subarray(0, off[1])));
    expect(Math.max(...sub.episode)).toBe(2);
  });
});
