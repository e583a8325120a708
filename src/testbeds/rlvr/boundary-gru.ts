/**
 * The reasoning-boundary experiment (Nguyen et al. 2025) on the GRU base model (gru-rl.ts): GRPO on
 * all training problems vs GRPO with the paper's SELF curation (`curate: 'drop-greedy-solved'`: drop
 * the batch problems the current model already answers correctly by greedy decoding), both from the
 * same base model on the same problems of one seed. Everything is exact (teacher-forced P(correct)):
 * pass@k = 1 − (1 − p_q)^k before and after on the training and held-out sets, and the per-problem
 * change of the correct-answer log-likelihood against its base value, by tercile of base likelihood
 * (winner-take-all) and by operand size. Metric names follow boundary-experiment.ts so the log-linear
 * and GRU sections of the notebook compare key by key.
 * Task entry point: `runGruBoundarySeed(config, seed)`; one record holds both methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { promptLength } from './addition';
import { baseModel, DEFAULT_BASE_MODEL, exactSuccess, randomProblems } from './base-model';
import { tercileMasks } from './boundary-experiment';
import { meanPassAtK, runGruRlSeed, type GruRlConfig } from './gru-rl';

export type GruBoundaryMethod = 'grpo' | 'self';
export const GRU_BOUNDARY_METHODS: readonly GruBoundaryMethod[] = ['grpo', 'self'];

export interface GruBoundaryConfig {
  /** The RL run shared by every method (its `curate` is set per method). */
  rl: Omit<GruRlConfig, 'curate'>;
  methods: GruBoundaryMethod[];
}

const CURATION: Record<GruBoundaryMethod, GruRlConfig['curate']> = { grpo: 'none', self: 'drop-greedy-solved' };

export function checkGruBoundaryConfig(c: GruBoundaryConfig): void {
  const where = 'rlvr.gruBoundaryExperiment';
  if (!Number.isInteger(c.rl.nTrain) || c.rl.nTrain < 3)
    throw new RangeError(
      `${where}: rl.nTrain must be an integer ≥ 3 (terciles of base likelihood), got ${c.rl.nTrain}`,
    );
  if (!Number.isInteger(c.rl.nHeldOut) || c.rl.nHeldOut < 3)
    throw new RangeError(
      `${where}: rl.nHeldOut must be an integer ≥ 3 (terciles of base likelihood), got ${c.rl.nHeldOut}`,
    );
  if (c.methods.length === 0 || c.methods.some((m) => !GRU_BOUNDARY_METHODS.includes(m)))
    throw new RangeError(
      `${where}: methods must be a non-empty list of ${GRU_BOUNDARY_METHODS.join(', ')}, got [${c.methods.join(', ')}]`,
    );
  if (c.rl.passKs.length === 0 || c.rl.passKs.some((k) => !Number.isInteger(k) || k < 1))
    throw new RangeError(
      `${where}: rl.passKs must be a non-empty list of integers ≥ 1, got [${c.rl.passKs.join(', ')}]`,
    );
}

/** log p, floored at 1e-300 so a probability that underflows to 0 stays finite. */
export function safeLog(p: number): number {
  return Math.log(Math.max(p, 1e-300));
}

function maskedMean(x: ArrayLike<number>, mask?: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (mask && !mask[i]) continue;
    s += x[i];
    n++;
  }
  return n ? s / n : NaN;
}

/**
 * Per-problem change of the correct-answer log-likelihood, Δ_q = log p_q(after) − log p_q(base),
 * summarised by tercile of base likelihood (bottom / top third, ties by index) and by a 0/1 group.
 */
export function likelihoodChange(
  pBase: ArrayLike<number>,
  pFinal: ArrayLike<number>,
  group?: ArrayLike<number>,
): {
  d: Float64Array;
  low: number;
  high: number;
  all: number;
  fracDown: number;
  fracDownLow: number;
  group0: number;
  group1: number;
} {
  if (pBase.length !== pFinal.length)
    throw new RangeError(`rlvr.likelihoodChange: ${pBase.length} base probabilities but ${pFinal.length} final ones`);
  const n = pBase.length;
  const lp0 = Float64Array.from({ length: n }, (_, i) => safeLog(pBase[i]));
  const d = Float64Array.from({ length: n }, (_, i) => safeLog(pFinal[i]) - lp0[i]);
  const t = tercileMasks(lp0);
  const down = Float64Array.from(d, (v) => (v < 0 ? 1 : 0));
  const g1 = group ? Uint8Array.from({ length: n }, (_, i) => (group[i] ? 1 : 0)) : null;
  const g0 = g1 ? Uint8Array.from(g1, (v) => 1 - v) : null;
  return {
    d,
    low: maskedMean(d, t.low),
    high: maskedMean(d, t.high),
    all: maskedMean(d),
    fracDown: maskedMean(down),
    fracDownLow: maskedMean(down, t.low),
    group0: g0 ? maskedMean(d, g0) : NaN,
    group1: g1 ? maskedMean(d, g1) : NaN,
  };
}

/**
 * One seed: every method from the same base model on the same training / held-out problems
 * (gru-rl.ts draws them from the seed alone). Metrics `base:*` and `<method>:*` with the key names of
 * boundary-experiment.ts (`train`/`held`, `pass@k`, `dlogp:low|high|all`, `fracDown:low`,
 * `keptFraction`), plus a split by operand size (`d2`/`d3`: the smallest vs the largest size).
 */
export function runGruBoundarySeed(c: GruBoundaryConfig, seed: number): RunResult {
  checkGruBoundaryConfig(c);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  // The problem sets, regenerated as gru-rl.ts draws them, to label problems by operand size; checked
  // below against the base success probabilities the run reports (a mismatch means gru-rl changed).
  const spec = c.rl.base ?? DEFAULT_BASE_MODEL;
  const root = new Rng(seed).split('gru-rl');
  const train = randomProblems(root.split('train-set'), c.rl.nTrain, c.rl.digits);
  const held = randomProblems(root.split('held-out-set'), c.rl.nHeldOut, c.rl.digits);
  const big = Math.max(...c.rl.digits);
  const isBigTrain = train.map((p) => (p.digits === big ? 1 : 0));
  const isBigHeld = held.map((p) => (p.digits === big ? 1 : 0));
  const P = promptLength(Math.max(...spec.digits));
  const base = baseModel(spec).model;
  const p0Train = exactSuccess(base, train, P);
  const p0Held = exactSuccess(base, held, P);
  base.releaseCaches();
  series['train:bigDigits'] = isBigTrain;
  series['base:train:logp'] = Array.from(p0Train, safeLog);
  for (const k of c.rl.passKs) {
    metrics[`base:train:pass@${k}`] = meanPassAtK(p0Train, k);
    metrics[`base:held:pass@${k}`] = meanPassAtK(p0Held, k);
  }
  const tTrain = tercileMasks(series['base:train:logp']);
  const quant = (xs: ArrayLike<number>, q: number) =>
    Array.from(xs).sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  metrics['base:train:p:q10'] = quant(p0Train, 0.1);
  metrics['base:train:p:median'] = quant(p0Train, 0.5);
  metrics['base:train:p:q90'] = quant(p0Train, 0.9);
  metrics['base:train:lowTercileMaxP'] = Math.max(...Array.from(p0Train).filter((_, i) => tTrain.low[i]));
  metrics['base:train:highTercileMinP'] = Math.min(...Array.from(p0Train).filter((_, i) => tTrain.high[i]));
  metrics['train:lowTercileBigFraction'] = maskedMean(isBigTrain, tTrain.low);
  metrics['base:train:logp:d2'] = maskedMean(
    series['base:train:logp'],
    isBigTrain.map((v) => 1 - v),
  );
  metrics['base:train:logp:d3'] = maskedMean(series['base:train:logp'], isBigTrain);
  for (const m of c.methods) {
    const t0 = Date.now();
    const r = runGruRlSeed({ ...c.rl, curate: CURATION[m] }, seed);
    timings[`${m}:ms`] = Date.now() - t0;
    const s = r.series ?? {};
    const pb = s['pBase:train'],
      pbH = s['pBase:heldout'],
      pf = s['pFinal:train'],
      pfH = s['pFinal:heldout'];
    for (let i = 0; i < pb.length; i++)
      if (Math.abs(pb[i] - p0Train[i]) > 1e-9 * Math.max(1, p0Train[i]))
        throw new Error(
          `rlvr.runGruBoundarySeed: regenerated training problem ${i} has base success ${p0Train[i]} but the run reports ${pb[i]}; gru-rl.ts no longer draws problems as this module assumes`,
        );
    for (const k of c.rl.passKs) {
      metrics[`${m}:train:pass@${k}`] = r.metrics[`final:train:pass@${k}`];
      metrics[`${m}:held:pass@${k}`] = r.metrics[`final:heldout:pass@${k}`];
    }
    const dT = likelihoodChange(pb, pf, isBigTrain);
    const dH = likelihoodChange(pbH, pfH, isBigHeld);
    metrics[`${m}:train:dlogp:low`] = dT.low;
    metrics[`${m}:train:dlogp:high`] = dT.high;
    metrics[`${m}:train:dlogp:all`] = dT.all;
    metrics[`${m}:train:dlogp:d2`] = dT.group0;
    metrics[`${m}:train:dlogp:d3`] = dT.group1;
    metrics[`${m}:held:dlogp:low`] = dH.low;
    metrics[`${m}:held:dlogp:high`] = dH.high;
    metrics[`${m}:held:dlogp:all`] = dH.all;
    metrics[`${m}:held:dlogp:d2`] = dH.group0;
    metrics[`${m}:held:dlogp:d3`] = dH.group1;
    metrics[`${m}:train:fracDown`] = dT.fracDown;
    metrics[`${m}:train:fracDown:low`] = dT.fracDownLow;
    metrics[`${m}:held:fracDown`] = dH.fracDown;
    metrics[`${m}:held:fracDown:low`] = dH.fracDownLow;
    for (const [tag, mask] of [
      ['d2', isBigHeld.map((v) => 1 - v)],
      ['d3', isBigHeld],
    ] as const) {
      const sel = (p: ArrayLike<number>) => Array.from(p).filter((_, i) => mask[i]);
      metrics[`base:held:pass@256:${tag}`] = meanPassAtK(sel(pbH), 256);
      metrics[`${m}:held:pass@256:${tag}`] = meanPassAtK(sel(pfH), 256);
      metrics[`base:held:pass@1:${tag}`] = meanPassAtK(sel(pbH), 1);
      metrics[`${m}:held:pass@1:${tag}`] = meanPassAtK(sel(pfH), 1);
    }
    const kept = s.curatedBatch;
    metrics[`${m}:keptFraction`] = kept ? maskedMean(kept) / Math.min(c.rl.batchPrompts, c.rl.nTrain) : 1;
    metrics[`${m}:first:entropy`] = r.metrics['first:entropy'];
    metrics[`${m}:final:entropy`] = r.metrics['final:entropy'];
    series[`${m}:train:logp`] = Array.from(pf, safeLog);
    series[`${m}:curve:step`] = s.step;
    for (const [key, name] of [
      ['heldout:pass@1', 'heldPass1'],
      ['heldout:pass@256', 'heldPass256'],
      ['train:pass@1', 'trainPass1'],
      ['train:pass@256', 'trainPass256'],
    ]) {
      if (s[key]) series[`${m}:curve:${name}`] = s[key];
    }
    series[`${m}:reward`] = s.reward;
    if (kept) series[`${m}:curatedBatch`] = kept;
  }
  return { metrics, series, timings };
}
