/**
 * conditional-advantage-estimation-for-reinforcement (Chen et al. 2025, CANON): CANON regrouping by entropy and by
 * length against GRPO, Dr. GRPO and directional entropy and length shaping (both directions) on the reasoning testbed's
 * transformer, and the base-model premises (which side of each metric is better; how much the length varies).
 */
export * as experiment from './experiment';
