/** rover (He et al. 2025): the theorem on random tree MDPs and learning on the digit-sequence task. */
export * as trees from './trees';
export * as learning from './learning';
