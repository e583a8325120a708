/**
 * r-3 (Jiang, Zhao, Xu et al. 2026, R^3): cross-context replay and the structural-entropy ranking reward (the
 * self-reflection part needs an LLM's in-context ability and is left out) against GRPO on the reasoning testbed's
 * transformer (experiment.ts), at equal sampled-completion budgets.
 */
export * as experiment from './experiment';
