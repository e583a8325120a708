/**
 * The offline protocol's method table: every offline learner entered, its recipe file (one module per method, so a
 * record's key covers that method's code only), and the kit papers that use it.
 */
export * from './core';
import { protocolMethodRow, type NotEnteredMethod, type ProtocolMethodRow } from '../../../core/protocol-table';
import type { ProtocolRecipe } from './core';
import * as awr from './recipes/awr';
import * as bc from './recipes/bc';
import * as bco from './recipes/bco';
import * as cql from './recipes/cql';
import * as dt from './recipes/decision-transformer';
import * as fDvl from './recipes/f-dvl';
import * as fqi from './recipes/fqi';
import * as iql from './recipes/iql';
import * as rcsl from './recipes/rcsl';
import * as xql from './recipes/xql';

export type ProtocolMethod = ProtocolMethodRow<
  | 'imitation'
  | 'value-based'
  | 'in-sample value-based'
  | 'weighted imitation'
  | 'return-conditioned imitation'
  | 'imitation from observation'
>;

const m = (
  mod: { recipe: Pick<ProtocolRecipe, 'name' | 'summary'> },
  file: string,
  regime: ProtocolMethod['regime'],
  papers: string[],
): ProtocolMethod => protocolMethodRow('testbeds/offline/protocol', mod, file, regime, papers);

export const PROTOCOL_METHODS: ProtocolMethod[] = [
  m(bc, 'bc', 'imitation', []),
  m(awr, 'awr', 'weighted imitation', []),
  m(fqi, 'fqi', 'value-based', []),
  m(cql, 'cql', 'value-based', []),
  m(iql, 'iql', 'in-sample value-based', []),
  m(xql, 'xql', 'in-sample value-based', ['dual-rl']),
  m(fDvl, 'f-dvl', 'in-sample value-based', ['dual-rl']),
  m(rcsl, 'rcsl', 'return-conditioned imitation', ['dichotomy-of-control']),
  m(dt, 'decision-transformer', 'return-conditioned imitation', ['dichotomy-of-control']),
  m(bco, 'bco', 'imitation from observation', []),
];

/** Methods of the testbed's papers not entered, and why (shown on the comparison page). */
export const NOT_ENTERED: NotEnteredMethod[] = [
  {
    name: 'best data-supported policy',
    papers: [],
    reason: 'knows the MDP: it is the reference each learner is compared with (recorded as gapToSupported)',
  },
  {
    name: 'ReCOIL, SMODICE',
    papers: ['dual-rl'],
    reason:
      'imitation from a few expert episodes plus suboptimal data: they need the expert/suboptimal split, which the ' +
      "protocol's single dataset per task does not have (the dual-rl notebook compares them on its own data)",
  },
  {
    name: 'Dichotomy of Control',
    papers: ['dichotomy-of-control'],
    reason:
      'it conditions on a learned latent of the future instead of the return, to separate skill from luck in ' +
      'stochastic worlds with terminal rewards (the dichotomy-of-control notebook); the protocol has return-' +
      'conditioned learners (rcsl, dt), whose step-cost returns count steps',
  },
  {
    name: 'HIQL, OTA, SAW, GCBC (goal-conditioned)',
    papers: ['option-aware-temporally-abstracted-value-for', 'flattening-hierarchies-with-policy-bootstrapping'],
    reason:
      'goal-conditioned learners for many goals on a long-horizon maze; the protocol has one fixed goal per world, ' +
      'where their hierarchy reduces to a flat value learner (their notebooks test them on 21 × 21 maze goals)',
  },
  {
    name: 'OPPO and Bradley–Terry reward + IQL / CQL (preference-based offline RL)',
    papers: ['beyond-reward'],
    reason: "they learn from episode preferences; the protocol's datasets carry rewards, not preference labels",
  },
  {
    name: 'trajectory attribution (clusters, complementary datasets)',
    papers: ['explaining-rl-decisions-with-trajectories'],
    reason: 'an explanation method over a learner, not a learner: nothing to score as a policy',
  },
  {
    name: 'history-conditioned CQL, bisimulation partitions of histories',
    papers: ['offline-rl-with-observation-histories'],
    reason: "partially observed: the protocol's tasks are fully observed MDPs",
  },
  {
    name: 'stage-aware progress labels and reward-aligned BC (RA-BC)',
    papers: ['sarm'],
    reason: "learned from reward-free demonstrations of a staged task; the protocol's datasets carry rewards",
  },
  {
    name: 'retrieval-augmented linear offline DQN (multi-task)',
    papers: ['retrieval-augmented-reinforcement-learning'],
    reason:
      'multi-task: one task-conditioned agent learns five goals from their mixed data and retrieves stored steps ' +
      "across tasks; the protocol's tasks are single-goal tabular datasets, where retrieval has nothing to share",
  },
];
