/**
 * PARL / A-PARL (Chakraborty, Bedi, Koppel, Wang, Manocha, Wang & Huang, "PARL: A Unified Framework for
 * Policy Alignment in Reinforcement Learning from Human Feedback", ICLR 2024, arXiv:2308.02585) and its
 * PEBBLE-style baseline, on a tabular MDP with a linear reward r_w = w·φ and a preference oracle.
 *
 * PARL's bilevel problem (the paper's PARL formulation, §3):
 *   upper:  max_ν  G(ν, θ*(ν)) = E_{y ∼ ρ(y; θ*(ν))}[U_ν(y)]
 *   lower:  θ*(ν) = argmax_θ V(ν, θ)   (the policy that is optimal for the designed reward r_ν),
 * where, for preference feedback, y = (σ¹, σ², label) is a pair of trajectory segments drawn from the
 * lower-level optimal policy and labelled by the human, and U_ν(y) is the Bradley–Terry log-likelihood
 * of the label under r_ν. The data distribution ρ depends on ν through θ*(ν); the hypergradient
 * (the paper's gradient of G, the quantity A-PARL estimates) is
 *   ∇_ν G = E_{y∼ρ(θ*(ν))}[ ∇_ν U_ν(y) + U_ν(y) · ∇_ν log ρ(y; θ*(ν)) ],
 *   ∇_ν log ρ(y; θ*(ν)) = ∇_ν θ*(ν)ᵀ ∇_θ log ρ(y; θ*)   (implicit derivative of the lower-level solution).
 * The first term is the gradient standard RLHF / PEBBLE follows on data it treats as fixed; the second is
 * the distribution-dependence term PARL adds. Here ν = w, the lower level is the soft-optimal policy π*_w
 * (entropy-regularised, so unique and differentiable), and for a segment pair drawn by π*_w from fixed
 * start states, ∇_w log ρ(y) = Σ_{segments} Σ_t ∂ log π*_w(a_t|s_t)/∂w (dynamics and starts do not depend on
 * w), computed exactly by `softOptimalDerivative` (solvers/soft-optimal-derivative.ts).
 *
 * The loop (one round = one feedback session): solve the lower level exactly for the current w; draw
 * `pairsPerRound` segment pairs from π*_w and have the oracle label them (the queries); then take
 * `stepsPerRound` gradient-ascent steps on w. The recipe parts:
 *   - `mle`: the data of the ∇U term — 'buffer' (every pair queried so far, PEBBLE's reward learning) or
 *     'current' (this round's pairs only, the literal E_{ρ(θ*(ν))} of G);
 *   - `dependence`: 'ignore' (PEBBLE: the data are treated as fixed) or 'score' (A-PARL: add the
 *     U·∇ log ρ term, estimated on this round's pairs, the only ones drawn from π*_w; π*_w and its
 *     derivative are re-solved at every step, the pairs are those drawn at the start of the round);
 *   - `baseline`: 'none' (the paper's estimator) or 'leave-one-out' (U − mean of the other pairs' U, an
 *     unbiased variance reduction, not in the paper).
 * Both terms are averages over pairs, so G's scale is one mean log-likelihood; an L2 penalty λ‖w‖²/2 keeps
 * the maximum-likelihood fit finite on separable data, and every step is projected onto the ball ‖w‖ ≤ B
 * (a bounded parameter set; the dependence term's single-sample estimates can otherwise grow w without
 * bound). The same λ and B for every recipe.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math/softmax';
import { entryRewards, type FeatureGridworld } from '../env/gridworld';
import {
  epsilonMixtureBehaviour,
  labelsFromLogits,
  partialReturns,
  sampleSegments,
  segmentFeatureSums,
  type SegmentSet,
} from '../env/preferences';
import { softOptimalDerivative } from '../solvers/soft-optimal-derivative';

export interface BilevelRecipe {
  mle: 'buffer' | 'current';
  dependence: 'ignore' | 'score';
  baseline: 'none' | 'leave-one-out';
}

/** The named recipes. */
export const BILEVEL_RECIPES = {
  /** PEBBLE-style alternating updates: reward MLE on every query so far, data treated as fixed. */
  pebble: { mle: 'buffer', dependence: 'ignore', baseline: 'none' },
  /** A-PARL: the same MLE term plus the distribution-dependence term U·∇ log ρ(π*_w) (the paper's estimator). */
  'a-parl': { mle: 'buffer', dependence: 'score', baseline: 'none' },
  /** A-PARL with a leave-one-out baseline in the dependence term (variance reduction; not in the paper). */
  'a-parl-loo': { mle: 'buffer', dependence: 'score', baseline: 'leave-one-out' },
  /** The literal upper objective G: both terms on this round's pairs from π*_w only. */
  'parl-on-policy': { mle: 'current', dependence: 'score', baseline: 'none' },
} as const satisfies Record<string, BilevelRecipe>;
export type BilevelMethod = keyof typeof BILEVEL_RECIPES;

/** Bradley–Terry log-likelihood of a label y ∈ [0,1] for logit z = w·(Φ(σ¹) − Φ(σ²)): the paper's U_ν(y). */
export function btLogLik(z: number, y: number): number {
  // y log σ(z) + (1 − y) log σ(−z), with log σ(x) = −log(1 + e^{−x}) evaluated stably for either sign.
  const logSig = (x: number) => (x > 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
  return y * logSig(z) + (1 - y) * logSig(-z);
}

/** Σ_t ∂ log π(a_t|s_t)/∂w over one segment of a SegmentSet (accumulated into out, length nF). */
export function addSegmentScore(
  segs: SegmentSet,
  i: number,
  dLogPi: Float64Array,
  nA: number,
  nF: number,
  out: Float64Array,
): void {
  for (let t = 0; t < segs.len[i]; t++) {
    const o = i * segs.L + t;
    const r = segs.s[o] * nA + segs.a[o];
    for (let f = 0; f < nF; f++) out[f] += dLogPi[r * nF + f];
  }
}

/** Labelled pairs as feature differences dF_p = Φ(σ¹_p) − Φ(σ²_p) (row-major n × nF) and labels y_p. */
export interface PairData {
  n: number;
  dF: Float64Array;
  y: Float64Array;
}

/** Mean over pairs of ∇_w U_w(y) = (y − σ(w·dF)) dF, added into g with weight `scale`. */
export function addMleGradient(w: Float64Array, data: PairData, g: Float64Array, scale = 1): void {
  const nF = w.length;
  if (data.n === 0) return;
  const c = scale / data.n;
  for (let p = 0; p < data.n; p++) {
    let z = 0;
    for (let f = 0; f < nF; f++) z += w[f] * data.dF[p * nF + f];
    const e = data.y[p] - sigmoid(z);
    for (let f = 0; f < nF; f++) g[f] += c * e * data.dF[p * nF + f];
  }
}

/**
 * The A-PARL dependence term (1/n) Σ_p (U_w(y_p) − b_p) ∇_w log ρ(y_p; π*_w) for the pairs (2p, 2p+1) of
 * `segs` with labels `data` (the same pairs), given ∂ log π*_w/∂w; added into g. Returns its vector.
 */
export function dependenceTerm(
  w: Float64Array,
  segs: SegmentSet,
  data: PairData,
  dLogPi: Float64Array,
  nA: number,
  baseline: BilevelRecipe['baseline'],
): Float64Array {
  const nF = w.length,
    n = data.n;
  const U = new Float64Array(n);
  let sumU = 0;
  for (let p = 0; p < n; p++) {
    let z = 0;
    for (let f = 0; f < nF; f++) z += w[f] * data.dF[p * nF + f];
    U[p] = btLogLik(z, data.y[p]);
    sumU += U[p];
  }
  const out = new Float64Array(nF);
  const score = new Float64Array(nF);
  for (let p = 0; p < n; p++) {
    score.fill(0);
    addSegmentScore(segs, 2 * p, dLogPi, nA, nF, score);
    addSegmentScore(segs, 2 * p + 1, dLogPi, nA, nF, score);
    const b = baseline === 'leave-one-out' && n > 1 ? (sumU - U[p]) / (n - 1) : 0;
    for (let f = 0; f < nF; f++) out[f] += ((U[p] - b) * score[f]) / n;
  }
  return out;
}

export interface BilevelOptions {
  /** The oracle's hidden reward weights (partial-return Bradley–Terry labels). */
  wTrue: Float64Array;
  /** Oracle rationality β: P(σ¹ ≻ σ²) = σ(β (Σr(σ¹) − Σr(σ²))). */
  betaTrue: number;
  /** Lower-level temperature α of the soft-optimal policy. */
  alpha: number;
  rounds: number;
  pairsPerRound: number;
  segmentLength: number;
  stepsPerRound: number;
  /** Gradient-ascent step size on w. */
  lr: number;
  /** L2 penalty λ (gradient −λw). */
  l2: number;
  /** Radius B of the parameter ball ‖w‖ ≤ B every step is projected onto (Infinity: none). */
  radius: number;
  recipe: BilevelRecipe;
  /** Randomness of round t's queries and labels: `rngOfRound(t)` (use the same streams across recipes). */
  rngOfRound: (t: number) => Rng;
  /** Called with the initial w (t = 0) and after each round's update (t = 1..rounds). */
  onRound?: (t: number, w: Float64Array, policy: Float64Array, info: RoundInfo) => void;
}

export interface RoundInfo {
  /** ‖MLE term‖ and ‖dependence term‖ at the round's first step (0 before any query). */
  mleNorm: number;
  depNorm: number;
  /** Queries so far. */
  queries: number;
}

/** Run the bilevel loop from w = 0 (the uniform policy); returns the final w and its soft-optimal policy. */
export function trainPreferenceBilevel(
  world: FeatureGridworld,
  o: BilevelOptions,
): { w: Float64Array; policy: Float64Array } {
  const { nA, nF } = world;
  const env = world; // FeatureGridworld carries nF, phiSA and terminal
  const trueEntry = entryRewards(world, o.wTrue);
  let w = new Float64Array(nF);
  let sol = softOptimalDerivative(env, w, o.alpha);
  const buffer: { dF: number[]; y: number[] } = { dF: [], y: [] };
  o.onRound?.(0, w, sol.soft.policy, { mleNorm: 0, depNorm: 0, queries: 0 });
  for (let t = 1; t <= o.rounds; t++) {
    const rng = o.rngOfRound(t);
    const n = o.pairsPerRound;
    const segs = sampleSegments(world, rng.split('segments'), {
      n: 2 * n,
      L: o.segmentLength,
      behaviour: epsilonMixtureBehaviour(sol.soft.policy, nA, () => 0),
    });
    const ret = partialReturns(segs, trueEntry);
    const z = new Float64Array(n);
    for (let p = 0; p < n; p++) z[p] = o.betaTrue * (ret[2 * p] - ret[2 * p + 1]);
    const y = labelsFromLogits(z, 'stochastic', rng.split('labels'));
    const F = segmentFeatureSums(world, segs);
    const dF = new Float64Array(n * nF);
    for (let p = 0; p < n; p++)
      for (let f = 0; f < nF; f++) dF[p * nF + f] = F[2 * p * nF + f] - F[(2 * p + 1) * nF + f];
    const current: PairData = { n, dF, y };
    for (let p = 0; p < n; p++) {
      for (let f = 0; f < nF; f++) buffer.dF.push(dF[p * nF + f]);
      buffer.y.push(y[p]);
    }
    const mleData: PairData =
      o.recipe.mle === 'buffer'
        ? { n: buffer.y.length, dF: Float64Array.from(buffer.dF), y: Float64Array.from(buffer.y) }
        : current;
    let info: RoundInfo = { mleNorm: 0, depNorm: 0, queries: t * n };
    for (let m = 0; m < o.stepsPerRound; m++) {
      const g = new Float64Array(nF);
      addMleGradient(w, mleData, g);
      const mleNorm = Math.hypot(...g);
      let depNorm = 0;
      if (o.recipe.dependence === 'score') {
        if (m > 0) sol = softOptimalDerivative(env, w, o.alpha, { V0: sol.soft.V });
        const d = dependenceTerm(w, segs, current, sol.dLogPi, nA, o.recipe.baseline);
        for (let f = 0; f < nF; f++) g[f] += d[f];
        depNorm = Math.hypot(...d);
      }
      if (m === 0) info = { mleNorm, depNorm, queries: t * n };
      const wn = new Float64Array(nF);
      for (let f = 0; f < nF; f++) wn[f] = w[f] + o.lr * (g[f] - o.l2 * w[f]);
      const norm = Math.hypot(...wn);
      if (norm > o.radius) for (let f = 0; f < nF; f++) wn[f] *= o.radius / norm;
      w = wn;
    }
    sol = softOptimalDerivative(env, w, o.alpha, { V0: sol.soft.V });
    o.onRound?.(t, w, sol.soft.policy, info);
  }
  return { w, policy: sol.soft.policy };
}
