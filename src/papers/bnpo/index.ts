/**
 * bnpo (Xiao et al. 2025): gradient-estimator variance on the exact bandit, RL on the GRU base model, and the
 * GRU comparison ported to the reasoning testbed's transformer.
 */
export * as bandit from './bandit';
export * as gru from './gru';
export * as transformer from './transformer';
