/**
 * Evaluating Robustness of Reward Models for Mathematical Reasoning (Kim et al. 2024; RewardMATH).
 * The experiment of notebooks/evaluating-robustness-of-reward-models.ipynb on the preference testbed
 * (src/testbeds/preference); its task is 'papers/evaluating-robustness-of-reward-models/experiment#runSeed'.
 */
export * as experiment from './experiment';
