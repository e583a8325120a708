/**
 * The candidate kernel src/nn/gemm-wasm-next.ts (scripts/build-kernels.js NEXT: scripts/gemm-wat.js `tile`, `kc`):
 * the committed bytes are a fresh assembly of the generator, and it computes the library kernel's results bit for bit
 * — random GEMMs over every tail of the tile (M mod 2, N mod 16, 8, 4), the K-chunked path (K > 128), transposed A,
 * padded leading dimensions, accumulate / bias / ReLU, compared as Uint32; the element-wise kernels a candidate may
 * also change (GELU with and without its derivative, the causal softmax, the GRU gates); the batched GEMM of attention
 * and a whole transformer (sampling, three clipped Adam updates) through an Arena on the candidate. This is what
 * allows switching the library to it by `rekey` (records re-derived bit for bit), not by re-running the papers. Today
 * NEXT equals the defaults (the 2 × 16 tile with K-chunks of 128 became the library's kernel): the comparisons hold
 * trivially, and still check the candidate plumbing; a new candidate is checked by changing NEXT (a candidate that
 * hoisted the GELU's and softmax's constants out of their loops was tried on 2026-12-07: the same bits, no faster).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { Adam } from '../../src/nn/adam';
import { nextKernelArena, transformerFromSpec } from '../../src/nn/bench';
import { GEMM_NEXT_FMA_WASM_BASE64, GEMM_NEXT_WASM_BASE64 } from '../../src/nn/gemm-wasm-next';
import {
  Arena,
  gemm,
  gemmBatched,
  geluForward,
  gruForwardGates,
  probeFma,
  softmaxRows,
  type GemmPath,
} from '../../src/nn/wasm';
import { transformerSpec } from '../../src/bench/workloads/transformer';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { assemble, NEXT } = require('../../scripts/build-kernels.js');

const bits = (f: Float32Array) => new Uint32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));

/** One random GEMM on the library's kernel and another (default: the candidate); returns the two C's. */
function both(path: GemmPath, r: Rng, M: number, N: number, K: number, other = () => nextKernelArena(path)) {
  const trans = r.uniform() < 0.3;
  const lda = (trans ? M : K) + r.int(3),
    ldb = N + r.int(3),
    ldc = N + r.int(5);
  const accumulate = r.uniform() < 0.3,
    useBias = r.uniform() < 0.4,
    relu = r.uniform() < 0.3;
  const aLen = (trans ? K : M) * lda,
    bLen = K * ldb,
    cLen = M * ldc;
  const src = {
    a: Float32Array.from({ length: aLen }, () => r.normal()),
    b: Float32Array.from({ length: bLen }, () => r.normal()),
    c: Float32Array.from({ length: cLen }, () => r.normal()),
    bias: Float32Array.from({ length: N }, () => r.normal()),
  };
  const run = (arena: Arena) => {
    const a = arena.alloc(aLen),
      b = arena.alloc(bLen),
      c = arena.alloc(cLen),
      bias = arena.alloc(N);
    a.f.set(src.a);
    b.f.set(src.b);
    c.f.set(src.c);
    bias.f.set(src.bias);
    gemm(
      M,
      N,
      K,
      { buf: a, ld: lda, trans },
      { buf: b, ld: ldb },
      { buf: c, ld: ldc },
      {
        accumulate,
        relu,
        ...(useBias ? { bias: { buf: bias } } : {}),
      },
    );
    return Float32Array.from(c.f);
  };
  return [run(new Arena({ gemm: path })), run(other())];
}

describe('candidate GEMM kernel (scripts/build-kernels.js NEXT)', () => {
  it('the committed modules equal a fresh assembly of scripts/gemm-wat.js', async () => {
    expect(NEXT).toEqual({ tile: [2, 4], kc: 128 });
    expect(await assemble(NEXT)).toBe(GEMM_NEXT_WASM_BASE64);
    expect(await assemble({ ...NEXT, fma: true })).toBe(GEMM_NEXT_FMA_WASM_BASE64);
  });

  it('random GEMMs over every tail and mode: the same bits as the current kernel', () => {
    const r = new Rng(2026);
    let cases = 0,
      nonzero = 0;
    for (let t = 0; t < 400; t++) {
      const M = 1 + r.int(11),
        N = 1 + r.int(45),
        K = t % 5 === 0 ? 100 + r.int(500) : 1 + r.int(70);
      const [cur, next] = both('mul-add', r, M, N, K);
      expect(bits(next)).toEqual(bits(cur));
      cases++;
      if (cur.some((x) => x !== 0)) nonzero++;
    }
    expect(cases).toBe(400);
    expect(nonzero).toBeGreaterThan(390);
  });

  it('any tile and K-chunk give the same bits: the former 4 × 8 tile, K-chunks of 256, assembled here', async () => {
    const old = new WebAssembly.Module(Buffer.from(await assemble({ tile: [4, 2], kc: 256 }), 'base64'));
    const oldArena = () => {
      const a = new Arena();
      Object.defineProperty(a, 'k', { value: new WebAssembly.Instance(old, {}).exports });
      return a;
    };
    const r = new Rng(99);
    for (let t = 0; t < 150; t++) {
      const M = 1 + r.int(11),
        N = 1 + r.int(45),
        K = t % 3 === 0 ? 100 + r.int(500) : 1 + r.int(70);
      const [lib, former] = both('mul-add', r, M, N, K, oldArena);
      expect(bits(former)).toEqual(bits(lib));
    }
  });

  it('the fused multiply-add module, where relaxed SIMD fuses: the same bits as the current FMA kernel', () => {
    if (!probeFma().fused) return;
    const r = new Rng(7);
    for (let t = 0; t < 120; t++) {
      const [cur, next] = both('fma', r, 1 + r.int(9), 1 + r.int(40), t % 8 === 0 ? 300 : 1 + r.int(40));
      expect(bits(next)).toEqual(bits(cur));
    }
  });

  it('a different kernel would fail this comparison (a sum in another order differs in the last bits)', () => {
    // the same products summed in reverse k order, as a tile that split K differently would: not bit-identical
    const r = new Rng(3);
    const a = Float32Array.from({ length: 64 }, () => r.normal()),
      b = Float32Array.from({ length: 64 }, () => r.normal());
    let fwd = 0,
      rev = 0;
    for (let k = 0; k < 64; k++) fwd = Math.fround(fwd + Math.fround(a[k] * b[k]));
    for (let k = 63; k >= 0; k--) rev = Math.fround(rev + Math.fround(a[k] * b[k]));
    expect(fwd).not.toBe(rev);
  });

  it('batched GEMMs (attention) with strided grids: the same bits', () => {
    const r = new Rng(11);
    for (let t = 0; t < 30; t++) {
      const n1 = 1 + r.int(4),
        n2 = 1 + r.int(3),
        M = 1 + r.int(20),
        N = 1 + r.int(20),
        K = 1 + r.int(20);
      const sa = M * K,
        sb = K * N,
        sc = M * N;
      const A = Float32Array.from({ length: n1 * n2 * sa }, () => r.normal()),
        B = Float32Array.from({ length: n1 * n2 * sb }, () => r.normal());
      const run = (arena: Arena) => {
        const a = arena.alloc(A.length),
          b = arena.alloc(B.length),
          c = arena.alloc(n1 * n2 * sc);
        a.f.set(A);
        b.f.set(B);
        gemmBatched(
          { n1, n2, a: [n2 * sa, sa], b: [n2 * sb, sb], c: [n2 * sc, sc] },
          M,
          N,
          K,
          { buf: a, ld: K },
          { buf: b, ld: N },
          { buf: c, ld: N },
        );
        return Float32Array.from(c.f);
      };
      expect(bits(run(nextKernelArena()))).toEqual(bits(run(new Arena())));
    }
  });

  it('the element-wise kernels (GELU, causal softmax, GRU gates): the same bits, clamps and tails included', () => {
    const r = new Rng(17);
    // values up to ±120 reach exp's clamps (±88) in the softmax and the GELU's tanh; small ones its polynomial
    const wide = (n: number) => Float32Array.from({ length: n }, () => r.normal() * (r.uniform() < 0.2 ? 40 : 2));
    const U = wide(4 * 257);
    const S = 23,
      nmat = 3,
      X = wide(nmat * S * S);
    const H = 8,
      Nr = 5,
      V = 6;
    const table = wide(V * 3 * H),
      gh = wide(Nr * 3 * H),
      bh = wide(3 * H),
      hprev = wide(Nr * H),
      tok = Int32Array.from({ length: Nr }, () => r.int(V));
    const run = (arena: Arena) => {
      const put = (x: Float32Array) => {
        const b = arena.alloc(x.length);
        b.f.set(x);
        return b;
      };
      const u = put(U),
        a = arena.alloc(U.length),
        dg = arena.alloc(U.length);
      geluForward(U.length, { buf: u }, { buf: a }, { buf: dg });
      const a2 = arena.alloc(U.length);
      geluForward(U.length, { buf: u }, { buf: a2 }); // no derivative: the sampler's call
      const x = put(X);
      softmaxRows({ nmat, rows: S - 4, ld: S, ms: S * S, len0: 5, scale: 0.37 }, { buf: x });
      const tb = put(table),
        tk = arena.alloc(Nr);
      new Int32Array(tk.f.buffer, tk.f.byteOffset, Nr).set(tok);
      const hout = arena.alloc(Nr * H),
        keep = arena.alloc(4 * Nr * H);
      gruForwardGates(
        Nr,
        H,
        { buf: tb },
        { buf: tk },
        { buf: put(gh) },
        { buf: put(bh) },
        { buf: put(hprev) },
        {
          buf: hout,
        },
        { buf: keep },
      );
      return [a, dg, a2, x, hout, keep].map((b) => Array.from(bits(Float32Array.from(b.f))));
    };
    const cur = run(new Arena()),
      next = run(nextKernelArena());
    expect(next).toEqual(cur);
    expect(cur[0].some((v, i) => v !== cur[1][i])).toBe(true); // the outputs are not trivially equal to each other
  });

  it('a transformer on the candidate: sampling and three clipped Adam updates, same tokens and parameters', () => {
    const spec = transformerSpec(5, { layers: 2, prompts: 3, group: 4, promptLen: 6, responseLen: 9, reps: 1 });
    const { prompts: B, group: G, promptLen: P, responseLen: L } = spec;
    const N = B * G,
      T = P + L;
    const run = (kernel: 'current' | 'next') => {
      const model = transformerFromSpec(spec, 'mul-add', kernel);
      const opt = new Adam(model.size, { lr: 3e-3 });
      const rng = new Rng(1);
      const prompts = Int32Array.from(
        { length: N * P },
        (_, i) => spec.promptTokens[Math.floor(i / (G * P)) * P + (i % P)],
      );
      const seq = new Int32Array(N * T);
      const tokens: number[] = [];
      for (let step = 0; step < 3; step++) {
        const s = model.sample(prompts, N, P, L, rng.split(`s${step}`));
        tokens.push(...s.tokens);
        for (let n = 0; n < N; n++) {
          seq.set(prompts.subarray(n * P, (n + 1) * P), n * T);
          seq.set(s.tokens.subarray(n * L, (n + 1) * L), n * T + P);
        }
        model.zeroGrad();
        const f = model.forward(seq, N, T, P - 1);
        model.backward(
          f,
          Float32Array.from(spec.weights.subarray(0, N * L), (x) => -x / (N * L)),
        );
        model.clipGradNorm(0.05);
        opt.step(model.params.f, model.grads.f);
      }
      return { tokens, params: Float32Array.from(model.params.f.subarray(0, model.size)) };
    };
    const cur = run('current'),
      next = run('next');
    expect(next.tokens).toEqual(cur.tokens);
    expect(bits(next.params)).toEqual(bits(cur.params));
    expect(cur.params.some((x, i) => x !== transformerFromSpec(spec).params.f[i])).toBe(true); // the updates moved it
  });
});
