/**
 * Claim verdicts computed from recorded data. One decision rule (DECISION_RULE, applied by
 * `applyDecisionRule`) is used by every check; each check only says which statistic, which interval,
 * and which inequality the paper's claim amounts to, and writes that into `check`.
 */
import { Sample, checkSample, interquartileMean, mean, median } from './descriptive';
import { BootstrapInterval, IntervalMethod, RngLike, bootstrapCI, resolveBootstrapOptions, toRng } from './bootstrap';
import { meanDifferenceCI, pairedDifferenceCI } from './compare';
import { correlationDifferenceCI } from './correlation';
import { ProportionInterval, proportionCI } from './proportion';
import type { Profile } from '../core/params';

export type VerdictStatus = 'reproduced' | 'not reproduced' | 'inconclusive';

export interface Verdict {
  /** Short id, e.g. 'starc-zero-on-equivalent'. */
  claimId: string;
  /** The claim as quoted or paraphrased from the paper. */
  claim: string;
  /** The decision rule in words, generated from the check's parameters. */
  check: string;
  status: VerdictStatus;
  /** The statistic the rule is applied to. */
  estimate: number;
  lo: number;
  hi: number;
  /** Confidence level of [lo, hi]; 1 for exact statistics (degenerate interval). */
  level: number;
  /** Independent units behind the statistic: seeds, or observations for correlation / fraction checks. */
  nSeeds: number;
  profile: Profile;
  /** False for the smoke profile: a smoke result is not evidence. */
  evidence: boolean;
  details?: Record<string, number | string>;
  /**
   * `claim`: a claim of the paper, tested on the miniature (only claims count as reproductions).
   * `check`: an identity, a premise built into the setup, an implementation or testbed-validity check.
   * Set by the notebook session (`nb.claim` / `nb.check`); absent on verdicts of older summaries.
   */
  kind?: VerdictKind;
  /** Ids of the checks this claim relies on (premises, testbed validity). */
  dependsOn?: string[];
  /** The checks of dependsOn that did not pass: the claim is then `inconclusive (testbed invalid)`. */
  invalidatedBy?: string[];
  /** The pre-registered decision parameters this verdict used (from the notebook's metadata.paper.decisions). */
  decisions?: Record<string, PreRegistered>;
  /** Stable id (`<paper>/<figure>`) of the figure that shows the evidence. */
  figure?: string;
}

export type VerdictKind = 'claim' | 'check';

/** A decision parameter declared before the full run, with why it has this value. */
export interface PreRegistered {
  value: number | string | boolean | number[];
  /** One line tying the value to a measured scale (e.g. "¼ of the baseline-vs-naive gap on pilot seed 100"). */
  justification: string;
}

/** Smallest number of independent units a resampled statistic needs before any verdict but 'inconclusive'. */
export const MIN_UNITS = 2;
/** The same for correlations (with 2 points a rank correlation is ±1 by construction). */
export const MIN_CORRELATION_UNITS = 3;

/** The decision rule, stated once; every check applies it through `applyDecisionRule`. */
export const DECISION_RULE =
  'A claim is tested as an inequality "statistic ⋄ threshold" (⋄ one of >, <, ≥, ≤) on the two-sided ' +
  'confidence interval [lo, hi] of the statistic. reproduced: every value in the interval satisfies the ' +
  'inequality and, when the paper claims a difference and a region of practical equivalence (ROPE) [a, b] is ' +
  'given, the whole interval also lies beyond the ROPE on the claimed side (above b for > and ≥, below a for < ' +
  'and ≤): a difference that may be too small to matter does not reproduce a claimed difference. not ' +
  'reproduced: no value in the interval satisfies the inequality, or the whole interval lies inside [a, b] ' +
  '(this takes precedence). ' +
  `inconclusive: otherwise, and whenever fewer than ${MIN_UNITS} independent units (${MIN_CORRELATION_UNITS} for ` +
  'correlations) were observed. Exact statistics computed without sampling (a maximum over all values, an ' +
  'observed count) use the degenerate interval [estimate, estimate]. Resampled statistics use a bootstrap over ' +
  'the independent units (seeds, or observations for correlations); unless a check names another method, the ' +
  'interval is the expanded percentile interval (Hesterberg 2015), which widens the percentile interval for ' +
  "small samples by reading the bootstrap quantiles at α'/2 = Φ(−√(n/(n−1))·t_{1−α/2, n−1}) and 1 − α'/2 " +
  '(for two independently resampled groups: the Welch standard-error ratio and degrees of freedom), so that ' +
  'a nominal 95% interval is not too narrow with 5–10 seeds; each check names its interval method. ' +
  'A smoke-profile verdict is computed the same way and labelled as not evidence.';

export type Relation = '>' | '<' | '>=' | '<=';

/** The inequality a claim amounts to, with an optional ROPE for claimed differences. */
export interface ClaimedRelation {
  relation: Relation;
  threshold: number;
  rope?: readonly [number, number];
}

function satisfies(v: number, { relation, threshold }: ClaimedRelation): boolean {
  switch (relation) {
    case '>':
      return v > threshold;
    case '<':
      return v < threshold;
    case '>=':
      return v >= threshold;
    case '<=':
      return v <= threshold;
  }
}

/** Apply DECISION_RULE to an interval [lo, hi] (a NaN interval is inconclusive). */
export function applyDecisionRule(lo: number, hi: number, claimed: ClaimedRelation): VerdictStatus {
  if (!(lo <= hi)) return 'inconclusive';
  if (claimed.rope && lo >= claimed.rope[0] && hi <= claimed.rope[1]) return 'not reproduced';
  const a = satisfies(lo, claimed);
  const b = satisfies(hi, claimed);
  if (!a && !b) return 'not reproduced';
  if (a && b && beyondRope(lo, hi, claimed)) return 'reproduced';
  return 'inconclusive';
}

/** Whether [lo, hi] lies wholly beyond the ROPE on the claimed side (true when there is no ROPE). */
function beyondRope(lo: number, hi: number, { relation, rope }: ClaimedRelation): boolean {
  if (!rope) return true;
  return relation === '>' || relation === '>=' ? lo > rope[1] : hi < rope[0];
}

const NEGATION: Record<Relation, string> = { '>': '≤', '<': '≥', '>=': '<', '<=': '>' };
const SYMBOL: Record<Relation, string> = { '>': '>', '<': '<', '>=': '≥', '<=': '≤' };

/** The rule in words for one claimed relation. */
function ruleText(claimed: ClaimedRelation, intervalName: string): string {
  const t = claimed.threshold;
  const r = claimed.rope;
  const side = claimed.relation === '>' || claimed.relation === '>=' ? 'above' : 'below';
  let s =
    `reproduced iff the whole ${intervalName} is ${SYMBOL[claimed.relation]} ${t}` +
    (r ? ` and ${side} the ROPE [${r[0]}, ${r[1]}]` : '') +
    `; not reproduced iff it is wholly ${NEGATION[claimed.relation]} ${t}`;
  if (r) s += ` or lies inside the ROPE (the ROPE test takes precedence)`;
  return `${s}; otherwise inconclusive`;
}

/** Fields every check takes. */
export interface ClaimOptions {
  claimId: string;
  claim: string;
  profile: Profile;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** Fields every resampling check takes in addition. */
export interface ResampledClaimOptions extends ClaimOptions {
  /** Bootstrap replicates (default 2000). */
  reps?: number;
  rng: RngLike;
  /**
   * Bootstrap interval method (default 'expanded': the percentile interval widened for small samples,
   * Hesterberg 2015; 'percentile' and 'bca' remain available).
   */
  interval?: IntervalMethod;
}

function checkBase(o: ClaimOptions, where: string): void {
  if (!o.claimId) throw new RangeError(`${where}: claimId is required (a short id such as 'starc-zero-on-equivalent')`);
  if (!o.claim) throw new RangeError(`${where} (${o.claimId}): claim text is required (quote or paraphrase the paper)`);
  if (o.profile !== 'smoke' && o.profile !== 'full' && o.profile !== 'large')
    throw new RangeError(
      `${where} (${o.claimId}): profile must be 'smoke', 'full' or 'large', got ${String(o.profile)}`,
    );
}

function makeVerdict(
  o: ClaimOptions,
  v: {
    check: string;
    status: VerdictStatus;
    estimate: number;
    lo: number;
    hi: number;
    level: number;
    nSeeds: number;
    details?: Record<string, number | string>;
  },
): Verdict {
  const smoke = o.profile === 'smoke';
  return {
    claimId: o.claimId,
    claim: o.claim,
    check: smoke ? `${v.check} [smoke profile: not evidence]` : v.check,
    status: v.status,
    estimate: v.estimate,
    lo: v.lo,
    hi: v.hi,
    level: v.level,
    nSeeds: v.nSeeds,
    profile: o.profile,
    evidence: !smoke,
    details: v.details,
  };
}

function bootstrapSettings(o: ResampledClaimOptions, where: string) {
  const { reps, level, method } = resolveBootstrapOptions(
    { reps: o.reps, level: o.level, method: o.interval ?? 'expanded', rng: o.rng },
    where,
  );
  return { reps, level, method, rng: toRng(o.rng, where) };
}

const pct = (p: number): string => `${Math.round(p * 1e5) / 1e3}%`;

/** The interval named in `check`, e.g. "95% expanded-percentile bootstrap CI (…; 2000 replicates over seeds)". */
function intervalName(ci: BootstrapInterval, units: string, twoGroups = false): string {
  const level = `${Math.round(ci.level * 1000) / 10}%`;
  if (ci.method === 'bca') return `${level} BCa bootstrap CI (${ci.reps} replicates over ${units})`;
  if (ci.method === 'percentile') return `${level} percentile bootstrap CI (${ci.reps} replicates over ${units})`;
  const e = ci.expansion;
  const how =
    !e || Number.isNaN(e.tail)
      ? 'undefined with fewer than 2 units per group'
      : `quantiles ${pct(e.tail)} and ${pct(1 - e.tail)} from t with ${Math.round(e.df * 100) / 100} df` +
        `${twoGroups ? ' (Welch)' : ''} and standard-error factor ${e.factor.toFixed(3)}`;
  return (
    `${level} expanded-percentile bootstrap CI (Hesterberg 2015: the percentile interval widened for small samples; ` +
    `${how}; ${ci.reps} replicates over ${units})`
  );
}

/**
 * Interval method and, for the expanded interval, its quantile level and degrees of freedom, for `details`; left out
 * where they are undefined (fewer than 2 units per group: NaN, which JSON would write as null).
 */
function intervalDetails(ci: BootstrapInterval): Record<string, number | string> {
  const d: Record<string, number | string> = { interval: ci.method };
  if (ci.expansion && Number.isFinite(ci.expansion.tail) && Number.isFinite(ci.expansion.df)) {
    d.intervalTail = ci.expansion.tail;
    d.intervalDf = ci.expansion.df;
  }
  return d;
}

function decide(lo: number, hi: number, claimed: ClaimedRelation, n: number, minUnits: number): VerdictStatus {
  return n < minUnits ? 'inconclusive' : applyDecisionRule(lo, hi, claimed);
}

function tooFew(n: number, minUnits: number): string {
  return n < minUnits ? ` Only ${n} unit(s) observed (< ${minUnits}): inconclusive by rule.` : '';
}

function checkRope(rope: readonly [number, number] | undefined, where: string): void {
  if (rope && !(rope[0] <= rope[1]))
    throw new RangeError(`${where}: rope must be [a, b] with a ≤ b, got [${rope[0]}, ${rope[1]}]`);
}

/** Claim: method A's metric exceeds method B's by more than `margin` (mean difference over seeds, paired or not). */
export function claimGreater(
  o: ResampledClaimOptions & {
    a: Sample;
    b: Sample;
    /** True when seed i of A and seed i of B share randomness (same environment seed): resample seed pairs. */
    paired: boolean;
    margin?: number;
    rope?: readonly [number, number];
    /** Display names of A and B in `check` (default 'A', 'B'). */
    names?: readonly [string, string];
  },
): Verdict {
  const where = 'stats.claimGreater';
  checkBase(o, where);
  checkRope(o.rope, where);
  const s = bootstrapSettings(o, where);
  const [A, B] = o.names ?? ['A', 'B'];
  const margin = o.margin ?? 0;
  const ci = o.paired
    ? pairedDifferenceCI(o.a, o.b, { reps: s.reps, level: s.level, method: s.method, rng: s.rng })
    : meanDifferenceCI(o.a, o.b, { reps: s.reps, level: s.level, method: s.method, rng: s.rng });
  const n = Math.min(o.a.length, o.b.length);
  const claimed: ClaimedRelation = { relation: '>', threshold: margin, rope: o.rope };
  const stat = o.paired
    ? `mean over ${n} seeds of the paired difference (${A} − ${B})`
    : `mean(${A}) − mean(${B}) over ${o.a.length} and ${o.b.length} seeds`;
  const iv = intervalName(ci, o.paired ? 'seed pairs' : 'seeds, each method resampled independently', !o.paired);
  const details: Record<string, number | string> = {
    meanA: mean(o.a),
    meanB: mean(o.b),
    paired: o.paired ? 'yes' : 'no',
    reps: ci.reps,
    ...intervalDetails(ci),
  };
  if (o.rope) {
    details.ropeLo = o.rope[0];
    details.ropeHi = o.rope[1];
  }
  return makeVerdict(o, {
    check: `Claim: ${stat} > ${margin}. ${iv}; ${ruleText(claimed, 'CI')}.${tooFew(n, MIN_UNITS)}`,
    status: decide(ci.lo, ci.hi, claimed, n, MIN_UNITS),
    estimate: ci.estimate,
    lo: ci.lo,
    hi: ci.hi,
    level: s.level,
    nSeeds: n,
    details,
  });
}

type LocationStatistic = 'mean' | 'iqm' | 'median';

function claimLocation(
  o: ResampledClaimOptions & { values: Sample; threshold: number; statistic?: LocationStatistic },
  relation: '>' | '<',
  where: string,
): Verdict {
  checkBase(o, where);
  checkSample(o.values, `${where} (${o.claimId}) values`);
  const s = bootstrapSettings(o, where);
  const stat = o.statistic ?? 'mean';
  if (stat !== 'mean' && stat !== 'iqm' && stat !== 'median')
    throw new RangeError(`${where}: statistic must be 'mean', 'iqm' or 'median', got ${String(stat)}`);
  const ci = bootstrapCI(o.values, stat, { reps: s.reps, level: s.level, method: s.method, rng: s.rng });
  const n = o.values.length;
  const claimed: ClaimedRelation = { relation, threshold: o.threshold };
  const statName = stat === 'iqm' ? 'IQM' : stat;
  return makeVerdict(o, {
    check:
      `Claim: ${statName} over ${n} seeds ${SYMBOL[relation]} ${o.threshold}. ${intervalName(ci, 'seeds')}; ` +
      `${ruleText(claimed, 'CI')}.${tooFew(n, MIN_UNITS)}`,
    status: decide(ci.lo, ci.hi, claimed, n, MIN_UNITS),
    estimate: ci.estimate,
    lo: ci.lo,
    hi: ci.hi,
    level: s.level,
    nSeeds: n,
    details: {
      statistic: stat,
      mean: mean(o.values),
      median: median(o.values),
      iqm: interquartileMean(o.values),
      reps: ci.reps,
      ...intervalDetails(ci),
    },
  });
}

/** Claim: the mean / IQM / median of a metric over seeds exceeds `threshold`. */
export function claimAbove(
  o: ResampledClaimOptions & { values: Sample; threshold: number; statistic?: LocationStatistic },
): Verdict {
  return claimLocation(o, '>', 'stats.claimAbove');
}

/** Claim: the mean / IQM / median of a metric over seeds is below `threshold`. */
export function claimBelow(
  o: ResampledClaimOptions & { values: Sample; threshold: number; statistic?: LocationStatistic },
): Verdict {
  return claimLocation(o, '<', 'stats.claimBelow');
}

/**
 * Claim: every value (e.g. a distance over a class of equivalent pairs) is zero up to `tolerance`.
 * Exact check on the observed values: statistic max |value|, degenerate interval; one value above
 * tolerance refutes it.
 */
export function claimAllBelow(o: ClaimOptions & { values: Sample; tolerance: number }): Verdict {
  const where = 'stats.claimAllBelow';
  checkBase(o, where);
  checkSample(o.values, `${where} (${o.claimId}) values`);
  if (!(o.tolerance >= 0)) throw new RangeError(`${where}: tolerance must be ≥ 0, got ${o.tolerance}`);
  const n = o.values.length;
  let maxAbs = 0;
  let minAbs = Infinity;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(o.values[i]);
    if (v > maxAbs) maxAbs = v;
    if (v < minAbs) minAbs = v;
    if (v > o.tolerance) above++;
  }
  const claimed: ClaimedRelation = { relation: '<=', threshold: o.tolerance };
  return makeVerdict(o, {
    check:
      `Claim: max |value| over all ${n} values ≤ ${o.tolerance} ` +
      '(exact statistic, no resampling; interval = [max, max]). ' +
      `${ruleText(claimed, 'interval')} — i.e. reproduced iff every value is within tolerance, ` +
      'not reproduced if any value exceeds it.',
    status: applyDecisionRule(maxAbs, maxAbs, claimed),
    estimate: maxAbs,
    lo: maxAbs,
    hi: maxAbs,
    level: 1,
    nSeeds: n,
    details: { minAbs, maxAbs, nAboveTolerance: above, n, tolerance: o.tolerance },
  });
}

/**
 * Claim: x1 correlates with y more strongly than x2 does (difference of correlations, paired bootstrap over
 * observations).
 */
export function claimCorrelationHigher(
  o: ResampledClaimOptions & {
    x1: Sample;
    x2: Sample;
    y: Sample;
    method?: 'spearman' | 'kendall';
    margin?: number;
    rope?: readonly [number, number];
    /** Display names of x1, x2 and y in `check`. */
    names?: readonly [string, string, string];
  },
): Verdict {
  const where = 'stats.claimCorrelationHigher';
  checkBase(o, where);
  checkRope(o.rope, where);
  const s = bootstrapSettings(o, where);
  const method = o.method ?? 'spearman';
  const margin = o.margin ?? 0;
  const [X1, X2, Y] = o.names ?? ['x1', 'x2', 'y'];
  const ci = correlationDifferenceCI(o.x1, o.x2, o.y, {
    correlation: method,
    reps: s.reps,
    level: s.level,
    method: s.method,
    rng: s.rng,
  });
  const n = o.y.length;
  const claimed: ClaimedRelation = { relation: '>', threshold: margin, rope: o.rope };
  const name = method === 'spearman' ? 'Spearman ρ' : 'Kendall τ-b';
  const details: Record<string, number | string> = {
    correlation: method,
    reps: ci.reps,
    ...intervalDetails(ci),
    nObservations: n,
  };
  if (o.rope) {
    details.ropeLo = o.rope[0];
    details.ropeHi = o.rope[1];
  }
  return makeVerdict(o, {
    check:
      `Claim: ${name}(${X1}, ${Y}) − ${name}(${X2}, ${Y}) > ${margin} over ${n} observations. ` +
      `${intervalName(ci, 'observations, resampled jointly')}; ` +
      `${ruleText(claimed, 'CI')}.${tooFew(n, MIN_CORRELATION_UNITS)}`,
    status: decide(ci.lo, ci.hi, claimed, n, MIN_CORRELATION_UNITS),
    estimate: ci.estimate,
    lo: ci.lo,
    hi: ci.hi,
    level: s.level,
    nSeeds: n,
    details,
  });
}

/**
 * Claim: at least `fraction` of cases succeed (e.g. every observed regret lies within the bound).
 * fraction < 1: exact binomial interval (Clopper–Pearson by default) on the success rate;
 * fraction = 1: a universal claim, checked exactly on the observed cases (one failure refutes it).
 */
export function claimFractionAtLeast(
  o: ClaimOptions & { successes: readonly boolean[]; fraction: number; proportionInterval?: ProportionInterval },
): Verdict {
  const where = 'stats.claimFractionAtLeast';
  checkBase(o, where);
  const n = o.successes.length;
  if (n === 0) throw new RangeError(`${where} (${o.claimId}): no cases; pass one boolean per case`);
  if (!(o.fraction > 0 && o.fraction <= 1))
    throw new RangeError(`${where}: fraction must be in (0, 1], got ${o.fraction}`);
  const k = o.successes.filter(Boolean).length;
  const level = o.level ?? 0.95;
  const pi = proportionCI(k, n, { level, method: o.proportionInterval ?? 'clopper-pearson' });
  const claimed: ClaimedRelation = { relation: '>=', threshold: o.fraction };
  const details: Record<string, number | string> = {
    successes: k,
    n,
    interval: pi.method,
    intervalLo: pi.lo,
    intervalHi: pi.hi,
    intervalLevel: level,
  };
  if (o.fraction === 1) {
    const p = k / n;
    return makeVerdict(o, {
      check:
        `Claim: all ${n} cases succeed (observed success rate ≥ 1; exact statistic, interval = [rate, rate]). ` +
        `${ruleText(claimed, 'interval')} — i.e. reproduced iff every case succeeds, not reproduced if any fails.`,
      status: applyDecisionRule(p, p, claimed),
      estimate: p,
      lo: p,
      hi: p,
      level: 1,
      nSeeds: n,
      details,
    });
  }
  const pct = Math.round(level * 1000) / 10;
  return makeVerdict(o, {
    check:
      `Claim: success rate ≥ ${o.fraction} (${k}/${n} observed). ` +
      `${pct}% ${pi.method === 'wilson' ? 'Wilson score' : 'Clopper–Pearson'} interval of the proportion; ` +
      `${ruleText(claimed, 'interval')}.`,
    status: applyDecisionRule(pi.lo, pi.hi, claimed),
    estimate: pi.estimate,
    lo: pi.lo,
    hi: pi.hi,
    level,
    nSeeds: n,
    details,
  });
}
