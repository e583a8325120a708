/**
 * Tabular-MDP testbed: environments, exact solvers, the softmax policy, learners and the methods of
 * its papers (reward metrics, reward learning from preferences, CPL, BARFI, occupancy
 * regularisation). The papers' experiments live in `src/papers/<id>/`.
 */
// env/: environments, rewards and preference data
export * as mdp from './env/mdp';
export * as gridworld from './env/gridworld';
export * as heuristicGridworld from './env/heuristic-gridworld';
export * as aliasedMdp from './env/aliased-mdp';
export * as shaping from './env/shaping';
export * as preferences from './env/preferences';
export * as linearMdp from './env/linear-mdp';
export * as trajectoryFeatures from './env/trajectory-features';
export * as riskyShortcut from './env/risky-shortcut';
// solvers/: exact ground truth
export * as solvers from './solvers/exact';
export * as policyIteration from './solvers/policy-iteration';
export * as softValueIteration from './solvers/soft-value-iteration';
export * as occupancy from './solvers/occupancy';
export * as policyGradient from './solvers/policy-gradient';
export * as robustValueIteration from './solvers/robust-value-iteration';
export * as regularizedRobustDp from './solvers/regularized-robust-dp';
// policies/ and loops/: the softmax policy, optimisers and sample-based learners
export * as softmax from './policies/softmax';
export * as optimize from './loops/optimize';
export * as learners from './loops/learners';
// methods/: one file per named method
export * as rewardMetrics from './methods/reward-metrics';
export * as rewardLearning from './methods/reward-learning';
export * as cpl from './methods/cpl';
export * as barfi from './methods/barfi';
export * as occupancyRegularisation from './methods/occupancy-regularisation';
export * as prLsvi from './methods/pr-lsvi';
export * as robustRegularizedPolicyOptimization from './methods/robust-regularized-policy-optimization';
export * as heron from './methods/heron';
export * as gromovWasserstein from './methods/gromov-wasserstein';
export * as crossTaskPreferenceAlignment from './methods/cross-task-preference-alignment';
export * as robustRewardLearning from './methods/robust-reward-learning';
export * as bench from './bench';
