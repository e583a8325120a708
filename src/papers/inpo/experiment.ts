/**
 * The INPO miniature (Zhang et al. 2024), one seed = one random game and one run of every method
 * for T iterations of online self-play with sampled preference feedback.
 *
 * Game: prompts × K responses; logit P(y ≻ y'|x) = q(x,y) − q(x,y') + C_x(y,y') + λ·(ℓ(x,y) − ℓ(x,y'))
 * with a transitive quality q, rock–paper–scissors triples C and a length feature ℓ ~ U(0, 1) that
 * the preference oracle rewards (a length bias). Reference π_ref = softmax of N(0, refScale²) logits.
 * Ground truth: the τ-regularised Nash equilibrium π*_τ.
 *
 * Methods (each iteration: `pairsPerContext` pairs y, y' ~ π_t per prompt, labelled by Bernoulli(P)):
 *   inpo          minimiser of the INPO loss E[(h_t(π, y_w, y_l) − η/2)²] (exact, per prompt)
 *   inpo-no-kl    the same with τ = 0 (the paper's ablation without KL regularisation)
 *   online-ipo    the IPO loss with reference π_ref on the on-policy pairs (exact minimiser)
 *   iter-dpo-bt   iterative DPO with a Bradley–Terry reward model (Dong et al. 2024 style) at INPO's
 *                 annotation budget: each iteration `pairsPerContext` pairs y, y' ~ π_t per prompt labelled
 *                 by the same oracle (as many labels as INPO), the RM refitted on all labels so far, then
 *                 n samples per prompt from π_t, best vs worst by the RM, DPO steps from π_t with
 *                 reference π_ref. Its β is set once, after the first round (whose pairs come from π_ref),
 *                 so that that RM's KL-regularised optimum π_ref·exp(r̂/β) has the same KL from π_ref as
 *                 π*_τ (both methods aim at policies equally far from the reference).
 *   iter-dpo-bt-offline   the same with the RM fitted once on rmPairsPerContext pairs from π_ref (a
 *                 smaller annotation budget; reported for reference, not used by the verdicts).
 * Also, per seed: the exact population version of INPO's update (= OMD) to check that the loss's
 * minimiser is the OMD step.
 * Metrics per iteration: duality gap of the τ-regularised game, unregularised exploitability, win
 * rates against π_ref (raw and length-controlled: under P without its length term), mean length.
 * Task entry point: `runSeed(config, seed)` ('papers/inpo/experiment#runSeed').
 *
 * Record keys (`method/metric`): `<method>/dualityGap`, `/dualityGap0`, `/exploit`, `/winRef`,
 * `/winRefLC`, `/length`, `/winNash`, `/klRef` (series: the same per iteration, without
 * `dualityGap0`, `klRef`); `inpo/headToHead:<method>`, `inpo/headToHeadLC:<method>` (P(INPO ≻ method),
 * raw and length-controlled); `nash/…` (π*_τ: `length`, `winRef`, `winRefLC`, `exploit`, `klRef`);
 * `ref/length`; `<method>/labels` (oracle labels per prompt consumed); `iter-dpo-bt/beta`,
 * `iter-dpo-bt-offline/beta` (their KL-matched β); `omd/lossVsOmdMaxDiff`, `omd/dualityGap` (the
 * exact population OMD path and the INPO-loss check along it).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey, metricsFor } from '../../core/metric-keys';
import { comparisonsFromPairs, populationComparisons } from '../../testbeds/preference/data/comparisons';
import {
  concatPairs,
  randomGame,
  samplePreferencePairs,
  withoutLengthBias,
  type CyclicKind,
  type PreferencePairs,
} from '../../testbeds/preference/data/game';
import { fitBTTabularRidge } from '../../testbeds/preference/methods/bradley-terry';
import { largestMarginPairs, rewardScores, type CandidateRound } from '../../testbeds/preference/methods/dno';
import { dpoGradientSteps } from '../../testbeds/preference/methods/dpo';
import { inpoUpdate } from '../../testbeds/preference/methods/inpo';
import { onlineIpoUpdate } from '../../testbeds/preference/methods/ipo';
import { omdStep } from '../../testbeds/preference/methods/omd';
import {
  clonePolicy,
  expectation,
  kl,
  logProbs,
  maxKl,
  randomSoftmaxPolicy,
  sampleResponse,
  tabularPolicyFromLogits,
  type TabularPolicy,
} from '../../testbeds/preference/policies/tabular-policy';
import { klMatchedBeta } from '../../testbeds/preference/solvers/kl-optimum';
import { dualityGap, exploitability, regularisedNash, winRate } from '../../testbeds/preference/solvers/nash';

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
  /** Weight λ of the length feature ℓ ~ U(0, 1) in the preference logit (the oracle's length bias). */
  lengthBias: number;
  /** Standard deviation of π_ref's logits. */
  refScale: number;
  /** Self-play iterations T. */
  iterations: number;
  /** On-policy preference pairs per prompt per iteration. */
  pairsPerContext: number;
  /** INPO's KL coefficient τ. */
  tau: number;
  /** INPO's step η. */
  eta: number;
  /** Iterative DPO: samples per prompt per iteration (best vs worst by the reward model). */
  dpoSamples: number;
  /** Iterative DPO: gradient-descent steps per iteration. */
  gdSteps: number;
  /** Iterative DPO: step size in units of 1/β². */
  lrScale: number;
  /** Offline reward-model data (the `-offline` reference arm): pairs per prompt sampled from π_ref. */
  rmPairsPerContext: number;
  /** L2 (ridge) of the reward-model fit. */
  rmL2: number;
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nX: 30,
  nY: 6,
  btScale: 1,
  cyclicScale: 2,
  cyclic: 'rps-blocks',
  lengthBias: 1,
  refScale: 1,
  iterations: 15,
  pairsPerContext: 32,
  tau: 0.1,
  eta: 2,
  dpoSamples: 8,
  gdSteps: 10,
  lrScale: 0.5,
  rmPairsPerContext: 32,
  rmL2: 0.1,
};

export const METHODS = ['inpo', 'inpo-no-kl', 'online-ipo', 'iter-dpo-bt', 'iter-dpo-bt-offline'] as const;
export type Method = (typeof METHODS)[number];

/** K samples per prompt from π as a candidate round (scores filled by the caller). */
function sampleCandidates(pi: TabularPolicy, K: number, rng: Rng): CandidateRound {
  const cand = new Int32Array(pi.nX * K);
  for (let x = 0; x < pi.nX; x++) for (let k = 0; k < K; k++) cand[x * K + k] = sampleResponse(pi, x, rng);
  return { cand, m: K, winRate: new Float64Array(pi.nX * K) };
}

export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('inpo');
  const game = randomGame(root.split('game'), {
    nX: config.nX,
    nY: config.nY,
    btScale: config.btScale,
    cyclicScale: config.cyclicScale,
    cyclic: config.cyclic,
    lengthBias: config.lengthBias,
  });
  const lc = withoutLengthBias(game);
  const { nX, nY } = game;
  const ref = randomSoftmaxPolicy(root.split('ref'), nX, nY, config.refScale);
  const tau = config.tau,
    eta = config.eta;
  const star = regularisedNash(game, ref, tau, { tol: 1e-12 }).policy;
  const len = game.length as Float64Array;
  const reg = { mu: ref, beta: tau };
  // the offline reward model of the reference arm and its KL-matched β
  const rmData = samplePreferencePairs(game, ref, config.rmPairsPerContext, root.split('rm-data'));
  const rHatOffline = fitBTTabularRidge(nX, nY, comparisonsFromPairs(rmData), config.rmL2);
  const targetKl = kl(star, ref);
  const offlineBeta = klMatchedBeta(ref, rHatOffline, targetKl);
  const metrics: Record<string, number> = { 'iter-dpo-bt-offline/beta': offlineBeta, 'nash/klRef': targetKl };
  const series: Record<string, number[]> = {};
  const finals: Partial<Record<Method, TabularPolicy>> = {};
  const refLogp = logProbs(ref);
  for (const m of METHODS) {
    const rng = root.split(m);
    let pi = clonePolicy(ref);
    const labels: PreferencePairs[] = [];
    let dpoBeta = offlineBeta;
    const dg: number[] = [],
      ex: number[] = [],
      wr: number[] = [],
      wrLc: number[] = [],
      ln: number[] = [],
      wn: number[] = [];
    const obs = (p: TabularPolicy) => {
      dg.push(dualityGap(game, p, reg));
      ex.push(exploitability(game, p));
      wr.push(winRate(game, p, ref));
      wrLc.push(winRate(lc, p, ref));
      ln.push(expectation(p, len));
      wn.push(winRate(game, p, star));
    };
    obs(pi);
    for (let t = 0; t < config.iterations; t++) {
      const r = rng.split(t);
      if (m === 'iter-dpo-bt' || m === 'iter-dpo-bt-offline') {
        let rHat = rHatOffline;
        if (m === 'iter-dpo-bt') {
          // INPO's annotation budget: as many oracle-labelled on-policy pairs, the RM refitted on all of them
          labels.push(samplePreferencePairs(game, pi, config.pairsPerContext, r.split('pairs')));
          rHat = fitBTTabularRidge(nX, nY, comparisonsFromPairs(concatPairs(labels)), config.rmL2);
          if (t === 0) dpoBeta = klMatchedBeta(ref, rHat, targetKl);
        }
        const round = sampleCandidates(pi, config.dpoSamples, r.split('sample'));
        const pairs = largestMarginPairs(round, rewardScores(round, rHat, nX, nY), nX, 0, r.split('select'));
        const theta = logProbs(pi);
        dpoGradientSteps(theta, refLogp, nY, pairs, { beta: dpoBeta, steps: config.gdSteps, lrScale: config.lrScale });
        pi = tabularPolicyFromLogits(nX, nY, theta);
      } else {
        const sampled = samplePreferencePairs(game, pi, config.pairsPerContext, r.split('pairs'));
        labels.push(sampled);
        const pairs = comparisonsFromPairs(sampled);
        if (m === 'inpo') pi = inpoUpdate(pi, ref, pairs, eta, tau);
        else if (m === 'inpo-no-kl') pi = inpoUpdate(pi, ref, pairs, eta, 0);
        else pi = onlineIpoUpdate(ref, pairs, tau);
      }
      obs(pi);
    }
    finals[m] = pi;
    series[metricKey(m, 'dualityGap')] = dg;
    series[metricKey(m, 'exploit')] = ex;
    series[metricKey(m, 'winRef')] = wr;
    series[metricKey(m, 'winRefLC')] = wrLc;
    series[metricKey(m, 'length')] = ln;
    series[metricKey(m, 'winNash')] = wn;
    const k = dg.length - 1;
    Object.assign(
      metrics,
      metricsFor(m, {
        dualityGap: dg[k],
        dualityGap0: dg[0],
        exploit: ex[k],
        winRef: wr[k],
        winRefLC: wrLc[k],
        length: ln[k],
        winNash: wn[k],
        klRef: kl(pi, ref),
        labels: m === 'iter-dpo-bt-offline' ? rmData.n / nX : labels.reduce((a, p) => a + p.n, 0) / nX,
      }),
    );
    if (m === 'iter-dpo-bt') metrics[metricKey(m, 'beta')] = dpoBeta;
  }
  const inpo = finals.inpo as TabularPolicy;
  for (const m of METHODS)
    if (m !== 'inpo') {
      metrics[metricKey('inpo', `headToHead:${m}`)] = winRate(game, inpo, finals[m] as TabularPolicy);
      metrics[metricKey('inpo', `headToHeadLC:${m}`)] = winRate(lc, inpo, finals[m] as TabularPolicy);
    }
  metrics[metricKey('nash', 'length')] = expectation(star, len);
  metrics[metricKey('ref', 'length')] = expectation(ref, len);
  metrics[metricKey('nash', 'winRef')] = winRate(game, star, ref);
  metrics[metricKey('nash', 'winRefLC')] = winRate(lc, star, ref);
  metrics[metricKey('nash', 'exploit')] = exploitability(game, star);
  // INPO's loss on population data is minimised by the OMD step: check along the exact OMD path
  let worst = 0;
  let p = clonePolicy(ref);
  for (let t = 0; t < config.iterations; t++) {
    const viaLoss = inpoUpdate(p, ref, populationComparisons(game, p), eta, tau);
    const viaOmd = omdStep(game, p, ref, eta, tau);
    worst = Math.max(worst, maxKl(viaOmd, viaLoss), maxAbsLogDiff(viaOmd, viaLoss));
    p = viaOmd;
  }
  metrics[metricKey('omd', 'lossVsOmdMaxDiff')] = worst;
  metrics[metricKey('omd', 'dualityGap')] = dualityGap(game, p, reg);
  return { metrics, series };
}

function maxAbsLogDiff(a: TabularPolicy, b: TabularPolicy): number {
  let m = 0;
  for (let i = 0; i < a.probs.length; i++) m = Math.max(m, Math.abs(Math.log(a.probs[i]) - Math.log(b.probs[i])));
  return m;
}
