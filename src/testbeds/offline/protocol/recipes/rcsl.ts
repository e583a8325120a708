/**
 * Return-conditioned supervised learning, tabular (RCSL; the exact minimiser of the Decision Transformer's K = 1
 * action loss, methods/decision-transformer.ts returnConditionedTable: π(a | b, s) = n(b, s, a) / n(b, s) on the
 * same return-to-go buckets, uniform at contexts without data), acting with the same rule as the dt recipe (target
 * = the best data return-to-go from s₀, R̂ ← R̂ − r) and scored exactly on the product MDP (state, return bucket).
 * Beside dt it separates what the objective selects from what the transformer adds (its generalisation to
 * (return, state) contexts the data never shows).
 */
import type { RunResult } from '../../../../core/records';
import { metricKey } from '../../../../core/metric-keys';
import { empiricalIndex } from '../../data/empirical';
import { bestSupportedPolicy, normalisedValue, valueScale } from '../../solvers/evaluation';
import {
  decisionTransformerValue,
  dtTargets,
  dtTokeniser,
  returnConditionedTable,
} from '../../methods/decision-transformer';
import { protocolDataset, protocolWorld, type ProtocolConfig } from '../core';

export const recipe = {
  name: 'rcsl',
  summary:
    'methods/decision-transformer.ts returnConditionedTable: π(a|R̂,s) = n(R̂,s,a)/n(R̂,s) on return buckets, ' +
    'acting as dt (best data return-to-go at s₀, R̂ ← R̂ − r), scored exactly on (s, R̂)',
};

export function run(config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const mdp = protocolWorld(task, config.gamma);
    const data = protocolDataset(task, config, seed);
    const scale = valueScale(mdp);
    const tok = dtTokeniser(data);
    const table = returnConditionedTable(data, tok);
    const score = normalisedValue(
      decisionTransformerValue(mdp, tok, table, dtTargets(data, tok, 'per-state')).value,
      scale,
    );
    const supported = normalisedValue(bestSupportedPolicy(mdp, empiricalIndex(data)).value, scale);
    metrics[metricKey(recipe.name, `score@${task}`)] = score;
    metrics[metricKey(recipe.name, `gapToSupported@${task}`)] = supported - score;
  }
  return { metrics };
}
