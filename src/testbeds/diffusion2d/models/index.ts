/** DDPM on the plane: schedules, transitions and their log-probabilities, the denoiser, pre-trained models. */
export * from './schedule';
export * from './ddpm';
export * from './denoiser';
export * from './base-model';
