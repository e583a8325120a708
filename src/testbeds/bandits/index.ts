/**
 * The bandit testbed: K-armed, linear, dynamical linear and meta-bandits; UCB1, Thompson sampling, Exp3, OFUL,
 * DynLin-UCB, a GRU actor-critic trained by A2C or by imitation / shaped-reward RL (loops/paradigm-train.ts), and
 * the Bayes-optimal Bernoulli bandit policy by dynamic programming.
 */
export * as kArmed from './env/k-armed';
export * as linear from './env/linear';
export * as dynamicalLinear from './env/dynamical-linear';
export * as steadyState from './solvers/steady-state';
export * as policy from './methods/policy';
export * as ucb1 from './methods/ucb1';
export * as thompsonSampling from './methods/thompson-sampling';
export * as exp3 from './methods/exp3';
export * as linUcb from './methods/lin-ucb';
export * as dynLinUcb from './methods/dynlin-ucb';
export * as run from './loops/run';
export * as metaBandit from './env/meta-bandit';
export * as bayesBernoulli from './solvers/bayes-bernoulli';
export * as a2c from './methods/a2c';
export * as gruPolicy from './policies/gru-policy';
export * as metaTrain from './loops/meta-train';
export * as closedLoopThreshold from './env/closed-loop-threshold';
export * as ofs from './methods/ofs';
export * as primalDualUcb from './methods/primal-dual-ucb';
export * as sparseLogisticContextual from './env/sparse-logistic-contextual';
export * as logisticRegression from './solvers/logistic-regression';
export * as squareCb from './methods/square-cb';
export * as durationAwarePg from './methods/duration-aware-pg';
export * as paradigmTrain from './loops/paradigm-train';
