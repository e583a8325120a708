/**
 * The kit's small dense-math engine: one WebAssembly memory holding every buffer, a SIMD GEMM kernel
 * (f32x4, 4×8 register blocking; see scripts/gemm-wat.js) and JavaScript element-wise loops over
 * Float32Array views of the same memory, so nothing is copied between "device" and host.
 *
 * Why not tfjs for these models: on the wasm backend every tfjs op costs ~50 µs of dispatch and its
 * matMul reaches ~14 GFLOP/s here; this kernel reaches ~40 GFLOP/s single-threaded (on par with
 * PyTorch's CPU matmul with one thread) and a GRU step is a handful of calls instead of dozens of ops.
 *
 * Memory growth detaches old views, so buffers hand out views through `Buf.f`, which re-creates the
 * view when the memory has grown. Take `const x = buf.f` once before a loop, not inside it.
 */
import { GEMM_WASM_BASE64 } from './gemm-wasm';

export interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(
    M: number,
    N: number,
    K: number,
    A: number,
    ars: number,
    acs: number,
    B: number,
    ldb: number,
    C: number,
    ldc: number,
    accumulate: number,
    bias: number,
    relu: number,
  ): void;
  relu_back(n: number, delta: number, act: number): void;
  colsum(M: number, N: number, X: number, ldx: number, out: number): void;
  gru_fwd(
    N: number,
    H: number,
    table: number,
    tok: number,
    gh: number,
    bh: number,
    hprev: number,
    hout: number,
    keep: number,
  ): void;
  gru_bwd(
    N: number,
    H: number,
    tok: number,
    gates: number,
    hprev: number,
    dh: number,
    dhprev: number,
    dgh: number,
    dWx: number,
    dbx: number,
    dbh: number,
  ): void;
}

let moduleCache: WebAssembly.Module | null = null;

/** A fresh instance of the kernel with its own memory (one per Arena). */
function instantiate(): GemmExports {
  if (!moduleCache) {
    if (typeof WebAssembly === 'undefined')
      throw new Error('rl-miniatures nn: WebAssembly is not available in this JavaScript runtime (Node ≥ 20 has it).');
    try {
      moduleCache = new WebAssembly.Module(Buffer.from(GEMM_WASM_BASE64, 'base64'));
    } catch (e) {
      throw new Error(
        `rl-miniatures nn: the SIMD GEMM kernel failed to compile (${(e as Error).message}); ` +
          'it needs WebAssembly SIMD (Node ≥ 16.4).',
      );
    }
  }
  return new WebAssembly.Instance(moduleCache, {}).exports as unknown as GemmExports;
}

const PAGE = 65536;

/**
 * A bump allocator over its own kernel instance and memory. `mark()` / `release(mark)` free everything
 * allocated after a mark. Operands of one `gemm` call must come from the same arena.
 */
export class Arena {
  private top = 16; // keep address 0 unused
  readonly k: GemmExports = instantiate();

  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }

  /**
   * A float32 buffer of n elements (16-byte aligned; zero-filled unless `zero` is false, for buffers the caller
   * overwrites).
   */
  alloc(n: number, label = 'buffer', zero = true): Buf {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`nn.Arena.alloc(${label}): size must be a non-negative integer, got ${n}`);
    const bytes = (n * 4 + 15) & ~15;
    const ptr = this.top;
    const end = ptr + bytes;
    const mem = this.k.memory;
    if (end > mem.buffer.byteLength) {
      const need = Math.ceil((end - mem.buffer.byteLength) / PAGE);
      try {
        mem.grow(need);
      } catch {
        throw new RangeError(
          `nn.Arena.alloc(${label}): cannot grow WebAssembly memory to ${(end / 2 ** 20) | 0} MiB (limit 4 GiB); ` +
            'use smaller batches',
        );
      }
    }
    this.top = end;
    const b = new Buf(this.k, ptr, n);
    if (zero) b.f.fill(0);
    return b;
  }

  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark > this.top) throw new RangeError(`nn.Arena.release: mark ${mark} is above the current top ${this.top}`);
    this.top = mark;
  }
}

/** A float32 array living in the kernel's memory. */
export class Buf {
  private view: Float32Array;
  private ints: Int32Array | null = null;
  /** @internal the kernel instance (and memory) this buffer lives in. */
  readonly k: GemmExports;
  constructor(
    k: GemmExports,
    readonly ptr: number,
    readonly length: number,
  ) {
    this.k = k;
    this.view = new Float32Array(k.memory.buffer, ptr, length);
  }
  /** The current view (re-created after memory growth). */
  get f(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer)
      this.view = new Float32Array(this.k.memory.buffer, this.ptr, this.length);
    return this.view;
  }
  /** The same memory viewed as int32 (token buffers for the GRU kernels). */
  get i(): Int32Array {
    if (!this.ints || this.ints.buffer !== this.k.memory.buffer)
      this.ints = new Int32Array(this.k.memory.buffer, this.ptr, this.length);
    return this.ints;
  }
}

/** A matrix operand: a buffer, an element offset into it, and a leading dimension (row stride, elements). */
export interface MatRef {
  buf: Buf;
  offset?: number;
  ld: number;
  /** For A only: the buffer holds Aᵀ (K rows × M columns with leading dimension ld); read transposed for free. */
  trans?: boolean;
}

export interface GemmOptions {
  /** C += … instead of C = … */
  accumulate?: boolean;
  /** Add this row vector (N floats) to every row of the result. */
  bias?: At;
  /** Apply max(·, 0) to the result (after accumulation and bias). */
  relu?: boolean;
}

/**
 * C (M × N) = [C +] A (M × K) · B (K × N) [+ bias] [then ReLU]. Row-major float32; leading dimensions
 * let callers address sub-blocks, `A.trans` reads A from its transpose without copying. Operands are
 * range-checked against their buffers. `o` may be a boolean (accumulate), for brevity.
 */
export function gemm(
  M: number,
  N: number,
  K: number,
  A: MatRef,
  B: MatRef,
  C: MatRef,
  o: boolean | GemmOptions = false,
): void {
  const opts: GemmOptions = typeof o === 'boolean' ? { accumulate: o } : o;
  const check = (name: string, m: MatRef, rows: number, cols: number) => {
    const off = m.offset ?? 0;
    if (rows === 0 || cols === 0) return;
    if (m.ld < cols) throw new RangeError(`nn.gemm: ${name} has leading dimension ${m.ld} < ${cols} columns`);
    const last = off + (rows - 1) * m.ld + cols;
    if (off < 0 || last > m.buf.length)
      throw new RangeError(
        `nn.gemm: ${name} (${rows}×${cols}, offset ${off}, ld ${m.ld}) overruns its buffer of ${m.buf.length}`,
      );
  };
  if (A.trans) check('Aᵀ', A, K, M);
  else check('A', A, M, K);
  check('B', B, K, N);
  check('C', C, M, N);
  if (opts.bias && (opts.bias.offset ?? 0) + N > opts.bias.buf.length)
    throw new RangeError(
      `nn.gemm: bias (${N} entries at offset ${opts.bias.offset ?? 0}) overruns its buffer of ${opts.bias.buf.length}`,
    );
  if (B.buf.k !== A.buf.k || C.buf.k !== A.buf.k || (opts.bias && opts.bias.buf.k !== A.buf.k))
    throw new RangeError('nn.gemm: A, B, C (and bias) must be allocated from the same Arena');
  if (M === 0 || N === 0) return;
  const ars = A.trans ? 1 : A.ld,
    acs = A.trans ? A.ld : 1;
  A.buf.k.gemm(
    M,
    N,
    K,
    A.buf.ptr + 4 * (A.offset ?? 0),
    ars,
    acs,
    B.buf.ptr + 4 * (B.offset ?? 0),
    B.ld,
    C.buf.ptr + 4 * (C.offset ?? 0),
    C.ld,
    opts.accumulate ? 1 : 0,
    opts.bias ? addr(opts.bias) : 0,
    opts.relu ? 1 : 0,
  );
}

/** delta[i] = act[i] > 0 ? delta[i] : 0 over n entries (the ReLU backward). */
export function reluBackward(n: number, delta: At, act: At): void {
  const k = sameArena('reluBackward', delta, act);
  const n4 = n - (n % 4);
  if (n4 > 0) k.relu_back(n4, addr(delta), addr(act));
  const d = delta.buf.f,
    a = act.buf.f,
    od = delta.offset ?? 0,
    oa = act.offset ?? 0;
  for (let i = n4; i < n; i++) if (!(a[oa + i] > 0)) d[od + i] = 0;
}

/** out[j] += Σ_i X[i, j] for an M × N block of X with leading dimension ldx (bias gradients). */
export function columnSums(M: number, N: number, X: At, ldx: number, out: At): void {
  const k = sameArena('columnSums', X, out);
  const n4 = N - (N % 4);
  if (n4 > 0) k.colsum(M, n4, addr(X), ldx, addr(out));
  if (n4 < N) {
    const x = X.buf.f,
      o = out.buf.f,
      ox = X.offset ?? 0,
      oo = out.offset ?? 0;
    for (let i = 0; i < M; i++) for (let j = n4; j < N; j++) o[oo + j] += x[ox + i * ldx + j];
  }
}

/** dst (cols × rows) = srcᵀ for a row-major rows × cols block of `src` starting at `srcOffset`. */
export function transpose(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  dst: Float32Array,
  dstOffset = 0,
): void {
  const B = 16;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const s = srcOffset + i * cols;
        for (let j = j0; j < j1; j++) dst[dstOffset + j * rows + i] = src[s + j];
      }
    }
  }
}

/** A buffer region: buffer plus element offset. */
export interface At {
  buf: Buf;
  offset?: number;
}

const addr = (a: At) => a.buf.ptr + 4 * (a.offset ?? 0);

function sameArena(where: string, ...xs: At[]): GemmExports {
  const k = xs[0].buf.k;
  if (xs.some((x) => x.buf.k !== k)) throw new RangeError(`nn.${where}: all buffers must come from the same Arena`);
  return k;
}

/**
 * Fused GRU gates (wasm SIMD, H a multiple of 4), see scripts/gemm-wat.js `gruKernels`: reads the token
 * of each row (int32 in `tok`), the input table (V × 3H, biases folded in), gh = h·W_h (N × 3H, no
 * bias), b_h and h_prev; writes h (N × H) and, when `keep` is given, r, z, n, ghn as four N × H blocks.
 */
export function gruForwardGates(
  N: number,
  H: number,
  table: At,
  tok: At,
  gh: At,
  bh: At,
  hprev: At,
  hout: At,
  keep?: At,
): void {
  if (H % 4 !== 0) throw new RangeError(`nn.gruForwardGates: H = ${H} must be a multiple of 4`);
  const k = sameArena('gruForwardGates', table, tok, gh, bh, hprev, hout, ...(keep ? [keep] : []));
  k.gru_fwd(N, H, addr(table), addr(tok), addr(gh), addr(bh), addr(hprev), addr(hout), keep ? addr(keep) : 0);
}

/** The matching backward (see `gruKernels`): dhprev = dh·z, dgh, and accumulation into dW_x rows, db_x, db_h. */
export function gruBackwardGates(
  N: number,
  H: number,
  tok: At,
  gates: At,
  hprev: At,
  dh: At,
  dhprev: At,
  dgh: At,
  dWx: At,
  dbx: At,
  dbh: At,
): void {
  if (H % 4 !== 0) throw new RangeError(`nn.gruBackwardGates: H = ${H} must be a multiple of 4`);
  const k = sameArena('gruBackwardGates', tok, gates, hprev, dh, dhprev, dgh, dWx, dbx, dbh);
  k.gru_bwd(
    N,
    H,
    addr(tok),
    addr(gates),
    addr(hprev),
    addr(dh),
    addr(dhprev),
    addr(dgh),
    addr(dWx),
    addr(dbx),
    addr(dbh),
  );
}
