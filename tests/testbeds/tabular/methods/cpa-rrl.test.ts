import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { cpaTransferLabels } from '../../../../src/testbeds/tabular/methods/cross-task-preference-alignment';
import { rrlLoss, type StepFeatures } from '../../../../src/testbeds/tabular/methods/robust-reward-learning';
import { heronBradleyTerryLoss } from '../../../../src/testbeds/tabular/methods/heron';

describe('PEARL: CPA label transfer', () => {
  it('a one-to-one coupling copies the source labels; a uniform coupling averages them', () => {
    const n = 4;
    const rng = new Rng(1);
    const Ys = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Ys[i * n + j] = i === j ? NaN : rng.uniform();
    const sigma = [2, 0, 3, 1]; // target a ↔ source sigma[a]
    const T = new Float64Array(n * n);
    for (let a = 0; a < n; a++) T[sigma[a] * n + a] = 1 / n;
    const pairs = { i: Int32Array.of(0, 1, 3), j: Int32Array.of(1, 2, 0) };
    const y = cpaTransferLabels(T, n, n, Ys, pairs);
    for (let p = 0; p < 3; p++) expect(y[p]).toBeCloseTo(Ys[sigma[pairs.i[p]] * n + sigma[pairs.j[p]]], 14);
    const U = new Float64Array(n * n).fill(1 / (n * n));
    let mean = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) mean += Ys[i * n + j] / (n * (n - 1));
    expect(cpaTransferLabels(U, n, n, Ys, pairs)[0]).toBeCloseTo(mean, 14);
  });
});

describe('PEARL: RRL loss', () => {
  const rng = new Rng(7);
  const nF = 3,
    L = 4,
    n = 5;
  const phi = rng.normals(n * L * nF);
  const steps: StepFeatures = { n, L, nF, phi, len: Int32Array.of(4, 2, 3, 4, 1) };
  const pairs = { i: Int32Array.of(0, 1, 2, 4), j: Int32Array.of(3, 0, 4, 1) };
  const y = [1, 0, 0.7, 0.2];
  const K = 3;
  const eps = rng.normals(pairs.i.length * K);

  it('its gradient matches central finite differences', () => {
    const o = { klWeight: 0.3, l2: 0.05, draws: K };
    const th = rng.normals(2 * nF + 1, 0, 0.5);
    const g = new Float64Array(th.length),
      tmp = new Float64Array(th.length);
    rrlLoss(th, steps, pairs, y, eps, o, g);
    for (let k = 0; k < th.length; k++) {
      const h = 1e-6;
      const a = Float64Array.from(th),
        b = Float64Array.from(th);
      a[k] += h;
      b[k] -= h;
      const fd = (rrlLoss(a, steps, pairs, y, eps, o, tmp) - rrlLoss(b, steps, pairs, y, eps, o, tmp)) / (2 * h);
      expect(g[k]).toBeCloseTo(fd, 6);
    }
  });

  it('with vanishing uncertainty and no KL term it is the Bradley–Terry loss of the mean reward', () => {
    const psi = rng.normals(nF);
    const th = new Float64Array(2 * nF + 1);
    th.set(psi);
    th[2 * nF] = -60; // σ = softplus(−60) ≈ 0
    const g = new Float64Array(th.length);
    const rrl = rrlLoss(th, steps, pairs, y, eps, { klWeight: 0, l2: 0.1, draws: K }, g);
    const dPhi = new Float64Array(pairs.i.length * nF);
    for (let p = 0; p < pairs.i.length; p++)
      for (const [s, sign] of [
        [pairs.i[p], 1],
        [pairs.j[p], -1],
      ])
        for (let t = 0; t < steps.len[s]; t++)
          for (let f = 0; f < nF; f++) dPhi[p * nF + f] += sign * phi[(s * L + t) * nF + f];
    const bt = heronBradleyTerryLoss(psi, dPhi, y, 0.1, new Float64Array(nF));
    expect(rrl).toBeCloseTo(bt, 5);
  });
});
