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
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { sampleComparisons, type PreferenceTask } from './data';
import { fitBTLinear } from './bt-reward';
import { logLinearModel, makePolicyState, ppoUpdate, samplePolicy, tabularModel, type PpoConfig } from './rlhf';
import { RewardShaper, SHAPINGS, type ShapingName } from './par';
import {
  expectedKL,
  expectedValue,
  logSoftmaxRows,
  massOn,
  sampleCategorical,
  winRate,
  type TableShape,
} from './tabular-policy';

export interface ParConfig {
  nX: number;
  nY: number;
  sLo: number;
  sHi: number;
  goldLinear: number;
  goldQuad: number;
  refSlope: number;
  obsNoise: number;
  noiseFeatures: number;
  exploitThreshold: number;
  pairsPerContext: number;
  rmL2: number;
  nRefs: number;
  /** Methods: shaping names, with 'par-M' for PAR using M reference rewards. */
  methods: string[];
  beta: number;
  iterations: number;
  samplesPerContext: number;
  epochs: number;
  minibatches: number;
  clip: number;
  lr: number;
  criticLr: number;
  whiten: boolean;
  every: number;
  policy: 'log-linear' | 'tabular';
}

export function parseMethod(m: string, nRefs: number): { kind: ShapingName; maxRefs?: number } {
  const par = /^par-(\d+)$/.exec(m);
  if (par) {
    const k = Number(par[1]);
    if (!(k >= 1 && k <= nRefs))
      throw new RangeError(`par-experiment: method ${m} asks for ${k} reference rewards but nRefs = ${nRefs}.`);
    return { kind: 'par', maxRefs: k };
  }
  if (!(SHAPINGS as readonly string[]).includes(m) || m === 'par')
    throw new RangeError(
      `par-experiment: unknown method "${m}"; use one of ${SHAPINGS.filter((s) => s !== 'par').join(', ')}, or par-M.`,
    );
  return { kind: m as ShapingName };
}

export function makeParTask(config: ParConfig, seed: number) {
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

export function runSeed(config: ParConfig, seed: number): RunResult {
  const { shape, task, hack, logpRef, refProbs, rm, refRewards } = makeParTask(config, seed);
  const model =
    config.policy === 'tabular' ? tabularModel(shape) : logLinearModel(logpRef, task.features as Float64Array, task.d);
  const init = config.policy === 'tabular' ? logpRef : new Float64Array(task.d);
  const { nX, nY } = shape;
  const rhat = rm.reward;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = { iteration: [] };
  const evalLogits = (logits: Float64Array) => {
    const logp = logSoftmaxRows(logits, shape);
    const p = logp.map(Math.exp);
    return {
      gold: expectedValue(p, task.gold, shape),
      proxy: expectedValue(p, rhat, shape),
      kl: expectedKL(logp, logpRef, shape),
      win: winRate(p, refProbs, task.gold, shape),
      hack: massOn(p, hack, shape),
    };
  };
  const ref = evalLogits(logpRef);
  metrics['ref.gold'] = ref.gold;
  metrics['ref.proxy'] = ref.proxy;
  metrics['ref.hack'] = ref.hack;
  // How hackable the proxy is: fraction of prompts whose proxy-best response is an exploit response.
  let hackTop = 0,
    goldRank = 0;
  for (let x = 0; x < nX; x++) {
    let best = 0;
    for (let y = 1; y < nY; y++) if (rhat[x * nY + y] > rhat[x * nY + best]) best = y;
    hackTop += hack[x * nY + best] / nX;
    goldRank += task.gold[x * nY + best] / nX;
  }
  metrics['proxy.hackIsTop'] = hackTop;
  metrics['proxy.goldOfProxyBest'] = goldRank;
  metrics['rm.theta.quality'] = rm.theta[0];
  metrics['rm.theta.spurious'] = rm.theta[1];
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
      if (first) series.iteration.push(it);
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
      series[`${method}.${k}`] = curve[k];
      metrics[`${method}.${k}`] = curve[k][curve[k].length - 1];
    }
    const peakGold = Math.max(...curve.gold),
      peakWin = Math.max(...curve.win);
    metrics[`${method}.peakGold`] = peakGold;
    metrics[`${method}.peakWin`] = peakWin;
    metrics[`${method}.dropGold`] = peakGold - curve.gold[curve.gold.length - 1];
    metrics[`${method}.dropWin`] = peakWin - curve.win[curve.win.length - 1];
  }
  return { metrics, series };
}
