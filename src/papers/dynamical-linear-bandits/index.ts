/** The dynamical-linear-bandits paper's experiment (notebooks/dynamical-linear-bandits.ipynb). */
export * as experiment from './experiment';
export * as dynamicalLinear from '../../testbeds/bandits/env/dynamical-linear';
export * as steadyState from '../../testbeds/bandits/solvers/steady-state';
export * as dynLinUcb from '../../testbeds/bandits/methods/dynlin-ucb';
export * as run from '../../testbeds/bandits/loops/run';
