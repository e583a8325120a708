/**
 * The arithmetic-peak kernel of the transformer bench (src/bench/peak.ts): it computes the multiply-add chains it
 * claims (so the timed loop does the counted work and is not optimised away), float32 bit for bit against a host
 * emulation, with one rounding per multiply-add on the relaxed-SIMD variant where the engine fuses; and the GFLOP/s
 * arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { PEAK_CHAINS, peakExpected, peakGflops, peakKernel, peakWat } from '../../src/bench/peak';
import { probeFma } from '../../src/nn/wasm';

// (n, start, m, c): chains x_i ← x_i·m + c from x_i = start + i; the later cases' fused and unfused results differ
// (checked below), so the FMA case tells the two apart
const CASES: [number, number, number, number][] = [
  [0, 1, 0.5, 1],
  [7, 1, 0.5, 1],
  [50, 0.7, 0.1, 0.3],
  [200, 1 + 2 ** -13, 0.999, 1e-3],
  [1000, -2.5, 0.3333, 0.125],
];

describe('arithmetic-peak kernel', () => {
  it('mul + add: the chains equal a float32 emulation exactly', async () => {
    const k = (await peakKernel(false))!;
    for (const c of CASES) expect(k(...c)).toBe(peakExpected(...c, false));
    const sum0 = PEAK_CHAINS + (PEAK_CHAINS * (PEAK_CHAINS - 1)) / 2; // Σ (1 + i) over the chains
    expect(k(0, 1, 0.5, 1)).toBe(4 * sum0); // 4 lanes, nothing iterated
  });

  it('relaxed_madd: one rounding per multiply-add where the engine fuses (else it need not compile)', async () => {
    const k = await peakKernel(true);
    if (!probeFma().fused) return;
    expect(k).not.toBeNull();
    let differ = 0;
    for (const c of CASES) {
      expect(k!(...c)).toBe(peakExpected(...c, true));
      if (peakExpected(...c, true) !== peakExpected(...c, false)) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });

  it('GFLOP/s: 2 FLOPs × 4 lanes × chains per iteration; the WAT has one multiply-add per chain', () => {
    expect(peakGflops(1e6, 1)).toBeCloseTo((1e6 * PEAK_CHAINS * 8) / 1e6, 12);
    expect(peakWat(false).match(/f32x4\.mul/g)).toHaveLength(PEAK_CHAINS);
    expect(peakWat(true).match(/f32x4\.relaxed_madd/g)).toHaveLength(PEAK_CHAINS);
  });
});
