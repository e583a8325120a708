/**
 * Meta-training and evaluation on the meta-bandit (env/meta-bandit.ts).
 *
 * `trainMetaAgent`: the GRU actor-critic (policies/gru-policy.ts) trained by A2C with Monte-Carlo returns
 * (methods/a2c.ts) on the extrinsic reward only: each update rolls out `batch` fresh trials in lockstep, computes the
 * discounted returns inside the credit window, and takes one Adam step. The entropy weight β falls linearly from
 * `entropyStart` to 0 at `entropyAnnealFrac` of the updates and stays 0 after: the final objective has no bonus.
 *
 * `evaluateMetaAgent`: any agent exposing action probabilities (`MetaAgent`) plays the same trials (common random
 * numbers: the means come from the caller's generator); the metrics are exact given the sampled trajectories:
 * - explore@e: the mean probability mass the agent puts on non-greedy arms (arms whose posterior mean under the
 *   Beta prior, from all pulls of the trial so far, is below the best) per pull of episode e;
 * - regret@e: the mean pseudo-regret μ* − μ_{A_t} per pull of episode e;
 * - cover1: the fraction of trials in which every arm is pulled during the first episode;
 * - reward: the mean reward per trial.
 */
import type { Rng } from '../../../core/rng';
import { Adam64 } from '../../../nn/adam';
import {
  checkSpec,
  encodeInput,
  greedyArms,
  inputSize,
  sampleTrialMeans,
  trialLength,
  type MetaBanditSpec,
} from '../env/meta-bandit';
import { a2cLoss, discountedReturns } from '../methods/a2c';
import { sampleBeta } from '../methods/thompson-sampling';
import { GruPolicy } from '../policies/gru-policy';
import type { BayesBernoulliSolution } from '../solvers/bayes-bernoulli';

export interface MetaTrainConfig {
  /** GRU hidden units. */
  hidden: number;
  /** Recurrent memory (false: the feed-forward ablation). */
  memory: boolean;
  /** Discount γ of the returns. */
  gamma: number;
  /** Credit window: the whole trial, or only the current episode. */
  credit: 'trial' | 'episode';
  /** Adam updates. */
  updates: number;
  /** Trials per update. */
  batch: number;
  /** Adam learning rate. */
  lr: number;
  /** Initial entropy weight β. */
  entropyStart: number;
  /** Fraction of the updates after which β is 0. */
  entropyAnnealFrac: number;
  /** Value-loss weight c_v. */
  valueCoef: number;
  /** Gradient L2-norm clip (0: none). */
  maxGradNorm: number;
}

export interface TrainResult {
  policy: GruPolicy;
  /** Mean reward per pull over each block of `updates / curvePoints` updates. */
  curve: number[];
  /** Mean policy entropy over the last 10 % of the updates. */
  finalEntropy: number;
}

/** β at update u: linear from entropyStart to 0 at entropyAnnealFrac · updates. */
export function entropyAt(cfg: MetaTrainConfig, u: number): number {
  const end = cfg.entropyAnnealFrac * cfg.updates;
  return end <= 0 || u >= end ? 0 : cfg.entropyStart * (1 - u / end);
}

function pullReward(mean: number, rng: Rng): number {
  return rng.uniform() < mean ? 1 : 0;
}

export function trainMetaAgent(spec: MetaBanditSpec, cfg: MetaTrainConfig, rng: Rng, curvePoints = 20): TrainResult {
  checkSpec(spec);
  if (!(cfg.updates >= 1 && cfg.batch >= 1)) throw new RangeError('trainMetaAgent: updates and batch must be ≥ 1');
  const K = spec.arms,
    T = spec.pulls,
    L = trialLength(spec),
    I = inputSize(spec),
    B = cfg.batch;
  const policy = new GruPolicy({ input: I, hidden: cfg.hidden, actions: K, memory: cfg.memory }, rng.split('init'));
  const opt = new Adam64(policy.layout.size, { lr: cfg.lr });
  const envRng = rng.split('env'),
    actRng = rng.split('act');
  const x = new Float64Array(B * I);
  const actions = new Int32Array(L * B),
    rewards = new Float64Array(L * B);
  const block = Math.max(1, Math.floor(cfg.updates / curvePoints));
  const curve: number[] = [];
  let blockSum = 0,
    entSum = 0,
    entN = 0;
  const means: Float64Array[] = new Array(B);
  for (let u = 0; u < cfg.updates; u++) {
    for (let b = 0; b < B; b++) means[b] = sampleTrialMeans(spec, envRng);
    policy.begin(B, L);
    for (let t = 0; t < L; t++) {
      const e = Math.floor(t / T);
      for (let b = 0; b < B; b++)
        encodeInput(spec, t, t > 0 ? actions[(t - 1) * B + b] : 0, t > 0 ? rewards[(t - 1) * B + b] : 0, x, b * I);
      const off = policy.step(x);
      for (let b = 0; b < B; b++) {
        let uu = actRng.uniform(),
          a = K - 1;
        for (let k = 0; k < K; k++) {
          uu -= policy.probs[off + b * K + k];
          if (uu < 0) {
            a = k;
            break;
          }
        }
        actions[t * B + b] = a;
        rewards[t * B + b] = pullReward(means[b][e * K + a], envRng);
      }
    }
    const G = discountedReturns(rewards, L, B, cfg.gamma, cfg.credit === 'episode' ? T : 0);
    const beta = entropyAt(cfg, u);
    const res = a2cLoss(policy.probs, policy.values, actions, G, K, { valueCoef: cfg.valueCoef, entropyCoef: beta });
    policy.zeroGrad();
    policy.backward(res.dLogits, res.dValues);
    if (cfg.maxGradNorm > 0) {
      let n2 = 0;
      for (const g of policy.grad) n2 += g * g;
      const n = Math.sqrt(n2);
      if (n > cfg.maxGradNorm) {
        const s = cfg.maxGradNorm / n;
        for (let i = 0; i < policy.grad.length; i++) policy.grad[i] *= s;
      }
    }
    opt.step(policy.params, policy.grad);
    let rs = 0;
    for (let i = 0; i < rewards.length; i++) rs += rewards[i];
    blockSum += rs / (L * B);
    if ((u + 1) % block === 0) {
      curve.push(blockSum / block);
      blockSum = 0;
    }
    if (u >= cfg.updates * 0.9) {
      entSum += res.entropy;
      entN++;
    }
  }
  return { policy, curve, finalEntropy: entN > 0 ? entSum / entN : NaN };
}

/** What an evaluated agent sees at step τ of B lockstep trials. */
export interface MetaContext {
  /** Policy inputs, B × (K + 2) (env/meta-bandit.ts `encodeInput`). */
  x: Float64Array;
  /** Success/failure counts of every arm over the trial so far, B × 2K. */
  trialCounts: Int32Array;
  /** The same counts over the current episode only, B × 2K. */
  episodeCounts: Int32Array;
}

/** An agent for evaluation: action probabilities of every trial at step τ (B × K into `out`). */
export interface MetaAgent {
  begin(B: number, L: number): void;
  probs(tau: number, ctx: MetaContext, out: Float64Array, rng: Rng): void;
}

/**
 * The trained GRU policy: 'sample' plays its softmax as trained; 'argmax' plays its most probable arm (ties to the
 * lowest index), which removes the residual randomness of the softmax and leaves only the pulls it prefers.
 */
export function gruAgent(policy: GruPolicy, mode: 'sample' | 'argmax' = 'sample'): MetaAgent {
  let B = 0;
  const K = policy.shape.actions;
  return {
    begin(b, L) {
      B = b;
      policy.begin(b, L);
    },
    probs(_tau, ctx, out) {
      const off = policy.step(ctx.x);
      if (mode === 'sample') {
        out.set(policy.probs.subarray(off, off + B * K));
        return;
      }
      out.fill(0);
      for (let b = 0; b < B; b++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (policy.probs[off + b * K + k] > policy.probs[off + b * K + best]) best = k;
        out[b * K + best] = 1;
      }
    },
  };
}

/**
 * The Bayes-optimal agent of a DP solution (solvers/bayes-bernoulli.ts): `scope` 'trial' plans over the whole trial
 * from all of its pulls (optimal with structure), 'episode' re-plans each episode from that episode's pulls only
 * (optimal without structure).
 */
export function bayesAgent(sol: BayesBernoulliSolution, scope: 'trial' | 'episode'): MetaAgent {
  return {
    begin() {},
    probs(_tau, ctx, out) {
      const K = sol.arms,
        B = out.length / K;
      const c = scope === 'trial' ? ctx.trialCounts : ctx.episodeCounts;
      out.fill(0);
      for (let b = 0; b < B; b++) out[b * K + sol.action(c.subarray(b * 2 * K, (b + 1) * 2 * K))] = 1;
    },
  };
}

/** The myopic agent: the arm of highest posterior mean from all pulls of the trial (ties to the lowest index). */
export function myopicAgent(K: number, alpha: number, beta: number): MetaAgent {
  const greedy = new Uint8Array(K);
  return {
    begin() {},
    probs(_tau, ctx, out) {
      const B = out.length / K;
      out.fill(0);
      for (let b = 0; b < B; b++) {
        greedyArms(ctx.trialCounts, b * 2 * K, K, alpha, beta, greedy);
        out[b * K + greedy.indexOf(1)] = 1;
      }
    },
  };
}

/** Thompson sampling over the whole trial (Beta posterior from all its pulls): one posterior draw per pull. */
export function thompsonAgent(K: number, alpha: number, beta: number): MetaAgent {
  const draw = new Float64Array(K);
  return {
    begin() {},
    probs(_tau, ctx, out, rng) {
      const B = out.length / K;
      out.fill(0);
      for (let b = 0; b < B; b++) {
        let best = 0;
        for (let k = 0; k < K; k++) {
          const o = b * 2 * K + 2 * k;
          draw[k] = sampleBeta(alpha + ctx.trialCounts[o], beta + ctx.trialCounts[o + 1], rng);
          if (draw[k] > draw[best]) best = k;
        }
        out[b * K + best] = 1;
      }
    },
  };
}

/** Uniformly random arms. */
export function randomAgent(K: number): MetaAgent {
  return {
    begin() {},
    probs(_tau, _ctx, out) {
      out.fill(1 / K);
    },
  };
}

export interface MetaEvaluation {
  /** Non-greedy probability mass per pull, by episode (E). */
  explore: number[];
  /** Pseudo-regret per pull, by episode (E). */
  regret: number[];
  /** Fraction of trials with every arm pulled in episode 1. */
  cover1: number;
  /** Mean reward per trial. */
  reward: number;
}

/**
 * Plays `trials` trials of `spec` with `agent`, B = `batch` at a time. `meansRng` draws the trial means and rewards
 * (pass generators split from the same label to give every agent the same trials); `actRng` samples the actions.
 */
export function evaluateMetaAgent(
  spec: MetaBanditSpec,
  agent: MetaAgent,
  trials: number,
  batch: number,
  meansRng: Rng,
  actRng: Rng,
): MetaEvaluation {
  checkSpec(spec);
  const K = spec.arms,
    T = spec.pulls,
    E = spec.episodes,
    L = trialLength(spec),
    I = inputSize(spec);
  const explore = new Float64Array(E),
    regret = new Float64Array(E);
  let cover = 0,
    reward = 0;
  const greedy = new Uint8Array(K);
  for (let done = 0; done < trials; done += batch) {
    const B = Math.min(batch, trials - done);
    const ctx: MetaContext = {
      x: new Float64Array(B * I),
      trialCounts: new Int32Array(B * 2 * K),
      episodeCounts: new Int32Array(B * 2 * K),
    };
    const out = new Float64Array(B * K);
    const means: Float64Array[] = [];
    // per-trial generators for means and rewards, so that trial i is the same whatever the batch split
    const rewardRngs: Rng[] = [];
    for (let b = 0; b < B; b++) {
      const r = meansRng.split(done + b);
      means.push(sampleTrialMeans(spec, r.split('means')));
      rewardRngs.push(r.split('rewards'));
    }
    const prevA = new Int32Array(B),
      prevR = new Float64Array(B);
    const pulled1 = new Uint8Array(B * K);
    agent.begin(B, L);
    for (let t = 0; t < L; t++) {
      const e = Math.floor(t / T);
      if (t % T === 0) ctx.episodeCounts.fill(0);
      for (let b = 0; b < B; b++) encodeInput(spec, t, prevA[b], prevR[b], ctx.x, b * I);
      agent.probs(t, ctx, out, actRng);
      for (let b = 0; b < B; b++) {
        greedyArms(ctx.trialCounts, b * 2 * K, K, spec.alpha, spec.beta, greedy);
        let ng = 0;
        for (let k = 0; k < K; k++) if (!greedy[k]) ng += out[b * K + k];
        explore[e] += ng;
        let u = actRng.uniform(),
          a = K - 1;
        for (let k = 0; k < K; k++) {
          u -= out[b * K + k];
          if (u < 0) {
            a = k;
            break;
          }
        }
        const mrow = e * K;
        let best = -Infinity;
        for (let k = 0; k < K; k++) best = Math.max(best, means[b][mrow + k]);
        regret[e] += best - means[b][mrow + a];
        const r = rewardRngs[b].uniform() < means[b][mrow + a] ? 1 : 0;
        reward += r;
        const c = b * 2 * K + 2 * a + (r === 1 ? 0 : 1);
        ctx.trialCounts[c]++;
        ctx.episodeCounts[c]++;
        if (e === 0) pulled1[b * K + a] = 1;
        prevA[b] = a;
        prevR[b] = r;
      }
    }
    for (let b = 0; b < B; b++) {
      let all = 1;
      for (let k = 0; k < K; k++) all &= pulled1[b * K + k];
      cover += all;
    }
  }
  const per = trials * T;
  return {
    explore: Array.from(explore, (v) => v / per),
    regret: Array.from(regret, (v) => v / per),
    cover1: cover / trials,
    reward: reward / trials,
  };
}
