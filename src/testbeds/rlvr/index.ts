/** The RL-with-verifiable-rewards testbed: exact multi-prompt bandit, policy-gradient family, pass@k, the GRU base model (src/nn), ROVER trees, process rewards, the boundary log-linear policy. */
export * as bandit from './bandit';
export * as pg from './pg';
export * as passk from './passk';
export * as train from './train';
export * as analysis from './analysis';
export * as addition from './addition';
export * as baseModel from './base-model';
export * as rover from './rover';
export * as roverExperiment from './rover-experiment';
export * as prm from './prm';
export * as prmExperiment from './prm-experiment';
export * as boundary from './boundary';
export * as boundaryExperiment from './boundary-experiment';
export * as boundaryGru from './boundary-gru';
export * as bnpoGru from './bnpo-gru';
export * as offPolicyGru from './off-policy-gru';
export * as entropyGru from './entropy-gru';
