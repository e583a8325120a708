/**
 * bridging-supervised-learning-and-reinforcement (Chen et al. 2025, NFT): NFT against RFT, GRPO and DAPO on the
 * reasoning testbed's transformer, on the paper's pipeline (dynamic sampling, mini-batch steps per rollout), and the
 * strict on-policy NFT = GRPO identity on a sampled batch.
 */
export * as experiment from './experiment';
