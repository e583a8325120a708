/**
 * Pairwise Proximal Policy Optimization (Wu et al. 2023).
 * The experiment of notebooks/p3o.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/p3o/experiment#runSeed'.
 */
export * as experiment from './experiment';
