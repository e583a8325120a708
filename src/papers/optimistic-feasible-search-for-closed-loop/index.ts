/**
 * The experiment of the optimistic-feasible-search-for-closed-loop paper
 * (notebooks/optimistic-feasible-search-for-closed-loop.ipynb).
 */
export * as experiment from './experiment';
export * as closedLoopThreshold from '../../testbeds/bandits/env/closed-loop-threshold';
export * as ofs from '../../testbeds/bandits/methods/ofs';
export * as primalDualUcb from '../../testbeds/bandits/methods/primal-dual-ucb';
