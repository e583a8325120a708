/**
 * The PAR miniature (Fu et al. 2025, "Reward Shaping to Mitigate Reward Hacking in RLHF"), one seed = one
 * task, one proxy reward model, one set of reference responses, every shaping method.
 *
 * Task: nX prompts × nY responses. Each response has a true content quality q ~ N(0, 1) and a
 * "verbosity-like" feature s ~ U(sLo, sHi). Gold reward r* = q + a·s − b·s²: some s helps, too much hurts
 * (peak at s = a/2b). π_ref favours low s (logits N(0, 0.5²) + refSlope·s), so its responses mostly lie
 * where more s is better. Proxy reward model: linear Bradley–Terry on φ = (q̃, s, noise…) with
 * q̃ = q + N(0, σ_obs²), trained on pairs from π_ref labelled by BT sampling from r*. It learns a positive
 * weight on s and extrapolates it: beyond the gold peak it keeps rewarding s (the exploitable flaw).
 * Policy: log-linear in the same response features, logits = log π_ref + θ·φ (θ = 0 at the start; the
 * shared parameters let optimisation drift along s across all prompts, as an LM's do), or tabular
 * (config.policy); trained by PPO (rlhf.ts) on the shaped proxy reward with the KL
 * penalty β·log π_old/π_ref added after shaping. Shapings (par.ts): vanilla, clip, meanstd, minmax, lsc,
 * sigmoid, par-M (PAR with the first M of the prompt's reference rewards). Reference responses: `nRefs`
 * per prompt sampled once from π_ref.
 * Recorded along training: gold reward, proxy reward, KL, gold win rate against π_ref (Bradley–Terry),
 * probability mass on exploit responses (s > exploitThreshold, where the gold penalty dominates).
 * Task entry point: `runSeed(config, seed)` ('papers/par/experiment#runSeed').
 *
 * Record keys (`method/metric`): `<method>/gold`, `/proxy`, `/kl`, `/win`, `/hack` (final; series along
 * training), `/peakGold`, `/peakWin`, `/dropGold`, `/dropWin`; `ref/gold`, `/proxy`, `/hack`;
 * `proxy/hackIsTop`, `proxy/goldOfProxyBest`; `rm/theta.quality`, `rm/theta.spurious`; series
 * `all/iteration`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { sampleComparisons, type PreferenceTask } from '../../testbeds/preference/data/comparisons';
import { fitBTLinear } from '../../testbeds/preference/methods/bradley-terry';
import { RewardShaper, SHAPINGS, type ShapingName } from '../../testbeds/preference/methods/reward-shaping';
import { ppoUpdate, type PpoConfig } from '../../testbeds/preference/methods/rlhf';
import {
  logLinearModel,
  makePolicyState,
  samplePolicy,
  tabularModel,
} from '../../testbeds/preference/policies/logit-model';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  massOn,
  rewardWinRate,
  sampleCategorical,
  type TableShape,
} from '../../testbeds/preference/policies/logit-table';

export interface Config {
  /** Prompts (contexts). */
  nX: number;
  /** Responses per prompt. */
  nY: number;
  /** Lower end of the verbosity-like feature s ~ U(sLo, sHi). */
  sLo: number;
  /** Upper end of s. */
  sHi: number;
  /** Linear weight of s in the gold reward r* = q + goldLinear·s − goldQuad·s². */
  goldLinear: number;
  /** Quadratic penalty of s in the gold reward (its peak lies at s = goldLinear/(2·goldQuad)). */
  goldQuad: number;
  /** Slope of π_ref's logits in s (negative: π_ref favours low s). */
  refSlope: number;
  /** Standard deviation of the noise on the quality feature q̃ = q + noise the reward model sees. */
  obsNoise: number;
  /** Extra pure-noise features of the reward model and the log-linear policy. */
  noiseFeatures: number;
  /** Responses with s above this are exploit responses (the gold penalty dominates). */
  exploitThreshold: number;
  /** Reward-model data: pairs per prompt from π_ref (Bradley–Terry labels from r*). */
  pairsPerContext: number;
  /** L2 (ridge) of the linear reward-model fit. */
  rmL2: number;
  /** Reference responses per prompt sampled once from π_ref (for PAR and LSC). */
  nRefs: number;
  /** Methods: shaping names, with 'par-M' for PAR using M reference rewards. */
  methods: string[];
  /** KL coefficient β of the penalty β·log π_old/π_ref added after shaping. */
  beta: number;
  /** PPO iterations. */
  iterations: number;
  /** Responses sampled per prompt per iteration. */
  samplesPerContext: number;
  /** PPO epochs over each iteration's batch. */
  epochs: number;
  /** PPO minibatches per epoch. */
  minibatches: number;
  /** PPO clip range ε. */
  clip: number;
  /** Adam learning rate of the policy. */
  lr: number;
  /** Adam learning rate of the critic. */
  criticLr: number;
  /** Whiten the advantages over the batch. */
  whiten: boolean;
  /** Record every `every` iterations. */
  every: number;
  /** Policy class: log-linear in the response features (θ = 0 at the start) or tabular logits. */
  policy: 'log-linear' | 'tabular';
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nX: 64,
  nY: 24,
  sLo: -2,
  sHi: 4,
  goldLinear: 1,
  goldQuad: 0.5,
  refSlope: -0.8,
  obsNoise: 0.5,
  noiseFeatures: 3,
  exploitThreshold: 2,
  pairsPerContext: 16,
  rmL2: 1e-3,
  nRefs: 10,
  methods: ['vanilla', 'clip', 'meanstd', 'minmax', 'lsc', 'sigmoid', 'par-1', 'par-10'],
  beta: 0.05,
  iterations: 200,
  samplesPerContext: 1,
  epochs: 4,
  minibatches: 2,
  clip: 0.2,
  lr: 0.005,
  criticLr: 0.1,
  whiten: true,
  every: 5,
  policy: 'log-linear',
};

export function parseMethod(m: string, nRefs: number): { kind: ShapingName; maxRefs?: number } {
  const par = /^par-(\d+)$/.exec(m);
  if (par) {
    const k = Number(par[1]);
    if (!(k >= 1 && k <= nRefs))
      throw new RangeError(`papers/par: method ${m} asks for ${k} reference rewards but nRefs = ${nRefs}.`);
    return { kind: 'par', maxRefs: k };
  }
  if (!(SHAPINGS as readonly string[]).includes(m) || m === 'par')
    throw new RangeError(
      `papers/par: unknown method "${m}"; use one of ${SHAPINGS.filter((s) => s !== 'par').join(', ')}, or par-M.`,
    );
  return { kind: m as ShapingName };
}

export function makeParTask(config: Config, seed: number) {
  const rng = new Rng(seed).split('par');
  const nY = config.nY;
  const shape: TableShape = { nX: config.nX, nY };
  const d = 2 + config.noiseFeatures;
  const n = config.nX * nY;
  const features = new Float64Array(n * d);
  const gold = new Float64Array(n);
  const hack = new Uint8Array(n);
  const refLogits = new Float64Array(n);
  const fr = rng.split('responses');
  for (let i = 0; i < n; i++) {
    const q = fr.normal();
    const s = config.sLo + (config.sHi - config.sLo) * fr.uniform();
    features[i * d] = q + config.obsNoise * fr.normal();
    features[i * d + 1] = s;
    for (let k = 2; k < d; k++) features[i * d + k] = fr.normal();
    gold[i] = q + config.goldLinear * s - config.goldQuad * s * s;
    hack[i] = s > config.exploitThreshold ? 1 : 0;
    refLogits[i] = 0.5 * fr.normal() + config.refSlope * s;
  }
  const task: PreferenceTask = { ...shape, gold, features, d };
  const logpRef = logSoftmaxRows(refLogits, shape);
  const refProbs = logpRef.map(Math.exp);
  const data = sampleComparisons(rng.split('data'), task, {
    behaviour: refProbs,
    perContext: config.pairsPerContext,
    labels: 'bradley-terry',
  });
  const rm = fitBTLinear(data, features, d, shape, { l2: config.rmL2 });
  // Reference responses: nRefs per prompt from π_ref, scored by the proxy.
  const refRewards: Float64Array[] = [];
  const rr = rng.split('refs');
  for (let x = 0; x < config.nX; x++) {
    const v = new Float64Array(config.nRefs);
    for (let m = 0; m < config.nRefs; m++) v[m] = rm.reward[x * nY + sampleCategorical(rr, refProbs, x * nY, nY)];
    refRewards.push(v);
  }
  return { shape, task, hack, logpRef, refProbs, data, rm, refRewards };
}

export function runSeed(config: Config, seed: number): RunResult {
  const { shape, task, hack, logpRef, refProbs, rm, refRewards } = makeParTask(config, seed);
  const model =
    config.policy === 'tabular' ? tabularModel(shape) : logLinearModel(logpRef, task.features as Float64Array, task.d);
  const init = config.policy === 'tabular' ? logpRef : new Float64Array(task.d);
  const { nX, nY } = shape;
  const rhat = rm.reward;
  const metrics: Record<string, number> = {};
  const iterations: number[] = [];
  const series: Record<string, number[]> = { [metricKey('all', 'iteration')]: iterations };
  const evalLogits = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      gold: expectedValue(p, task.gold, shape),
      proxy: expectedValue(p, rhat, shape),
      kl: expectedKL(logp, logpRef, shape),
      win: rewardWinRate(p, refProbs, task.gold, shape),
      hack: massOn(p, hack, shape),
    };
  };
  const ref = evalLogits(logpRef);
  Object.assign(metrics, metricsFor('ref', { gold: ref.gold, proxy: ref.proxy, hack: ref.hack }));
  // How hackable the proxy is: fraction of prompts whose proxy-best response is an exploit response.
  let hackTop = 0,
    goldRank = 0;
  for (let x = 0; x < nX; x++) {
    let best = 0;
    for (let y = 1; y < nY; y++) if (rhat[x * nY + y] > rhat[x * nY + best]) best = y;
    hackTop += hack[x * nY + best] / nX;
    goldRank += task.gold[x * nY + best] / nX;
  }
  Object.assign(
    metrics,
    metricsFor('proxy', { hackIsTop: hackTop, goldOfProxyBest: goldRank }),
    metricsFor('rm', { 'theta.quality': rm.theta[0], 'theta.spurious': rm.theta[1] }),
  );
  const contexts = Array.from({ length: nX }, (_, i) => i);
  const ppoCfg: PpoConfig = {
    beta: config.beta,
    clip: config.clip,
    epochs: config.epochs,
    minibatches: config.minibatches,
    optimiser: 'adam',
    lr: config.lr,
    criticLr: config.criticLr,
    whiten: config.whiten,
  };

  let first = true;
  for (const method of config.methods) {
    const { kind, maxRefs } = parseMethod(method, config.nRefs);
    const shaper = new RewardShaper(kind, { maxRefs });
    const rng = new Rng(seed).split('par-run');
    const sampler = rng.split('sample'),
      shuffler = rng.split('shuffle');
    const state = makePolicyState(shape, init, { optimiser: 'adam', lr: config.lr, criticLr: config.criticLr }, model);
    const curve = {
      gold: [] as number[],
      proxy: [] as number[],
      kl: [] as number[],
      win: [] as number[],
      hack: [] as number[],
    };
    const record = (it: number) => {
      const e = evalLogits(state.logits);
      for (const k of ['gold', 'proxy', 'kl', 'win', 'hack'] as const) curve[k].push(e[k]);
      if (first) iterations.push(it);
    };
    record(0);
    for (let it = 1; it <= config.iterations; it++) {
      const s = samplePolicy(sampler, state.logits, shape, contexts, config.samplesPerContext);
      const n = s.x.length;
      const raw = new Float64Array(n);
      for (let i = 0; i < n; i++) raw[i] = rhat[s.x[i] * nY + s.y[i]];
      const score = shaper.shape(raw, s.x, (x) => refRewards[x]);
      const b = { n, x: s.x, y: s.y, score, logpOld: new Float64Array(n), logpRef: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        b.logpOld[i] = s.logp[s.x[i] * nY + s.y[i]];
        b.logpRef[i] = logpRef[s.x[i] * nY + s.y[i]];
      }
      ppoUpdate(state, b, ppoCfg, shuffler);
      if (it % config.every === 0 || it === config.iterations) record(it);
    }
    first = false;
    for (const k of ['gold', 'proxy', 'kl', 'win', 'hack'] as const) {
      series[metricKey(method, k)] = curve[k];
      metrics[metricKey(method, k)] = curve[k][curve[k].length - 1];
    }
    const peakGold = Math.max(...curve.gold),
      peakWin = Math.max(...curve.win);
    Object.assign(
      metrics,
      metricsFor(method, {
        peakGold,
        peakWin,
        dropGold: peakGold - curve.gold[curve.gold.length - 1],
        dropWin: peakWin - curve.win[curve.win.length - 1],
      }),
    );
  }
  return { metrics, series };
}
