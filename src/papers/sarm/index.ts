/** sarm: stage-aware progress labels vs frame-index labels, and RA-BC vs BC, on a key → door → goal gridworld with
 * mixed-quality demonstrations, exact success probabilities. */
export * as experiment from './experiment';
