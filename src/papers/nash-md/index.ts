/**
 * Nash Learning from Human Feedback (Munos et al. 2023).
 * The experiment of notebooks/nash-md.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/nash-md/experiment#runSeed'.
 */
export * as experiment from './experiment';
