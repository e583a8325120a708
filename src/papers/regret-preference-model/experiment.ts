/**
 * The miniature of Knox, Hatgis-Kessell, Booth, Niekum, Stone & Allievi, "Models of human preference
 * for learning reward functions" (TMLR 2024, arXiv:2206.02231): one seed = a batch of random
 * delivery gridworlds (the generator of the authors' code, `randomDeliveryWorld`).
 *
 * Per MDP (gold linear reward w, γ = 0.999, deterministic transitions):
 * 1. Finite data (§6, the synthetic-preference experiment). Independent segment pairs — start state
 *    uniform over non-terminal cells, uniformly random actions, length 3 — labelled by the regret
 *    model and by the partial-return model, each 'noiseless' (ties ½) and 'stochastic' (β = 1). For
 *    every number of preferences n, each learner (regret-model MLE, partial-return MLE) is fitted to
 *    the first n pairs; the policy greedy for the learned reward (uniform over ties) is scored by its
 *    return under w, scaled as in the authors' code: (J(π̂) − J(uniform)) / (J(π*) − J(uniform)),
 *    averaged over start states; "near-optimal" means scaled return ≥ 0.9.
 * 2. Identifiability (§3). Exact (infinite-data) labels on many pairs: the regret-model MLE
 *    should recover an optimal policy. Restricted to pairs of segments that never reach a terminal
 *    state (equal horizons), partial-return preference probabilities are exactly invariant to adding
 *    a constant c to every non-terminal transition's reward (c·alive), while the shift changes the
 *    optimal policy of the episodic task and changes the regret-model probabilities; both learners
 *    are also fitted to exact labels on those pairs.
 * Task entry point: `runSeed(config, seed)`.
 *
 * Record keys (`method/metric`). Finite data, per run `runName(learner, labels, noise)` (e.g.
 * `regret:regret:noiseless`: the regret-model learner on regret-model labels without noise) and
 * number of preferences n: `<run>/nearOpt@n`, `<run>/aboveRandom@n`, `<run>/median@n` (fractions of
 * the seed's MDPs near-optimal and better than random, median scaled return) and the series
 * `<run>/scaled@n` (one scaled return per MDP). Identifiability, per learner `regret` / `pr`:
 * metrics `<l>/exactNearOpt`, `<l>/nonTermNearOpt`, `all/nonTermMdps`; series per MDP `<l>/exact`,
 * `<l>/nonTerm`, `regret/exactGap`, `regret/nonTermGap`, `<l>/maxDeltaShift`, `shifted/scaled`,
 * `all/{nonTermPairs,hasCoin,nS}`. Timings (never compared): `<l>/fitMs`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { policyEvaluation } from '../../testbeds/tabular/solvers/exact';
import {
  randomDeliveryWorld,
  entryRewards,
  gridReward,
  type DeliveryOptions,
  type FeatureGridworld,
} from '../../testbeds/tabular/env/gridworld';
import { evaluateDeterministic, greedyPolicyWithTies } from '../../testbeds/tabular/solvers/policy-iteration';
import {
  consecutivePairs,
  firstPairs,
  labelsFromLogits,
  pairLogits,
  partialReturns,
  sampleSegments,
  segmentFeatureSums,
  segmentRegrets,
  uniformBehaviour,
  type SegmentPairs,
  type SegmentSet,
} from '../../testbeds/tabular/env/preferences';
import {
  fitPartialReturnLinear,
  fitRegretLinear,
  linearOptimum,
  pairFeatureDifferences,
  regretObjective,
  type FitOptimizer,
} from '../../testbeds/tabular/methods/reward-learning';

export const GENERATORS = ['regret', 'pr'] as const;
export const LEARNERS = ['regret', 'pr'] as const;
export const NOISE_MODES = ['noiseless', 'stochastic'] as const;
export type PrefModel = (typeof GENERATORS)[number];
export type NoiseMode = (typeof NOISE_MODES)[number];

export interface Config {
  /** Random delivery MDPs per seed (the generator of the authors' code, `randomDeliveryWorld`). */
  mdpsPerSeed: number;
  /** Numbers of preferences (nested training sets). */
  sizes: number[];
  /** Length L of every segment (steps). */
  segmentLength: number;
  /** Boltzmann rationality β of the stochastic labels (logit = β·difference). */
  beta: number;
  /** Label noise modes: 'noiseless' (ties ½) and/or 'stochastic' (Bernoulli labels). */
  noiseModes: NoiseMode[];
  /** Fit every learner to every generator's labels (true) or only learner = generator (false). */
  cross: boolean;
  /** L-BFGS budget of every fit (both learners). */
  maxIterations: number;
  /** Random initialisations of the (non-convex) regret-model fit; the lowest training loss is kept. */
  restarts: number;
  /** Pairs with exact labels for the identifiability checks. */
  exactPairs: number;
  /** Constant added to every non-terminal transition's reward in the invariance check. */
  shift: number;
  /** Scaled return at or above which a policy counts as near-optimal. */
  nearOptimal: number;
  /** Options of the delivery-world generator (default: the authors' generator, γ = 0.999). */
  delivery?: DeliveryOptions;
}

/** The full-profile configuration of the notebook (its smoke profile uses fewer sizes, restarts and pairs). */
export const DEFAULTS: Config = {
  mdpsPerSeed: 10,
  sizes: [3, 10, 30, 100, 300, 1000],
  segmentLength: 3,
  beta: 1,
  noiseModes: ['noiseless', 'stochastic'],
  cross: false,
  maxIterations: 200,
  restarts: 4,
  exactPairs: 1000,
  shift: 2,
  nearOptimal: 0.9,
};

/** Exact return of the (tie-uniform) greedy policy for reward w, under the gold reward. */
export function scoreReward(
  world: FeatureGridworld,
  wGold: Float64Array,
  wLearned: ArrayLike<number>,
  ref: { jStar: number; jRand: number },
): number {
  const opt = linearOptimum(world, wLearned);
  const Q = new Float64Array(world.nS * world.nA);
  for (let s = 0; s < world.nS; s++)
    for (let a = 0; a < world.nA; a++) Q[s * world.nA + a] = opt.A[s * world.nA + a] + opt.V[s];
  const pi = greedyPolicyWithTies(Q, world.nS, world.nA);
  return scaledReturn(world, wGold, pi, ref);
}

/** (J(π) − J(uniform)) / (J(π*) − J(uniform)), J = mean over start states of V^π under w. */
export function scaledReturn(
  world: FeatureGridworld,
  wGold: Float64Array,
  pi: Float64Array,
  ref: { jStar: number; jRand: number },
): number {
  const { nS, nA } = world;
  let deterministic = true;
  const act = new Int32Array(nS);
  for (let s = 0; s < nS && deterministic; s++) {
    let k = 0;
    for (let a = 0; a < nA; a++)
      if (pi[s * nA + a] > 0) {
        k++;
        act[s] = a;
      }
    if (k !== 1) deterministic = false;
  }
  const rbar = gridReward(world, wGold);
  let V: Float64Array;
  if (deterministic && world.next) {
    const nextPi = new Int32Array(nS),
      rPi = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      nextPi[s] = world.next[s * nA + act[s]];
      rPi[s] = rbar[s * nA + act[s]];
    }
    V = evaluateDeterministic(nextPi, rPi, 1, world.gamma);
  } else V = policyEvaluation(world, rbar, pi);
  const j = startAverage(world, V);
  const span = ref.jStar - ref.jRand;
  return span > 1e-9 * (1 + Math.abs(ref.jStar)) ? (j - ref.jRand) / span : 1;
}

function startAverage(world: FeatureGridworld, V: Float64Array): number {
  let j = 0;
  for (const s of world.startStates) j += V[s];
  return j / world.startStates.length;
}

/** One delivery MDP's results (runMdp). */
export interface DeliveryMdpResult {
  nS: number;
  /** scaled[`${generator}|${learner}|${noise}`][sizeIndex]. */
  scaled: Record<string, number[]>;
  exactRegret: number;
  /** Training loss of the exact-label regret fit minus that of the gold reward. */
  exactRegretGap: number;
  exactPr: number;
  /** On non-terminating pairs only: */
  nonTermPairs: number;
  maxDeltaPr: number;
  maxDeltaRegret: number;
  shiftedScaled: number;
  /** Scores of the fits on non-terminating pairs (0 when there are none: see nonTermPairs). */
  nonTermRegret: number;
  nonTermRegretGap: number;
  nonTermPr: number;
  hasCoin: number;
  fitMs: Record<string, number>;
}

export function cellKey(gen: PrefModel, learner: PrefModel, noise: NoiseMode): string {
  return `${gen}|${learner}|${noise}`;
}

/** The record method name of a finite-data run: `learner:labels:noise` (e.g. `pr:pr:stochastic`). */
export function runName(learner: PrefModel, labels: PrefModel, noise: NoiseMode): string {
  return `${learner}:${labels}:${noise}`;
}

export function runMdp(config: Config, rng: Rng): DeliveryMdpResult {
  const { world, w } = randomDeliveryWorld(rng.split('world'), { gamma: 0.999, ...config.delivery });
  const { nA, gamma } = world;
  const gold = linearOptimum(world, w);
  const jStar = startAverage(world, gold.V);
  const jRand = startAverage(
    world,
    policyEvaluation(world, gridReward(world, w), new Float64Array(world.nS * nA).fill(1 / nA)),
  );
  const ref = { jStar, jRand };
  const opt: FitOptimizer = { kind: 'lbfgs', maxIterations: config.maxIterations, gtol: 1e-9, ftol: 1e-12 };
  const L = config.segmentLength;
  const nMax = Math.max(...config.sizes);
  const segs = sampleSegments(world, rng.split('segments'), { n: 2 * nMax, L, behaviour: uniformBehaviour(nA) });
  const pairs = consecutivePairs(nMax);
  const entryR = entryRewards(world, w);
  const feats = segmentFeatureSums(world, segs, 1);
  const score: Record<PrefModel, Float64Array> = {
    pr: partialReturns(segs, entryR, 1),
    regret: segmentRegrets(segs, gold.A, nA, gamma).map((v) => -v),
  };
  const logits: Record<PrefModel, Float64Array> = {
    pr: pairLogits(score.pr, pairs, config.beta),
    regret: pairLogits(score.regret, pairs, config.beta),
  };
  const dPhiAll = pairFeatureDifferences(feats, world.nF, pairs);
  const scaled: Record<string, number[]> = {};
  const fitMs: Record<string, number> = { regret: 0, pr: 0 };
  // Initial weights ~ U(−1/√k, 1/√k), the default initialisation of the authors' torch.nn.Linear.
  const initRng = rng.split('init');
  const init = () =>
    Float64Array.from({ length: world.nF }, () => initRng.range(-1 / Math.sqrt(world.nF), 1 / Math.sqrt(world.nF)));
  const fitFull = (
    learner: PrefModel,
    s: SegmentSet,
    p: SegmentPairs,
    dPhi: Float64Array,
    y: Float64Array,
  ): { x: Float64Array; loss: number } => {
    const t0 = Date.now();
    let best =
      learner === 'pr'
        ? fitPartialReturnLinear(dPhi, y, world.nF, opt, init())
        : fitRegretLinear(world, s, p, y, opt, init());
    if (learner === 'regret') {
      for (let k = 1; k < config.restarts; k++) {
        const r = fitRegretLinear(world, s, p, y, opt, init());
        if (r.loss < best.loss) best = r;
      }
    }
    fitMs[learner] += Date.now() - t0;
    return best;
  };
  const fit = (learner: PrefModel, s: SegmentSet, p: SegmentPairs, dPhi: Float64Array, y: Float64Array): Float64Array =>
    fitFull(learner, s, p, dPhi, y).x;
  /** Training loss of the fit minus that of the gold reward (≈ 0 or below: the MLE was found). */
  const regretGap = (s: SegmentSet, p: SegmentPairs, y: Float64Array, lossFit: number): number =>
    lossFit - regretObjective(world, s, p, y)(w, new Float64Array(world.nF));
  for (const noise of config.noiseModes) {
    for (const gen of GENERATORS) {
      const y = labelsFromLogits(logits[gen], noise, rng.split(`labels-${gen}-${noise}`));
      for (const learner of LEARNERS) {
        if (!config.cross && learner !== gen) continue;
        const key = cellKey(gen, learner, noise);
        scaled[key] = config.sizes.map((n) => {
          const p = firstPairs(pairs, n);
          const x = fit(learner, segs, p, dPhiAll.subarray(0, n * world.nF), y.subarray(0, n));
          return scoreReward(world, w, x, ref);
        });
      }
    }
  }

  // Identifiability with exact labels.
  const nE = config.exactPairs;
  const eSegs = sampleSegments(world, rng.split('exact-segments'), { n: 2 * nE, L, behaviour: uniformBehaviour(nA) });
  const ePairs = consecutivePairs(nE);
  const eFeats = segmentFeatureSums(world, eSegs, 1);
  const eScore = {
    pr: partialReturns(eSegs, entryR, 1),
    regret: segmentRegrets(eSegs, gold.A, nA, gamma).map((v) => -v),
  };
  const yRegret = labelsFromLogits(pairLogits(eScore.regret, ePairs, config.beta), 'exact');
  const yPr = labelsFromLogits(pairLogits(eScore.pr, ePairs, config.beta), 'exact');
  const exactRegretFit = fitFull('regret', eSegs, ePairs, pairFeatureDifferences(eFeats, world.nF, ePairs), yRegret);
  const exactRegret = scoreReward(world, w, exactRegretFit.x, ref);
  const exactRegretGap = regretGap(eSegs, ePairs, yRegret, exactRegretFit.loss);
  const exactPr = scoreReward(
    world,
    w,
    fit('pr', eSegs, ePairs, pairFeatureDifferences(eFeats, world.nF, ePairs), yPr),
    ref,
  );

  // Non-terminating pairs: both segments take L steps and end in a non-terminal state.
  const full = (i: number) => eSegs.len[i] === L && !world.terminal[eSegs.last[i]];
  const keep: number[] = [];
  for (let p = 0; p < nE; p++) if (full(ePairs.i[p]) && full(ePairs.j[p])) keep.push(p);
  const nt: SegmentPairs = {
    i: Int32Array.from(keep.map((p) => ePairs.i[p])),
    j: Int32Array.from(keep.map((p) => ePairs.j[p])),
  };
  const shifted = Float64Array.from(w);
  shifted[0] += config.shift;
  const shiftedOpt = linearOptimum(world, shifted);
  const shiftedScaled = scoreReward(world, w, shifted, ref);
  let maxDeltaPr = 0,
    maxDeltaRegret = 0,
    nonTermRegret = 0,
    nonTermPr = 0,
    nonTermRegretGap = 0;
  if (keep.length > 0) {
    const prShift = partialReturns(eSegs, entryRewards(world, shifted), 1);
    const regShift = segmentRegrets(eSegs, shiftedOpt.A, nA, gamma).map((v) => -v);
    const a1 = labelsFromLogits(pairLogits(eScore.pr, nt, config.beta), 'exact'),
      a2 = labelsFromLogits(pairLogits(prShift, nt, config.beta), 'exact');
    const b1 = labelsFromLogits(pairLogits(eScore.regret, nt, config.beta), 'exact'),
      b2 = labelsFromLogits(pairLogits(regShift, nt, config.beta), 'exact');
    for (let p = 0; p < keep.length; p++) {
      maxDeltaPr = Math.max(maxDeltaPr, Math.abs(a1[p] - a2[p]));
      maxDeltaRegret = Math.max(maxDeltaRegret, Math.abs(b1[p] - b2[p]));
    }
    const dNt = pairFeatureDifferences(eFeats, world.nF, nt);
    const ntFit = fitFull('regret', eSegs, nt, dNt, b1);
    nonTermRegret = scoreReward(world, w, ntFit.x, ref);
    nonTermRegretGap = regretGap(eSegs, nt, b1, ntFit.loss);
    nonTermPr = scoreReward(world, w, fit('pr', eSegs, nt, dNt, a1), ref);
  }
  let hasCoin = 0;
  for (let c = 0; c < world.cells.length; c++) if (world.cells[c] === 3) hasCoin = 1;
  return {
    nS: world.nS,
    scaled,
    exactRegret,
    exactRegretGap,
    exactPr,
    nonTermPairs: keep.length,
    maxDeltaPr,
    maxDeltaRegret,
    shiftedScaled,
    nonTermRegret,
    nonTermRegretGap,
    nonTermPr,
    hasCoin,
    fitMs,
  };
}

/**
 * Worker task: one seed → per-seed metrics (fraction of MDPs near-optimal and mean scaled return per
 * generator × learner × noise × size) and per-MDP series.
 */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('regret-preference-model');
  const rows: DeliveryMdpResult[] = [];
  for (let m = 0; m < config.mdpsPerSeed; m++) rows.push(runMdp(config, root.split(m)));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const noise of config.noiseModes) {
    for (const gen of GENERATORS) {
      for (const learner of LEARNERS) {
        const cell = cellKey(gen, learner, noise);
        if (!(cell in rows[0].scaled)) continue;
        const run = runName(learner, gen, noise);
        config.sizes.forEach((n, k) => {
          const vals = rows.map((r) => r.scaled[cell][k]);
          metrics[metricKey(run, `nearOpt@${n}`)] = vals.filter((v) => v >= config.nearOptimal).length / vals.length;
          metrics[metricKey(run, `aboveRandom@${n}`)] = vals.filter((v) => v >= 0).length / vals.length;
          metrics[metricKey(run, `median@${n}`)] = median(vals);
          series[metricKey(run, `scaled@${n}`)] = vals;
        });
      }
    }
  }
  const per = (f: (r: DeliveryMdpResult) => number) => rows.map(f);
  const exactRegret = per((r) => r.exactRegret);
  const exactPr = per((r) => r.exactPr);
  series[metricKey('regret', 'exact')] = exactRegret;
  series[metricKey('pr', 'exact')] = exactPr;
  series[metricKey('all', 'nonTermPairs')] = per((r) => r.nonTermPairs);
  series[metricKey('pr', 'maxDeltaShift')] = per((r) => r.maxDeltaPr);
  series[metricKey('regret', 'maxDeltaShift')] = per((r) => r.maxDeltaRegret);
  series[metricKey('shifted', 'scaled')] = per((r) => r.shiftedScaled);
  series[metricKey('regret', 'nonTerm')] = per((r) => r.nonTermRegret);
  series[metricKey('regret', 'nonTermGap')] = per((r) => r.nonTermRegretGap);
  series[metricKey('regret', 'exactGap')] = per((r) => r.exactRegretGap);
  series[metricKey('pr', 'nonTerm')] = per((r) => r.nonTermPr);
  series[metricKey('all', 'hasCoin')] = per((r) => r.hasCoin);
  series[metricKey('all', 'nS')] = per((r) => r.nS);
  const frac = (xs: number[]) => xs.filter((v) => v >= config.nearOptimal).length / xs.length;
  metrics[metricKey('regret', 'exactNearOpt')] = frac(exactRegret);
  metrics[metricKey('pr', 'exactNearOpt')] = frac(exactPr);
  const nt = rows.filter((r) => r.nonTermPairs > 0);
  metrics[metricKey('all', 'nonTermMdps')] = nt.length;
  if (nt.length) {
    metrics[metricKey('regret', 'nonTermNearOpt')] = frac(nt.map((r) => r.nonTermRegret));
    metrics[metricKey('pr', 'nonTermNearOpt')] = frac(nt.map((r) => r.nonTermPr));
  }
  // Wall-clock fit times are not reproducible: kept apart from metrics/series (never compared).
  const timings = {
    [metricKey('regret', 'fitMs')]: rows.reduce((s, r) => s + r.fitMs.regret, 0),
    [metricKey('pr', 'fitMs')]: rows.reduce((s, r) => s + r.fitMs.pr, 0),
  };
  return { metrics, series, timings };
}

/** Median as the mean of the two middle values, 0.5·(a + b) (the form these results were computed with). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}
