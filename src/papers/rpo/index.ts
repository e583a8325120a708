/**
 * Provably Mitigating Overoptimization in RLHF: Your SFT Loss is Implicitly an
 * Adversarial Regularizer (Liu et al. 2024).
 * The experiment of notebooks/rpo.ipynb on the preference testbed (src/testbeds/preference);
 * its tasks are 'papers/rpo/experiment#runSeed' (tabular) and 'papers/rpo/function-approx#runSeedFa'
 * (log-linear policy on response features).
 */
export * as experiment from './experiment';
export * as functionApprox from './function-approx';
