/**
 * The synthetic miniature of Wang et al., "Secrets of RLHF in Large Language Models Part II: Reward Modeling"
 * (arXiv:2401.06080, §2): preference strength measured by a reward-model ensemble, and the reward models trained with
 * the strength-aware mitigations (label flipping, label smoothing, adaptive margin) against the Bradley–Terry
 * baseline on the same pairs.
 *
 * Data. Responses are feature vectors x ~ N(0, I_d) with a gold utility g(x) = gain·⟨u, x⟩ (u a unit vector drawn per
 * seed). A training set of `pairs` pairs is labelled like human preference data with its two known defects:
 * - every pair's label is a Bradley–Terry draw from σ(g(a) − g(b)) (annotator noise);
 * - a fraction `flipRate` of pairs has its label reversed after the draw (incorrect preferences);
 * - a fraction `tieRate` of pairs is a near-tie: the second response is the first plus `tieNoise`·N(0, I), so the
 *   gold difference is small and the drawn label is close to a coin flip (ambiguous preferences).
 * Pairs are stored as (chosen, rejected). A pair's label is correct when g(chosen) > g(rejected).
 *
 * Strength (methods/preference-strength.ts, eq. 4). `ensemble` reward models with the BT loss (eq. 2) are trained on
 * the training pairs, each with its own initialisation and data order; μ̂, σ̂ per training pair.
 *
 * Reward models (the paper's §2.5 list), all with the same initialisation, batches, epochs, widths and learning rate:
 * - `baseline`: Bradley–Terry (eq. 2);
 * - `flip`: labels of the `flipFraction` lowest-μ̂ pairs reversed (§2.4.1);
 * - `margin`: the adaptive margin μ̂ on every pair (eq. 6);
 * - `flip-margin`: both (the margin of a flipped pair is the strength of its new label, −μ̂);
 * - `soft-margin`: label smoothing with α = `smoothing` (eq. 5) on the pairs with μ̂ < 0, the margin on every pair.
 * `ensemble` (the mean reward of the M strength models, M times the compute) is reported as a reference only, and
 * `oracle` (the gold utility as the reward) as the ceiling of the downstream metrics.
 * Additionally (Fig. 4), one reward model per decile of the training pairs sorted by μ̂ (`decile-k`, k = 0 lowest),
 * each trained for the same number of epochs on its 10% of the pairs.
 *
 * Metrics per reward model: on `nTest` held-out pairs from the same generator, `acc` (agreement with the gold
 * preference sign(g(a) − g(b)), the analogue of the paper's GPT-4-labelled validation set), `accClean` (the same on the
 * test pairs that are neither flipped nor near-ties), `accLabels` (agreement with the noisy test labels, the paper's
 * original validation set); downstream on `pools` pools of `poolSize` responses with a uniform reference: `bon`, the
 * expected gold utility of best-of-`bestOfN` (exact), and `klGold`, the expected gold utility of the KL-regularised
 * optimum π ∝ ref·exp(r̂/β) at the β where KL(π‖ref) = `targetKl` (solvers/kl-optimum.ts; matched KL because the
 * reward models' scales differ).
 * Strength diagnostics on the training pairs: `strength/auroc` (AUROC of −μ̂ for incorrect labels),
 * `strength/flipPrecision` (share of the flagged pairs whose label is incorrect), `strength/incorrectRate` (share of
 * incorrect labels), `strength/muAbsTie`, `strength/muAbsNormal` (mean |μ̂| of near-tie and of unmodified pairs),
 * `strength/negMu` (share of pairs with μ̂ < 0), and per decile k of μ̂: `bins/mu-k`, `bins/sd-k`, `bins/correct-k`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { dotRow, responses, rowsOf, unitVector } from '../../testbeds/preference/data/feature-preferences';
import {
  ensembleStrength,
  lowestStrengthFlags,
  StrengthAwareReward,
} from '../../testbeds/preference/methods/preference-strength';
import { differenceObjective, metaRmStep } from '../../testbeds/preference/methods/meta-rm';
import { bestOfNValue } from '../../testbeds/preference/solvers/best-of-n';
import { klMatchedBeta, klRegularisedOptimum } from '../../testbeds/preference/solvers/kl-optimum';
import { uniformTabularPolicy } from '../../testbeds/preference/policies/tabular-policy';

export interface Config {
  /** Feature dimension and gold utility gain. */
  d: number;
  gain: number;
  /** Training pairs; injected label flips and near-ties (fractions of the pairs); near-tie perturbation scale. */
  pairs: number;
  flipRate: number;
  tieRate: number;
  tieNoise: number;
  /** Reward models: MLP hidden widths, Adam learning rate, batch size (pairs), epochs over the training pairs. */
  hidden: number[];
  lr: number;
  batch: number;
  epochs: number;
  /** Ensemble size M for the strength (eq. 4); the share of lowest-μ̂ pairs flipped; label-smoothing α (eq. 5). */
  ensemble: number;
  flipFraction: number;
  smoothing: number;
  /** Held-out pairs; downstream pools, responses per pool, best-of-n, KL of the matched KL-regularised policy. */
  nTest: number;
  pools: number;
  poolSize: number;
  bestOfN: number;
  targetKl: number;
  /** Train the per-decile reward models of Fig. 4. */
  deciles: boolean;
  /**
   * MetaRM (§3.2): the shifted distribution has prompts with centres shift·v_p (v_p = the unit vector of u + z_p/√d,
   * z_p ~ N(0, I): towards higher gold utility, as a policy optimised against a reward model moves) and responses
   * centre + spread·N(0, I). The meta dataset holds `metaPrompts` prompts of `metaK` responses (no labels); each
   * step uses `metaBatch` of them; η = `metaEta` (eq. 12). Shifted evaluation: `nShiftTest` prompts of two
   * responses, and `pools` shifted prompts of `poolSize` responses.
   */
  shift: number;
  spread: number;
  metaPrompts: number;
  metaK: number;
  metaBatch: number;
  metaEta: number;
  nShiftTest: number;
}

export const DEFAULTS: Config = {
  d: 16,
  gain: 2,
  pairs: 4000,
  flipRate: 0.2,
  tieRate: 0.2,
  tieNoise: 0.1,
  hidden: [64, 64],
  lr: 2e-3,
  batch: 16,
  epochs: 2,
  ensemble: 10,
  flipFraction: 0.2,
  smoothing: 0.3,
  nTest: 4000,
  pools: 200,
  poolSize: 16,
  bestOfN: 16,
  targetKl: 1,
  deciles: true,
  shift: 3,
  spread: 0.5,
  metaPrompts: 1000,
  metaK: 4,
  metaBatch: 8,
  metaEta: 2,
  nShiftTest: 4000,
};

export const METHODS = ['baseline', 'flip', 'margin', 'flip-margin', 'soft-margin', 'meta-rm'] as const;
export type Method = (typeof METHODS)[number];

/** Pairs stored as (chosen, rejected) with their kind: 0 unmodified, 1 label flipped, 2 near-tie. */
export interface NoisyPairs {
  xc: Float32Array;
  xr: Float32Array;
  kind: Uint8Array;
  /** 1 when g(chosen) > g(rejected). */
  correct: Uint8Array;
}

/** n pairs with Bradley–Terry labels, a `flipRate` share reversed and a `tieRate` share of near-ties. */
export function noisyPairs(
  rng: Rng,
  n: number,
  c: Pick<Config, 'd' | 'flipRate' | 'tieRate' | 'tieNoise'>,
  util: (x: Float32Array, i: number) => number,
): NoisyPairs {
  const d = c.d;
  const a = responses(rng.split('a'), n, d),
    b = responses(rng.split('b'), n, d);
  const kinds = rng.split('kinds'),
    labels = rng.split('labels');
  const xc = new Float32Array(n * d),
    xr = new Float32Array(n * d);
  const kind = new Uint8Array(n),
    correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = kinds.uniform();
    kind[i] = u < c.flipRate ? 1 : u < c.flipRate + c.tieRate ? 2 : 0;
    if (kind[i] === 2) for (let j = 0; j < d; j++) b[i * d + j] = a[i * d + j] + c.tieNoise * kinds.normal();
    const p = 1 / (1 + Math.exp(-(util(a, i) - util(b, i))));
    let aChosen = labels.uniform() < p;
    if (kind[i] === 1) aChosen = !aChosen;
    xc.set((aChosen ? a : b).subarray(i * d, (i + 1) * d), i * d);
    xr.set((aChosen ? b : a).subarray(i * d, (i + 1) * d), i * d);
    correct[i] = util(xc, i) > util(xr, i) ? 1 : 0;
  }
  return { xc, xr, kind, correct };
}

/** G shifted prompts of k responses each (row g·k + i), as described at `Config.shift`. */
export function shiftedResponses(
  rng: Rng,
  G: number,
  k: number,
  u: ArrayLike<number>,
  c: Pick<Config, 'd' | 'shift' | 'spread'>,
): Float32Array {
  const d = c.d;
  const out = new Float32Array(G * k * d);
  for (let g = 0; g < G; g++) {
    const v = Float64Array.from({ length: d }, (_, j) => u[j] + rng.normal() / Math.sqrt(d));
    const norm = Math.hypot(...v);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < d; j++) out[(g * k + i) * d + j] = (c.shift * v[j]) / norm + c.spread * rng.normal();
  }
  return out;
}

/** AUROC of `score` for the positives (Mann–Whitney, ties count ½). */
export function auroc(score: ArrayLike<number>, positive: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => score[x] - score[y]);
  // mid-ranks
  const rank = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    for (let k = i; k <= j; k++) rank[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0,
    sumPos = 0;
  for (let i = 0; i < n; i++)
    if (positive[i]) {
      nPos++;
      sumPos += rank[i];
    }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

type StepFn = (xc: Float32Array, xr: Float32Array, target: number[], margin: number[], n: number) => void;

/**
 * Train one reward model for `epochs` passes over the pairs `idx` in the order drawn from `order`; `stepFn` replaces
 * the model's own step (MetaRM).
 */
function train(
  model: StrengthAwareReward,
  data: NoisyPairs,
  idx: ArrayLike<number>,
  target: ArrayLike<number>,
  margin: ArrayLike<number>,
  c: Config,
  order: Rng,
  stepFn: StepFn = (xc, xr, t, m, n) => model.step(xc, xr, t, m, n),
): void {
  const n = idx.length;
  for (let e = 0; e < c.epochs; e++) {
    const perm = Array.from(idx);
    for (let i = n - 1; i > 0; i--) {
      const j = order.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    for (let s = 0; s + c.batch <= n; s += c.batch) {
      const ix = perm.slice(s, s + c.batch);
      stepFn(
        rowsOf(data.xc, ix, c.d),
        rowsOf(data.xr, ix, c.d),
        ix.map((i) => target[i]),
        ix.map((i) => margin[i]),
        c.batch,
      );
    }
  }
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const rng = new Rng(seed).split('secrets-of-rlhf-rm');
  const u = unitVector(rng.split('world'), c.d);
  const gold = (x: Float32Array, i: number) => c.gain * dotRow(u, x, i, c.d);
  const train_ = noisyPairs(rng.split('train'), c.pairs, c, gold);
  const test = noisyPairs(rng.split('test'), c.nTest, c, gold);
  const nPool = c.pools * c.poolSize;
  const poolX = responses(rng.split('pools'), nPool, c.d);
  const poolGold = Float64Array.from({ length: nPool }, (_, i) => gold(poolX, i));
  const ref = uniformTabularPolicy(c.pools, c.poolSize);
  const uniform = new Float64Array(c.poolSize).fill(1 / c.poolSize);
  const opts = { dIn: c.d, hidden: c.hidden, lr: c.lr };
  const metaSet = shiftedResponses(rng.split('meta-set'), c.metaPrompts, c.metaK, u, c);
  const shiftTest = shiftedResponses(rng.split('shift-test'), c.nShiftTest, 2, u, c);
  const shiftJ = shiftedResponses(rng.split('shift-j'), c.pools, c.metaK, u, c);
  const shiftPool = shiftedResponses(rng.split('shift-pools'), c.pools, c.poolSize, u, c);
  const shiftPoolGold = Float64Array.from({ length: nPool }, (_, i) => gold(shiftPool, i));
  const all = Int32Array.from({ length: c.pairs }, (_, i) => i);
  const ones = new Float64Array(c.pairs).fill(1),
    zeros = new Float64Array(c.pairs);
  const metrics: Record<string, number> = {};

  const evaluate = (name: string, score: (x: Float32Array, n: number) => ArrayLike<number>) => {
    const r1 = score(test.xc, c.nTest),
      r2 = score(test.xr, c.nTest);
    let acc = 0,
      accLabels = 0,
      clean = 0,
      nClean = 0;
    for (let i = 0; i < c.nTest; i++) {
      const pred = r1[i] > r2[i] ? 1 : 0;
      if (pred === test.correct[i]) acc++;
      if (pred === 1) accLabels++;
      if (test.kind[i] === 0) {
        nClean++;
        if (pred === test.correct[i]) clean++;
      }
    }
    const proxy = Float64Array.from(score(poolX, nPool));
    let bon = 0;
    for (let k = 0; k < c.pools; k++) {
      const sl = (a: Float64Array) => a.subarray(k * c.poolSize, (k + 1) * c.poolSize);
      bon += bestOfNValue(uniform, sl(proxy), sl(poolGold), c.bestOfN) / c.pools;
    }
    const pi = klRegularisedOptimum(ref, proxy, klMatchedBeta(ref, proxy, c.targetKl));
    let klGold = 0;
    for (let i = 0; i < nPool; i++) klGold += (pi.probs[i] * poolGold[i]) / c.pools;
    const rs = score(shiftTest, 2 * c.nShiftTest);
    let accShift = 0;
    for (let g = 0; g < c.nShiftTest; g++)
      if (rs[2 * g] > rs[2 * g + 1] === gold(shiftTest, 2 * g) > gold(shiftTest, 2 * g + 1)) accShift++;
    const shiftProxy = Float64Array.from(score(shiftPool, nPool));
    let bonShift = 0;
    for (let k = 0; k < c.pools; k++) {
      const sl = (a: Float64Array) => a.subarray(k * c.poolSize, (k + 1) * c.poolSize);
      bonShift += bestOfNValue(uniform, sl(shiftProxy), sl(shiftPoolGold), c.bestOfN) / c.pools;
    }
    metrics[`${name}/accShift`] = accShift / c.nShiftTest;
    metrics[`${name}/bonShift`] = bonShift;
    metrics[`${name}/jShift`] = differenceObjective(score(shiftJ, c.pools * c.metaK), c.pools, c.metaK).J;
    metrics[`${name}/acc`] = acc / c.nTest;
    metrics[`${name}/accClean`] = clean / nClean;
    metrics[`${name}/accLabels`] = accLabels / c.nTest;
    metrics[`${name}/bon`] = bon;
    metrics[`${name}/klGold`] = klGold;
  };

  // The gold utility itself as the reward: the ceiling of every downstream metric (acc 1 by definition).
  evaluate('oracle', (x, n) => Float64Array.from({ length: n }, (_, i) => gold(x, i)));

  // 1. The ensemble and the preference strength of every training pair (eq. 4).
  const members = Array.from({ length: c.ensemble }, (_, m) => {
    const model = new StrengthAwareReward(opts, rng.split(`member-${m}`).split('init'));
    train(model, train_, all, ones, zeros, c, rng.split(`member-${m}`).split('order'));
    return model;
  });
  const { mean: mu, std: sd } = ensembleStrength(members.map((m) => m.differences(train_.xc, train_.xr, c.pairs)));
  evaluate('ensemble', (x, n) => {
    const s = new Float64Array(n);
    for (const m of members) {
      const r = m.reward(x, n);
      for (let i = 0; i < n; i++) s[i] += r[i] / c.ensemble;
    }
    return s;
  });

  // Strength diagnostics (Figs. 2–3 analogues).
  const flags = lowestStrengthFlags(mu, c.flipFraction);
  const incorrect = Uint8Array.from(train_.correct, (v) => 1 - v);
  metrics['strength/auroc'] = auroc(
    Float64Array.from(mu, (v) => -v),
    incorrect,
  );
  let flagged = 0,
    flaggedWrong = 0,
    tieAbs = 0,
    nTie = 0,
    normAbs = 0,
    nNorm = 0,
    neg = 0;
  for (let i = 0; i < c.pairs; i++) {
    if (flags[i]) {
      flagged++;
      flaggedWrong += incorrect[i];
    }
    if (train_.kind[i] === 2) {
      tieAbs += Math.abs(mu[i]);
      nTie++;
    } else if (train_.kind[i] === 0) {
      normAbs += Math.abs(mu[i]);
      nNorm++;
    }
    if (mu[i] < 0) neg++;
  }
  metrics['strength/flipPrecision'] = flaggedWrong / flagged;
  metrics['strength/incorrectRate'] = incorrect.reduce((s, v) => s + v, 0) / c.pairs;
  metrics['strength/muAbsTie'] = tieAbs / nTie;
  metrics['strength/muAbsNormal'] = normAbs / nNorm;
  metrics['strength/negMu'] = neg / c.pairs;
  const sorted = Array.from(all).sort((a, b) => mu[a] - mu[b] || a - b);
  const decile = (k: number) => sorted.slice(Math.floor((k * c.pairs) / 10), Math.floor(((k + 1) * c.pairs) / 10));
  for (let k = 0; k < 10; k++) {
    const ix = decile(k);
    metrics[`bins/mu-${k}`] = ix.reduce((s, i) => s + mu[i], 0) / ix.length;
    metrics[`bins/sd-${k}`] = ix.reduce((s, i) => s + sd[i], 0) / ix.length;
    metrics[`bins/correct-${k}`] = ix.reduce((s, i) => s + train_.correct[i], 0) / ix.length;
  }

  // 2. The reward models of §2.5, on identical initialisation and batches.
  const specs: Record<Exclude<Method, 'meta-rm'>, { target: Float64Array; margin: ArrayLike<number> }> = {
    baseline: { target: ones, margin: zeros },
    flip: { target: Float64Array.from(flags, (f) => 1 - f), margin: zeros },
    margin: { target: ones, margin: mu },
    // target 0 with margin μ̂ is the loss −log σ(Δ' − μ') of the flipped pair, Δ' = −Δ, μ' = −μ̂
    'flip-margin': { target: Float64Array.from(flags, (f) => 1 - f), margin: mu },
    'soft-margin': { target: Float64Array.from(mu, (v) => (v < 0 ? 1 - c.smoothing : 1)), margin: mu },
  };
  for (const m of METHODS) {
    const model = new StrengthAwareReward(opts, rng.split('method-init'));
    if (m === 'meta-rm') {
      // MetaRM (Algorithm 1) on the vanilla loss (eq. 10): every step draws `metaBatch` prompts of the meta dataset
      const metaOrder = rng.split('meta-order');
      const rows = c.metaBatch * c.metaK;
      const stepFn: StepFn = (xc, xr, t, mg, n) => {
        const xs = new Float32Array(rows * c.d);
        for (let g = 0; g < c.metaBatch; g++) {
          const p = metaOrder.int(c.metaPrompts);
          xs.set(metaSet.subarray(p * c.metaK * c.d, (p + 1) * c.metaK * c.d), g * c.metaK * c.d);
        }
        metaRmStep(model, xs, c.metaBatch, c.metaK, xc, xr, t, mg, n, c.metaEta);
      };
      train(model, train_, all, ones, zeros, c, rng.split('method-order'), stepFn);
    } else train(model, train_, all, specs[m].target, specs[m].margin, c, rng.split('method-order'));
    evaluate(m, (x, n) => model.reward(x, n));
  }

  // 3. Fig. 4: one reward model per strength decile (BT loss, same epochs).
  if (c.deciles)
    for (let k = 0; k < 10; k++) {
      const model = new StrengthAwareReward(opts, rng.split('decile-init'));
      train(model, train_, decile(k), ones, zeros, c, rng.split(`decile-order-${k}`));
      const r1 = model.reward(test.xc, c.nTest),
        r2 = model.reward(test.xr, c.nTest);
      let acc = 0;
      for (let i = 0; i < c.nTest; i++) if ((r1[i] > r2[i] ? 1 : 0) === test.correct[i]) acc++;
      metrics[`decile-${k}/acc`] = acc / c.nTest;
    }
  return { metrics };
}
