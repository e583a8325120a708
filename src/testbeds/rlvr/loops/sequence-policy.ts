/**
 * Training updates of the tabular sequence policy on the digit-sequence task (env/digit-sequences.ts):
 * ROVER (methods/rover.ts, He et al. 2025, as in the official code, github.com/yuxiaooye/ROVER,
 * `DataParallelROVERActor.update_policy`) and, on the same batches, the baselines REINFORCE (group-mean
 * baseline, methods/reinforce.ts), GRPO (std-normalised group advantage, methods/grpo.ts, with the PPO
 * clip of methods/ppo-clip.ts) and PPO (tabular critic, A_t = R − V(s_t), whitened, clipped ratio).
 * Every method takes `epochs` full-batch steps on the logits per batch.
 */
import { Rng } from '../../../core/rng';
import { logSoftmaxInto, sampleSequence, type DigitTask } from '../env/digit-sequences';
import type { GroupBatch } from '../methods/advantages';
import { grpoAdvantages } from '../methods/grpo';
import { ppoClipped } from '../methods/ppo-clip';
import { baselineAdvantages } from '../methods/reinforce';
import { roverLogitWeight, roverLoss1, roverQ, roverTarget, successorLogRatioSum } from '../methods/rover';

export type SequenceMethod = 'rover' | 'grpo' | 'ppo' | 'reinforce';
export const SEQUENCE_METHODS: readonly SequenceMethod[] = ['rover', 'grpo', 'ppo', 'reinforce'];

export interface SequenceTrainConfig {
  steps: number;
  /** Responses per prompt per step (the group). */
  groupSize: number;
  /** Full-batch gradient steps per batch (the same for every method). */
  epochs: number;
  /** Step size on the logits (per-prompt group mean of the per-token terms). */
  lr: number;
  /** PPO/GRPO clip ε. */
  clip: number;
  /** ROVER's ρ in Q = ρ (log π − log π_old). */
  rho: number;
  /** PPO critic step size (tabular V(s), Monte-Carlo regression). */
  criticLr: number;
}

/** One batch: B·G sequences of length L (sample-major), prompts of each group, rewards. */
export interface SeqBatch extends GroupBatch {
  prompts: Int32Array;
  seq: Int32Array;
  states: Int32Array;
  oldLogProb: Float64Array;
}

export function sampleSeqBatch(rng: Rng, task: DigitTask, z: Float64Array, prompts: Int32Array, G: number): SeqBatch {
  const N = prompts.length * G;
  const L = task.L;
  const seq = new Int32Array(N * L);
  const states = new Int32Array(N * L);
  const olp = new Float64Array(N * L);
  const rewards = new Float64Array(N);
  const buf = new Float64Array(task.V);
  for (let b = 0; b < prompts.length; b++)
    for (let i = 0; i < G; i++) {
      const j = b * G + i;
      rewards[j] = sampleSequence(rng, task, z, prompts[b], seq, states, olp, j * L, buf);
    }
  return { prompts, G, seq, states, oldLogProb: olp, rewards };
}

export interface UpdateDiagnostics {
  /** Fraction of token terms the clip removed (GRPO/PPO), over all epochs. */
  clippedFraction: number;
  /** ROVER: mean squared error ½(Q − y)² at the last epoch (before its step). */
  roverLoss: number;
}

/**
 * Update the logits z in place on one batch with `epochs` full-batch steps of the method. zOld is the
 * rollout policy's logits (a copy of z before the update). critic: PPO's tabular V (updated in place).
 */
export function updateOnBatch(
  task: DigitTask,
  z: Float64Array,
  zOld: Float64Array,
  batch: SeqBatch,
  method: SequenceMethod,
  cfg: SequenceTrainConfig,
  critic?: Float64Array,
): UpdateDiagnostics {
  const { L, V } = task;
  const G = batch.G;
  const B = batch.prompts.length;
  const N = B * G;
  // Per-sample (GRPO, REINFORCE, ROVER) or per-token (PPO) advantages / centred rewards.
  const adv = new Float64Array(N * L);
  if (method !== 'ppo') {
    const sampleAdv = new Float64Array(N);
    for (let b = 0; b < B; b++) {
      if (method === 'grpo') grpoAdvantages(batch.rewards, b * G, G, sampleAdv, 'unbiased', 1e-6);
      else baselineAdvantages(batch.rewards, b * G, G, sampleAdv);
    }
    for (let j = 0; j < N; j++) for (let t = 0; t < L; t++) adv[j * L + t] = sampleAdv[j];
  }
  if (method === 'ppo') {
    if (!critic) throw new RangeError('rover.updateOnBatch: PPO needs a critic array');
    let m = 0;
    for (let j = 0; j < N; j++)
      for (let t = 0; t < L; t++) m += adv[j * L + t] = batch.rewards[j] - critic[batch.states[j * L + t]];
    m /= N * L;
    let v = 0;
    for (let k = 0; k < N * L; k++) v += (adv[k] - m) ** 2;
    const sd = Math.sqrt(v / (N * L));
    for (let k = 0; k < N * L; k++) adv[k] = (adv[k] - m) / (sd + 1e-8);
  }
  const lp = new Float64Array(V);
  const lpNext = new Float64Array(V);
  const lpNextOld = new Float64Array(V);
  const dir = new Float64Array(z.length);
  const touched: number[] = [];
  const mark = new Uint8Array(z.length / V);
  let clipped = 0;
  let roverLoss = 0;
  const lo = 1 - cfg.clip;
  const hi = 1 + cfg.clip;
  for (let e = 0; e < cfg.epochs; e++) {
    roverLoss = 0;
    for (let j = 0; j < N; j++) {
      for (let t = 0; t < L; t++) {
        const k = j * L + t;
        const si = batch.states[k];
        const a = batch.seq[k];
        logSoftmaxInto(z, si * V, V, lp);
        let w: number;
        if (method === 'reinforce') w = adv[k];
        else if (method === 'grpo' || method === 'ppo') {
          const A = adv[k];
          const ratio = Math.exp(lp[a] - batch.oldLogProb[k]);
          const keep = !ppoClipped(A, ratio, lo, hi);
          if (!keep) clipped++;
          w = keep ? A * ratio : 0;
        } else {
          // ROVER: Q = ρ(log π − log π_old); y = r̃ + ρ·mean_a'(log π − log π_old)(s_{t+1}, a'), stop-gradient.
          const Qv = roverQ(cfg.rho, lp[a], batch.oldLogProb[k]);
          let next: number | null = null;
          if (t < L - 1) {
            const sn = batch.states[k + 1];
            logSoftmaxInto(z, sn * V, V, lpNext);
            logSoftmaxInto(zOld, sn * V, V, lpNextOld);
            next = successorLogRatioSum(lpNext, lpNextOld, V);
          }
          const y = roverTarget(adv[k], cfg.rho, next, V);
          roverLoss += roverLoss1(Qv, y);
          w = roverLogitWeight(Qv, y, cfg.rho);
        }
        if (w === 0) continue;
        const c = w / G;
        const off = si * V;
        if (!mark[si]) {
          mark[si] = 1;
          touched.push(si);
        }
        for (let b = 0; b < V; b++) dir[off + b] -= c * Math.exp(lp[b]);
        dir[off + a] += c;
      }
    }
    for (const si of touched) {
      const off = si * V;
      for (let b = 0; b < V; b++) {
        z[off + b] += cfg.lr * dir[off + b];
        dir[off + b] = 0;
      }
      mark[si] = 0;
    }
    touched.length = 0;
  }
  if (method === 'ppo' && critic) {
    for (let j = 0; j < N; j++)
      for (let t = 0; t < L; t++) {
        const si = batch.states[j * L + t];
        critic[si] += cfg.criticLr * (batch.rewards[j] - critic[si]);
      }
  }
  return {
    clippedFraction: method === 'grpo' || method === 'ppo' ? clipped / (cfg.epochs * N * L) : 0,
    roverLoss: roverLoss / (N * L),
  };
}

/** Sample n sequences of every prompt: correct counts, distinct correct sequences (encoded base V). */
