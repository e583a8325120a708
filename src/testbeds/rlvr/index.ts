/** The RL-with-verifiable-rewards testbed: exact multi-prompt bandit, policy-gradient family, pass@k, GRU policy. */
export * as bandit from './bandit';
export * as pg from './pg';
export * as passk from './passk';
export * as train from './train';
export * as analysis from './analysis';
export * as addition from './addition';
export * as gruPolicy from './gru-policy';
export * as gruAddition from './gru-addition';
