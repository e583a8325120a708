/** retrieval-augmented-reinforcement-learning: multi-task offline DQN with and without retrieval (R2A). */
export * as experiment from './experiment';
