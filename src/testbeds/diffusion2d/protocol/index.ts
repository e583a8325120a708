/**
 * The diffusion2d protocol's method table: every fine-tuning method entered, its recipe file (one module per method,
 * so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as ddpo from './recipes/ddpo';
import * as ddpoKl from './recipes/ddpo-kl';
import * as draft1 from './recipes/draft-1';
import * as ddpoIsKl from './recipes/ddpo-is-kl';
import * as loopKl from './recipes/loop-kl';
import * as prdp from './recipes/proximal-rdp';
import * as rdp from './recipes/rdp';
import * as reinforceKl from './recipes/reinforce-kl';
import * as rlooKl from './recipes/rloo-kl';

export type ProtocolMethod = ProtocolMethodRow<
  'policy gradient' | 'reward backpropagation' | 'reward-difference regression'
>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/diffusion2d/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(ddpo, 'ddpo', 'policy gradient', []),
  m(ddpoKl, 'ddpo-kl', 'policy gradient', ['testbed-diffusion2d']),
  m(draft1, 'draft-1', 'reward backpropagation', []),
  m(reinforceKl, 'reinforce-kl', 'policy gradient', ['a-simple-and-effective-reinforcement']),
  m(rlooKl, 'rloo-kl', 'policy gradient', ['a-simple-and-effective-reinforcement']),
  m(ddpoIsKl, 'ddpo-is-kl', 'policy gradient', ['a-simple-and-effective-reinforcement', 'prdp']),
  m(loopKl, 'loop-kl', 'policy gradient', ['a-simple-and-effective-reinforcement']),
  m(prdp, 'proximal-rdp', 'reward-difference regression', ['prdp']),
  m(rdp, 'rdp', 'reward-difference regression', ['prdp']),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'the tilted target itself',
    papers: [],
    reason: 'the exact KL-regularised optimum on the grid: the reference every score is measured against',
  },
  {
    name: 'Flow-GRPO, GRPO-Guard, AWM, CRD (rectified-flow policies)',
    papers: ['grpo-guard', 'advantage-weighted-matching', 'diffusion-reinforcement-learning-via-centered'],
    reason:
      'they fine-tune the rectified-flow policy (models/flow-policy.ts) with an SDE sampler, not the cached DDPM: ' +
      "entered in the testbed's rectified-flow protocol (protocol-flow) on the same tasks, score and budget",
  },
  {
    name: 'B²-DiffuRL (backward intervals, branched rollouts)',
    papers: ['towards-better-alignment'],
    reason:
      "built for sparse 0/1 rewards without a KL anchor (per-prompt z-scores select branches); the protocol's tasks " +
      'are smooth KL-regularised rewards, so entering it needs a sparse-reward protocol task (not built yet)',
  },
  {
    name: 'SePPO, Diffusion-DPO, SPIN-like self-play (preference fine-tuning)',
    papers: ['seppo'],
    reason:
      'they learn from winners (and self-generated losers) with a denoising-error loss, not from reward queries; ' +
      "the protocol's budget is reward queries per update, so entering them needs a preference-budget variant",
  },
  {
    name: 'RLCM (consistency-model policies)',
    papers: ['rl-for-consistency-models'],
    reason:
      'it fine-tunes a few-step consistency sampler (exact consistency function plus a residual MLP), not the ' +
      "protocol's cached 20-step DDPM; a score would compare samplers as much as methods",
  },
  {
    name: 'Euphonium (PRM-guided SDE), TurningPoint-GRPO (step-wise rewards)',
    papers: ['euphonium', 'alleviating-sparse-rewards-by-modeling'],
    reason:
      'both act on the rectified-flow policy (models/flow-policy.ts) with Flow-GRPO as the base, and query the ' +
      'reward at intermediate states (more queries per sample): not entered in the rectified-flow protocol either',
  },
  {
    name: 'DRAKES, classifier guidance, SMC, TDS (masked discrete diffusion)',
    papers: ['fine-tuning-discrete-diffusion-models-via'],
    reason:
      'they act on the masked discrete diffusion over short sequences (models/masked-diffusion.ts), not on the ' +
      "protocol's continuous 2-D DDPM: a discrete-sequence variant of the protocol would be needed",
  },
];
