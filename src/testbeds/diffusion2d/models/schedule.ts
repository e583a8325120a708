/**
 * DDPM noise schedules (Ho et al. 2020, §2 and §4; cosine: Nichol & Dhariwal 2021, eq. 17) for a small number of
 * steps T. Arrays are indexed by t = 0…T (index 0 holds ᾱ_0 = 1, β_0 = 0): q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t)I),
 * ᾱ_t = Π_{s ≤ t} (1 − β_s).
 *
 * Reverse-step variance σ_t²: `posterior` uses β̃_t = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t) (Ho et al. eq. 7) for t ≥ 2 and β_1
 * at t = 1 (β̃_1 = 0 would make the last transition deterministic and its log-probability undefined; β_1 is the
 * variance of x_0 given x_1 for broad data); `beta` uses σ_t² = β_t at every step (Ho et al. §3.2, the other choice).
 */
export type DdpmScheduleKind = 'linear' | 'cosine';
export type DdpmVariance = 'posterior' | 'beta';

export interface DdpmScheduleSpec {
  T: number;
  kind: DdpmScheduleKind;
  /** Linear schedule: β_1 and β_T. */
  betaMin?: number;
  betaMax?: number;
  variance?: DdpmVariance;
}

export interface DdpmSchedule {
  spec: Required<DdpmScheduleSpec>;
  T: number;
  beta: Float64Array;
  alpha: Float64Array;
  alphaBar: Float64Array;
  /** Reverse-step variance σ_t² (index 0 unused). */
  sigma2: Float64Array;
}

/** T = 20 cosine schedule (β clipped at 0.999), posterior variance: the testbed's default. */
export const DDPM_DEFAULT_SCHEDULE: DdpmScheduleSpec = { T: 20, kind: 'cosine', variance: 'posterior' };

export function ddpmSchedule(spec: DdpmScheduleSpec = DDPM_DEFAULT_SCHEDULE): DdpmSchedule {
  const T = spec.T;
  if (!Number.isInteger(T) || T < 2)
    throw new RangeError(`diffusion2d.ddpmSchedule: T must be an integer ≥ 2, got ${T}`);
  const full: Required<DdpmScheduleSpec> = {
    T,
    kind: spec.kind,
    betaMin: spec.betaMin ?? 0.01,
    betaMax: spec.betaMax ?? 0.5,
    variance: spec.variance ?? 'posterior',
  };
  const beta = new Float64Array(T + 1),
    alpha = new Float64Array(T + 1),
    alphaBar = new Float64Array(T + 1),
    sigma2 = new Float64Array(T + 1);
  alpha[0] = alphaBar[0] = 1;
  if (full.kind === 'linear') {
    for (let t = 1; t <= T; t++) beta[t] = full.betaMin + ((full.betaMax - full.betaMin) * (t - 1)) / (T - 1);
  } else {
    const s = 0.008;
    const f = (t: number) => Math.cos((((t / T + s) / (1 + s)) * Math.PI) / 2) ** 2;
    for (let t = 1; t <= T; t++) beta[t] = Math.min(1 - f(t) / f(t - 1), 0.999);
  }
  for (let t = 1; t <= T; t++) {
    if (!(beta[t] > 0 && beta[t] < 1)) throw new RangeError(`diffusion2d.ddpmSchedule: β_${t} = ${beta[t]} ∉ (0, 1)`);
    alpha[t] = 1 - beta[t];
    alphaBar[t] = alphaBar[t - 1] * alpha[t];
  }
  for (let t = 1; t <= T; t++)
    sigma2[t] = full.variance === 'beta' || t === 1 ? beta[t] : (beta[t] * (1 - alphaBar[t - 1])) / (1 - alphaBar[t]);
  return { spec: full, T, beta, alpha, alphaBar, sigma2 };
}

/** x_t = a·x_0 + s·ε at step t: a = √ᾱ_t, s = √(1 − ᾱ_t). */
export function ddpmNoiseLevel(sched: DdpmSchedule, t: number): { a: number; s: number } {
  return { a: Math.sqrt(sched.alphaBar[t]), s: Math.sqrt(1 - sched.alphaBar[t]) };
}
