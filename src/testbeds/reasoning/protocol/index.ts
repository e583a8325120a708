/**
 * The reasoning protocol's method table: every GRPO-family method of the reasoning testbed's papers entered, its
 * recipe file (one module per method, so a record's key covers that method's code only), and the kit papers that
 * use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as adora from './recipes/adora';
import * as bapo from './recipes/bapo';
import * as bnpo from './recipes/bnpo';
import * as canonEntropy from './recipes/canon-entropy';
import * as canonLength from './recipes/canon-length';
import * as capo from './recipes/capo';
import * as clipCov from './recipes/clip-cov';
import * as copo from './recipes/copo';
import * as dapo from './recipes/dapo';
import * as drGrpo from './recipes/dr-grpo';
import * as grpo from './recipes/grpo';
import * as gspo from './recipes/gspo';
import * as klCov from './recipes/kl-cov';
import * as litePpo from './recipes/lite-ppo';
import * as nft from './recipes/nft';
import * as oreal from './recipes/oreal';
import * as pacs from './recipes/pacs';
import * as ppo from './recipes/ppo';
import * as reinforce from './recipes/reinforce';
import * as remax from './recipes/remax';
import * as rft from './recipes/rft';
import * as riskpo from './recipes/riskpo';
import * as rloo from './recipes/rloo';

export type ProtocolMethod = ProtocolMethodRow<
  | 'group baseline'
  | 'no baseline'
  | 'greedy baseline'
  | 'supervised on samples'
  | 'clip variant'
  | 'token control'
  | 'reshaped advantage'
  | 'learned critic'
>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/reasoning/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(reinforce, 'reinforce', 'no baseline', ['bnpo']),
  m(rloo, 'rloo', 'group baseline', ['bnpo', 'rlvr-two-stage']),
  m(grpo, 'grpo', 'group baseline', [
    'bnpo',
    'entropy-mechanism',
    'grpo-off-policy',
    'reasoning-boundary-paradox',
    'rlvr-two-stage',
    'part-i',
    'bapo',
    'implicit-actor-critic-coupling-via',
    'bridging-supervised-learning-and-reinforcement',
  ]),
  m(drGrpo, 'dr-grpo', 'group baseline', ['rlvr-two-stage']),
  m(bnpo, 'bnpo', 'group baseline', ['bnpo']),
  m(remax, 'remax', 'greedy baseline', ['rlvr-two-stage']),
  m(dapo, 'dapo', 'clip variant', ['part-i', 'bridging-supervised-learning-and-reinforcement']),
  m(litePpo, 'lite-ppo', 'group baseline', ['part-i']),
  m(ppo, 'ppo', 'learned critic', ['part-i', 'implicit-actor-critic-coupling-via']),
  m(gspo, 'gspo', 'clip variant', ['grpo-off-policy']),
  m(bapo, 'bapo', 'clip variant', ['bapo']),
  m(clipCov, 'clip-cov', 'token control', ['entropy-mechanism']),
  m(klCov, 'kl-cov', 'token control', ['entropy-mechanism']),
  m(capo, 'capo', 'token control', ['stabilizing-policy-gradients-for-sample-efficient']),
  m(rft, 'rft', 'supervised on samples', [
    'reasoning-boundary-paradox',
    'bridging-supervised-learning-and-reinforcement',
  ]),
  m(nft, 'nft', 'supervised on samples', ['bridging-supervised-learning-and-reinforcement']),
  m(pacs, 'pacs', 'supervised on samples', ['implicit-actor-critic-coupling-via']),
  m(oreal, 'oreal', 'supervised on samples', ['exploring-the-limit-of-outcome']),
  m(riskpo, 'riskpo', 'reshaped advantage', ['riskpo']),
  m(copo, 'copo', 'reshaped advantage', ['copo']),
  m(canonLength, 'canon-length', 'reshaped advantage', ['conditional-advantage-estimation-for-reinforcement']),
  m(canonEntropy, 'canon-entropy', 'reshaped advantage', ['conditional-advantage-estimation-for-reinforcement']),
  m(adora, 'adora', 'reshaped advantage', ['adora']),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name:
      'off-policy REINFORCE family (REINFORCE, REC one-side with and without IS, OPMD, AsymRE, RED-Weight) and ' +
      'stale-sample GRPO',
    papers: ['grpo-off-policy'],
    reason:
      "they are defined for samples drawn by an older policy (the loop's staleness k ≥ 1), where this protocol is " +
      'on-policy: they are entered in the stale-sample protocol on this page ("reasoning-stale", staleness 16, the ' +
      'same task, budget and score; notebooks/protocol-reasoning-stale.ipynb)',
  },
  {
    name: 'Weighted GRPO with positive–negative prompt pairing',
    papers: ['beyond-variance'],
    reason:
      'the pairing selects two prompts once from a fixed pool (the protocol draws fresh prompts), and the outcome ' +
      'weighting as reconstructed equals GRPO for 0/1 rewards (the group normalisation cancels it; see the notebook)',
  },
  {
    name: 'R³ (cross-context replay, structural-entropy ranking reward)',
    papers: ['r-3'],
    reason:
      'replay needs prompts that recur (the protocol draws fresh prompts every update, so the history buffer would ' +
      "never match), and the ranking reward's formula is a reconstruction (the paper's method section could not be " +
      'read; see the r-3 notebook)',
  },
];
