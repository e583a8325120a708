/**
 * The arithmetic peak of one core for the kit's GEMM instructions (issue 15: "state the physical limit you measure"):
 * a WebAssembly loop of 10 independent f32x4 accumulators, each updated every iteration as acc += u·v (a separate
 * f32x4.mul and f32x4.add, as the default GEMM; or one f32x4.relaxed_madd, as the FMA GEMM), operands in registers,
 * no memory traffic. u changes every iteration (u += δ, one extra add per 10 multiply-adds) so that the compiler
 * cannot hoist the product out of the loop. 10 chains cover the add latency (3–4 cycles at 2 per cycle) and leave
 * registers for u, δ and the two v (V8 keeps one of the 16 xmm registers as scratch): the measured rate is a
 * lower bound of the instruction mix's peak, about 10/11 of it if the adds limit.
 *
 * FLOPs counted as the GEMM counts them: 2 per lane per multiply-add (4 lanes), so the GEMM rows' GFLOP/s compare
 * directly. Assembled at run time with `wabt` (a devDependency, as scripts/build-kernels.js).
 */

/** Accumulator chains of the loop. */
export const PEAK_CHAINS = 10;
/** Loop iterations of one timed run (0.03–0.05 s on this machine). */
export const PEAK_ITERS = 20_000_000;

/** The kernel's WAT: `peak(n, u0, du, v0, v1)` runs n iterations and returns the sum of all lanes of the chains. */
export function peakWat(fma: boolean): string {
  const acc = Array.from({ length: PEAK_CHAINS }, (_, i) => `$a${i}`);
  const madd = (a: string, v: string) =>
    fma
      ? `(local.set ${a} (f32x4.relaxed_madd (local.get $u) (local.get ${v}) (local.get ${a})))`
      : `(local.set ${a} (f32x4.add (local.get ${a}) (f32x4.mul (local.get $u) (local.get ${v}))))`;
  const body = acc.map((a, i) => `        ${madd(a, i % 2 ? '$v1' : '$v0')}`).join('\n');
  let sum = '(local.get $a0)';
  for (let i = 1; i < PEAK_CHAINS; i++) sum = `(f32x4.add ${sum} (local.get $a${i}))`;
  return `(module
  (func (export "peak") (param $n i32) (param $u0 f32) (param $du f32) (param $w0 f32) (param $w1 f32) (result f32)
    (local $u v128) (local $d v128) (local $v0 v128) (local $v1 v128) (local $s v128)
    ${acc.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $u (f32x4.splat (local.get $u0)))
    (local.set $d (f32x4.splat (local.get $du)))
    (local.set $v0 (f32x4.splat (local.get $w0)))
    (local.set $v1 (f32x4.splat (local.get $w1)))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
${body}
        (local.set $u (f32x4.add (local.get $u) (local.get $d)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.set $s ${sum})
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
             (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s))))))
`;
}

export type PeakFn = (n: number, u0: number, du: number, v0: number, v1: number) => number;

/** The compiled kernel; null for `fma` where relaxed SIMD does not compile here. */
export async function peakKernel(fma: boolean): Promise<PeakFn | null> {
  if (fma) (require('v8') as typeof import('v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wabt = await (require('wabt') as () => Promise<any>)();
  const mod = wabt.parseWat('peak.wat', peakWat(fma), { simd: true, relaxed_simd: fma });
  try {
    mod.validate();
    const { buffer } = mod.toBinary({ write_debug_names: false });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buffer), {});
    return inst.exports.peak as PeakFn;
  } catch (e) {
    if (fma) return null;
    throw e;
  } finally {
    mod.destroy();
  }
}

/**
 * What `peak(n, u0, du, v0, v1)` returns, in float32 arithmetic as the kernel does it (fused: the product is not
 * rounded before the add). The tests compare the kernel with this.
 */
export function peakExpected(n: number, u0: number, du: number, v0: number, v1: number, fma: boolean): number {
  const f = Math.fround;
  const acc = new Array<number>(PEAK_CHAINS).fill(0);
  let u = f(u0);
  for (let it = 0; it < n; it++) {
    for (let i = 0; i < PEAK_CHAINS; i++) {
      const v = f(i % 2 ? v1 : v0);
      acc[i] = fma ? f(acc[i] + u * v) : f(acc[i] + f(u * v));
    }
    u = f(u + f(du));
  }
  let s = acc[0];
  for (let i = 1; i < PEAK_CHAINS; i++) s = f(s + acc[i]);
  // the four lanes are equal: (s + s) + (s + s)
  return f(f(s + s) + f(s + s));
}

/** GFLOP/s of `iters` iterations in `ms` (2 FLOPs per lane per multiply-add, 4 lanes, PEAK_CHAINS chains). */
export function peakGflops(iters: number, ms: number): number {
  return (iters * PEAK_CHAINS * 4 * 2) / (ms * 1e6);
}

/** Median GFLOP/s of `reps` runs of `iters` iterations after a warm-up; null where the kernel does not compile. */
export async function measurePeak(
  fma: boolean,
  iters = PEAK_ITERS,
  reps = 5,
): Promise<{ gflops: number; ms: number } | null> {
  const k = await peakKernel(fma);
  if (!k) return null;
  k(iters / 10, 1e-3, 1e-9, 0.5, 0.25);
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    k(iters, 1e-3, 1e-9, 0.5, 0.25);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const m = ms[Math.floor(ms.length / 2)];
  return { gflops: peakGflops(iters, m), ms: m };
}
