/**
 * The reasoning stale-sample protocol's method table: the off-policy REINFORCE family of grpo-off-policy and
 * stale-sample GRPO, against on-policy GRPO at the same budget; one recipe file per method (so a record's key covers
 * that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { StaleProtocolRecipe } from './core';
import * as asymre from './recipes/asymre';
import * as grpo from './recipes/grpo';
import * as grpoStale from './recipes/grpo-stale';
import * as opmd from './recipes/opmd';
import * as recOnesideIs from './recipes/rec-oneside-is';
import * as recOnesideNois from './recipes/rec-oneside-nois';
import * as reinforceStale from './recipes/reinforce-stale';
import * as redWeight from './recipes/red-weight';

export type StaleProtocolMethod = ProtocolMethodRow<'on-policy' | 'importance-weighted' | 'no importance weight'>;

const m = (
  mod: { recipe: StaleProtocolRecipe },
  file: string,
  regime: StaleProtocolMethod['regime'],
  papers: string[],
): StaleProtocolMethod => protocolMethodRow('testbeds/reasoning/protocol-stale', mod, file, regime, papers);

export const STALE_PROTOCOL_METHODS: StaleProtocolMethod[] = [
  m(grpo, 'grpo', 'on-policy', ['grpo-off-policy']),
  m(grpoStale, 'grpo-stale', 'importance-weighted', ['grpo-off-policy']),
  m(reinforceStale, 'reinforce-stale', 'no importance weight', ['grpo-off-policy']),
  m(recOnesideIs, 'rec-oneside-is', 'importance-weighted', ['grpo-off-policy']),
  m(recOnesideNois, 'rec-oneside-nois', 'no importance weight', ['grpo-off-policy']),
  m(opmd, 'opmd', 'no importance weight', ['grpo-off-policy']),
  m(asymre, 'asymre', 'no importance weight', ['grpo-off-policy']),
  m(redWeight, 'red-weight', 'no importance weight', ['grpo-off-policy']),
];

/** Methods of grpo-off-policy not entered, and why (shown on the comparison page). */
export const STALE_NOT_ENTERED: NotEnteredMethod[] = [];
