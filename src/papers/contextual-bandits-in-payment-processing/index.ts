/** The paper's experiment (notebooks/contextual-bandits-in-payment-processing.ipynb). */
export * as experiment from './experiment';
export * as sparseLogisticContextual from '../../testbeds/bandits/env/sparse-logistic-contextual';
export * as logisticRegression from '../../testbeds/bandits/solvers/logistic-regression';
export * as squareCb from '../../testbeds/bandits/methods/square-cb';
