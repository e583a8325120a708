/**
 * The reward-model protocol's method table: every reward-model learner entered, its recipe file (one module per
 * method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as btLinear from './recipes/bt-linear';
import * as btMlp from './recipes/bt-mlp';
import * as crm from './recipes/crm';
import * as crmCoteach from './recipes/crm-coteach';
import * as crmSelf from './recipes/crm-self';
import * as goldLabels from './recipes/gold-labels';
import * as more from './recipes/more';
import * as pal from './recipes/pal';
import * as strengthFlipMargin from './recipes/strength-flip-margin';
import * as vpl from './recipes/vpl';

export type ProtocolMethod = ProtocolMethodRow<
  'pooled reward model' | 'multi-dataset reward model' | 'personalised reward model' | 'reference'
>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/preference/protocol-reward-models', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(btMlp, 'bt-mlp', 'pooled reward model', [
    'on-diversified-preferences-of-large',
    'personalizing-reinforcement-learning-from-human',
  ]),
  m(btLinear, 'bt-linear', 'pooled reward model', []),
  m(more, 'more', 'multi-dataset reward model', ['on-diversified-preferences-of-large']),
  m(strengthFlipMargin, 'strength-flip-margin', 'pooled reward model', ['secrets-of-rlhf-in-large']),
  m(crm, 'crm', 'pooled reward model', ['two-minds-better-than-one']),
  m(crmCoteach, 'crm-coteach', 'pooled reward model', ['two-minds-better-than-one']),
  m(crmSelf, 'crm-self', 'pooled reward model', ['two-minds-better-than-one']),
  m(vpl, 'vpl', 'personalised reward model', ['personalizing-reinforcement-learning-from-human']),
  m(pal, 'pal', 'personalised reward model', ['pal']),
  m(goldLabels, 'gold-labels', 'reference', []),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'CausalRM (noise-aware propensity-weighted reward model)',
    papers: ['causalrm'],
    reason: "learns from observational feedback with selection propensities; the protocol's pairs are fully observed",
  },
  {
    name: 'MetaRM; Flip, Margin and Soft label + Margin alone',
    papers: ['secrets-of-rlhf-in-large'],
    reason:
      'MetaRM needs samples of a shifted policy distribution, which the protocol does not define; of the ' +
      "strength-aware variants the protocol enters the paper's combination Flip + Margin (its notebook tests each)",
  },
  {
    name: 'principle-entailment reward model (RLBFF)',
    papers: ['rlbff'],
    reason: "trained on binary principle judgments, not pairwise preferences: the protocol's labels are pairwise",
  },
  {
    name: 'RewardMATH-style benchmark (one-vs-many, style-matched)',
    papers: ['evaluating-robustness-of-reward-models'],
    reason: 'a way to evaluate reward models, not a reward model: there is nothing to train and score on the protocol',
  },
];
