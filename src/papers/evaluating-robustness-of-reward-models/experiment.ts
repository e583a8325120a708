/**
 * The RewardMATH miniature (Kim et al. 2024, "Evaluating Robustness of Reward Models for Mathematical Reasoning"),
 * one seed = one synthetic world + a population of reward models + two benchmarks + the downstream outcomes.
 *
 * Candidate solutions are feature vectors x = (content ∈ R^dc, style ∈ R). Content = μ·c·u + N(0, I) for a
 * correctness bit c and a unit direction u drawn per seed; style ~ N(+δ, 1) for machine-written step-by-step
 * solutions and N(−δ, 1) for terse human-written ones. Gold utility = c (correct or not).
 * Reward-model population (linear BT rewards r(x) = θ·x fitted by Newton, methods/bradley-terry.ts): one RM per
 * (training size n, style-confounded fraction ρ): n pairs (correct, incorrect) with label noise `labelNoise`; a
 * fraction ρ of the pairs have a human-style correct and a machine-style incorrect solution (the RewardBench-like
 * representation gap), the rest are style-matched (both machine).
 * Benchmark A (RewardBench math-like): one chosen (correct, human style) vs one rejected (incorrect, machine style)
 * per problem; pairwise accuracy. Benchmark B (RewardMATH-like): one correct vs `kIncorrect` incorrect, all machine
 * style; one-vs-many accuracy (solvers/one-vs-many.ts) and MRR. Control: one-vs-one with matched style.
 * Downstream: per problem a policy pool of `poolSize` machine-generated candidates (a fraction of them correct; a
 * fraction `guessRate` of the incorrect ones are terse answer-only guesses, human-like style), exact best-of-n gold
 * accuracy (solvers/best-of-n.ts, uniform reference over the pool) for n in `nGrid`; over-optimisation = peak gold
 * accuracy over n − gold accuracy at the largest n.
 * Task entry point: `runSeed(config, seed)` ('papers/evaluating-robustness-of-reward-models/experiment#runSeed').
 *
 * Record keys: `rm<i>/<accA|accB|mrrB|accMatched|bon|overopt|styleWeight>` per RM i, `rm<i>/bon@n=<n>`,
 * `corr/<rhoA|rhoB|rhoMatched>Bon`, `corr/<rhoA|rhoB>Overopt` (Spearman across the population, over-optimisation
 * negated so that higher = better), `mech/<styleGapA>` (mean A accuracy of ρ = 1 RMs − ρ = 0 RMs),
 * `mech/bonSpread` (std of downstream gold accuracy across RMs).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { spearman } from '../../stats/correlation';
import { fitBTOnDifferences } from '../../testbeds/preference/methods/bradley-terry';
import { bestOfNValue } from '../../testbeds/preference/solvers/best-of-n';
import { oneVsManyScores } from '../../testbeds/preference/solvers/one-vs-many';

export interface Config {
  /** Content feature dimension (style is one extra feature). */
  dContent: number;
  /** Mean shift of correct solutions along the content direction u. */
  mu: number;
  /** Style offset: machine style ~ N(+δ, 1), human style ~ N(−δ, 1). */
  delta: number;
  /** Training sizes and style-confounded fractions of the RM population (one RM per pair). */
  trainSizes: number[];
  styleFractions: number[];
  /** Probability that a training label is flipped; ridge of the BT fit. */
  labelNoise: number;
  l2: number;
  /** Problems in each benchmark; incorrect candidates per problem in benchmark B. */
  benchProblems: number;
  kIncorrect: number;
  /** Downstream: problems, pool size, range of the per-problem correct fraction, guess rate, best-of-n grid. */
  poolProblems: number;
  poolSize: number;
  poolCorrectLo: number;
  poolCorrectHi: number;
  guessRate: number;
  nGrid: number[];
  /** n of the headline best-of-n gold accuracy. */
  nHeadline: number;
}

export const DEFAULTS: Config = {
  dContent: 5,
  mu: 1,
  delta: 1,
  trainSizes: [10, 20, 40, 80, 160],
  styleFractions: [0, 0.5, 1],
  labelNoise: 0.1,
  l2: 1e-2,
  benchProblems: 400,
  kIncorrect: 9,
  poolProblems: 300,
  poolSize: 32,
  poolCorrectLo: 0.1,
  poolCorrectHi: 0.5,
  guessRate: 0.3,
  nGrid: [1, 2, 4, 8, 16, 32, 64, 128],
  nHeadline: 16,
};

/** One candidate's features: content = μ·c·u + noise, style ~ N(±δ, 1). */
function candidate(rng: Rng, c: Config, u: Float64Array, correct: boolean, human: boolean, out: Float64Array) {
  for (let j = 0; j < c.dContent; j++) out[j] = (correct ? c.mu * u[j] : 0) + rng.normal(0, 1);
  out[c.dContent] = rng.normal(human ? -c.delta : c.delta, 1);
}

function score(theta: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let j = 0; j < theta.length; j++) s += theta[j] * x[j];
  return s;
}

interface Bench {
  correct: Float64Array[];
  incorrect: Float64Array[][];
}

function makeBench(rng: Rng, c: Config, u: Float64Array, k: number, correctHuman: boolean): Bench {
  const d = c.dContent + 1;
  const b: Bench = { correct: [], incorrect: [] };
  for (let p = 0; p < c.benchProblems; p++) {
    const x = new Float64Array(d);
    candidate(rng, c, u, true, correctHuman, x);
    b.correct.push(x);
    const inc: Float64Array[] = [];
    for (let j = 0; j < k; j++) {
      const y = new Float64Array(d);
      candidate(rng, c, u, false, false, y);
      inc.push(y);
    }
    b.incorrect.push(inc);
  }
  return b;
}

function benchScores(theta: Float64Array, b: Bench, k: number) {
  const P = b.correct.length;
  const cor = new Float64Array(P),
    inc = new Float64Array(P * k);
  for (let p = 0; p < P; p++) {
    cor[p] = score(theta, b.correct[p]);
    for (let j = 0; j < k; j++) inc[p * k + j] = score(theta, b.incorrect[p][j]);
  }
  return oneVsManyScores(cor, inc, k);
}

export function runSeed(config: Partial<Config>, seed: number): RunResult {
  const c: Config = { ...DEFAULTS, ...config };
  const d = c.dContent + 1;
  const rng = new Rng(seed).split('rewardmath');
  const u = rng.split('world').normals(c.dContent);
  const un = Math.hypot(...u);
  for (let j = 0; j < c.dContent; j++) u[j] /= un;

  // Benchmarks (shared by every RM).
  const br = rng.split('bench');
  const benchA = makeBench(br.split('A'), c, u, 1, true);
  const benchB = makeBench(br.split('B'), c, u, c.kIncorrect, false);
  const benchM = makeBench(br.split('matched'), c, u, 1, false);
  // Downstream pools: features, gold correctness.
  const pr = rng.split('pools');
  const pools: { x: Float64Array[]; gold: Float64Array }[] = [];
  for (let p = 0; p < c.poolProblems; p++) {
    const frac = c.poolCorrectLo + (c.poolCorrectHi - c.poolCorrectLo) * pr.uniform();
    const x: Float64Array[] = [];
    const gold = new Float64Array(c.poolSize);
    for (let i = 0; i < c.poolSize; i++) {
      const ok = pr.uniform() < frac;
      const guess = !ok && pr.uniform() < c.guessRate;
      const v = new Float64Array(d);
      candidate(pr, c, u, ok, guess, v);
      x.push(v);
      gold[i] = ok ? 1 : 0;
    }
    pools.push({ x, gold });
  }
  const ref = new Float64Array(c.poolSize).fill(1 / c.poolSize);

  const metrics: Record<string, number> = {};
  const accA: number[] = [],
    accB: number[] = [],
    accM: number[] = [],
    bon: number[] = [],
    negOver: number[] = [];
  const fr = rng.split('rms');
  let i = 0;
  const gapA = { styled: 0, matched: 0, ns: 0, nm: 0 };
  for (const rho of c.styleFractions)
    for (const n of c.trainSizes) {
      const r = fr.split(`rm-${rho}-${n}`);
      const D = new Float64Array(n * d);
      const y = new Float64Array(n);
      const a = new Float64Array(d),
        b = new Float64Array(d);
      const nStyled = Math.round(rho * n);
      for (let t = 0; t < n; t++) {
        candidate(r, c, u, true, t < nStyled, a);
        candidate(r, c, u, false, false, b);
        for (let j = 0; j < d; j++) D[t * d + j] = a[j] - b[j];
        y[t] = r.uniform() < c.labelNoise ? 0 : 1;
      }
      const theta = fitBTOnDifferences(D, y, new Float64Array(n).fill(1), d, { l2: c.l2 }).theta;
      const sA = benchScores(theta, benchA, 1);
      const sB = benchScores(theta, benchB, c.kIncorrect);
      const sM = benchScores(theta, benchM, 1);
      const gold: number[] = [];
      for (const nn of c.nGrid) {
        let v = 0;
        for (const pool of pools) {
          const proxy = Float64Array.from(pool.x, (x) => score(theta, x));
          v += bestOfNValue(ref, proxy, pool.gold, nn);
        }
        gold.push(v / pools.length);
        metrics[`rm${i}/bon@n=${nn}`] = v / pools.length;
      }
      const over = Math.max(...gold) - gold[gold.length - 1];
      const head = metrics[`rm${i}/bon@n=${c.nHeadline}`];
      if (head === undefined) throw new RangeError(`runSeed: nHeadline ${c.nHeadline} is not in nGrid`);
      Object.assign(metrics, {
        [`rm${i}/accA`]: sA.accuracy,
        [`rm${i}/accB`]: sB.accuracy,
        [`rm${i}/mrrB`]: sB.mrr,
        [`rm${i}/accMatched`]: sM.accuracy,
        [`rm${i}/bon`]: head,
        [`rm${i}/overopt`]: over,
        [`rm${i}/styleWeight`]: theta[c.dContent],
        [`rm${i}/trainSize`]: n,
        [`rm${i}/styleFraction`]: rho,
      });
      accA.push(sA.accuracy);
      accB.push(sB.accuracy);
      accM.push(sM.accuracy);
      bon.push(head);
      negOver.push(-over);
      if (rho === Math.max(...c.styleFractions)) {
        gapA.styled += sA.accuracy;
        gapA.ns++;
      }
      if (rho === Math.min(...c.styleFractions)) {
        gapA.matched += sA.accuracy;
        gapA.nm++;
      }
      i++;
    }
  metrics['corr/rhoABon'] = spearman(accA, bon);
  metrics['corr/rhoBBon'] = spearman(accB, bon);
  metrics['corr/rhoMatchedBon'] = spearman(accM, bon);
  metrics['corr/rhoAOveropt'] = spearman(accA, negOver);
  metrics['corr/rhoBOveropt'] = spearman(accB, negOver);
  metrics['mech/styleGapA'] = gapA.styled / gapA.ns - gapA.matched / gapA.nm;
  const mb = bon.reduce((s, v) => s + v, 0) / bon.length;
  metrics['mech/bonSpread'] = Math.sqrt(bon.reduce((s, v) => s + (v - mb) ** 2, 0) / (bon.length - 1));
  metrics['mech/population'] = i;
  return { metrics, series: {} };
}
