/**
 * entropy-mechanism (Cui et al. 2025): the exact bandit identity, the GRU section with Clip-Cov / KL-Cov, and the
 * GRU comparison ported to the reasoning testbed's transformer.
 */
export * as bandit from './bandit';
export * as gru from './gru';
export * as transformer from './transformer';
