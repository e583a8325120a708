/** reasoning-boundary-paradox (Nguyen et al. 2025): the shared-parameter log-linear policy and the GRU section. */
export * as loglinear from './loglinear';
export * as gru from './gru';
export * as likelihood from './likelihood';
