/** Confidence intervals for a binomial proportion (k successes out of n). */
import { betaQuantile, normalQuantile } from './distributions';

export type ProportionInterval = 'clopper-pearson' | 'wilson';

/** Proportion k/n with its interval: Clopper–Pearson (exact, conservative; default) or Wilson score. */
export function proportionCI(
  k: number,
  n: number,
  opts: { level?: number; method?: ProportionInterval } = {},
): { estimate: number; lo: number; hi: number; level: number; method: ProportionInterval } {
  const level = opts.level ?? 0.95;
  const method = opts.method ?? 'clopper-pearson';
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`stats.proportionCI: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(`stats.proportionCI: k must be an integer in [0, n=${n}], got ${k}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`stats.proportionCI: level must be in (0, 1), got ${level}`);
  const alpha = 1 - level;
  const p = k / n;
  if (method === 'clopper-pearson') {
    const lo = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
    const hi = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
    return { estimate: p, lo, hi, level, method };
  }
  if (method === 'wilson') {
    const z = normalQuantile(1 - alpha / 2);
    const z2 = z * z;
    const denom = 1 + z2 / n;
    const center = (p + z2 / (2 * n)) / denom;
    const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    return { estimate: p, lo: Math.max(0, center - half), hi: Math.min(1, center + half), level, method };
  }
  throw new RangeError(`stats.proportionCI: method must be 'clopper-pearson' or 'wilson', got ${String(method)}`);
}
