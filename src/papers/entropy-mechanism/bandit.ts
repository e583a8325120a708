/**
 * The entropy mechanism (Cui et al. 2025, "The Entropy Mechanism of Reinforcement Learning for
 * Reasoning Language Models"), part (i) on the exact bandit.
 *
 * Their Lemma 1: for a softmax policy, the entropy change of one update is, to first order,
 *   H(π^{k+1}) − H(π^k) ≈ −Cov_{a∼π^k}(log π^k(a), z^{k+1}_a − z^k_a);
 * under the exact policy gradient on the logits, Δz_a = η π(a) A(a) (their Thm. 2), and under natural
 * policy gradient Δz_a = η A(a) (Thm. 3), so the entropy falls whenever high-probability actions have
 * high advantage. Each seed trains a random 0/1-reward bandit from the same initial logits with the
 * exact PG, the exact NPG and sampled GRPO, and records per update the actual mean entropy change,
 * the covariance prediction, the mean reward and the mean entropy. The empirical law R = −a·e^H + b
 * is fitted on the first `fitFraction` of each GRPO run and used to predict its final reward.
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { objective, randomBinaryBandit, type Bandit } from '../../testbeds/rlvr/env/bandit';
import {
  banditPolicyState,
  exactPgDirection,
  naturalPgDirection,
  runBandit,
  type BanditPolicyState,
  type PgConfig,
} from '../../testbeds/rlvr/loops/bandit-pg';
import { covarianceRows, entropyRows } from '../../testbeds/rlvr/policies/tabular-softmax';

export type EntropyRule = 'exact-pg' | 'npg' | 'grpo';

export interface Config {
  /** Prompts of the random 0/1-reward bandit (each seed draws a new bandit). */
  nPrompts: number;
  /** Responses per prompt (K). */
  nResponses: number;
  /** Inclusive range of correct responses per prompt. */
  correct: [number, number];
  /** Per-prompt difficulty shift of the correct responses' logits ~ N(difficultyMean, difficultySd²). */
  difficultyMean: number;
  difficultySd: number;
  /** Updates per rule. */
  steps: number;
  /** Step size of each rule (per-prompt logits). */
  lr: Record<EntropyRule, number>;
  /** GRPO: responses per prompt per update. */
  groupSize: number;
  /** GRPO: prompts per batch (≥ nPrompts: all). */
  batchPrompts: number;
  /** Update rules, each from the same initial logits. */
  rules: EntropyRule[];
  /** Fraction of the GRPO run used to fit R = −a·e^H + b. */
  fitFraction: number;
}

/** The full-profile miniature (the notebook overrides nPrompts, batchPrompts and steps). */
export const DEFAULTS: Config = {
  nPrompts: 100,
  nResponses: 16,
  correct: [1, 4],
  difficultyMean: -1,
  difficultySd: 2,
  steps: 500,
  lr: { 'exact-pg': 2, npg: 0.1, grpo: 0.5 },
  groupSize: 8,
  batchPrompts: 100,
  rules: ['exact-pg', 'npg', 'grpo'],
  fitFraction: 0.3,
};

function meanOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Per-update record: actual ΔH, −Cov(log π, Δz) and the state after the update (means over prompts). */
export function entropyStep(
  bandit: Bandit,
  before: BanditPolicyState,
  after: BanditPolicyState,
): { dH: number; covPred: number; H: number; R: number } {
  const K = bandit.nResponses;
  const H0 = meanOf(entropyRows(before.probs, K));
  const H1 = meanOf(entropyRows(after.probs, K));
  const dz = new Float64Array(after.logits.length);
  for (let i = 0; i < dz.length; i++) dz[i] = after.logits[i] - before.logits[i];
  const cov = meanOf(covarianceRows(before.probs, before.logProbs, dz, K));
  return { dH: H1 - H0, covPred: -cov, H: H1, R: objective(bandit, after.probs) };
}

/** Least-squares fit of R = −a·e^H + b (linear in (a, b)); returns a, b and R² on the fitted points. */
export function fitEntropyLaw(H: ArrayLike<number>, R: ArrayLike<number>): { a: number; b: number; r2: number } {
  const n = H.length;
  if (n < 3) throw new RangeError(`rlvr.fitEntropyLaw: need at least 3 points, got ${n}`);
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.exp(H[i]);
    sx += x;
    sy += R[i];
    sxx += x * x;
    sxy += x * R[i];
  }
  const mx = sx / n;
  const my = sy / n;
  const vx = sxx / n - mx * mx;
  const slope = vx > 0 ? (sxy / n - mx * my) / vx : 0;
  const a = -slope;
  const b = my - slope * mx;
  let ssr = 0,
    sst = 0;
  for (let i = 0; i < n; i++) {
    const pred = -a * Math.exp(H[i]) + b;
    ssr += (R[i] - pred) ** 2;
    sst += (R[i] - my) ** 2;
  }
  return { a, b, r2: sst > 0 ? 1 - ssr / sst : NaN };
}

/**
 * One seed: a new bandit, every rule from the same initial logits. Metrics init/H, init/R and, per
 * rule, <rule>/relErr, corr, fracCovPositive, fracEntropyDecrease, finalH, finalR, lawA, lawB, lawR2,
 * lawPredFinalR, lawCeiling; series <rule>/dH, covPred (per update), H, R (from the initial policy on).
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('entropy-mechanism');
  const { bandit, logits } = randomBinaryBandit(root.split('bandit'), {
    nPrompts: c.nPrompts,
    nResponses: c.nResponses,
    correct: c.correct,
    difficultyMean: c.difficultyMean,
    difficultySd: c.difficultySd,
  });
  const K = bandit.nResponses;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const s0 = banditPolicyState(logits.slice(), K);
  metrics[metricKey('init', 'H')] = meanOf(entropyRows(s0.probs, K));
  metrics[metricKey('init', 'R')] = objective(bandit, s0.probs);
  for (const rule of c.rules) {
    const dH: number[] = [];
    const cov: number[] = [];
    const Hs: number[] = [metrics[metricKey('init', 'H')]];
    const Rs: number[] = [metrics[metricKey('init', 'R')]];
    const record = (before: BanditPolicyState, after: BanditPolicyState) => {
      const e = entropyStep(bandit, before, after);
      dH.push(e.dH);
      cov.push(e.covPred);
      Hs.push(e.H);
      Rs.push(e.R);
    };
    if (rule === 'grpo') {
      const pg: PgConfig = { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none' };
      runBandit(
        bandit,
        logits,
        { steps: c.steps, lr: c.lr.grpo, batchPrompts: c.batchPrompts, groupSize: c.groupSize, pg },
        root.split('grpo'),
        (s) => record(s.before, s.after),
      );
    } else {
      let cur = s0;
      const d = new Float64Array(logits.length);
      for (let t = 0; t < c.steps; t++) {
        if (rule === 'exact-pg') exactPgDirection(bandit, cur.probs, d);
        else naturalPgDirection(bandit, cur.probs, d);
        const z = cur.logits.slice();
        for (let i = 0; i < z.length; i++) z[i] += c.lr[rule] * d[i];
        const next = banditPolicyState(z, K);
        record(cur, next);
        cur = next;
      }
    }
    series[metricKey(rule, 'dH')] = dH;
    series[metricKey(rule, 'covPred')] = cov;
    series[metricKey(rule, 'H')] = Hs;
    series[metricKey(rule, 'R')] = Rs;
    let absErr = 0,
      absDH = 0,
      pos = 0,
      dec = 0;
    for (let t = 0; t < dH.length; t++) {
      absErr += Math.abs(dH[t] - cov[t]);
      absDH += Math.abs(dH[t]);
      if (cov[t] < 0) pos++; // −Cov < 0 ⇔ Cov > 0
      if (dH[t] < 0) dec++;
    }
    metrics[metricKey(rule, 'relErr')] = absErr / absDH;
    metrics[metricKey(rule, 'fracCovPositive')] = pos / dH.length;
    metrics[metricKey(rule, 'fracEntropyDecrease')] = dec / dH.length;
    metrics[metricKey(rule, 'finalH')] = Hs[Hs.length - 1];
    metrics[metricKey(rule, 'finalR')] = Rs[Rs.length - 1];
    metrics[metricKey(rule, 'corr')] = pearsonCorr(dH, cov);
    const nFit = Math.max(3, Math.floor(c.fitFraction * Hs.length));
    const fit = fitEntropyLaw(Hs.slice(0, nFit), Rs.slice(0, nFit));
    metrics[metricKey(rule, 'lawA')] = fit.a;
    metrics[metricKey(rule, 'lawB')] = fit.b;
    metrics[metricKey(rule, 'lawR2')] = fit.r2;
    metrics[metricKey(rule, 'lawPredFinalR')] = -fit.a * Math.exp(Hs[Hs.length - 1]) + fit.b;
    metrics[metricKey(rule, 'lawCeiling')] = -fit.a + fit.b;
  }
  return { metrics, series };
}

function pearsonCorr(x: number[], y: number[]): number {
  const n = x.length;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
