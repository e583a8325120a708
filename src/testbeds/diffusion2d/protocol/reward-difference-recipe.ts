/**
 * A protocol recipe made of `methods/reward-difference-prediction.ts` rounds (PRDP and RDP, Deng et al., CVPR 2024,
 * arXiv 2402.08714, Algorithm 1): each of the protocol's `updates` is one `prdpRound` of `batch` trajectories with
 * the task's β and the prdp notebook's settings (B = 4 trajectories per prompt draw, 2 epochs × 2 minibatches of
 * whole groups).
 *
 * The single-prompt special case: the protocol's model is unconditional (one prompt, p_ref's "all"), so Algorithm 1's
 * N prompts of a round are N = batch/B draws of that one prompt, each with B trajectories, and PRDP's pairs are
 * pairs of samples of the one prompt, formed within each draw's group of B (as Algorithm 1 forms them; with one prompt
 * log Z(c) is a single constant, so pairs across groups would be as valid, and are not used). The budget is the
 * protocol's: `batch` reward queries per update (one per trajectory), `updates` updates.
 */
import type { ProtocolRecipe } from './core';
import { prdpRound, type PrdpRoundOptions } from '../methods/reward-difference-prediction';

/** The prdp notebook's PRDP/RDP settings (src/papers/prdp/experiment.ts DEFAULTS: K = B = 4, 2 × 2 steps). */
export const REWARD_DIFFERENCE_SETTINGS: Omit<PrdpRoundOptions, 'beta' | 'eps'> = { B: 4, epochs: 2, minibatches: 2 };

export function rewardDifferenceRecipe(name: string, summary: string, eps: number | null): ProtocolRecipe {
  const o = REWARD_DIFFERENCE_SETTINGS;
  return {
    name,
    summary: `methods/reward-difference-prediction.ts prdpRound: ${summary}`,
    fineTune: (c) => {
      const multiple = o.B * o.minibatches;
      if (!Number.isInteger(c.batch / multiple) || c.batch <= 0)
        throw new RangeError(
          `diffusion2d protocol, recipe ${name}: batch = ${c.batch} must be a positive multiple of ${multiple} ` +
            `(draws of B = ${o.B} samples of the one prompt, split into ${o.minibatches} minibatches of whole ` +
            "draws); set ProtocolConfig.batch (the protocol notebook's config) to such a multiple",
        );
      if (!(c.beta > 0))
        throw new RangeError(
          `diffusion2d protocol, recipe ${name}: the task's β = ${c.beta} must be > 0 (the RDP target is Δr/β)`,
        );
      const prompts = new Int32Array(c.batch);
      const reward = (x0: Float64Array, N: number) => c.reward.value(x0, N);
      for (let u = 0; u < c.updates; u++)
        prdpRound(c.policy, c.ref, c.sched, reward, prompts, { ...o, beta: c.beta, eps }, c.rng.split(u), c.opt);
    },
  };
}
