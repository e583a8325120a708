/**
 * The DNO miniature (Rosset et al. 2024), one seed = one random game, one teacher, one run of
 * every method for T iterations.
 *
 * Game: prompts × K responses; logit P(y ≻ y'|x) = q(x,y) − q(x,y') + C_x(y,y') with a transitive
 * quality q ~ N(0, btScale²) and disjoint rock–paper–scissors triples of strength cyclicScale.
 * Teacher (the fixed "GPT-4" to beat): π_T ∝ exp(q/teacherTemperature), strong on the transitive
 * quality. Initial policy π_1 (the SFT model): softmax(sftQuality·q + N(0, sftNoise²)).
 *
 * Methods (each iteration t = 1..T; DPO steps start from π_t):
 *   dno-prct         DNO Algorithm 2: K samples from π_t + 1 teacher sample, every pair annotated
 *                    once by the preference oracle (Bernoulli(P)), largest-margin pair (best vs
 *                    worst win rate, margin ≥ `margin`), DPO with reference π_t.
 *   dno-restrictive  the same without the teacher sample (the paper's ablation).
 *   dno-exact        DNO Algorithm 1 with exact win rates: π_{t+1} ∝ π_t·exp(P(y ≻ π_t)/η).
 *   iter-dpo-bt      iterative DPO ranked by a Bradley–Terry reward model at DNO-Prct's annotation
 *                    budget: each iteration the same kind of candidates (K samples of its own π_t + 1
 *                    teacher sample), every pair annotated once by the same oracle (the same number of
 *                    labels as DNO-Prct), the RM refitted on all labels collected so far, best vs worst
 *                    by the RM, DPO with reference π_t.
 *   spin             SPIN-style: teacher's response preferred over a sample of π_t, DPO with reference π_t.
 *   rlhf-bt          KL-regularised optimum π ∝ π_1·exp(r̂/β) of a BT reward model fitted on exactly the
 *                    oracle labels DNO-Prct consumed (all iterations), with β set so that KL(π‖π_1) equals
 *                    dno-prct's final KL (equal distance from the SFT policy).
 *   iter-dpo-bt-offline, rlhf-bt-offline   the same two with a reward model fitted once on an offline
 *                    dataset with full coverage (rmPairsPerContext labels per prompt: a smaller budget;
 *                    reported for reference, not used by the verdicts).
 * Metrics per iteration: win rate against the teacher, against π_1 and against the previous
 * iterate; unregularised exploitability max_y P(y ≻ π) − ½; KL(π_t ‖ π_1).
 * Task entry point: `runSeed(config, seed)` ('papers/dno/experiment#runSeed').
 *
 * Record keys (`method/metric`): `<method>/winTeacher`, `/winInit`, `/exploit`, `/klInit`,
 * `/labels` (oracle labels per prompt the method consumed; none for exact DNO, 0 for SPIN), `/minWinPrev`
 * (series: `/winTeacher`, `/winInit`, `/winPrev`, `/exploit`, `/klInit`, `/pairs`);
 * `dno-exact/avgWinTeacher`, `/avgExploit`; `rlhf-bt/beta`, `rlhf-bt-offline/beta`; `init/…` (π_1),
 * `teacher/exploit`;
 * `dno-prct/headToHead:<method>` = P(DNO-Prct ≻ method).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { comparisonsFromPairs } from '../../testbeds/preference/data/comparisons';
import {
  concatPairs,
  coverageSampler,
  randomGame,
  samplePreferencePairs,
  type CyclicKind,
  type PreferenceGame,
  type PreferencePairs,
} from '../../testbeds/preference/data/game';
import { fitBTTabularRidge } from '../../testbeds/preference/methods/bradley-terry';
import {
  dnoExactStep,
  largestMarginPairs,
  rewardScores,
  sampleAndAnnotate,
} from '../../testbeds/preference/methods/dno';
import { dpoGradientSteps } from '../../testbeds/preference/methods/dpo';
import { teacherVsSelfPairs } from '../../testbeds/preference/methods/spin';
import {
  accumulateAverage,
  clonePolicy,
  kl,
  logProbs,
  tabularPolicyFromLogits,
  type TabularPolicy,
} from '../../testbeds/preference/policies/tabular-policy';
import { klMatchedBeta, klRegularisedOptimum } from '../../testbeds/preference/solvers/kl-optimum';
import { exploitability, winRate } from '../../testbeds/preference/solvers/nash';

export interface Config {
  /** Prompts (contexts) of the game. */
  nX: number;
  /** Responses per prompt (K). */
  nY: number;
  /** Standard deviation of the transitive quality q(x, y) (the Bradley–Terry part of the logit). */
  btScale: number;
  /** Logit by which each response beats the next of its rock–paper–scissors triple (cyclic part). */
  cyclicScale: number;
  /** Form of the cyclic part ('rps-blocks' in the notebook). */
  cyclic: CyclicKind;
  /** Temperature of the teacher π_T ∝ exp(q/temperature) (small: strong on the transitive quality). */
  teacherTemperature: number;
  /** Weight of q in the SFT policy's logits sftQuality·q + noise. */
  sftQuality: number;
  /** Standard deviation of the noise in the SFT policy's logits. */
  sftNoise: number;
  /** Iterations T. */
  iterations: number;
  /** Policy samples per prompt per iteration (K). */
  samples: number;
  /** Minimum win-rate margin of a DNO-Prct pair. */
  margin: number;
  /** DNO's η = the DPO coefficient β of the contrastive step. */
  eta: number;
  /** Gradient-descent steps of each iteration's DPO update. */
  gdSteps: number;
  /** Step size of the DPO updates, in units of 1/η². */
  lrScale: number;
  /** Offline reward-model data (the `-offline` reference arms): pairs per prompt, both responses uniform. */
  rmPairsPerContext: number;
  /** L2 (ridge) of the reward-model fit. */
  rmL2: number;
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nX: 50,
  nY: 12,
  btScale: 1,
  cyclicScale: 2,
  cyclic: 'rps-blocks',
  teacherTemperature: 0.25,
  sftQuality: 0.5,
  sftNoise: 1,
  iterations: 10,
  samples: 5,
  margin: 0.5,
  eta: 1,
  gdSteps: 10,
  lrScale: 0.5,
  rmPairsPerContext: 30,
  rmL2: 0.1,
};

export const METHODS = [
  'dno-prct',
  'dno-restrictive',
  'dno-exact',
  'iter-dpo-bt',
  'spin',
  'iter-dpo-bt-offline',
  'rlhf-bt',
  'rlhf-bt-offline',
] as const;
export type Method = (typeof METHODS)[number];

export interface DnoWorld {
  game: PreferenceGame;
  teacher: TabularPolicy;
  init: TabularPolicy;
}

export function makeWorld(c: Config, rng: Rng): DnoWorld {
  const game = randomGame(rng.split('game'), {
    nX: c.nX,
    nY: c.nY,
    btScale: c.btScale,
    cyclicScale: c.cyclicScale,
    cyclic: c.cyclic,
  });
  const q = game.reward as Float64Array;
  const tl = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) tl[i] = q[i] / c.teacherTemperature;
  const teacher = tabularPolicyFromLogits(c.nX, c.nY, tl);
  const noise = rng.split('sft').normals(q.length, 0, c.sftNoise);
  const sl = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) sl[i] = c.sftQuality * q[i] + noise[i];
  return { game, teacher, init: tabularPolicyFromLogits(c.nX, c.nY, sl) };
}

/** One DPO update from π_t with reference π_t on the given pairs. */
function dpoFrom(pi: TabularPolicy, pairs: PreferencePairs, c: Config): TabularPolicy {
  const theta = logProbs(pi);
  const ref = Float64Array.from(theta);
  dpoGradientSteps(theta, ref, pi.nY, pairs, { beta: c.eta, steps: c.gdSteps, lrScale: c.lrScale });
  return tabularPolicyFromLogits(pi.nX, pi.nY, theta);
}

interface Trace {
  winTeacher: number[];
  winInit: number[];
  winPrev: number[];
  exploit: number[];
  klInit: number[];
  pairs: number[];
}

function observe(tr: Trace, w: DnoWorld, pi: TabularPolicy, prev: TabularPolicy | null, pairs: number): void {
  tr.winTeacher.push(winRate(w.game, pi, w.teacher));
  tr.winInit.push(winRate(w.game, pi, w.init));
  if (prev) tr.winPrev.push(winRate(w.game, pi, prev));
  tr.exploit.push(exploitability(w.game, pi));
  tr.klInit.push(kl(pi, w.init));
  tr.pairs.push(pairs);
}

export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('dno');
  const w = makeWorld(config, root.split('world'));
  const { game, teacher, init } = w;
  const { nX, nY } = game;
  // the reward model of the offline reference arms: one offline dataset with full coverage
  const rmData = samplePreferencePairs(
    game,
    coverageSampler(root.split('rm-cover'), nX, nY, 1),
    config.rmPairsPerContext,
    root.split('rm-data'),
  );
  const rHatOffline = fitBTTabularRidge(nX, nY, comparisonsFromPairs(rmData), config.rmL2);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const finals: Partial<Record<Method, TabularPolicy>> = {};
  /** Oracle labels each method consumed (all iterations), for the equal-budget baselines and the accounting. */
  const consumed: Partial<Record<Method, PreferencePairs[]>> = {};
  for (const m of METHODS) {
    if (m === 'rlhf-bt' || m === 'rlhf-bt-offline') continue;
    const rng = root.split(m);
    const tr: Trace = { winTeacher: [], winInit: [], winPrev: [], exploit: [], klInit: [], pairs: [] };
    const labels: PreferencePairs[] = [];
    let pi = clonePolicy(init);
    const avg = clonePolicy(init);
    observe(tr, w, pi, null, 0);
    for (let t = 0; t < config.iterations; t++) {
      const r = rng.split(t);
      let next: TabularPolicy;
      let n = 0;
      if (m === 'dno-exact') {
        next = dnoExactStep(game, pi, config.eta);
        n = NaN;
      } else if (m === 'spin') {
        const pairs = teacherVsSelfPairs(game, pi, teacher, r.split('pairs'));
        n = pairs.n;
        next = dpoFrom(pi, pairs, config);
      } else {
        const round = sampleAndAnnotate(
          game,
          pi,
          m === 'dno-restrictive' ? null : teacher,
          config.samples,
          r.split('sample'),
        );
        let score = round.winRate;
        let margin = config.margin;
        if (m !== 'iter-dpo-bt-offline') labels.push(round.labels as PreferencePairs);
        if (m === 'iter-dpo-bt' || m === 'iter-dpo-bt-offline') {
          // the RM: refitted on every label collected so far (equal budget), or the offline one
          const rHat =
            m === 'iter-dpo-bt'
              ? fitBTTabularRidge(nX, nY, comparisonsFromPairs(concatPairs(labels)), config.rmL2)
              : rHatOffline;
          score = rewardScores(round, rHat, nX, nY);
          margin = 0;
        }
        const pairs = largestMarginPairs(round, score, nX, margin, r.split('select'));
        n = pairs.n;
        next = dpoFrom(pi, pairs, config);
      }
      observe(tr, w, next, pi, n);
      accumulateAverage(avg, next, t + 1);
      pi = next;
    }
    finals[m] = pi;
    consumed[m] = labels;
    series[metricKey(m, 'winTeacher')] = tr.winTeacher;
    series[metricKey(m, 'winInit')] = tr.winInit;
    series[metricKey(m, 'winPrev')] = tr.winPrev;
    series[metricKey(m, 'exploit')] = tr.exploit;
    series[metricKey(m, 'klInit')] = tr.klInit;
    if (m !== 'dno-exact') series[metricKey(m, 'pairs')] = tr.pairs;
    const last = tr.winTeacher.length - 1;
    metrics[metricKey(m, 'winTeacher')] = tr.winTeacher[last];
    metrics[metricKey(m, 'winInit')] = tr.winInit[last];
    metrics[metricKey(m, 'exploit')] = tr.exploit[last];
    metrics[metricKey(m, 'klInit')] = tr.klInit[last];
    metrics[metricKey(m, 'minWinPrev')] = Math.min(...tr.winPrev);
    if (m !== 'dno-exact')
      metrics[metricKey(m, 'labels')] =
        m === 'iter-dpo-bt-offline' ? rmData.n / nX : labels.reduce((s, p) => s + p.n, 0) / nX;
    if (m === 'dno-exact') {
      metrics[metricKey(m, 'avgWinTeacher')] = winRate(game, avg, teacher);
      metrics[metricKey(m, 'avgExploit')] = exploitability(game, avg);
    }
  }
  // RLHF at the KL budget of DNO-Prct's final policy: with a BT model fitted on exactly the labels
  // DNO-Prct consumed (equal annotation budget), and with the offline one (reference)
  const dnoKl = kl(finals['dno-prct'] as TabularPolicy, init);
  const dnoLabels = concatPairs(consumed['dno-prct'] as PreferencePairs[]);
  const rHatDno = fitBTTabularRidge(nX, nY, comparisonsFromPairs(dnoLabels), config.rmL2);
  for (const [m, rHat, n] of [
    ['rlhf-bt', rHatDno, dnoLabels.n],
    ['rlhf-bt-offline', rHatOffline, rmData.n],
  ] as const) {
    const beta = klMatchedBeta(init, rHat, dnoKl);
    const rlhf = klRegularisedOptimum(init, rHat, beta);
    finals[m] = rlhf;
    Object.assign(
      metrics,
      metricsFor(m, {
        beta,
        winTeacher: winRate(game, rlhf, teacher),
        winInit: winRate(game, rlhf, init),
        exploit: exploitability(game, rlhf),
        klInit: kl(rlhf, init),
        labels: n / nX,
      }),
    );
  }
  Object.assign(
    metrics,
    metricsFor('init', { winTeacher: winRate(game, init, teacher), exploit: exploitability(game, init) }),
    metricsFor('teacher', { exploit: exploitability(game, teacher) }),
  );
  const dno = finals['dno-prct'] as TabularPolicy;
  for (const m of METHODS)
    if (m !== 'dno-prct')
      metrics[metricKey('dno-prct', `headToHead:${m}`)] = winRate(game, dno, finals[m] as TabularPolicy);
  return { metrics, series };
}
