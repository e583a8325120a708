/**
 * "Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm" (Yao et al. 2025), part (i) on the
 * exact bandit: staleness. The behaviour policy that generates each batch is the policy of `k`
 * updates ago (a fixed sync offset, as in their Trinity-RFT experiments), k ∈ `stalenesses`.
 *
 * Methods, as instantiated in the authors' code (examples/rec_gsm8k; group-mean advantage r − r̄
 * unless stated):
 *   REINFORCE           no clipping, no importance sampling (IS)
 *   GRPO                (r − r̄)/std, IS ratio ρ = π/μ and PPO's one-sided clip (ε = 0.2)
 *   REC-OneSide-IS      IS and one-sided clip, no std
 *   REC-OneSide-NoIS    one-sided clip as a regulariser only, no IS
 *   OPMD (REP)          + τ(log π − log μ)² per sample (τ = 0.1)
 *   AsymRE (REP)        + forward-KL term −τ log π per sample, i.e. a baseline lowered by τ (τ = 0.1)
 *   RED-Weight          advantage × exp(A/T) (T = 1): up-weights positive samples
 * Metrics per (method, k): mean reward J along training and at the end, the mean KL(π_t ‖ μ_t)
 * between the trained and the behaviour policy, and the fraction of prompts left worse than at the
 * start (collapse). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { objective, promptSuccess, randomBinaryBandit } from '../../testbeds/rlvr/env/bandit';
import {
  banditPolicyState,
  runBandit,
  type BanditPolicyState,
  type PgConfig,
} from '../../testbeds/rlvr/loops/bandit-pg';
import { klRows } from '../../testbeds/rlvr/policies/tabular-softmax';

export const OFF_POLICY_METHODS: Record<string, PgConfig> = {
  REINFORCE: { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' },
  GRPO: { advantage: { kind: 'grpo' }, importanceWeight: true, clip: 'ppo', clipLow: 0.2, clipHigh: 0.2 },
  'REC-OneSide-IS': {
    advantage: { kind: 'baseline' },
    importanceWeight: true,
    clip: 'ppo',
    clipLow: 0.2,
    clipHigh: 0.2,
  },
  'REC-OneSide-NoIS': {
    advantage: { kind: 'baseline' },
    importanceWeight: false,
    clip: 'ppo',
    clipLow: 0.2,
    clipHigh: 0.2,
  },
  OPMD: { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', k2Coef: 0.1 },
  AsymRE: { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', asymShift: 0.1 },
  'RED-Weight': { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', advantageWeightTemp: 1 },
};

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
  /** Updates per run. */
  steps: number;
  /** Step size on the logits. */
  lr: number;
  /** Prompts per batch (B). */
  batchPrompts: number;
  /** Responses per prompt (G). */
  groupSize: number;
  /** Staleness levels k: the behaviour policy is the policy of k updates ago. */
  stalenesses: number[];
  /** Names from `OFF_POLICY_METHODS`. */
  methods: string[];
  /** J is logged every logEvery updates. */
  logEvery: number;
}

/** The full-profile miniature (the notebook overrides nPrompts, batchPrompts, steps and, in smoke, stalenesses). */
export const DEFAULTS: Config = {
  nPrompts: 100,
  nResponses: 16,
  correct: [1, 4],
  difficultyMean: -1,
  difficultySd: 2,
  steps: 400,
  lr: 2,
  batchPrompts: 32,
  groupSize: 8,
  stalenesses: [0, 1, 4, 16],
  methods: Object.keys(OFF_POLICY_METHODS),
  logEvery: 10,
};

/** The record-key name of method m at staleness k: `m@k=k` (e.g. `REINFORCE@k=16`). */
export function runName(m: string, k: number): string {
  return `${m}@k=${k}`;
}

/**
 * One seed: a new bandit, every method at every staleness, each staleness on the same sampling stream
 * (paired). Metrics init/J and, per run R = runName(m, k), R/finalJ, R/meanJ, R/meanKlToBehaviour,
 * R/clippedFraction, R/fractionPromptsWorse; series R/step, R/J.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('grpo-off-policy');
  const { bandit, logits } = randomBinaryBandit(root.split('bandit'), {
    nPrompts: c.nPrompts,
    nResponses: c.nResponses,
    correct: c.correct,
    difficultyMean: c.difficultyMean,
    difficultySd: c.difficultySd,
  });
  const K = bandit.nResponses;
  const init = banditPolicyState(logits.slice(), K);
  const p0 = promptSuccess(bandit, init.probs);
  const J0 = objective(bandit, init.probs);
  const metrics: Record<string, number> = { [metricKey('init', 'J')]: J0 };
  const series: Record<string, number[]> = {};
  for (const m of c.methods) {
    const pg = OFF_POLICY_METHODS[m];
    if (!pg)
      throw new RangeError(
        `grpo-off-policy: unknown method "${m}"; known: ${Object.keys(OFF_POLICY_METHODS).join(', ')}`,
      );
    for (const k of c.stalenesses) {
      const key = (metric: string) => metricKey(runName(m, k), metric);
      const steps: number[] = [0];
      const J: number[] = [J0];
      // Behaviour policies are tracked here too, to measure KL(π_t ‖ μ_t) exactly.
      const hist: BanditPolicyState[] = [init];
      let klSum = 0;
      let clipSum = 0;
      let n = 0;
      const fin = runBandit(
        bandit,
        logits,
        { steps: c.steps, lr: c.lr, batchPrompts: c.batchPrompts, groupSize: c.groupSize, pg, staleness: k },
        // Same sampling stream for every method at a given staleness (paired comparisons).
        root.split(`run-k${k}`),
        (s) => {
          const mu = hist[0];
          const kl = klRows(s.before.logProbs, mu.logProbs, K);
          let kls = 0;
          for (let i = 0; i < kl.length; i++) kls += kl[i];
          klSum += kls / kl.length;
          clipSum += s.diag.clippedFraction;
          n++;
          hist.push(s.after);
          while (hist.length > k + 1) hist.shift();
          if (s.t % c.logEvery === 0) {
            steps.push(s.t);
            J.push(objective(bandit, s.after.probs));
          }
        },
      );
      const pf = promptSuccess(bandit, fin.probs);
      let worse = 0;
      for (let q = 0; q < pf.length; q++) if (pf[q] < p0[q] - 0.05) worse++;
      series[key('step')] = steps;
      series[key('J')] = J;
      metrics[key('finalJ')] = J[J.length - 1];
      metrics[key('meanJ')] = J.reduce((a, b) => a + b, 0) / J.length;
      metrics[key('meanKlToBehaviour')] = klSum / n;
      metrics[key('clippedFraction')] = clipSum / n;
      metrics[key('fractionPromptsWorse')] = worse / pf.length;
    }
  }
  return { metrics, series };
}
