/** prm-clip-delta (Gao et al. 2024): learned process rewards at RL training time, Clip and Delta. */
export * as experiment from './experiment';
