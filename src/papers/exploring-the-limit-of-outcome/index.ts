/**
 * exploring-the-limit-of-outcome (Lyu et al. 2025, OREAL): the theorem (best-of-N behaviour cloning is the
 * KL-regularised optimum under binary rewards) on a contextual bandit, and OREAL against GRPO, RFT and its own
 * ablations on the reasoning testbed's transformer.
 */
export * as bandit from './bandit';
export * as experiment from './experiment';
export * as tokenRm from './token-rm';
