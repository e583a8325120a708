/** testbed-diffusion2d: the diffusion2d testbed's validity gate (p_ref on the grid; DDPO toward the tilted target). */
export * as experiment from './experiment';
