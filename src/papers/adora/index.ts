/**
 * adora (Ren, Huang, Fang et al. 2026, ADORA): GRPO with the advantage of temporarily disadvantageous prompts
 * attenuated by λ (the official length-advantage rule) against GRPO on the reasoning testbed's transformer, at equal
 * budgets, with a sweep over λ.
 */
export * as experiment from './experiment';
