/** Statistics for honest comparisons (rliable-style) and claim verdicts. */
export * from './descriptive';
export * from './distributions';
export {
  RngLike,
  StatisticName,
  StrataStatistic,
  Statistic,
  IntervalMethod,
  ResampleOptions,
  BootstrapOptions,
  BootstrapInterval,
  bootstrapCI,
  bootstrapReplicates,
  bootstrapCountsCI,
  intervalFromReplicates,
  jackknifeAcceleration,
  strataFromRunMatrix,
} from './bootstrap';
export * from './compare';
export * from './correlation';
export * from './curves';
export * from './profiles';
export * from './proportion';
export * from './verdict';
