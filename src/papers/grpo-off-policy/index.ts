/**
 * grpo-off-policy (Yao et al. 2025): staleness on the exact bandit, the methods on the GRU base model, and the GRU
 * section ported to the reasoning testbed's transformer.
 */
export * as bandit from './bandit';
export * as gru from './gru';
export * as transformer from './transformer';
