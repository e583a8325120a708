/** dichotomy-of-control: return-conditioned BC (DT) vs Dichotomy of Control in a Bernoulli bandit and FrozenLake. */
export * as experiment from './experiment';
