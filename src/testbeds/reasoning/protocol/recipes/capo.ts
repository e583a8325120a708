/**
 * The reasoning protocol's CAPO entry (Melo, Abate & Gal 2025; the paper's folder is
 * papers/stabilizing-policy-gradients-for-sample-efficient): GRPO as the official CAPO recipe runs it
 * (group-standardised advantage, PPO clip 0.2, per-sequence token mean, no KL) with CAPO's curvature-aware token
 * mask. Before each of the protocol's passes over a batch, the last-layer curvature model (curvature.ts) predicts
 * every completion token's objective shift and KL under the step, and the tokens beyond the thresholds τ_F = 1e-4
 * (KL) and τ_H = 0.01 (objective; the paper notebook's DEFAULTS) leave the GRPO loss. The paper's update
 * (`capoUpdate`) unchanged, on the protocol's budget: its passes and learning rate (the paper's notebook compares a
 * conservative regime of one pass with an aggressive one of four passes at 4× the rate; the protocol's two passes at
 * its one rate sit between them). Problems and sampling streams are `trainRl`'s (paired with the other methods'
 * batches).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { completionBudget, sampleRollouts } from '../../trainer/loop';
import { trainingStream } from '../../trainer/pipeline';
import {
  ShadowAdam,
  type CapoThresholds,
} from '../../../../papers/stabilizing-policy-gradients-for-sample-efficient/curvature';
import {
  capoUpdate,
  DEFAULTS as CAPO_DEFAULTS,
  GRPO as CAPO_GRPO,
} from '../../../../papers/stabilizing-policy-gradients-for-sample-efficient/experiment';

/** CAPO's update on the protocol's budget and streams with thresholds `th` (the entry uses the paper notebook's). */
export function capoTrain(th: CapoThresholds): NonNullable<ProtocolRecipe['train']> {
  return ({ model, policy, task, level, config, recipe: r, rng }) => {
    const state = new ShadowAdam(model.config.dModel, model.config.vocab);
    const stream = trainingStream(task, rng);
    const L = completionBudget(task, level);
    const reward: number[] = [],
      kept: number[] = [];
    for (let t = 1; t <= config.updates; t++) {
      const batch = sampleRollouts(
        policy,
        task,
        stream.batch(level, config.batchPrompts),
        config.groupSize,
        L,
        rng.split(`sample${t}`),
      );
      reward.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
      capoUpdate(model, policy, state, r, batch, config.lr, th);
      kept.push(batch.B * batch.G);
    }
    return { reward, kept };
  };
}

export const recipe: ProtocolRecipe = {
  name: 'capo',
  summary:
    `GRPO without KL; per pass, tokens whose predicted KL exceeds τ_F = ${CAPO_DEFAULTS.tauKl} or whose predicted ` +
    `objective shift exceeds τ_H = ${CAPO_DEFAULTS.tauObj} leave the loss (curvature-aware masking, Melo et al. 2025)`,
  trainer: CAPO_GRPO,
  train: capoTrain({ tauKl: CAPO_DEFAULTS.tauKl, tauObj: CAPO_DEFAULTS.tauObj }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
