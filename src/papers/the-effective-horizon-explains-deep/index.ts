/** The the-effective-horizon-explains-deep paper's experiment (notebooks/the-effective-horizon-explains-deep.ipynb). */
export * as experiment from './experiment';
