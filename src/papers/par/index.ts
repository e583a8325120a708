/**
 * Reward Shaping to Mitigate Reward Hacking in RLHF (Fu et al. 2025).
 * The experiment of notebooks/par.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/par/experiment#runSeed'.
 */
export * as experiment from './experiment';
