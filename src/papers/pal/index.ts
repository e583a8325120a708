/**
 * PAL: Pluralistic Alignment Framework for Learning from Heterogeneous Preferences (Chen et al. 2024).
 * The experiment of notebooks/pal.ipynb on the preference testbed (src/testbeds/preference); its task is
 * 'papers/pal/experiment#runSeed'.
 */
export * as experiment from './experiment';
