/**
 * bapo (Xi et al. 2025): the Entropy-Clip Rule tested exactly on a tabular softmax policy (entropy-clip.ts), and the
 * off-policy comparison of GRPO, Clip-Higher and BAPO on the reasoning testbed's transformer (experiment.ts).
 */
export * as entropyClip from './entropy-clip';
export * as experiment from './experiment';
