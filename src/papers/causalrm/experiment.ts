/**
 * The CausalRM miniature (Wang et al. 2026, "CausalRM: Causal-Theoretic Reward Modeling for RLHF from
 * Observational User Feedbacks"), one seed = one pool + one feedback log + every method.
 *
 * World: responses are feature vectors x ~ N(0, I_d); the gold utility is
 *   u(x) = s·(w·x + γ·((v·x)² − 1)/√2)   (w, v random unit vectors; the quadratic part makes the linear reward
 * model misspecified, as an MLP head on frozen LLM embeddings is for a human label). True preference
 * y ~ Bernoulli(σ(u)). Observational feedback (data/observational-feedback.ts, the code's simulator):
 * propensity α^(5 − L(u)) scaled to a 20% observation rate, flips ρ10 = P(ỹ=1|y=0), ρ01 = P(ỹ=0|y=1).
 * Reward models (all linear-logistic f_θ(x) = θ·x + b, Newton to convergence, same data, no tuning):
 * naive BCE on observed feedback; noise-aware only; IPS only; CausalRM (noise-aware + IPS); CausalRM with the
 * true ρ and true propensities (reference); oracle (BCE on the clean labels of the whole pool).
 * Propensity model p̂: logistic fit of o on x over the pool; noise rates by the code's anchor quantile rule.
 * Evaluation on a fresh uniform test pool with clean labels: cross-entropy (the "primal loss"), AUROC,
 * Pearson correlation with u; downstream on nX prompts × nY candidate responses: exact best-of-n gold utility
 * (π_ref uniform) and the gold utility of the exact KL-optimal policy π ∝ π_ref·exp(f/β).
 * Task entry point: `runSeed(config, seed)` ('papers/causalrm/experiment#runSeed').
 *
 * Record keys: `<method>/testCE`, `/auc`, `/corr`, `/bon`, `/klopt`, `/fitGrad`; `gold/bon`, `gold/klopt`,
 * `ref/value`; `data/observed`, `/obsUtilityShift`, `/labelErrorRate`, `/rho10Hat`, `/rho01Hat`,
 * `/propensityCorr`, `identity/noiseAwareMaxDev`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricsFor } from '../../core/metric-keys';
import { sigmoid } from '../../math';
import { sampleObservationalFeedback } from '../../testbeds/preference/data/observational-feedback';
import {
  estimateNoiseRates,
  fitNoiseAwareIps,
  ipsWeights,
  linearLogits,
  logisticLoss,
  noiseAwareLoss,
} from '../../testbeds/preference/methods/noise-aware-ips';
import { fitBTOnDifferences } from '../../testbeds/preference/methods/bradley-terry';
import { bestOfNTable } from '../../testbeds/preference/solvers/best-of-n';
import { klRegularisedOptimum } from '../../testbeds/preference/solvers/kl-optimum';
import { uniformTabularPolicy } from '../../testbeds/preference/policies/tabular-policy';

export interface Config {
  /** Feature dimension. */
  d: number;
  /** Responses in the training pool (feedback is observed on about observationRate of them). */
  poolSize: number;
  /** Responses in the uniform test pool (clean labels). */
  testSize: number;
  /** Utility scale s (logit scale of the true preference). */
  utilityScale: number;
  /** Weight γ of the quadratic (misspecified) part of the utility. */
  quadratic: number;
  /** Selection strength α of the propensity α^(5 − L(u)) (smaller = stronger bias). */
  alpha: number;
  /** Mean propensity (the code's target observation rate). */
  observationRate: number;
  /** ρ10 = P(ỹ = 1 | y = 0). */
  rho10: number;
  /** ρ01 = P(ỹ = 0 | y = 1). */
  rho01: number;
  /** Lower clip of the estimated propensity in the IPS weights (code default). */
  clipMin: number;
  /** Anchor quantile of the noise-rate estimator (code default). */
  quant: number;
  /** Ridge of every fit. */
  l2: number;
  /** Downstream: prompts × candidate responses per prompt. */
  nX: number;
  nY: number;
  /** Best-of-n sample size. */
  bonN: number;
  /** KL coefficient β of the downstream KL-optimal policy. */
  beta: number;
}

export const DEFAULTS: Config = {
  d: 16,
  poolSize: 20000,
  testSize: 20000,
  utilityScale: 3,
  quadratic: 0.5,
  alpha: 0.2,
  observationRate: 0.2,
  rho10: 0.2,
  rho01: 0.1,
  clipMin: 0.1,
  quant: 0.97,
  l2: 1e-6,
  nX: 200,
  nY: 16,
  bonN: 16,
  beta: 1,
};

export const METHODS = ['naive', 'noise-aware', 'ips', 'causalrm', 'causalrm-true', 'oracle'] as const;

function unit(rng: Rng, d: number): Float64Array {
  const v = rng.normals(d);
  const n = Math.hypot(...v);
  return v.map((a) => a / n);
}

/** The gold utility of each row of X. */
export function goldUtility(X: Float64Array, d: number, w: Float64Array, v: Float64Array, c: Config): Float64Array {
  const n = X.length / d,
    u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0,
      b = 0;
    for (let k = 0; k < d; k++) {
      a += w[k] * X[i * d + k];
      b += v[k] * X[i * d + k];
    }
    u[i] = c.utilityScale * (a + (c.quadratic * (b * b - 1)) / Math.SQRT2);
  }
  return u;
}

/** AUROC of scores against binary labels (ties count half). */
export function auroc(score: Float64Array, label: Uint8Array): number {
  const idx = Array.from(score, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0,
    neg = 0,
    sumRanks = 0;
  for (let r = 0; r < idx.length;) {
    let e = r;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[r]]) e++;
    const mid = (r + e) / 2 + 1;
    for (let j = r; j <= e; j++) if (label[idx[j]]) sumRanks += mid;
    r = e + 1;
  }
  for (const l of label) l ? pos++ : neg++;
  return (sumRanks - (pos * (pos + 1)) / 2) / (pos * neg);
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config,
    d = c.d;
  const rng = new Rng(seed).split('causalrm');
  const w = unit(rng.split('w'), d),
    v = unit(rng.split('v'), d);
  const Xpool = rng.split('pool').normals(c.poolSize * d);
  const Xtest = rng.split('test').normals(c.testSize * d);
  const upool = goldUtility(Xpool, d, w, v, c),
    utest = goldUtility(Xtest, d, w, v, c);
  const fb = sampleObservationalFeedback(rng.split('feedback'), upool, c);
  const rt = rng.split('test-labels');
  const ytest = new Uint8Array(c.testSize);
  for (let i = 0; i < c.testSize; i++) ytest[i] = rt.uniform() < sigmoid(utest[i]) ? 1 : 0;

  // Propensity model: logistic regression of o on x over the pool.
  const n = c.poolSize,
    dd = d + 1;
  const R = new Float64Array(n * dd);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) R[i * dd + k] = Xpool[i * d + k];
    R[i * dd + d] = 1;
  }
  const oLabel = Float64Array.from(fb.observed);
  const prop = fitBTOnDifferences(R, oLabel, new Float64Array(n).fill(1), dd, { l2: c.l2, tol: 1e-10 });
  const pHat = linearLogits(prop.theta, Xpool, d).map(sigmoid);
  const ones = new Float64Array(n);
  for (let i = 0; i < n; i++) ones[i] = fb.observed[i];
  const wIps = ipsWeights(fb.observed, pHat, c.clipMin);
  const wTrue = ipsWeights(fb.observed, fb.propensity, 1e-12);
  // Noise-prediction model = the naive fit; anchor-quantile noise rates over the pool.
  const naive = fitNoiseAwareIps({ X: Xpool, d, y: fb.noisy, w: ones }, 0, 0, c.l2);
  const rhoHat = estimateNoiseRates(linearLogits(naive.theta, Xpool, d), c.quant);
  const fits: Record<string, { theta: Float64Array; report: { gradNorm: number } }> = {
    naive,
    'noise-aware': fitNoiseAwareIps({ X: Xpool, d, y: fb.noisy, w: ones }, rhoHat.rho10, rhoHat.rho01, c.l2),
    ips: fitNoiseAwareIps({ X: Xpool, d, y: fb.noisy, w: wIps }, 0, 0, c.l2),
    causalrm: fitNoiseAwareIps({ X: Xpool, d, y: fb.noisy, w: wIps }, rhoHat.rho10, rhoHat.rho01, c.l2),
    'causalrm-true': fitNoiseAwareIps({ X: Xpool, d, y: fb.noisy, w: wTrue }, c.rho10, c.rho01, c.l2),
    oracle: fitNoiseAwareIps({ X: Xpool, d, y: fb.clean, w: new Float64Array(n).fill(1) }, 0, 0, c.l2),
  };

  // Downstream pools.
  const Xds = rng.split('downstream').normals(c.nX * c.nY * d);
  const uds = goldUtility(Xds, d, w, v, c);
  const ref = uniformTabularPolicy(c.nX, c.nY);
  const klValue = (r: Float64Array) => {
    const pi = klRegularisedOptimum(ref, r, c.beta);
    let s = 0;
    for (let i = 0; i < r.length; i++) s += pi.probs[i] * uds[i];
    return s / c.nX;
  };
  const metrics: Record<string, number> = {};
  for (const m of METHODS) {
    const th = fits[m].theta;
    const ft = linearLogits(th, Xtest, d);
    let ce = 0;
    for (let i = 0; i < c.testSize; i++) ce += logisticLoss(ft[i], ytest[i]) / c.testSize;
    const fds = linearLogits(th, Xds, d);
    Object.assign(
      metrics,
      metricsFor(m, {
        testCE: ce,
        auc: auroc(ft, ytest),
        corr: pearson(ft, utest),
        bon: bestOfNTable(ref.probs, fds, uds, c.nX, c.nY, c.bonN),
        klopt: klValue(fds),
        fitGrad: fits[m].report.gradNorm,
      }),
    );
  }
  let refValue = 0;
  for (let i = 0; i < uds.length; i++) refValue += uds[i] / uds.length;
  Object.assign(
    metrics,
    metricsFor('gold', { bon: bestOfNTable(ref.probs, uds, uds, c.nX, c.nY, c.bonN), klopt: klValue(uds) }),
  );
  Object.assign(metrics, metricsFor('ref', { value: refValue }));

  // Data diagnostics (premises of the setting) and the surrogate identity at the fitted CausalRM logits.
  let nObs = 0,
    uObs = 0,
    uAll = 0,
    wrong = 0;
  for (let i = 0; i < n; i++) {
    uAll += upool[i] / n;
    if (!fb.observed[i]) continue;
    nObs++;
    uObs += upool[i];
    if (fb.noisy[i] !== fb.clean[i]) wrong++;
  }
  const fC = linearLogits(fits.causalrm.theta, Xpool, d);
  let maxDev = 0;
  for (let i = 0; i < n; i++) {
    const y = fb.clean[i];
    const pFlip = y === 1 ? rhoHat.rho01 : rhoHat.rho10;
    const e =
      (1 - pFlip) * noiseAwareLoss(fC[i], y, rhoHat.rho10, rhoHat.rho01).loss +
      pFlip * noiseAwareLoss(fC[i], 1 - y, rhoHat.rho10, rhoHat.rho01).loss;
    maxDev = Math.max(maxDev, Math.abs(e - logisticLoss(fC[i], y)));
  }
  Object.assign(
    metrics,
    metricsFor('data', {
      observed: nObs,
      obsUtilityShift: uObs / nObs - uAll,
      labelErrorRate: wrong / nObs,
      rho10Hat: rhoHat.rho10,
      rho01Hat: rhoHat.rho01,
      propensityCorr: pearson(pHat, fb.propensity),
    }),
  );
  Object.assign(metrics, metricsFor('identity', { noiseAwareMaxDev: maxDev }));
  return { metrics, series: {} };
}
