/**
 * Learned process rewards at RL training time (Gao et al. 2024, "On Designing Effective RL Reward at
 * Training Time for LLM Reasoning"), on a step-level arithmetic task.
 *
 * The task: add n two-digit numbers a_1 … a_n by writing step lines, then an answer line. A "step" is
 * one of five actions of the policy (the line it writes):
 *   add           "v + a_{d+1} = v'"            the next addition, computed correctly
 *   slip          "v + a_{d+1} = v' ± δ"        an arithmetic slip (units digit wrong, or tens digit wrong)
 *   repeat        "= v"                         restates the current total: correct but unnecessary
 *   wrong-operand "v + a_j = v'"  (j ≠ d+1)     a correct sum of the wrong number
 *   answer        "answer: v"                   ends the solution
 * With all n − 1 additions done, any further calculation line adds an extra term (wrong). A solution is
 * correct iff it answers after exactly the n − 1 correct additions (repeats allowed) within `maxSteps`
 * lines; one that reaches `maxSteps` lines without answering fails.
 *
 * Reward models, fitted on labelled samples of a reference policy (logistic regression, `fitLogistic`):
 *   PRM r_φ(q, p^(k)) ∈ (0, 1): probability that the prefix through step k is still correct, from features
 *       of the step line and the prefix (`prmFeatures`). It checks units digits and operands, so a tens-digit
 *       slip is invisible to it, and it scores a repeated correct line as highly as a correct step.
 *   ORM r_ψ(q, p): probability that the whole solution is correct (`ormFeatures`).
 * Training rewards of a solution with K lines (paper §3–4; α the learned-reward weight, success 1/0 on the
 * last line, η the clipping threshold):
 *   success      r_K = success
 *   prm          r_k = α·r_φ(p^(k))                                  + success on k = K
 *   orm          r_K = success + α·r_ψ(p)
 *   clip         r_k = α·min(r_φ(p^(k)) − η, 0)                      + success   (Clip mechanism)
 *   delta        r_k = α·(r_φ(p^(k)) − r_φ(p^(k+1))), r_K = α·r_φ(p^(K)) + success   (Delta mechanism)
 *   clip-delta   Delta applied to the clipped scores c_k = min(r_φ(p^(k)) − η, 0)
 * Σ_k of the Delta rewards telescopes to α·r_φ(p^(1)); Σ_k of the Clip rewards is ≤ 0: either way a
 * solution's accumulated learned reward is bounded above, so padding cannot raise it without limit.
 */
import type { Rng } from '../../core/rng';

export const ACTION_NAMES = ['add', 'slip', 'repeat', 'wrong-operand', 'answer'] as const;
export const A_ADD = 0;
export const A_SLIP = 1;
export const A_REPEAT = 2;
export const A_WRONG = 3;
export const A_ANSWER = 4;
export const N_ACTIONS = 5;

export interface ArithmeticTask {
  /** Fewest and most numbers to add (2 ≤ minTerms ≤ maxTerms ≤ 9). */
  minTerms: number;
  maxTerms: number;
  /** Most lines a solution may have (the answer line included). */
  maxSteps: number;
}

export function checkTask(t: ArithmeticTask, where = 'rlvr.prm'): void {
  if (
    !Number.isInteger(t.minTerms) ||
    !Number.isInteger(t.maxTerms) ||
    t.minTerms < 2 ||
    t.maxTerms < t.minTerms ||
    t.maxTerms > 9
  )
    throw new RangeError(
      `${where}: need integers 2 ≤ minTerms ≤ maxTerms ≤ 9, got minTerms ${t.minTerms}, maxTerms ${t.maxTerms}`,
    );
  if (!Number.isInteger(t.maxSteps) || t.maxSteps < t.maxTerms)
    throw new RangeError(
      `${where}: maxSteps must be an integer ≥ maxTerms (${t.maxTerms}: the n − 1 additions and the answer line), got ${t.maxSteps}`,
    );
}

/** Numbers of one problem. */
export type Problem = Int32Array;

export function sampleProblem(t: ArithmeticTask, rng: Rng): Problem {
  const n = t.minTerms + rng.int(t.maxTerms - t.minTerms + 1);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = 10 + rng.int(90);
  return p;
}

/** Policy states: (additions remaining r ∈ [0, maxTerms − 1], carry of the next addition, line index t). */
export function nStates(t: ArithmeticTask): number {
  return t.maxTerms * 2 * t.maxSteps;
}

export function stateIndex(t: ArithmeticTask, remaining: number, carry: number, step: number): number {
  return (remaining * 2 + carry) * t.maxSteps + step;
}

/** Carry of adding b to v (units digits overflow). */
export function carryOf(v: number, b: number): number {
  return (v % 10) + (b % 10) >= 10 ? 1 : 0;
}

/** One sampled solution. Per line k: action, policy state, PRM label and PRM features. */
export interface Solution {
  problem: Problem;
  len: number;
  actions: Int32Array;
  states: Int32Array;
  /** 1 while the prefix through line k is correct (the answer line: the solution is correct). */
  prefixCorrect: Uint8Array;
  /** Line features the PRM reads (see `PRM_FEATURES`), len × PRM_DIM. */
  features: Float64Array;
  answered: boolean;
  correct: boolean;
  repeats: number;
  /** Lines with a detectable inconsistency (wrong units digit or wrong operand). */
  flagged: number;
}

export const PRM_FEATURES = [
  'bias',
  'calculation line',
  'repeat line',
  'answer line',
  'units digit checks',
  'operand checks',
  'carry',
  'earlier line flagged',
  'answer after all additions',
  'position t/T',
] as const;
export const PRM_DIM = PRM_FEATURES.length;
export const ORM_FEATURES = [
  'bias',
  'answered',
  'answer after all additions',
  'any line flagged',
  'repeats / T',
  'lines / T',
] as const;
export const ORM_DIM = ORM_FEATURES.length;

/**
 * Sample one solution of `problem` from a state-conditional policy (probs: nStates × N_ACTIONS rows).
 */
export function rollout(t: ArithmeticTask, problem: Problem, probs: ArrayLike<number>, rng: Rng): Solution {
  const n = problem.length;
  const L = t.maxSteps;
  const actions = new Int32Array(L);
  const states = new Int32Array(L);
  const prefixCorrect = new Uint8Array(L);
  const features = new Float64Array(L * PRM_DIM);
  let d = 0; // additions done
  let v = problem[0];
  let err = false;
  let flaggedBefore = 0;
  let repeats = 0;
  let len = 0;
  let answered = false;
  let correct = false;
  const w = new Float64Array(N_ACTIONS);
  for (let step = 0; step < L; step++) {
    const r = n - 1 - d;
    const next = r > 0 ? problem[d + 1] : 0;
    const carry = r > 0 ? carryOf(v, next) : 0;
    const s = stateIndex(t, r, carry, step);
    for (let a = 0; a < N_ACTIONS; a++) w[a] = probs[s * N_ACTIONS + a];
    const a = rng.categorical(w);
    actions[step] = a;
    states[step] = s;
    const f = step * PRM_DIM;
    features[f] = 1;
    features[f + 9] = step / L;
    features[f + 7] = flaggedBefore > 0 ? 1 : 0;
    len = step + 1;
    if (a === A_ANSWER) {
      answered = true;
      correct = !err && r === 0;
      features[f + 3] = 1;
      features[f + 4] = 1; // the answer restates the last total
      features[f + 5] = r === 0 ? 1 : 0;
      features[f + 8] = r === 0 ? 1 : 0;
      prefixCorrect[step] = correct ? 1 : 0;
      break;
    }
    if (a === A_REPEAT) {
      repeats++;
      features[f + 2] = 1;
      features[f + 4] = 1;
      features[f + 5] = 1;
      prefixCorrect[step] = err ? 0 : 1;
      continue;
    }
    // A calculation line.
    features[f + 1] = 1;
    let unitsOk = 1;
    let operandOk = 1;
    let operand: number;
    if (r === 0) {
      // All numbers are added: any calculation adds an extra term.
      operand = problem[rng.int(n)];
      operandOk = 0;
    } else if (a === A_WRONG) {
      let j = 1 + rng.int(n - 2);
      if (j >= d + 1) j++;
      operand = problem[j];
      operandOk = 0;
    } else operand = next;
    features[f + 6] = carryOf(v, operand);
    let nv = v + operand;
    if (a === A_SLIP) {
      if (rng.uniform() < 0.5) {
        nv += (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.int(4)); // units digit wrong
        unitsOk = 0;
      } else nv += rng.uniform() < 0.5 && nv >= 20 ? -10 : 10; // tens digit wrong: invisible to a units check
    }
    if (r === 0 || a !== A_ADD) err = true;
    if (r > 0) d++;
    v = nv;
    features[f + 4] = unitsOk;
    features[f + 5] = operandOk;
    if (!unitsOk || !operandOk) flaggedBefore++;
    prefixCorrect[step] = err ? 0 : 1;
  }
  return { problem, len, actions, states, prefixCorrect, features, answered, correct, repeats, flagged: flaggedBefore };
}

/** ORM features of a whole solution. */
export function ormFeatures(
  t: ArithmeticTask,
  s: Solution,
  out: Float64Array = new Float64Array(ORM_DIM),
  offset = 0,
): Float64Array {
  const last = (s.len - 1) * PRM_DIM;
  out[offset] = 1;
  out[offset + 1] = s.answered ? 1 : 0;
  out[offset + 2] = s.answered ? s.features[last + 8] : 0;
  out[offset + 3] = s.flagged > 0 ? 1 : 0;
  out[offset + 4] = s.repeats / t.maxSteps;
  out[offset + 5] = s.len / t.maxSteps;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Logistic regression (the learned reward models)

export interface LogisticFit {
  weights: Float64Array;
  /** Newton iterations run. */
  iterations: number;
  /** Mean log-loss on the training data at the end (without the L2 term). */
  logLoss: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solve A x = b for a symmetric positive definite A (d × d, row-major; Cholesky). A is overwritten. */
function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j];
    for (let k = 0; k < j; k++) s -= A[j * d + k] * A[j * d + k];
    if (!(s > 0)) throw new RangeError('rlvr.prm.fitLogistic: the Hessian is not positive definite; use l2 > 0');
    const l = Math.sqrt(s);
    A[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let u = A[i * d + j];
      for (let k = 0; k < j; k++) u -= A[i * d + k] * A[j * d + k];
      A[i * d + j] = u / l;
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * d + k] * y[k];
    y[i] = s / A[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= A[k * d + i] * x[k];
    x[i] = s / A[i * d + i];
  }
  return x;
}

/**
 * L2-regularised logistic regression by Newton's method: minimises
 * (1/n) Σ_i [−y_i log σ(w·x_i) − (1 − y_i) log(1 − σ(w·x_i))] + (l2/2)‖w‖².
 * X is n × d row-major; y holds 0/1 labels.
 */
export function fitLogistic(
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  opts: { l2?: number; maxIter?: number; tol?: number } = {},
): LogisticFit {
  const where = 'rlvr.prm.fitLogistic';
  if (!Number.isInteger(d) || d < 1)
    throw new RangeError(`${where}: d (features per row) must be a positive integer, got ${d}`);
  const n = y.length;
  if (n < 1) throw new RangeError(`${where}: no training rows`);
  if (X.length !== n * d)
    throw new RangeError(`${where}: X has ${X.length} entries but ${n} labels × ${d} features need ${n * d}`);
  for (let i = 0; i < n; i++)
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${where}: label y[${i}] = ${y[i]} is not 0 or 1`);
  const l2 = opts.l2 ?? 1e-3;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`${where}: l2 must be a finite number ≥ 0, got ${l2}`);
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-10;
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  const H = new Float64Array(d * d);
  let it = 0;
  for (; it < maxIter; it++) {
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * X[i * d + j];
      const p = sigmoid(z);
      const e = p - y[i];
      const h = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < d; j++) {
        const xj = X[i * d + j];
        if (xj === 0) continue;
        g[j] += e * xj;
        for (let k = 0; k <= j; k++) H[j * d + k] += h * xj * X[i * d + k];
      }
    }
    for (let j = 0; j < d; j++) {
      g[j] = g[j] / n + l2 * w[j];
      for (let k = 0; k <= j; k++) {
        H[j * d + k] = H[j * d + k] / n + (j === k ? l2 + 1e-12 : 0);
        H[k * d + j] = H[j * d + k];
      }
    }
    const step = solveSpd(H, g, d);
    let m = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      m = Math.max(m, Math.abs(step[j]));
    }
    if (m < tol) {
      it++;
      break;
    }
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += w[j] * X[i * d + j];
    // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, computed stably
    const s = y[i] === 1 ? -z : z;
    loss += s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
  }
  return { weights: w, iterations: it, logLoss: loss / n };
}

/** σ(w·x) of row `row` of X (d features). */
export function logisticScore(w: ArrayLike<number>, X: ArrayLike<number>, row = 0): number {
  const d = w.length;
  let z = 0;
  for (let j = 0; j < d; j++) z += w[j] * X[row * d + j];
  return sigmoid(z);
}

/** PRM scores r_φ(q, p^(k)) of every line of a solution. */
export function prmScores(
  w: ArrayLike<number>,
  s: Solution,
  out: Float64Array = new Float64Array(s.len),
): Float64Array {
  for (let k = 0; k < s.len; k++) out[k] = logisticScore(w, s.features, k);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reward refinements (paper §4)

export type RewardKind = 'success' | 'prm' | 'orm' | 'clip' | 'delta' | 'clip-delta';
export const REWARD_KINDS: readonly RewardKind[] = ['success', 'prm', 'orm', 'clip', 'delta', 'clip-delta'];

/** Clip mechanism: c_k = min(score_k − η, 0). */
export function clipRewards(
  scores: ArrayLike<number>,
  eta: number,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  if (!Number.isFinite(eta)) throw new RangeError(`rlvr.prm.clipRewards: the threshold η must be finite, got ${eta}`);
  for (let k = 0; k < scores.length; k++) out[k] = Math.min(scores[k] - eta, 0);
  return out;
}

/** Delta mechanism: d_k = score_k − score_{k+1} for k < K, d_K = score_K. Σ_k d_k = score_1. */
export function deltaRewards(
  scores: ArrayLike<number>,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  const K = scores.length;
  for (let k = 0; k < K; k++) out[k] = k + 1 < K ? scores[k] - scores[k + 1] : scores[k];
  return out;
}

export interface RewardSpec {
  kind: RewardKind;
  /** Weight α of the learned reward (the success reward is 1). */
  alpha: number;
  /** Clip threshold η (clip, clip-delta). */
  eta: number;
}

export function checkRewardSpec(r: RewardSpec, where = 'rlvr.prm.stepRewards'): void {
  if (!REWARD_KINDS.includes(r.kind))
    throw new RangeError(`${where}: reward kind must be one of ${REWARD_KINDS.join(', ')}, got ${String(r.kind)}`);
  if (!(r.alpha >= 0) || !Number.isFinite(r.alpha))
    throw new RangeError(`${where}: α (learned-reward weight) must be a finite number ≥ 0, got ${r.alpha}`);
  if ((r.kind === 'clip' || r.kind === 'clip-delta') && !Number.isFinite(r.eta))
    throw new RangeError(`${where}: ${r.kind} needs a finite clip threshold η, got ${r.eta}`);
}

/**
 * Per-line training rewards of one solution (length K = scores.length) for a reward kind: the learned
 * part (weighted by α) plus the success reward (1 or 0) on the last line.
 */
export function stepRewards(
  spec: RewardSpec,
  scores: ArrayLike<number>,
  success: number,
  orm: number,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  const K = scores.length;
  if (K < 1) throw new RangeError('rlvr.prm.stepRewards: a solution has at least one line');
  checkRewardSpec(spec);
  const a = spec.alpha;
  out.fill(0, 0, K);
  switch (spec.kind) {
    case 'success':
      break;
    case 'prm':
      for (let k = 0; k < K; k++) out[k] = a * scores[k];
      break;
    case 'orm':
      out[K - 1] = a * orm;
      break;
    case 'clip':
      clipRewards(scores, spec.eta, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    case 'delta':
      deltaRewards(scores, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    case 'clip-delta': {
      const c = clipRewards(scores, spec.eta);
      deltaRewards(c, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    }
  }
  out[K - 1] += success;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Policies over (state, step action)

/** Softmax of each state's logits (nS × N_ACTIONS). */
export function policyProbs(
  logits: ArrayLike<number>,
  out: Float64Array = new Float64Array(logits.length),
): Float64Array {
  const nS = logits.length / N_ACTIONS;
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < N_ACTIONS; a++) m = Math.max(m, logits[s * N_ACTIONS + a]);
    let z = 0;
    for (let a = 0; a < N_ACTIONS; a++) z += out[s * N_ACTIONS + a] = Math.exp(logits[s * N_ACTIONS + a] - m);
    for (let a = 0; a < N_ACTIONS; a++) out[s * N_ACTIONS + a] /= z;
  }
  return out;
}

/** Mistake propensities of the reference policy (the "pretrained model" that writes the SFT / reward-model data). */
export interface ReferencePolicy {
  /** P(slip) on an addition without / with a carry. */
  slip: [number, number];
  /** P(repeat the current line) while additions remain, and once all are done. */
  repeat: [number, number];
  /** P(wrong operand) while additions remain. */
  wrongOperand: number;
  /** P(answer early) while additions remain. */
  earlyAnswer: number;
  /** P(an extra calculation line) once all additions are done (split over add / slip / wrong operand). */
  extraLine: number;
}

export function referenceProbs(t: ArithmeticTask, ref: ReferencePolicy): Float64Array {
  const where = 'rlvr.prm.referenceProbs';
  checkTask(t, where);
  const ps = [ref.slip[0], ref.slip[1], ref.repeat[0], ref.repeat[1], ref.wrongOperand, ref.earlyAnswer, ref.extraLine];
  if (ps.some((p) => !(p >= 0 && p <= 1)))
    throw new RangeError(`${where}: every probability must be in [0, 1], got ${JSON.stringify(ref)}`);
  if (ref.slip[1] + ref.repeat[0] + ref.wrongOperand + ref.earlyAnswer >= 1)
    throw new RangeError(
      `${where}: slip + repeat + wrongOperand + earlyAnswer must leave mass for the correct step (< 1)`,
    );
  if (ref.repeat[1] + ref.extraLine >= 1)
    throw new RangeError(`${where}: repeat + extraLine after the last addition must leave mass for answering (< 1)`);
  const nS = nStates(t);
  const P = new Float64Array(nS * N_ACTIONS);
  for (let r = 0; r < t.maxTerms; r++)
    for (let c = 0; c < 2; c++)
      for (let step = 0; step < t.maxSteps; step++) {
        const o = stateIndex(t, r, c, step) * N_ACTIONS;
        if (r > 0) {
          P[o + A_SLIP] = ref.slip[c];
          P[o + A_REPEAT] = ref.repeat[0];
          P[o + A_WRONG] = ref.wrongOperand;
          P[o + A_ANSWER] = ref.earlyAnswer;
          P[o + A_ADD] = 1 - ref.slip[c] - ref.repeat[0] - ref.wrongOperand - ref.earlyAnswer;
        } else {
          P[o + A_REPEAT] = ref.repeat[1];
          P[o + A_ADD] = P[o + A_SLIP] = P[o + A_WRONG] = ref.extraLine / 3;
          P[o + A_ANSWER] = 1 - ref.repeat[1] - ref.extraLine;
        }
      }
  return P;
}

/**
 * Supervised warm start: the tabular policy's maximum-likelihood fit to demonstrations with an add-`prior`
 * (Dirichlet) smoothing per state; states never visited stay uniform.
 */
export function sftLogits(t: ArithmeticTask, demos: readonly Solution[], prior = 1): Float64Array {
  if (!(prior > 0)) throw new RangeError(`rlvr.prm.sftLogits: prior pseudo-count must be > 0, got ${prior}`);
  const nS = nStates(t);
  const counts = new Float64Array(nS * N_ACTIONS).fill(prior);
  for (const s of demos) for (let k = 0; k < s.len; k++) counts[s.states[k] * N_ACTIONS + s.actions[k]] += 1;
  const z = new Float64Array(nS * N_ACTIONS);
  for (let i = 0; i < z.length; i++) z[i] = Math.log(counts[i]);
  return z;
}

/**
 * Exact probability that the policy solves `problem`: a forward pass over (additions done, line) along
 * error-free prefixes (the only ones that can end correct; their running totals, hence carries, are known).
 */
export function exactAccuracy(t: ArithmeticTask, problem: Problem, probs: ArrayLike<number>): number {
  const n = problem.length;
  const carry = new Int32Array(n);
  let v = problem[0];
  for (let d = 0; d < n - 1; d++) {
    carry[d] = carryOf(v, problem[d + 1]);
    v += problem[d + 1];
  }
  let mass = new Float64Array(n);
  let next = new Float64Array(n);
  mass[0] = 1;
  let acc = 0;
  for (let step = 0; step < t.maxSteps; step++) {
    next.fill(0);
    for (let d = 0; d < n; d++) {
      const m = mass[d];
      if (m === 0) continue;
      const r = n - 1 - d;
      const o = stateIndex(t, r, r > 0 ? carry[d] : 0, step) * N_ACTIONS;
      next[d] += m * probs[o + A_REPEAT];
      if (r > 0) next[d + 1] += m * probs[o + A_ADD];
      else acc += m * probs[o + A_ANSWER];
    }
    [mass, next] = [next, mass];
  }
  return acc;
}
