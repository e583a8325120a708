/**
 * The tabular reward-learning protocol's method table: every preference learner entered, its recipe file, its task
 * (one module per method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as bc from './recipes/bc';
import * as cpl from './recipes/cpl';
import * as cplUnbiased from './recipes/contrastive-unbiased';
import * as prBt from './recipes/pr-bt';
import * as regretPm from './recipes/regret-pm';
import * as rlhf from './recipes/rlhf';
import * as sft from './recipes/sft';

export type ProtocolMethod = ProtocolMethodRow<string>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/tabular/protocol-reward-learning', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(regretPm, 'regret-pm', 'reward model (linear)', ['regret-preference-model', 'cpl']),
  m(prBt, 'pr-bt', 'reward model (linear)', ['regret-preference-model', 'cpl']),
  m(cpl, 'cpl', 'policy (tabular)', ['cpl']),
  m(cplUnbiased, 'contrastive-unbiased', 'policy (tabular)', ['cpl']),
  m(rlhf, 'rlhf', 'reward model (tabular) + soft value iteration', ['cpl']),
  m(sft, 'sft', 'policy (tabular)', ['cpl']),
  m(bc, 'bc', 'policy (tabular)', ['cpl']),
];

/** Learners of the testbed's papers not entered in this protocol, and why. */
export const NOT_ENTERED: NotEnteredMethod[] = [];
