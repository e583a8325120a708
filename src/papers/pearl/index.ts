/** The pearl paper's experiment (PEARL: CPA label transfer by Gromov–Wasserstein OT, RRL Gaussian reward). */
export * as experiment from './experiment';
export * as crossTaskPreferenceAlignment from '../../testbeds/tabular/methods/cross-task-preference-alignment';
export * as robustRewardLearning from '../../testbeds/tabular/methods/robust-reward-learning';
export * as gromovWasserstein from '../../testbeds/tabular/methods/gromov-wasserstein';
