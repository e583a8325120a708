/** alleviating-sparse-rewards-by-modeling: TP-GRPO vs Flow-GRPO on the diffusion2d rectified flow (reward x₁). */
export * as experiment from './experiment';
