/**
 * Behavioural cloning from observation, BCO(0) (Torabi, Warnell & Stone, IJCAI 2018), in the offline protocol: the
 * task's dataset with its actions hidden is the state-only demonstration; the inverse-dynamics model is the count
 * minimiser (methods/inverse-dynamics.ts) fitted on the agent's own pre-demonstration interaction I^pre, here as many
 * uniformly random episodes in the same world (BCO's random exploration policy), drawn from the seed; the labels
 * are the model's most likely actions (ties shared). It sees the same states as every method but none of the data's
 * actions, plus its exploration episodes (interaction the other methods do not get). Scored as every recipe
 * (score, gapToSupported of the demonstration data); the exploration needs the task's world, so the loop over tasks
 * is written out here instead of going through `runRecipe`.
 */
import { Rng } from '../../../../core/rng';
import type { RunResult } from '../../../../core/records';
import { metricKey } from '../../../../core/metric-keys';
import { behaviourPolicy, collectDataset } from '../../data/dataset';
import { empiricalIndex } from '../../data/empirical';
import { bestSupportedPolicy, normalisedValue, policyValue, valueScale } from '../../solvers/evaluation';
import { behaviourCloningFromObservation, fitInverseDynamics } from '../../methods/inverse-dynamics';
import { protocolDataset, protocolWorld, type ProtocolConfig } from '../core';

export const recipe = {
  name: 'bco',
  summary:
    'methods/inverse-dynamics.ts: count inverse dynamics p(a|s,s′) from as many random exploration episodes, ' +
    'argmax labels on the action-free data, then behaviour cloning',
};

export function run(config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const mdp = protocolWorld(task, config.gamma);
    const data = protocolDataset(task, config, seed);
    const explore = collectDataset(
      mdp,
      behaviourPolicy(mdp, { kind: 'random' }),
      {
        episodes: task.endsWith(':small') ? config.smallEpisodes : config.episodes,
        horizon: config.horizon,
        quality: 'random',
      },
      new Rng(seed).split('offline-protocol').split(task).split('bco-exploration'),
    );
    const observations = { nS: data.nS, nA: data.nA, size: data.size, s: data.s, sp: data.sp };
    const policy = behaviourCloningFromObservation(fitInverseDynamics(explore), observations, 'argmax').policy;
    const scale = valueScale(mdp);
    const score = normalisedValue(policyValue(mdp, policy), scale);
    const supported = normalisedValue(bestSupportedPolicy(mdp, empiricalIndex(data)).value, scale);
    metrics[metricKey(recipe.name, `score@${task}`)] = score;
    metrics[metricKey(recipe.name, `gapToSupported@${task}`)] = supported - score;
  }
  return { metrics };
}
