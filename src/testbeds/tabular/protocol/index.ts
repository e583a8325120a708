/**
 * The tabular protocol's method table: every reward distance entered, its recipe file, its task (one module per
 * method, so a record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as dard from './recipes/dard';
import * as epic from './recipes/epic';
import * as l2 from './recipes/l2';
import * as starcMinimal from './recipes/starc/minimal';
import * as starcVal from './recipes/starc/val';

export type ProtocolMethod = ProtocolMethodRow<string>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/tabular/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(starcVal, 'starc/val', 'STARC', ['starc']),
  m(starcMinimal, 'starc/minimal', 'STARC', ['starc']),
  m(epic, 'epic', 'baseline', ['starc']),
  m(dard, 'dard', 'baseline', ['starc']),
  m(l2, 'l2', 'baseline', ['starc']),
];

/** Methods of the testbed's papers not entered in this (reward-comparison) protocol, and why. */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'reward learners from preferences (partial-return BT, regret preference model, CPL)',
    papers: ['regret-preference-model', 'cpl'],
    reason:
      'learn rewards or policies from preference labels, not a reward distance: they are entered in the ' +
      'reward-learning protocol (the second section of this page), scored by the regret of the learned policy',
  },
  { name: 'BARFI', papers: ['barfi'], reason: 'bi-level reward design for a given learner: a reward-design protocol' },
  { name: 'C-MORL, linear scalarisation', papers: ['c-morl'], reason: 'multi-objective: a Pareto-front protocol' },
  {
    name: 'occupancy-regularised policy optimisation (ORPO)',
    papers: ['correlated-proxies'],
    reason: 'reward-hacking mitigation: scored against a gold reward, a different protocol',
  },
  {
    name: 'PARL, A-PARL (policy-aligned reward learning)',
    papers: ['parl'],
    reason:
      'bi-level reward learning whose upper level needs the lower-level policy in the loop (exact soft value ' +
      'iteration and its implicit derivative); the reward-learning protocol fits rewards from a fixed labelled ' +
      'set, so it would run a different problem; its notebook is the only test',
  },
  {
    name: 'explicable reward design (EXPRD, LP), potential-based shaping',
    papers: ['reward-design-for-reinforcement-learning'],
    reason: 'reward design for a given target policy and learner: a reward-design protocol, like BARFI',
  },
  {
    name: 'ADS, optimal-transport imitation from observation',
    papers: ['imitation-learning-from-observation-with'],
    reason: 'imitation from expert state sequences, scored by task success: an imitation protocol, not built',
  },
  {
    name: 'PR-LSVI (randomised RLHF with active queries)',
    papers: ['making-rl-with-preference-based-feedback'],
    reason:
      'online: it chooses which trajectory pairs to have labelled and is scored by regret against label count; ' +
      'the reward-learning protocol gives every learner the same fixed labelled set',
  },
  {
    name: 'SQIRL, ε-greedy Q-learning (effective-horizon analysis)',
    papers: ['the-effective-horizon-explains-deep'],
    reason:
      'online learners scored by sample complexity on finite-horizon MDPs, not reward distances or reward learners',
  },
  {
    name: 'HERON (hierarchical comparisons of ranked reward factors)',
    papers: ['deep-reinforcement-learning-from-hierarchical'],
    reason:
      'it learns a reward from comparisons decided by a ranking of reward factors; the protocol compares given ' +
      'reward functions and its tasks carry no factor signals',
  },
  {
    name: 'DR-RPO, OPPO, DR-LSVI-O (robust optimistic policy optimisation on a linear MDP)',
    papers: ['policy-regularized-distributionally-robust-markov'],
    reason: 'online robust RL scored by regret under model uncertainty, not a reward comparison',
  },
  {
    name: 'CPA (Gromov–Wasserstein preference transfer) and RRL (Gaussian reward)',
    papers: ['pearl'],
    reason: 'cross-task label transfer between two MDPs; the protocol compares reward functions on one MDP',
  },
];
