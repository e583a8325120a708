/** The c-morl paper's experiment (notebooks/c-morl.ipynb). */
export * as experiment from './experiment';
export * as vectorReward from '../../testbeds/tabular/env/vector-reward';
export * as paretoFront from '../../testbeds/tabular/solvers/pareto-front';
export * as frontQuality from '../../testbeds/tabular/methods/front-quality';
export * as paretoExtension from '../../testbeds/tabular/methods/constrained-pareto-extension';
