/** Fine-tuning methods of the 2-D diffusion testbed (one file per named algorithm). */
export * from './ddpo';
