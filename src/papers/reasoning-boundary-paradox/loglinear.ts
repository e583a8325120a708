/**
 * The reasoning-boundary miniature (Nguyen et al. 2025): a shared-parameter log-linear answer policy
 * (rlvr/policies/log-linear.ts) over problems solved by shared "strategies" (rlvr/env/strategy-world.ts),
 * trained by GRPO on all problems, by GRPO with the paper's SELF curation (drop problems whose greedy
 * answer is already correct), and by GRPO with uniform (off-policy) sampling as a diagnostic of the role
 * of on-policy sampling (rlvr/loops/log-linear-grpo.ts). Everything is
 * measured exactly: p_q, pass@k = 1 − (1 − p_q)^k on the training set and on a held-out set from the
 * same distribution, per-problem change of the correct-solution log-likelihood against its base value
 * (winner-take-all), and the per-update interference on held-out problems (never trained on).
 * Task entry point: `runSeed(config, seed)`; one record holds all methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import {
  REASONING_BOUNDARY_WORLD,
  checkStrategyWorld,
  strategyDim,
  strategyProblems,
  type StrategyWorldConfig,
} from '../../testbeds/rlvr/env/strategy-world';
import {
  checkLogLinearTrainConfig,
  LOG_LINEAR_METHODS,
  trainLogLinear,
  type LogLinearMethod,
} from '../../testbeds/rlvr/loops/log-linear-grpo';
import { meanPassAtKExact } from '../../testbeds/rlvr/passk';
import { interference, logSuccess } from '../../testbeds/rlvr/policies/log-linear';
import { maskedMean, tercileMasks } from './likelihood';

export interface Config {
  /** The problem distribution: strategies, types, base popularity and features. */
  world: StrategyWorldConfig;
  /** Training problems (drawn per seed). */
  nTrain: number;
  /** Held-out problems from the same distribution, never trained on. */
  nHeldOut: number;
  /** Updates per method. */
  steps: number;
  /** SGD step size on θ. */
  lr: number;
  /** Problems per batch (B). */
  batchProblems: number;
  /** Responses per problem (G). */
  groupSize: number;
  /** Learning curves and interference are logged every logEvery updates (and at update 1). */
  logEvery: number;
  /** Methods, each from θ = 0 on the same problems. */
  methods: LogLinearMethod[];
  /** k's of the reported pass@k curves (each ≥ 1). */
  passKs: number[];
}

/** The full-profile miniature (the notebook overrides nTrain, nHeldOut and steps). */
export const DEFAULTS: Config = {
  world: REASONING_BOUNDARY_WORLD,
  nTrain: 1000,
  nHeldOut: 500,
  steps: 300,
  lr: 1,
  batchProblems: 64,
  groupSize: 8,
  logEvery: 20,
  methods: ['grpo', 'self', 'grpo-uniform'],
  passKs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
};

export function checkConfig(c: Config): void {
  const where = 'reasoning-boundary-paradox/loglinear';
  checkStrategyWorld(c.world);
  if (!Number.isInteger(c.nTrain) || c.nTrain < 3)
    throw new RangeError(`${where}: nTrain must be an integer ≥ 3 (terciles of base likelihood), got ${c.nTrain}`);
  if (!Number.isInteger(c.nHeldOut) || c.nHeldOut < 3)
    throw new RangeError(`${where}: nHeldOut must be an integer ≥ 3 (terciles of base likelihood), got ${c.nHeldOut}`);
  if (!Number.isInteger(c.logEvery) || c.logEvery < 1)
    throw new RangeError(`${where}: logEvery must be a positive integer, got ${c.logEvery}`);
  if (c.methods.length === 0)
    throw new RangeError(`${where}: methods is empty; use some of ${LOG_LINEAR_METHODS.join(', ')}`);
  for (const m of c.methods)
    checkLogLinearTrainConfig(
      { method: m, steps: c.steps, lr: c.lr, batchProblems: c.batchProblems, groupSize: c.groupSize },
      c.nTrain,
    );
  if (c.passKs.length === 0 || c.passKs.some((k) => !Number.isInteger(k) || k < 1))
    throw new RangeError(`${where}: passKs must be a non-empty list of integers ≥ 1, got [${c.passKs.join(', ')}]`);
}

function quantile(x: ArrayLike<number>, q: number): number {
  const s = Array.from(x).sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * One seed: every method from θ = 0 on the same training and held-out problems. Keys `method/metric`
 * with methods base (θ = 0), grpo, self, grpo-uniform and `all` for properties of the problem sets;
 * metric names say the set (`train`, `heldout`), e.g. base/heldout:pass@256, grpo/train:dlogp:low,
 * grpo/interf:low, self/keptFraction.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkConfig(c);
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
    metrics[metricKey('base', `train:pass@${k}`)] = meanPassAtKExact(p0Train, k);
    metrics[metricKey('base', `heldout:pass@${k}`)] = meanPassAtKExact(p0Held, k);
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
    metrics[metricKey('base', `train:p:${name}`)] = quantile(p0Train, q);
  }
  metrics[metricKey('base', 'train:lowTercileMaxP')] = Math.max(...Array.from(p0Train).filter((_, i) => tTrain.low[i]));
  metrics[metricKey('base', 'train:highTercileMinP')] = Math.min(
    ...Array.from(p0Train).filter((_, i) => tTrain.high[i]),
  );
  series[metricKey('base', 'train:logp')] = Array.from(lp0Train);
  series[metricKey('base', 'heldout:logp')] = Array.from(lp0Held);
  series[metricKey('all', 'train:validStrategy')] = Array.from(train.validStrategy);
  // Whether a problem's valid strategy is its type's main strategy (1) or a minority strategy (0).
  const mainOf = (set: typeof train) =>
    Uint8Array.from(set.validStrategy, (v, i) => (v === c.world.typeMainStrategy[set.type[i]] ? 1 : 0));
  const mainTrain = mainOf(train);
  const mainHeld = mainOf(held);
  const minorTrain = mainTrain.map((v) => 1 - v);
  const minorHeld = mainHeld.map((v) => 1 - v);
  series[metricKey('all', 'train:mainStrategy')] = Array.from(mainTrain);
  metrics[metricKey('all', 'train:minorFraction')] = maskedMean(minorTrain);
  metrics[metricKey('base', 'train:logp:main')] = maskedMean(lp0Train, mainTrain);
  metrics[metricKey('base', 'train:logp:minor')] = maskedMean(lp0Train, minorTrain);
  const hasMinor = minorHeld.some((v) => v === 1) && mainHeld.some((v) => v === 1);
  if (hasMinor) {
    metrics[metricKey('base', 'heldout:pass@256:main')] = meanPassAtKExact(p0Held, 256, mainHeld);
    metrics[metricKey('base', 'heldout:pass@256:minor')] = meanPassAtKExact(p0Held, 256, minorHeld);
  }

  for (const m of c.methods) {
    const t0 = Date.now();
    const cols: Record<string, number[]> = {
      step: [0],
      trainPass1: [metrics[metricKey('base', 'train:pass@1')]],
      heldPass1: [metrics[metricKey('base', 'heldout:pass@1')]],
      heldPass256: [meanPassAtKExact(p0Held, 256)],
      trainPass256: [meanPassAtKExact(p0Train, 256)],
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
    const thetaF = trainLogLinear(
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
        cols.trainPass1.push(meanPassAtKExact(pt, 1));
        cols.heldPass1.push(meanPassAtKExact(ph, 1));
        cols.heldPass256.push(meanPassAtKExact(ph, 256));
        cols.trainPass256.push(meanPassAtKExact(pt, 256));
      },
    );
    timings[metricKey(m, 'ms')] = Date.now() - t0;
    const lpT = logSuccess(train, thetaF);
    const lpH = logSuccess(held, thetaF);
    const pT = lpT.map(Math.exp);
    const pH = lpH.map(Math.exp);
    for (const k of c.passKs) {
      metrics[metricKey(m, `train:pass@${k}`)] = meanPassAtKExact(pT, k);
      metrics[metricKey(m, `heldout:pass@${k}`)] = meanPassAtKExact(pH, k);
    }
    const dT = lpT.map((v, i) => v - lp0Train[i]);
    const dH = lpH.map((v, i) => v - lp0Held[i]);
    metrics[metricKey(m, 'train:dlogp:low')] = maskedMean(dT, tTrain.low);
    metrics[metricKey(m, 'train:dlogp:high')] = maskedMean(dT, tTrain.high);
    metrics[metricKey(m, 'train:dlogp:all')] = maskedMean(dT);
    metrics[metricKey(m, 'heldout:dlogp:low')] = maskedMean(dH, tHeld.low);
    metrics[metricKey(m, 'heldout:dlogp:high')] = maskedMean(dH, tHeld.high);
    metrics[metricKey(m, 'train:dlogp:main')] = maskedMean(dT, mainTrain);
    metrics[metricKey(m, 'train:dlogp:minor')] = maskedMean(dT, minorTrain);
    if (hasMinor) {
      metrics[metricKey(m, 'heldout:pass@256:main')] = meanPassAtKExact(pH, 256, mainHeld);
      metrics[metricKey(m, 'heldout:pass@256:minor')] = meanPassAtKExact(pH, 256, minorHeld);
    }
    metrics[metricKey(m, 'train:fracDown')] = maskedMean(dT.map((v) => (v < 0 ? 1 : 0)));
    metrics[metricKey(m, 'train:fracDown:low')] = maskedMean(
      dT.map((v) => (v < 0 ? 1 : 0)),
      tTrain.low,
    );
    metrics[metricKey(m, 'heldout:fracDown')] = maskedMean(dH.map((v) => (v < 0 ? 1 : 0)));
    metrics[metricKey(m, 'interf:negFrac')] = maskedMean(icols.negFrac);
    metrics[metricKey(m, 'interf:low')] = maskedMean(icols.low);
    metrics[metricKey(m, 'interf:high')] = maskedMean(icols.high);
    metrics[metricKey(m, 'interf:firstOrderRelErr')] = maskedMean(icols.firstOrderRelErr);
    metrics[metricKey(m, 'keptFraction')] = keptN ? keptSum / keptN : NaN;
    metrics[metricKey(m, 'thetaNorm')] = Math.sqrt(thetaF.reduce((s, v) => s + v * v, 0));
    series[metricKey(m, 'train:logp')] = Array.from(lpT);
    series[metricKey(m, 'heldout:logp')] = Array.from(lpH);
    for (const [k, v] of Object.entries(cols)) series[metricKey(m, `curve:${k}`)] = v;
    for (const [k, v] of Object.entries(icols)) series[metricKey(m, `interf:${k}`)] = v;
  }
  return { metrics, series, timings };
}
