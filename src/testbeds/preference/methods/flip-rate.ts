/**
 * The symmetric label-flip rate η of Bradley–Terry preference labels, estimated from the labels alone: the maximum
 * likelihood of the flip-contaminated linear Bradley–Terry model (the noise model of Co-teaching-style filters and
 * of the CRM paper's experiments, labels reversed with probability η on top of the BT draw)
 *   P(y_i = 1 | d_i) = η + (1 − 2η) σ(θ·d_i),   d_i = φ(a_i) − φ(b_i),   0 ≤ η < ½.
 * The BT draw's own randomness is not counted as noise: with η = 0 the model is plain BT, and on labels drawn from a
 * linear BT utility without flips the estimate is near 0. η and the scale of θ trade off (a smaller θ also explains
 * disagreeing labels); they separate because flips cap P(y | d) at 1 − η however large |θ·d| is, so the estimate
 * needs pairs with large utility gaps and its error grows as the pairs get fewer or the utility flatter.
 * Fit: for each η the profile maximiser in θ by Fisher scoring (ridge `l2`/2·‖θ‖² on the mean log-likelihood, warm
 * started), then the best η over a grid of step `gridStep` refined by golden-section search (to 1e-3) in the bracket
 * around it; η = 0 is kept when it is at least as likely.
 */
import { sigmoid } from '../../../math';
import { solveSPD } from '../solvers/cholesky';

export interface FlipRateOptions {
  /** Ridge on θ (mean-log-likelihood scale). */
  l2?: number;
  /** Grid step of the coarse search over η ∈ [0, maxRate]. */
  gridStep?: number;
  /** Largest η considered (< ½: at ½ the labels carry no information). */
  maxRate?: number;
}

/** Mean log-likelihood of the flip model at (θ, η), its gradient in θ and the Fisher information (d × d). */
function flipModelTerms(
  theta: Float64Array,
  D: Float64Array,
  y: ArrayLike<number>,
  d: number,
  eta: number,
  l2: number,
  withFisher = true,
) {
  const n = y.length;
  const grad = new Float64Array(d),
    fisher = new Float64Array(d * d);
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += theta[k] * D[i * d + k];
    const s = sigmoid(z);
    const P = Math.min(1 - 1e-15, Math.max(1e-15, eta + (1 - 2 * eta) * s));
    const dP = (1 - 2 * eta) * s * (1 - s);
    ll += (y[i] === 1 ? Math.log(P) : Math.log(1 - P)) / n;
    if (!withFisher) continue;
    const g = ((y[i] - P) / (P * (1 - P))) * dP;
    const f = (dP * dP) / (P * (1 - P));
    for (let a = 0; a < d; a++) {
      const da = D[i * d + a];
      grad[a] += (g * da) / n;
      for (let b = a; b < d; b++) fisher[a * d + b] += (f * da * D[i * d + b]) / n;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) fisher[a * d + b] = fisher[b * d + a];
  for (let k = 0; k < d; k++) {
    ll -= 0.5 * l2 * theta[k] * theta[k];
    grad[k] -= l2 * theta[k];
    fisher[k * d + k] += l2 + 1e-12;
  }
  return { ll, grad, fisher };
}

/** Profile maximiser in θ at a fixed η (Fisher scoring with backtracking), started from `theta` (updated in place). */
function profileFit(theta: Float64Array, D: Float64Array, y: ArrayLike<number>, d: number, eta: number, l2: number) {
  let cur = flipModelTerms(theta, D, y, d, eta, l2);
  for (let it = 0; it < 50; it++) {
    if (cur.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0) < 1e-8) break;
    const step = solveSPD(cur.fisher, Float64Array.from(cur.grad), d, 'estimateFlipRate: Fisher system');
    const trial = new Float64Array(d);
    let t = 1,
      next = cur;
    for (let k = 0; k < 30; k++, t /= 2) {
      for (let j = 0; j < d; j++) trial[j] = theta[j] + t * step[j];
      next = flipModelTerms(trial, D, y, d, eta, l2, false);
      if (next.ll >= cur.ll - 1e-15) break;
    }
    if (next.ll < cur.ll - 1e-15) break;
    theta.set(trial);
    const gain = next.ll - cur.ll;
    if (gain < 1e-11) return next.ll;
    cur = flipModelTerms(theta, D, y, d, eta, l2);
  }
  return cur.ll;
}

/**
 * Estimated flip rate η̂ of n labelled pairs: D holds the feature differences φ(a_i) − φ(b_i) (n × d, row-major),
 * y_i = 1 when a_i was labelled preferred. Returns η̂, the fitted θ at η̂ and the profile log-likelihoods at 0 and η̂.
 */
export function estimateFlipRate(
  D: Float64Array,
  y: ArrayLike<number>,
  d: number,
  o: FlipRateOptions = {},
): { eta: number; theta: Float64Array; llZero: number; llEta: number } {
  const l2 = o.l2 ?? 1e-4,
    step = o.gridStep ?? 0.05,
    maxRate = o.maxRate ?? 0.45;
  const n = y.length;
  if (n === 0 || D.length !== n * d)
    throw new RangeError(`estimateFlipRate: expected ${n} > 0 feature differences of dimension ${d}, got ${D.length}`);
  if (!(step > 0 && maxRate > 0 && maxRate < 0.5))
    throw new RangeError(`estimateFlipRate: need gridStep > 0 and 0 < maxRate < 0.5 (got ${step}, ${maxRate})`);
  for (let i = 0; i < n; i++)
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`estimateFlipRate: label ${i} is ${y[i]}, not 0 or 1`);
  // coarse grid, warm-started upwards from η = 0 (plain BT)
  const theta = new Float64Array(d);
  const grid: number[] = [];
  for (let j = 0; j * step <= maxRate + 1e-12; j++) grid.push(Math.min(j * step, maxRate));
  const thetas: Float64Array[] = [];
  const lls = grid.map((e) => {
    const ll = profileFit(theta, D, y, d, e, l2);
    thetas.push(Float64Array.from(theta));
    return ll;
  });
  const llZero = lls[0];
  let best = 0;
  for (let j = 1; j < grid.length; j++) if (lls[j] > lls[best]) best = j;
  // golden-section refinement in the bracket around the best grid point (θ warm-started from that point)
  let lo = grid[Math.max(0, best - 1)],
    hi = grid[Math.min(grid.length - 1, best + 1)];
  const thetaBest = thetas[best];
  const at = (e: number) => {
    const t = Float64Array.from(thetaBest);
    return { ll: profileFit(t, D, y, d, e, l2), t };
  };
  const g = (Math.sqrt(5) - 1) / 2;
  let c = hi - g * (hi - lo),
    e2 = lo + g * (hi - lo);
  let fc = at(c).ll,
    fe = at(e2).ll;
  for (let it = 0; it < 30 && hi - lo > 1e-3; it++) {
    if (fc >= fe) {
      hi = e2;
      e2 = c;
      fe = fc;
      c = hi - g * (hi - lo);
      fc = at(c).ll;
    } else {
      lo = c;
      c = e2;
      fc = fe;
      e2 = lo + g * (hi - lo);
      fe = at(e2).ll;
    }
  }
  const eta = (lo + hi) / 2;
  const fit = at(eta);
  if (llZero >= fit.ll) return { eta: 0, theta: thetas[0], llZero, llEta: llZero };
  return { eta, theta: fit.t, llZero, llEta: fit.ll };
}
