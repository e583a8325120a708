/**
 * Training a recurrent bandit agent by supervised imitation of an expert or by policy-gradient RL with a choice of
 * per-step reward, and a behavioural evaluation beyond average regret (one episode per trial, any horizon).
 *
 * The agent is the GRU policy of policies/gru-policy.ts over (previous arm, previous reward) inputs
 * (env/meta-bandit.ts `encodeInput`); every trial draws fresh arm means from the Beta prior, so the trained agent is a
 * meta-bandit agent: it has to explore in-context. Paradigms (`TrainParadigm`), all with the same trials per update,
 * the same number of Adam updates, learning rate and gradient clip (equal budgets):
 * - `sft`: behaviour cloning of an expert's trajectories (UCB1 or Beta-Bernoulli Thompson sampling): the expert plays
 *   the trial, the GRU reads the expert's history (teacher forcing) and is trained by cross-entropy on the expert's
 *   next arm, loss = −(1/BT) Σ log π(a_t^expert | h_t);
 * - `rl`: the GRU samples its own arms and is trained by REINFORCE with a learned value baseline (methods/a2c.ts, the
 *   return of step t is Σ_{k ≥ t} γ^{k−t} r_k) on one of three per-step rewards (`stepReward`):
 *   'original'    r_t = X_t, the Bernoulli reward observed;
 *   'strategic'   r_t = μ_{a_t} − μ*, the negative instantaneous pseudo-regret (same expectation as X_t up to the
 *                 constant μ*, without the Bernoulli noise: a regret-shaped, lower-variance signal);
 *   'algorithmic' r_t = 1[a_t = a_t^UCB1], agreement with the arm UCB1 would pull given the agent's own history
 *                 (oracle imitation through the reward).
 *
 * `evaluateBehaviour` plays any `MetaAgent` (loops/meta-train.ts) on common trials for a horizon L and records, per
 * checkpoint h: cumulative pseudo-regret Σ_{t<h} Σ_k π_t(k)(μ* − μ_k) (the expectation over the agent's action at
 * each step given the history, exact for deterministic agents and Rao–Blackwellised for stochastic ones); the greedy
 * fraction (mass on arms of highest posterior mean, the exploitation measure); the suffix-failure frequency (share of
 * trials in which the best arm is never pulled in steps [h/2, h), Krishnamurthy et al. 2024's SuffFailFreq); and
 * K·MinFrac (K times the smallest share of pulls any arm received up to h, averaged over trials).
 */
import type { Rng } from '../../../core/rng';
import { Adam64 } from '../../../nn/adam';
import {
  checkSpec,
  encodeInput,
  greedyArms,
  inputSize,
  sampleTrialMeans,
  type MetaBanditSpec,
} from '../env/meta-bandit';
import { a2cLoss, discountedReturns } from '../methods/a2c';
import { argmax } from '../methods/policy';
import { sampleBeta } from '../methods/thompson-sampling';
import { ucb1Index } from '../methods/ucb1';
import { GruPolicy } from '../policies/gru-policy';
import type { MetaAgent, MetaContext } from './meta-train';

export type StepReward = 'original' | 'strategic' | 'algorithmic';
export type Expert = 'ucb1' | 'thompson';
export type TrainParadigm = { kind: 'sft'; expert: Expert } | { kind: 'rl'; reward: StepReward };

export interface ParadigmTrainConfig {
  /** GRU hidden units. */
  hidden: number;
  /** Adam updates. */
  updates: number;
  /** Trials per update. */
  batch: number;
  /** Adam learning rate. */
  lr: number;
  /** Discount γ of the RL returns (1: the undiscounted return of the rest of the trial). */
  gamma: number;
  /** RL value-loss weight c_v. */
  valueCoef: number;
  /** RL initial entropy weight β, annealed linearly to 0 at `entropyAnnealFrac` of the updates. */
  entropyStart: number;
  entropyAnnealFrac: number;
  /** Gradient L2-norm clip (0: none). */
  maxGradNorm: number;
  /** UCB1 exploration constant c (expert, algorithmic reward and baseline). */
  ucbC: number;
}

/**
 * The UCB1 arm (methods/ucb1.ts, Auer et al. 2002) from success/failure counts c = (s_1, f_1, …) at c[off…]: an
 * unpulled arm first (lowest index), else argmax of x̄_k + c·sqrt(2 ln n / n_k) with n the pulls so far.
 */
export function ucb1ArmFromCounts(counts: ArrayLike<number>, off: number, K: number, c: number, idx: Float64Array) {
  let n = 0;
  for (let k = 0; k < K; k++) n += counts[off + 2 * k] + counts[off + 2 * k + 1];
  for (let k = 0; k < K; k++) {
    const s = counts[off + 2 * k],
      nk = s + counts[off + 2 * k + 1];
    idx[k] = ucb1Index(nk > 0 ? s / nk : 0, nk, n, c);
  }
  return argmax(idx);
}

/** UCB1 as a `MetaAgent` over the trial's counts. */
export function ucb1MetaAgent(K: number, c = 1): MetaAgent {
  const idx = new Float64Array(K);
  return {
    begin() {},
    probs(_tau, ctx, out) {
      const B = out.length / K;
      out.fill(0);
      for (let b = 0; b < B; b++) out[b * K + ucb1ArmFromCounts(ctx.trialCounts, b * 2 * K, K, c, idx)] = 1;
    },
  };
}

/** The per-step reward of a design (see the file comment); `ucbArm` is UCB1's arm on the same history. */
export function stepRewardOf(design: StepReward, x: number, means: ArrayLike<number>, a: number, ucbArm: number) {
  if (design === 'original') return x;
  if (design === 'algorithmic') return a === ucbArm ? 1 : 0;
  let best = -Infinity;
  for (let k = 0; k < means.length; k++) best = Math.max(best, means[k]);
  return means[a] - best;
}

/** RL entropy weight at update u: linear from entropyStart to 0 at entropyAnnealFrac · updates. */
export function paradigmEntropyAt(cfg: ParadigmTrainConfig, u: number): number {
  const end = cfg.entropyAnnealFrac * cfg.updates;
  return end <= 0 || u >= end ? 0 : cfg.entropyStart * (1 - u / end);
}

export interface ParadigmTrainResult {
  policy: GruPolicy;
  /** Mean pseudo-regret per pull of the trials played during training, by block (the expert's for SFT). */
  curve: number[];
  /** Mean policy entropy (nats) over the last 10 % of the updates. */
  finalEntropy: number;
}

function sampleIndex(p: ArrayLike<number>, off: number, K: number, u: number): number {
  for (let k = 0; k < K; k++) {
    u -= p[off + k];
    if (u < 0) return k;
  }
  return K - 1;
}

/** Trains a GRU bandit agent on one-episode trials of `spec` by the given paradigm. */
export function trainParadigm(
  spec: MetaBanditSpec,
  cfg: ParadigmTrainConfig,
  paradigm: TrainParadigm,
  rng: Rng,
  curvePoints = 20,
): ParadigmTrainResult {
  checkSpec(spec);
  if (spec.episodes !== 1) throw new RangeError('trainParadigm: one episode per trial (spec.episodes = 1)');
  if (!(cfg.updates >= 1 && cfg.batch >= 1)) throw new RangeError('trainParadigm: updates and batch must be ≥ 1');
  const K = spec.arms,
    L = spec.pulls,
    I = inputSize(spec),
    B = cfg.batch;
  const policy = new GruPolicy({ input: I, hidden: cfg.hidden, actions: K, memory: true }, rng.split('init'));
  const opt = new Adam64(policy.layout.size, { lr: cfg.lr });
  const envRng = rng.split('env'),
    actRng = rng.split('act');
  const x = new Float64Array(B * I),
    counts = new Int32Array(B * 2 * K),
    idx = new Float64Array(K),
    draw = new Float64Array(K);
  const actions = new Int32Array(L * B),
    rewards = new Float64Array(L * B),
    obs = new Float64Array(L * B);
  const means: Float64Array[] = new Array(B);
  const block = Math.max(1, Math.floor(cfg.updates / curvePoints));
  const curve: number[] = [];
  let blockSum = 0,
    entSum = 0,
    entN = 0;
  for (let u = 0; u < cfg.updates; u++) {
    for (let b = 0; b < B; b++) means[b] = sampleTrialMeans(spec, envRng);
    counts.fill(0);
    policy.begin(B, L);
    let regret = 0;
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < B; b++)
        encodeInput(spec, t, t > 0 ? actions[(t - 1) * B + b] : 0, t > 0 ? obs[(t - 1) * B + b] : 0, x, b * I);
      const off = policy.step(x);
      for (let b = 0; b < B; b++) {
        const m = means[b],
          co = b * 2 * K;
        const ucbArm = ucb1ArmFromCounts(counts, co, K, cfg.ucbC, idx);
        let a: number;
        if (paradigm.kind === 'rl') a = sampleIndex(policy.probs, off + b * K, K, actRng.uniform());
        else if (paradigm.expert === 'ucb1') a = ucbArm;
        else {
          for (let k = 0; k < K; k++)
            draw[k] = sampleBeta(spec.alpha + counts[co + 2 * k], spec.beta + counts[co + 2 * k + 1], actRng);
          a = argmax(draw);
        }
        const r = envRng.uniform() < m[a] ? 1 : 0;
        actions[t * B + b] = a;
        obs[t * B + b] = r;
        if (paradigm.kind === 'rl') rewards[t * B + b] = stepRewardOf(paradigm.reward, r, m, a, ucbArm);
        counts[co + 2 * a + (r === 1 ? 0 : 1)]++;
        regret -= stepRewardOf('strategic', r, m, a, ucbArm);
      }
    }
    policy.zeroGrad();
    let ent: number;
    if (paradigm.kind === 'rl') {
      const G = discountedReturns(rewards, L, B, cfg.gamma);
      const res = a2cLoss(policy.probs, policy.values, actions, G, K, {
        valueCoef: cfg.valueCoef,
        entropyCoef: paradigmEntropyAt(cfg, u),
      });
      policy.backward(res.dLogits, res.dValues);
      ent = res.entropy;
    } else {
      const res = crossEntropyGrad(policy.probs, actions, K);
      policy.backward(res.dLogits, new Float64Array(L * B));
      ent = res.entropy;
    }
    if (cfg.maxGradNorm > 0) {
      let n2 = 0;
      for (const g of policy.grad) n2 += g * g;
      const n = Math.sqrt(n2);
      if (n > cfg.maxGradNorm) for (let i = 0; i < policy.grad.length; i++) policy.grad[i] *= cfg.maxGradNorm / n;
    }
    opt.step(policy.params, policy.grad);
    blockSum += regret / (L * B);
    if ((u + 1) % block === 0) {
      curve.push(blockSum / block);
      blockSum = 0;
    }
    if (u >= cfg.updates * 0.9) {
      entSum += ent;
      entN++;
    }
  }
  return { policy, curve, finalEntropy: entN > 0 ? entSum / entN : NaN };
}

/**
 * Behaviour cloning: loss = −(1/N) Σ_i log p_i(a_i) over N = probs.length / K rows, its gradient with respect to the
 * logits (p_i − e_{a_i}) / N, and the mean entropy of the rows.
 */
export function crossEntropyGrad(probs: Float64Array, actions: Int32Array, K: number) {
  const N = actions.length;
  if (probs.length !== N * K) throw new RangeError(`crossEntropyGrad: probs must hold N·K = ${N * K} values`);
  const dLogits = new Float64Array(N * K);
  let loss = 0,
    entropy = 0;
  for (let i = 0; i < N; i++) {
    const a = actions[i];
    loss -= Math.log(Math.max(probs[i * K + a], 1e-300)) / N;
    for (let k = 0; k < K; k++) {
      const p = probs[i * K + k];
      if (p > 0) entropy -= (p * Math.log(p)) / N;
      dLogits[i * K + k] = (p - (k === a ? 1 : 0)) / N;
    }
  }
  return { loss, entropy, dLogits };
}

export interface BehaviourEvaluation {
  /** Checkpoints h (steps), as passed. */
  checkpoints: number[];
  /** Mean cumulative pseudo-regret after h steps, per checkpoint. */
  regret: number[];
  /** Mean greedy mass per pull over the first h steps. */
  greedyFrac: number[];
  /** Share of trials with no pull of the best arm in steps [h/2, h). */
  suffixFail: number[];
  /** Mean over trials of K · min_k N_k(h) / h. */
  minFrac: number[];
}

/**
 * Plays `trials` one-episode trials of horizon max(checkpoints) (arm means from the Beta prior of `spec`), B = `batch`
 * at a time. Trial i's means and rewards come from `meansRng.split(i)`, so every agent meets the same trials whatever
 * the batch split; `actRng` samples the actions.
 */
export function evaluateBehaviour(
  spec: MetaBanditSpec,
  agent: MetaAgent,
  checkpoints: number[],
  trials: number,
  batch: number,
  meansRng: Rng,
  actRng: Rng,
): BehaviourEvaluation {
  checkSpec(spec);
  const C = checkpoints.length;
  if (C === 0 || checkpoints.some((h, i) => !(Number.isInteger(h) && h >= 2 && (i === 0 || h > checkpoints[i - 1]))))
    throw new RangeError('evaluateBehaviour: checkpoints must be increasing integers ≥ 2');
  const K = spec.arms,
    L = checkpoints[C - 1],
    I = inputSize(spec);
  const one: MetaBanditSpec = { ...spec, episodes: 1, pulls: L };
  const regret = new Float64Array(C),
    greedy = new Float64Array(C),
    fail = new Float64Array(C),
    minF = new Float64Array(C);
  const isGreedy = new Uint8Array(K);
  for (let done = 0; done < trials; done += batch) {
    const B = Math.min(batch, trials - done);
    const ctx: MetaContext = {
      x: new Float64Array(B * I),
      trialCounts: new Int32Array(B * 2 * K),
      episodeCounts: new Int32Array(B * 2 * K),
    };
    const out = new Float64Array(B * K);
    const means: Float64Array[] = [],
      rewardRngs: Rng[] = [],
      bestArm = new Int32Array(B),
      bestInWindow = new Int32Array(B * C);
    const prevA = new Int32Array(B),
      prevR = new Float64Array(B),
      cumReg = new Float64Array(B),
      cumGreedy = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const r = meansRng.split(done + b);
      means.push(sampleTrialMeans(one, r.split('means')));
      rewardRngs.push(r.split('rewards'));
      bestArm[b] = argmax(means[b]);
    }
    agent.begin(B, L);
    let ci = 0;
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < B; b++) encodeInput(one, t, prevA[b], prevR[b], ctx.x, b * I);
      agent.probs(t, ctx, out, actRng);
      for (let b = 0; b < B; b++) {
        const m = means[b],
          mu = m[bestArm[b]];
        greedyArms(ctx.trialCounts, b * 2 * K, K, spec.alpha, spec.beta, isGreedy);
        for (let k = 0; k < K; k++) {
          cumReg[b] += out[b * K + k] * (mu - m[k]);
          if (isGreedy[k]) cumGreedy[b] += out[b * K + k];
        }
        const a = sampleIndex(out, b * K, K, actRng.uniform());
        const r = rewardRngs[b].uniform() < m[a] ? 1 : 0;
        ctx.trialCounts[b * 2 * K + 2 * a + (r === 1 ? 0 : 1)]++;
        ctx.episodeCounts[b * 2 * K + 2 * a + (r === 1 ? 0 : 1)]++;
        if (a === bestArm[b])
          for (let c = 0; c < C; c++) if (t >= checkpoints[c] / 2 && t < checkpoints[c]) bestInWindow[b * C + c]++;
        prevA[b] = a;
        prevR[b] = r;
      }
      if (t + 1 === checkpoints[ci]) {
        const h = t + 1;
        for (let b = 0; b < B; b++) {
          regret[ci] += cumReg[b];
          greedy[ci] += cumGreedy[b] / h;
          if (bestInWindow[b * C + ci] === 0) fail[ci]++;
          let mn = Infinity;
          for (let k = 0; k < K; k++)
            mn = Math.min(mn, ctx.trialCounts[b * 2 * K + 2 * k] + ctx.trialCounts[b * 2 * K + 2 * k + 1]);
          minF[ci] += (K * mn) / h;
        }
        ci++;
      }
    }
  }
  const avg = (v: Float64Array) => Array.from(v, (s) => s / trials);
  return {
    checkpoints: [...checkpoints],
    regret: avg(regret),
    greedyFrac: avg(greedy),
    suffixFail: avg(fail),
    minFrac: avg(minF),
  };
}
