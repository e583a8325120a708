/** The starc paper's experiment (notebooks/starc.ipynb). */
export * as experiment from './experiment';
