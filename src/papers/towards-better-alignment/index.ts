/** towards-better-alignment: B²-DiffuRL vs DDPO-style whole-chain PG on a sparse reward (conditional diffusion2d). */
export * as experiment from './experiment';
