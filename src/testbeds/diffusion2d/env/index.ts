/** The 2-D diffusion testbed's world: Gaussian-mixture targets and prompts, rewards, the grid ground truth. */
export * from './gmm';
export * from './targets';
export * from './rewards';
export * from './disc-reward';
export * from './grid';
