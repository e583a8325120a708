/** Fine-tuning methods of the 2-D diffusion testbed (one file per named algorithm): DDPO, reward backprop, LOOP. */
export * from './ddpo';
export * from './reward-backprop';
export * from './loop';
