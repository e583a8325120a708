/**
 * rl-miniatures: the library the notebooks import (`import * as rl from '../dist'`).
 */
export { Rng, makeRng } from './core/rng';
export type { SplitLabel } from './core/rng';
export { startNotebook, NotebookSession } from './core/notebook';
export type { NotebookSessionOptions } from './core/notebook';
export { resolveParameters, PROFILES, ParameterError } from './core/params';
export type { Profile, ParamSpec, ParamValues } from './core/params';
export type { RunRecord, RunResult } from './core/records';
export type { Summary, TableSpec, FigureSpec } from './core/summary';
export { initBackend, backendInfo, backendLabel } from './core/backend';
export { displayTable, displayFigure, displayVerdict } from './core/display';
export * as stats from './stats';
export * as tabular from './testbeds/tabular';
export * as preference from './testbeds/preference';
export * as rlvr from './testbeds/rlvr';
export * as reasoning from './testbeds/reasoning';
export * as offline from './testbeds/offline';
export * as nn from './nn';
export * as plots from './report/plots';
export { metricKey, metricOf, metricValues, metricsFor, parseMetricKey, metricIndex } from './core/metric-keys';
export * as math from './math';
