/**
 * implicit-actor-critic-coupling-via (PACS, Li et al. 2025): PACS against GRPO and RLOO on the reasoning testbed, with
 * the authors' mini-batch schedule; the objective itself is testbeds/reasoning/trainer/objectives/pacs.ts.
 */
export * as experiment from './experiment';
