/**
 * copo (Han, Chen, Shao et al. 2025, COPO): COPO's consistency-aware global loss and entropy blend against GRPO and
 * GRPO with dynamic sampling on the reasoning testbed's transformer, at an equal generation budget.
 */
export * as experiment from './experiment';
