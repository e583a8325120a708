/**
 * The synthetic miniature of Zeng et al., "On Diversified Preferences of Large Language Model Alignment" (Findings of
 * EMNLP 2024, arXiv:2312.07401; official code github.com/dunzeng/MORE): reward models trained on a mixture of
 * preference datasets whose annotators share part of their utility and differ in the rest, evaluated on the shared
 * preference, and MORE against the naive mixture.
 *
 * Data. Responses are feature vectors x ~ N(0, I_d). The shared utility is r_s(x) = g·⟨u_s, x⟩ and dataset k's
 * annotators have r_k(x) = r_s(x) + ρ·g·⟨u_k, x⟩ (unit vectors u_s, u_k drawn per seed; ρ the diversity). A dataset
 * holds `pairs` response pairs labelled by Bradley–Terry draws from its r_k. The shared-preference test set (the
 * analogue of the paper's Anthropic Helpful&Harmless evaluation) is `nTest` pairs labelled by draws from r_s.
 *
 * Reward models (testbeds/preference/methods/bradley-terry-mlp.ts, an MLP on x), all with the same widths,
 * optimiser, learning rate and steps; every step sees `batch` pairs of every dataset:
 * - `uniform`: the naive mixture (every dataset weighted 1/K; the code without reweighting);
 * - `more`: MORE's min-norm dataset weights (methods/multi-objective-reward.ts);
 * - `shared`: trained on the same number of pairs labelled by the shared utility (a reference, not a method);
 * - `single-k` (at the largest ρ only): trained on dataset k alone (the paper's per-dataset reward models).
 * Metrics per reward model on the shared test set: ECE (10 equal-width bins, both orders of every pair, as the code's
 * `compute_metrics`) and accuracy; downstream on `pools` pools of `poolSize` responses with a uniform reference: the
 * expected shared utility of best-of-`bestOfN` (exact, solvers/best-of-n.ts) and the KL-regularised policy
 * π ∝ exp(r̂/β) scored by the shared objective J(π) = E_π r_s − β·KL(π‖ref), as regret J(π*) − J(π) against
 * π* ∝ exp(r_s/β) (solvers/kl-optimum.ts) — zero iff r̂ = r_s up to a constant per pool, so it rewards calibration.
 *
 * Record keys (`method/metric`, at = `@rho=<ρ>:steps=<steps>`): `<m>/ece` (against the sampled test labels, as the
 * code), `<m>/eceTrue` (against the true shared preference probabilities σ(r_s(a) − r_s(b)), without label noise),
 * `<m>/acc`, `<m>/bon`, `<m>/klRegret` for m ∈ {uniform, more, shared} at every ρ and `single-k` at the largest;
 * `more/lambdaMin` (mean over steps of the smallest weight); `corr/eceKlRegret` and `corr/eceBon` (Spearman of eceTrue
 * with the downstream metric across the reward models of the largest ρ); `data/disagree` (fraction of test pairs on
 * which dataset 0's and the shared utility's preferred response differ); `exact/jStar`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { calibrationError } from '../../stats/calibration';
import { spearman } from '../../stats/correlation';
import { BtMlpReward } from '../../testbeds/preference/methods/bradley-terry-mlp';
import { multiDatasetStep, type DatasetWeighting } from '../../testbeds/preference/methods/multi-objective-reward';
import {
  dotRow as dot,
  labelledPairs,
  responses,
  rowsOf as rows,
  unitVector,
} from '../../testbeds/preference/data/feature-preferences';
import { bestOfNValue } from '../../testbeds/preference/solvers/best-of-n';
import { klRegularisedOptimum } from '../../testbeds/preference/solvers/kl-optimum';
import { kl, uniformTabularPolicy } from '../../testbeds/preference/policies/tabular-policy';

export interface Config {
  /** Feature dimension, number of datasets, pairs per dataset, utility gain g. */
  d: number;
  K: number;
  pairs: number;
  gain: number;
  /** Diversity levels ρ (one scenario each; single-dataset models at the largest). */
  rhos: number[];
  /**
   * MLP hidden widths, Adam learning rate, pairs per dataset per step, and the training lengths (steps; one scenario
   * each): `pairs / batch` steps is one epoch, the official code's `num_train_epochs = 1`.
   */
  hidden: number[];
  lr: number;
  batch: number;
  steps: number[];
  /** Shared-preference test pairs, calibration bins. */
  nTest: number;
  bins: number;
  /** Downstream: pools, responses per pool, best-of-n, KL coefficient β. */
  pools: number;
  poolSize: number;
  bestOfN: number;
  beta: number;
}

export const DEFAULTS: Config = {
  d: 16,
  K: 5,
  pairs: 2000,
  gain: 1.5,
  rhos: [0, 0.5, 1],
  hidden: [64, 64],
  lr: 1e-3,
  batch: 16,
  steps: [125, 2000],
  nTest: 4000,
  bins: 10,
  pools: 200,
  poolSize: 16,
  bestOfN: 16,
  beta: 1,
};

export const METHODS = ['uniform', 'more', 'shared'] as const;

interface Evaluation {
  ece: number;
  eceTrue: number;
  acc: number;
  bon: number;
  klRegret: number;
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const rng = new Rng(seed).split('on-diversified-preferences');
  const world = rng.split('world');
  const uS = unitVector(world, c.d);
  const uK = Array.from({ length: c.K }, () => unitVector(world, c.d));
  const shared = (x: Float32Array, i: number) => c.gain * dot(uS, x, i, c.d);
  const test = labelledPairs(rng.split('test'), c.nTest, c.d, shared);
  const poolX = responses(rng.split('pools'), c.pools * c.poolSize, c.d);
  const gold = Float64Array.from({ length: c.pools * c.poolSize }, (_, i) => shared(poolX, i));
  const ref = uniformTabularPolicy(c.pools, c.poolSize);
  const optimum = klRegularisedOptimum(ref, gold, c.beta);
  const objective = (pi: typeof ref) => {
    let e = 0;
    for (let i = 0; i < gold.length; i++) e += (pi.probs[i] * gold[i]) / c.pools;
    return e - c.beta * kl(pi, ref);
  };
  const jStar = objective(optimum);

  const evaluate = (m: BtMlpReward): Evaluation => {
    const r1 = m.reward(test.x1, c.nTest),
      r2 = m.reward(test.x2, c.nTest);
    const p = new Float64Array(2 * c.nTest),
      y = new Float64Array(2 * c.nTest),
      q0 = new Float64Array(2 * c.nTest);
    let acc = 0;
    for (let i = 0; i < c.nTest; i++) {
      const q = 1 / (1 + Math.exp(-(r1[i] - r2[i])));
      p[i] = q;
      y[i] = test.y[i];
      p[c.nTest + i] = 1 - q;
      y[c.nTest + i] = 1 - test.y[i];
      q0[i] = test.p[i];
      q0[c.nTest + i] = 1 - test.p[i];
      if ((q > 0.5 ? 1 : 0) === test.y[i]) acc++;
    }
    const proxy = Float64Array.from(m.reward(poolX, c.pools * c.poolSize));
    let bon = 0;
    const uniform = new Float64Array(c.poolSize).fill(1 / c.poolSize);
    for (let k = 0; k < c.pools; k++) {
      const sl = (a: Float64Array) => a.subarray(k * c.poolSize, (k + 1) * c.poolSize);
      bon += bestOfNValue(uniform, sl(proxy), sl(gold), c.bestOfN) / c.pools;
    }
    return {
      ece: calibrationError(y, p, c.bins).ece,
      eceTrue: calibrationError(q0, p, c.bins).ece,
      acc: acc / c.nTest,
      bon,
      klRegret: jStar - objective(klRegularisedOptimum(ref, proxy, c.beta)),
    };
  };

  const metrics: Record<string, number> = {};
  const rhoMax = Math.max(...c.rhos);
  for (const steps of c.steps)
    for (const rho of c.rhos) {
      const at = `@rho=${rho}:steps=${steps}`;
      const sc = rng.split(`rho=${rho}`); // data and initial weights shared by the training lengths
      const dataRng = sc.split('data');
      const data = uK.map((u) =>
        labelledPairs(dataRng, c.pairs, c.d, (x, i) => shared(x, i) + rho * c.gain * dot(u, x, i, c.d)),
      );
      const sharedData = labelledPairs(dataRng, c.K * c.pairs, c.d, shared);
      const models: Record<string, BtMlpReward> = {};
      const init = sc.split('init');
      for (const m of METHODS) models[m] = new BtMlpReward({ dIn: c.d, hidden: c.hidden, lr: c.lr }, init.split(m));
      const singles =
        rho === rhoMax
          ? uK.map((_, k) => new BtMlpReward({ dIn: c.d, hidden: c.hidden, lr: c.lr }, init.split(`single-${k}`)))
          : [];
      const order = sc.split(`batches-steps=${steps}`);
      const n = c.K * c.batch;
      const task = Int32Array.from({ length: n }, (_, i) => Math.floor(i / c.batch));
      let lambdaMin = 0;
      for (let t = 0; t < steps; t++) {
        // One batch: `batch` pairs of every dataset, the same indices for the shared-label data of equal size.
        const idx = Array.from({ length: c.K }, () => Array.from({ length: c.batch }, () => order.int(c.pairs)));
        const cat = (k: 'x1' | 'x2') => {
          const out = new Float32Array(n * c.d);
          idx.forEach((ix, j) => out.set(rows(data[j][k], ix, c.d), j * c.batch * c.d));
          return out;
        };
        const x1 = cat('x1'),
          x2 = cat('x2');
        const y = Float32Array.from({ length: n }, (_, i) => data[task[i]].y[idx[task[i]][i % c.batch]]);
        for (const m of ['uniform', 'more'] as DatasetWeighting[]) {
          const r = multiDatasetStep(models[m], m, x1, x2, y, task, c.K);
          if (m === 'more') lambdaMin += Math.min(...r.lambda) / steps;
        }
        const sIdx = Int32Array.from({ length: n }, (_, i) => task[i] * c.pairs + idx[task[i]][i % c.batch]);
        models.shared.step(
          rows(sharedData.x1, sIdx, c.d),
          rows(sharedData.x2, sIdx, c.d),
          Array.from(sIdx, (j) => sharedData.y[j]),
          n,
        );
        singles.forEach((s, k) => {
          // dataset k alone, the same number of pairs per step
          const ix = Array.from({ length: n }, () => order.int(c.pairs));
          s.step(
            rows(data[k].x1, ix, c.d),
            rows(data[k].x2, ix, c.d),
            ix.map((j) => data[k].y[j]),
            n,
          );
        });
      }
      metrics[`more/lambdaMin${at}`] = lambdaMin;
      const all: [string, BtMlpReward][] = [...METHODS.map((m) => [m, models[m]] as [string, BtMlpReward])];
      singles.forEach((s, k) => all.push([`single-${k}`, s]));
      const evals = all.map(([m, model]) => {
        const e = evaluate(model);
        for (const [k, v] of Object.entries(e)) metrics[`${m}/${k}${at}`] = v;
        return e;
      });
      if (rho === rhoMax) {
        metrics[`corr/eceKlRegret${at}`] = spearman(
          evals.map((e) => e.eceTrue),
          evals.map((e) => e.klRegret),
        );
        metrics[`corr/eceBon${at}`] = spearman(
          evals.map((e) => e.eceTrue),
          evals.map((e) => e.bon),
        );
      }
      // how diverse dataset 0 is: the share of test pairs whose preferred response differs from the shared utility's
      let dis = 0;
      for (let i = 0; i < c.nTest; i++) {
        const s = shared(test.x1, i) - shared(test.x2, i);
        const r0 = s + rho * c.gain * (dot(uK[0], test.x1, i, c.d) - dot(uK[0], test.x2, i, c.d));
        if (s > 0 !== r0 > 0) dis++;
      }
      metrics[`data/disagree${at}`] = dis / c.nTest;
    }
  metrics['exact/jStar'] = jStar;
  return { metrics };
}
