/**
 * The tabular reward-learning protocol's method table: every preference learner entered, its recipe file, its task
 * (one module per method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as cpl from './recipes/cpl';
import * as prBt from './recipes/pr-bt';
import * as regretPm from './recipes/regret-pm';

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
];

/** Learners of the testbed's papers not entered in this protocol, and why. */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'tabular Bradley–Terry reward model + soft value iteration (the cpl notebook\'s "rlhf"), SFT, BC',
    papers: ['cpl'],
    reason:
      "the cpl notebook's baselines use its own α-soft-optimal setting (γ = 0.95, slip 0.1, ε-greedy segments); " +
      'not yet adapted to the delivery worlds',
  },
];
