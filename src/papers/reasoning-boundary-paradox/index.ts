/** reasoning-boundary-paradox (Nguyen et al. 2025): the log-linear policy, the GRU and the transformer sections. */
export * as loglinear from './loglinear';
export * as gru from './gru';
export * as likelihood from './likelihood';
export * as transformer from './transformer';
export * as selfCuration from './self-curation';
