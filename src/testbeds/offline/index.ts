/**
 * The offline-RL testbed: goal-reaching gridworlds on the tabular testbed's gridworld kit, datasets of stated
 * quality with hindsight goal relabelling, exact evaluation (policy values by linear solve, BFS distances, the best
 * data-supported policy), and tabular offline learners (BC, fitted Q iteration, IQL, CQL, AWR).
 */
// env/ and data/: tasks, datasets, the empirical view the learners share
export * as tasks from './env/tasks';
export * as dataset from './data/dataset';
export * as empirical from './data/empirical';
// solvers/: exact ground truth
export * as evaluation from './solvers/evaluation';
// methods/: one file per named method
export * as bc from './methods/bc';
export * as fqi from './methods/fqi';
export * as iql from './methods/iql';
export * as cql from './methods/cql';
export * as awr from './methods/awr';
