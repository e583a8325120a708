/** testbed-reasoning: the reasoning testbed's validity gate (GRPO and RFT raise held-out pass@1). */
export * as experiment from './experiment';
