/**
 * The bandit testbed: K-armed, linear and dynamical linear bandits; UCB1, Thompson sampling, Exp3, OFUL and
 * DynLin-UCB.
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
