/** grpo-off-policy (Yao et al. 2025): staleness on the exact bandit, and the methods on the GRU base model. */
export * as bandit from './bandit';
export * as gru from './gru';
