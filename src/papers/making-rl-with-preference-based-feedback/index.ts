/** The paper's experiment (notebooks/making-rl-with-preference-based-feedback.ipynb). */
export * as experiment from './experiment';
