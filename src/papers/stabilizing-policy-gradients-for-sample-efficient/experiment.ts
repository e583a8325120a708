/**
 * "Stabilizing Policy Gradients for Sample-Efficient Reinforcement Learning in LLM Reasoning" (Melo, Abate & Gal 2025,
 * CAPO) on the reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on
 * scratchpad addition with fresh training-split problems in two update regimes, at an EQUAL GENERATION BUDGET (every
 * method samples `rollouts` steps × B prompts × G answers from its current policy):
 *   GRPO-C  the conservative regime: one Adam step per rollout step at learning rate `lr`;
 *   GRPO-A  the aggressive regime: learning rate `lr`·`aggressiveLrMult` and `aggressiveEpochs` Adam steps (passes)
 *           over each rollout step's batch (batch reuse, PPO ratio clip 0.2 active after the first pass);
 *   CAPO-A  the aggressive regime with CAPO's token mask (curvature.ts): before each pass, the last-layer curvature
 *           model predicts every token's objective shift and KL under the step, and the tokens beyond the thresholds
 *           are masked out of the GRPO loss (per-sequence mean over the kept tokens, as the official code).
 * All share GRPO's recipe (std-normalised group advantage, PPO clip 0.2, per-sequence token mean, no KL, as the
 * official CAPO recipe: beta 0) and Adam with global-norm clip 1. CAPO with infinite thresholds is GRPO-A bit for bit
 * (tested). All methods of a seed start from the same base model and the same problem stream and are evaluated on the
 * same held-out problems with the same sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Rng } from '../../core/rng';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy, type AnyTransformerLm } from '../../nn/thread-engine';
import { ADDITION_BASE, reasoningBase, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { tokenWeights } from '../../testbeds/reasoning/trainer/aggregation';
import { isClipped } from '../../testbeds/reasoning/trainer/clipping';
import {
  completionBudget,
  evaluateCounts,
  passAtKFromCounts,
  sampleRollouts,
} from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate, recipeAdvantages, type Rollouts } from '../../testbeds/reasoning/trainer/update';
import { clippedSurrogateGrad } from '../../testbeds/rlvr/methods/ppo-clip';
import { checkThresholds, keepToken, ShadowAdam, tokenCurvature, type CapoThresholds } from './curvature';

/** GRPO as the official CAPO recipe runs it: no KL (beta 0). */
export const GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/** One compared method: its regime and whether CAPO masks its tokens. */
export interface MethodSpec {
  regime: 'conservative' | 'aggressive';
  capo: boolean;
}

export const METHODS: Record<string, MethodSpec> = {
  'GRPO-C': { regime: 'conservative', capo: false },
  'GRPO-A': { regime: 'aggressive', capo: false },
  'CAPO-A': { regime: 'aggressive', capo: true },
  'CAPO-C': { regime: 'conservative', capo: true },
};
export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  base: ReasoningBaseSpec;
  methods: string[];
  /** Training level; the held-out problems are at this level too. */
  level: number;
  /** Rollout steps per method (each: B fresh prompts × G answers; the generation budget). */
  rollouts: number;
  batchPrompts: number;
  groupSize: number;
  /** Conservative Adam learning rate. */
  lr: number;
  /** The aggressive regime: learning rate × this, and this many passes over each batch. */
  aggressiveLrMult: number;
  aggressiveEpochs: number;
  /** CAPO's thresholds τ_F (predicted KL) and τ_H (predicted objective shift, symmetric). */
  tauKl: number;
  tauObj: number;
  /** Held-out curve: every `curveEvery` rollout steps (and before training), `curveProblems` × `curveSamples`. */
  curveEvery: number;
  curveProblems: number;
  curveSamples: number;
  /** Final held-out evaluation: distinct problems × samples. */
  evalProblems: number;
  evalSamples: number;
  /** Held-out pass@1 that counts as reached (samples-to-target); ≤ 0 marks it unset. */
  target: number;
  /** A run has collapsed when its final held-out pass@1 is below this fraction of the base model's. */
  collapseFraction: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: ['GRPO-C', 'GRPO-A', 'CAPO-A'],
  level: 2,
  rollouts: 40,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  aggressiveLrMult: 4,
  aggressiveEpochs: 4,
  tauKl: 1e-4,
  tauObj: 0.01,
  curveEvery: 5,
  curveProblems: 64,
  curveSamples: 4,
  evalProblems: 128,
  evalSamples: 8,
  target: 0.912,
  collapseFraction: 0.5,
};

export const levelTag = (level: number): string => `L${level}`;

/** What one CAPO update did. */
export interface CapoStats {
  /** Completion tokens seen over all passes; those masked by either bound, by the KL bound, by the objective bound. */
  tokens: number;
  masked: number;
  maskedKl: number;
  maskedObj: number;
  /** Masked tokens of responses with a negative / positive advantage. */
  maskedNeg: number;
  maskedPos: number;
  /** Sums of π(a) of the masked tokens and of the kept tokens with a non-zero advantage, and that count. */
  maskedPi: number;
  keptPi: number;
  keptSignal: number;
  /** Mean predicted KL M_KL and mean |M_obj| over the tokens of the first pass. */
  meanKl: number;
  meanAbsObj: number;
  gradNorm: number;
}

/**
 * What CAPO reads from one forward pass over the rollouts: the log-probabilities, and for each scored token (row i,
 * step k; j = i·L + k) the final hidden state (the output head's input), its logits row (j·V) and their
 * log-sum-exp. The kit's wasm model keeps them in its forward record; on a tfjs engine the hidden states come from
 * `hidden(f)` and the logits are the head's product on the host (the head is untied and has no bias), in float64.
 */
function capoForward(model: AnyTransformerLm, r: Rollouts, N: number) {
  const L = r.L,
    P = r.P,
    T = P + L,
    S = T - 1;
  const { vocab: V, dModel: d } = model.config;
  if (model instanceof TransformerLm) {
    const f = model.forward(r.seq, N, T, P - 1);
    const hf = f.hf.f;
    return {
      logp: f.logp,
      lg: f.logits.f as ArrayLike<number>,
      lse: f.lse as ArrayLike<number>,
      h: (i: number, k: number) => hf.subarray((i * S + P - 1 + k) * d, (i * S + P + k) * d),
      backward: (w: Float32Array) => model.backward(f, w),
    };
  }
  const f = model.forward(r.seq, N, T, P - 1);
  const hid = model.hidden(f);
  const Wh = model.layout.Wh,
    W = model.params.f;
  const rowsN = N * L;
  const lg = new Float64Array(rowsN * V),
    lse = new Float64Array(rowsN);
  for (let j = 0; j < rowsN; j++) {
    let m = -Infinity;
    for (let x = 0; x < V; x++) {
      let z = 0;
      for (let q = 0; q < d; q++) z += hid[j * d + q] * W[Wh + q * V + x];
      lg[j * V + x] = z;
      m = Math.max(m, z);
    }
    let e = 0;
    for (let x = 0; x < V; x++) e += Math.exp(lg[j * V + x] - m);
    lse[j] = m + Math.log(e);
  }
  return {
    logp: f.logp,
    lg: lg as ArrayLike<number>,
    lse: lse as ArrayLike<number>,
    h: (i: number, k: number) => hid.subarray((i * L + k) * d, (i * L + k + 1) * d),
    backward: (w: Float32Array) => model.backward(f, w),
  };
}

/**
 * One CAPO update of `model` (driven by `policy`, whose Adam takes the steps) on batch `r` with `recipe` (its
 * advantage, clip, aggregation and `epochs` passes; no KL, entropy, token control or objective slot), step size `lr`
 * for the curvature model, thresholds `th`, and the curvature model's shadow Adam state of the output head `state`.
 * Per pass: forward, curvature model per completion token, mask, GRPO surrogate gradient over the kept tokens
 * (aggregation weights over each response's kept tokens), backward, Adam step, shadow-moment update with the kept
 * tokens' mean gradient.
 */
export function capoUpdate(
  model: AnyTransformerLm,
  policy: RlPolicy,
  state: ShadowAdam,
  recipe: Recipe,
  r: Rollouts,
  lr: number,
  th: CapoThresholds,
): CapoStats {
  checkThresholds(th);
  if (
    recipe.kl.kind !== 'none' ||
    recipe.entropyBonus ||
    recipe.tokenControl ||
    recipe.objective ||
    recipe.offPolicyTerms
  )
    throw new Error(
      `capo.capoUpdate: the ${recipe.name} recipe has parts this update does not apply (KL, entropy, token control, ` +
        'objective or off-policy terms); use GRPO without KL',
    );
  if ((recipe.importance ?? 'token') !== 'token')
    throw new Error(`capo.capoUpdate: only the per-token importance ratio is supported, got ${recipe.importance}`);
  const { vocab: V, dModel: d } = model.config;
  if (state.d !== d || state.V !== V)
    throw new RangeError(`capo.capoUpdate: the shadow state is ${state.d}×${state.V}, the head ${d}×${V}`);
  const N = r.B * r.G,
    L = r.L,
    P = r.P,
    T = P + L,
    S = T - 1;
  const { adv, keep } = recipeAdvantages(recipe, r, null);
  const useRatio = recipe.epochs > 1 || r.offPolicy === true;
  const mask = new Uint8Array(N * L);
  const w = new Float32Array(N * L);
  const pi = new Float64Array(V),
    u = new Float64Array(V),
    G = new Float64Array(d * V);
  const st: CapoStats = {
    tokens: 0,
    masked: 0,
    maskedKl: 0,
    maskedObj: 0,
    maskedNeg: 0,
    maskedPos: 0,
    maskedPi: 0,
    keptPi: 0,
    keptSignal: 0,
    meanKl: 0,
    meanAbsObj: 0,
    gradNorm: NaN,
  };
  let firstTokens = 0;
  for (let pass = 0; pass < recipe.epochs; pass++) {
    const f = capoForward(model, r, N);
    const lg = f.lg;
    mask.fill(0);
    G.fill(0);
    let kept = 0;
    for (let i = 0; i < N; i++) {
      if (!keep[i]) continue;
      const A = adv[i];
      for (let k = 0; k < r.lengths[i]; k++) {
        const j = i * L + k;
        const row = j * V,
          z = f.lse[j];
        for (let x = 0; x < V; x++) pi[x] = Math.exp(lg[row + x] - z);
        const a = r.seq[i * T + P + k];
        const h = f.h(i, k);
        const c = tokenCurvature(h, pi, a, A, lr, state, u);
        st.tokens++;
        if (pass === 0) {
          st.meanKl += c.klShift;
          st.meanAbsObj += Math.abs(c.objShift);
          firstTokens++;
        }
        if (keepToken(c, th)) {
          mask[j] = 1;
          kept++;
          if (A !== 0) {
            st.keptPi += pi[a];
            st.keptSignal++;
          }
          if (A !== 0)
            for (let q = 0; q < d; q++) {
              const hq = A * h[q],
                o = q * V;
              for (let x = 0; x < V; x++) G[o + x] += hq * ((x === a ? 1 : 0) - pi[x]);
            }
        } else {
          st.masked++;
          st.maskedPi += pi[a];
          if (A < 0) st.maskedNeg++;
          if (A > 0) st.maskedPos++;
          if (!(c.klShift < th.tauKl)) st.maskedKl++;
          if (!(c.objShift < th.tauObj && c.objShift > -th.tauObj)) st.maskedObj++;
        }
      }
    }
    // Aggregation over each response's kept tokens (sequence-mean: 1/(N·z_i), the code's per-sentence mean).
    const rows: number[] = [];
    for (let i = 0; i < N; i++) if (keep[i]) rows.push(i);
    const zs = rows.map((i) => {
      let zi = 0;
      for (let k = 0; k < r.lengths[i]; k++) zi += mask[i * L + k];
      return Math.max(1, zi);
    });
    const wts = tokenWeights(recipe.aggregation, zs, L);
    w.fill(0);
    rows.forEach((i, q) => {
      const A = adv[i];
      let kk = 0;
      for (let k = 0; k < r.lengths[i]; k++) {
        const j = i * L + k;
        if (!mask[j]) continue;
        const ratio = useRatio ? Math.exp(f.logp[j] - r.oldLogp[j]) : 1;
        const cut = useRatio && isClipped(recipe.clipping, A, ratio);
        w[j] = clippedSurrogateGrad(wts[q][kk++], A, ratio, cut, ratio, 1);
      }
    });
    f.backward(w);
    st.gradNorm = policy.step();
    if (kept > 0) {
      for (let x = 0; x < G.length; x++) G[x] /= kept;
      state.update(G);
    } else state.t++;
  }
  st.meanKl /= Math.max(1, firstTokens);
  st.meanAbsObj /= Math.max(1, firstTokens);
  return st;
}

/** Per rollout step (and the held-out curve). */
export interface RegimeCurves {
  reward: number[];
  /** CAPO: fraction of the step's tokens (all passes) masked; NaN otherwise. */
  masked: number[];
  /** CAPO: mean predicted KL and |objective shift| per token on the step's first pass; NaN otherwise. */
  predKl: number[];
  predObj: number[];
  gradNorm: number[];
  /** Held-out pass@1 before training and every `curveEvery` steps, and the samples drawn by then. */
  curve: number[];
  curveSamples: number[];
  tokens: number;
  masked_: number;
  maskedKl: number;
  maskedObj: number;
  maskedNeg: number;
  maskedPos: number;
  maskedPi: number;
  keptPi: number;
  keptSignal: number;
}

/** The learning rate and recipe of a method. */
export function regimeOf(spec: MethodSpec, c: Config): { lr: number; recipe: Recipe } {
  const aggressive = spec.regime === 'aggressive';
  return {
    lr: aggressive ? c.lr * c.aggressiveLrMult : c.lr,
    recipe: { ...GRPO, epochs: aggressive ? c.aggressiveEpochs : 1 },
  };
}

/** Trains a fresh copy `model` by method `spec` on the budget; `curveAt(t)` evaluates the held-out curve. */
export function trainRegime(
  model: AnyTransformerLm,
  task: Task,
  spec: MethodSpec,
  c: Config,
  rng: Rng,
  curveAt: (policy: RlPolicy, t: number) => number,
): RegimeCurves {
  const { lr, recipe } = regimeOf(spec, c);
  const policy = new LmPolicy(model, { lr, maxGradNorm: 1 });
  const state = new ShadowAdam(model.config.dModel, model.config.vocab);
  const th: CapoThresholds = { tauKl: c.tauKl, tauObj: c.tauObj };
  const stream = new ProblemStream(task, 0, 'train');
  (stream as { rng: Rng }).rng = rng.split('problems');
  const L = completionBudget(task, c.level);
  const cv: RegimeCurves = {
    reward: [],
    masked: [],
    predKl: [],
    predObj: [],
    gradNorm: [],
    curve: [curveAt(policy, 0)],
    curveSamples: [0],
    tokens: 0,
    masked_: 0,
    maskedKl: 0,
    maskedObj: 0,
    maskedNeg: 0,
    maskedPos: 0,
    maskedPi: 0,
    keptPi: 0,
    keptSignal: 0,
  };
  for (let t = 1; t <= c.rollouts; t++) {
    const draw = sampleRollouts(
      policy,
      task,
      stream.batch(c.level, c.batchPrompts),
      c.groupSize,
      L,
      rng.split(`s${t}`),
    );
    cv.reward.push(draw.rewards.reduce((a, b) => a + b, 0) / draw.rewards.length);
    if (spec.capo) {
      const s = capoUpdate(model, policy, state, recipe, draw, lr, th);
      cv.masked.push(s.masked / Math.max(1, s.tokens));
      cv.predKl.push(s.meanKl);
      cv.predObj.push(s.meanAbsObj);
      cv.gradNorm.push(s.gradNorm);
      cv.tokens += s.tokens;
      cv.masked_ += s.masked;
      cv.maskedKl += s.maskedKl;
      cv.maskedObj += s.maskedObj;
      cv.maskedNeg += s.maskedNeg;
      cv.maskedPos += s.maskedPos;
      cv.maskedPi += s.maskedPi;
      cv.keptPi += s.keptPi;
      cv.keptSignal += s.keptSignal;
    } else {
      const s = policyUpdate(policy, recipe, draw, null);
      cv.masked.push(NaN);
      cv.predKl.push(NaN);
      cv.predObj.push(NaN);
      cv.gradNorm.push(s.gradNorm);
    }
    if (t % c.curveEvery === 0 || t === c.rollouts) {
      cv.curve.push(curveAt(policy, t));
      cv.curveSamples.push(t * c.batchPrompts * c.groupSize);
    }
  }
  return cv;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Samples drawn when the held-out curve first reaches `target` (the first curve point ≥ target after the start);
 * when it never does, the budget plus one curve interval (a censored value, with `reached` 0).
 */
export function samplesToTarget(
  curve: readonly number[],
  samples: readonly number[],
  target: number,
  censorAt: number,
): { samples: number; reached: number } {
  for (let q = 1; q < curve.length; q++) if (curve[q] >= target) return { samples: samples[q], reached: 1 };
  return { samples: censorAt, reached: 0 };
}

/**
 * One seed. Per method m: `m/L<l>:pass@1` (final held-out, `evalSamples` each), `m/curveMax`, `m/samplesToTarget`
 * and `m/reached` (when `target` > 0), `m/collapsed` (final pass@1 below `collapseFraction` × base), `m/meanReward`,
 * `m/lateReward` (last quarter); CAPO: `m/maskedFrac`, `m/maskedKlFrac`, `m/maskedObjFrac`, `m/maskedMax` (largest
 * per-step fraction), `m/maskedNegShare`, `m/maskedPosShare`, `m/maskedPi`, `m/keptSignalPi`. Series: reward, masked,
 * predKl, predObj, gradNorm, curve, curveSamples.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const name of c.methods)
    if (!METHODS[name])
      throw new RangeError(`capo experiment: unknown method "${name}"; known: ${METHOD_NAMES.join(', ')}`);
  if (!(Number.isInteger(c.rollouts) && c.rollouts >= 1))
    throw new RangeError(`capo experiment: rollouts must be a positive integer, got ${c.rollouts}`);
  if (!(Number.isInteger(c.curveEvery) && c.curveEvery >= 1))
    throw new RangeError(`capo experiment: curveEvery must be a positive integer, got ${c.curveEvery}`);
  if (!(Number.isInteger(c.aggressiveEpochs) && c.aggressiveEpochs >= 1 && c.aggressiveLrMult > 0))
    throw new RangeError('capo experiment: aggressiveEpochs must be a positive integer and aggressiveLrMult > 0');
  checkThresholds({ tauKl: c.tauKl, tauObj: c.tauObj });
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('capo');
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const curveSet: Problem[] = heldout.slice(0, Math.min(c.curveProblems, heldout.length));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('stabilizing-policy-gradients-for-sample-efficient', base, new Rng(0));
  const pass1 = (policy: RlPolicy, problems: readonly Problem[], n: number, rng: Rng) =>
    passAtKFromCounts(evaluateCounts(policy, task, problems, n, rng), n, 1);
  // The same evaluation streams for every method (common random numbers across the paired comparison).
  const finalEval = (policy: RlPolicy) => pass1(policy, heldout, c.evalSamples, root.split('eval'));
  const curveAt = (policy: RlPolicy, t: number) => pass1(policy, curveSet, c.curveSamples, root.split(`curve${t}`));
  const basePass = finalEval(new LmPolicy(copy(), { lr: 1 }));
  metrics[metricKey('base', `${tag}:pass@1`)] = basePass;
  const late = Math.floor((3 * c.rollouts) / 4);
  const censor = (c.rollouts + c.curveEvery) * c.batchPrompts * c.groupSize;
  for (const name of c.methods) {
    const spec = METHODS[name];
    const model = copy();
    const t0 = Date.now();
    const cv = trainRegime(model, task, spec, c, root.split('train'), curveAt);
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    for (const k of ['reward', 'masked', 'predKl', 'predObj', 'gradNorm', 'curve', 'curveSamples'] as const)
      series[key(k)] = cv[k];
    const fin = finalEval(new LmPolicy(model, { lr: 1 }));
    metrics[key(`${tag}:pass@1`)] = fin;
    metrics[key('curveMax')] = Math.max(...cv.curve);
    metrics[key('collapsed')] = fin < c.collapseFraction * basePass ? 1 : 0;
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    if (c.target > 0) {
      const s = samplesToTarget(cv.curve, cv.curveSamples, c.target, censor);
      metrics[key('samplesToTarget')] = s.samples;
      metrics[key('reached')] = s.reached;
    }
    if (spec.capo) {
      metrics[key('maskedFrac')] = cv.masked_ / Math.max(1, cv.tokens);
      metrics[key('maskedKlFrac')] = cv.maskedKl / Math.max(1, cv.tokens);
      metrics[key('maskedObjFrac')] = cv.maskedObj / Math.max(1, cv.tokens);
      metrics[key('maskedMax')] = Math.max(...cv.masked);
      // Which tokens the mask takes: their share from negative / positive-advantage answers, their mean π(a), and
      // the mean π(a) of the kept tokens that carry a gradient (A ≠ 0).
      metrics[key('maskedNegShare')] = cv.maskedNeg / Math.max(1, cv.masked_);
      metrics[key('maskedPosShare')] = cv.maskedPos / Math.max(1, cv.masked_);
      metrics[key('maskedPi')] = cv.masked_ ? cv.maskedPi / cv.masked_ : NaN;
      metrics[key('keptSignalPi')] = cv.keptSignal ? cv.keptPi / cv.keptSignal : NaN;
    }
  }
  return { metrics, series, timings };
}
