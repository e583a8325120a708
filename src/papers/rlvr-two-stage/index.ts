/** rlvr-two-stage (Yao et al. 2025): the token-level bandit miniature and the GRU base-model section. */
export * as bandit from './bandit';
export * as gru from './gru';
