/**
 * The two-stage probability-mass dynamic of RLVR (Yao et al. 2025, "The Debate on RLVR Reasoning
 * Capability Boundary"), on the paper's token-level model: every prompt is one softmax over a small
 * vocabulary holding explored high-reward tokens, low-reward tokens and one rarely sampled optimal
 * token. GRPO, its positive-sample-only variant ("−P") and its relative-negative-gradient-only
 * variant ("−N") are run from the same initial policy; pass@k counts optimal (reward-1) responses.
 * Task entry point: `runSeed(config, seed)`; one record holds all methods of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { makeBandit, type Bandit } from '../../testbeds/rlvr/env/bandit';
import { runBandit, type PgConfig } from '../../testbeds/rlvr/loops/bandit-pg';
import { passAtKExact } from '../../testbeds/rlvr/passk';

export type Method = 'grpo' | 'grpo-positive' | 'grpo-negative';

export interface Config {
  /** Independent prompts, each its own softmax over the vocabulary. */
  nPrompts: number;
  /** Tokens per prompt (K): nHigh high-reward tokens, one optimal token, the rest low-reward. */
  vocab: number;
  /** Explored high-reward tokens per prompt. */
  nHigh: number;
  /** Reward of a high-reward token (the optimal token earns 1, a low-reward token 0). */
  highReward: number;
  /** Initial probability of each high-reward token. */
  highProb: number;
  /** Initial probability of the optimal token (rarely sampled). */
  optimalProb: number;
  /** GRPO updates per method. */
  steps: number;
  /** Step size on the logits. */
  lr: number;
  /** Responses per prompt per update (the group). */
  groupSize: number;
  /** Prompts per batch (≥ nPrompts: all). */
  batchPrompts: number;
  /** The state is logged every logEvery updates. */
  logEvery: number;
  /** k of the boundary metric pass@k (and the list reported at checkpoints). */
  passK: number;
  /** k's of the pass@k of the optimal token logged at every checkpoint. */
  passKs: number[];
  /** Methods run from the same initial policy. */
  methods: Method[];
}

/** The full-profile miniature (the notebook overrides nPrompts, batchPrompts and steps). */
export const DEFAULTS: Config = {
  nPrompts: 200,
  vocab: 16,
  nHigh: 2,
  highReward: 0.7,
  highProb: 0.3,
  optimalProb: 0.002,
  steps: 3000,
  lr: 1,
  groupSize: 8,
  batchPrompts: 200,
  logEvery: 10,
  passK: 256,
  passKs: [1, 4, 16, 64, 256],
  methods: ['grpo', 'grpo-positive', 'grpo-negative'],
};

/** Token layout of every prompt: [0, nHigh) high, nHigh the optimal token, the rest low. */
export function twoStageBandit(
  c: Pick<Config, 'nPrompts' | 'vocab' | 'nHigh' | 'highReward' | 'highProb' | 'optimalProb'>,
): { bandit: Bandit; logits: Float64Array } {
  const K = c.vocab;
  const nLow = K - c.nHigh - 1;
  const lowMass = 1 - c.nHigh * c.highProb - c.optimalProb;
  if (!(nLow >= 1 && lowMass > 0))
    throw new RangeError(
      `twoStageBandit: need at least one low token with positive mass (vocab ${K}, nHigh ${c.nHigh}, highProb ` +
        `${c.highProb}, optimalProb ${c.optimalProb})`,
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

/** The method as a bandit policy-gradient recipe: GRPO, keeping all, only positive or only negative samples. */
export function methodConfig(m: Method): PgConfig {
  const base: PgConfig = { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none' };
  if (m === 'grpo-positive') return { ...base, samples: 'positive' };
  if (m === 'grpo-negative') return { ...base, samples: 'negative' };
  return base;
}

/** Mean over prompts of p(high), p(optimal), p(low), expected reward and pass@k of the optimal token. */
export function twoStageState(c: Config, probs: Float64Array, bandit: Bandit): Record<string, number> {
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

/**
 * One seed: every method from the same initial policy. Metrics `<method>/<key>` at the end and
 * `init/<key>` of the initial policy, key ∈ pHigh, pOptimal, pLow, reward, passBoundary, pass@k; series
 * `<method>/step` and `<method>/<key>` at every checkpoint (the first is the initial policy).
 */
export function runSeed(c: Config, seed: number): RunResult {
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
    for (const [k, v] of Object.entries(cols)) series[metricKey(m, k)] = v;
    const last = cols.step.length - 1;
    for (const [k, v] of Object.entries(cols)) if (k !== 'step') metrics[metricKey(m, k)] = v[last];
  }
  for (const [k, v] of Object.entries(init)) metrics[metricKey('init', k)] = v;
  return { metrics, series };
}
