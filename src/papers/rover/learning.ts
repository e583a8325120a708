/**
 * ROVER vs GRPO, PPO and REINFORCE on the digit-sequence task (He et al. 2025; testbed:
 * rlvr/env/digit-sequences.ts, rlvr/loops/sequence-policy.ts, rlvr/methods/rover.ts), all methods from
 * the same random "base model" prior and with the same number of samples and gradient steps.
 * Task entry point: `runSeed(config, seed)`; one record holds all methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { digitTask, exactEval, sampleEval, statesPerPrompt } from '../../testbeds/rlvr/env/digit-sequences';
import {
  sampleSeqBatch,
  updateOnBatch,
  type SequenceMethod,
  type SequenceTrainConfig,
} from '../../testbeds/rlvr/loops/sequence-policy';
import { meanPassAtK, meanPassAtKPow } from '../../testbeds/rlvr/passk';
import { grpoAdvantages } from '../../testbeds/rlvr/methods/grpo';

/** The training run (rlvr/loops/sequence-policy.ts `SequenceTrainConfig`, documented there) and the task. */
export interface Config extends SequenceTrainConfig {
  /** Prompts of the digit task. */
  nPrompts: number;
  /** Sequence length. */
  L: number;
  /** Prompt q bans q mod (maxBanned + 1) digits (difficulty). */
  maxBanned: number;
  /** Base-model prior: initial logits ~ N(0, priorScale²) per state and token. */
  priorScale: number;
  evalEvery: number;
  /** Samples per prompt for the final sampled evaluation (unbiased pass@k, distinct correct sequences). */
  evalSamples: number;
  /** k's of the reported pass@k. */
  passKs: number[];
  /** Methods, each from the same prior on the same prompts. */
  methods: SequenceMethod[];
  /**
   * Matched advantage scaling: when true, ROVER and REINFORCE see the group-standardised rewards
   * (r − mean) / (std + 1e-6) (unbiased std, GRPO's normalisation), so that all three group-baseline
   * methods work on the same advantage scale; PPO keeps its batch-whitened advantages. When false,
   * ROVER and REINFORCE use r − mean and GRPO alone is standardised.
   */
  groupStdNormalise: boolean;
  /** Per-method step sizes in the order of `methods` (overrides `lr`); absent: `lr` for every method. */
  lrs?: number[];
}

/** The full-profile run (the notebook overrides nPrompts and steps). */
export const DEFAULTS: Config = {
  nPrompts: 36,
  L: 8,
  maxBanned: 5,
  priorScale: 1.5,
  steps: 300,
  groupSize: 8,
  epochs: 4,
  lr: 1,
  clip: 0.2,
  rho: 1,
  criticLr: 0.1,
  evalEvery: 10,
  evalSamples: 256,
  passKs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  methods: ['rover', 'grpo', 'ppo', 'reinforce'],
  groupStdNormalise: true,
};

/**
 * The batch with every group's rewards standardised as GRPO does ((r − mean) / (std + 1e-6), unbiased
 * std); a group with equal rewards becomes all zeros. With these rewards, REINFORCE's r − mean and
 * ROVER's centred reward are GRPO's advantages.
 */
export function standardiseGroupRewards<T extends { G: number; rewards: Float64Array }>(batch: T): T {
  const out = new Float64Array(batch.rewards.length);
  for (let off = 0; off < out.length; off += batch.G)
    grpoAdvantages(batch.rewards, off, batch.G, out, 'unbiased', 1e-6);
  return { ...batch, rewards: out };
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/**
 * One seed: every method from the same prior. Keys `method/metric` with the methods and `base` (the
 * prior): pass@k (unbiased, from evalSamples samples per prompt), exactPass@k, exactPass1, entropy (per
 * token), distinctCorrect, distinctFraction, solvedPrompts; series per method: step, pass1, entropy,
 * exactPass@k (at each evaluation), clipped, roverLoss, finalPerPromptP, finalDistinct. Timings
 * `<method>/trainMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('rover');
  const task = digitTask(c.nPrompts, c.L, c.maxBanned);
  const nLogits = c.nPrompts * statesPerPrompt(task) * task.V;
  const z0 = root.split('prior').normals(nLogits, 0, c.priorScale);
  const prompts = Int32Array.from({ length: c.nPrompts }, (_, q) => q);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const samples = new Int32Array(c.nPrompts).fill(c.evalSamples);
  // The sampled (unbiased pass@k, distinct correct strings) and exact evaluation of a final policy.
  const finalMetrics = (
    m: string,
    ev: { correct: Int32Array; distinctCorrect: Int32Array },
    ex: { p: Float64Array; entropy: Float64Array },
  ) => {
    const key = (metric: string) => metricKey(m, metric);
    for (const k of c.passKs) {
      metrics[key(`pass@${k}`)] = meanPassAtK(samples, ev.correct, k);
      metrics[key(`exactPass@${k}`)] = meanPassAtKPow(ex.p, k);
    }
    metrics[key('distinctCorrect')] = mean(ev.distinctCorrect);
    metrics[key('distinctFraction')] = mean(ev.distinctCorrect) / c.evalSamples;
    metrics[key('solvedPrompts')] = Array.from(ev.correct).filter((x) => x > 0).length / c.nPrompts;
    metrics[key('entropy')] = mean(ex.entropy) / c.L;
    metrics[key('exactPass1')] = mean(ex.p);
  };
  const record = (m: string, cols: Record<string, number[]>, z: Float64Array, step: number) => {
    const ev = exactEval(task, z);
    cols.step.push(step);
    cols.pass1.push(mean(ev.p));
    cols.entropy.push(mean(ev.entropy) / c.L);
    for (const k of c.passKs) cols[`exactPass@${k}`].push(meanPassAtKPow(ev.p, k));
  };
  if (c.lrs && c.lrs.length !== c.methods.length)
    throw new RangeError(`rover.learning: lrs has ${c.lrs.length} entries for ${c.methods.length} methods`);
  c.methods.forEach((m, i) => {
    const t0 = Date.now();
    const cm: Config = { ...c, lr: c.lrs ? c.lrs[i] : c.lr };
    const standardise = c.groupStdNormalise && (m === 'rover' || m === 'reinforce');
    const rng = root.split(m);
    const z = Float64Array.from(z0);
    const critic = new Float64Array(nLogits / task.V);
    const cols: Record<string, number[]> = { step: [], pass1: [], entropy: [], clipped: [], roverLoss: [] };
    for (const k of c.passKs) cols[`exactPass@${k}`] = [];
    record(m, cols, z, 0);
    let clippedSum = 0;
    let lossSum = 0;
    let nSince = 0;
    for (let s = 1; s <= c.steps; s++) {
      const zOld = Float64Array.from(z);
      const sampled = sampleSeqBatch(rng.split(s), task, z, prompts, c.groupSize);
      const batch = standardise ? standardiseGroupRewards(sampled) : sampled;
      const d = updateOnBatch(task, z, zOld, batch, m, cm, critic);
      clippedSum += d.clippedFraction;
      lossSum += d.roverLoss;
      nSince++;
      if (s % c.evalEvery === 0 || s === c.steps) {
        record(m, cols, z, s);
        cols.clipped.push(clippedSum / nSince);
        cols.roverLoss.push(lossSum / nSince);
        clippedSum = lossSum = nSince = 0;
      }
    }
    const ev = sampleEval(rng.split('eval'), task, z, c.evalSamples);
    const ex = exactEval(task, z);
    finalMetrics(m, ev, ex);
    for (const [k, v] of Object.entries(cols)) series[metricKey(m, k)] = v;
    series[metricKey(m, 'finalPerPromptP')] = Array.from(ex.p);
    series[metricKey(m, 'finalDistinct')] = Array.from(ev.distinctCorrect);
    timings[metricKey(m, 'trainMs')] = Date.now() - t0;
  });
  // The base model (the shared prior), evaluated the same way.
  const ev0 = sampleEval(root.split('eval-base'), task, z0, c.evalSamples);
  const ex0 = exactEval(task, z0);
  finalMetrics('base', ev0, ex0);
  series[metricKey('base', 'finalPerPromptP')] = Array.from(ex0.p);
  return { metrics, series, timings };
}
