/**
 * The reasoning-boundary experiment (Nguyen et al. 2025) on the GRU base model (testbed loop:
 * rlvr/loops/gru-rl.ts): GRPO on all training problems vs GRPO with the paper's SELF curation
 * (`curate: 'drop-greedy-solved'`, rlvr/methods/self-curation.ts: drop the batch problems the current
 * model already answers correctly by greedy decoding), both from the same base model on the same
 * problems of one seed. Everything is exact (teacher-forced P(correct)): pass@k = 1 − (1 − p_q)^k before
 * and after on the training and held-out sets, and the per-problem change of the correct-answer
 * log-likelihood against its base value, by tercile of base likelihood (winner-take-all) and by operand
 * size. Metric names follow loglinear.ts so the log-linear and GRU sections of the notebook compare key
 * by key. Task entry point: `runSeed(config, seed)`; one record holds both methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { promptLength } from '../../testbeds/rlvr/env/addition';
import { runGruRlSeed, type GruRlConfig } from '../../testbeds/rlvr/loops/gru-rl';
import { threadEngine } from '../../nn/thread-engine';
import { meanPassAtKPow } from '../../testbeds/rlvr/passk';
import { baseModel, DEFAULT_BASE_MODEL, exactSuccess, randomProblems } from '../../testbeds/rlvr/policies/base-model';
import { likelihoodChange, maskedMean, safeLog, tercileMasks } from './likelihood';

export type Method = 'grpo' | 'self';
export const METHODS: readonly Method[] = ['grpo', 'self'];

export interface Config {
  /** The RL run shared by every method (rlvr/loops/gru-rl.ts `GruRlConfig`; its `curate` is set per method). */
  rl: Omit<GruRlConfig, 'curate'>;
  /** GRPO on all problems ('grpo') and with SELF curation ('self'). */
  methods: Method[];
}

/** The full-profile run (the notebook varies rl.steps). */
export const DEFAULTS: Config = {
  rl: {
    digits: [2, 3],
    nTrain: 256,
    nHeldOut: 256,
    steps: 300,
    batchPrompts: 32,
    groupSize: 8,
    lr: 1e-3,
    advantage: { kind: 'grpo' },
    aggregation: 'token-mean',
    evalEvery: 25,
    passKs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  },
  methods: ['grpo', 'self'],
};

const CURATION: Record<Method, GruRlConfig['curate']> = { grpo: 'none', self: 'drop-greedy-solved' };

export function checkConfig(c: Config): void {
  const where = 'reasoning-boundary-paradox/gru';
  if (!Number.isInteger(c.rl.nTrain) || c.rl.nTrain < 3)
    throw new RangeError(
      `${where}: rl.nTrain must be an integer ≥ 3 (terciles of base likelihood), got ${c.rl.nTrain}`,
    );
  if (!Number.isInteger(c.rl.nHeldOut) || c.rl.nHeldOut < 3)
    throw new RangeError(
      `${where}: rl.nHeldOut must be an integer ≥ 3 (terciles of base likelihood), got ${c.rl.nHeldOut}`,
    );
  if (c.methods.length === 0 || c.methods.some((m) => !METHODS.includes(m)))
    throw new RangeError(
      `${where}: methods must be a non-empty list of ${METHODS.join(', ')}, got [${c.methods.join(', ')}]`,
    );
  if (c.rl.passKs.length === 0 || c.rl.passKs.some((k) => !Number.isInteger(k) || k < 1))
    throw new RangeError(
      `${where}: rl.passKs must be a non-empty list of integers ≥ 1, got [${c.rl.passKs.join(', ')}]`,
    );
}

/**
 * One seed: every method from the same base model on the same training / held-out problems
 * (loops/gru-rl.ts draws them from the seed alone). Keys `method/metric` with the names of loglinear.ts
 * (base and the methods; `train`/`heldout`, `pass@k`, `dlogp:low|high|all`, `fracDown:low`,
 * `keptFraction`), plus a split by operand size (`d2`/`d3`: the smallest vs the largest size).
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkConfig(c);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  // The problem sets, regenerated as loops/gru-rl.ts draws them, to label problems by operand size; checked
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
  const baseLogp = Array.from(p0Train, safeLog);
  series[metricKey('all', 'train:bigDigits')] = isBigTrain;
  series[metricKey('base', 'train:logp')] = baseLogp;
  for (const k of c.rl.passKs) {
    metrics[metricKey('base', `train:pass@${k}`)] = meanPassAtKPow(p0Train, k);
    metrics[metricKey('base', `heldout:pass@${k}`)] = meanPassAtKPow(p0Held, k);
  }
  const tTrain = tercileMasks(baseLogp);
  const quant = (xs: ArrayLike<number>, q: number) =>
    Array.from(xs).sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const baseKey = (metric: string) => metricKey('base', metric);
  metrics[baseKey('train:p:q10')] = quant(p0Train, 0.1);
  metrics[baseKey('train:p:median')] = quant(p0Train, 0.5);
  metrics[baseKey('train:p:q90')] = quant(p0Train, 0.9);
  metrics[baseKey('train:lowTercileMaxP')] = Math.max(...Array.from(p0Train).filter((_, i) => tTrain.low[i]));
  metrics[baseKey('train:highTercileMinP')] = Math.min(...Array.from(p0Train).filter((_, i) => tTrain.high[i]));
  metrics[metricKey('all', 'train:lowTercileBigFraction')] = maskedMean(isBigTrain, tTrain.low);
  metrics[baseKey('train:logp:d2')] = maskedMean(
    baseLogp,
    isBigTrain.map((v) => 1 - v),
  );
  metrics[baseKey('train:logp:d3')] = maskedMean(baseLogp, isBigTrain);
  for (const m of c.methods) {
    const key = (metric: string) => metricKey(m, metric);
    const t0 = Date.now();
    const r = runGruRlSeed({ ...c.rl, curate: CURATION[m] }, seed, m);
    timings[key('ms')] = Date.now() - t0;
    const s = r.series ?? {};
    const pb = s[baseKey('p:train')],
      pbH = s[baseKey('p:heldout')],
      pf = s[key('p:train')],
      pfH = s[key('p:heldout')];
    // Exact on the kit's wasm engine; on a tfjs engine the run's copy of the base model differs by float32 rounding
    // (a different problem draw would differ by far more than either bound).
    const tol = threadEngine('reasoning-boundary-paradox/gru') ? 1e-5 : 1e-9;
    for (let i = 0; i < pb.length; i++)
      if (Math.abs(pb[i] - p0Train[i]) > tol * Math.max(1, p0Train[i]))
        throw new Error(
          `reasoning-boundary-paradox/gru: regenerated training problem ${i} has base success ${p0Train[i]} ` +
            `but the run reports ${pb[i]}; loops/gru-rl.ts no longer draws problems as this module assumes`,
        );
    for (const k of c.rl.passKs) {
      metrics[key(`train:pass@${k}`)] = r.metrics[key(`train:pass@${k}`)];
      metrics[key(`heldout:pass@${k}`)] = r.metrics[key(`heldout:pass@${k}`)];
    }
    const dT = likelihoodChange(pb, pf, isBigTrain);
    const dH = likelihoodChange(pbH, pfH, isBigHeld);
    metrics[key('train:dlogp:low')] = dT.low;
    metrics[key('train:dlogp:high')] = dT.high;
    metrics[key('train:dlogp:all')] = dT.all;
    metrics[key('train:dlogp:d2')] = dT.group0;
    metrics[key('train:dlogp:d3')] = dT.group1;
    metrics[key('heldout:dlogp:low')] = dH.low;
    metrics[key('heldout:dlogp:high')] = dH.high;
    metrics[key('heldout:dlogp:all')] = dH.all;
    metrics[key('heldout:dlogp:d2')] = dH.group0;
    metrics[key('heldout:dlogp:d3')] = dH.group1;
    metrics[key('train:fracDown')] = dT.fracDown;
    metrics[key('train:fracDown:low')] = dT.fracDownLow;
    metrics[key('heldout:fracDown')] = dH.fracDown;
    metrics[key('heldout:fracDown:low')] = dH.fracDownLow;
    for (const [tag, mask] of [
      ['d2', isBigHeld.map((v) => 1 - v)],
      ['d3', isBigHeld],
    ] as const) {
      const sel = (p: ArrayLike<number>) => Array.from(p).filter((_, i) => mask[i]);
      metrics[baseKey(`heldout:pass@256:${tag}`)] = meanPassAtKPow(sel(pbH), 256);
      metrics[key(`heldout:pass@256:${tag}`)] = meanPassAtKPow(sel(pfH), 256);
      metrics[baseKey(`heldout:pass@1:${tag}`)] = meanPassAtKPow(sel(pbH), 1);
      metrics[key(`heldout:pass@1:${tag}`)] = meanPassAtKPow(sel(pfH), 1);
    }
    const kept = s[key('curatedBatch')];
    metrics[key('keptFraction')] = kept ? maskedMean(kept) / Math.min(c.rl.batchPrompts, c.rl.nTrain) : 1;
    metrics[key('entropy:first')] = r.metrics[key('entropy:first')];
    metrics[key('entropy:final')] = r.metrics[key('entropy:final')];
    series[key('train:logp')] = Array.from(pf, safeLog);
    series[key('curve:step')] = s[key('step')];
    for (const [curve, name] of [
      ['heldout:pass@1', 'heldPass1'],
      ['heldout:pass@256', 'heldPass256'],
      ['train:pass@1', 'trainPass1'],
      ['train:pass@256', 'trainPass256'],
    ]) {
      if (s[key(curve)]) series[key(`curve:${name}`)] = s[key(curve)];
    }
    series[key('reward')] = s[key('reward')];
    if (kept) series[key('curatedBatch')] = kept;
  }
  return { metrics, series, timings };
}
