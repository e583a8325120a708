/**
 * Fine-tuning methods of the 2-D diffusion testbed (one file per named algorithm): DDPO, Flow-GRPO (and GRPO-Guard),
 * AWM, CRD, reward backprop, LOOP, PRDP, DDPO with per-prompt normalisation, B²-DiffuRL, the Diffusion-DPO/SePPO pair
 * loss, RLCM, the PRM-guided SDE (Euphonium) and TurningPoint-GRPO.
 */
export * from './ddpo';
export * from './flow-grpo';
export * from './reward-backprop';
export * from './loop';
export * from './awm';
export * from './crd';
export * from './reward-difference-prediction';
export * from './ddpo-per-prompt';
export * from './b2-diffurl';
export * from './diffusion-preference';
export * from './rlcm';
export * from './prm-guided-sde';
export * from './turning-point-grpo';
