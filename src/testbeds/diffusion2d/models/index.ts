/** DDPM and rectified flow on the plane: schedules, transitions, log-probabilities, denoiser, pre-trained models. */
export * from './schedule';
export * from './ddpm';
export * from './denoiser';
export * from './base-model';
export * from './flow';
export * from './flow-policy';
export * from './conditional-base';
