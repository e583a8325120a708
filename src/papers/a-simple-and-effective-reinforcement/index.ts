/** a-simple-and-effective-reinforcement: LOOP vs PPO/DDPO, RLOO and REINFORCE on the conditional diffusion2d DDPM. */
export * as experiment from './experiment';
