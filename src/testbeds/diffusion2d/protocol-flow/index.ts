/**
 * The diffusion2d flow protocol's method table: every rectified-flow fine-tuning method entered, its recipe file (one
 * module per method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { FlowProtocolRecipe } from './core';
import * as awm from './recipes/awm';
import * as crd from './recipes/crd';
import * as flowGrpo from './recipes/flow-grpo';
import * as flowGrpoKl from './recipes/flow-grpo-kl';
import * as ratioNorm from './recipes/ratio-norm';

export type FlowProtocolMethod = ProtocolMethodRow<
  'policy gradient' | 'advantage-weighted matching' | 'reward distillation'
>;

const m = (
  mod: { recipe: FlowProtocolRecipe },
  file: string,
  regime: FlowProtocolMethod['regime'],
  papers: string[],
): FlowProtocolMethod => protocolMethodRow('testbeds/diffusion2d/protocol-flow', mod, file, regime, papers);

export const FLOW_PROTOCOL_METHODS: FlowProtocolMethod[] = [
  m(flowGrpo, 'flow-grpo', 'policy gradient', [
    'grpo-guard',
    'advantage-weighted-matching',
    'diffusion-reinforcement-learning-via-centered',
    'euphonium',
  ]),
  m(flowGrpoKl, 'flow-grpo-kl', 'policy gradient', ['grpo-guard', 'diffusion-reinforcement-learning-via-centered']),
  m(ratioNorm, 'ratio-norm', 'policy gradient', ['grpo-guard']),
  m(awm, 'awm', 'advantage-weighted matching', [
    'advantage-weighted-matching',
    'diffusion-reinforcement-learning-via-centered',
  ]),
  m(crd, 'crd', 'reward distillation', ['diffusion-reinforcement-learning-via-centered']),
];

/** Methods of the testbed's flow papers not entered, and why (shown on the comparison page). */
export const FLOW_NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'the tilted target itself',
    papers: [],
    reason: 'the exact KL-regularised optimum on the grid: the reference every score is measured against',
  },
  {
    name: 'TurningPoint-GRPO (step-wise rewards)',
    papers: ['alleviating-sparse-rewards-by-modeling'],
    reason:
      'it rewards every SDE step with the reward of an ODE completion from that step (K + 1 reward queries per ' +
      "trajectory, 11 here), outside the protocol's budget of one query per rollout; its credit assignment targets " +
      "sparse outcome rewards, where the protocol's tasks are smooth",
  },
  {
    name: 'Euphonium (PRM-guided SDE, dual-reward GRPO)',
    papers: ['euphonium'],
    reason:
      'it queries a process reward model and its gradient at every SDE step (here the reward and its gradient at ' +
      "the base flow's one-step prediction: K extra queries per trajectory, and reward gradients that the " +
      "protocol's black-box budget does not give), so it is outside the protocol's budget of one query per rollout",
  },
  {
    name: 'DDPO, DDPO-KL, DRaFT-1 and LOOP\u2019s family (DDPM policies)',
    papers: ['a-simple-and-effective-reinforcement'],
    reason: "they fine-tune the cached DDPM: entered in the testbed's DDPM protocol on the same tasks and score",
  },
];
