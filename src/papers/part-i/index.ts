/**
 * part-i (Liu et al. 2025, "Part I: Tricks or Traps? A Deep Dive into RL for LLM Reasoning"): isolated ablations of
 * advantage normalisation, Clip-Higher, loss aggregation and overlong filtering, and Lite PPO against GRPO and DAPO,
 * on the reasoning testbed's transformer at an easy and a hard level.
 */
export * as experiment from './experiment';
