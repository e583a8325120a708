/**
 * Direct Nash Optimization (Rosset et al. 2024).
 * The experiment of notebooks/dno.ipynb on the preference testbed (src/testbeds/preference);
 * its task is 'papers/dno/experiment#runSeed'.
 */
export * as experiment from './experiment';
