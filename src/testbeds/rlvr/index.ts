/**
 * The RL-with-verifiable-rewards testbed, one namespace per module:
 *   env/       the exact multi-prompt softmax bandit, digit addition (the GRU's task), problems with
 *              shared solution strategies, random tree MDPs, ROVER's digit-sequence task, step-level
 *              arithmetic (process rewards);
 *   policies/  tabular softmax rows, the GRU base model (src/nn, cached in data/models/), the
 *              shared-parameter log-linear policy;
 *   methods/   one file per named method: the advantages of the policy-gradient family (REINFORCE,
 *              baseline / Dr. GRPO, RLOO, GRPO, BNPO, ReMax), token aggregation, the PPO/GRPO clip,
 *              SELF curation, Clip-Cov / KL-Cov, ROVER, process rewards;
 *   loops/     the bandit's policy-gradient loop, the GRU RL loops, the log-linear GRPO loop, the
 *              sequence-policy updates;
 *   pass@k (unbiased and exact) and the notebooks' curve helpers.
 * The papers' experiments are in src/papers/<id>/.
 */
export * as bandit from './env/bandit';
export * as addition from './env/addition';
export * as strategyWorld from './env/strategy-world';
export * as randomTrees from './env/random-trees';
export * as digitSequences from './env/digit-sequences';
export * as stepArithmetic from './env/step-arithmetic';
export * as tabularSoftmax from './policies/tabular-softmax';
export * as baseModel from './policies/base-model';
export * as logLinear from './policies/log-linear';
export * as advantages from './methods/advantages';
export * as reinforce from './methods/reinforce';
export * as rloo from './methods/rloo';
export * as grpo from './methods/grpo';
export * as bnpo from './methods/bnpo';
export * as remax from './methods/remax';
export * as tokenAggregation from './methods/token-aggregation';
export * as ppoClip from './methods/ppo-clip';
export * as selfCuration from './methods/self-curation';
export * as tokenCovariance from './methods/token-covariance';
export * as clipCov from './methods/clip-cov';
export * as klCov from './methods/kl-cov';
export * as rover from './methods/rover';
export * as processRewards from './methods/process-rewards';
export * as banditPg from './loops/bandit-pg';
export * as gruRl from './loops/gru-rl';
export * as gruPg from './loops/gru-pg';
export * as gruEntropyControl from './loops/gru-entropy-control';
export * as logLinearGrpo from './loops/log-linear-grpo';
export * as sequencePolicy from './loops/sequence-policy';
export * as passk from './passk';
export * as analysis from './analysis';
