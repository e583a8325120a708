import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Mlp } from '../../../src/nn/mlp';
import { crossEntropyWithLogits, softmaxInPlace } from '../../../src/testbeds/continual/loops/classifier';
import { continualScores } from '../../../src/testbeds/continual/loops/sequential';
import { diagonalFisher, EwcPenalty } from '../../../src/testbeds/continual/methods/ewc';
import { permutedClusterStream } from '../../../src/testbeds/continual/env/permuted-clusters';

describe('EWC penalty (methods/ewc.ts, Kirkpatrick et al. eq. 3)', () => {
  it('its gradient matches central finite differences of its value, over two consolidated tasks', () => {
    const n = 6;
    const pen = new EwcPenalty(3);
    pen.consolidate(Float32Array.from([0.5, -1, 0.25, 2, 0, 1]), Float64Array.from([1, 0.5, 2, 0, 0.25, 3]));
    pen.consolidate(Float32Array.from([0, 1, -0.5, 1, 0.5, -1]), Float64Array.from([0.5, 2, 1, 1, 0, 0.125]));
    const th = Float32Array.from([0.25, 0.5, -0.25, 1.5, -0.5, 0.75]);
    const g = new Float32Array(n);
    pen.addGradient(th, g);
    const h = 1 / 64; // exact in float32: the central difference of a quadratic is exact up to rounding
    for (let i = 0; i < n; i++) {
      const p = Float32Array.from(th),
        m = Float32Array.from(th);
      p[i] += h;
      m[i] -= h;
      expect(g[i]).toBeCloseTo((pen.value(p) - pen.value(m)) / (2 * h), 9);
    }
    expect(pen.value(th)).toBeGreaterThan(0);
    expect(pen.storedFloats()).toBe(4 * n);
  });

  it('the Fisher of the output biases is E_x p_j(1 − p_j) (exact over classes)', () => {
    const rng = new Rng(7);
    const net = new Mlp([3, 5, 4], rng.split('net'));
    const N = 9;
    const x = Float32Array.from(rng.normals(N * 3));
    const F = diagonalFisher(net, x, N);
    const z = softmaxInPlace(net.forward(x, N), N, 4);
    const b = net.offsets[1].b;
    for (let j = 0; j < 4; j++) {
      let e = 0;
      for (let s = 0; s < N; s++) e += (z[s * 4 + j] * (1 - z[s * 4 + j])) / N;
      expect(F[b + j]).toBeCloseTo(e, 6);
    }
    for (const f of F) expect(f).toBeGreaterThanOrEqual(0);
  });
});

describe('classifier loss and scores', () => {
  it('cross-entropy gradient matches finite differences in the logits', () => {
    const z = Float32Array.from([0.5, -1, 2, 0.25, 0, 1.5]);
    const y = [2, 0];
    const { dLogits } = crossEntropyWithLogits(z, y, 2, 3);
    const h = 1e-3;
    for (let i = 0; i < z.length; i++) {
      const p = Float32Array.from(z),
        m = Float32Array.from(z);
      p[i] += h;
      m[i] -= h;
      const fd = (crossEntropyWithLogits(p, y, 2, 3).loss - crossEntropyWithLogits(m, y, 2, 3).loss) / (2 * h);
      expect(dLogits[i]).toBeCloseTo(fd, 3);
    }
  });

  it('average accuracy, forgetting and learning accuracy of a hand-made accuracy matrix', () => {
    // rows: after task 0, 1, 2
    const R = [0.9, 0.2, 0.3, 0.6, 0.8, 0.1, 0.5, 0.4, 0.7];
    const s = continualScores(R, 3);
    expect(s.avgAcc).toBeCloseTo((0.5 + 0.4 + 0.7) / 3, 12);
    expect(s.learningAcc).toBeCloseTo((0.9 + 0.8 + 0.7) / 3, 12);
    expect(s.forgetting).toBeCloseTo((0.9 - 0.5 + (0.8 - 0.4)) / 2, 12);
  });
});

describe('permuted-cluster stream (env/permuted-clusters.ts)', () => {
  it('task 0 is unpermuted, every task has a permutation of the features and labels in range', () => {
    const spec = {
      dim: 6,
      classes: 3,
      centresPerClass: 2,
      centreScale: 1,
      noise: 0.5,
      tasks: 3,
      trainPerTask: 20,
      testPerTask: 10,
    };
    const tasks = permutedClusterStream(spec, new Rng(3));
    expect(Array.from(tasks[0].perm)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const t of tasks) {
      expect([...t.perm].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(t.train.x.length).toBe(20 * 6);
      for (const c of t.test.y) expect(c >= 0 && c < 3).toBe(true);
    }
    expect(permutedClusterStream(spec, new Rng(3))[2].train.x).toEqual(tasks[2].train.x);
  });
});
