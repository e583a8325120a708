/**
 * Procedural chain-of-thought tasks of the reasoning testbed: one shared vocabulary, generators with
 * verifiers, step checkers and reference scratchpads (addition, multiplication, Countdown, arithmetic
 * DAGs), train/held-out streams, corrupted traces, and environment-side interaction wrappers.
 */
export * as vocab from './vocab';
export * as syntax from './syntax';
export * as task from './task';
export * as addition from './addition';
export * as multiplication from './multiplication';
export * as countdown from './countdown';
export * as dag from './dag';
export * as registry from './registry';
export * as splits from './splits';
export * as traces from './traces';
export * as interaction from './interaction';
export type { Problem, Task, TaskName, StepReport, CorruptOptions, CorruptedTrace, Transcript } from './task';
