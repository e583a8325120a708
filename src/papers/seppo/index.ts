/** seppo: SePPO vs Diffusion-DPO, SPIN-like self-play and SFT from winners only on the conditional diffusion2d DDPM. */
export * as experiment from './experiment';
