/** Wall-clock timing helpers shared by the kit side of every workload. */

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Run `fn` `warmup` times untimed, then `reps` times timed; returns every timing (ms) and the last result. */
export function timeReps<T>(fn: () => T, reps: number, warmup = 1): { times: number[]; median: number; last: T } {
  let last!: T;
  for (let i = 0; i < warmup; i++) last = fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = nowMs();
    last = fn();
    times.push(nowMs() - t0);
  }
  return { times, median: median(times), last };
}

/** Largest absolute difference of two equally long arrays (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** |a − b| / max(|a|, |b|, tiny). */
export function relDiff(a: number, b: number): number {
  const d = Math.abs(a - b);
  const s = Math.max(Math.abs(a), Math.abs(b), 1e-300);
  return Number.isNaN(d) ? Infinity : d / s;
}
