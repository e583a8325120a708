/** diffusion-reinforcement-learning-via-centered: CRD vs Flow-GRPO and AWM on the diffusion2d rectified flow. */
export * as experiment from './experiment';
