/** advantage-weighted-matching: Flow-GRPO vs AWM on the diffusion2d rectified flow (reward vs samples, gradients). */
export * as experiment from './experiment';
