/**
 * The arithmetic peak of one core for the kit's GEMM instructions (issue 15: "state the physical limit you measure"):
 * a WebAssembly loop of 10 independent f32x4 chains x ← x·m + c (a separate f32x4.mul and f32x4.add, as the default
 * GEMM; or one f32x4.relaxed_madd, as the FMA GEMM), operands in registers, no memory traffic. Each chain's product
 * depends on its previous value, so nothing can be hoisted out of the loop, and every instruction is counted work.
 * 10 chains cover the multiply-then-add latency (~6 cycles at 2 multiplies and 2 adds per cycle) and leave registers
 * for m, c and V8's scratch register; measured on an AMD EPYC: 6 chains 29 GFLOP/s, 8 38, 10 48, 12 46, 13 25
 * (spills); an Intel Xeon gives 34–39 with 8–14 chains (a port limit there, bench/README). The GEMM's k-steps also
 * load (B vectors, A broadcasts) and cannot reach this rate; it is the instruction mix's ceiling.
 *
 * FLOPs counted as the GEMM counts them: 2 per lane per multiply-add (4 lanes), so the GEMM rows' GFLOP/s compare
 * directly. Assembled at run time with `wabt` (a devDependency, as scripts/build-kernels.js).
 */

/** Independent chains of the loop. */
export const PEAK_CHAINS = 10;
/** Loop iterations of one timed run (0.03–0.05 s on this machine). */
export const PEAK_ITERS = 10_000_000;

/**
 * The kernel's WAT: `peak(n, x0, m, c)` runs n iterations of x_i ← x_i·m + c on every chain i (chain i starts at
 * x0 + i) and returns the sum of all lanes of the chains.
 */
export function peakWat(fma: boolean): string {
  const xs = Array.from({ length: PEAK_CHAINS }, (_, i) => `$x${i}`);
  const step = (x: string) =>
    fma
      ? `(local.set ${x} (f32x4.relaxed_madd (local.get ${x}) (local.get $m) (local.get $c)))`
      : `(local.set ${x} (f32x4.add (f32x4.mul (local.get ${x}) (local.get $m)) (local.get $c)))`;
  let sum = '(local.get $x0)';
  for (let i = 1; i < PEAK_CHAINS; i++) sum = `(f32x4.add ${sum} (local.get $x${i}))`;
  return `(module
  (func (export "peak") (param $n i32) (param $start f32) (param $m0 f32) (param $c0 f32) (result f32)
    (local $m v128) (local $c v128) (local $s v128)
    ${xs.map((x) => `(local ${x} v128)`).join(' ')}
    (local.set $m (f32x4.splat (local.get $m0)))
    (local.set $c (f32x4.splat (local.get $c0)))
${xs.map((x, i) => `    (local.set ${x} (f32x4.splat (f32.add (local.get $start) (f32.const ${i}))))`).join('\n')}
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
${xs.map((x) => `        ${step(x)}`).join('\n')}
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.set $s ${sum})
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
             (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s))))))
`;
}

export type PeakFn = (n: number, x0: number, m: number, c: number) => number;

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
 * What `peak(n, x0, m, c)` returns, in float32 arithmetic as the kernel does it (fused: the product is not rounded
 * before the add). The tests compare the kernel with this.
 */
export function peakExpected(n: number, x0: number, m: number, c: number, fma: boolean): number {
  const f = Math.fround;
  const mf = f(m),
    cf = f(c);
  const xs = Array.from({ length: PEAK_CHAINS }, (_, i) => f(f(x0) + i));
  for (let it = 0; it < n; it++)
    for (let i = 0; i < PEAK_CHAINS; i++) xs[i] = fma ? f(xs[i] * mf + cf) : f(f(xs[i] * mf) + cf);
  let s = xs[0];
  for (let i = 1; i < PEAK_CHAINS; i++) s = f(s + xs[i]);
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
  k(iters / 10, 1, 0.5, 1);
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    k(iters, 1, 0.5, 1);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const m = ms[Math.floor(ms.length / 2)];
  return { gflops: peakGflops(iters, m), ms: m };
}
