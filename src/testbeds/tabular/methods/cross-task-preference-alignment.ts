/**
 * CPA — cross-task preference alignment, the first component of PEARL (Liu, Du, Bai, Lyu & Li 2023,
 * arXiv:2306.03615). Only the paper's abstract and the opening of its introduction were readable; the
 * formula is reconstructed from the abstract: with T the Gromov–Wasserstein coupling between source
 * trajectories σ^s_1..n and target trajectories σ^t_1..m (`gromov-wasserstein.ts`), "the solved optimal
 * transport matrix serves as the correspondence between trajectories" and "the target task preferences are
 * computed as the weighted sum of source task preference labels with the correspondence as weights":
 *
 *   ỹ_ab = Σ_{i,j} T_ia T_jb y^s_ij / Σ_{i,j} T_ia T_jb   (sum over labelled source pairs (i, j), i ≠ j).
 */
import type { SegmentPairs } from '../env/preferences';

/**
 * CPA labels ỹ_ab for target pairs from a coupling T (n source × m target, row-major) and a source label
 * matrix Ys (n × n, Ys_ij = P(σ^s_i ≻ σ^s_j), NaN where unlabelled). Returns NaN where no weight falls on a
 * labelled source pair.
 */
export function cpaTransferLabels(
  T: Float64Array,
  n: number,
  m: number,
  Ys: Float64Array,
  pairs: SegmentPairs,
): Float64Array {
  if (T.length !== n * m || Ys.length !== n * n) throw new RangeError('cpaTransferLabels: bad T or Ys size');
  const out = new Float64Array(pairs.i.length);
  for (let p = 0; p < out.length; p++) {
    const a = pairs.i[p],
      b = pairs.j[p];
    let num = 0,
      den = 0;
    for (let i = 0; i < n; i++) {
      const ta = T[i * m + a];
      if (ta === 0) continue;
      for (let j = 0; j < n; j++) {
        const y = Ys[i * n + j];
        if (i === j || Number.isNaN(y)) continue;
        const w = ta * T[j * m + b];
        num += w * y;
        den += w;
      }
    }
    out[p] = den > 0 ? num / den : NaN;
  }
  return out;
}
