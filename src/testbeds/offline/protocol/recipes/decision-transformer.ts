/**
 * A light Decision Transformer (Chen et al., NeurIPS 2021) in the offline protocol: methods/decision-transformer.ts
 * (1 layer, d = 32, 2 heads, MLP 64 on nn/transformer-lm.ts; K = 1 context (return-to-go bucket, state); 300 Adam
 * steps of 64 transitions at lr 3e-3; its defaults, not tuned on the protocol), acting with its evaluation rule:
 * target return R̂₀ = the best return-to-go the data shows from the start state, R̂ ← R̂ − r after each step.
 * That rule is not a stationary policy on the world, so this recipe does not go through `runRecipe`: it scores the
 * rule exactly on the product MDP (state, return bucket) with decisionTransformerValue, under the same keys, the
 * same datasets and the same normalisation (score, gapToSupported) as every other recipe.
 */
import { Rng } from '../../../../core/rng';
import type { RunResult } from '../../../../core/records';
import { metricKey } from '../../../../core/metric-keys';
import { empiricalIndex } from '../../data/empirical';
import { bestSupportedPolicy, normalisedValue, valueScale } from '../../solvers/evaluation';
import {
  decisionTransformerValue,
  dtPolicyTable,
  dtTargets,
  trainDecisionTransformer,
} from '../../methods/decision-transformer';
import { protocolDataset, protocolWorld, type ProtocolConfig } from '../core';

export const recipe = {
  name: 'dt',
  summary:
    'methods/decision-transformer.ts: 1-layer transformer on (return-to-go bucket, state) → action tokens, ' +
    'cross-entropy on actions; acts from the best data return-to-go at s₀, R̂ ← R̂ − r; scored exactly on (s, R̂)',
};

export function run(config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const mdp = protocolWorld(task, config.gamma);
    const data = protocolDataset(task, config, seed);
    const scale = valueScale(mdp);
    const dt = trainDecisionTransformer(data, new Rng(seed).split('offline-protocol').split(task).split('dt'));
    const J = decisionTransformerValue(mdp, dt.tok, dtPolicyTable(dt), dtTargets(data, dt.tok, 'per-state')).value;
    const score = normalisedValue(J, scale);
    const supported = normalisedValue(bestSupportedPolicy(mdp, empiricalIndex(data)).value, scale);
    metrics[metricKey(recipe.name, `score@${task}`)] = score;
    metrics[metricKey(recipe.name, `gapToSupported@${task}`)] = supported - score;
  }
  return { metrics };
}
