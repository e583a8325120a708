/** offline-rl-with-observation-histories: offline RL on histories, on a bisimulation summary of them, and on states. */
export * as experiment from './experiment';
