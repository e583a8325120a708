/**
 * The bandit protocol's method table: every bandit algorithm entered, its recipe file (one module per method, so a
 * record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as dynlinUcb from './recipes/dynlin-ucb';
import * as exp3 from './recipes/exp3';
import * as linUcb from './recipes/lin-ucb';
import * as thompsonSampling from './recipes/thompson-sampling';
import * as ucb1 from './recipes/ucb1';

export type ProtocolMethod = ProtocolMethodRow<
  'stochastic K-armed' | 'adversarial K-armed' | 'linear' | 'dynamical linear'
>;

const m = (
  mod: { recipe: ProtocolRecipe },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/bandits/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(ucb1, 'ucb1', 'stochastic K-armed', []),
  m(thompsonSampling, 'thompson-sampling', 'stochastic K-armed', []),
  m(exp3, 'exp3', 'adversarial K-armed', ['dynamical-linear-bandits']),
  m(linUcb, 'lin-ucb', 'linear', ['dynamical-linear-bandits']),
  m(dynlinUcb, 'dynlin-ucb', 'dynamical linear', ['dynamical-linear-bandits']),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'oracle (the optimal constant action)',
    papers: ['dynamical-linear-bandits'],
    reason: 'knows the values of the actions: it scores 1 by construction (tests/testbeds/bandits/protocol)',
  },
  {
    name: 'meta-trained GRU agents (A2C), Bayes-optimal and myopic references',
    papers: ['exploitation-is-all-you-need'],
    reason:
      'meta-learned on a distribution of short 2-armed Bernoulli bandits and scored there against the ' +
      "Bayes-optimal policy (dynamic programming, 2 arms only); the protocol's 10-armed, linear and dynamical " +
      'tasks lie outside that distribution, so a score there would measure transfer, not the method',
  },
  {
    name: 'OFS, primal–dual UCB (constrained threshold selection)',
    papers: ['optimistic-feasible-search-for-closed-loop'],
    reason:
      'they choose among thresholds under fairness and service constraints on a closed-loop population; the ' +
      "protocol's tasks have no constraints and no population dynamics, so there is no feasibility to score",
  },
  {
    name: 'SquareCB, ε-greedy and greedy ERM with a logistic regression oracle (batched generations)',
    papers: ['contextual-bandits-in-payment-processing'],
    reason:
      "contextual: they choose per context with a regression oracle retrained per batch; the protocol's tasks have " +
      'no contexts (K-armed, linear with fixed action features, dynamical)',
  },
  {
    name: 'asynchronous REINFORCE, naive and duration-aware (Δt-weighted) updates',
    papers: ['reinforcement-learning-for-machine-learning'],
    reason:
      'their question is wall-clock: strategies take variable durations and updates arrive asynchronously; the ' +
      "protocol's tasks have unit-time pulls, where duration weighting is the identity and the method is REINFORCE",
  },
  {
    name: 'GRU agents trained by imitation of UCB1 / Thompson sampling or by RL on three step rewards',
    papers: ['when-greedy-wins'],
    reason:
      'meta-trained on a distribution of 5-armed Bernoulli bandits with fresh means per trial and scored there, ' +
      "like the meta-trained agents above; the protocol's fixed instances would measure transfer, not the training",
  },
];
