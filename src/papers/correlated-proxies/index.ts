/** The correlated-proxies paper's experiment (notebooks/correlated-proxies.ipynb). */
export * as experiment from './experiment';
