/**
 * The reward-design-for-reinforcement-learning paper's experiment
 * (notebooks/reward-design-for-reinforcement-learning.ipynb).
 */
export * as experiment from './experiment';
export * as fourRooms from '../../testbeds/tabular/env/four-rooms';
export * as explicableRewardLp from '../../testbeds/tabular/methods/explicable-reward-lp';
