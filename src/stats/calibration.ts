/**
 * Calibration error of predicted probabilities against binary outcomes, with equal-width bins on [0, 1] (the
 * definition of the MORE code, github.com/dunzeng/MORE utils.py `calibration_error`, after scikit-learn's
 * `calibration_curve`): a prediction p falls in bin b = #{inner edges < p} (edges k/B, k = 1..B−1, p on an edge goes
 * to the lower bin); per bin, S_b = Σ p and T_b = Σ y over its predictions, n_b their count;
 *   ECE = Σ_b |S_b − T_b| / n,   ACE = mean over non-empty bins of |S_b − T_b| / n_b,   MCE = max of the same.
 */
export interface CalibrationError {
  /** Expected calibration error. */
  ece: number;
  /** Average (over non-empty bins) calibration error. */
  ace: number;
  /** Maximum calibration error. */
  mce: number;
}

export function calibrationError(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationError {
  if (y.length !== p.length)
    throw new RangeError(`calibrationError: ${y.length} outcomes but ${p.length} predicted probabilities`);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`calibrationError: bins must be ≥ 1, got ${bins}`);
  const n = y.length;
  if (n === 0) return { ece: 0, ace: 0, mce: 0 };
  const S = new Float64Array(bins),
    T = new Float64Array(bins),
    N = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const q = p[i];
    if (!(q >= 0 && q <= 1)) throw new RangeError(`calibrationError: probability ${q} at index ${i} is not in [0, 1]`);
    // searchsorted(edges[1:-1], q) with side 'left': the number of inner edges k/B strictly below q
    let b = Math.ceil(q * bins) - 1;
    if (b < 0) b = 0;
    // guard float rounding at an edge: an inner edge equal to q does not count
    while (b > 0 && b / bins >= q) b--;
    while (b + 1 < bins && (b + 1) / bins < q) b++;
    S[b] += q;
    T[b] += y[i];
    N[b]++;
  }
  let ece = 0,
    ace = 0,
    mce = 0,
    nonEmpty = 0;
  for (let b = 0; b < bins; b++) {
    ece += Math.abs(S[b] - T[b]) / n;
    if (N[b] > 0) {
      const e = Math.abs(S[b] - T[b]) / N[b];
      ace += e;
      mce = Math.max(mce, e);
      nonEmpty++;
    }
  }
  return { ece, ace: ace / nonEmpty, mce };
}
