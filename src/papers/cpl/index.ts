/** The cpl paper's experiment (notebooks/cpl.ipynb). */
export * as experiment from './experiment';
