/** entropy-mechanism (Cui et al. 2025): the exact bandit identity and the GRU section with Clip-Cov / KL-Cov. */
export * as bandit from './bandit';
export * as gru from './gru';
