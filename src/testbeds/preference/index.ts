/**
 * The preference-learning testbed: contexts × responses, general (possibly intransitive) preferences
 * and comparison data, exact references, policies, training loops, and one module per method.
 * The papers' experiments that use it live in src/papers/<id>/.
 */
// data: preference games, comparison datasets, token sequences
export * as game from './data/game';
export * as comparisons from './data/comparisons';
export * as tokenSequences from './data/token-sequences';
// policies: probability tables, logit tables, trainable logit models
export * as tabularPolicy from './policies/tabular-policy';
export * as logitTable from './policies/logit-table';
export * as logitModel from './policies/logit-model';
// solvers: exact references and closed forms
export * as nash from './solvers/nash';
export * as klOptimum from './solvers/kl-optimum';
export * as cholesky from './solvers/cholesky';
export * as pairwiseSquare from './solvers/pairwise-square';
// methods: one module per named method (its loss or update, with the equation it implements)
export * as bradleyTerry from './methods/bradley-terry';
export * as sft from './methods/sft';
export * as dpo from './methods/dpo';
export * as ipo from './methods/ipo';
export * as rpo from './methods/rpo';
export * as rlhf from './methods/rlhf';
export * as p3o from './methods/p3o';
export * as rewardShaping from './methods/reward-shaping';
export * as sequenceRewards from './methods/sequence-rewards';
export * as nashMd from './methods/nash-md';
export * as omd from './methods/omd';
export * as inpo from './methods/inpo';
export * as dno from './methods/dno';
export * as spin from './methods/spin';
export * as simpo from './methods/simpo';
export * as power from './methods/power';
export * as dynamicLabels from './methods/dynamic-labels';
export * as collaborativeRewardModeling from './methods/collaborative-reward-modeling';
// loops
export * as fullBatch from './loops/full-batch';
export * as selfPlay from './loops/self-play';
