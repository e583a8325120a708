/** prdp: PRDP vs DDPO (per-prompt and prompt-agnostic normalisation) on the conditional diffusion2d DDPM. */
export * as experiment from './experiment';
