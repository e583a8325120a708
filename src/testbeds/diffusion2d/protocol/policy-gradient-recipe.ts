/**
 * A protocol recipe made of `methods/loop.ts` rounds (the family of the LOOP paper: REINFORCE, RLOO, DDPO_IS, LOOP):
 * each of the protocol's `updates` is one `policyGradientRound` of `batch` chains with the task's β (the path KL to
 * the pre-trained chain folded into the return) and the recipe's fixed settings. The protocol's model is
 * unconditional, so a group of K chains shares its single (empty) prompt.
 */
import type { ProtocolRecipe } from './core';
import { policyGradientRound, type PolicyGradientRoundOptions } from '../methods/loop';

export function policyGradientRecipe(
  name: string,
  summary: string,
  settings: Omit<PolicyGradientRoundOptions, 'beta'>,
): ProtocolRecipe {
  return {
    name,
    summary: `methods/loop.ts policyGradientRound: ${summary}`,
    fineTune: (c) => {
      const prompts = new Int32Array(c.batch);
      for (let u = 0; u < c.updates; u++)
        policyGradientRound(
          c.policy,
          c.ref,
          c.sched,
          c.reward,
          prompts,
          { ...settings, beta: c.beta },
          c.rng.split(u),
          c.opt,
        );
    },
  };
}
