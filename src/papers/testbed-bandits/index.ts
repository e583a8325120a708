/** testbed-bandits: the bandit testbed's validity gate (UCB1 and TS sublinear, OFUL finds the optimum). */
export * as experiment from './experiment';
