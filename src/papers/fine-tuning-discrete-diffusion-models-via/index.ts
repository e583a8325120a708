/** DRAKES: Gumbel-softmax reward backprop with a path-KL to the pre-trained masked discrete diffusion model. */
export * as experiment from './experiment';
