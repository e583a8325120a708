/**
 * The transformer language model (src/nn/transformer-lm.ts) and its kernels: each new wasm kernel against a
 * float64 loop; the model's log-probabilities and its gradient on every parameter group against an
 * independent float64 implementation of the same equations (central differences); the KV-cache sampler
 * against teacher-forced recomputation; causality; loss weights and masks; gradient clipping; bit-identical
 * reruns; a small model learning to reverse a sequence; the relaxed-SIMD (FMA) GEMM path.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/core/rng';
import { Adam } from '../../src/nn/adam';
import {
  parameterGroups,
  resolveTransformerConfig,
  transformerLayout,
  TransformerLm,
  type ResolvedTransformerLmConfig,
  type TransformerLmConfig,
} from '../../src/nn/transformer-lm';
import {
  Arena,
  gemm,
  gemmBatched,
  geluBackward,
  geluForward,
  layerNormBackward,
  layerNormForward,
  probeFma,
  softmaxBackward,
  softmaxRows,
  type GemmChoice,
} from '../../src/nn/wasm';
import { GEMM_FMA_WASM_BASE64 } from '../../src/nn/gemm-wasm';

const GELU_K = Math.sqrt(2 / Math.PI);
const gelu64 = (u: number) => 0.5 * u * (1 + Math.tanh(GELU_K * (u + 0.044715 * u * u * u)));

/** Float64 reference of the whole model: Σ w·logp + Σ e·entropy, and the log-probabilities. */
function refModel(
  cfg: ResolvedTransformerLmConfig,
  p: Float64Array,
  tokens: Int32Array,
  N: number,
  T: number,
  outFrom: number,
  w: ArrayLike<number>,
  e: ArrayLike<number> | null,
  temp = 1,
  u: ArrayLike<number> | null = null,
): { obj: number; logp: number[]; ent: number[]; hidden: number[] } {
  const { vocab: V, dModel: d, heads: H, mlp: F, layers, lnEps } = cfg;
  const L = transformerLayout(cfg);
  const S = T - 1,
    dh = d / H;
  const ln = (x: number[], g: number, b: number) => {
    let m = 0;
    for (const v of x) m += v;
    m /= d;
    let va = 0;
    for (const v of x) va += (v - m) * (v - m);
    va /= d;
    const rs = 1 / Math.sqrt(va + lnEps);
    return x.map((v, j) => (v - m) * rs * p[g + j] + p[b + j]);
  };
  const lin = (x: number[], W: number, b: number | null, nin: number, nout: number) => {
    const out = new Array<number>(nout).fill(0);
    for (let o = 0; o < nout; o++) {
      let s = b === null ? 0 : p[b + o];
      for (let i = 0; i < nin; i++) s += x[i] * p[W + i * nout + o];
      out[o] = s;
    }
    return out;
  };
  const logp: number[] = [],
    ent: number[] = [],
    hidden: number[] = [];
  let obj = 0;
  for (let n = 0; n < N; n++) {
    let xs: number[][] = [];
    for (let s = 0; s < S; s++) {
      const t = tokens[n * T + s];
      xs.push(Array.from({ length: d }, (_, j) => p[L.wte + t * d + j] + p[L.wpe + s * d + j]));
    }
    for (let l = 0; l < layers; l++) {
      const b = L.blocks[l];
      const qkv = xs.map((x) => lin(ln(x, b.ln1g, b.ln1b), b.Wqkv, b.bqkv, d, 3 * d));
      const y = xs.map(() => new Array<number>(d).fill(0));
      for (let h = 0; h < H; h++)
        for (let i = 0; i < S; i++) {
          const sc: number[] = [];
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let k = 0; k < dh; k++) s += qkv[i][h * dh + k] * qkv[j][d + h * dh + k];
            sc.push(s / Math.sqrt(dh));
          }
          const mx = Math.max(...sc);
          const ex = sc.map((v) => Math.exp(v - mx));
          const z = ex.reduce((a, c) => a + c, 0);
          for (let j = 0; j <= i; j++)
            for (let k = 0; k < dh; k++) y[i][h * dh + k] += (ex[j] / z) * qkv[j][2 * d + h * dh + k];
        }
      xs = xs.map((x, i) => {
        const o = lin(y[i], b.Wo, b.bo, d, d);
        return x.map((v, j) => v + o[j]);
      });
      xs = xs.map((x) => {
        const u = lin(ln(x, b.ln2g, b.ln2b), b.W1, b.b1, d, F);
        const a = u.map((v) => (cfg.activation === 'relu' ? Math.max(0, v) : gelu64(v)));
        const o = lin(a, b.W2, b.b2, F, d);
        return x.map((v, j) => v + o[j]);
      });
    }
    for (let s = outFrom; s < S; s++) {
      const hf = ln(xs[s], L.lnfg, L.lnfb);
      const z = lin(hf, L.Wh, null, d, V).map((v) => v / temp);
      const mx = Math.max(...z);
      const lse = mx + Math.log(z.reduce((a, c) => a + Math.exp(c - mx), 0));
      const lp = z[tokens[n * T + s + 1]] - lse;
      let en = 0;
      for (const v of z) en -= Math.exp(v - lse) * (v - lse);
      const r = n * (S - outFrom) + (s - outFrom);
      obj += w[r] * lp + (e ? e[r] * en : 0);
      for (let j = 0; j < d; j++) {
        hidden.push(hf[j]);
        if (u) obj += u[r * d + j] * hf[j];
      }
      logp.push(lp);
      ent.push(en);
    }
  }
  return { obj, logp, ent, hidden };
}

const TINY: TransformerLmConfig = { vocab: 7, context: 8, layers: 2, dModel: 8, heads: 2, mlp: 16 };

/** A model with random, well-spread parameters (so that every path carries gradient). */
function randomModel(cfg: TransformerLmConfig, seed: number, o: { gemm?: GemmChoice } = {}): TransformerLm {
  const m = new TransformerLm(cfg, new Rng(seed), undefined, o);
  const r = new Rng(seed).split('spread');
  const p = m.params.f;
  for (let i = 0; i < p.length; i++) p[i] = r.normal(0, 0.4);
  const c = m.config,
    L = m.layout;
  for (const g of [L.lnfg, ...L.blocks.flatMap((b) => [b.ln1g, b.ln2g])])
    for (let j = 0; j < c.dModel; j++) p[g + j] = 1 + r.normal(0, 0.3);
  return m;
}

function randomTokens(n: number, V: number, seed: number): Int32Array {
  const r = new Rng(seed);
  return Int32Array.from({ length: n }, () => r.int(V));
}

describe('transformer kernels (wasm SIMD) against float64 loops', () => {
  it('gemmBatched equals one gemm call per grid cell, with strides, transposed A and accumulation', () => {
    const A = new Arena();
    const n1 = 3,
      n2 = 2,
      M = 5,
      N = 9,
      K = 6;
    const a = A.alloc(n1 * n2 * K * M + 7),
      b = A.alloc(n1 * 40 + n2 * 60 + K * N),
      c1 = A.alloc(n1 * n2 * M * N),
      c2 = A.alloc(n1 * n2 * M * N);
    const r = new Rng(1);
    a.f.set(r.normals(a.length));
    b.f.set(r.normals(b.length));
    const c0 = r.normals(c1.length);
    c1.f.set(c0);
    c2.f.set(c0);
    const grid = {
      n1,
      n2,
      a: [n2 * K * M, K * M] as [number, number],
      b: [40, 60] as [number, number],
      c: [n2 * M * N, M * N] as [number, number],
    };
    gemmBatched(grid, M, N, K, { buf: a, offset: 7, ld: M, trans: true }, { buf: b, ld: N }, { buf: c1, ld: N }, true);
    for (let i = 0; i < n1; i++)
      for (let j = 0; j < n2; j++)
        gemm(
          M,
          N,
          K,
          { buf: a, offset: 7 + i * grid.a[0] + j * grid.a[1], ld: M, trans: true },
          { buf: b, offset: i * 40 + j * 60, ld: N },
          { buf: c2, offset: i * grid.c[0] + j * grid.c[1], ld: N },
          true,
        );
    expect(Array.from(c1.f)).toEqual(Array.from(c2.f));
    // and the values are right (one cell, float64)
    let s = c0[N + 2];
    for (let k = 0; k < K; k++) s += a.f[7 + k * M + 1] * b.f[k * N + 2];
    expect(c1.f[N + 2]).toBeCloseTo(s, 4);
    expect(() =>
      gemmBatched({ ...grid, n1: 4 }, M, N, K, { buf: a, ld: M, trans: true }, { buf: b, ld: N }, { buf: c1, ld: N }),
    ).toThrow(/overruns/);
  });

  it('a long product (K > 256, run in cache-sized K-chunks) has the same bits as one accumulating pass', () => {
    const A = new Arena();
    const M = 7,
      N = 13,
      K = 1000;
    const a = A.alloc(K * M),
      b = A.alloc(K * N),
      bias = A.alloc(N),
      c1 = A.alloc(M * N),
      c2 = A.alloc(M * N);
    const r = new Rng(9);
    a.f.set(r.normals(a.length));
    b.f.set(r.normals(b.length));
    bias.f.set(r.normals(N));
    // chunked: no accumulation; one pass: accumulate onto zeros (0 + s = s exactly unless s = −0)
    gemm(M, N, K, { buf: a, ld: M, trans: true }, { buf: b, ld: N }, { buf: c1, ld: N });
    gemm(M, N, K, { buf: a, ld: M, trans: true }, { buf: b, ld: N }, { buf: c2, ld: N }, true);
    expect(Array.from(c1.f)).toEqual(Array.from(c2.f));
    let s = 0;
    for (let k = 0; k < K; k++) s += a.f[k * M + 3] * b.f[k * N + 5];
    expect(Math.abs(c1.f[3 * N + 5] - s)).toBeLessThan(1e-3);
    // bias and ReLU apply once, after the last chunk
    gemm(
      M,
      N,
      K,
      { buf: a, ld: M, trans: true },
      { buf: b, ld: N },
      { buf: c1, ld: N },
      { bias: { buf: bias }, relu: true },
    );
    let zeros = 0;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        const want = Math.max(0, Math.fround(c2.f[i * N + j] + bias.f[j]));
        expect(c1.f[i * N + j]).toBe(want);
        if (want === 0) zeros++;
      }
    expect(zeros).toBeGreaterThan(0);
  });

  it('layerNormForward / Backward match float64 (values, dx, dg, db; accumulate adds)', () => {
    const A = new Arena();
    const M = 5,
      D = 12,
      eps = 1e-5;
    const x = A.alloc(M * D),
      g = A.alloc(D),
      b = A.alloc(D),
      xh = A.alloc(M * D),
      rs = A.alloc(M),
      y = A.alloc(M * D),
      dy = A.alloc(M * D),
      dx = A.alloc(M * D),
      dg = A.alloc(D),
      db = A.alloc(D);
    const r = new Rng(2);
    x.f.set(r.normals(M * D, 0.5, 2));
    g.f.set(r.normals(D, 1, 0.3));
    b.f.set(r.normals(D));
    dy.f.set(r.normals(M * D));
    layerNormForward(M, D, { buf: x }, { buf: g }, { buf: b }, { buf: xh }, { buf: rs }, { buf: y }, eps);
    // f(x) = Σ dy·LN(x) in float64, gradient by central differences
    const f = (xx: Float64Array, gg: Float64Array, bb: Float64Array) => {
      let tot = 0;
      for (let i = 0; i < M; i++) {
        let m = 0,
          v = 0;
        for (let j = 0; j < D; j++) m += xx[i * D + j];
        m /= D;
        for (let j = 0; j < D; j++) v += (xx[i * D + j] - m) ** 2;
        const s = 1 / Math.sqrt(v / D + eps);
        for (let j = 0; j < D; j++) tot += dy.f[i * D + j] * ((xx[i * D + j] - m) * s * gg[j] + bb[j]);
      }
      return tot;
    };
    const X = Float64Array.from(x.f),
      G = Float64Array.from(g.f),
      B = Float64Array.from(b.f);
    for (let i = 0; i < M; i++) {
      let m = 0;
      for (let j = 0; j < D; j++) m += X[i * D + j] / D;
      let v = 0;
      for (let j = 0; j < D; j++) v += (X[i * D + j] - m) ** 2 / D;
      for (let j = 0; j < D; j++)
        expect(y.f[i * D + j]).toBeCloseTo(((X[i * D + j] - m) / Math.sqrt(v + eps)) * G[j] + B[j], 5);
    }
    dx.f.fill(0.5);
    layerNormBackward(
      M,
      D,
      { buf: dy },
      { buf: xh },
      { buf: rs },
      { buf: g },
      { buf: dx },
      { buf: dg },
      { buf: db },
      true,
    );
    const h = 1e-6;
    const fd = (arr: Float64Array, k: number) => {
      const a0 = arr[k];
      arr[k] = a0 + h;
      const fp = f(X, G, B);
      arr[k] = a0 - h;
      const fm = f(X, G, B);
      arr[k] = a0;
      return (fp - fm) / (2 * h);
    };
    for (let k = 0; k < M * D; k++) expect(dx.f[k] - 0.5).toBeCloseTo(fd(X, k), 4);
    for (let j = 0; j < D; j++) {
      expect(dg.f[j]).toBeCloseTo(fd(G, j), 4);
      expect(db.f[j]).toBeCloseTo(fd(B, j), 4);
    }
  });

  it('geluForward matches the tanh-form GELU and stores its derivative (also in place); geluBackward uses it', () => {
    const A = new Arena();
    const n = 400;
    const u = A.alloc(n),
      a = A.alloc(n),
      g = A.alloc(n),
      a2 = A.alloc(n),
      da = A.alloc(n);
    const xs = Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
    u.f.set(xs);
    geluForward(n, { buf: u }, { buf: a }, { buf: g });
    const gIn = A.alloc(n);
    gIn.f.set(xs);
    geluForward(n, { buf: gIn }, { buf: a2 }, { buf: gIn }); // derivative written over u
    const r = new Rng(8);
    const d0 = Float32Array.from(r.normals(n));
    da.f.set(d0);
    geluBackward(n, { buf: g }, { buf: da });
    for (let i = 0; i < n; i++) {
      const x = u.f[i];
      expect(Math.abs(a.f[i] - gelu64(x))).toBeLessThan(2e-6 * (1 + Math.abs(x)));
      const d = (gelu64(x + 1e-6) - gelu64(x - 1e-6)) / 2e-6;
      expect(Math.abs(g.f[i] - d)).toBeLessThan(1e-5);
      expect(gIn.f[i]).toBe(g.f[i]);
      expect(a2.f[i]).toBe(a.f[i]);
      expect(da.f[i]).toBe(Math.fround(d0[i] * g.f[i]));
    }
    expect(() => geluForward(6, { buf: u }, { buf: a })).toThrow(/multiple of 4/);
  });

  it('softmaxRows is a causal softmax (zeros after each row) and softmaxBackward its vector-Jacobian product', () => {
    const A = new Arena();
    const nmat = 3,
      rows = 7,
      ld = 9,
      ms = 70,
      scale = 0.7;
    const x = A.alloc(nmat * ms),
      p = A.alloc(nmat * ms),
      dp = A.alloc(nmat * ms);
    const r = new Rng(3);
    const x0 = Float64Array.from(r.normals(x.length, 0, 3));
    x.f.set(x0);
    const dp0 = Float64Array.from(r.normals(x.length));
    dp.f.set(dp0);
    const layout = { nmat, rows, ld, ms, len0: 1, scale };
    softmaxRows(layout, { buf: x });
    p.f.set(x.f);
    softmaxBackward(layout, { buf: p }, { buf: dp });
    for (let m = 0; m < nmat; m++)
      for (let i = 0; i < rows; i++) {
        const o = m * ms + i * ld,
          len = i + 1;
        const z = Array.from({ length: len }, (_, j) => scale * x0[o + j]);
        const mx = Math.max(...z);
        const e = z.map((v) => Math.exp(v - mx));
        const sum = e.reduce((a, c) => a + c, 0);
        let dot = 0;
        for (let j = 0; j < len; j++) dot += (e[j] / sum) * dp0[o + j];
        for (let j = 0; j < len; j++) {
          expect(Math.abs(x.f[o + j] - e[j] / sum)).toBeLessThan(1e-6);
          expect(dp.f[o + j]).toBeCloseTo(scale * (e[j] / sum) * (dp0[o + j] - dot), 5);
        }
        for (let j = len; j < rows; j++) {
          expect(x.f[o + j]).toBe(0);
          expect(dp.f[o + j]).toBe(0);
        }
        expect(x.f[o + rows]).toBe(Math.fround(x0[o + rows])); // beyond the row width: untouched
      }
  });
});

describe('TransformerLm against a float64 reference', () => {
  // T − 1 = 20 input positions: two attention blocks of the teacher-forced pass (16 query rows each)
  const cases: [string, TransformerLmConfig, number, boolean, number, number][] = [
    ['GELU, temperature 1, 6 positions', TINY, 1, false, 3, 7],
    ['GELU, temperature 1, 20 positions', { ...TINY, context: 24 }, 1, false, 2, 21],
    ['ReLU, temperature 0.7, entropy weights', { ...TINY, activation: 'relu' }, 0.7, true, 3, 7],
  ];
  it.each(cases)(
    'log-probabilities, entropies and every parameter group’s gradient (%s)',
    (_, cfg, temp, withEnt, N, T) => {
      const model = randomModel(cfg, 11);
      const c = model.config;
      const outFrom = 2,
        O = T - 1 - outFrom;
      const tokens = randomTokens(N * T, c.vocab, 4);
      const r = new Rng(5);
      const w = Float32Array.from({ length: N * O }, () => r.normal());
      const e = withEnt ? Float32Array.from({ length: N * O }, () => r.normal()) : null;
      const f = model.forward(tokens, N, T, outFrom, { temperature: temp });
      const p64 = Float64Array.from(model.params.f);
      const ref = refModel(c, p64, tokens, N, T, outFrom, w, e, temp);
      for (let i = 0; i < N * O; i++) {
        expect(Math.abs(f.logp[i] - ref.logp[i])).toBeLessThan(2e-5);
        expect(Math.abs(f.entropy[i] - ref.ent[i])).toBeLessThan(2e-5);
      }
      model.zeroGrad();
      model.backward(f, w, e ? { entropy: e } : {});
      const g = model.grads.f;
      const groups = parameterGroups(c);
      const h = 1e-5;
      const pick = new Rng(6);
      for (const grp of groups) {
        // the gradient is not trivially zero on this group …
        let norm = 0;
        for (let i = 0; i < grp.size; i++) norm += g[grp.offset + i] ** 2;
        if (!grp.name.startsWith('wpe')) expect(Math.sqrt(norm), grp.name).toBeGreaterThan(1e-3);
        // … and matches central differences on up to 6 of its entries (wpe: only the used positions)
        const limit = grp.name === 'wpe' ? (T - 1) * c.dModel : grp.size;
        for (let t = 0; t < Math.min(6, limit); t++) {
          const i = grp.offset + pick.int(limit);
          const a0 = p64[i];
          p64[i] = a0 + h;
          const fp = refModel(c, p64, tokens, N, T, outFrom, w, e, temp).obj;
          p64[i] = a0 - h;
          const fm = refModel(c, p64, tokens, N, T, outFrom, w, e, temp).obj;
          p64[i] = a0;
          const fd = (fp - fm) / (2 * h);
          expect(Math.abs(g[i] - fd), `${grp.name}[${i - grp.offset}]: ${g[i]} vs ${fd}`).toBeLessThan(
            2e-4 * (1 + Math.abs(fd)),
          );
        }
      }
      // positions beyond the sequence get no gradient
      for (let i = (T - 1) * c.dModel; i < c.context * c.dModel; i++) expect(g[model.layout.wpe + i]).toBe(0);
    },
  );
  it('final hidden states and an outside gradient on them (a value head’s) match the float64 reference', () => {
    const model = randomModel(TINY, 12);
    const c = model.config;
    const N = 3,
      T = 7,
      outFrom = 3,
      O = T - 1 - outFrom,
      d = c.dModel;
    const tokens = randomTokens(N * T, c.vocab, 5);
    const r = new Rng(8);
    const w = Float32Array.from({ length: N * O }, () => 0.3 * r.normal());
    const u = Float32Array.from({ length: N * O * d }, () => r.normal());
    const f = model.forward(tokens, N, T, outFrom);
    const hid = model.hidden(f);
    const p64 = Float64Array.from(model.params.f);
    const ref = refModel(c, p64, tokens, N, T, outFrom, w, null, 1, u);
    expect(hid.length).toBe(N * O * d);
    for (let i = 0; i < hid.length; i++) expect(Math.abs(hid[i] - ref.hidden[i])).toBeLessThan(2e-5);
    model.zeroGrad();
    model.backward(f, w, { hidden: u });
    const g = Float64Array.from(model.grads.f);
    // without the outside gradient the result differs (the hidden term is not ignored) …
    const f2 = model.forward(tokens, N, T, outFrom);
    model.zeroGrad();
    model.backward(f2, w);
    let diff = 0;
    for (let i = 0; i < g.length; i++) diff += Math.abs(g[i] - model.grads.f[i]);
    expect(diff).toBeGreaterThan(1e-2);
    // … and with it every group matches central differences of Σ w·logp + Σ u·h_final
    const h = 1e-5,
      pick = new Rng(9);
    for (const grp of parameterGroups(c)) {
      const limit = grp.name === 'wpe' ? (T - 1) * d : grp.size;
      for (let t = 0; t < Math.min(4, limit); t++) {
        const i = grp.offset + pick.int(limit);
        const a0 = p64[i];
        p64[i] = a0 + h;
        const fp = refModel(c, p64, tokens, N, T, outFrom, w, null, 1, u).obj;
        p64[i] = a0 - h;
        const fm = refModel(c, p64, tokens, N, T, outFrom, w, null, 1, u).obj;
        p64[i] = a0;
        const fd = (fp - fm) / (2 * h);
        expect(Math.abs(g[i] - fd), `${grp.name}[${i - grp.offset}]: ${g[i]} vs ${fd}`).toBeLessThan(
          2e-4 * (1 + Math.abs(fd)),
        );
      }
    }
    expect(() => model.backward(model.forward(tokens, N, T, outFrom), w, { hidden: new Float32Array(5) })).toThrow(
      /hidden-state gradient has 5 entries, expected N·O·d = 72/,
    );
    expect(() => model.hidden(f)).toThrow(/stale/);
  });
});

describe('TransformerLm sampling with a KV cache', () => {
  const cfg: TransformerLmConfig = { vocab: 11, context: 24, layers: 2, dModel: 16, heads: 4, mlp: 40 };

  // 24 input positions: two attention blocks in the teacher-forced pass; P = 18: two in the prompt pass
  const runs: [GemmChoice, number, number][] = [
    ['auto', 5, 20],
    ['mul-add', 5, 20],
    ['auto', 18, 7],
  ];
  it.each(runs)(
    'log-probabilities of sampled tokens equal, bit for bit, a teacher-forced forward (gemm %s, P %i, L %i)',
    (gemmChoice, P, L) => {
      const model = randomModel(cfg, 21, { gemm: gemmChoice });
      expect(model.gemmPath).toBe(gemmChoice === 'auto' ? (probeFma().fused ? 'fma' : 'mul-add') : 'mul-add');
      const N = 9;
      const prompts = randomTokens(N * P, cfg.vocab, 22);
      for (const temp of [1, 0.6]) {
        const s = model.sample(prompts, N, P, L, new Rng(23), { temperature: temp });
        const seq = new Int32Array(N * (P + L));
        for (let n = 0; n < N; n++) {
          seq.set(prompts.subarray(n * P, (n + 1) * P), n * (P + L));
          seq.set(s.tokens.subarray(n * L, (n + 1) * L), n * (P + L) + P);
        }
        const f = model.forward(seq, N, P + L, P - 1, { temperature: temp });
        expect(Array.from(s.logp)).toEqual(Array.from(f.logp));
        expect(Array.from(s.entropy)).toEqual(Array.from(f.entropy));
        const distinct = new Set(Array.from(s.tokens)).size;
        expect(distinct).toBeGreaterThan(3); // it did sample, not collapse
      }
    },
  );

  it('greedy decoding equals step-by-step argmax of full recomputation', () => {
    const model = randomModel(cfg, 31);
    const N = 4,
      P = 3,
      L = 8;
    const prompts = randomTokens(N * P, cfg.vocab, 32);
    const g = model.sample(prompts, N, P, L, new Rng(0), { greedy: true });
    const seq = Array.from({ length: N }, (_, n) => Array.from(prompts.subarray(n * P, (n + 1) * P)));
    for (let t = 0; t < L; t++) {
      const T = P + t + 1; // forward over the prefix plus a dummy last token, score every position
      const toks = new Int32Array(N * T);
      for (let n = 0; n < N; n++) toks.set([...seq[n], 0], n * T);
      // logits of the last position: log π of each candidate token
      const best = seq.map(() => ({ v: -1, lp: -Infinity }));
      for (let v = 0; v < cfg.vocab; v++) {
        for (let n = 0; n < N; n++) toks[n * T + T - 1] = v;
        const f = model.forward(toks, N, T, T - 2);
        for (let n = 0; n < N; n++) if (f.logp[n] > best[n].lp) best[n] = { v, lp: f.logp[n] };
      }
      for (let n = 0; n < N; n++) seq[n].push(best[n].v);
    }
    for (let n = 0; n < N; n++) expect(Array.from(g.tokens.subarray(n * L, (n + 1) * L))).toEqual(seq[n].slice(P));
  });

  it('stops each row at its own stop token or length cap, pads the rest, and stops early when all rows end', () => {
    const model = randomModel(cfg, 41);
    const N = 6,
      P = 2,
      L = 10;
    const prompts = randomTokens(N * P, cfg.vocab, 42);
    const free = model.sample(prompts, N, P, L, new Rng(43));
    // stop tokens chosen from what each row produced at step 3 (so every row stops there or earlier)
    const eos = Int32Array.from({ length: N }, (_, n) => free.tokens[n * L + 3]);
    const maxNew = [10, 10, 2, 10, 0, 10];
    const s = model.sample(prompts, N, P, L, new Rng(43), { eos, maxNew, pad: 9 });
    for (let n = 0; n < N; n++) {
      const row = Array.from(s.tokens.subarray(n * L, (n + 1) * L));
      const firstStop = Array.from(free.tokens.subarray(n * L, n * L + 4)).indexOf(eos[n]);
      const want = Math.min(firstStop + 1, maxNew[n]);
      expect(s.lengths[n], `row ${n}`).toBe(want);
      expect(row.slice(0, want)).toEqual(Array.from(free.tokens.subarray(n * L, n * L + want)));
      expect(row.slice(want).every((v) => v === 9)).toBe(true);
      for (let t = want; t < L; t++) {
        expect(s.logp[n * L + t]).toBe(0);
        expect(s.entropy[n * L + t]).toBe(0);
      }
    }
    expect(() => model.sample(prompts, N, P, 24, new Rng(0))).toThrow(/context is 24/);
  });
});

describe('TransformerLm structure, weights and training', () => {
  it('is causal: changing a later token leaves every earlier log-probability bit-identical', () => {
    const model = randomModel({ ...TINY, context: 40 }, 51);
    const N = 2,
      T = 40; // three attention blocks
    const a = randomTokens(N * T, TINY.vocab, 52);
    const fa = Array.from(model.forward(a, N, T, 0).logp);
    for (const k of [3, 6, 17, 33, 39]) {
      const b = Int32Array.from(a);
      for (let n = 0; n < N; n++) b[n * T + k] = (a[n * T + k] + 1) % TINY.vocab;
      const fb = Array.from(model.forward(b, N, T, 0).logp);
      for (let n = 0; n < N; n++) {
        // position s predicts token s+1: positions s < k never see token k
        for (let s = 0; s < k - 1; s++) expect(fb[n * (T - 1) + s]).toBe(fa[n * (T - 1) + s]);
        // position k−1 scores the changed token, and later positions attend to it
        let changed = 0;
        for (let s = k - 1; s < T - 1; s++) if (fb[n * (T - 1) + s] !== fa[n * (T - 1) + s]) changed++;
        expect(changed).toBe(T - k);
      }
    }
  });

  it('a zero loss weight masks its token: no gradient from it; a masked row equals leaving it out', () => {
    const model = randomModel(TINY, 61);
    const N = 3,
      T = 7,
      O = T - 1;
    const toks = randomTokens(N * T, TINY.vocab, 62);
    const r = new Rng(63);
    const w = Float32Array.from({ length: N * O }, () => r.normal());
    const grad = (tk: Int32Array, ww: Float32Array, n = N) => {
      model.zeroGrad();
      const f = model.forward(tk, n, T, 0);
      model.backward(f, ww);
      return Float32Array.from(model.grads.f);
    };
    // the last token of row 1 is a target only (never an input): with weight 0 it cannot matter
    const last = 1 * O + (O - 1);
    const alt = Int32Array.from(toks);
    alt[1 * T + T - 1] = (toks[1 * T + T - 1] + 3) % TINY.vocab;
    const wm = Float32Array.from(w);
    wm[last] = 0;
    expect(Array.from(grad(alt, wm))).toEqual(Array.from(grad(toks, wm)));
    expect(Array.from(grad(alt, w))).not.toEqual(Array.from(grad(toks, w))); // unmasked, it does
    // row 2 fully masked = the batch of rows 0 and 1 only
    const w2 = Float32Array.from(w);
    w2.fill(0, 2 * O);
    const gAll = grad(toks, w2);
    const gTwo = grad(toks.slice(0, 2 * T), w.slice(0, 2 * O), 2);
    let worst = 0,
      scale = 0;
    for (let i = 0; i < gAll.length; i++) {
      worst = Math.max(worst, Math.abs(gAll[i] - gTwo[i]));
      scale = Math.max(scale, Math.abs(gTwo[i]));
    }
    expect(worst).toBeLessThan(1e-6 * scale);
  });

  it('clipGradNorm scales the gradient to exactly the max norm (and leaves a smaller one alone)', () => {
    const model = randomModel(TINY, 71);
    const N = 2,
      T = 6;
    const f = model.forward(randomTokens(N * T, TINY.vocab, 72), N, T, 0);
    model.zeroGrad();
    model.backward(f, new Float32Array(N * (T - 1)).fill(-1));
    const before = model.gradNorm();
    expect(before).toBeGreaterThan(0.5);
    const dir = Float32Array.from(model.grads.f);
    expect(model.clipGradNorm(0.25)).toBe(before);
    expect(Math.abs(model.gradNorm() - 0.25)).toBeLessThan(1e-6);
    const g = model.grads.f;
    for (let i = 0; i < g.length; i += 97) expect(g[i]).toBeCloseTo((dir[i] * 0.25) / before, 7);
    const snap = Float32Array.from(g);
    expect(model.clipGradNorm(1)).toBeCloseTo(0.25, 6);
    expect(Array.from(model.grads.f)).toEqual(Array.from(snap));
  });

  it('reruns bit for bit: same seed, same weights, Adam steps and samples; another seed differs', () => {
    const cfg: TransformerLmConfig = { vocab: 10, context: 16, layers: 2, dModel: 16, heads: 4 };
    const run = (seed: number) => {
      const m = new TransformerLm(cfg, new Rng(seed));
      const init = m.snapshot();
      const opt = new Adam(m.size, { lr: 1e-2 });
      const toks = randomTokens(8 * 9, 10, 3);
      for (let i = 0; i < 3; i++) {
        m.zeroGrad();
        const f = m.forward(toks, 8, 9, 0);
        m.backward(f, new Float32Array(8 * 8).fill(-1 / 64));
        opt.step(m.params.f, m.grads.f);
      }
      const s = m.sample(randomTokens(8 * 3, 10, 4), 8, 3, 10, new Rng(seed).split('sample'));
      return { init, final: m.snapshot(), s };
    };
    const a = run(7),
      b = run(7),
      c = run(8);
    expect(Buffer.from(a.init.buffer).equals(Buffer.from(b.init.buffer))).toBe(true);
    expect(Buffer.from(a.final.buffer).equals(Buffer.from(b.final.buffer))).toBe(true);
    expect(Array.from(a.s.tokens)).toEqual(Array.from(b.s.tokens));
    expect(Buffer.from(a.s.logp.buffer).equals(Buffer.from(b.s.logp.buffer))).toBe(true);
    expect(Buffer.from(a.init.buffer).equals(Buffer.from(c.init.buffer))).toBe(false);
    expect(Array.from(a.s.tokens)).not.toEqual(Array.from(c.s.tokens));
  });

  it('initialises like GPT-2 (std 0.02, residual projections 0.02/√(2·layers), LayerNorm 1, 0); sizes', () => {
    const cfg = resolveTransformerConfig({ vocab: 16, context: 64, layers: 4, dModel: 64, heads: 4 });
    const m = new TransformerLm(cfg, new Rng(1));
    expect(m.size).toBe(16 * 64 + 64 * 64 + 4 * (12 * 64 * 64 + 13 * 64) + 2 * 64 + 64 * 16);
    expect(m.size).toBeGreaterThan(1e5);
    expect(m.size).toBeLessThan(5e5);
    const std = (off: number, n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += m.params.f[off + i] ** 2;
      return Math.sqrt(s / n);
    };
    const b = m.layout.blocks[2];
    expect(std(b.W1, 64 * 256)).toBeCloseTo(0.02, 3);
    expect(std(b.Wo, 64 * 64)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std(b.bqkv, 3 * 64)).toBe(0);
    expect(Array.from(m.params.f.subarray(b.ln2g, b.ln2g + 64)).every((v) => v === 1)).toBe(true);
    expect(() => new TransformerLm({ ...cfg, heads: 3 }, new Rng(1))).toThrow(/multiple of 4 and of heads/);
  });

  it('saves and loads its parameters', () => {
    const m = randomModel(TINY, 81);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-tlm-')), 'm.bin');
    m.save(file, { note: 'x' });
    const back = TransformerLm.loadFile(file)!;
    expect(back.meta).toEqual({ note: 'x' });
    expect(back.model.config).toEqual(m.config);
    expect(Array.from(back.model.params.f)).toEqual(Array.from(m.params.f));
    expect(TransformerLm.loadFile(file + '.missing')).toBeNull();
  });

  it('rejects a stale forward cache and out-of-range inputs with a message', () => {
    const m = randomModel(TINY, 91);
    const toks = randomTokens(2 * 5, TINY.vocab, 92);
    const f = m.forward(toks, 2, 5, 0);
    m.forward(toks, 2, 5, 0);
    expect(() => m.backward(f, new Float32Array(8))).toThrow(/stale/);
    expect(() => m.forward(randomTokens(10 * 2, TINY.vocab, 1), 2, 10, 0)).toThrow(/exceed the context of 8/);
    expect(() => m.forward(Int32Array.from([0, 1, 7, 2]), 2, 2, 0)).toThrow(/outside the vocabulary/);
  });

  it('learns to reverse a sequence to near-zero loss in 200 Adam steps', () => {
    // tokens 0..7 digits, 8 = separator: d₁ d₂ d₃ d₄ | d₄ d₃ d₂ d₁; the loss is on the 4 reversed digits.
    const K = 4,
      T = 2 * K + 1,
      V = 9,
      B = 64;
    const m = new TransformerLm({ vocab: V, context: 2 * K, layers: 2, dModel: 32, heads: 4 }, new Rng(3));
    const opt = new Adam(m.size, { lr: 3e-3 });
    const r = new Rng(4);
    const batch = (n: number, rr: Rng) => {
      const t = new Int32Array(n * T);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) t[i * T + k] = rr.int(8);
        t[i * T + K] = 8;
        for (let k = 0; k < K; k++) t[i * T + K + 1 + k] = t[i * T + K - 1 - k];
      }
      return t;
    };
    const w = new Float32Array(B * K).fill(-1 / (B * K));
    let loss = Infinity;
    const first: number[] = [];
    for (let step = 0; step < 200; step++) {
      const toks = batch(B, r);
      m.zeroGrad();
      const f = m.forward(toks, B, T, K);
      loss = 0;
      for (let i = 0; i < f.logp.length; i++) loss -= f.logp[i] / f.logp.length;
      if (step < 5) first.push(loss);
      m.backward(f, w);
      m.clipGradNorm(1);
      opt.step(m.params.f, m.grads.f);
    }
    expect(first[0]).toBeGreaterThan(1.8); // ≈ ln 8 at the start
    expect(loss).toBeLessThan(0.01); // ≈ 0.003 after 200 steps (0.011 after 100)
    // greedy decoding of fresh prompts reverses them
    const test = batch(200, new Rng(99));
    const prompts = new Int32Array(200 * (K + 1));
    for (let i = 0; i < 200; i++) prompts.set(test.subarray(i * T, i * T + K + 1), i * (K + 1));
    const s = m.sample(prompts, 200, K + 1, K, new Rng(0), { greedy: true });
    let right = 0;
    for (let i = 0; i < 200; i++)
      if (Array.from(s.tokens.subarray(i * K, (i + 1) * K)).every((v, k) => v === test[i * T + K + 1 + k])) right++;
    expect(right).toBeGreaterThanOrEqual(196);
  });
});

describe('relaxed-SIMD GEMM (fused multiply-add)', () => {
  it('the committed FMA kernel equals a fresh assembly of scripts/gemm-wat.js', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { assemble } = require('../../scripts/build-kernels.js');
    expect(await assemble({ fma: true })).toBe(GEMM_FMA_WASM_BASE64);
  });

  it('is used only where the probe fuses; then it differs from mul-add, within rounding of float64', () => {
    const probe = probeFma();
    const auto = new Arena({ gemm: 'auto' });
    expect(auto.gemmPath).toBe(probe.fused ? 'fma' : 'mul-add');
    expect(new Arena().gemmPath).toBe('mul-add');
    if (!probe.fused) {
      expect(() => new Arena({ gemm: 'fma' })).toThrow(/does not fuse|failed/);
      return;
    }
    const M = 37,
      N = 29,
      K = 64;
    const r = new Rng(5);
    const a = Float32Array.from(r.normals(M * K)),
      b = Float32Array.from(r.normals(K * N));
    const run = (ar: Arena) => {
      const A = ar.alloc(M * K),
        B = ar.alloc(K * N),
        C = ar.alloc(M * N);
      A.f.set(a);
      B.f.set(b);
      gemm(M, N, K, { buf: A, ld: K }, { buf: B, ld: N }, { buf: C, ld: N });
      return Float32Array.from(C.f);
    };
    const cf = run(new Arena({ gemm: 'fma' })),
      cm = run(new Arena());
    let differ = 0,
      errF = 0,
      errM = 0;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
        errF += Math.abs(cf[i * N + j] - s);
        errM += Math.abs(cm[i * N + j] - s);
        if (cf[i * N + j] !== cm[i * N + j]) differ++;
      }
    expect(differ).toBeGreaterThan((M * N) / 4);
    expect(errF / (M * N)).toBeLessThan(1e-5);
    expect(errF).toBeLessThan(errM * 1.05); // one rounding per step is not less accurate
    // and the model samples / scores bit-identically on the FMA path too
    const model = randomModel({ vocab: 11, context: 16, layers: 2, dModel: 16, heads: 4 }, 5, { gemm: 'fma' });
    expect(model.gemmPath).toBe('fma');
    const prompts = randomTokens(4 * 3, 11, 6);
    const s = model.sample(prompts, 4, 3, 8, new Rng(7));
    const seq = new Int32Array(4 * 11);
    for (let n = 0; n < 4; n++) {
      seq.set(prompts.subarray(n * 3, n * 3 + 3), n * 11);
      seq.set(s.tokens.subarray(n * 8, n * 8 + 8), n * 11 + 3);
    }
    expect(Array.from(model.forward(seq, 4, 11, 2).logp)).toEqual(Array.from(s.logp));
  });
});
