/** The when-greedy-wins paper's experiment (notebooks/when-greedy-wins.ipynb). */
export * as experiment from './experiment';
export * as metaBandit from '../../testbeds/bandits/env/meta-bandit';
export * as metaTrain from '../../testbeds/bandits/loops/meta-train';
export * as bayesBernoulli from '../../testbeds/bandits/solvers/bayes-bernoulli';
