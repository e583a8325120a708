/**
 * The reasoning-boundary miniature (Nguyen et al. 2025): a shared-parameter log-linear answer policy
 * over problems solved by shared "strategies" (boundary.ts), trained by GRPO on all problems, by GRPO
 * with the paper's SELF curation (drop problems whose greedy answer is already correct), and by GRPO
 * with uniform (off-policy) sampling as a diagnostic of the role of on-policy sampling. Everything is
 * measured exactly: p_q, pass@k = 1 − (1 − p_q)^k on the training set and on a held-out set from the
 * same distribution, per-problem change of the correct-solution log-likelihood against its base value
 * (winner-take-all), and the per-update interference on held-out problems (never trained on).
 * Task entry point: `runBoundarySeed(config, seed)`; one record holds all methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  type BoundaryMethod,
  BOUNDARY_METHODS,
  type StrategyWorldConfig,
  checkStrategyWorld,
  checkTrainConfig,
  interference,
  logSuccess,
  meanPassAtK,
  strategyDim,
  strategyProblems,
  trainBoundary,
} from './boundary';

export interface BoundaryConfig {
  world: StrategyWorldConfig;
  nTrain: number;
  nHeldOut: number;
  steps: number;
  lr: number;
  batchProblems: number;
  groupSize: number;
  /** Learning curves and interference are logged every logEvery updates (and at update 1). */
  logEvery: number;
  methods: BoundaryMethod[];
  /** k's of the reported pass@k curves (each ≥ 1). */
  passKs: number[];
}

export function checkBoundaryConfig(c: BoundaryConfig): void {
  const where = 'rlvr.boundaryExperiment';
  checkStrategyWorld(c.world);
  if (!Number.isInteger(c.nTrain) || c.nTrain < 3)
    throw new RangeError(`${where}: nTrain must be an integer ≥ 3 (terciles of base likelihood), got ${c.nTrain}`);
  if (!Number.isInteger(c.nHeldOut) || c.nHeldOut < 3)
    throw new RangeError(`${where}: nHeldOut must be an integer ≥ 3 (terciles of base likelihood), got ${c.nHeldOut}`);
  if (!Number.isInteger(c.logEvery) || c.logEvery < 1)
    throw new RangeError(`${where}: logEvery must be a positive integer, got ${c.logEvery}`);
  if (c.methods.length === 0)
    throw new RangeError(`${where}: methods is empty; use some of ${BOUNDARY_METHODS.join(', ')}`);
  for (const m of c.methods)
    checkTrainConfig(
      { method: m, steps: c.steps, lr: c.lr, batchProblems: c.batchProblems, groupSize: c.groupSize },
      c.nTrain,
    );
  if (c.passKs.length === 0 || c.passKs.some((k) => !Number.isInteger(k) || k < 1))
    throw new RangeError(`${where}: passKs must be a non-empty list of integers ≥ 1, got [${c.passKs.join(', ')}]`);
}

/** Masks of the bottom and top thirds of a sample (by value; ties broken by index). */
export function tercileMasks(x: ArrayLike<number>): { low: Uint8Array; high: Uint8Array } {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const low = new Uint8Array(n);
  const high = new Uint8Array(n);
  const third = Math.floor(n / 3);
  for (let r = 0; r < third; r++) low[order[r]] = 1;
  for (let r = n - third; r < n; r++) high[order[r]] = 1;
  return { low, high };
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

function quantile(x: ArrayLike<number>, q: number): number {
  const s = Array.from(x).sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function runBoundarySeed(c: BoundaryConfig, seed: number): RunResult {
  checkBoundaryConfig(c);
  const root = new Rng(seed).split('reasoning-boundary');
  const train = strategyProblems(root.split('train'), c.world, c.nTrain);
  const held = strategyProblems(root.split('held-out'), c.world, c.nHeldOut);
  const theta0 = new Float64Array(strategyDim(c.world));
  const lp0Train = logSuccess(train, theta0);
  const lp0Held = logSuccess(held, theta0);
  const p0Train = lp0Train.map(Math.exp);
  const p0Held = lp0Held.map(Math.exp);
  const tTrain = tercileMasks(lp0Train);
  const tHeld = tercileMasks(lp0Held);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  for (const k of c.passKs) {
    metrics[`base:train:pass@${k}`] = meanPassAtK(p0Train, k);
    metrics[`base:held:pass@${k}`] = meanPassAtK(p0Held, k);
  }
  for (const [name, q] of [
    ['min', 0],
    ['q01', 0.01],
    ['q10', 0.1],
    ['median', 0.5],
    ['q90', 0.9],
    ['q99', 0.99],
    ['max', 1],
  ] as const) {
    metrics[`base:train:p:${name}`] = quantile(p0Train, q);
  }
  metrics['base:train:lowTercileMaxP'] = Math.max(...Array.from(p0Train).filter((_, i) => tTrain.low[i]));
  metrics['base:train:highTercileMinP'] = Math.min(...Array.from(p0Train).filter((_, i) => tTrain.high[i]));
  series['base:train:logp'] = Array.from(lp0Train);
  series['base:held:logp'] = Array.from(lp0Held);
  series['train:validStrategy'] = Array.from(train.validStrategy);
  // Whether a problem's valid strategy is its type's main strategy (1) or a minority strategy (0).
  const mainOf = (set: typeof train) =>
    Uint8Array.from(set.validStrategy, (v, i) => (v === c.world.typeMainStrategy[set.type[i]] ? 1 : 0));
  const mainTrain = mainOf(train);
  const mainHeld = mainOf(held);
  const minorTrain = mainTrain.map((v) => 1 - v);
  const minorHeld = mainHeld.map((v) => 1 - v);
  series['train:mainStrategy'] = Array.from(mainTrain);
  metrics['train:minorFraction'] = maskedMean(minorTrain);
  metrics['base:train:logp:main'] = maskedMean(lp0Train, mainTrain);
  metrics['base:train:logp:minor'] = maskedMean(lp0Train, minorTrain);
  const hasMinor = minorHeld.some((v) => v === 1) && mainHeld.some((v) => v === 1);
  if (hasMinor) {
    metrics['base:held:pass@256:main'] = meanPassAtK(p0Held, 256, mainHeld);
    metrics['base:held:pass@256:minor'] = meanPassAtK(p0Held, 256, minorHeld);
  }

  for (const m of c.methods) {
    const t0 = Date.now();
    const cols: Record<string, number[]> = {
      step: [0],
      trainPass1: [metrics['base:train:pass@1']],
      heldPass1: [metrics['base:held:pass@1']],
      heldPass256: [meanPassAtK(p0Held, 256)],
      trainPass256: [meanPassAtK(p0Train, 256)],
    };
    const icols: Record<string, number[]> = {
      step: [],
      negFrac: [],
      low: [],
      high: [],
      firstOrderRelErr: [],
      keptFraction: [],
    };
    let keptSum = 0;
    let keptN = 0;
    let keptWindow = 0;
    let keptWindowN = 0;
    const thetaF = trainBoundary(
      train,
      theta0,
      { method: m, steps: c.steps, lr: c.lr, batchProblems: c.batchProblems, groupSize: c.groupSize },
      root.split(m),
      (s) => {
        const kept = s.batch.problems.length / c.batchProblems;
        keptSum += kept;
        keptN++;
        keptWindow += kept;
        keptWindowN++;
        if (s.t % c.logEvery !== 0 && s.t !== 1) return;
        // Interference of this update on the held-out problems (none of them is ever in a batch).
        const inf = interference(held, s.thetaBefore, s.direction, c.lr);
        let neg = 0;
        let absErr = 0;
        let absEx = 0;
        for (let q = 0; q < held.nProblems; q++) {
          if (inf.exact[q] < 0) neg++;
          absErr += Math.abs(inf.exact[q] - inf.firstOrder[q]);
          absEx += Math.abs(inf.exact[q]);
        }
        icols.step.push(s.t);
        icols.negFrac.push(neg / held.nProblems);
        icols.low.push(maskedMean(inf.exact, tHeld.low));
        icols.high.push(maskedMean(inf.exact, tHeld.high));
        icols.firstOrderRelErr.push(absEx > 0 ? absErr / absEx : 0);
        icols.keptFraction.push(keptWindow / keptWindowN);
        keptWindow = 0;
        keptWindowN = 0;
        const pt = logSuccess(train, s.thetaAfter).map(Math.exp);
        const ph = logSuccess(held, s.thetaAfter).map(Math.exp);
        cols.step.push(s.t);
        cols.trainPass1.push(meanPassAtK(pt, 1));
        cols.heldPass1.push(meanPassAtK(ph, 1));
        cols.heldPass256.push(meanPassAtK(ph, 256));
        cols.trainPass256.push(meanPassAtK(pt, 256));
      },
    );
    timings[`${m}:ms`] = Date.now() - t0;
    const lpT = logSuccess(train, thetaF);
    const lpH = logSuccess(held, thetaF);
    const pT = lpT.map(Math.exp);
    const pH = lpH.map(Math.exp);
    for (const k of c.passKs) {
      metrics[`${m}:train:pass@${k}`] = meanPassAtK(pT, k);
      metrics[`${m}:held:pass@${k}`] = meanPassAtK(pH, k);
    }
    const dT = lpT.map((v, i) => v - lp0Train[i]);
    const dH = lpH.map((v, i) => v - lp0Held[i]);
    metrics[`${m}:train:dlogp:low`] = maskedMean(dT, tTrain.low);
    metrics[`${m}:train:dlogp:high`] = maskedMean(dT, tTrain.high);
    metrics[`${m}:train:dlogp:all`] = maskedMean(dT);
    metrics[`${m}:held:dlogp:low`] = maskedMean(dH, tHeld.low);
    metrics[`${m}:held:dlogp:high`] = maskedMean(dH, tHeld.high);
    metrics[`${m}:train:dlogp:main`] = maskedMean(dT, mainTrain);
    metrics[`${m}:train:dlogp:minor`] = maskedMean(dT, minorTrain);
    if (hasMinor) {
      metrics[`${m}:held:pass@256:main`] = meanPassAtK(pH, 256, mainHeld);
      metrics[`${m}:held:pass@256:minor`] = meanPassAtK(pH, 256, minorHeld);
    }
    metrics[`${m}:train:fracDown`] = maskedMean(dT.map((v) => (v < 0 ? 1 : 0)));
    metrics[`${m}:train:fracDown:low`] = maskedMean(
      dT.map((v) => (v < 0 ? 1 : 0)),
      tTrain.low,
    );
    metrics[`${m}:held:fracDown`] = maskedMean(dH.map((v) => (v < 0 ? 1 : 0)));
    metrics[`${m}:interf:negFrac`] = maskedMean(icols.negFrac);
    metrics[`${m}:interf:low`] = maskedMean(icols.low);
    metrics[`${m}:interf:high`] = maskedMean(icols.high);
    metrics[`${m}:interf:firstOrderRelErr`] = maskedMean(icols.firstOrderRelErr);
    metrics[`${m}:keptFraction`] = keptN ? keptSum / keptN : NaN;
    metrics[`${m}:thetaNorm`] = Math.sqrt(thetaF.reduce((s, v) => s + v * v, 0));
    series[`${m}:train:logp`] = Array.from(lpT);
    series[`${m}:held:logp`] = Array.from(lpH);
    for (const [k, v] of Object.entries(cols)) series[`${m}:curve:${k}`] = v;
    for (const [k, v] of Object.entries(icols)) series[`${m}:interf:${k}`] = v;
  }
  return { metrics, series, timings };
}
