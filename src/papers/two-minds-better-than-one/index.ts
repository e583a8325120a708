/** The two-minds-better-than-one paper's experiment (Collaborative Reward Modeling under label flips; its notebook). */
export * as experiment from './experiment';
export * as collaborativeRewardModeling from '../../testbeds/preference/methods/collaborative-reward-modeling';
