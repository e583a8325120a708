/**
 * One seeded, splittable random generator per run.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words, period 2^128 - 1.
 * Seeding and splitting: a stream is identified by its root seed and a path of labels
 * (e.g. seed 3 → "mdp" → 17). The state is derived by hashing that path with SplitMix32-style
 * mixing, so `rng.split("a")` never consumes draws from `rng` and two different paths give
 * statistically independent streams. The same (seed, path) always yields the same numbers.
 */

function mix32(x: number): number {
  // murmur3 fmix32 finalizer: a bijection on uint32 with full avalanche.
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hashLabel(h: number, label: string | number): number {
  const s = typeof label === 'number' ? `#${label}` : `$${label}`;
  for (let i = 0; i < s.length; i++) {
    h = mix32((h ^ s.charCodeAt(i)) + 0x9e3779b9);
  }
  return mix32(h ^ s.length);
}

export type SplitLabel = string | number;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;
  /** The root seed and the labels that led to this stream (for provenance and error messages). */
  readonly seed: number;
  readonly path: readonly SplitLabel[];
  private readonly key: number;

  constructor(seed: number, path: readonly SplitLabel[] = []) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Rng: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    this.seed = seed;
    this.path = path;
    let k = mix32(seed ^ 0x5bd1e995);
    for (const l of path) k = hashLabel(k, l);
    this.key = k;
    // Expand the key into four state words (SplitMix32 sequence); never all zero.
    let z = k;
    const next = () => {
      z = (z + 0x9e3779b9) >>> 0;
      return mix32(z ^ 0x7f4a7c15);
    };
    // Stored as int32 (| 0): V8 keeps small integers unboxed, which makes nextUint32 ~3x faster.
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent child stream named by `label`; does not advance this stream. */
  split(label: SplitLabel): Rng {
    return new Rng(this.seed, [...this.path, label]);
  }

  /** Next uint32. */
  nextUint32(): number {
    const s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 = s2 ^ s0;
    this.s3 = s3 ^ s1;
    this.s1 = s1 ^ this.s2;
    this.s0 = s0 ^ this.s3;
    this.s2 = this.s2 ^ t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [a, b). */
  range(a: number, b: number): number {
    return a + (b - a) * this.uniform();
  }

  /** Uniform integer in [0, n). Unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000)
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal (Marsaglia polar method). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return mean + std * v;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * m;
        return mean + std * u * m;
      }
    }
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Sample an index from unnormalised non-negative weights. */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new RangeError('Rng.categorical: weights must have a positive sum');
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Dirichlet(alpha, ..., alpha) sample of length k, via Gamma draws (Marsaglia–Tsang). */
  dirichlet(k: number, alpha = 1): Float64Array {
    const out = new Float64Array(k);
    let sum = 0;
    for (let i = 0; i < k; i++) {
      out[i] = this.gamma(alpha);
      sum += out[i];
    }
    for (let i = 0; i < k; i++) out[i] /= sum;
    return out;
  }

  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.uniform();
      return this.gamma(1 + shape) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** Fill a Float64Array with standard normals. */
  normals(n: number, mean = 0, std = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A 32-bit integer derived from this stream's identity (to seed foreign generators, e.g. tfjs). */
  derivedSeed(): number {
    return this.key;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k)); // int32; callers convert with >>> 0 where a uint32 is needed
}

/** The run's root generator. */
export function makeRng(seed: number): Rng {
  return new Rng(seed);
}
