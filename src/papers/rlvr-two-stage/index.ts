/** rlvr-two-stage (Yao et al. 2025): the token-level bandit miniature, the GRU section and the transformer section. */
export * as bandit from './bandit';
export * as gru from './gru';
export * as transformer from './transformer';
