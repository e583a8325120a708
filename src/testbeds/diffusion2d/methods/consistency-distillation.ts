/**
 * Consistency distillation (CD) from the exact probability-flow ODE of a Gaussian mixture (Song, Dhariwal, Chen &
 * Sutskever 2023, "Consistency Models", arXiv 2303.01469, §4 and Algorithm 2), on the plane, with EDM's ODE and
 * time variable (models/edm.ts: x = y + t·n, dx/dt = (x − D(x; t))/t, t = σ ∈ [ε, T]).
 *
 * Model (the paper's skip-connection parameterisation, §3, with the EDM-style c_skip, c_out of its appendix):
 * f_θ(x, t) = c_skip(t)·x + c_out(t)·F_θ(x, t) with
 *   c_skip(t) = σ_d²/((t − ε)² + σ_d²),   c_out(t) = σ_d(t − ε)/√(σ_d² + t²),
 * so that f_θ(x, ε) = x exactly (the boundary condition); F_θ is a ReLU MLP of the testbed's engine (src/nn
 * Mlp) on [c_in(t)·x, c_noise(t), sin/cos(2^j π c_noise(t)/4)] with EDM's c_in = 1/√(t² + σ_d²), c_noise = ¼ ln t.
 *
 * Training (Algorithm 2, the squared ℓ2 metric d and λ(t_n) = 1): the N levels ε = t_1 < … < t_N = T of EDM's
 * schedule (ρ = 7, Karras et al. Table 1, read upward); per example y ~ p_data (exact samples), n ~ U{1, …, N − 1},
 * z ~ N(0, I), x_{t_{n+1}} = y + t_{n+1}z, one Heun step of the exact ODE (the exact denoiser, models/edm.ts
 * `edmHeunStep` with `gmmEdmDenoiser`) gives x̂_{t_n}; the loss is
 *   L_CD^N(θ, θ⁻) = E ‖f_θ(x_{t_{n+1}}, t_{n+1}) − f_θ⁻(x̂_{t_n}, t_n)‖²   (the CD objective of §4),
 * one Adam step on θ, then the target θ⁻ ← stopgrad(μθ⁻ + (1 − μ)θ) (the EMA target of §4; θ⁻ starts at θ).
 * The paper's CIFAR-10 CD uses N = 18 and μ = 0.95 (as recalled, not re-read here); those are the defaults.
 *
 * The exact consistency function it distils (`edmExactConsistency`, Heun from t to ε on the exact denoiser) is the
 * one methods/rlcm.ts calls the ideal limit of distillation (`exactConsistency`, on the rectified-flow path): the two
 * paths carry the same ODE, x_RF(τ) = (1 − τ)·x_EDM(t) with τ = t/(1 + t), so f_EDM(x, t) = f_RF(x/(1 + t), t/(1 + t))
 * up to the end point ε vs 0 (`edmToFlowTime`; checked in the tests).
 */
import { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import { gmmSample, type Gmm2d } from '../env/gmm';
import { edmHeunStep, edmSigmas, gmmEdmDenoiser, type EdmDenoiserFn } from '../models/edm';

export interface CdModelShape {
  hidden: number[];
  /** Sinusoid frequencies of the noise embedding. */
  frequencies: number;
  /** σ_d, the data's standard deviation (per coordinate) in c_skip, c_out, c_in. */
  sigmaData: number;
  /** ε: the boundary time, f(x, ε) = x. */
  epsilon: number;
}

/** c_skip(t), c_out(t) of the consistency parameterisation (Song et al., EDM-style, σ_d the data scale). */
export function cdSkipOut(t: number, s: CdModelShape): { cSkip: number; cOut: number } {
  const sd2 = s.sigmaData * s.sigmaData,
    u = t - s.epsilon;
  return { cSkip: sd2 / (u * u + sd2), cOut: (s.sigmaData * u) / Math.sqrt(sd2 + t * t) };
}

/** f_θ(x, t) = c_skip(t)x + c_out(t)F_θ(x, t): a consistency model on EDM's time. */
export class EdmConsistencyMlp {
  readonly shape: CdModelShape;
  readonly mlp: AnyMlp;
  private last: { cOut: Float64Array } | null = null;

  constructor(shape: CdModelShape, rng: Rng) {
    this.shape = { ...shape, hidden: [...shape.hidden] };
    this.mlp = mlpOn('diffusion2d.consistency-distillation', [3 + 2 * shape.frequencies, ...shape.hidden, 2], rng);
  }

  /** Input rows [c_in x, c_noise, sin/cos(2^j π c_noise/4)] for N points with times t (one per row or one). */
  features(x: ArrayLike<number>, t: Float64Array | number, N: number): Float32Array {
    const E = this.shape.frequencies,
      D = 3 + 2 * E,
      sd2 = this.shape.sigmaData ** 2;
    const f = new Float32Array(N * D);
    for (let n = 0; n < N; n++) {
      const tn = typeof t === 'number' ? t : t[n];
      const cIn = 1 / Math.sqrt(tn * tn + sd2),
        cNoise = 0.25 * Math.log(tn);
      const o = n * D;
      f[o] = cIn * x[2 * n];
      f[o + 1] = cIn * x[2 * n + 1];
      f[o + 2] = cNoise;
      for (let j = 0; j < E; j++) {
        const w = (Math.PI * 2 ** j * cNoise) / 4;
        f[o + 3 + 2 * j] = Math.sin(w);
        f[o + 4 + 2 * j] = Math.cos(w);
      }
    }
    return f;
  }

  /** f_θ (2N) at N points x with times t; keeps the activations for `backward`. */
  predict(x: ArrayLike<number>, t: Float64Array | number, N: number): Float64Array {
    const F = this.mlp.forward(this.features(x, t, N), N);
    const out = new Float64Array(2 * N),
      cOut = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      const { cSkip, cOut: co } = cdSkipOut(typeof t === 'number' ? t : t[n], this.shape);
      cOut[n] = co;
      out[2 * n] = cSkip * x[2 * n] + co * F[2 * n];
      out[2 * n + 1] = cSkip * x[2 * n + 1] + co * F[2 * n + 1];
    }
    this.last = { cOut };
    return out;
  }

  /** Accumulates the parameter gradient for ∂loss/∂f_θ = dF (2N) of the last `predict` (∂f/∂F = c_out). */
  backward(dF: ArrayLike<number>): void {
    if (!this.last) throw new Error('diffusion2d.EdmConsistencyMlp.backward: call predict first');
    const c = this.last.cOut;
    const g = new Float32Array(dF.length);
    for (let i = 0; i < dF.length; i++) g[i] = dF[i] * c[i >> 1];
    this.mlp.backward(g);
  }

  clone(): EdmConsistencyMlp {
    const m = new EdmConsistencyMlp(this.shape, new Rng(0));
    m.mlp.params.f.set(this.mlp.params.f);
    return m;
  }
}

/** The N levels ε = t_1 < … < t_N = T of CD's time grid (EDM's schedule with ρ, increasing). */
export function cdTimes(N: number, epsilon: number, T: number, rho = 7): Float64Array {
  const s = edmSigmas({ steps: N, sigmaMin: epsilon, sigmaMax: T, rho });
  return Float64Array.from({ length: N }, (_, i) => s[N - 1 - i]);
}

/** The exact consistency function on EDM's path: Heun on the exact ODE from t down to ε (`steps` levels, ρ = 7). */
export function edmExactConsistency(
  D: EdmDenoiserFn,
  epsilon: number,
  steps = 64,
): (x: Float64Array, t: number, N: number) => Float64Array {
  return (x, t, N) => {
    if (t <= epsilon) return Float64Array.from(x);
    const s = edmSigmas({ steps, sigmaMin: epsilon, sigmaMax: t });
    let y = Float64Array.from(x);
    for (let i = 0; i + 1 < steps; i++) y = edmHeunStep(D, y, s[i], s[i + 1], N);
    return y;
  };
}

/** The rectified-flow point and time of an EDM point: x_RF = x/(1 + t), τ = t/(1 + t). */
export function edmToFlowTime(x: Float64Array, t: number): { x: Float64Array; tau: number } {
  return { x: x.map((v) => v / (1 + t)), tau: t / (1 + t) };
}

export interface CdConfig {
  shape: CdModelShape;
  /** T, the largest time, and N, the number of levels. */
  tMax: number;
  levels: number;
  rho: number;
  /** EMA decay μ of the target network. */
  emaDecay: number;
  steps: number;
  batch: number;
  lr: number;
}

export const CD_DEFAULTS: CdConfig = {
  shape: { hidden: [64, 64, 64], frequencies: 4, sigmaData: 2.15, epsilon: 0.002 },
  tMax: 80,
  levels: 18,
  rho: 7,
  emaDecay: 0.95,
  steps: 1500,
  batch: 128,
  lr: 1e-3,
};

export interface CdStepStats {
  loss: number;
  gradNorm: number;
}

/** A consistency-distillation run: the online model f_θ, its EMA target f_θ⁻, and one-step training. */
export class ConsistencyDistillation {
  readonly config: CdConfig;
  readonly model: EdmConsistencyMlp;
  readonly target: EdmConsistencyMlp;
  readonly times: Float64Array;
  readonly denoiser: EdmDenoiserFn;
  private readonly g: Gmm2d;
  private readonly opt: Adam;
  stepCount = 0;

  constructor(g: Gmm2d, config: CdConfig, rng: Rng) {
    this.config = config;
    this.g = g;
    this.model = new EdmConsistencyMlp(config.shape, rng.split('init'));
    this.target = this.model.clone();
    this.times = cdTimes(config.levels, config.shape.epsilon, config.tMax, config.rho);
    this.denoiser = gmmEdmDenoiser(g);
    this.opt = new Adam(this.model.mlp.size, { lr: config.lr });
  }

  /** One step of Algorithm 2: a batch, the exact Heun step, the CD loss L_CD^N, Adam, the EMA update. */
  step(rng: Rng): CdStepStats {
    const B = this.config.batch,
      Nl = this.config.levels,
      ts = this.times;
    const y = gmmSample(this.g, B, rng.split('y')).x;
    const z = rng.split('z').normals(2 * B);
    const pick = rng.split('n');
    const n = Int32Array.from({ length: B }, () => pick.int(Nl - 1)); // 0-based n: levels t_n < t_{n+1}
    const xNext = new Float64Array(2 * B),
      xHat = new Float64Array(2 * B),
      tNext = new Float64Array(B),
      tCur = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      tNext[i] = ts[n[i] + 1];
      tCur[i] = ts[n[i]];
      xNext[2 * i] = y[2 * i] + tNext[i] * z[2 * i];
      xNext[2 * i + 1] = y[2 * i + 1] + tNext[i] * z[2 * i + 1];
    }
    // the exact ODE's Heun step from t_{n+1} to t_n, level by level
    for (let k = 0; k + 1 < Nl; k++) {
      const rows: number[] = [];
      for (let i = 0; i < B; i++) if (n[i] === k) rows.push(i);
      if (rows.length === 0) continue;
      const xs = new Float64Array(2 * rows.length);
      rows.forEach((r, j) => {
        xs[2 * j] = xNext[2 * r];
        xs[2 * j + 1] = xNext[2 * r + 1];
      });
      const h = edmHeunStep(this.denoiser, xs, ts[k + 1], ts[k], rows.length);
      rows.forEach((r, j) => {
        xHat[2 * r] = h[2 * j];
        xHat[2 * r + 1] = h[2 * j + 1];
      });
    }
    const fTarget = this.target.predict(xHat, tCur, B);
    this.model.mlp.zeroGrad();
    const f = this.model.predict(xNext, tNext, B);
    const dF = new Float64Array(2 * B);
    let loss = 0;
    for (let i = 0; i < 2 * B; i++) {
      const d = f[i] - fTarget[i];
      loss += (d * d) / B;
      dF[i] = (2 * d) / B;
    }
    this.model.backward(dF);
    const gradNorm = this.opt.step(this.model.mlp.params.f, this.model.mlp.grads.f);
    const mu = this.config.emaDecay,
      p = this.model.mlp.params.f,
      q = this.target.mlp.params.f;
    for (let i = 0; i < q.length; i++) q[i] = mu * q[i] + (1 - mu) * p[i];
    this.stepCount++;
    return { loss, gradNorm };
  }

  /** `steps` training steps (rng split per step). */
  train(steps: number, rng: Rng): CdStepStats[] {
    const out: CdStepStats[] = [];
    for (let s = 0; s < steps; s++) out.push(this.step(rng.split(this.stepCount)));
    return out;
  }
}

/**
 * Multistep consistency sampling (Song et al. Algorithm 1): x = f(T·z, T), then for each later time τ of `times`
 * (decreasing, in (ε, T)) re-noise x̂ = x + √(τ² − ε²)·z and map back, x = f(x̂, τ). One evaluation per time.
 */
export function cdSample(
  f: (x: Float64Array, t: number, N: number) => Float64Array,
  times: readonly number[],
  epsilon: number,
  N: number,
  rng: Rng,
): Float64Array {
  let x = f(rng.split('z0').normals(2 * N, 0, times[0]), times[0], N);
  for (let k = 1; k < times.length; k++) {
    const c = Math.sqrt(times[k] ** 2 - epsilon ** 2);
    const z = rng.split(`z${k}`).normals(2 * N);
    const xh = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) xh[i] = x[i] + c * z[i];
    x = f(xh, times[k], N);
  }
  return x;
}
