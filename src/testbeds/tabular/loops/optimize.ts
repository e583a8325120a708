/**
 * The optimisers of the tabular testbed, over Float64Array parameters: two for the maximum-likelihood
 * fits (reward weights, tabular reward models, tabular softmax policies), and RMSprop for the
 * stochastic policy-gradient learners (`loops/learners.ts`, `methods/barfi.ts`).
 *
 * - `adam`: Adam (Kingma & Ba 2015), full batch, optionally returning the best iterate seen (as the
 *   authors' code of Knox et al. 2024 does: it trains with Adam and keeps the lowest-loss weights).
 * - `lbfgs`: limited-memory BFGS (Nocedal & Wright 2006, Alg. 7.4/7.5) with a backtracking Armijo line
 *   search, for optimising smooth losses to convergence.
 *
 * An objective is `f(x, grad) → loss` and writes ∂loss/∂x into grad.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface AdamOptions {
  lr: number;
  steps: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Return the lowest-loss iterate seen instead of the last one (default true). */
  keepBest?: boolean;
  /** Multiply the learning rate by this factor each step (default 1). */
  lrDecay?: number;
}

export interface OptimResult {
  x: Float64Array;
  loss: number;
  steps: number;
  /** ‖∇loss(x)‖∞ at the returned x (lbfgs) or at the last evaluation (adam). */
  gradNorm: number;
  converged: boolean;
}

function infNorm(g: Float64Array): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) {
    const v = Math.abs(g[i]);
    if (v > m) m = v;
  }
  return m;
}

export function adam(f: Objective, x0: Float64Array, o: AdamOptions): OptimResult {
  const n = x0.length;
  const b1 = o.beta1 ?? 0.9,
    b2 = o.beta2 ?? 0.999,
    eps = o.eps ?? 1e-8;
  const keepBest = o.keepBest ?? true;
  const decay = o.lrDecay ?? 1;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const m = new Float64Array(n),
    v = new Float64Array(n);
  let best = Float64Array.from(x0);
  let bestLoss = Infinity;
  let lr = o.lr;
  let b1t = 1,
    b2t = 1;
  let gn = Infinity;
  let loss = Infinity;
  for (let t = 0; t < o.steps; t++) {
    loss = f(x, g);
    gn = infNorm(g);
    if (!Number.isFinite(loss)) break;
    if (loss < bestLoss) {
      bestLoss = loss;
      best.set(x);
    }
    b1t *= b1;
    b2t *= b2;
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      x[i] -= (lr * (m[i] / (1 - b1t))) / (Math.sqrt(v[i] / (1 - b2t)) + eps);
    }
    lr *= decay;
  }
  const last = f(x, g);
  if (Number.isFinite(last) && last < bestLoss) {
    bestLoss = last;
    best = Float64Array.from(x);
    gn = infNorm(g);
  }
  if (!keepBest) return { x, loss: last, steps: o.steps, gradNorm: infNorm(g), converged: false };
  return { x: best, loss: bestLoss, steps: o.steps, gradNorm: gn, converged: false };
}

export interface LbfgsOptions {
  /** History size (default 10). */
  memory?: number;
  maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ gtol (default 1e-9). */
  gtol?: number;
  /** Stop when the loss decreases by less than ftol·(1 + |f|) in an iteration (default 0: off). */
  ftol?: number;
}

export function lbfgs(f: Objective, x0: Float64Array, o: LbfgsOptions = {}): OptimResult {
  const n = x0.length;
  const mem = o.memory ?? 10;
  const maxIt = o.maxIterations ?? 10_000;
  const gtol = o.gtol ?? 1e-9;
  const ftol = o.ftol ?? 0;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [],
    Y: Float64Array[] = [],
    RHO: number[] = [];
  const d = new Float64Array(n),
    alpha = new Float64Array(mem);
  let xn = new Float64Array(n),
    gn = new Float64Array(n);
  let it = 0;
  let converged = infNorm(g) <= gtol;
  for (; it < maxIt && !converged; it++) {
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * d[i];
      a *= RHO[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[k][i];
    }
    if (S.length > 0) {
      const k = S.length - 1;
      let sy = 0,
        yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[k][i] * Y[k][i];
        yy += Y[k][i] * Y[k][i];
      }
      const h = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= h;
    } else {
      const gi = infNorm(g);
      if (gi > 0) for (let i = 0; i < n; i++) d[i] /= Math.max(1, gi);
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * d[i];
      b *= RHO[k];
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      RHO.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = 0;
      for (let i = 0; i < n; i++) slope += g[i] * d[i];
    }
    // Backtracking Armijo line search.
    let step = 1;
    let fn = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * d[i];
      fn = f(xn, gn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n),
      y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-300) {
      if (S.length === mem) {
        S.shift();
        Y.shift();
        RHO.shift();
      }
      S.push(s);
      Y.push(y);
      RHO.push(1 / sy);
    }
    const df = fx - fn;
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    fx = fn;
    if (infNorm(g) <= gtol) {
      converged = true;
      it++;
      break;
    }
    if (ftol > 0 && df <= ftol * (1 + Math.abs(fx))) {
      it++;
      break;
    }
  }
  return { x, loss: fx, steps: it, gradNorm: infNorm(g), converged: converged || infNorm(g) <= gtol };
}

/**
 * RMSprop (Tieleman & Hinton 2012; the PyTorch defaults α = 0.99, ε = 1e-8):
 * v ← α v + (1−α) g²,  p ← p ± lr · g / (√v + ε). `ascend` (default true) climbs the gradient.
 */
export class RmsProp {
  readonly v: Float64Array;
  constructor(
    n: number,
    readonly lr: number,
    readonly decay = 0.99,
    readonly eps = 1e-8,
  ) {
    if (!(lr > 0)) throw new RangeError(`RmsProp: learning rate must be positive, got ${lr}`);
    this.v = new Float64Array(n);
  }
  step(params: Float64Array, grad: Float64Array, ascend = true): void {
    if (params.length !== this.v.length || grad.length !== this.v.length)
      throw new RangeError(
        `RmsProp.step: expected ${this.v.length} parameters and gradients, got ${params.length} and ${grad.length}`,
      );
    const sgn = ascend ? 1 : -1;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      this.v[i] = this.decay * this.v[i] + (1 - this.decay) * g * g;
      params[i] += (sgn * this.lr * g) / (Math.sqrt(this.v[i]) + this.eps);
    }
  }
}
