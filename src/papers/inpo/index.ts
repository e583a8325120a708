/**
 * Iterative Nash Policy Optimization (Zhang et al. 2024).
 * The experiment of notebooks/inpo.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/inpo/experiment#runSeed'.
 */
export * as experiment from './experiment';
