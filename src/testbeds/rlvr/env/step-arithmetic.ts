/**
 * The step-level arithmetic task of the process-reward miniature (after Gao et al. 2024, "On Designing
 * Effective RL Reward at Training Time for LLM Reasoning").
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
 * The policy is tabular over states (additions remaining, carry of the next addition, line index), one
 * softmax over the five actions per state; a reference policy with set mistake propensities writes the
 * demonstrations and the reward models' data. Each line carries the features the PRM reads
 * (`PRM_FEATURES`); the reward models and the reward refinements are methods/process-rewards.ts.
 */
import type { Rng } from '../../../core/rng';

/** The five step actions (the line a step writes), in action-index order. */
export const STEP_ACTION_NAMES = ['add', 'slip', 'repeat', 'wrong-operand', 'answer'] as const;
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
      `${where}: maxSteps must be an integer ≥ maxTerms (${t.maxTerms}: the n − 1 additions and the answer line), ` +
        `got ${t.maxSteps}`,
    );
}

/** Numbers of one problem. */
export type StepProblem = Int32Array;

export function sampleProblem(t: ArithmeticTask, rng: Rng): StepProblem {
  const n = t.minTerms + rng.int(t.maxTerms - t.minTerms + 1);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = 10 + rng.int(90);
  return p;
}

/** Policy states: (additions remaining r ∈ [0, maxTerms − 1], carry of the next addition, line index t). */
export function nStates(t: ArithmeticTask): number {
  return t.maxTerms * 2 * t.maxSteps;
}

/** Index of the policy state (additions remaining, carry, line index) (the logits are index·N_ACTIONS + a). */
export function stepStateIndex(t: ArithmeticTask, remaining: number, carry: number, step: number): number {
  return (remaining * 2 + carry) * t.maxSteps + step;
}

/** Carry of adding b to v (units digits overflow). */
export function carryOf(v: number, b: number): number {
  return (v % 10) + (b % 10) >= 10 ? 1 : 0;
}

/** One sampled solution. Per line k: action, policy state, PRM label and PRM features. */
export interface Solution {
  problem: StepProblem;
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
export function rollout(t: ArithmeticTask, problem: StepProblem, probs: ArrayLike<number>, rng: Rng): Solution {
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
    const s = stepStateIndex(t, r, carry, step);
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
// Policies over (state, step action): softmax rows of N_ACTIONS logits (policies/tabular-softmax.ts
// `softmaxPerRow`).

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
        const o = stepStateIndex(t, r, c, step) * N_ACTIONS;
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
export function exactAccuracy(t: ArithmeticTask, problem: StepProblem, probs: ArrayLike<number>): number {
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
      const o = stepStateIndex(t, r, r > 0 ? carry[d] : 0, step) * N_ACTIONS;
      next[d] += m * probs[o + A_REPEAT];
      if (r > 0) next[d + 1] += m * probs[o + A_ADD];
      else acc += m * probs[o + A_ANSWER];
    }
    [mass, next] = [next, mass];
  }
  return acc;
}
