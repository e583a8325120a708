/**
 * The `diffusion` bench workload (src/bench/workloads/diffusion.ts): the kit side's step (`ddpoKlStep`) computes the
 * DDPO-KL surrogate's gradient, checked against a float64 recomputation written here from the workload's definition
 * (float64 MLP, chains re-sampled from the same noise, central finite differences of the surrogate along random
 * directions and along the kit's gradient, whose derivative is the gradient norm), and its reward statistic; the
 * bundle carries the noise `ddpmSample` draws; and, where the interpreter has PyTorch, bench/reference/diffusion.py
 * computes the same steps (the workload's agreement check passes on a small batch).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle, removeBundle } from '../../src/bench/bundle';
import { probePython, runReference } from '../../src/bench/python';
import {
  diffusionAgreement,
  diffusionKit,
  diffusionSpec,
  diffusionStepRng,
  writeDiffusionBundle,
  type DiffusionBenchSpec,
  type DiffusionRefOut,
} from '../../src/bench/workloads/diffusion';
import { Rng } from '../../src/core/rng';
import { ddpmSchedule } from '../../src/testbeds/diffusion2d/models/schedule';
import { RING8_DDPM_BASE } from '../../src/testbeds/diffusion2d/models/base-model';

const py = probePython();
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeBundle));

/** ε_θ in float64: features [x/2, τ, sin/cos(2^j π τ)], ReLU MLP with the kit's flat layout (W: d_in × d_out). */
function eps64(p: Float64Array, dims: readonly number[], E: number, T: number, x: Float64Array, t: Int32Array) {
  const M = t.length;
  let a = new Float64Array(M * dims[0]);
  for (let n = 0; n < M; n++) {
    const tau = t[n] / T,
      o = n * dims[0];
    a[o] = x[2 * n] / 2;
    a[o + 1] = x[2 * n + 1] / 2;
    a[o + 2] = tau;
    for (let j = 0; j < E; j++) {
      a[o + 3 + 2 * j] = Math.sin(Math.PI * 2 ** j * tau);
      a[o + 4 + 2 * j] = Math.cos(Math.PI * 2 ** j * tau);
    }
  }
  let off = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const din = dims[l],
      dout = dims[l + 1];
    const b = off + din * dout;
    const out = new Float64Array(M * dout);
    for (let n = 0; n < M; n++)
      for (let j = 0; j < dout; j++) {
        let s = p[b + j];
        for (let i = 0; i < din; i++) s += a[n * din + i] * p[off + i * dout + j];
        out[n * dout + j] = l + 2 < dims.length ? Math.max(0, s) : s;
      }
    off = b + dout;
    a = out;
  }
  return a;
}

/** The step's chains and advantages in float64, and the surrogate L(θ) = −(1/N) Σ_n A_n Σ_t log p_θ on them. */
function surrogate64(spec: DiffusionBenchSpec) {
  const sched = ddpmSchedule(RING8_DDPM_BASE.schedule);
  const { N, T } = spec,
    dims = spec.model.mlp.dims,
    E = spec.model.shape.frequencies;
  const p0 = Float64Array.from(spec.model.mlp.params.f);
  const rng = diffusionStepRng(spec, 0);
  let x = rng.split('xT').normals(2 * N);
  const xt = new Float64Array(2 * N * T),
    xp = new Float64Array(2 * N * T),
    ts = new Int32Array(N * T);
  for (let t = T; t >= 1; t--) {
    const e = eps64(p0, dims, E, T, x, new Int32Array(N).fill(t));
    const z = rng.split(`z${t}`).normals(2 * N);
    const k = 1 / Math.sqrt(sched.alpha[t]),
      c = sched.beta[t] / Math.sqrt(1 - sched.alphaBar[t]),
      sd = Math.sqrt(sched.sigma2[t]);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const r = n * T + t - 1;
      ts[r] = t;
      for (let d = 0; d < 2; d++) {
        next[2 * n + d] = k * (x[2 * n + d] - c * e[2 * n + d]) + sd * z[2 * n + d];
        xt[2 * r + d] = x[2 * n + d];
        xp[2 * r + d] = next[2 * n + d];
      }
    }
    x = next;
  }
  // policy = reference at the first step: the path log-ratio is 0 and R = r
  const r = new Float64Array(N);
  for (let n = 0; n < N; n++) r[n] = -((x[2 * n] - spec.center[0]) ** 2 + (x[2 * n + 1] - spec.center[1]) ** 2) / 8;
  const m = r.reduce((a, b) => a + b, 0) / N;
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / N) + 1e-8;
  const A = r.map((v) => (v - m) / sd);
  const L = (p: Float64Array) => {
    const e = eps64(p, dims, E, T, xt, ts);
    let s = 0;
    for (let row = 0; row < N * T; row++) {
      const t = ts[row];
      const k = 1 / Math.sqrt(sched.alpha[t]),
        c = sched.beta[t] / Math.sqrt(1 - sched.alphaBar[t]),
        s2 = sched.sigma2[t];
      let q = 0;
      for (let d = 0; d < 2; d++) q += (xp[2 * row + d] - k * (xt[2 * row + d] - c * e[2 * row + d])) ** 2;
      s -= (A[Math.floor(row / T)] * (-Math.log(2 * Math.PI * s2) - q / (2 * s2))) / N;
    }
    return s;
  };
  return { p0, L, meanReward: m };
}

describe('bench workload: diffusion (DDPO-KL step)', () => {
  it('the kit step computes the surrogate gradient of a float64 recomputation (finite differences)', () => {
    const spec = diffusionSpec({ N: 16, warmup: 0, steps: 1 });
    const kit = diffusionKit(spec);
    const g = Float64Array.from(kit.policy.mlp.grads.f);
    const ref = surrogate64(spec);
    expect(kit.stats[0].reward).toBeCloseTo(ref.meanReward, 5);
    expect(Math.abs(kit.stats[0].kl)).toBeLessThan(1e-4);
    const gNorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    expect(kit.stats[0].gradNorm).toBeCloseTo(gNorm, 3);
    const dirs = [g.map((v) => v / gNorm)];
    for (const seed of [1, 2, 3]) {
      const v = new Rng(seed).normals(g.length);
      const n = Math.sqrt(v.reduce((s, u) => s + u * u, 0));
      dirs.push(v.map((u) => u / n));
    }
    const h = 1e-4;
    dirs.forEach((v, i) => {
      const fd = (ref.L(ref.p0.map((p, j) => p + h * v[j])) - ref.L(ref.p0.map((p, j) => p - h * v[j]))) / (2 * h);
      const an = g.reduce((s, gj, j) => s + gj * v[j], 0);
      expect(Math.abs(fd - an), `direction ${i}: fd ${fd}, kit ${an}`).toBeLessThan(2e-3 * gNorm);
    });
    // along the gradient itself the derivative is the gradient norm
    const fdg =
      (ref.L(ref.p0.map((p, j) => p + h * dirs[0][j])) - ref.L(ref.p0.map((p, j) => p - h * dirs[0][j]))) / (2 * h);
    expect(fdg / gNorm).toBeCloseTo(1, 2);
  });

  it("the bundle carries the weights, the schedule and every step's x_T and z_t from the step generators", () => {
    const spec = diffusionSpec({ N: 4, warmup: 1, steps: 1 });
    const dir = writeDiffusionBundle(spec);
    dirs.push(dir);
    const b = readBundle(dir);
    expect(Array.from(b.arrays.params)).toEqual(Array.from(spec.model.mlp.params.f));
    const r1 = diffusionStepRng(spec, 1);
    expect(Array.from(b.arrays.xT.subarray(8, 16))).toEqual(Array.from(r1.split('xT').normals(8)));
    const z = b.arrays.z; // [step, t − 1, 2N]
    expect(Array.from(z.subarray((1 * 20 + 6) * 8, (1 * 20 + 7) * 8))).toEqual(Array.from(r1.split('z7').normals(8)));
    expect(b.scalars.dims).toEqual([11, 128, 128, 128, 2]);
  });

  it('the agreement check fails on a different gradient norm', () => {
    const s = { reward: -1, kl: 0, objective: -1, gradNorm: 2 };
    expect(diffusionAgreement([s], [{ ...s }]).ok).toBe(true);
    expect(diffusionAgreement([s], [{ ...s, gradNorm: 2.01 }]).ok).toBe(false);
    expect(diffusionAgreement([s], [{ ...s, reward: -1.001 }]).ok).toBe(false);
  });

  it.skipIf(!py?.torch)('PyTorch computes the same steps (reward, KL, objective, gradient norm)', () => {
    const spec = diffusionSpec({ N: 32, warmup: 1, steps: 2 });
    const kit = diffusionKit(spec);
    const dir = writeDiffusionBundle(spec);
    dirs.push(dir);
    const out = runReference(py!, 'diffusion.py', dir, 1) as unknown as DiffusionRefOut;
    const ag = diffusionAgreement(kit.stats, out.stats);
    expect(ag.ok, ag.text).toBe(true);
    expect(out.stats.length).toBe(3);
    expect(out.blas).not.toBe('');
  });
});
