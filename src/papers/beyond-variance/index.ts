/**
 * beyond-variance (Sheng, Li, Pang, Peng, Ma 2026, "Beyond Variance"): RL on two fixed prompts chosen from a measured
 * candidate pool, the positive–negative pair with Weighted GRPO against the variance-selected pair and GRPO on fresh
 * prompts, on the reasoning testbed's transformer.
 */
export * as experiment from './experiment';
