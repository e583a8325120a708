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
 *   iter-dpo-bt      the same candidates as dno-prct, ranked by a Bradley–Terry reward model
 *                    (fitted once on an offline dataset with full coverage), best vs worst,
 *                    DPO with reference π_t.
 *   spin             SPIN-style: teacher's response preferred over a sample of π_t, DPO with reference π_t.
 *   rlhf-bt          KL-regularised optimum of the same BT reward model, π ∝ π_1·exp(r̂/β), with β
 *                    set so that KL(π‖π_1) equals dno-prct's final KL (equal distance from the SFT policy).
 * Metrics per iteration: win rate against the teacher, against π_1 and against the previous
 * iterate; unregularised exploitability max_y P(y ≻ π) − ½; KL(π_t ‖ π_1).
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { coverageSampler, randomGame, samplePreferencePairs, type CyclicKind, type PreferenceGame } from './game';
import { exploitability, winRate } from './nash';
import {
  accumulateAverage,
  clonePolicy,
  kl,
  klRegularisedOptimum,
  softmaxPolicy,
  type TabularPolicy,
} from './policies';
import {
  comparisonsFromPairs,
  dnoExactStep,
  dpoGradientSteps,
  fitBradleyTerryMinimal,
  largestMarginPairs,
  rewardScores,
  sampleAndAnnotate,
  teacherVsSelfPairs,
  type ContrastPairs,
} from './dno';

export interface DnoConfig {
  nX: number;
  nY: number;
  btScale: number;
  cyclicScale: number;
  cyclic: CyclicKind;
  teacherTemperature: number;
  sftQuality: number;
  sftNoise: number;
  /** Iterations T. */
  iterations: number;
  /** Policy samples per prompt per iteration (K). */
  samples: number;
  /** Minimum win-rate margin of a DNO-Prct pair. */
  margin: number;
  /** DNO's η = the DPO coefficient β of the contrastive step. */
  eta: number;
  /** Gradient-descent steps per iteration and step size (in units of 1/η²) of the DPO updates. */
  gdSteps: number;
  lrScale: number;
  /** Reward-model data: pairs per prompt (both responses uniform over all K) and the fit's L2. */
  rmPairsPerContext: number;
  rmL2: number;
}

export const METHODS = ['dno-prct', 'dno-restrictive', 'dno-exact', 'iter-dpo-bt', 'spin', 'rlhf-bt'] as const;
export type Method = (typeof METHODS)[number];

export interface DnoWorld {
  game: PreferenceGame;
  teacher: TabularPolicy;
  init: TabularPolicy;
}

export function makeWorld(c: DnoConfig, rng: Rng): DnoWorld {
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
  const teacher = softmaxPolicy(c.nX, c.nY, tl);
  const noise = rng.split('sft').normals(q.length, 0, c.sftNoise);
  const sl = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) sl[i] = c.sftQuality * q[i] + noise[i];
  return { game, teacher, init: softmaxPolicy(c.nX, c.nY, sl) };
}

function logOf(p: TabularPolicy): Float64Array {
  const l = new Float64Array(p.probs.length);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(p.probs[i]);
  return l;
}

/** One DPO update from π_t with reference π_t on the given pairs. */
function dpoFrom(pi: TabularPolicy, pairs: ContrastPairs, c: DnoConfig): TabularPolicy {
  const theta = logOf(pi);
  const ref = Float64Array.from(theta);
  dpoGradientSteps(theta, ref, pi.nY, pairs, { beta: c.eta, steps: c.gdSteps, lrScale: c.lrScale });
  return softmaxPolicy(pi.nX, pi.nY, theta);
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

export function runSeed(config: DnoConfig, seed: number): RunResult {
  const root = new Rng(seed).split('dno');
  const w = makeWorld(config, root.split('world'));
  const { game, teacher, init } = w;
  const { nX, nY } = game;
  // the reward model of the BT baselines: one offline dataset with full coverage
  const rmData = samplePreferencePairs(
    game,
    coverageSampler(root.split('rm-cover'), nX, nY, 1),
    config.rmPairsPerContext,
    root.split('rm-data'),
  );
  const rHat = fitBradleyTerryMinimal(nX, nY, comparisonsFromPairs(rmData), config.rmL2);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const finals: Partial<Record<Method, TabularPolicy>> = {};
  for (const m of METHODS) {
    if (m === 'rlhf-bt') continue;
    const rng = root.split(m);
    const tr: Trace = { winTeacher: [], winInit: [], winPrev: [], exploit: [], klInit: [], pairs: [] };
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
        const pairs =
          m === 'iter-dpo-bt'
            ? largestMarginPairs(round, rewardScores(round, rHat, nX, nY), nX, 0, r.split('select'))
            : largestMarginPairs(round, round.winRate, nX, config.margin, r.split('select'));
        n = pairs.n;
        next = dpoFrom(pi, pairs, config);
      }
      observe(tr, w, next, pi, n);
      accumulateAverage(avg, next, t + 1);
      pi = next;
    }
    finals[m] = pi;
    series[`${m}_winTeacher`] = tr.winTeacher;
    series[`${m}_winInit`] = tr.winInit;
    series[`${m}_winPrev`] = tr.winPrev;
    series[`${m}_exploit`] = tr.exploit;
    series[`${m}_klInit`] = tr.klInit;
    if (m !== 'dno-exact') series[`${m}_pairs`] = tr.pairs;
    const last = tr.winTeacher.length - 1;
    metrics[`${m}_winTeacher`] = tr.winTeacher[last];
    metrics[`${m}_winInit`] = tr.winInit[last];
    metrics[`${m}_exploit`] = tr.exploit[last];
    metrics[`${m}_klInit`] = tr.klInit[last];
    metrics[`${m}_minWinPrev`] = Math.min(...tr.winPrev);
    if (m === 'dno-exact') {
      metrics[`${m}_avgWinTeacher`] = winRate(game, avg, teacher);
      metrics[`${m}_avgExploit`] = exploitability(game, avg);
    }
  }
  // RLHF with the BT reward model at the KL budget of DNO-Prct's final policy
  const target = kl(finals['dno-prct'] as TabularPolicy, init);
  let lo = Math.log(1e-6),
    hi = Math.log(1e6);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (kl(klRegularisedOptimum(init, rHat, Math.exp(mid)), init) > target) lo = mid;
    else hi = mid;
  }
  const rlhfBeta = Math.exp(0.5 * (lo + hi));
  const rlhf = klRegularisedOptimum(init, rHat, rlhfBeta);
  finals['rlhf-bt'] = rlhf;
  metrics['rlhf-bt_beta'] = rlhfBeta;
  metrics['rlhf-bt_winTeacher'] = winRate(game, rlhf, teacher);
  metrics['rlhf-bt_winInit'] = winRate(game, rlhf, init);
  metrics['rlhf-bt_exploit'] = exploitability(game, rlhf);
  metrics['rlhf-bt_klInit'] = kl(rlhf, init);
  metrics.init_winTeacher = winRate(game, init, teacher);
  metrics.init_exploit = exploitability(game, init);
  metrics.teacher_exploit = exploitability(game, teacher);
  const dno = finals['dno-prct'] as TabularPolicy;
  for (const m of METHODS)
    if (m !== 'dno-prct') metrics[`headToHead_dno-prct_vs_${m}`] = winRate(game, dno, finals[m] as TabularPolicy);
  return { metrics, series };
}
