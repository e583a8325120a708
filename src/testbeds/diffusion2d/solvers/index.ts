/** Exact ground truth of the 2-D diffusion testbed: closed-form tilted mixtures. */
export * from './tilt';
