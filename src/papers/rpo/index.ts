/**
 * Provably Mitigating Overoptimization in RLHF: Your SFT Loss is Implicitly an
 * Adversarial Regularizer (Liu et al. 2024).
 * The experiment of notebooks/rpo.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/rpo/experiment#runSeed'.
 */
export * as experiment from './experiment';
