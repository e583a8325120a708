/** Numerical checks shared by the unit tests. */

/** Max error between an analytic gradient and central finite differences, relative to (0.01 + |g|). */
export function fdCheck(
  f: (th: Float64Array) => { loss: number; grad: ArrayLike<number> },
  theta: Float64Array,
  h = 1e-6,
): number {
  const { grad } = f(theta);
  let worst = 0;
  for (let i = 0; i < theta.length; i++) {
    const tp = Float64Array.from(theta),
      tm = Float64Array.from(theta);
    tp[i] += h;
    tm[i] -= h;
    const fd = (f(tp).loss - f(tm).loss) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / (0.01 + Math.abs(grad[i])));
  }
  return worst;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
