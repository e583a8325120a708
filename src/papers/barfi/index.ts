/** The barfi paper's experiment (notebooks/barfi.ipynb). */
export * as experiment from './experiment';
