/** euphonium: Flow-GRPO vs PRM-gradient-guided rollouts + Dual-Reward GRPO on the diffusion2d rectified flow. */
export * as experiment from './experiment';
