/**
 * The BARFI miniature (Gupta, Chandak, Jordan, Thomas & da Silva, "Behavior Alignment via Reward
 * Function Optimization", NeurIPS 2023, arXiv:2310.19007): one seed of the gridworld comparison and
 * of the algorithm-bias MDP. The method itself is `testbeds/tabular/methods/barfi.ts`.
 *
 * Gridworld (`env/heuristic-gridworld.ts`): REINFORCE and actor-critic on the primary reward alone,
 * on r_p + r_aux (naive), and on potential-based shaping with the heuristic as potential; BARFI with
 * a REINFORCE inner learner, initialised at r_φ = r_p (φ = 0, as the official code's near-zero
 * initialisation) and, as a harder variant, at the naive blend (φ2 = 1). Learning curves are the
 * exact expected undiscounted primary return (H = 50 steps) of the current policy every `evalEvery`
 * episodes. Algorithm-bias MDP (`env/aliased-mdp.ts`): REINFORCE with and without γ^t, and BARFI
 * around the γ^t-free learner; curves of the exact primary objective and of p = π(a0 | o).
 *
 * Record keys (`method/metric`): per run `<run>/final`, `<run>/auc` and the series `<run>/curve`,
 * where a gridworld run is `runName(method, heuristic)` (e.g. `primary`, `naive:distractor`,
 * `barfi-naive-init:helpful`) and an algorithm-bias run is one of BIAS_METHODS; BARFI's learned
 * blend `<run>/gammaPhi`, `<run>/meanPhi2`, `<run>/phi2Distractor` (metrics; `gammaPhi`, `meanPhi2`,
 * `phi1`, `phi2` also as series); the bias learners' `<run>/finalP` and series `<run>/p`; the bias
 * MDP's reference values `bias-ref/{pStar,pBiased,jStar,jBiasedFixedPoint,jInit}`.
 */

import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { makeAliasedBiasMdp } from '../../testbeds/tabular/env/aliased-mdp';
import {
  HEURISTICS,
  makeHeuristicGridworld,
  naiveReward,
  shapedPrimary,
  type Heuristic,
} from '../../testbeds/tabular/env/heuristic-gridworld';
import { trainBatchActorCritic, trainReinforce } from '../../testbeds/tabular/loops/learners';
import { trainBarfi } from '../../testbeds/tabular/methods/barfi';
import { episodicReturn } from '../../testbeds/tabular/solvers/policy-gradient';

export interface Config {
  /** Gridworld: episodes per run. */
  episodes: number;
  /** Gridworld: episodes per update (every method takes one policy update per batch). */
  batch: number;
  /** Gridworld: episodes between exact evaluations of the current policy. */
  evalEvery: number;
  /** RMSprop learning rate of every policy θ. */
  lrTheta: number;
  /** Step size of the actor-critic baselines' tabular TD(0) critic. */
  lrCritic: number;
  /** RMSprop learning rate of BARFI's φ. */
  lrPhi: number;
  /** Neumann terms K of BARFI's inverse-Hessian–vector product. */
  neumannTerms: number;
  /** Recent (buffered) episodes BARFI's Hessian terms use. */
  hessianEpisodes: number;
  /** Fraction of the final evaluations averaged into the "final" metric. */
  finalFraction: number;
  /** The designer heuristics to blend (each run separately). */
  heuristics: Heuristic[];
  /** Algorithm-bias part (the aliased two-state MDP). */
  bias: {
    /** Episodes per run. */
    episodes: number;
    /** Episodes per update. */
    batch: number;
    /** Episodes between exact evaluations. */
    evalEvery: number;
    /** Discount γ of the primary objective. */
    gamma: number;
    /** Reward c of ending at once from the first state. */
    c: number;
    /** Reward d of the second state's rewarding action. */
    d: number;
    /** RMSprop learning rate of θ. */
    lrTheta: number;
    /** RMSprop learning rate of BARFI's φ. */
    lrPhi: number;
  };
}

/** The full-profile configuration of the notebook (its smoke profile shortens the runs). */
export const DEFAULTS: Config = {
  episodes: 2000,
  batch: 3,
  evalEvery: 20,
  lrTheta: 0.01,
  lrCritic: 0.1,
  lrPhi: 0.01,
  neumannTerms: 5,
  hessianEpisodes: 15,
  finalFraction: 0.2,
  heuristics: ['helpful', 'distractor', 'flipped'],
  bias: { episodes: 3000, batch: 3, evalEvery: 20, gamma: 0.5, c: -0.2, d: 1, lrTheta: 0.01, lrPhi: 0.01 },
};

/** Gridworld methods (per heuristic, except the primary-only ones). BARFI uses the REINFORCE inner learner. */
export const GRID_METHODS = [
  'primary',
  'naive',
  'pbrs',
  'ac-primary',
  'ac-naive',
  'ac-pbrs',
  'barfi',
  'barfi-naive-init',
] as const;
export type GridMethod = (typeof GRID_METHODS)[number];
export const BIAS_METHODS = ['reinforce-gamma-t', 'reinforce-no-gamma-t', 'barfi-no-gamma-t'] as const;
/** The method name of the bias MDP's reference values (optimum, biased fixed point, initial policy). */
export const BIAS_REF = 'bias-ref';

/** The record method name of a gridworld run: `method:heuristic`, or `method` for the primary-only ones. */
export function runName(method: GridMethod, h: string): string {
  return method === 'primary' || method === 'ac-primary' ? method : `${method}:${h}`;
}

function curveMetrics(
  metrics: Record<string, number>,
  series: Record<string, number[]>,
  run: string,
  curve: number[],
  finalFraction: number,
): void {
  series[metricKey(run, 'curve')] = curve;
  const k = Math.max(1, Math.round(curve.length * finalFraction));
  const tail = curve.slice(curve.length - k);
  metrics[metricKey(run, 'final')] = tail.reduce((s, x) => s + x, 0) / tail.length;
  metrics[metricKey(run, 'auc')] = curve.reduce((s, x) => s + x, 0) / curve.length;
}

/** Worker task: one seed of the BARFI miniature (see the module comment). */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('barfi');
  const g = makeHeuristicGridworld();
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const evalPrimary = (pi: Float64Array) => episodicReturn(g.env, g.primary, pi, g.horizon, 1);
  const nEval = Math.floor(config.episodes / config.evalEvery);
  const makeRecorder = () => {
    const curve: number[] = [];
    let next = config.evalEvery;
    return {
      curve,
      record(seen: number, pi: Float64Array) {
        while (seen >= next && curve.length < nEval) {
          curve.push(evalPrimary(pi));
          next += config.evalEvery;
        }
      },
    };
  };
  const common = {
    episodes: config.episodes,
    batch: config.batch,
    horizon: g.horizon,
    terminal: g.terminal,
    gamma: g.env.gamma,
  };
  // The rng stream of each run is named by the record key schema of the original experiment
  // (`naive_helpful`, …): renaming a stream would change every number.
  const baseline = (run: string, stream: string, reward: Float64Array, kind: 'reinforce' | 'ac') => {
    const rec = makeRecorder();
    const o = {
      ...common,
      rng: root.split(stream),
      reward,
      discountWeights: false,
      lr: config.lrTheta,
      onUpdate: rec.record,
    };
    if (kind === 'reinforce') trainReinforce(g.env, o);
    else trainBatchActorCritic(g.env, { ...o, lrCritic: config.lrCritic });
    curveMetrics(metrics, series, run, rec.curve, config.finalFraction);
  };
  baseline('primary', 'primary', g.primary, 'reinforce');
  baseline('ac-primary', 'ac-primary', g.primary, 'ac');
  for (const h of config.heuristics) {
    if (!(HEURISTICS as readonly string[]).includes(h))
      throw new RangeError(`barfi runSeed: unknown heuristic '${h}' (use ${HEURISTICS.join(', ')})`);
    baseline(runName('naive', h), `naive_${h}`, naiveReward(g, h), 'reinforce');
    baseline(runName('pbrs', h), `pbrs_${h}`, shapedPrimary(g, h), 'reinforce');
    baseline(runName('ac-naive', h), `ac-naive_${h}`, naiveReward(g, h), 'ac');
    baseline(runName('ac-pbrs', h), `ac-pbrs_${h}`, shapedPrimary(g, h), 'ac');
    for (const [name, phi2Init] of [
      ['barfi', 0],
      ['barfi-naive-init', 1],
    ] as const) {
      const run = runName(name, h);
      const rec = makeRecorder();
      const gammaCurve: number[] = [];
      const phi2Curve: number[] = [];
      const out = trainBarfi(g.env, {
        ...common,
        rng: root.split(`${name}_${h}`),
        primary: g.primary,
        aux: g.aux[h],
        lrTheta: config.lrTheta,
        lrPhi: config.lrPhi,
        innerDiscountWeights: false,
        phi2Init,
        gammaInit: g.env.gamma,
        neumannTerms: config.neumannTerms,
        hessianEpisodes: config.hessianEpisodes,
        onIteration: (seen, pi, st) => {
          const before = rec.curve.length;
          rec.record(seen, pi);
          if (rec.curve.length > before) {
            gammaCurve.push(st.gammaPhi);
            let m = 0;
            for (let s = 0; s < g.env.nS; s++) if (s !== g.goal) m += st.phi2[s];
            phi2Curve.push(m / (g.env.nS - 1));
          }
        },
      });
      curveMetrics(metrics, series, run, rec.curve, config.finalFraction);
      series[metricKey(run, 'gammaPhi')] = gammaCurve;
      series[metricKey(run, 'meanPhi2')] = phi2Curve;
      series[metricKey(run, 'phi1')] = Array.from(out.phi1);
      series[metricKey(run, 'phi2')] = Array.from(out.phi2);
      metrics[metricKey(run, 'gammaPhi')] = out.gammaPhi;
      metrics[metricKey(run, 'phi2Distractor')] = out.phi2[g.distractor];
      let m = 0;
      for (let s = 0; s < g.env.nS; s++) if (s !== g.goal) m += out.phi2[s];
      metrics[metricKey(run, 'meanPhi2')] = m / (g.env.nS - 1);
    }
  }
  // Algorithm-bias MDP.
  const b = config.bias;
  const mdp = makeAliasedBiasMdp({ gamma: b.gamma, c: b.c, d: b.d });
  const evalBias = (pi: Float64Array) => episodicReturn(mdp.env, mdp.primary, pi, mdp.horizon, b.gamma);
  const nEvalB = Math.floor(b.episodes / b.evalEvery);
  const biasRecorder = () => {
    const J: number[] = [],
      P: number[] = [];
    let next = b.evalEvery;
    return {
      J,
      P,
      record(seen: number, pi: Float64Array) {
        while (seen >= next && J.length < nEvalB) {
          J.push(evalBias(pi));
          P.push(pi[0]);
          next += b.evalEvery;
        }
      },
    };
  };
  const commonB = {
    episodes: b.episodes,
    batch: b.batch,
    horizon: mdp.horizon,
    terminal: mdp.terminal,
    obs: mdp.obs,
    gamma: b.gamma,
  };
  for (const [name, dw] of [
    ['reinforce-gamma-t', true],
    ['reinforce-no-gamma-t', false],
  ] as const) {
    const rec = biasRecorder();
    trainReinforce(mdp.env, {
      ...commonB,
      rng: root.split(`bias-${name}`),
      reward: mdp.primary,
      discountWeights: dw,
      lr: b.lrTheta,
      onUpdate: rec.record,
    });
    curveMetrics(metrics, series, name, rec.J, config.finalFraction);
    series[metricKey(name, 'p')] = rec.P;
    metrics[metricKey(name, 'finalP')] = rec.P[rec.P.length - 1];
  }
  {
    const name = 'barfi-no-gamma-t';
    const rec = biasRecorder();
    const gammaCurve: number[] = [];
    const out = trainBarfi(mdp.env, {
      ...commonB,
      rng: root.split('bias-barfi'),
      primary: mdp.primary,
      aux: mdp.aux,
      lrTheta: b.lrTheta,
      lrPhi: b.lrPhi,
      innerDiscountWeights: false,
      phi2Init: 0,
      gammaInit: b.gamma,
      neumannTerms: config.neumannTerms,
      hessianEpisodes: config.hessianEpisodes,
      onIteration: (seen, pi, st) => {
        const before = rec.J.length;
        rec.record(seen, pi);
        if (rec.J.length > before) gammaCurve.push(st.gammaPhi);
      },
    });
    curveMetrics(metrics, series, name, rec.J, config.finalFraction);
    series[metricKey(name, 'p')] = rec.P;
    series[metricKey(name, 'gammaPhi')] = gammaCurve;
    metrics[metricKey(name, 'finalP')] = rec.P[rec.P.length - 1];
    metrics[metricKey(name, 'gammaPhi')] = out.gammaPhi;
    metrics[metricKey(name, 'phi1')] = out.phi1[0];
  }
  const Jp = (p: number) => (1 - p) * b.c + b.gamma * p * (1 - p) * b.d;
  metrics[metricKey(BIAS_REF, 'pStar')] = mdp.pStar;
  metrics[metricKey(BIAS_REF, 'pBiased')] = mdp.pBiased;
  metrics[metricKey(BIAS_REF, 'jStar')] = Jp(mdp.pStar);
  metrics[metricKey(BIAS_REF, 'jBiasedFixedPoint')] = Jp(mdp.pBiased);
  metrics[metricKey(BIAS_REF, 'jInit')] = Jp(0.5);
  return { metrics, series };
}
