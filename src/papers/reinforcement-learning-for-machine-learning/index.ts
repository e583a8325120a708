/** The paper's experiment (notebooks/reinforcement-learning-for-machine-learning.ipynb). */
export * as experiment from './experiment';
export * as durationAwarePg from '../../testbeds/bandits/methods/duration-aware-pg';
