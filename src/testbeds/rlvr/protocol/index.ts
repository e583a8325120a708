/**
 * The RLVR protocol's method table: every outcome-reward policy-gradient method entered, its recipe file (one module
 * per method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as bnpo from './recipes/bnpo';
import * as drGrpo from './recipes/dr-grpo';
import * as grpo from './recipes/grpo';
import * as grpoSelf from './recipes/grpo-self';
import * as reinforce from './recipes/reinforce';
import * as remax from './recipes/remax';
import * as rloo from './recipes/rloo';

export type ProtocolMethod = ProtocolMethodRow<'group baseline' | 'no baseline' | 'greedy baseline' | 'curation'>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/rlvr/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(reinforce, 'reinforce', 'no baseline', ['bnpo']),
  m(rloo, 'rloo', 'group baseline', ['bnpo', 'rlvr-two-stage']),
  m(grpo, 'grpo', 'group baseline', [
    'bnpo',
    'entropy-mechanism',
    'grpo-off-policy',
    'reasoning-boundary-paradox',
    'rlvr-two-stage',
  ]),
  m(drGrpo, 'dr-grpo', 'group baseline', ['rlvr-two-stage']),
  m(bnpo, 'bnpo', 'group baseline', ['bnpo']),
  m(remax, 'remax', 'greedy baseline', ['rlvr-two-stage']),
  m(grpoSelf, 'grpo-self', 'curation', ['reasoning-boundary-paradox']),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'PPO/GRPO clipping variants, off-policy GRPO with stale samples (several steps per batch)',
    papers: ['grpo-off-policy', 'prm-clip-delta'],
    reason:
      'the protocol takes one gradient step per batch, where every importance ratio is 1 and clipping never ' +
      'acts; the clip variants (DAPO clip-higher, GSPO, BAPO, Lite PPO) are entered in the "reasoning" protocol on ' +
      'this page (two passes per batch on the transformer), and stale-sample GRPO with the off-policy REINFORCE ' +
      'family in its stale-sample protocol ("reasoning-stale", staleness 16)',
  },
  {
    name: 'Clip-Cov, KL-Cov and entropy control (token-level covariance methods)',
    papers: ['entropy-mechanism'],
    reason:
      "they act on tokens of sampled sequences (the entropy notebook's bandit and GRU); the protocol's answers are " +
      'single choices of a log-linear policy, where their per-token selection is not defined the same way; Clip-Cov ' +
      'and KL-Cov are entered in the "reasoning" protocol on this page (token-level, on the transformer)',
  },
  {
    name: 'token aggregation (sequence-mean, token-mean, constant)',
    papers: ['rlvr-two-stage'],
    reason:
      'answers are one token here, so every aggregation is the same: nothing to compare; the "reasoning" protocol on ' +
      'this page compares them on scratchpads (GRPO sequence-mean, DAPO token-mean, Dr. GRPO constant)',
  },
  {
    name: 'ROVER (random-policy valuation)',
    papers: ['rover'],
    reason:
      'it values a uniformly random policy over a tree of partial sequences (the ROVER notebook); the protocol has ' +
      'no sequential structure to value',
  },
  {
    name: 'process rewards (PRM shaping)',
    papers: ['prm-clip-delta'],
    reason: 'needs intermediate steps to reward; the protocol rewards only the final answer',
  },
];
