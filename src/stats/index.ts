/** Statistics for honest comparisons (rliable-style) and claim verdicts. */
export * from './descriptive';
export * from './distributions';
export {
  RngLike,
  StatisticName,
  StrataStatistic,
  Statistic,
  IntervalMethod,
  Expansion,
  ResampleOptions,
  BootstrapOptions,
  BootstrapInterval,
  bootstrapCI,
  bootstrapReplicates,
  bootstrapCountsCI,
  intervalFromReplicates,
  jackknifeAcceleration,
  expandedTail,
  strataExpansion,
  strataFromRunMatrix,
} from './bootstrap';
export * from './calibration';
export * from './compare';
export * from './correlation';
export * from './curves';
export * from './profiles';
export * from './proportion';
export * from './verdict';
export * from './tables';
