/**
 * Group-relative policy gradients on the GRU base model (src/nn) with stale behaviour policies and a
 * per-method recipe: the loop of the off-policy comparison (papers/grpo-off-policy, after Yao et al.
 * 2025, "Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm") and of the advantage-estimator
 * comparison (papers/bnpo).
 *
 * `trainGruPg` is `trainGruRl` (loops/gru-rl.ts, same random streams, same Adam, same token aggregation)
 * with the pieces those methods need and gru-rl.ts does not have:
 *   - staleness k: every batch is sampled by the policy of k updates ago (a fixed sync offset), so the
 *     per-token importance ratio ρ_t = π(o_t)/μ(o_t) differs from 1 even in the first gradient pass;
 *   - the importance weight as a switch (REC-OneSide-NoIS keeps the clip mask but drops ρ);
 *   - OPMD's per-token k2 term τ(log π − log μ)², AsymRE's lowered baseline (−τ log π per token),
 *     RED-Weight's advantage weight exp(A/T) — the per-sample terms of loops/bandit-pg.ts `pgDirection`,
 *     per token;
 *   - ReMax's baseline (the reward of the greedy answer, methods/remax.ts);
 *   - diagnostics per update: the gradient norm before Adam's clip, the fraction of tokens whose
 *     gradient the PPO clip cut, the k3 estimate of KL(μ‖π) per token, BNPO's (α, β).
 * Per-token gradient of the loss w.r.t. log π_t (token weight c_t from `aggregateTokenLoss`):
 *   ∂ℓ/∂log π_t = −c_t·[keep_t · A · (ρ_t if IS) · (e^{A/T} if RED-Weight) + τ_asym] + c_t·2τ_k2·(log π_t − log μ_t),
 * keep_t = 0 where the one-sided clip cuts (A > 0, ρ_t > 1 + ε_high or A < 0, ρ_t < 1 − ε_low;
 * methods/ppo-clip.ts). With k = 0, one pass and no extra terms this is exactly trainGruRl's update
 * (tested).
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { Adam } from '../../../nn/adam';
import { gruLmOn } from '../../../nn/thread-engine';
import { ADD_EOS, ADD_PAD, additionReward, groupPrompts } from '../env/addition';
import { batchAdvantages, type AdvantageOptions } from '../methods/advantages';
import { clippedSurrogateGrad, ppoClipped } from '../methods/ppo-clip';
import { remaxAdvantages } from '../methods/remax';
import { aggregateTokenLoss, type TokenAggregation } from '../methods/token-aggregation';
import { meanPassAtKPow } from '../passk';
import type { BaseModelSpec } from '../policies/base-model';
import { sampleGroupBatch, startGruRun } from './gru-rl';

/** One method of the GRPO/REINFORCE family on the GRU, as the bandit's `PgConfig`, plus staleness and reuse. */
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
  aggregation: TokenAggregation;
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
  const behaviour = k > 0 ? gruLmOn('rlvr.trainGruPg', base.shape, root.split('unused-init-behaviour')) : null;
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
      const g = sampler.sample(groupPrompts(problems, P, 1), B, P, L, new Rng(0), {
        eos: ADD_EOS,
        pad: ADD_PAD,
        greedy: true,
      });
      const greedyRewards = problems.map((p, b) => additionReward(p, g.tokens, b * L, g.lengths[b]));
      adv = remaxAdvantages(rewards, greedyRewards, B, G);
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
          const cut = m.clip === 'ppo' && ppoClipped(A, ratio, lo, hi);
          if (cut) clippedSum++;
          tokens++;
          const ct = coef[i][q];
          let g = clippedSurrogateGrad(ct, A, ratio, cut, m.importanceWeight ? ratio : 1, red);
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
 * One seed of a sweep as a record, keyed `method/metric`. Per method name M (a record-key part:
 * letters, digits, `_ . - : @ [ ] =`): series `M/step`, `M/train:pass@k`, `M/heldout:pass@k` (at each
 * evaluation), `M/reward`, `M/gradNorm`, `M/klBehaviour`, `M/clippedFraction` (and `M/alpha`, `M/beta`
 * for BNPO); metrics `M/{train,heldout}:pass@k` (at the end), `M/meanTrainPass@1` and
 * `M/meanHeldoutPass@1` (mean over the eval points after step 0: area under the curve), `M/meanReward`,
 * `M/gradNormCv` (std/mean of the gradient norm over updates, scale free), `M/gradNormMaxOverMedian`,
 * `M/meanKlBehaviour`, `M/clippedFraction`, `M/fractionTrainWorse` (training problems whose success fell
 * by > 0.05). Base-model metrics `base/{train,heldout}:pass@k` once. Timings `M/trainMs`.
 */
export function runGruPgSweepSeed(c: GruPgSweepConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  for (const [name, m] of Object.entries(c.methods)) {
    const key = (metric: string) => metricKey(name, metric);
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
          metrics[metricKey('base', `train:pass@${kk}`)] = meanPassAtKPow(pTrain, kk);
          metrics[metricKey('base', `heldout:pass@${kk}`)] = meanPassAtKPow(pHeld, kk);
        }
      }
      pLast = pTrain;
      hLast = pHeld;
      steps.push(step);
      for (const kk of c.passKs) {
        (pass[`train:pass@${kk}`] ??= []).push(meanPassAtKPow(pTrain, kk));
        (pass[`heldout:pass@${kk}`] ??= []).push(meanPassAtKPow(pHeld, kk));
      }
    });
    series[key('step')] = steps;
    for (const [k, v] of Object.entries(pass)) series[key(k)] = v;
    for (const kk of c.passKs) {
      metrics[key(`train:pass@${kk}`)] = meanPassAtKPow(pLast as unknown as Float64Array, kk);
      metrics[key(`heldout:pass@${kk}`)] = meanPassAtKPow(hLast as unknown as Float64Array, kk);
    }
    metrics[key('meanTrainPass@1')] = mean(pass['train:pass@1'].slice(1));
    metrics[key('meanHeldoutPass@1')] = mean(pass['heldout:pass@1'].slice(1));
    series[key('reward')] = curves.reward;
    series[key('gradNorm')] = curves.gradNorm;
    series[key('klBehaviour')] = curves.klBehaviour;
    series[key('clippedFraction')] = curves.clippedFraction;
    if (curves.alpha.length) {
      series[key('alpha')] = curves.alpha;
      series[key('beta')] = curves.beta;
    }
    const gn = curves.gradNorm;
    const gm = mean(gn);
    metrics[key('gradNormCv')] = Math.sqrt(mean(gn.map((x) => (x - gm) ** 2))) / gm;
    const sorted = [...gn].sort((a, b) => a - b);
    metrics[key('gradNormMaxOverMedian')] = sorted[sorted.length - 1] / sorted[Math.floor(sorted.length / 2)];
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('meanKlBehaviour')] = mean(curves.klBehaviour);
    metrics[key('clippedFraction')] = mean(curves.clippedFraction);
    const pb = pBase as unknown as Float64Array,
      pl = pLast as unknown as Float64Array;
    let worse = 0;
    for (let i = 0; i < pb.length; i++) if (pl[i] < pb[i] - 0.05) worse++;
    metrics[key('fractionTrainWorse')] = worse / pb.length;
    timings[key('trainMs')] = Date.now() - t0;
  }
  return { metrics, series, timings };
}
