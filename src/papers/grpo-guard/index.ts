/** grpo-guard: Flow-GRPO vs Flow-GRPO + strong KL vs GRPO-Guard on the diffusion2d rectified flow (proxy x₁). */
export * as experiment from './experiment';
