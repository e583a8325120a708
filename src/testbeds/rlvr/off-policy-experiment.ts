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
 * start (collapse). Task entry point: `runOffPolicySeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { klRows, objective, promptSuccess, randomBinaryBandit } from './bandit';
import type { PgConfig } from './pg';
import { runBandit, type PolicyState, policyState } from './train';

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

export interface OffPolicyConfig {
  nPrompts: number;
  nResponses: number;
  correct: [number, number];
  difficultyMean: number;
  difficultySd: number;
  steps: number;
  lr: number;
  batchPrompts: number;
  groupSize: number;
  stalenesses: number[];
  methods: string[];
  logEvery: number;
}

export function runOffPolicySeed(c: OffPolicyConfig, seed: number): RunResult {
  const root = new Rng(seed).split('grpo-off-policy');
  const { bandit, logits } = randomBinaryBandit(root.split('bandit'), {
    nPrompts: c.nPrompts,
    nResponses: c.nResponses,
    correct: c.correct,
    difficultyMean: c.difficultyMean,
    difficultySd: c.difficultySd,
  });
  const K = bandit.nResponses;
  const init = policyState(logits.slice(), K);
  const p0 = promptSuccess(bandit, init.probs);
  const J0 = objective(bandit, init.probs);
  const metrics: Record<string, number> = { 'init:J': J0 };
  const series: Record<string, number[]> = {};
  for (const m of c.methods) {
    const pg = OFF_POLICY_METHODS[m];
    if (!pg)
      throw new RangeError(
        `grpo-off-policy: unknown method "${m}"; known: ${Object.keys(OFF_POLICY_METHODS).join(', ')}`,
      );
    for (const k of c.stalenesses) {
      const tag = `${m}|k=${k}`;
      const steps: number[] = [0];
      const J: number[] = [J0];
      // Behaviour policies are tracked here too, to measure KL(π_t ‖ μ_t) exactly.
      const hist: PolicyState[] = [init];
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
      series[`${tag}:step`] = steps;
      series[`${tag}:J`] = J;
      metrics[`${tag}:finalJ`] = J[J.length - 1];
      metrics[`${tag}:meanJ`] = J.reduce((a, b) => a + b, 0) / J.length;
      metrics[`${tag}:meanKlToBehaviour`] = klSum / n;
      metrics[`${tag}:clippedFraction`] = clipSum / n;
      metrics[`${tag}:fractionPromptsWorse`] = worse / pf.length;
    }
  }
  return { metrics, series };
}
