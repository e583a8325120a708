/**
 * Likelihood summaries shared by the log-linear and GRU parts of the reasoning-boundary miniature:
 * terciles of base likelihood (winner-take-all) and the per-problem change of the correct-answer
 * log-likelihood against its base value.
 */

/** Masks of the bottom and top thirds of a sample (by value; ties broken by index). */
export function tercileMasks(x: ArrayLike<number>): { low: Uint8Array; high: Uint8Array } {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const low = new Uint8Array(n);
  const high = new Uint8Array(n);
  const third = Math.floor(n / 3);
  for (let r = 0; r < third; r++) low[order[r]] = 1;
  for (let r = n - third; r < n; r++) high[order[r]] = 1;
  return { low, high };
}

/** Mean of x over the entries with mask[i] ≠ 0 (all when no mask); NaN when none. */
export function maskedMean(x: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (mask && !mask[i]) continue;
    s += x[i];
    n++;
  }
  return n ? s / n : NaN;
}

/** log p, floored at 1e-300 so a probability that underflows to 0 stays finite. */
export function safeLog(p: number): number {
  return Math.log(Math.max(p, 1e-300));
}

/**
 * Per-problem change of the correct-answer log-likelihood, Δ_q = log p_q(after) − log p_q(base),
 * summarised by tercile of base likelihood (bottom / top third, ties by index) and by a 0/1 group.
 */
export function likelihoodChange(
  pBase: ArrayLike<number>,
  pFinal: ArrayLike<number>,
  group?: ArrayLike<number>,
): {
  d: Float64Array;
  low: number;
  high: number;
  all: number;
  fracDown: number;
  fracDownLow: number;
  group0: number;
  group1: number;
} {
  if (pBase.length !== pFinal.length)
    throw new RangeError(`rlvr.likelihoodChange: ${pBase.length} base probabilities but ${pFinal.length} final ones`);
  const n = pBase.length;
  const lp0 = Float64Array.from({ length: n }, (_, i) => safeLog(pBase[i]));
  const d = Float64Array.from({ length: n }, (_, i) => safeLog(pFinal[i]) - lp0[i]);
  const t = tercileMasks(lp0);
  const down = Float64Array.from(d, (v) => (v < 0 ? 1 : 0));
  const g1 = group ? Uint8Array.from({ length: n }, (_, i) => (group[i] ? 1 : 0)) : null;
  const g0 = g1 ? Uint8Array.from(g1, (v) => 1 - v) : null;
  return {
    d,
    low: maskedMean(d, t.low),
    high: maskedMean(d, t.high),
    all: maskedMean(d),
    fracDown: maskedMean(down),
    fracDownLow: maskedMean(down, t.low),
    group0: g0 ? maskedMean(d, g0) : NaN,
    group1: g1 ? maskedMean(d, g1) : NaN,
  };
}
