/** bnpo (Xiao et al. 2025): gradient-estimator variance on the exact bandit, and RL on the GRU base model. */
export * as bandit from './bandit';
export * as gru from './gru';
