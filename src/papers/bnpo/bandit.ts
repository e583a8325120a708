/**
 * BNPO (Xiao et al. 2025, "BNPO: Beta Normalization Policy Optimization"), part (a) on the exact bandit:
 * the variance of policy-gradient estimators against the exact gradient.
 *
 * For a random 0/1-reward bandit with a spread of per-prompt success rates, policies are taken at
 * snapshots along an exact-gradient-ascent trajectory (so the distribution of p(q) moves, as during
 * training). At each snapshot every estimator draws `reps` independent batches (B prompts × G
 * responses) and forms the gradient estimate on the logits, ĝ = (1/B) Σ_q (1/G) Σ_i A_i ∇log π(o_i|q).
 * Recorded per estimator: the total variance tr Cov(ĝ), the relative variance tr Cov(ĝ)/‖E ĝ‖² (scale
 * free: GRPO's and BNPO's normalisations rescale ĝ), and the mean cosine between ĝ and the exact ∇J.
 *
 * Two settings: 'practical' (p(q) estimated by the group mean, as in the paper's algorithm and code;
 * GRPO divides by the group std) and 'oracle' (the exact p(q), as in the paper's variance theorem; the
 * BNPO family A = (r − p)/f_N(p; α, β) with (1, 1) = REINFORCE with baseline, (3/2, 3/2) = GRPO up to
 * the constant 8/π, and the adaptive (α, β) = (1 + a/3, 1 + b/3) fitted to the batch's p's).
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { exactGradient, promptSuccess, randomBinaryBandit, type Bandit } from '../../testbeds/rlvr/env/bandit';
import {
  banditPolicyState,
  exactPgDirection,
  sampleBatch,
  sampleDistinctPrompts,
  type BanditPolicyState,
} from '../../testbeds/rlvr/loops/bandit-pg';
import { batchAdvantages, type AdvantageOptions } from '../../testbeds/rlvr/methods/advantages';
import { bnpoParameters } from '../../testbeds/rlvr/methods/bnpo';

export interface BnpoEstimator {
  /** The estimator's record-key name (letters, digits, `_ . - : @ [ ] =`). */
  id: string;
  /** Its label in tables and figures. */
  name: string;
  advantage: AdvantageOptions;
  /** Use the exact p(q) (the theorem's setting) instead of the group mean. */
  oracle: boolean;
}

export const PRACTICAL_ESTIMATORS: BnpoEstimator[] = [
  { id: 'REINFORCE', name: 'REINFORCE', advantage: { kind: 'reinforce' }, oracle: false },
  { id: 'REINFORCE-baseline', name: 'REINFORCE+baseline', advantage: { kind: 'baseline' }, oracle: false },
  { id: 'RLOO', name: 'RLOO', advantage: { kind: 'rloo' }, oracle: false },
  { id: 'GRPO', name: 'GRPO', advantage: { kind: 'grpo' }, oracle: false },
  { id: 'BNPO', name: 'BNPO', advantage: { kind: 'bnpo', bnpo: 'adaptive' }, oracle: false },
];

export const ORACLE_ESTIMATORS: BnpoEstimator[] = [
  {
    id: 'oracle-BNPO-1-1',
    name: 'oracle BNPO(1,1) = REINFORCE+baseline',
    advantage: { kind: 'bnpo', bnpo: { alpha: 1, beta: 1 } },
    oracle: true,
  },
  {
    id: 'oracle-BNPO-1.5-1.5',
    name: 'oracle BNPO(3/2,3/2) ∝ GRPO',
    advantage: { kind: 'bnpo', bnpo: { alpha: 1.5, beta: 1.5 } },
    oracle: true,
  },
  {
    id: 'oracle-BNPO-adaptive',
    name: 'oracle BNPO adaptive',
    advantage: { kind: 'bnpo', bnpo: 'adaptive' },
    oracle: true,
  },
];

/** Every estimator, practical then oracle. */
export const ESTIMATORS: BnpoEstimator[] = [...PRACTICAL_ESTIMATORS, ...ORACLE_ESTIMATORS];

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
  /** Exact-gradient-ascent steps at which the policy is snapshotted. */
  snapshots: number[];
  /** Step size of the exact-gradient-ascent trajectory (per-prompt logits). */
  trajectoryLr: number;
  /** Prompts per sampled batch (B). */
  batchPrompts: number;
  /** Responses per prompt (G). */
  groupSize: number;
  /** Independent batches per estimator and snapshot. */
  reps: number;
  /** Ids of the estimators compared (`ESTIMATORS`). */
  estimators: string[];
}

/** The full-profile miniature (the notebook overrides nPrompts, batchPrompts, reps and, in smoke, snapshots). */
export const DEFAULTS: Config = {
  nPrompts: 100,
  nResponses: 16,
  correct: [1, 4],
  difficultyMean: -1,
  difficultySd: 2,
  snapshots: [0, 25, 100, 400],
  trajectoryLr: 2,
  batchPrompts: 32,
  groupSize: 8,
  reps: 1000,
  estimators: ESTIMATORS.map((e) => e.id),
};

export interface EstimatorStats {
  totalVariance: number;
  relativeVariance: number;
  meanCosine: number;
  /** Cosine between the estimator's mean and the exact gradient (its bias in direction). */
  meanDirectionCosine: number;
  meanNorm2: number;
}

/** Monte Carlo statistics of one estimator at one policy. */
export function estimatorStats(
  rng: Rng,
  bandit: Bandit,
  st: BanditPolicyState,
  est: BnpoEstimator,
  B: number,
  G: number,
  reps: number,
): EstimatorStats {
  const K = bandit.nResponses;
  const Q = bandit.nPrompts;
  const n = Q * K;
  const trueG = exactGradient(bandit, st.probs);
  let tn = 0;
  for (let i = 0; i < n; i++) tn += trueG[i] * trueG[i];
  tn = Math.sqrt(tn);
  const pAll = promptSuccess(bandit, st.probs);
  const sum = new Float64Array(n);
  let sumSq = 0;
  let cosSum = 0;
  const g = new Float64Array(n);
  for (let r = 0; r < reps; r++) {
    const prompts = sampleDistinctPrompts(rng, Q, B);
    const batch = sampleBatch(rng, bandit, st.probs, st.logProbs, prompts, G);
    const opts: AdvantageOptions = est.oracle
      ? { ...est.advantage, pExact: Array.from(prompts, (q) => pAll[q]) }
      : est.advantage;
    const { adv } = batchAdvantages(batch.rewards, B, G, opts);
    g.fill(0);
    for (let b = 0; b < B; b++) {
      const s = prompts[b] * K;
      for (let i = 0; i < G; i++) {
        const A = adv[b * G + i];
        if (A === 0) continue;
        const c = A / (G * B);
        for (let a = 0; a < K; a++) g[s + a] -= c * st.probs[s + a];
        g[s + batch.actions[b * G + i]] += c;
      }
    }
    let gn = 0;
    let dot = 0;
    for (let i = 0; i < n; i++) {
      sum[i] += g[i];
      gn += g[i] * g[i];
      dot += g[i] * trueG[i];
    }
    sumSq += gn;
    cosSum += gn > 0 && tn > 0 ? dot / (Math.sqrt(gn) * tn) : 0;
  }
  let mn2 = 0;
  let mdot = 0;
  for (let i = 0; i < n; i++) {
    const m = sum[i] / reps;
    mn2 += m * m;
    mdot += m * trueG[i];
  }
  // Unbiased total variance: (Σ‖g‖² − reps·‖ḡ‖²)/(reps − 1).
  const totalVariance = (sumSq - reps * mn2) / (reps - 1);
  return {
    totalVariance,
    relativeVariance: totalVariance / mn2,
    meanCosine: cosSum / reps,
    meanDirectionCosine: mn2 > 0 && tn > 0 ? mdot / (Math.sqrt(mn2) * tn) : 0,
    meanNorm2: mn2,
  };
}

/**
 * One seed: a new bandit, snapshots along an exact-gradient-ascent trajectory, every estimator on the
 * same batches at a snapshot. Series all/snapshot, all/J (mean p(q)), all/betaA, all/betaB (the Beta fit
 * of the p(q)'s), all/alpha, all/beta (BNPO's adaptive parameters), and per estimator id E and snapshot
 * E/totalVariance, E/relativeVariance, E/meanCosine, E/meanDirectionCosine, E/meanNorm2; metrics
 * E/logTotalVariance, E/logRelativeVariance (means of the logs over snapshots), E/meanCosine.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('bnpo');
  const { bandit, logits } = randomBinaryBandit(root.split('bandit'), {
    nPrompts: c.nPrompts,
    nResponses: c.nResponses,
    correct: c.correct,
    difficultyMean: c.difficultyMean,
    difficultySd: c.difficultySd,
  });
  const K = bandit.nResponses;
  for (const id of c.estimators)
    if (!ESTIMATORS.some((e) => e.id === id))
      throw new RangeError(`bnpo: unknown estimator "${id}"; known: ${ESTIMATORS.map((e) => e.id).join(', ')}`);
  const all = ESTIMATORS.filter((e) => c.estimators.includes(e.id));
  const metrics: Record<string, number> = {};
  const pol = (k: string) => metricKey('all', k);
  const series: Record<string, number[]> = {};
  for (const k of ['snapshot', 'J', 'betaA', 'betaB', 'alpha', 'beta']) series[pol(k)] = [];
  let cur = banditPolicyState(logits.slice(), K);
  const d = new Float64Array(logits.length);
  let step = 0;
  const snaps = [...c.snapshots].sort((x, y) => x - y);
  for (const target of snaps) {
    while (step < target) {
      exactPgDirection(bandit, cur.probs, d);
      const z = cur.logits.slice();
      for (let i = 0; i < z.length; i++) z[i] += c.trajectoryLr * d[i];
      cur = banditPolicyState(z, K);
      step++;
    }
    const p = promptSuccess(bandit, cur.probs);
    const fit = bnpoParameters(p);
    series[pol('snapshot')].push(target);
    series[pol('J')].push(p.reduce((s, v) => s + v, 0) / p.length);
    series[pol('betaA')].push(fit.a);
    series[pol('betaB')].push(fit.b);
    series[pol('alpha')].push(fit.alpha);
    series[pol('beta')].push(fit.beta);
    for (const est of all) {
      // Common random numbers: every estimator sees the same batches at a snapshot (paired comparisons).
      const s = estimatorStats(root.split(`mc-${target}`), bandit, cur, est, c.batchPrompts, c.groupSize, c.reps);
      for (const [k, v] of Object.entries(s)) (series[metricKey(est.id, k)] ??= []).push(v);
    }
  }
  // Per-seed summaries over snapshots: geometric mean of (relative) variances, arithmetic mean of cosines.
  for (const est of all) {
    const key = (k: string) => metricKey(est.id, k);
    const lv = series[key('totalVariance')].map(Math.log);
    const lr = series[key('relativeVariance')].map(Math.log);
    metrics[key('logTotalVariance')] = lv.reduce((a, b) => a + b, 0) / lv.length;
    metrics[key('logRelativeVariance')] = lr.reduce((a, b) => a + b, 0) / lr.length;
    const cs = series[key('meanCosine')];
    metrics[key('meanCosine')] = cs.reduce((a, b) => a + b, 0) / cs.length;
  }
  return { metrics, series };
}
