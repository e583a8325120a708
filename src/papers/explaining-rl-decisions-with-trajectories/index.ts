/** explaining-rl-decisions-with-trajectories: trajectory attribution on the original 7×7 grid-world, exact values. */
export * as experiment from './experiment';
