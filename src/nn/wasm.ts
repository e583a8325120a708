/**
 * The kit's small dense-math engine: one WebAssembly memory holding every buffer, a SIMD GEMM kernel
 * (f32x4, 2×16 register blocking; see scripts/gemm-wat.js) and JavaScript element-wise loops over
 * Float32Array views of the same memory, so nothing is copied between "device" and host.
 *
 * Why not tfjs for these models: on the wasm backend every tfjs op costs ~50 µs of dispatch and its
 * matMul reaches ~14 GFLOP/s here; this kernel reaches ~40 GFLOP/s single-threaded (on par with
 * PyTorch's CPU matmul with one thread) and a GRU step is a handful of calls instead of dozens of ops.
 *
 * Memory growth detaches old views, so buffers hand out views through `Buf.f`, which re-creates the
 * view when the memory has grown. Take `const x = buf.f` once before a loop, not inside it.
 *
 * Two builds of the module: the default GEMM multiplies and adds separately (f32x4.mul, f32x4.add: the same
 * bits on every machine); the `fma` build uses relaxed SIMD's f32x4.relaxed_madd, which the engine may lower
 * to a fused multiply-add or to mul + add. That is deterministic only once it is known which, so an Arena
 * built with `gemm: 'fma'` or `'auto'` first probes that it fuses (one rounding, on every code path of the
 * kernel) and `'auto'` falls back to the default build otherwise; `Arena.gemmPath` says which ran, for
 * provenance. Every other kernel is the same in both builds.
 */
import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64 } from './gemm-wasm';

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
  gemm_batch(
    n1: number,
    n2: number,
    sa1: number,
    sa2: number,
    sb1: number,
    sb2: number,
    sc1: number,
    sc2: number,
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
  ln_fwd(M: number, D: number, X: number, G: number, B: number, XH: number, RS: number, Y: number, eps: number): void;
  ln_bwd(
    M: number,
    D: number,
    DY: number,
    XH: number,
    RS: number,
    G: number,
    DX: number,
    DG: number,
    DB: number,
    accum: number,
  ): void;
  gelu_fwd(n: number, U: number, A: number, DG: number): void;
  gelu_bwd(n: number, DG: number, DA: number): void;
  softmax_rows(nmat: number, rows: number, X: number, ld: number, ms: number, len0: number, scale: number): void;
  softmax_bwd(
    nmat: number,
    rows: number,
    P: number,
    DP: number,
    ld: number,
    ms: number,
    len0: number,
    scale: number,
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

/** Which multiply-add the GEMM uses: separate f32x4.mul + f32x4.add, or a fused multiply-add (relaxed SIMD). */
export type GemmPath = 'mul-add' | 'fma';
/** An Arena's choice: a path, or `'auto'` (fma where the probe shows that it fuses, else mul-add). */
export type GemmChoice = GemmPath | 'auto';

const moduleCache: Partial<Record<GemmPath, WebAssembly.Module>> = {};

function compile(path: GemmPath): WebAssembly.Module {
  const cached = moduleCache[path];
  if (cached) return cached;
  if (typeof WebAssembly === 'undefined')
    throw new Error('rl-miniatures nn: WebAssembly is not available in this JavaScript runtime (Node ≥ 20 has it).');
  const bytes = Buffer.from(path === 'fma' ? GEMM_FMA_WASM_BASE64 : GEMM_WASM_BASE64, 'base64');
  // Runtimes that ship relaxed SIMD validate the module as is; Node 20 needs the flag first.
  if (path === 'fma' && !WebAssembly.validate(bytes)) enableRelaxedSimd();
  try {
    const m = new WebAssembly.Module(bytes);
    moduleCache[path] = m;
    return m;
  } catch (e) {
    throw new Error(
      path === 'fma'
        ? `rl-miniatures nn: the relaxed-SIMD kernel failed to compile (${(e as Error).message})`
        : `rl-miniatures nn: the SIMD GEMM kernel failed to compile (${(e as Error).message}); ` +
            'it needs WebAssembly SIMD (Node ≥ 16.4).',
    );
  }
}

/** Node 20's V8 has relaxed SIMD behind a flag; it must be set before the module is compiled. */
function enableRelaxedSimd(): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    (require('v8') as typeof import('v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // not Node (or no v8 module): the compile below says whether relaxed SIMD is there
  }
}

/** A fresh instance of the kernel with its own memory (one per Arena). */
function instantiate(path: GemmPath): GemmExports {
  return new WebAssembly.Instance(compile(path), {}).exports as unknown as GemmExports;
}

let probeCache: { fused: boolean; reason: string } | null = null;

/**
 * Whether the relaxed-SIMD GEMM computes a fused multiply-add (one rounding) on every code path of the kernel
 * (2×16, 2×8 and 2×4 blocks, the one-row blocks, the scalar tails), so that its results are determined bit for bit.
 * Probed once per process with a 5 × 29 × 2 product whose entries differ between fused and unfused arithmetic:
 * (−1)·1 + (1 + 2⁻¹³)² is 2⁻¹² + 2⁻²⁶ with one rounding and 2⁻¹² with two.
 */
export function probeFma(): { fused: boolean; reason: string } {
  if (probeCache) return probeCache;
  let k: GemmExports;
  try {
    k = instantiate('fma');
  } catch (e) {
    return (probeCache = { fused: false, reason: (e as Error).message });
  }
  const M = 5,
    N = 29,
    K = 2;
  const A = 16,
    B = A + 4 * M * K,
    C = B + 4 * K * N;
  const f = new Float32Array(k.memory.buffer);
  const a = Math.fround(1 + 2 ** -13);
  for (let i = 0; i < M; i++) {
    f[A / 4 + i * K] = -1;
    f[A / 4 + i * K + 1] = a;
  }
  for (let j = 0; j < N; j++) {
    f[B / 4 + j] = 1;
    f[B / 4 + N + j] = a;
  }
  k.gemm(M, N, K, A, K, 1, B, N, C, N, 0, 0, 0);
  const want = 2 ** -12 + 2 ** -26,
    unfused = Math.fround(Math.fround(a * a) - 1);
  let bad = 0,
    sawUnfused = 0;
  for (let i = 0; i < M * N; i++) {
    const c = f[C / 4 + i];
    if (c !== want) bad++;
    if (c === unfused) sawUnfused++;
  }
  probeCache =
    bad === 0
      ? { fused: true, reason: 'f32x4.relaxed_madd fuses on every GEMM code path' }
      : {
          fused: false,
          reason:
            `f32x4.relaxed_madd does not fuse here (${sawUnfused} of ${M * N} probe entries unfused, ` +
            `${bad - sawUnfused} other)`,
        };
  return probeCache;
}

/** The path an Arena built with `choice` runs (throws for 'fma' when the probe shows it does not fuse). */
export function resolveGemmPath(choice: GemmChoice = 'mul-add'): GemmPath {
  if (choice === 'mul-add') return 'mul-add';
  const p = probeFma();
  if (p.fused) return 'fma';
  if (choice === 'fma') throw new Error(`nn.Arena: gemm 'fma' was requested but ${p.reason}; use 'auto' or 'mul-add'`);
  return 'mul-add';
}

const PAGE = 65536;

/**
 * A bump allocator over its own kernel instance and memory. `mark()` / `release(mark)` free everything
 * allocated after a mark. Operands of one `gemm` call must come from the same arena.
 */
export class Arena {
  private top = 16; // keep address 0 unused
  readonly k: GemmExports;
  /** The GEMM's multiply-add in this arena's kernel instance (record it in a run's provenance). */
  readonly gemmPath: GemmPath;

  /** `gemm`: 'mul-add' (default; the same bits on every machine), 'fma' (relaxed SIMD, must fuse) or 'auto'. */
  constructor(o: { gemm?: GemmChoice } = {}) {
    this.gemmPath = resolveGemmPath(o.gemm ?? 'mul-add');
    this.k = instantiate(this.gemmPath);
  }

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
  checkGemm('nn.gemm', M, N, K, A, B, C, opts, 0, 0, 0);
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

/** Range and arena checks of a GEMM's operands; `da`, `db`, `dc`: the largest extra offset of a batch. */
function checkGemm(
  where: string,
  M: number,
  N: number,
  K: number,
  A: MatRef,
  B: MatRef,
  C: MatRef,
  opts: GemmOptions,
  da: number,
  db: number,
  dc: number,
): void {
  const check = (name: string, m: MatRef, rows: number, cols: number, extra: number) => {
    const off = m.offset ?? 0;
    if (rows === 0 || cols === 0) return;
    if (m.ld < cols) throw new RangeError(`${where}: ${name} has leading dimension ${m.ld} < ${cols} columns`);
    const last = off + extra + (rows - 1) * m.ld + cols;
    if (off < 0 || last > m.buf.length)
      throw new RangeError(
        `${where}: ${name} (${rows}×${cols}, offset ${off}${extra ? ` + ${extra}` : ''}, ld ${m.ld}) ` +
          `overruns its buffer of ${m.buf.length}`,
      );
  };
  if (A.trans) check('Aᵀ', A, K, M, da);
  else check('A', A, M, K, da);
  check('B', B, K, N, db);
  check('C', C, M, N, dc);
  if (opts.bias && (opts.bias.offset ?? 0) + N > opts.bias.buf.length)
    throw new RangeError(
      `${where}: bias (${N} entries at offset ${opts.bias.offset ?? 0}) overruns its buffer of ${opts.bias.buf.length}`,
    );
  if (B.buf.k !== A.buf.k || C.buf.k !== A.buf.k || (opts.bias && opts.bias.buf.k !== A.buf.k))
    throw new RangeError(`${where}: A, B, C (and bias) must be allocated from the same Arena`);
}

/** A grid of n1 × n2 GEMM problems: problem (i1, i2) offsets A, B, C by i1·s[0] + i2·s[1] elements. */
export interface GemmGrid {
  n1: number;
  n2: number;
  a: readonly [number, number];
  b: readonly [number, number];
  c: readonly [number, number];
}

/**
 * The GEMM over a grid of equally shaped problems in one call (attention: one problem per sequence and head).
 * Strides must be non-negative; a stride 0 on C with `accumulate` sums the problems into one C, in order.
 */
export function gemmBatched(
  grid: GemmGrid,
  M: number,
  N: number,
  K: number,
  A: MatRef,
  B: MatRef,
  C: MatRef,
  o: boolean | GemmOptions = false,
): void {
  const opts: GemmOptions = typeof o === 'boolean' ? { accumulate: o } : o;
  const { n1, n2, a, b, c } = grid;
  if (![n1, n2, ...a, ...b, ...c].every((x) => Number.isInteger(x) && x >= 0))
    throw new RangeError('nn.gemmBatched: grid sizes and strides must be non-negative integers');
  if (n1 === 0 || n2 === 0) return;
  const last = (s: readonly [number, number]) => (n1 - 1) * s[0] + (n2 - 1) * s[1];
  checkGemm('nn.gemmBatched', M, N, K, A, B, C, opts, last(a), last(b), last(c));
  if (M === 0 || N === 0) return;
  A.buf.k.gemm_batch(
    n1,
    n2,
    4 * a[0],
    4 * a[1],
    4 * b[0],
    4 * b[1],
    4 * c[0],
    4 * c[1],
    M,
    N,
    K,
    A.buf.ptr + 4 * (A.offset ?? 0),
    A.trans ? 1 : A.ld,
    A.trans ? A.ld : 1,
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

function fits(where: string, name: string, a: At, n: number): void {
  if ((a.offset ?? 0) < 0 || (a.offset ?? 0) + n > a.buf.length)
    throw new RangeError(
      `nn.${where}: ${name} (${n} entries at offset ${a.offset ?? 0}) overruns its buffer of ${a.buf.length}`,
    );
}

/**
 * LayerNorm over M rows of D (D a multiple of 4): y = (x − mean)·rstd·g + b with rstd = 1/√(var + eps)
 * (biased variance, like torch.nn.LayerNorm); keeps xhat (M × D) and rstd (M) for the backward.
 */
export function layerNormForward(M: number, D: number, x: At, g: At, b: At, xhat: At, rstd: At, y: At, eps: number) {
  if (D % 4 !== 0) throw new RangeError(`nn.layerNormForward: D = ${D} must be a multiple of 4`);
  const k = sameArena('layerNormForward', x, g, b, xhat, rstd, y);
  fits('layerNormForward', 'x', x, M * D);
  fits('layerNormForward', 'xhat', xhat, M * D);
  fits('layerNormForward', 'y', y, M * D);
  fits('layerNormForward', 'rstd', rstd, M);
  fits('layerNormForward', 'g', g, D);
  fits('layerNormForward', 'b', b, D);
  k.ln_fwd(M, D, addr(x), addr(g), addr(b), addr(xhat), addr(rstd), addr(y), eps);
}

/** The matching backward: dx (= or += when `accumulate`), dg += Σ dy·xhat, db += Σ dy. */
export function layerNormBackward(
  M: number,
  D: number,
  dy: At,
  xhat: At,
  rstd: At,
  g: At,
  dx: At,
  dg: At,
  db: At,
  accumulate: boolean,
) {
  if (D % 4 !== 0) throw new RangeError(`nn.layerNormBackward: D = ${D} must be a multiple of 4`);
  const k = sameArena('layerNormBackward', dy, xhat, rstd, g, dx, dg, db);
  for (const [n, a] of [
    ['dy', dy],
    ['xhat', xhat],
    ['dx', dx],
  ] as const)
    fits('layerNormBackward', n, a, M * D);
  fits('layerNormBackward', 'rstd', rstd, M);
  for (const [n, a] of [
    ['g', g],
    ['dg', dg],
    ['db', db],
  ] as const)
    fits('layerNormBackward', n, a, D);
  k.ln_bwd(M, D, addr(dy), addr(xhat), addr(rstd), addr(g), addr(dx), addr(dg), addr(db), accumulate ? 1 : 0);
}

/**
 * a = GELU(u), tanh form (torch's approximate='tanh'), over n entries (n a multiple of 4); with `deriv`, also
 * GELU′(u) there for the backward (`deriv` may be `u` itself: each entry is read before it is overwritten).
 */
export function geluForward(n: number, u: At, a: At, deriv?: At): void {
  if (n % 4 !== 0) throw new RangeError(`nn.geluForward: n = ${n} must be a multiple of 4`);
  const k = sameArena('geluForward', u, a, ...(deriv ? [deriv] : []));
  fits('geluForward', 'u', u, n);
  fits('geluForward', 'a', a, n);
  if (deriv) fits('geluForward', 'deriv', deriv, n);
  k.gelu_fwd(n, addr(u), addr(a), deriv ? addr(deriv) : 0);
}

/** da ← da · GELU′(u) in place, from the derivative `deriv` stored by `geluForward` (n a multiple of 4). */
export function geluBackward(n: number, deriv: At, da: At): void {
  if (n % 4 !== 0) throw new RangeError(`nn.geluBackward: n = ${n} must be a multiple of 4`);
  const k = sameArena('geluBackward', deriv, da);
  fits('geluBackward', 'deriv', deriv, n);
  fits('geluBackward', 'da', da, n);
  k.gelu_bwd(n, addr(deriv), addr(da));
}

/**
 * Layout of causal softmax rows: `nmat` matrices of `rows` rows, `ld` elements apart, matrices `ms` elements
 * apart; row i covers len0 + i entries and is zero-padded to len0 + rows − 1.
 */
export interface SoftmaxRows {
  nmat: number;
  rows: number;
  ld: number;
  ms: number;
  len0: number;
  scale: number;
}

function checkRows(where: string, r: SoftmaxRows, ...xs: [string, At][]): GemmExports {
  const { nmat, rows, ld, ms, len0 } = r;
  if (![nmat, rows, ld, ms, len0].every((x) => Number.isInteger(x) && x >= 0) || len0 < 1)
    throw new RangeError(`nn.${where}: sizes must be non-negative integers and len0 ≥ 1`);
  const width = len0 + rows - 1;
  if (rows > 0 && ld < width) throw new RangeError(`nn.${where}: ld ${ld} < row width ${width}`);
  if (nmat > 0 && rows > 0) for (const [n, a] of xs) fits(where, n, a, (nmat - 1) * ms + (rows - 1) * ld + width);
  return sameArena(where, ...xs.map((x) => x[1]));
}

/** In place: row i ← softmax(scale · row)[: len0 + i], then zeros (causal attention probabilities). */
export function softmaxRows(r: SoftmaxRows, x: At): void {
  const k = checkRows('softmaxRows', r, ['x', x]);
  k.softmax_rows(r.nmat, r.rows, addr(x), r.ld, r.ms, r.len0, r.scale);
}

/** dp ← scale · p ⊙ (dp − Σ_j dp_j p_j) over each row's length, zeros after (the score gradient). */
export function softmaxBackward(r: SoftmaxRows, p: At, dp: At): void {
  const k = checkRows('softmaxBackward', r, ['p', p], ['dp', dp]);
  k.softmax_bwd(r.nmat, r.rows, addr(p), addr(dp), r.ld, r.ms, r.len0, r.scale);
}
