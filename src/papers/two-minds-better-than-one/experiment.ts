/**
 * The synthetic miniature of Zhang et al., "Two Minds Better Than One: Collaborative Reward Modeling for LLM
 * Alignment" (arXiv:2505.10597): Bradley–Terry reward models trained on preference pairs with symmetric label flips,
 * vanilla against Collaborative Reward Modeling (CRM: peer review + curriculum) and its baselines.
 *
 * Data. Responses x ~ N(0, I_d) with a gold utility g(x) = gain·⟨u, x⟩ (u a unit vector per seed). `pairs` training
 * pairs get a Bradley–Terry label drawn from σ(g(a) − g(b)) (the "clean" dataset, with its annotator noise); for
 * each noise rate η in `noiseRates`, a share η of the pairs (drawn per η) has its label reversed (the paper's
 * symmetric label-flip noise). Pairs are stored as (chosen, rejected).
 *
 * Reward models (MLP BT, `hidden`, Adam `lr`, batches of `batch`, `epochs` passes, same number of steps for all),
 * per noise rate, on the same noisy labels:
 * - `bt`: vanilla Bradley–Terry on every pair;
 * - `self`: Self Review, one RM keeps its own ⌈keep·batch⌉ lowest-loss pairs of every batch;
 * - `smooth`: a robust loss, conservative label smoothing with ε = η (BCE against the target 1 − η);
 * - `ensemble`: two independent BT RMs (`bt` and a second one with its own initialisation and order), rewards averaged
 *   (the two-RM control the reviewers asked for: same labels, CRM's number of models and steps);
 * - `coteach`: peer review without the curriculum (random batches), both RMs;
 * - `crm`: peer review + pacing curriculum: epoch 0 on all pairs in random order; in epoch e ≥ 1 the batches are
 *   drawn (random order, the same number of steps) from the easiest fraction of the pairs by the two RMs' mean margin,
 *   1 − η at e = 1 rising linearly to all pairs in the last epoch (`curriculumPool`, `curriculumFraction`);
 *   `crm` is RM A alone (the RM one would deploy), `crm-pair` the mean of A and B (as `ensemble`);
 * - `crm-sorted`: peer review with the literal easy-to-hard order: every epoch after the first visits all pairs
 *   sorted by decreasing mean margin (`curriculumOrder`);
 * - `clean`: the oracle, vanilla BT on the same pairs without the injected flips.
 * keep = 1 − η after a linear ramp over the first epoch (Co-teaching's schedule), for `self`, `coteach` and `crm`.
 * The single-RM methods and RM A of the two-RM methods share one initialisation; RM B shares another.
 *
 * Metrics per `<method>-n<pct>`: `acc`, gold accuracy (sign of g(a) − g(b)) on `nTest` held-out pairs; `bon`, the
 * expected gold utility of best-of-`bestOfN` over `pools` pools of `poolSize` responses with a uniform reference
 * (exact). For `self`, `coteach`, `crm`: `keptFlip`, the share of flipped pairs among the pairs selected after the
 * ramp (A's selection for B for the two-RM methods). Dynamics of `bt` (`dyn-n<pct>/…`): the per-pair BT loss on every
 * training pair at `checkpoints` evenly spaced steps after the first epoch; `lossFlip`, `lossClean` (mean over
 * checkpoints and pairs), `sdFlip`, `sdClean` (mean over pairs of the std over checkpoints of the pair's loss), and
 * `jumpFlip`, `jumpClean` (mean over pairs of the mean |change| of the loss between consecutive checkpoints).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { dotRow, responses, rowsOf, unitVector } from '../../testbeds/preference/data/feature-preferences';
import { BtMlpReward } from '../../testbeds/preference/methods/bradley-terry-mlp';
import {
  crmKeepRate,
  crmPairLosses,
  crmPairMargins,
  curriculumFraction,
  curriculumOrder,
  curriculumPool,
  peerReviewStep,
  selfReviewStep,
} from '../../testbeds/preference/methods/collaborative-reward-modeling';
import { bestOfNValue } from '../../testbeds/preference/solvers/best-of-n';

export interface Config {
  /** Feature dimension and gold utility gain. */
  d: number;
  gain: number;
  /** Training pairs; injected flip rates η (one run of every method per rate). */
  pairs: number;
  noiseRates: number[];
  /** Reward models: MLP hidden widths, Adam learning rate, batch size (pairs), epochs over the training pairs. */
  hidden: number[];
  lr: number;
  batch: number;
  epochs: number;
  /** Loss checkpoints of the vanilla BT run (after its first epoch) for the training-dynamics metrics. */
  checkpoints: number;
  /** Held-out pairs; best-of-n pools, responses per pool, n. */
  nTest: number;
  pools: number;
  poolSize: number;
  bestOfN: number;
}

export const DEFAULTS: Config = {
  d: 16,
  gain: 3,
  pairs: 2000,
  noiseRates: [0.2, 0.4],
  hidden: [64, 64],
  lr: 2e-3,
  batch: 32,
  epochs: 5,
  checkpoints: 16,
  nTest: 4000,
  pools: 200,
  poolSize: 16,
  bestOfN: 16,
};

export const METHODS = [
  'bt',
  'self',
  'smooth',
  'ensemble',
  'coteach',
  'coteach-pair',
  'crm',
  'crm-pair',
  'crm-sorted',
  'clean',
] as const;
export type Method = (typeof METHODS)[number];

/** Metric prefix of a method at noise rate η: `<method>-n<100η>`. */
export const key = (m: string, eta: number) => `${m}-n${Math.round(eta * 100)}`;

/** Pairs as (chosen, rejected) under the clean BT labels, and which of them a flip at rate η reverses. */
export interface FlipPairs {
  /** First / second response (n × d); `y` 1 when the first is chosen in the clean labels. */
  a: Float32Array;
  b: Float32Array;
  y: Uint8Array;
}

/** n pairs with Bradley–Terry labels of the gold utility. */
export function cleanPairs(rng: Rng, n: number, d: number, util: (x: Float32Array, i: number) => number): FlipPairs {
  const a = responses(rng.split('a'), n, d),
    b = responses(rng.split('b'), n, d);
  const lab = rng.split('labels');
  const y = Uint8Array.from({ length: n }, (_, i) =>
    lab.uniform() < 1 / (1 + Math.exp(-(util(a, i) - util(b, i)))) ? 1 : 0,
  );
  return { a, b, y };
}

/** Exactly round(η·n) pairs flipped, chosen uniformly (a 0/1 mask). */
export function flipMask(rng: Rng, n: number, eta: number): Uint8Array {
  const perm = shuffle(rng, n);
  const mask = new Uint8Array(n);
  for (let j = 0; j < Math.round(eta * n); j++) mask[perm[j]] = 1;
  return mask;
}

function shuffle(rng: Rng, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** (chosen, rejected) rows when the labels y are reversed where flip = 1. */
export function orientPairs(p: FlipPairs, flip: Uint8Array | null, d: number) {
  const n = p.y.length;
  const xc = new Float32Array(n * d),
    xr = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const aChosen = (p.y[i] === 1) !== (flip !== null && flip[i] === 1);
    xc.set((aChosen ? p.a : p.b).subarray(i * d, (i + 1) * d), i * d);
    xr.set((aChosen ? p.b : p.a).subarray(i * d, (i + 1) * d), i * d);
  }
  return { xc, xr };
}

/** Population standard deviation and mean |consecutive difference| of a series. */
export function seriesStats(v: ArrayLike<number>): { sd: number; jump: number } {
  const T = v.length;
  let m = 0;
  for (let t = 0; t < T; t++) m += v[t] / T;
  let s = 0,
    j = 0;
  for (let t = 0; t < T; t++) {
    s += (v[t] - m) ** 2 / T;
    if (t > 0) j += Math.abs(v[t] - v[t - 1]) / (T - 1);
  }
  return { sd: Math.sqrt(s), jump: T > 1 ? j : 0 };
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const d = c.d;
  const rng = new Rng(seed).split('two-minds-crm');
  const u = unitVector(rng.split('world'), d);
  const gold = (x: Float32Array, i: number) => c.gain * dotRow(u, x, i, d);
  const data = cleanPairs(rng.split('train'), c.pairs, d, gold);
  const testA = responses(rng.split('test-a'), c.nTest, d),
    testB = responses(rng.split('test-b'), c.nTest, d);
  const nPool = c.pools * c.poolSize;
  const poolX = responses(rng.split('pools'), nPool, d);
  const poolGold = Float64Array.from({ length: nPool }, (_, i) => gold(poolX, i));
  const uniform = new Float64Array(c.poolSize).fill(1 / c.poolSize);
  const opts = { dIn: d, hidden: c.hidden, lr: c.lr };
  const initA = rng.split('init-a'),
    initB = rng.split('init-b');
  const stepsPerEpoch = Math.floor(c.pairs / c.batch);
  const totalSteps = stepsPerEpoch * c.epochs;
  const metrics: Record<string, number> = {};

  const evaluate = (name: string, score: (x: Float32Array, n: number) => ArrayLike<number>) => {
    const ra = score(testA, c.nTest),
      rb = score(testB, c.nTest);
    let acc = 0;
    for (let i = 0; i < c.nTest; i++) if (ra[i] > rb[i] === gold(testA, i) > gold(testB, i)) acc++;
    const proxy = Float64Array.from(score(poolX, nPool));
    let bon = 0;
    for (let k = 0; k < c.pools; k++) {
      const sl = (v: Float64Array) => v.subarray(k * c.poolSize, (k + 1) * c.poolSize);
      bon += bestOfNValue(uniform, sl(proxy), sl(poolGold), c.bestOfN) / c.pools;
    }
    metrics[`${name}/acc`] = acc / c.nTest;
    metrics[`${name}/bon`] = bon;
  };
  const mean2 = (a: BtMlpReward, b: BtMlpReward) => (x: Float32Array, n: number) => {
    const r1 = a.reward(x, n),
      r2 = b.reward(x, n);
    return Float64Array.from(r1, (v, i) => (v + r2[i]) / 2);
  };
  evaluate('oracle', (x, n) => Float64Array.from({ length: n }, (_, i) => gold(x, i)));

  /** Batches of epoch e: a fresh shuffle from `order`, or the given order. */
  const batchesOf = (perm: ArrayLike<number>) =>
    Array.from({ length: stepsPerEpoch }, (_, s) =>
      Int32Array.from({ length: c.batch }, (_, j) => perm[s * c.batch + j]),
    );

  /** Vanilla BT (soft target `target`) for `epochs`; `onStep(step)` after every step. */
  const trainBt = (
    model: BtMlpReward,
    xc: Float32Array,
    xr: Float32Array,
    order: Rng,
    target = 1,
    onStep?: (step: number) => void,
  ) => {
    const y = new Float64Array(c.batch).fill(target);
    let step = 0;
    for (let e = 0; e < c.epochs; e++)
      for (const ix of batchesOf(shuffle(order, c.pairs))) {
        model.step(rowsOf(xc, ix, d), rowsOf(xr, ix, d), y, c.batch);
        onStep?.(++step);
      }
  };

  // The clean-data oracle (no injected flips), shared by every noise rate.
  const clean = orientPairs(data, null, d);
  const cleanRm = new BtMlpReward(opts, initA.split('m'));
  trainBt(cleanRm, clean.xc, clean.xr, rng.split('order-a'));

  for (const eta of c.noiseRates) {
    const flip = flipMask(rng.split(`flips-${eta}`), c.pairs, eta);
    const { xc, xr } = orientPairs(data, flip, d);
    const K = (m: string) => key(m, eta);
    evaluate(K('clean'), (x, n) => cleanRm.reward(x, n));

    // Vanilla BT with the loss of every training pair at `checkpoints` steps after its first epoch.
    const bt = new BtMlpReward(opts, initA.split('m'));
    const ckSteps = new Set(
      Array.from({ length: c.checkpoints }, (_, t) =>
        Math.round(stepsPerEpoch + ((t + 1) * (totalSteps - stepsPerEpoch)) / c.checkpoints),
      ),
    );
    const losses: Float64Array[] = [];
    trainBt(bt, xc, xr, rng.split('order-a'), 1, (s) => {
      if (ckSteps.has(s)) losses.push(crmPairLosses(crmPairMargins(bt, xc, xr, c.pairs)));
    });
    evaluate(K('bt'), (x, n) => bt.reward(x, n));
    const acc = { lossFlip: 0, lossClean: 0, sdFlip: 0, sdClean: 0, jumpFlip: 0, jumpClean: 0 };
    let nFlip = 0;
    for (let i = 0; i < c.pairs; i++) {
      const series = losses.map((l) => l[i]);
      const { sd, jump } = seriesStats(series);
      const lm = series.reduce((s, v) => s + v, 0) / series.length;
      if (flip[i]) {
        nFlip++;
        acc.lossFlip += lm;
        acc.sdFlip += sd;
        acc.jumpFlip += jump;
      } else {
        acc.lossClean += lm;
        acc.sdClean += sd;
        acc.jumpClean += jump;
      }
    }
    const nClean = c.pairs - nFlip;
    metrics[`dyn-n${Math.round(eta * 100)}/lossFlip`] = acc.lossFlip / nFlip;
    metrics[`dyn-n${Math.round(eta * 100)}/lossClean`] = acc.lossClean / nClean;
    metrics[`dyn-n${Math.round(eta * 100)}/sdFlip`] = acc.sdFlip / nFlip;
    metrics[`dyn-n${Math.round(eta * 100)}/sdClean`] = acc.sdClean / nClean;
    metrics[`dyn-n${Math.round(eta * 100)}/jumpFlip`] = acc.jumpFlip / nFlip;
    metrics[`dyn-n${Math.round(eta * 100)}/jumpClean`] = acc.jumpClean / nClean;

    // Ensemble: bt plus an independent second RM (own initialisation and order), rewards averaged.
    const bt2 = new BtMlpReward(opts, initB.split('m'));
    trainBt(bt2, xc, xr, rng.split('order-b'));
    evaluate(K('ensemble'), mean2(bt, bt2));

    // Robust loss: conservative label smoothing, target 1 − η.
    const smooth = new BtMlpReward(opts, initA.split('m'));
    trainBt(smooth, xc, xr, rng.split('order-a'), 1 - eta);
    evaluate(K('smooth'), (x, n) => smooth.reward(x, n));

    const keepAt = (step: number) => crmKeepRate(step, stepsPerEpoch, eta);
    const flipShare = (ix: Int32Array, sel: Int32Array) => sel.reduce((s, j) => s + flip[ix[j]], 0) / sel.length;

    // Self Review: one RM selects its own small-loss pairs.
    {
      const m = new BtMlpReward(opts, initA.split('m'));
      const order = rng.split('order-a');
      let step = 0,
        kept = 0,
        nKept = 0;
      for (let e = 0; e < c.epochs; e++)
        for (const ix of batchesOf(shuffle(order, c.pairs))) {
          const sel = selfReviewStep(m, rowsOf(xc, ix, d), rowsOf(xr, ix, d), c.batch, keepAt(step++));
          if (step > stepsPerEpoch) {
            kept += flipShare(ix, sel);
            nKept++;
          }
        }
      evaluate(K('self'), (x, n) => m.reward(x, n));
      metrics[`${K('self')}/keptFlip`] = kept / nKept;
    }

    // Peer review without a curriculum (coteach), with the pacing curriculum (crm) and with the sorted order.
    for (const variant of ['coteach', 'crm', 'crm-sorted'] as const) {
      const a = new BtMlpReward(opts, initA.split('m')),
        b = new BtMlpReward(opts, initB.split('m'));
      const order = rng.split('order-a');
      let step = 0,
        kept = 0,
        nKept = 0;
      for (let e = 0; e < c.epochs; e++) {
        let perm: ArrayLike<number> = shuffle(order, c.pairs);
        if (variant !== 'coteach' && e > 0) {
          const ma = crmPairMargins(a, xc, xr, c.pairs),
            mb = crmPairMargins(b, xc, xr, c.pairs);
          const score = Float64Array.from(ma, (v, i) => (v + mb[i]) / 2);
          if (variant === 'crm-sorted') perm = curriculumOrder(score);
          else {
            const pool = curriculumPool(score, curriculumFraction(e, c.epochs, eta));
            // stepsPerEpoch batches from the pool: its shuffled pairs, reshuffled whenever they run out
            const out = new Int32Array(stepsPerEpoch * c.batch);
            let p = shuffle(order, pool.length),
              q = 0;
            for (let j = 0; j < out.length; j++) {
              if (q === p.length) {
                p = shuffle(order, pool.length);
                q = 0;
              }
              out[j] = pool[p[q++]];
            }
            perm = out;
          }
        }
        for (const ix of batchesOf(perm)) {
          const { forB } = peerReviewStep(a, b, rowsOf(xc, ix, d), rowsOf(xr, ix, d), c.batch, keepAt(step++));
          if (step > stepsPerEpoch) {
            kept += flipShare(ix, forB);
            nKept++;
          }
        }
      }
      evaluate(K(variant), (x, n) => a.reward(x, n));
      metrics[`${K(variant)}/keptFlip`] = kept / nKept;
      if (variant !== 'crm-sorted') evaluate(K(`${variant}-pair`), mean2(a, b));
    }
  }
  return { metrics };
}
