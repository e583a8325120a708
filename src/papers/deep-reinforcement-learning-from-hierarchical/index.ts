/** The deep-reinforcement-learning-from-hierarchical paper's experiment (HERON). */
export * as experiment from './experiment';
export * as heron from '../../testbeds/tabular/methods/heron';
