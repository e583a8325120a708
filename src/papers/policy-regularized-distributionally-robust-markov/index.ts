/** The paper's experiment (notebooks/policy-regularized-distributionally-robust-markov.ipynb). */
export * as experiment from './experiment';
