/**
 * On the Limited Generalization Capability of the Implicit Reward Model Induced by
 * Direct Preference Optimization (Lin et al. 2024).
 * The experiment of notebooks/dpo-implicit-rm.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/dpo-implicit-rm/experiment#runSeed'.
 */
export * as experiment from './experiment';
export * as verdicts from './verdicts';
