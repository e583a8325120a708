import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';

describe('Rng', () => {
  it('is deterministic for the same seed and path', () => {
    const a = new Rng(42).split('mdp').split(3);
    const b = new Rng(42).split('mdp').split(3);
    const xs = Array.from({ length: 1000 }, () => a.nextUint32());
    const ys = Array.from({ length: 1000 }, () => b.nextUint32());
    expect(xs).toEqual(ys);
  });

  it('gives different streams for different seeds and labels, and split does not consume draws', () => {
    const r = new Rng(7);
    const before = new Rng(7).uniform();
    r.split('x');
    r.split('y');
    expect(r.uniform()).toBe(before);
    const s1 = new Rng(7).split('a');
    const s2 = new Rng(7).split('b');
    const s3 = new Rng(8).split('a');
    const n1 = s1.nextUint32(),
      n2 = s2.nextUint32(),
      n3 = s3.nextUint32();
    expect(new Set([n1, n2, n3]).size).toBe(3);
    // label 1 (number) and "1" (string) are different streams
    expect(new Rng(1).split(1).nextUint32()).not.toBe(new Rng(1).split('1').nextUint32());
  });

  it('streams are statistically independent: correlation of paired uniforms ~ 0', () => {
    const n = 20000;
    const a = new Rng(1).split('a');
    const b = new Rng(1).split('b');
    let sa = 0,
      sb = 0,
      sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < n; i++) {
      const x = a.uniform(),
        y = b.uniform();
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    const cov = sab / n - (sa / n) * (sb / n);
    const corr = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    expect(Math.abs(corr)).toBeLessThan(4 / Math.sqrt(n)); // 4 standard errors
    expect(sa / n).toBeCloseTo(0.5, 1);
  });

  it('uniform, normal and int have the right moments', () => {
    const r = new Rng(123);
    const n = 50000;
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400); // ~4.4 sd
    const d = r.dirichlet(5, 0.5);
    expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('rejects invalid seeds with a clear message', () => {
    expect(() => new Rng(-1)).toThrow(/seed must be an integer/);
    expect(() => new Rng(1.5)).toThrow(/seed must be an integer/);
    expect(() => new Rng(1).int(0)).toThrow(/n must be an integer/);
  });
});

describe('xoshiro128** core', () => {
  it('matches a plain reference implementation of xoshiro128** from the same state', () => {
    // Reference (Blackman & Vigna, xoshiro128starstar.c) on uint32 state, written independently.
    const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
    const s = [0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321];
    const ref = () => {
      const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
      const t = (s[1] << 9) >>> 0;
      s[2] = (s[2] ^ s[0]) >>> 0;
      s[3] = (s[3] ^ s[1]) >>> 0;
      s[1] = (s[1] ^ s[2]) >>> 0;
      s[0] = (s[0] ^ s[3]) >>> 0;
      s[2] = (s[2] ^ t) >>> 0;
      s[3] = rotl(s[3], 11);
      return result;
    };
    const r = new Rng(0) as unknown as { s0: number; s1: number; s2: number; s3: number; nextUint32(): number };
    r.s0 = 0x12345678 | 0;
    r.s1 = 0x9abcdef0 | 0;
    r.s2 = 0x0fedcba9 | 0;
    r.s3 = 0x87654321 | 0;
    for (let i = 0; i < 10000; i++) expect(r.nextUint32()).toBe(ref());
  });
});
