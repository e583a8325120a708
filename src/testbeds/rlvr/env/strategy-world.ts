/**
 * Problems solved by shared solution strategies, for the log-linear answer policy
 * (policies/log-linear.ts): a problem distribution in which RL on some problems moves the likelihood of
 * others through the strategies they share (the reasoning-boundary miniature).
 */
import { Rng } from '../../../core/rng';
import { makeProblemSet, type ProblemSet } from '../policies/log-linear';

/**
 * Problems solved by "strategies". Every problem has a type t (T types) and one valid strategy v
 * (of S): the type's main strategy with probability `mainStrategyProb`, otherwise one of the other
 * strategies uniformly. Its K = S·c candidates use strategy ⌊a / c⌋; exactly one candidate of strategy
 * v is correct (the other c − 1 are flawed executions). Features (d = S + T·S + m):
 *   [0, S)            one-hot strategy (a global strategy preference shared by all problems)
 *   [S, S + T·S)      one-hot (type, strategy) (a per-type strategy preference)
 *   [S + T·S, d)      m random N(0, scale²/m) features per candidate (problem-specific directions)
 * Base logits b(q, a) = popularity[s] + noiseSd·N(0, 1) + (correct ? δ_q : 0), δ_q ~ N(executionMean,
 * executionSd²): popular strategies and well-executed problems have high base likelihood, problems
 * that need a rare strategy have low base likelihood.
 */
export interface StrategyWorldConfig {
  nStrategies: number;
  candidatesPerStrategy: number;
  nTypes: number;
  /** Main strategy of each type (length nTypes). */
  typeMainStrategy: number[];
  mainStrategyProb: number;
  /** Base log-popularity of each strategy (length nStrategies). */
  popularity: number[];
  executionMean: number;
  executionSd: number;
  noiseSd: number;
  nRandomFeatures: number;
  randomFeatureScale: number;
}

export interface StrategyProblems extends ProblemSet {
  type: Int32Array;
  validStrategy: Int32Array;
}

/**
 * The reasoning-boundary miniature's world (src/papers/reasoning-boundary-paradox/loglinear.ts), also the RLVR
 * protocol's `boundary` task: six strategies of decreasing base popularity, four problem types each with a main
 * strategy, two candidates per strategy, 16 problem-specific random features.
 */
export const REASONING_BOUNDARY_WORLD: StrategyWorldConfig = {
  nStrategies: 6,
  candidatesPerStrategy: 2,
  nTypes: 4,
  typeMainStrategy: [0, 1, 2, 3],
  mainStrategyProb: 0.7,
  popularity: [0, -0.8, -1.6, -2.4, -3.2, -4.0],
  executionMean: 0.5,
  executionSd: 1.2,
  noiseSd: 0.5,
  nRandomFeatures: 16,
  randomFeatureScale: 1,
};

export function checkStrategyWorld(w: StrategyWorldConfig): void {
  const where = 'rlvr.strategyWorld.strategyProblems';
  const S = w.nStrategies;
  if (!Number.isInteger(S) || S < 2) throw new RangeError(`${where}: nStrategies must be an integer ≥ 2, got ${S}`);
  if (!Number.isInteger(w.candidatesPerStrategy) || w.candidatesPerStrategy < 1)
    throw new RangeError(`${where}: candidatesPerStrategy must be a positive integer, got ${w.candidatesPerStrategy}`);
  if (!Number.isInteger(w.nTypes) || w.nTypes < 1)
    throw new RangeError(`${where}: nTypes must be a positive integer, got ${w.nTypes}`);
  if (w.typeMainStrategy.length !== w.nTypes)
    throw new RangeError(
      `${where}: typeMainStrategy has ${w.typeMainStrategy.length} entries for nTypes = ${w.nTypes}`,
    );
  for (const s of w.typeMainStrategy)
    if (!Number.isInteger(s) || s < 0 || s >= S)
      throw new RangeError(`${where}: typeMainStrategy entries must be strategy indices in [0, ${S}), got ${s}`);
  if (w.popularity.length !== S)
    throw new RangeError(`${where}: popularity has ${w.popularity.length} entries for nStrategies = ${S}`);
  if (!(w.mainStrategyProb >= 0 && w.mainStrategyProb <= 1))
    throw new RangeError(`${where}: mainStrategyProb must be in [0, 1], got ${w.mainStrategyProb}`);
  if (!(w.executionSd >= 0 && w.noiseSd >= 0 && w.randomFeatureScale >= 0))
    throw new RangeError(`${where}: executionSd, noiseSd and randomFeatureScale must be ≥ 0`);
  if (!Number.isInteger(w.nRandomFeatures) || w.nRandomFeatures < 0)
    throw new RangeError(`${where}: nRandomFeatures must be a non-negative integer, got ${w.nRandomFeatures}`);
  if (S * w.candidatesPerStrategy < 2) throw new RangeError(`${where}: need at least 2 candidates per problem`);
}

export function strategyDim(w: StrategyWorldConfig): number {
  return w.nStrategies + w.nTypes * w.nStrategies + w.nRandomFeatures;
}

/** Draw n problems from the strategy world. */
export function strategyProblems(rng: Rng, w: StrategyWorldConfig, n: number): StrategyProblems {
  checkStrategyWorld(w);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`rlvr.strategyWorld.strategyProblems: n must be a positive integer, got ${n}`);
  const S = w.nStrategies;
  const c = w.candidatesPerStrategy;
  const K = S * c;
  const T = w.nTypes;
  const m = w.nRandomFeatures;
  const d = strategyDim(w);
  const features = new Float64Array(n * K * d);
  const base = new Float64Array(n * K);
  const correct = new Uint8Array(n * K);
  const type = new Int32Array(n);
  const valid = new Int32Array(n);
  const fs = m > 0 ? w.randomFeatureScale / Math.sqrt(m) : 0;
  for (let q = 0; q < n; q++) {
    const t = rng.int(T);
    type[q] = t;
    const main = w.typeMainStrategy[t];
    let v = main;
    if (!(rng.uniform() < w.mainStrategyProb)) {
      v = rng.int(S - 1);
      if (v >= main) v++;
    }
    valid[q] = v;
    const right = v * c + rng.int(c);
    const delta = rng.normal(w.executionMean, w.executionSd);
    for (let a = 0; a < K; a++) {
      const s = Math.floor(a / c);
      const i = q * K + a;
      const o = i * d;
      features[o + s] = 1;
      features[o + S + t * S + s] = 1;
      for (let j = 0; j < m; j++) features[o + S + T * S + j] = fs * rng.normal();
      const isRight = a === right;
      correct[i] = isRight ? 1 : 0;
      base[i] = w.popularity[s] + w.noiseSd * rng.normal() + (isRight ? delta : 0);
    }
  }
  return { ...makeProblemSet(n, K, d, features, base, correct), type, validStrategy: valid };
}
