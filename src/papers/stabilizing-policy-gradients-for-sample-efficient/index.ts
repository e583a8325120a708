/**
 * stabilizing-policy-gradients-for-sample-efficient (Melo, Abate & Gal 2025, CAPO): CAPO's last-layer curvature model
 * and token mask against GRPO in a conservative and an aggressive update regime on the reasoning testbed's
 * transformer, at an equal generation budget.
 */
export * as curvature from './curvature';
export * as experiment from './experiment';
