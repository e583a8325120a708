/** Tabular-MDP testbed: environments, exact solvers, reward transformations and reward metrics (STARC, EPIC, DARD). */
export * from './mdp';
export * from './solvers';
export * from './shaping';
export * from './reward-metrics';
export * from './bench';
