/**
 * Ratio-clipping parts: the per-token surrogate ℓ_t(ρ) = −A·ψ(ρ, A) of the PPO family, with the
 * importance ratio ρ_t = π_θ(o_t)/π_old(o_t), and its derivative ∂ℓ_t/∂log π_θ(o_t) (= ρ·∂ℓ/∂ρ):
 *   none          ℓ = −ρA                                             (plain importance-weighted PG)
 *   symmetric     ℓ = −min(ρA, clip(ρ, 1−ε, 1+ε)A)                   (PPO, Schulman et al. 2017, eq. 7; GRPO eq. 3)
 *   clip-higher   ℓ = −min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A)          (DAPO, Yu et al. 2025, eq. 8 and §3.1)
 *   dual-clip     ℓ = −max(min(ρA, clip(ρ, 1−ε, 1+ε)A), c·A) for A < 0 (Ye et al. 2020, "Mastering Complex
 *                 Control in MOBA Games", eq. 5; c > 1), as symmetric for A ≥ 0
 * In every case the gradient is −ρA where the unclipped branch is active and 0 where a constant branch is.
 * With one gradient pass per batch ρ = 1 and all four give the on-policy policy gradient −A.
 */
import { ppoClipped } from '../../rlvr/methods/ppo-clip';

export type Clipping =
  | { kind: 'none' }
  | { kind: 'symmetric'; eps: number }
  | { kind: 'clip-higher'; epsLow: number; epsHigh: number }
  | { kind: 'dual-clip'; eps: number; c: number };

/** Whether the clip cuts this token's gradient (the active branch of the surrogate is constant in θ). */
export function isClipped(clip: Clipping, A: number, ratio: number): boolean {
  switch (clip.kind) {
    case 'none':
      return false;
    case 'symmetric':
      return ppoClipped(A, ratio, 1 - clip.eps, 1 + clip.eps);
    case 'clip-higher':
      return ppoClipped(A, ratio, 1 - clip.epsLow, 1 + clip.epsHigh);
    case 'dual-clip':
      // For A < 0 the lower bound c·A takes over once ρ > c (then min(ρA, clip·A) = ρA < c·A).
      return ppoClipped(A, ratio, 1 - clip.eps, 1 + clip.eps) || (A < 0 && ratio > clip.c);
  }
}

/** The surrogate's value ℓ_t for advantage A and ratio ρ (for tests and logging). */
export function surrogateLoss(clip: Clipping, A: number, ratio: number): number {
  const lohi = (): [number, number] =>
    clip.kind === 'clip-higher'
      ? [1 - clip.epsLow, 1 + clip.epsHigh]
      : clip.kind === 'none'
        ? [-Infinity, Infinity]
        : [1 - clip.eps, 1 + clip.eps];
  const [lo, hi] = lohi();
  const ppo = Math.min(ratio * A, Math.min(hi, Math.max(lo, ratio)) * A);
  if (clip.kind === 'dual-clip' && A < 0) return -Math.max(ppo, clip.c * A);
  return -ppo;
}

/** ∂ℓ_t/∂log π_θ(o_t): −ρA where the unclipped branch is active, else 0. */
export function surrogateGrad(clip: Clipping, A: number, ratio: number): number {
  return isClipped(clip, A, ratio) ? 0 : -A * ratio;
}
