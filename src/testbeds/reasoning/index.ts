/** The reasoning testbed: procedural chain-of-thought tasks for small decoder-only transformers. */
export * as tasks from './tasks';
export * as trainer from './trainer';
export * as baseModel from './base-model';
export * as baseSpecs from './base-specs';
