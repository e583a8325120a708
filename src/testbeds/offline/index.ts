/**
 * The offline-RL testbed: goal-reaching gridworlds on the tabular testbed's gridworld kit, datasets of stated
 * quality with hindsight goal relabelling, exact evaluation (policy values by linear solve, BFS distances, the best
 * data-supported policy, finite-horizon values, the occupancy LP and the χ² dual), and offline learners: BC, fitted
 * Q iteration, IQL, CQL, AWR; XQL and f-DVL (implicit-value losses, trained by SGD or solved exactly); ReCOIL and
 * SMODICE (imitation from expert plus suboptimal data); return-conditioned SL and Dichotomy of Control; and the
 * goal-conditioned value learners with HIQL's hierarchy, OTA's option-aware targets, SAW's policy bootstrapping
 * and goal-conditioned BC; trajectory attribution (trajectory embeddings, X-means clusters, complementary datasets);
 * offline preference-based RL: scripted episode preferences, a tabular Bradley–Terry trajectory reward and OPPO;
 * an aliased-observation gridworld POMDP with its history tries, bisimulation partitions of histories and exact
 * evaluation of history-conditioned policies; a key → door → goal gridworld with mixed-quality staged demonstrations,
 * SARM's stage-aware progress labels and RA-BC.
 */
// env/ and data/: tasks, datasets, the empirical view the learners share
export * as tasks from './env/tasks';
export * as dataset from './data/dataset';
export * as empirical from './data/empirical';
export * as imitationData from './data/imitation';
export * as mixture from './data/mixture';
export * as episodes from './data/episodes';
export * as clustering from './data/clustering';
export * as trajectoryPreferences from './data/trajectory-preferences';
export * as maze from './env/maze';
export * as frozenLake from './env/frozen-lake';
export * as bernoulliBandit from './env/bernoulli-bandit';
export * as lavaGrid from './env/lava-grid';
export * as aliasedGrid from './env/aliased-grid-pomdp';
export * as histories from './data/histories';
export * as keyDoorGrid from './env/key-door-grid';
export * as stagedDemos from './data/staged-demos';
// solvers/: exact ground truth
export * as evaluation from './solvers/evaluation';
export * as finiteHorizon from './solvers/finite-horizon';
export * as occupancyLp from './solvers/occupancy-lp';
export * as chi2DualV from './solvers/chi2-dual-v';
export * as recurrentPolicyEvaluation from './solvers/recurrent-policy-evaluation';
// methods/: one file per named method
export * as bc from './methods/bc';
export * as fqi from './methods/fqi';
export * as iql from './methods/iql';
export * as cql from './methods/cql';
export * as awr from './methods/awr';
export * as xql from './methods/xql';
export * as fDvl from './methods/f-dvl';
export * as recoil from './methods/recoil';
export * as smodice from './methods/smodice';
export * as returnConditioned from './methods/return-conditioned';
export * as dichotomyOfControl from './methods/dichotomy-of-control';
export * as gcValue from './methods/gc-value';
export * as hiql from './methods/hiql';
export * as ota from './methods/ota';
export * as saw from './methods/saw';
export * as gcbc from './methods/gcbc';
export * as trajectoryAttribution from './methods/trajectory-attribution';
export * as trajectoryBtReward from './methods/trajectory-bt-reward';
export * as oppo from './methods/oppo';
export * as historyBisimulation from './methods/history-bisimulation';
export * as stageAwareProgress from './methods/stage-aware-progress';
export * as raBc from './methods/ra-bc';
export * as retrievalAugmentedQ from './methods/retrieval-augmented-q';
// loops/: training loops the methods plug into
export * as implicitValueSgd from './loops/implicit-value-sgd';
