import { describe, expect, it } from 'vitest';
import { clippedSurrogateGrad, ppoClipped } from '../../../../src/testbeds/rlvr/methods/ppo-clip';

/** The per-token loss −c·min(ρA, clip(ρ, lo, hi)A) as a function of log π (ρ = exp(log π − log π_old)). */
function loss(c: number, A: number, logp: number, oldLogp: number, lo: number, hi: number): number {
  const rho = Math.exp(logp - oldLogp);
  return -c * Math.min(rho * A, Math.min(Math.max(rho, lo), hi) * A);
}

describe('rlvr PPO / GRPO clipped surrogate', () => {
  it('its token gradient is the derivative of −c·min(ρA, clip(ρ)A) with respect to log π (finite differences)', () => {
    const lo = 0.8,
      hi = 1.2,
      c = 0.37,
      oldLogp = -1.3;
    for (const A of [1.5, -0.7])
      for (const d of [-0.5, -0.1, 0, 0.1, 0.5]) {
        const logp = oldLogp + d;
        const ratio = Math.exp(d);
        const h = 1e-6;
        const fd = (loss(c, A, logp + h, oldLogp, lo, hi) - loss(c, A, logp - h, oldLogp, lo, hi)) / (2 * h);
        expect(clippedSurrogateGrad(c, A, ratio, ppoClipped(A, ratio, lo, hi))).toBeCloseTo(fd, 6);
      }
  });

  it('clips one side only: a positive advantage above 1 + ε or a negative one below 1 − ε', () => {
    expect(ppoClipped(1, 1.3, 0.8, 1.2)).toBe(true);
    expect(ppoClipped(1, 0.5, 0.8, 1.2)).toBe(false);
    expect(ppoClipped(-1, 0.5, 0.8, 1.2)).toBe(true);
    expect(ppoClipped(-1, 1.3, 0.8, 1.2)).toBe(false);
    expect(ppoClipped(0, 5, 0.8, 1.2)).toBe(false);
  });

  it('the importance and advantage weights default to ρ and 1, bit for bit', () => {
    const [c, A, r] = [0.123, -0.77, 1.0370001];
    expect(clippedSurrogateGrad(c, A, r, false)).toBe(-c * A * r);
    expect(clippedSurrogateGrad(c, A, r, false, 1, Math.exp(A))).toBe(-c * A * 1 * Math.exp(A));
    expect(clippedSurrogateGrad(c, A, r, true)).toBe(0);
  });
});
