/** The parl paper's experiment (notebooks/parl.ipynb). */
export * as experiment from './experiment';
