/** The regret-preference-model paper's experiment (notebooks/regret-preference-model.ipynb). */
export * as experiment from './experiment';
