/** A sparse 0/1 reward on discs (towards-better-alignment's target modes). */
import type { Reward2d } from './rewards';

/** Sparse reward on a union of discs: r(x) = 1 if |x − c_j| ≤ radius for some centre c_j, else 0 (no gradient). */
export function discUnionReward2d(centers: readonly (readonly [number, number])[], radius: number): Reward2d {
  const r2 = radius * radius;
  return {
    name: `discs(${centers.map((c) => c.map((v) => v.toFixed(2)).join(',')).join(';')},r=${radius})`,
    value(x, N) {
      const r = new Float64Array(N);
      for (let n = 0; n < N; n++)
        for (const c of centers) {
          const dx = x[2 * n] - c[0],
            dy = x[2 * n + 1] - c[1];
          if (dx * dx + dy * dy <= r2) {
            r[n] = 1;
            break;
          }
        }
      return r;
    },
  };
}
