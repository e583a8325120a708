/**
 * Off-policy group-relative policy gradients on the GRU base model (src/nn): the sequence-model part
 * of "Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm" (Yao et al. 2025), and the
 * training loop the BNPO GRU section reuses (bnpo-gru.ts).
 *
 * `trainGruPg` is `trainGruRl` (gru-rl.ts, same random streams, same Adam, same token aggregation)
 * with the pieces that paper's methods need and gru-rl.ts does not have:
 *   - staleness k: every batch is sampled by the policy of k updates ago (a fixed sync offset), so the
 *     per-token importance ratio ρ_t = π(o_t)/μ(o_t) differs from 1 even in the first gradient pass;
 *   - the importance weight as a switch (REC-OneSide-NoIS keeps the clip mask but drops ρ);
 *   - OPMD's per-token k2 term τ(log π − log μ)², AsymRE's lowered baseline (−τ log π per token),
 *     RED-Weight's advantage weight exp(A/T) — the per-sample terms of pg.ts `pgDirection`, per token;
 *   - ReMax's baseline (the reward of the greedy answer), for the BNPO comparison;
 *   - diagnostics per update: the gradient norm before Adam's clip, the fraction of tokens whose
 *     gradient the PPO clip cut, the k3 estimate of KL(μ‖π) per token, BNPO's (α, β).
 * Per-token gradient of the loss w.r.t. log π_t (token weight c_t from `aggregateTokenLoss`):
 *   ∂ℓ/∂log π_t = −c_t·[keep_t · A · (ρ_t if IS) · (e^{A/T} if RED-Weight) + τ_asym] + c_t·2τ_k2·(log π_t − log μ_t),
 * keep_t = 0 where the one-sided clip cuts (A > 0, ρ_t > 1 + ε_high or A < 0, ρ_t < 1 − ε_low).
 * With k = 0, one pass and no extra terms this is exactly trainGruRl's update (tested).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { Adam } from '../../nn/adam';
import { GruLm } from '../../nn/gru-lm';
import { EOS, PAD, additionReward } from './addition';
import type { BaseModelSpec } from './base-model';
import { groupPrompts, meanPassAtK, sampleGroupBatch, startGruRun } from './gru-rl';
import { aggregateTokenLoss, batchAdvantages, type AdvantageOptions } from './pg';

/** One method of the GRPO/REINFORCE family on the GRU, as in pg.ts `PgConfig`, plus staleness and reuse. */
export interface GruPgMethod {
  advantage: AdvantageOptions;
  /** ReMax: replace the group baseline by the reward of the greedy answer (A_i = r_i − r_greedy). */
  remax?: boolean;
  /** The behaviour policy is the policy of `staleness` updates ago (0 = on-policy). */
  staleness?: number;
  /** Gradient passes per batch (PPO-style reuse). Default 1. */
  epochs?: number;
  /** Multiply the per-token advantage by ρ_t = π/μ. */
  importanceWeight: boolean;
  /** 'ppo': one-sided clip of min(ρA, clip(ρ)A); 'none'. */
  clip: 'none' | 'ppo';
  clipLow?: number;
  clipHigh?: number;
  /** OPMD: τ in τ(log π_t − log μ_t)² per token. */
  k2Coef?: number;
  /** AsymRE: τ in −τ log π_t per token (baseline lowered by τ). */
  asymShift?: number;
  /** RED-Weight: multiply the advantage by exp(A/T) (null/undefined: off). */
  advantageWeightTemp?: number | null;
}

export interface GruPgConfig {
  base?: BaseModelSpec;
  digits: number[];
  nTrain: number;
  nHeldOut: number;
  steps: number;
  batchPrompts: number;
  groupSize: number;
  lr: number;
  aggregation: 'seq-mean-token-mean' | 'token-mean' | 'seq-mean-token-sum-norm';
  evalEvery: number;
  passKs: number[];
  /** Adam's global-norm gradient clip (gru-rl.ts uses 1). */
  maxGradNorm?: number;
}

export interface GruPgCurves {
  reward: number[];
  /** Gradient L2 norm before Adam's clip, first pass of each update. */
  gradNorm: number[];
  /** Fraction of answer tokens whose policy-gradient term the PPO clip removed (mean over passes). */
  clippedFraction: number[];
  /** Mean over answer tokens of the k3 estimate of KL(μ‖π) at the first pass (0 on-policy). */
  klBehaviour: number[];
  alpha: number[];
  beta: number[];
}

/**
 * Trains a copy of the base model with method `m`, calling onEval at step 0, every evalEvery steps
 * and at the end with exact per-problem success (train, held-out). Same random streams as trainGruRl.
 */
export function trainGruPg(
  c: GruPgConfig,
  m: GruPgMethod,
  seed: number,
  onEval: (step: number, pTrain: Float64Array, pHeldOut: Float64Array) => void,
): GruPgCurves {
  const run = startGruRun(c, seed, 'rlvr.trainGruPg');
  const { root, model, base, P, L, T, train } = run;
  const k = m.staleness ?? 0;
  if (!(Number.isInteger(k) && k >= 0))
    throw new RangeError(`rlvr.trainGruPg: staleness must be a non-negative integer, got ${k}`);
  const epochs = m.epochs ?? 1;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new RangeError(`rlvr.trainGruPg: epochs must be a positive integer, got ${epochs}`);
  const behaviour = k > 0 ? new GruLm(base.shape, root.split('unused-init-behaviour')) : null;
  const opt = new Adam(model.size, { lr: c.lr, maxGradNorm: c.maxGradNorm ?? 1 });
  const B = Math.min(c.batchPrompts, c.nTrain),
    G = c.groupSize,
    N = B * G;
  const lo = 1 - (m.clipLow ?? 0.2),
    hi = 1 + (m.clipHigh ?? m.clipLow ?? 0.2);
  const k2 = m.k2Coef ?? 0,
    asym = m.asymShift ?? 0,
    temp = m.advantageWeightTemp ?? null;
  const evaluate = (step: number) => {
    const e = run.evaluate();
    onEval(step, e.pTrain, e.pHeldOut);
  };
  evaluate(0);
  // Before update t, history holds θ_{t−1−k} … θ_{t−1} (θ_0 = base while t ≤ k); history[0] samples.
  const history: Float32Array[] = k > 0 ? [model.snapshot()] : [];
  const curves: GruPgCurves = { reward: [], gradNorm: [], clippedFraction: [], klBehaviour: [], alpha: [], beta: [] };
  const order = run.order;
  const w = new Float32Array(N * L);
  for (let t = 1; t <= c.steps; t++) {
    const idx = Array.from({ length: B }, () => order.int(c.nTrain));
    const problems = idx.map((i) => train[i]);
    let sampler = model;
    if (behaviour) {
      behaviour.load(history[0]);
      sampler = behaviour;
    }
    const batch = sampleGroupBatch(sampler, problems, P, L, G, root.split(`sample${t}`));
    if (behaviour) behaviour.releaseCaches();
    const { sample: s, rewards, seq } = batch;
    curves.reward.push(batch.meanReward);
    let adv: Float64Array;
    if (m.remax) {
      // ReMax (Li et al. 2024): baseline = reward of the greedy answer of the policy that sampled.
      const g = sampler.sample(groupPrompts(problems, P, 1), B, P, L, new Rng(0), { eos: EOS, pad: PAD, greedy: true });
      adv = new Float64Array(N);
      for (let b = 0; b < B; b++) {
        const rg = additionReward(problems[b], g.tokens, b * L, g.lengths[b]);
        for (let i = 0; i < G; i++) adv[b * G + i] = rewards[b * G + i] - rg;
      }
      sampler.releaseCaches();
    } else {
      const r = batchAdvantages(rewards, B, G, m.advantage);
      adv = r.adv;
      if (r.alpha !== undefined) {
        curves.alpha.push(r.alpha);
        curves.beta.push(r.beta as number);
      }
    }
    const coef = aggregateTokenLoss(
      Array.from(s.lengths, (l) => Math.max(1, l)),
      c.aggregation,
      L,
    );
    let clippedSum = 0,
      tokens = 0;
    for (let e = 0; e < epochs; e++) {
      model.zeroGrad();
      const f = model.forward(seq, N, T, P - 1);
      // On-policy first pass: π = μ exactly (the forward pass recomputes the sampler's log-probs).
      const exact = k === 0 && e === 0;
      let kl = 0;
      for (let i = 0; i < N; i++) {
        const A = adv[i];
        const red = temp !== null ? Math.exp(A / temp) : 1;
        for (let q = 0; q < L; q++) {
          const j = i * L + q;
          if (q >= s.lengths[i]) {
            w[j] = 0;
            continue;
          }
          const d = exact ? 0 : f.logp[j] - s.logp[j];
          const ratio = exact ? 1 : Math.exp(d);
          if (e === 0) kl += ratio - 1 - d;
          const cut = m.clip === 'ppo' && ((A > 0 && ratio > hi) || (A < 0 && ratio < lo));
          if (cut) clippedSum++;
          tokens++;
          const ct = coef[i][q];
          let g = cut ? 0 : -ct * A * (m.importanceWeight ? ratio : 1) * red;
          if (asym !== 0) g -= ct * asym;
          if (k2 !== 0) g += ct * 2 * k2 * d;
          w[j] = g;
        }
      }
      if (e === 0) {
        let n = 0;
        for (let i = 0; i < N; i++) n += s.lengths[i];
        curves.klBehaviour.push(kl / Math.max(1, n));
      }
      model.backward(f, w);
      const norm = opt.step(model.params.f, model.grads.f);
      if (e === 0) curves.gradNorm.push(norm);
    }
    curves.clippedFraction.push(clippedSum / Math.max(1, tokens));
    if (k > 0) {
      history.push(model.snapshot());
      while (history.length > k + 1) history.shift();
    }
    if (t % c.evalEvery === 0 || t === c.steps) evaluate(t);
  }
  model.releaseCaches();
  return curves;
}

/** Several named methods trained from the same base model on the same problems and random streams (paired). */
export interface GruPgSweepConfig extends GruPgConfig {
  methods: Record<string, GruPgMethod>;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * One seed of a sweep as a record. Per method name M: series `M:step`, `M:train:pass@k`,
 * `M:heldout:pass@k`, `M:reward`, `M:gradNorm`, `M:klBehaviour`, `M:clippedFraction` (and `M:alpha`,
 * `M:beta` for BNPO); metrics `M:final:{train,heldout}:pass@k`, `M:meanTrainPass@1` (mean over the eval
 * points after step 0: area under the curve), `M:meanReward`, `M:gradNormCv` (std/mean of the
 * gradient norm over updates, scale free), `M:gradNormMaxOverMedian`, `M:meanKlBehaviour`,
 * `M:clippedFraction`, `M:fractionTrainWorse` (training problems whose success fell by > 0.05).
 * Base-model metrics `base:{train,heldout}:pass@k` once.
 */
export function runGruPgSweepSeed(c: GruPgSweepConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  for (const [name, m] of Object.entries(c.methods)) {
    const t0 = Date.now();
    const steps: number[] = [];
    const pass: Record<string, number[]> = {};
    let pBase: Float64Array | null = null,
      pLast: Float64Array | null = null,
      hLast: Float64Array | null = null;
    const curves = trainGruPg(c, m, seed, (step, pTrain, pHeld) => {
      if (!pBase) {
        pBase = pTrain;
        for (const kk of c.passKs) {
          metrics[`base:train:pass@${kk}`] = meanPassAtK(pTrain, kk);
          metrics[`base:heldout:pass@${kk}`] = meanPassAtK(pHeld, kk);
        }
      }
      pLast = pTrain;
      hLast = pHeld;
      steps.push(step);
      for (const kk of c.passKs) {
        (pass[`train:pass@${kk}`] ??= []).push(meanPassAtK(pTrain, kk));
        (pass[`heldout:pass@${kk}`] ??= []).push(meanPassAtK(pHeld, kk));
      }
    });
    series[`${name}:step`] = steps;
    for (const [key, v] of Object.entries(pass)) series[`${name}:${key}`] = v;
    for (const kk of c.passKs) {
      metrics[`${name}:final:train:pass@${kk}`] = meanPassAtK(pLast as unknown as Float64Array, kk);
      metrics[`${name}:final:heldout:pass@${kk}`] = meanPassAtK(hLast as unknown as Float64Array, kk);
    }
    metrics[`${name}:meanTrainPass@1`] = mean(pass['train:pass@1'].slice(1));
    metrics[`${name}:meanHeldoutPass@1`] = mean(pass['heldout:pass@1'].slice(1));
    series[`${name}:reward`] = curves.reward;
    series[`${name}:gradNorm`] = curves.gradNorm;
    series[`${name}:klBehaviour`] = curves.klBehaviour;
    series[`${name}:clippedFraction`] = curves.clippedFraction;
    if (curves.alpha.length) {
      series[`${name}:alpha`] = curves.alpha;
      series[`${name}:beta`] = curves.beta;
    }
    const gn = curves.gradNorm;
    const gm = mean(gn);
    metrics[`${name}:gradNormCv`] = Math.sqrt(mean(gn.map((x) => (x - gm) ** 2))) / gm;
    const sorted = [...gn].sort((a, b) => a - b);
    metrics[`${name}:gradNormMaxOverMedian`] = sorted[sorted.length - 1] / sorted[Math.floor(sorted.length / 2)];
    metrics[`${name}:meanReward`] = mean(curves.reward);
    metrics[`${name}:meanKlBehaviour`] = mean(curves.klBehaviour);
    metrics[`${name}:clippedFraction`] = mean(curves.clippedFraction);
    const pb = pBase as unknown as Float64Array,
      pl = pLast as unknown as Float64Array;
    let worse = 0;
    for (let i = 0; i < pb.length; i++) if (pl[i] < pb[i] - 0.05) worse++;
    metrics[`${name}:fractionTrainWorse`] = worse / pb.length;
    timings[`${name}:trainMs`] = Date.now() - t0;
  }
  return { metrics, series, timings };
}

/**
 * The paper's methods on the GRU (as instantiated in the authors' rec_gsm8k configurations, the same
 * coefficients as the bandit part, off-policy-experiment.ts), at staleness k.
 */
export function offPolicyGruMethods(k: number): Record<string, GruPgMethod> {
  const clip = { clip: 'ppo' as const, clipLow: 0.2, clipHigh: 0.2 };
  return {
    'REINFORCE|k=0': { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' },
    'GRPO|k=0': { advantage: { kind: 'grpo' }, importanceWeight: true, ...clip },
    [`REINFORCE|k=${k}`]: { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', staleness: k },
    [`GRPO|k=${k}`]: { advantage: { kind: 'grpo' }, importanceWeight: true, ...clip, staleness: k },
    [`REC-OneSide-IS|k=${k}`]: { advantage: { kind: 'baseline' }, importanceWeight: true, ...clip, staleness: k },
    [`REC-OneSide-NoIS|k=${k}`]: { advantage: { kind: 'baseline' }, importanceWeight: false, ...clip, staleness: k },
    [`OPMD|k=${k}`]: {
      advantage: { kind: 'baseline' },
      importanceWeight: false,
      clip: 'none',
      k2Coef: 0.1,
      staleness: k,
    },
    [`AsymRE|k=${k}`]: {
      advantage: { kind: 'baseline' },
      importanceWeight: false,
      clip: 'none',
      asymShift: 0.1,
      staleness: k,
    },
    [`RED-Weight|k=${k}`]: {
      advantage: { kind: 'baseline' },
      importanceWeight: false,
      clip: 'none',
      advantageWeightTemp: 1,
      staleness: k,
    },
  };
}
