/**
 * The wasm engine (src/nn): the SIMD GEMM against a float64 reference on awkward shapes, the GRU
 * language model's log-probabilities and gradients against an independent float64 implementation of
 * the same equations (central differences), the MLP against finite differences, Adam's first step,
 * the sampler's distribution, and the committed kernel bytes against the generator.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/core/rng';
import { Arena, columnSums, gemm, reluBackward, transpose } from '../../src/nn/wasm';
import { GruLm, paramLayout } from '../../src/nn/gru-lm';
import { Mlp, mseLoss } from '../../src/nn/mlp';
import { Adam } from '../../src/nn/adam';
import { GEMM_WASM_BASE64 } from '../../src/nn/gemm-wasm';

describe('nn.gemm (wasm SIMD)', () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 1],
    [7, 13, 5],
    [9, 12, 17],
    [64, 192, 64],
    [33, 14, 65],
  ])('matches a float64 reference for %i×%i×%i, with and without accumulation', (M, N, K) => {
    const arena = new Arena();
    const A = arena.alloc(M * K),
      B = arena.alloc(K * N),
      C = arena.alloc(M * N);
    const r = new Rng(M * 1000 + N * 10 + K);
    A.f.set(r.normals(M * K));
    B.f.set(r.normals(K * N));
    const c0 = Float32Array.from(r.normals(M * N));
    C.f.set(c0);
    const ref = (acc: boolean) => {
      const out = new Float64Array(M * N);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = acc ? c0[i * N + j] : 0;
          for (let k = 0; k < K; k++) s += A.f[i * K + k] * B.f[k * N + j];
          out[i * N + j] = s;
        }
      return out;
    };
    gemm(M, N, K, { buf: A, ld: K }, { buf: B, ld: N }, { buf: C, ld: N }, true);
    const r1 = ref(true);
    for (let i = 0; i < M * N; i++) expect(Math.abs(C.f[i] - r1[i])).toBeLessThan(1e-5 * (1 + K));
    gemm(M, N, K, { buf: A, ld: K }, { buf: B, ld: N }, { buf: C, ld: N }, false);
    const r0 = ref(false);
    for (let i = 0; i < M * N; i++) expect(Math.abs(C.f[i] - r0[i])).toBeLessThan(1e-5 * (1 + K));
  });

  it.each([
    [5, 9, 6],
    [8, 16, 3],
    [13, 7, 10],
  ])('reads a transposed A in place and fuses bias and ReLU (%i×%i×%i)', (M, N, K) => {
    const arena = new Arena();
    const At = arena.alloc(K * M),
      B = arena.alloc(K * N),
      C = arena.alloc(M * N),
      bias = arena.alloc(N);
    const r = new Rng(M + N + K);
    At.f.set(r.normals(K * M));
    B.f.set(r.normals(K * N));
    bias.f.set(r.normals(N));
    const c0 = Float32Array.from(r.normals(M * N));
    C.f.set(c0);
    gemm(
      M,
      N,
      K,
      { buf: At, ld: M, trans: true },
      { buf: B, ld: N },
      { buf: C, ld: N },
      { accumulate: true, bias: { buf: bias }, relu: true },
    );
    let negatives = 0;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s2 = c0[i * N + j] + bias.f[j];
        for (let k = 0; k < K; k++) s2 += At.f[k * M + i] * B.f[k * N + j];
        if (s2 < 0) negatives++;
        expect(C.f[i * N + j]).toBeCloseTo(Math.max(0, s2), 4);
      }
    expect(negatives).toBeGreaterThan(0); // the ReLU was exercised
  });

  it(
    'reluBackward masks by the activation sign and columnSums accumulates column sums ' + '(SIMD body and scalar tail)',
    () => {
      const arena = new Arena();
      const d = arena.alloc(11),
        a = arena.alloc(11),
        X = arena.alloc(3 * 7),
        out = arena.alloc(7);
      d.f.set(Array.from({ length: 11 }, (_, i) => i + 1));
      a.f.set([1, -1, 0, 2, -3, 4, 0.5, -0.5, 0, 7, -7]);
      reluBackward(11, { buf: d }, { buf: a });
      expect(Array.from(d.f)).toEqual([1, 0, 0, 4, 0, 6, 7, 0, 0, 10, 0]);
      X.f.set(Array.from({ length: 21 }, (_, i) => i));
      out.f.fill(1);
      columnSums(3, 7, { buf: X }, 7, { buf: out });
      expect(Array.from(out.f)).toEqual([0, 1, 2, 3, 4, 5, 6].map((j) => 1 + j + (7 + j) + (14 + j)));
    },
  );

  it('addresses sub-blocks through offsets and leading dimensions, leaving the rest untouched', () => {
    const arena = new Arena();
    const A = arena.alloc(6 * 10),
      B = arena.alloc(10 * 9),
      C = arena.alloc(8 * 11);
    const r = new Rng(5);
    A.f.set(r.normals(60));
    B.f.set(r.normals(90));
    C.f.fill(7);
    // C[1:4, 2:7] = A[2:5, 1:4] · B[3:6, 4:9]
    gemm(
      3,
      5,
      3,
      { buf: A, offset: 2 * 10 + 1, ld: 10 },
      { buf: B, offset: 3 * 9 + 4, ld: 9 },
      { buf: C, offset: 1 * 11 + 2, ld: 11 },
    );
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 11; j++) {
        const inside = i >= 1 && i < 4 && j >= 2 && j < 7;
        let want = 7;
        if (inside) {
          want = 0;
          for (let k = 0; k < 3; k++) want += A.f[(i + 1) * 10 + 1 + k] * B.f[(3 + k) * 9 + 4 + (j - 2)];
        }
        expect(C.f[i * 11 + j]).toBeCloseTo(want, 5);
      }
  });

  it('rejects overruns and operands from different arenas with a message', () => {
    const a = new Arena(),
      b = new Arena();
    const X = a.alloc(4),
      Y = a.alloc(4),
      Z = b.alloc(4);
    expect(() => gemm(2, 2, 3, { buf: X, ld: 3 }, { buf: Y, ld: 2 }, { buf: X, ld: 2 })).toThrow(
      /A \(2×3.*overruns its buffer of 4/,
    );
    expect(() => gemm(2, 2, 2, { buf: X, ld: 2 }, { buf: Y, ld: 2 }, { buf: Z, ld: 2 })).toThrow(/same Arena/);
  });

  it('keeps buffers valid across memory growth', () => {
    const arena = new Arena();
    const A = arena.alloc(16);
    A.f.set(Array.from({ length: 16 }, (_, i) => i));
    arena.alloc(4_000_000); // forces WebAssembly.Memory.grow
    expect(Array.from(A.f.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('transpose is an involution', () => {
    const x = Float32Array.from({ length: 7 * 19 }, (_, i) => i);
    const t = new Float32Array(x.length),
      back = new Float32Array(x.length);
    transpose(x, 0, 7, 19, t);
    expect(t[3 * 7 + 5]).toBe(x[5 * 19 + 3]);
    transpose(t, 0, 19, 7, back);
    expect(Array.from(back)).toEqual(Array.from(x));
  });

  it('the committed kernel equals a fresh assembly of scripts/gemm-wat.js', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { assemble } = require('../../scripts/build-kernels.js');
    expect(await assemble()).toBe(GEMM_WASM_BASE64);
  });
});

/** Float64 reference of GruLm.forward's summed weighted log-probability (same equations, plain loops). */
function refObjective(
  params: Float64Array,
  V: number,
  H: number,
  tokens: Int32Array,
  N: number,
  T: number,
  outFrom: number,
  w: Float64Array,
): number {
  const L = paramLayout({ vocab: V, hidden: H });
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const O = T - 1 - outFrom;
  let total = 0;
  for (let n = 0; n < N; n++) {
    let h = new Float64Array(H);
    for (let s = 0; s < T - 1; s++) {
      const x = tokens[n * T + s];
      const hn = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let ar = params[L.Wx + x * 3 * H + j] + params[L.bx + j] + params[L.bh + j];
        let az = params[L.Wx + x * 3 * H + H + j] + params[L.bx + H + j] + params[L.bh + H + j];
        let ghn = params[L.bh + 2 * H + j];
        for (let k = 0; k < H; k++) {
          ar += h[k] * params[L.Wh + k * 3 * H + j];
          az += h[k] * params[L.Wh + k * 3 * H + H + j];
          ghn += h[k] * params[L.Wh + k * 3 * H + 2 * H + j];
        }
        const r = sig(ar),
          z = sig(az);
        const nn = Math.tanh(params[L.Wx + x * 3 * H + 2 * H + j] + params[L.bx + 2 * H + j] + r * ghn);
        hn[j] = (1 - z) * nn + z * h[j];
      }
      h = hn;
      if (s >= outFrom) {
        const logits = new Float64Array(V);
        for (let v = 0; v < V; v++) {
          let l = params[L.bo + v];
          for (let k = 0; k < H; k++) l += h[k] * params[L.Wo + k * V + v];
          logits[v] = l;
        }
        const mx = Math.max(...logits);
        const lse = mx + Math.log(logits.reduce((a, l) => a + Math.exp(l - mx), 0));
        total += w[n * O + s - outFrom] * (logits[tokens[n * T + s + 1]] - lse);
      }
    }
  }
  return total;
}

describe('nn.GruLm', () => {
  const V = 6,
    H = 8,
    N = 3,
    T = 6,
    outFrom = 2; // H = 8 exercises the SIMD kernels
  const make = () => {
    const model = new GruLm({ vocab: V, hidden: H }, new Rng(11));
    const r = new Rng(12);
    const tokens = Int32Array.from({ length: N * T }, () => r.int(V));
    const O = T - 1 - outFrom;
    const w = Float32Array.from({ length: N * O }, () => r.normal());
    return { model, tokens, w, O };
  };

  it('log-probabilities match the float64 reference', () => {
    const { model, tokens, O } = make();
    const f = model.forward(tokens, N, T, outFrom);
    const p64 = Float64Array.from(model.params.f);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++) {
        const e = new Float64Array(N * O);
        e[n * O + o] = 1;
        expect(f.logp[n * O + o]).toBeCloseTo(refObjective(p64, V, H, tokens, N, T, outFrom, e), 5);
      }
  });

  it('backward equals central differences of the float64 reference for every parameter', () => {
    const { model, tokens, w, O } = make();
    model.zeroGrad();
    const f = model.forward(tokens, N, T, outFrom);
    model.backward(f, w);
    const g = Float64Array.from(model.grads.f);
    const p64 = Float64Array.from(model.params.f);
    const w64 = Float64Array.from(w);
    expect(O).toBe(3);
    let worst = 0;
    for (let i = 0; i < p64.length; i++) {
      const eps = 1e-5;
      const plus = Float64Array.from(p64);
      plus[i] += eps;
      const minus = Float64Array.from(p64);
      minus[i] -= eps;
      const fd =
        (refObjective(plus, V, H, tokens, N, T, outFrom, w64) - refObjective(minus, V, H, tokens, N, T, outFrom, w64)) /
        (2 * eps);
      worst = Math.max(worst, Math.abs(fd - g[i]) / (1e-3 + Math.abs(fd)));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('the fused wasm SIMD gate kernels agree with the scalar JavaScript path (forward, backward, sampling)', () => {
    const shape = { vocab: 7, hidden: 8 };
    const simd = new GruLm(shape, new Rng(21));
    const scalar = new GruLm(shape, new Rng(21), undefined, { kernels: 'scalar' });
    expect(simd.simd).toBe(true);
    expect(scalar.simd).toBe(false);
    const r = new Rng(22);
    const N2 = 9,
      T2 = 7;
    const toks = Int32Array.from({ length: N2 * T2 }, () => r.int(7));
    const w2 = Float32Array.from(r.normals(N2 * 4));
    const fa = simd.forward(toks, N2, T2, 2),
      fb = scalar.forward(toks, N2, T2, 2);
    for (let i = 0; i < fa.logp.length; i++) expect(fa.logp[i]).toBeCloseTo(fb.logp[i], 5);
    simd.zeroGrad();
    scalar.zeroGrad();
    simd.backward(fa, w2);
    scalar.backward(fb, w2);
    for (let i = 0; i < simd.size; i++)
      expect(Math.abs(simd.grads.f[i] - scalar.grads.f[i])).toBeLessThan(2e-5 * (1 + Math.abs(scalar.grads.f[i])));
    const sa = simd.sample(toks.subarray(0, N2 * 3), N2, 3, 5, new Rng(1)),
      sb = scalar.sample(toks.subarray(0, N2 * 3), N2, 3, 5, new Rng(1));
    expect(Array.from(sa.tokens)).toEqual(Array.from(sb.tokens));
    expect(() => new GruLm({ vocab: 5, hidden: 6 }, new Rng(1), undefined, { kernels: 'simd' })).toThrow(
      /multiple of 4/,
    );
  });

  it('gradients accumulate across backward calls and reset with zeroGrad', () => {
    const { model, tokens, w } = make();
    model.zeroGrad();
    model.backward(model.forward(tokens, N, T, outFrom), w);
    const once = Float32Array.from(model.grads.f);
    model.backward(model.forward(tokens, N, T, outFrom), w);
    for (let i = 0; i < once.length; i += 7) expect(model.grads.f[i]).toBeCloseTo(2 * once[i], 5);
    model.zeroGrad();
    expect(model.grads.f.every((x) => x === 0)).toBe(true);
  });

  it('sampling follows the model: empirical token frequencies match exp(logp), and a seed reproduces samples', () => {
    const model = new GruLm({ vocab: 4, hidden: 3 }, new Rng(3));
    const Ns = 20000,
      P = 2;
    const prompts = new Int32Array(Ns * P).fill(1);
    const s1 = model.sample(prompts, Ns, P, 2, new Rng(9).split('s'));
    const s2 = model.sample(prompts, Ns, P, 2, new Rng(9).split('s'));
    expect(Array.from(s1.tokens)).toEqual(Array.from(s2.tokens));
    // first generated token: all rows share the prompt, so one distribution
    const counts = new Float64Array(4);
    for (let n = 0; n < Ns; n++) counts[s1.tokens[n * 2]]++;
    const f = model.forward(Int32Array.from([1, 1, 0, 1, 1, 1, 1, 1, 2, 1, 1, 3]), 4, 3, 1);
    for (let v = 0; v < 4; v++) {
      const p = Math.exp(f.logp[v]);
      expect(Math.abs(counts[v] / Ns - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / Ns) + 1e-3);
    }
    // the sampler's log-probabilities equal teacher-forced scoring of the same tokens
    const seq = new Int32Array(5 * 4);
    for (let n = 0; n < 5; n++) seq.set([1, 1, s1.tokens[n * 2], s1.tokens[n * 2 + 1]], n * 4);
    const tf = model.forward(seq, 5, 4, 1);
    for (let n = 0; n < 5; n++)
      for (let t = 0; t < 2; t++) expect(tf.logp[n * 2 + t]).toBeCloseTo(s1.logp[n * 2 + t], 5);
  });

  it('stops rows at eos and pads the rest', () => {
    const model = new GruLm({ vocab: 3, hidden: 2 }, new Rng(1));
    const s = model.sample(new Int32Array(400).fill(0), 400, 1, 6, new Rng(2), { eos: 2, pad: 0 });
    let sawEos = false;
    for (let n = 0; n < 400; n++) {
      const len = s.lengths[n];
      const k = Array.from(s.tokens.subarray(n * 6, n * 6 + len)).indexOf(2);
      if (k >= 0) {
        sawEos = true;
        expect(k).toBe(len - 1);
      }
      for (let t = len; t < 6; t++) {
        expect(s.tokens[n * 6 + t]).toBe(0);
        expect(s.logp[n * 6 + t]).toBe(0);
      }
    }
    expect(sawEos).toBe(true);
  });

  it('round-trips through save/loadFile and rejects bad input with messages', () => {
    const model = new GruLm({ vocab: 5, hidden: 4 }, new Rng(1));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gru-')), 'm.bin');
    model.save(file, { steps: 3 });
    const back = GruLm.loadFile(file)!;
    expect(Array.from(back.model.params.f)).toEqual(Array.from(model.params.f));
    expect(back.meta).toEqual({ steps: 3 });
    fs.writeFileSync(file, 'garbage');
    expect(() => GruLm.loadFile(file)).toThrow(/no header line; delete it to retrain/);
    expect(GruLm.loadFile(file + '.missing')).toBeNull();
    expect(() => model.forward(new Int32Array([0, 9, 1, 1]), 2, 2, 0)).toThrow(
      /token 9 at index 1 is outside the vocabulary \[0, 5\)/,
    );
    expect(() => model.forward(new Int32Array(6), 2, 3, 2)).toThrow(/outFrom must be an integer in \[0, T−2 = 1\]/);
    expect(() => new GruLm({ vocab: 1, hidden: 4 }, new Rng(1))).toThrow(/vocab must be an integer ≥ 2/);
  });
});

describe('nn.Mlp and Adam', () => {
  it('forward and backward equal a float64 reference of the same network (central differences)', () => {
    const dims = [3, 6, 5, 2];
    const mlp = new Mlp(dims, new Rng(4));
    const r = new Rng(5);
    const x = Float32Array.from(r.normals(8 * 3));
    const y = Float32Array.from(r.normals(8 * 2));
    mlp.zeroGrad();
    const out = mlp.forward(x, 8);
    mlp.backward(mseLoss(out, y).grad);
    const g = Float64Array.from(mlp.grads.f);
    const p0 = Float64Array.from(mlp.params.f);
    const ref = (p: Float64Array): { loss: number; out: number[] } => {
      let a: number[][] = Array.from({ length: 8 }, (_, n) => Array.from(x.subarray(n * 3, n * 3 + 3)));
      for (let l = 0; l < 3; l++) {
        const o = mlp.offsets[l],
          k = dims[l],
          m = dims[l + 1];
        a = a.map((row) =>
          Array.from({ length: m }, (_, j) => {
            let s2 = p[o.b + j];
            for (let i = 0; i < k; i++) s2 += row[i] * p[o.W + i * m + j];
            return l < 2 ? Math.max(0, s2) : s2;
          }),
        );
      }
      let loss = 0;
      for (let n = 0; n < 8; n++) for (let j = 0; j < 2; j++) loss += (a[n][j] - y[n * 2 + j]) ** 2;
      return { loss: loss / 16, out: a.flat() };
    };
    const base = ref(p0);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(base.out[i], 5);
    let nonzero = 0;
    for (let i = 0; i < p0.length; i++) {
      const plus = Float64Array.from(p0);
      plus[i] += 1e-6;
      const minus = Float64Array.from(p0);
      minus[i] -= 1e-6;
      const fd = (ref(plus).loss - ref(minus).loss) / 2e-6;
      expect(Math.abs(fd - g[i])).toBeLessThan(1e-4 * (1 + Math.abs(fd)));
      if (Math.abs(fd) > 1e-3) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(p0.length / 2);
  });

  it('weight gradients are bit-identical to an accumulating GEMM (row sums in order, then added), long batch', () => {
    // N = 600 > the kernel's K-block (256): the scratch path is blocked, the reference accumulating GEMM is not.
    const dims = [5, 12, 3],
      N = 600;
    const mlp = new Mlp(dims, new Rng(8));
    const r = new Rng(9);
    const x = Float32Array.from(r.normals(N * 5));
    const dy = Float32Array.from(r.normals(N * 3));
    mlp.zeroGrad();
    for (let rep = 0; rep < 2; rep++) {
      mlp.forward(x, N);
      mlp.backward(dy);
    }
    // Reference: the same backward with gemm(…, accumulate) straight into the gradient vector.
    const a = new Arena();
    const P = a.alloc(mlp.size),
      G = a.alloc(mlp.size),
      X = a.alloc(N * 5),
      H = a.alloc(N * 12),
      D1 = a.alloc(N * 12),
      D2 = a.alloc(N * 3),
      WT = a.alloc(12 * 12);
    P.f.set(mlp.params.f);
    X.f.set(x);
    const o = mlp.offsets;
    for (let rep = 0; rep < 2; rep++) {
      gemm(
        N,
        12,
        5,
        { buf: X, ld: 5 },
        { buf: P, offset: o[0].W, ld: 12 },
        { buf: H, ld: 12 },
        {
          bias: { buf: P, offset: o[0].b },
          relu: true,
        },
      );
      D2.f.set(dy);
      columnSums(N, 3, { buf: D2 }, 3, { buf: G, offset: o[1].b });
      gemm(12, 3, N, { buf: H, ld: 12, trans: true }, { buf: D2, ld: 3 }, { buf: G, offset: o[1].W, ld: 3 }, true);
      transpose(P.f, o[1].W, 12, 3, WT.f);
      gemm(N, 12, 3, { buf: D2, ld: 3 }, { buf: WT, ld: 12 }, { buf: D1, ld: 12 });
      reluBackward(N * 12, { buf: D1 }, { buf: H });
      columnSums(N, 12, { buf: D1 }, 12, { buf: G, offset: o[0].b });
      gemm(5, 12, N, { buf: X, ld: 5, trans: true }, { buf: D1, ld: 12 }, { buf: G, offset: o[0].W, ld: 12 }, true);
    }
    let differ = 0;
    for (let i = 0; i < mlp.size; i++) if (!Object.is(mlp.grads.f[i], G.f[i])) differ++;
    expect(differ).toBe(0);
    expect(G.f.some((v) => v !== 0)).toBe(true);
  });

  it(
    'Adam: the first step moves every parameter by lr·sign(g); ' +
      'training drives a linear fit to its least-squares solution',
    () => {
      const adam = new Adam(3, { lr: 0.1 });
      const p = new Float32Array([1, 1, 1]);
      adam.step(p, new Float32Array([2, -0.5, 1e-3]));
      expect(Array.from(p).map((x) => +x.toFixed(5))).toEqual([0.9, 1.1, 0.9]);
      const lin = new Mlp([2, 1], new Rng(1));
      const x = new Float32Array([1, 0, 0, 1, 1, 1, 2, 1]);
      const y = new Float32Array([3, -1, 2, 5]); // y = 3a − b + 0 exactly
      const opt = new Adam(lin.size, { lr: 0.05 });
      for (let i = 0; i < 3000; i++) {
        lin.zeroGrad();
        lin.backward(mseLoss(lin.forward(x, 4), y).grad);
        opt.step(lin.params.f, lin.grads.f);
      }
      expect(Array.from(lin.params.f).map((v) => +v.toFixed(2))).toEqual([3, -1, 0]);
      expect(() => new Adam(3, { lr: 0 })).toThrow(/lr must be a positive number/);
    },
  );
});
