/**
 * The two-stage probability-mass dynamic of RLVR (Yao et al. 2025, "The Debate on RLVR Reasoning
 * Capability Boundary"), on the paper's token-level model: every prompt is one softmax over a small
 * vocabulary holding explored high-reward tokens, low-reward tokens and one rarely sampled optimal
 * token. GRPO, its positive-sample-only variant ("−P") and its relative-negative-gradient-only
 * variant ("−N") are run from the same initial policy; pass@k counts optimal (reward-1) responses.
 * Task entry point: `runTwoStageSeed(config, seed)`; one record holds all methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { makeBandit, passAtKExact, type Bandit } from './bandit';
import type { PgConfig } from './pg';
import { runBandit } from './train';

export interface TwoStageConfig {
  nPrompts: number;
  vocab: number;
  nHigh: number;
  highReward: number;
  highProb: number;
  optimalProb: number;
  steps: number;
  lr: number;
  groupSize: number;
  /** Prompts per batch (≥ nPrompts: all). */
  batchPrompts: number;
  logEvery: number;
  /** k of the boundary metric pass@k (and the list reported at checkpoints). */
  passK: number;
  passKs: number[];
  methods: TwoStageMethod[];
}

export type TwoStageMethod = 'grpo' | 'grpo-positive' | 'grpo-negative';

/** Token layout of every prompt: [0, nHigh) high, nHigh the optimal token, the rest low. */
export function twoStageBandit(
  c: Pick<TwoStageConfig, 'nPrompts' | 'vocab' | 'nHigh' | 'highReward' | 'highProb' | 'optimalProb'>,
): { bandit: Bandit; logits: Float64Array } {
  const K = c.vocab;
  const nLow = K - c.nHigh - 1;
  const lowMass = 1 - c.nHigh * c.highProb - c.optimalProb;
  if (!(nLow >= 1 && lowMass > 0))
    throw new RangeError(
      `twoStageBandit: need at least one low token with positive mass (vocab ${K}, nHigh ${c.nHigh}, highProb ${c.highProb}, optimalProb ${c.optimalProb})`,
    );
  const rewards = new Float64Array(c.nPrompts * K);
  const logits = new Float64Array(c.nPrompts * K);
  for (let q = 0; q < c.nPrompts; q++) {
    for (let a = 0; a < K; a++) {
      const s = q * K + a;
      if (a < c.nHigh) {
        rewards[s] = c.highReward;
        logits[s] = Math.log(c.highProb);
      } else if (a === c.nHigh) {
        rewards[s] = 1;
        logits[s] = Math.log(c.optimalProb);
      } else {
        rewards[s] = 0;
        logits[s] = Math.log(lowMass / nLow);
      }
    }
  }
  return { bandit: makeBandit(c.nPrompts, K, rewards), logits };
}

export function methodConfig(m: TwoStageMethod): PgConfig {
  const base: PgConfig = { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none' };
  if (m === 'grpo-positive') return { ...base, samples: 'positive' };
  if (m === 'grpo-negative') return { ...base, samples: 'negative' };
  return base;
}

/** Mean over prompts of p(high), p(optimal), p(low), expected reward and pass@k of the optimal token. */
export function twoStageState(c: TwoStageConfig, probs: Float64Array, bandit: Bandit): Record<string, number> {
  const K = c.vocab;
  const Q = c.nPrompts;
  let high = 0;
  let opt = 0;
  let reward = 0;
  const pk: number[] = c.passKs.map(() => 0);
  let boundary = 0;
  for (let q = 0; q < Q; q++) {
    let h = 0;
    for (let a = 0; a < c.nHigh; a++) h += probs[q * K + a];
    const o = probs[q * K + c.nHigh];
    high += h;
    opt += o;
    for (let a = 0; a < K; a++) reward += probs[q * K + a] * bandit.rewards[q * K + a];
    c.passKs.forEach((k, i) => (pk[i] += passAtKExact(o, k)));
    boundary += passAtKExact(o, c.passK);
  }
  const out: Record<string, number> = {
    pHigh: high / Q,
    pOptimal: opt / Q,
    pLow: 1 - (high + opt) / Q,
    reward: reward / Q,
    passBoundary: boundary / Q,
  };
  c.passKs.forEach((k, i) => (out[`pass@${k}`] = pk[i] / Q));
  return out;
}

export function runTwoStageSeed(c: TwoStageConfig, seed: number): RunResult {
  const root = new Rng(seed).split('two-stage');
  const { bandit, logits } = twoStageBandit(c);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const init = twoStageState(c, Float64Array.from(logits.map(Math.exp)), bandit);
  for (const m of c.methods) {
    const cols: Record<string, number[]> = { step: [0] };
    for (const [k, v] of Object.entries(init)) cols[k] = [v];
    runBandit(
      bandit,
      logits,
      { steps: c.steps, lr: c.lr, batchPrompts: c.batchPrompts, groupSize: c.groupSize, pg: methodConfig(m) },
      root.split(m),
      (s) => {
        if (s.t % c.logEvery !== 0) return;
        const st = twoStageState(c, s.after.probs, bandit);
        cols.step.push(s.t);
        for (const [k, v] of Object.entries(st)) cols[k].push(v);
      },
    );
    for (const [k, v] of Object.entries(cols)) series[`${m}:${k}`] = v;
    const last = cols.step.length - 1;
    for (const [k, v] of Object.entries(cols)) if (k !== 'step') metrics[`${m}:final:${k}`] = v[last];
  }
  for (const [k, v] of Object.entries(init)) metrics[`init:${k}`] = v;
  return { metrics, series };
}
