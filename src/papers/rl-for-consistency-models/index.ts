/** RLCM (Oertell et al. 2024, arXiv 2404.03673) on the diffusion2d testbed. */
export * as experiment from './experiment';
