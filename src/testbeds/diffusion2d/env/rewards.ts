/**
 * Rewards on the plane, evaluated on batches (2N flat points → N rewards), with gradients where they exist (what
 * reward-backpropagation methods need):
 * - `quadraticReward2d`: smooth, r(x) = −|x − c|²/(2s²); tilting a Gaussian mixture by exp(r/β) gives a Gaussian
 *   mixture in closed form (solvers/tilt.ts), an independent check of the grid's tilted target;
 * - `linearReward2d`: smooth and unbounded, r(x) = u·x (also tilts a mixture in closed form);
 * - `sparseReward2d`: 1 inside a disc, 0 outside (no gradient);
 * - `goldProxyPair`: a bounded gold reward (a bump at c) and a hackable proxy, gold + κ·u·x, that agrees with
 *   the gold near the data but keeps rising along u off the support, so maximising the proxy leaves the data and
 *   lowers the gold.
 */
export interface Reward2d {
  name: string;
  /** r(x) for N points (2N flat). */
  value(x: ArrayLike<number>, N: number): Float64Array;
  /** ∇r(x) (2N flat), where r is differentiable. */
  grad?(x: ArrayLike<number>, N: number): Float64Array;
}

export function quadraticReward2d(
  center: readonly [number, number],
  scale: number,
): Reward2d & {
  center: readonly [number, number];
  scale: number;
} {
  const k = 1 / (2 * scale * scale);
  return {
    name: `quadratic(c=${center.join(',')},s=${scale})`,
    center,
    scale,
    value(x, N) {
      const r = new Float64Array(N);
      for (let n = 0; n < N; n++) {
        const dx = x[2 * n] - center[0],
          dy = x[2 * n + 1] - center[1];
        r[n] = -k * (dx * dx + dy * dy);
      }
      return r;
    },
    grad(x, N) {
      const g = new Float64Array(2 * N);
      for (let n = 0; n < N; n++) {
        g[2 * n] = -2 * k * (x[2 * n] - center[0]);
        g[2 * n + 1] = -2 * k * (x[2 * n + 1] - center[1]);
      }
      return g;
    },
  };
}

export function linearReward2d(u: readonly [number, number]): Reward2d & { u: readonly [number, number] } {
  return {
    name: `linear(u=${u.join(',')})`,
    u,
    value(x, N) {
      const r = new Float64Array(N);
      for (let n = 0; n < N; n++) r[n] = u[0] * x[2 * n] + u[1] * x[2 * n + 1];
      return r;
    },
    grad(_x, N) {
      const g = new Float64Array(2 * N);
      for (let n = 0; n < N; n++) {
        g[2 * n] = u[0];
        g[2 * n + 1] = u[1];
      }
      return g;
    },
  };
}

export function sparseReward2d(center: readonly [number, number], radius: number): Reward2d {
  const r2 = radius * radius;
  return {
    name: `sparse(c=${center.join(',')},r=${radius})`,
    value(x, N) {
      const r = new Float64Array(N);
      for (let n = 0; n < N; n++) {
        const dx = x[2 * n] - center[0],
          dy = x[2 * n + 1] - center[1];
        r[n] = dx * dx + dy * dy <= r2 ? 1 : 0;
      }
      return r;
    },
  };
}

/** gold(x) = exp(−|x − c|²/(2s²)); proxy(x) = gold(x) + κ·u·x. */
export function goldProxyPair(
  center: readonly [number, number],
  scale: number,
  u: readonly [number, number],
  kappa: number,
): { gold: Reward2d; proxy: Reward2d } {
  const k = 1 / (2 * scale * scale);
  const goldValue = (x: ArrayLike<number>, N: number): Float64Array => {
    const r = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      const dx = x[2 * n] - center[0],
        dy = x[2 * n + 1] - center[1];
      r[n] = Math.exp(-k * (dx * dx + dy * dy));
    }
    return r;
  };
  const goldGrad = (x: ArrayLike<number>, N: number): Float64Array => {
    const g = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const dx = x[2 * n] - center[0],
        dy = x[2 * n + 1] - center[1];
      const e = Math.exp(-k * (dx * dx + dy * dy));
      g[2 * n] = -2 * k * dx * e;
      g[2 * n + 1] = -2 * k * dy * e;
    }
    return g;
  };
  const gold: Reward2d = { name: `gold(c=${center.join(',')},s=${scale})`, value: goldValue, grad: goldGrad };
  const proxy: Reward2d = {
    name: `proxy(gold + ${kappa}·(${u.join(',')})·x)`,
    value(x, N) {
      const r = goldValue(x, N);
      for (let n = 0; n < N; n++) r[n] += kappa * (u[0] * x[2 * n] + u[1] * x[2 * n + 1]);
      return r;
    },
    grad(x, N) {
      const g = goldGrad(x, N);
      for (let n = 0; n < N; n++) {
        g[2 * n] += kappa * u[0];
        g[2 * n + 1] += kappa * u[1];
      }
      return g;
    },
  };
  return { gold, proxy };
}
