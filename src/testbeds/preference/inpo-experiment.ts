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
 *   iter-dpo-bt   iterative DPO with a Bradley–Terry reward model (Dong et al. 2024 style): the RM
 *                 is fitted once on pairs from π_ref; each iteration, n samples per prompt from π_t,
 *                 best vs worst by the RM, DPO steps from π_t with reference π_ref. Its β is set so
 *                 that the RM's KL-regularised optimum π_ref·exp(r̂/β) has the same KL from π_ref as
 *                 π*_τ (both methods aim at policies equally far from the reference).
 * Also, per seed: the exact population version of INPO's update (= OMD) to check that the loss's
 * minimiser is the OMD step.
 * Metrics per iteration: duality gap of the τ-regularised game, unregularised exploitability, win
 * rates against π_ref (raw and length-controlled: under P without its length term), mean length.
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  coverageSampler,
  randomGame,
  samplePreferencePairs,
  withoutLengthBias,
  type CyclicKind,
  type PreferenceGame,
} from './game';
import { dualityGap, exploitability, regularisedNash, winRate } from './nash';
import {
  expectation,
  kl,
  klRegularisedOptimum,
  maxKl,
  randomSoftmaxPolicy,
  softmaxPolicy,
  clonePolicy,
  type TabularPolicy,
} from './policies';
import { inpoUpdate, onlineIpoUpdate, signedFromPairs, type SignedPairs } from './inpo';
import { omdStep } from './online-md';
import {
  comparisonsFromPairs,
  dpoGradientSteps,
  fitBradleyTerryMinimal,
  largestMarginPairs,
  rewardScores,
  type CandidateRound,
} from './dno';
import { sampleResponse } from './policies';

export interface InpoConfig {
  nX: number;
  nY: number;
  btScale: number;
  cyclicScale: number;
  cyclic: CyclicKind;
  lengthBias: number;
  refScale: number;
  iterations: number;
  /** On-policy preference pairs per prompt per iteration. */
  pairsPerContext: number;
  /** INPO's KL coefficient τ and step η. */
  tau: number;
  eta: number;
  /** Iterative DPO: samples per prompt (best vs worst by the RM), GD steps and step size (units of 1/β²). */
  dpoSamples: number;
  gdSteps: number;
  lrScale: number;
  /** RM data: pairs per prompt sampled from π_ref, and the fit's L2. */
  rmPairsPerContext: number;
  rmL2: number;
}

export const METHODS = ['inpo', 'inpo-no-kl', 'online-ipo', 'iter-dpo-bt'] as const;
export type Method = (typeof METHODS)[number];

function logOf(p: TabularPolicy): Float64Array {
  const l = new Float64Array(p.probs.length);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(p.probs[i]);
  return l;
}

/** Population pairs of policy π: every y < y' with weight π(y)π(y'), signed label 2P(y ≻ y') − 1. */
export function populationSignedPairs(g: PreferenceGame, pi: TabularPolicy): SignedPairs {
  const { nX, nY } = g;
  const m = (nX * nY * (nY - 1)) / 2;
  const p: SignedPairs = {
    n: m,
    x: new Int32Array(m),
    i: new Int32Array(m),
    j: new Int32Array(m),
    w: new Float64Array(m),
    s: new Float64Array(m),
  };
  let k = 0;
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = y + 1; z < nY; z++) {
        p.x[k] = x;
        p.i[k] = y;
        p.j[k] = z;
        p.w[k] = pi.probs[x * nY + y] * pi.probs[x * nY + z];
        p.s[k] = 2 * g.P[(x * nY + y) * nY + z] - 1;
        k++;
      }
  return p;
}

/** K samples per prompt from π as a candidate round (scores filled by the caller). */
function sampleCandidates(pi: TabularPolicy, K: number, rng: Rng): CandidateRound {
  const cand = new Int32Array(pi.nX * K);
  for (let x = 0; x < pi.nX; x++) for (let k = 0; k < K; k++) cand[x * K + k] = sampleResponse(pi, x, rng);
  return { cand, m: K, winRate: new Float64Array(pi.nX * K) };
}

export function runSeed(config: InpoConfig, seed: number): RunResult {
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
  // reward model for iterative DPO and its KL-matched β
  const rmData = samplePreferencePairs(game, ref, config.rmPairsPerContext, root.split('rm-data'));
  const rHat = fitBradleyTerryMinimal(nX, nY, comparisonsFromPairs(rmData), config.rmL2);
  const targetKl = kl(star, ref);
  let lo = Math.log(1e-6),
    hi = Math.log(1e6);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (kl(klRegularisedOptimum(ref, rHat, Math.exp(mid)), ref) > targetKl) lo = mid;
    else hi = mid;
  }
  const dpoBeta = Math.exp(0.5 * (lo + hi));
  const metrics: Record<string, number> = { dpoBeta, nashKlRef: targetKl };
  const series: Record<string, number[]> = {};
  const finals: Partial<Record<Method, TabularPolicy>> = {};
  const refLogp = logOf(ref);
  for (const m of METHODS) {
    const rng = root.split(m);
    let pi = clonePolicy(ref);
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
      if (m === 'iter-dpo-bt') {
        const round = sampleCandidates(pi, config.dpoSamples, r.split('sample'));
        const pairs = largestMarginPairs(round, rewardScores(round, rHat, nX, nY), nX, 0, r.split('select'));
        const theta = logOf(pi);
        dpoGradientSteps(theta, refLogp, nY, pairs, { beta: dpoBeta, steps: config.gdSteps, lrScale: config.lrScale });
        pi = softmaxPolicy(nX, nY, theta);
      } else {
        const pairs = signedFromPairs(samplePreferencePairs(game, pi, config.pairsPerContext, r.split('pairs')));
        if (m === 'inpo') pi = inpoUpdate(pi, ref, pairs, eta, tau);
        else if (m === 'inpo-no-kl') pi = inpoUpdate(pi, ref, pairs, eta, 0);
        else pi = onlineIpoUpdate(ref, pairs, tau);
      }
      obs(pi);
    }
    finals[m] = pi;
    series[`${m}_dualityGap`] = dg;
    series[`${m}_exploit`] = ex;
    series[`${m}_winRef`] = wr;
    series[`${m}_winRefLC`] = wrLc;
    series[`${m}_length`] = ln;
    series[`${m}_winNash`] = wn;
    const k = dg.length - 1;
    metrics[`${m}_dualityGap`] = dg[k];
    metrics[`${m}_dualityGap0`] = dg[0];
    metrics[`${m}_exploit`] = ex[k];
    metrics[`${m}_winRef`] = wr[k];
    metrics[`${m}_winRefLC`] = wrLc[k];
    metrics[`${m}_length`] = ln[k];
    metrics[`${m}_winNash`] = wn[k];
    metrics[`${m}_klRef`] = kl(pi, ref);
  }
  const inpo = finals.inpo as TabularPolicy;
  for (const m of METHODS)
    if (m !== 'inpo') {
      metrics[`headToHead_inpo_vs_${m}`] = winRate(game, inpo, finals[m] as TabularPolicy);
      metrics[`headToHeadLC_inpo_vs_${m}`] = winRate(lc, inpo, finals[m] as TabularPolicy);
    }
  metrics.nash_length = expectation(star, len);
  metrics.ref_length = expectation(ref, len);
  metrics.nash_winRef = winRate(game, star, ref);
  metrics.nash_winRefLC = winRate(lc, star, ref);
  metrics.nash_exploit = exploitability(game, star);
  // INPO's loss on population data is minimised by the OMD step: check along the exact OMD path
  let worst = 0;
  let p = clonePolicy(ref);
  for (let t = 0; t < config.iterations; t++) {
    const viaLoss = inpoUpdate(p, ref, populationSignedPairs(game, p), eta, tau);
    const viaOmd = omdStep(game, p, ref, eta, tau);
    worst = Math.max(worst, maxKl(viaOmd, viaLoss), maxAbsLogDiff(viaOmd, viaLoss));
    p = viaOmd;
  }
  metrics.lossVsOmdMaxDiff = worst;
  metrics.omd_dualityGap = dualityGap(game, p, reg);
  return { metrics, series };
}

function maxAbsLogDiff(a: TabularPolicy, b: TabularPolicy): number {
  let m = 0;
  for (let i = 0; i < a.probs.length; i++) m = Math.max(m, Math.abs(Math.log(a.probs[i]) - Math.log(b.probs[i])));
  return m;
}
