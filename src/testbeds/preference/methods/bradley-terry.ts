/**
 * Bradley–Terry reward models (the reward model of RLHF) fitted by maximum likelihood:
 *   P(a ≻ b | x) = σ(r(x, a) − r(x, b)),   L(r) = −(1/W) Σ_i w_i [p_i log σ(d_i) + (1 − p_i) log σ(−d_i)],  d_i =
 *   r(x_i,a_i) − r(x_i,b_i)
 * (the reward-model loss of RLHF, Ouyang et al. 2022 eq. 1; Rafailov et al. 2023 eq. 2).
 *  - tabular: one free reward per (x, y); fitted by Newton's method per context, with the per-context
 *    constant (unidentifiable) fixed by centring; optional ridge (l2/2)‖r‖².
 *  - linear in features: r(x, y) = θ·φ(x, y); Newton's method on θ (logistic regression on feature
 *    differences), optional ridge (l2/2)‖θ‖².
 * Gradients are exact; Newton iterations use backtracking on the loss.
 *  - `fitBTTabularRidge`: the tabular fit the game-side experiments use — the summed (not mean)
 *    weighted loss with a ridge, plain Newton steps without line search. Numerically distinct from
 *    `fitBTTabular` (a different objective scale and iteration), so both are kept.
 */
import { sigmoid } from '../../../math';
import { checkComparisons, totalWeight, type Comparisons } from '../data/comparisons';
import { logSigmoid, type TableShape } from '../policies/logit-table';
import { solveSPD } from '../solvers/cholesky';

/** −[p log σ(d) + (1−p) log σ(−d)] and its derivative in d: σ(d) − p. */
export function btPairLoss(d: number, p: number): { loss: number; dd: number } {
  return { loss: -(p * logSigmoid(d) + (1 - p) * logSigmoid(-d)), dd: sigmoid(d) - p };
}

/** Tabular BT loss (mean weighted NLL + (l2/2)‖r‖²) and its gradient in r. */
export function btLossTabular(
  reward: Float64Array,
  c: Comparisons,
  shape: TableShape,
  l2 = 0,
): { loss: number; grad: Float64Array } {
  const { nY } = shape;
  const W = totalWeight(c, 'Bradley–Terry');
  const grad = new Float64Array(reward.length);
  let loss = 0;
  for (let i = 0; i < c.n; i++) {
    const ia = c.x[i] * nY + c.a[i],
      ib = c.x[i] * nY + c.b[i];
    const { loss: l, dd } = btPairLoss(reward[ia] - reward[ib], c.p[i]);
    const w = c.w[i] / W;
    loss += w * l;
    grad[ia] += w * dd;
    grad[ib] -= w * dd;
  }
  if (l2 > 0)
    for (let i = 0; i < reward.length; i++) {
      loss += 0.5 * l2 * reward[i] * reward[i];
      grad[i] += l2 * reward[i];
    }
  return { loss, grad };
}

export interface NewtonOptions {
  /** Ridge (l2/2)‖·‖² (default 0). */
  l2?: number;
  maxIter?: number;
  /** Stop when the gradient's max-norm falls below tol (default 1e-12). */
  tol?: number;
}

export interface FitReport {
  iterations: number;
  gradNorm: number;
  loss: number;
  converged: boolean;
}

/**
 * Tabular BT maximum likelihood by Newton's method (block-diagonal over contexts). Without ridge the
 * per-context constant is fixed by centring every context's rewards to mean 0 (the Newton system adds
 * 11ᵀ/nY, which leaves steps orthogonal to the constant direction). Responses never compared keep 0.
 */
export function fitBTTabular(
  c: Comparisons,
  shape: TableShape,
  o: NewtonOptions = {},
): { reward: Float64Array; report: FitReport } {
  checkComparisons(c, shape, 'fitBTTabular');
  const { nX, nY } = shape;
  const l2 = o.l2 ?? 0,
    maxIter = o.maxIter ?? 100,
    tol = o.tol ?? 1e-12;
  const W = totalWeight(c, 'Bradley–Terry');
  const byX: number[][] = Array.from({ length: nX }, () => []);
  for (let i = 0; i < c.n; i++) byX[c.x[i]].push(i);
  const r = new Float64Array(nX * nY);
  let iterations = 0;
  const H = new Float64Array(nY * nY),
    g = new Float64Array(nY),
    rx = new Float64Array(nY),
    trial = new Float64Array(nY);
  const ctxLoss = (v: Float64Array, ids: number[]) => {
    let s = 0;
    for (const i of ids) s += (c.w[i] / W) * btPairLoss(v[c.a[i]] - v[c.b[i]], c.p[i]).loss;
    for (let y = 0; y < nY; y++) s += 0.5 * l2 * v[y] * v[y];
    return s;
  };
  for (let x = 0; x < nX; x++) {
    const ids = byX[x];
    if (ids.length === 0) continue;
    rx.fill(0);
    for (let it = 0; it < maxIter; it++) {
      H.fill(0);
      g.fill(0);
      for (const i of ids) {
        const a = c.a[i],
          b = c.b[i];
        if (a === b) continue;
        const d = rx[a] - rx[b];
        const s = sigmoid(d),
          w = c.w[i] / W;
        g[a] += w * (s - c.p[i]);
        g[b] -= w * (s - c.p[i]);
        const h = w * s * (1 - s);
        H[a * nY + a] += h;
        H[b * nY + b] += h;
        H[a * nY + b] -= h;
        H[b * nY + a] -= h;
      }
      let gmax = 0;
      for (let y = 0; y < nY; y++) {
        g[y] += l2 * rx[y];
        if (Math.abs(g[y]) > gmax) gmax = Math.abs(g[y]);
      }
      iterations = Math.max(iterations, it);
      if (gmax < tol) break;
      for (let y = 0; y < nY; y++)
        for (let z = 0; z < nY; z++) H[y * nY + z] += (l2 > 0 ? 0 : 1 / nY) + (y === z ? l2 + 1e-12 : 0);
      const step = solveSPD(H, g, nY, `fitBTTabular: Newton system of context ${x}`);
      const f0 = ctxLoss(rx, ids);
      let t = 1;
      for (let k = 0; k < 40; k++) {
        for (let y = 0; y < nY; y++) trial[y] = rx[y] - t * step[y];
        if (ctxLoss(trial, ids) <= f0 + 1e-15) break;
        t *= 0.5;
      }
      rx.set(trial);
    }
    if (l2 === 0) {
      const m = rx.reduce((s, v) => s + v, 0) / nY;
      for (let y = 0; y < nY; y++) rx[y] -= m;
    }
    r.set(rx, x * nY);
  }
  const { loss, grad } = btLossTabular(r, c, shape, l2);
  const gradNorm = grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { reward: r, report: { iterations, gradNorm, loss, converged: gradNorm < Math.max(tol, 1e-9) } };
}

/**
 * Logistic (BT) regression on feature differences: rows D_i = Φ(a_i) − Φ(b_i) (n × d), label p_i, weight w_i.
 * Loss = (1/W) Σ w_i ℓ(θ·D_i, p_i) + (l2/2)‖θ‖².
 */
export function btLossOnDifferences(
  theta: Float64Array,
  D: Float64Array,
  p: Float64Array,
  w: Float64Array,
  l2 = 0,
): { loss: number; grad: Float64Array } {
  const d = theta.length,
    n = p.length;
  let W = 0;
  for (let i = 0; i < n; i++) W += w[i];
  const grad = new Float64Array(d);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += theta[k] * D[i * d + k];
    const { loss: l, dd } = btPairLoss(z, p[i]);
    loss += (w[i] / W) * l;
    for (let k = 0; k < d; k++) grad[k] += (w[i] / W) * dd * D[i * d + k];
  }
  for (let k = 0; k < d; k++) {
    loss += 0.5 * l2 * theta[k] * theta[k];
    grad[k] += l2 * theta[k];
  }
  return { loss, grad };
}

/** Newton's method for btLossOnDifferences (needs l2 > 0 or full-rank, non-separable data). */
export function fitBTOnDifferences(
  D: Float64Array,
  p: Float64Array,
  w: Float64Array,
  d: number,
  o: NewtonOptions = {},
): { theta: Float64Array; report: FitReport } {
  const l2 = o.l2 ?? 0,
    maxIter = o.maxIter ?? 100,
    tol = o.tol ?? 1e-12;
  const n = p.length;
  let W = 0;
  for (let i = 0; i < n; i++) W += w[i];
  const theta = new Float64Array(d);
  const H = new Float64Array(d * d);
  let it = 0,
    last = btLossOnDifferences(theta, D, p, w, l2);
  for (; it < maxIter; it++) {
    const gmax = last.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (gmax < tol) break;
    H.fill(0);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += theta[k] * D[i * d + k];
      const s = sigmoid(z),
        h = (w[i] / W) * s * (1 - s);
      if (h === 0) continue;
      for (let a = 0; a < d; a++) {
        const da = D[i * d + a];
        if (da === 0) continue;
        for (let b = 0; b < d; b++) H[a * d + b] += h * da * D[i * d + b];
      }
    }
    for (let k = 0; k < d; k++) H[k * d + k] += l2 + 1e-12;
    const step = solveSPD(
      H,
      Float64Array.from(last.grad),
      d,
      'fitBTOnDifferences: Newton system (add a ridge, l2 > 0)',
    );
    let t = 1;
    const trial = new Float64Array(d);
    let next = last;
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < d; j++) trial[j] = theta[j] - t * step[j];
      next = btLossOnDifferences(trial, D, p, w, l2);
      if (next.loss <= last.loss + 1e-15) break;
      t *= 0.5;
    }
    theta.set(trial);
    last = next;
  }
  const gradNorm = last.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return { theta, report: { iterations: it, gradNorm, loss: last.loss, converged: gradNorm < Math.max(tol, 1e-9) } };
}

/** Feature differences φ(x, a) − φ(x, b) of a comparison set (n × d). */
export function featureDifferences(c: Comparisons, features: Float64Array, d: number, nY: number): Float64Array {
  const D = new Float64Array(c.n * d);
  for (let i = 0; i < c.n; i++) {
    const ia = (c.x[i] * nY + c.a[i]) * d,
      ib = (c.x[i] * nY + c.b[i]) * d;
    for (let k = 0; k < d; k++) D[i * d + k] = features[ia + k] - features[ib + k];
  }
  return D;
}

/** Linear BT reward model r(x, y) = θ·φ(x, y), fitted by Newton; returns θ and the reward table. */
export function fitBTLinear(
  c: Comparisons,
  features: Float64Array,
  d: number,
  shape: TableShape,
  o: NewtonOptions = {},
): { theta: Float64Array; reward: Float64Array; report: FitReport } {
  checkComparisons(c, shape, 'fitBTLinear');
  const D = featureDifferences(c, features, d, shape.nY);
  const { theta, report } = fitBTOnDifferences(D, c.p, c.w, d, o);
  const reward = new Float64Array(shape.nX * shape.nY);
  for (let i = 0; i < reward.length; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += theta[k] * features[i * d + k];
    reward[i] = s;
  }
  return { theta, reward, report };
}

/**
 * Tabular BT fit with a ridge, by plain Newton steps: per context, r minimises
 * Σ w·CE(p, σ(r_a − r_b)) + (l2/2)·‖r‖² (the summed, not mean, weighted loss; Newton's method without
 * line search to a gradient max-norm of 1e-10, at most 200 steps). With l2 > 0 the solution is unique
 * and has mean 0 in each context; with noiseless data from a BT model and l2 → 0 it recovers r up to
 * a constant.
 */
export function fitBTTabularRidge(nX: number, nY: number, c: Comparisons, l2 = 1e-6): Float64Array {
  if (!(l2 > 0)) throw new RangeError(`fitBTTabularRidge: l2 must be > 0 (it fixes the additive constant), got ${l2}`);
  const byX: number[][] = Array.from({ length: nX }, () => []);
  for (let k = 0; k < c.n; k++) {
    if (c.x[k] < 0 || c.x[k] >= nX)
      throw new RangeError(`fitBTTabularRidge: comparison ${k} has context ${c.x[k]} outside [0, ${nX})`);
    byX[c.x[k]].push(k);
  }
  const r = new Float64Array(nX * nY);
  const H = new Float64Array(nY * nY);
  const gr = new Float64Array(nY);
  for (let x = 0; x < nX; x++) {
    const rx = r.subarray(x * nY, (x + 1) * nY);
    for (let it = 0; it < 200; it++) {
      H.fill(0);
      for (let a = 0; a < nY; a++) {
        gr[a] = l2 * rx[a];
        H[a * nY + a] = l2;
      }
      for (const k of byX[x]) {
        const i = c.a[k],
          j = c.b[k];
        if (i === j) continue;
        const s = sigmoid(rx[i] - rx[j]);
        const gk = c.w[k] * (s - c.p[k]);
        gr[i] += gk;
        gr[j] -= gk;
        const h = c.w[k] * s * (1 - s);
        H[i * nY + i] += h;
        H[j * nY + j] += h;
        H[i * nY + j] -= h;
        H[j * nY + i] -= h;
      }
      let gn = 0;
      for (let a = 0; a < nY; a++) gn = Math.max(gn, Math.abs(gr[a]));
      if (gn < 1e-10) break;
      const step = solveSPD(H, Float64Array.from(gr), nY, `fitBTTabularRidge: Newton system of context ${x}`);
      for (let a = 0; a < nY; a++) rx[a] -= step[a];
    }
  }
  return r;
}
