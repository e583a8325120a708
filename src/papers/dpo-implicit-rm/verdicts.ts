/**
 * The one verdict of the dpo-implicit-rm notebook that the shared checks of src/stats/verdict.ts do not cover:
 * the paper's "maximum drop" — the largest, over the evaluation settings, of the mean (over seeds) accuracy
 * gap EXRM − DPORM — compared with a threshold. The statistic is a maximum over settings of means over seeds,
 * so the bootstrap resamples whole seeds (every setting of a seed together) and recomputes the maximum.
 */
import { bootstrapCI } from '../../stats/bootstrap';
import { applyDecisionRule, MIN_UNITS, type Verdict } from '../../stats/verdict';
import type { Profile } from '../../core/params';
import type { Rng } from '../../core/rng';

/**
 * The largest column mean of a seeds × settings matrix: max_k (1/n) Σ_i gaps[i][k].
 * `rows` lists the seeds (row indices) to use, with repetition (a bootstrap replicate).
 */
export function maxColumnMean(gaps: readonly (readonly number[])[], rows: ArrayLike<number>): number {
  const K = gaps[0].length;
  let best = -Infinity;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < rows.length; j++) s += gaps[rows[j]][k];
    best = Math.max(best, s / rows.length);
  }
  return best;
}

/**
 * Claim: the largest per-setting mean gap exceeds `threshold`. `gaps[i][k]` is seed i's gap on setting k
 * (paired by seed). 95% expanded-percentile bootstrap interval over seeds (Hesterberg 2015), the interval
 * the shared checks use; DECISION_RULE of src/stats/verdict.ts decides.
 */
export function claimMaxGapAbove(o: {
  claimId: string;
  claim: string;
  profile: Profile;
  gaps: readonly (readonly number[])[];
  settings: readonly string[];
  threshold: number;
  rng: Rng;
  reps?: number;
  level?: number;
}): Verdict {
  const n = o.gaps.length;
  if (n === 0 || o.gaps.some((r) => r.length !== o.settings.length || r.some((x) => !Number.isFinite(x))))
    throw new RangeError(
      `claimMaxGapAbove (${o.claimId}): gaps must be a seeds × settings matrix of finite numbers ` +
        `(${o.settings.length} settings per seed)`,
    );
  const level = o.level ?? 0.95;
  const reps = o.reps ?? 4000;
  const seeds = Array.from({ length: n }, (_, i) => i);
  const ci = bootstrapCI(seeds, (x) => maxColumnMean(o.gaps, x), { reps, level, method: 'expanded', rng: o.rng });
  const claimed = { relation: '>' as const, threshold: o.threshold };
  const status = n < MIN_UNITS ? 'inconclusive' : applyDecisionRule(ci.lo, ci.hi, claimed);
  const means = o.settings.map((_, k) => o.gaps.reduce((s, r) => s + r[k], 0) / n);
  const argmax = means.indexOf(Math.max(...means));
  const e = ci.expansion;
  const iv =
    `${Math.round(level * 1000) / 10}% expanded-percentile bootstrap CI (Hesterberg 2015; ` +
    (e
      ? `quantiles ${(e.tail * 100).toFixed(3)}% and ${((1 - e.tail) * 100).toFixed(3)}% from t with ${e.df} df; `
      : '') +
    `${ci.reps} replicates over seeds, each replicate recomputing the maximum over the ${o.settings.length} settings)`;
  const smoke = o.profile === 'smoke';
  const check =
    `Claim: max over settings (${o.settings.join(', ')}) of the mean over ${n} seeds of the paired gap > ` +
    `${o.threshold}. ${iv}; reproduced iff the whole CI is > ${o.threshold}; not reproduced iff it is wholly ≤ ` +
    `${o.threshold}; otherwise inconclusive.` +
    (n < MIN_UNITS ? ` Only ${n} unit(s) observed (< ${MIN_UNITS}): inconclusive by rule.` : '');
  return {
    claimId: o.claimId,
    claim: o.claim,
    check: smoke ? `${check} [smoke profile: not evidence]` : check,
    status,
    estimate: ci.estimate,
    lo: ci.lo,
    hi: ci.hi,
    level,
    nSeeds: n,
    profile: o.profile,
    evidence: !smoke,
    details: {
      argmaxSetting: o.settings[argmax],
      reps: ci.reps,
      interval: ci.method,
      ...(e && Number.isFinite(e.tail) && Number.isFinite(e.df) ? { intervalTail: e.tail, intervalDf: e.df } : {}),
    },
  };
}
