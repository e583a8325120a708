/**
 * The entropy mechanism (Cui et al. 2025) on the GRU base model: GRPO with PPO-style reuse and the
 * paper's two covariance-based entropy controls, Clip-Cov and KL-Cov, in one training loop.
 *
 * The loop is `trainGruRl` of gru-rl.ts (same random streams, same problems, same samples, same
 * advantages, same clipped surrogate) with one change: before the policy-gradient weights are formed,
 * every sampled answer token gets the paper's centred covariance
 *   Cov_i = (A_i − mean_j A_j) · (log π_θ(y_i) − mean_j log π_θ(y_j))          (over all answer tokens j of the batch)
 * computed with the current log-probabilities of each epoch, as in the official verl implementation, and
 *  - Clip-Cov: among the tokens with clip_cov_lb < Cov_i < clip_cov_ub that the PPO clip has not
 *    already cut, max(1, ⌊r·N_tokens⌋) chosen uniformly at random get zero gradient (detached);
 *  - KL-Cov: the max(1, ⌊k·N_tokens⌋) tokens with the largest Cov_i get the extra loss
 *    β·|log π_θ(y_i) − log π_old(y_i)| (a sub-gradient β·sign(log π_θ − log π_old); zero in the first,
 *    on-policy epoch, which is why KL-Cov needs epochs > 1); as in the official implementation, KL-Cov
 *    uses the unclipped surrogate −A·ρ for all tokens instead of the PPO clip.
 * With method 'grpo' the loop is exactly `trainGruRl` (tests/unit/rlvr-entropy-mechanism-gru.test.ts
 * checks this), so the GRPO baseline and the two controls differ only where the paper differs.
 *
 * Per update it records the sampled-token entropy, the batch mean reward, the batch token covariance
 * Cov(log π, A) (the mean of Cov_i, before the update) and the number of tokens the control touched.
 * Task entry point: `runEntropyGruSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { Adam } from '../../nn/adam';
import { meanPassAtK, sampleGroupBatch, startGruRun, type GruRlConfig } from './gru-rl';
import { aggregateTokenLoss, batchAdvantages } from './pg';

export type EntropyControl = 'grpo' | 'clip-cov' | 'kl-cov';

export interface EntropyGruConfig extends Omit<GruRlConfig, 'curate' | 'samples' | 'klBeta'> {
  method: EntropyControl;
  /** Clip-Cov: fraction r of answer tokens detached per epoch, and the covariance band (lb, ub). */
  clipCov?: { ratio: number; lb: number; ub: number };
  /** KL-Cov: fraction k of answer tokens (largest covariance) penalised, and the coefficient β. */
  klCov?: { ratio: number; beta: number };
}

/** Centred token covariance Cov_i = (A_i − Ā)(logp_i − mean logp) over the valid tokens `idx`. */
export function tokenCovariance(adv: ArrayLike<number>, logp: ArrayLike<number>): Float64Array {
  const n = adv.length;
  if (logp.length !== n)
    throw new RangeError(`rlvr.tokenCovariance: ${n} advantages but ${logp.length} log-probabilities`);
  let ma = 0,
    ml = 0;
  for (let i = 0; i < n; i++) {
    ma += adv[i];
    ml += logp[i];
  }
  ma /= n || 1;
  ml /= n || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (adv[i] - ma) * (logp[i] - ml);
  return out;
}

/** Clip-Cov's choice: up to max(1, ⌊ratio·n⌋) random positions with lb < cov < ub and not excluded. */
export function clipCovSelect(
  cov: ArrayLike<number>,
  excluded: ArrayLike<boolean> | null,
  ratio: number,
  lb: number,
  ub: number,
  rng: Rng,
): number[] {
  const cand: number[] = [];
  for (let i = 0; i < cov.length; i++) if (cov[i] > lb && cov[i] < ub && !(excluded && excluded[i])) cand.push(i);
  const want = Math.min(cand.length, Math.max(1, Math.floor(ratio * cov.length)));
  // partial Fisher–Yates: the first `want` entries are a uniform random subset
  for (let i = 0; i < want; i++) {
    const j = i + rng.int(cand.length - i);
    const t = cand[i];
    cand[i] = cand[j];
    cand[j] = t;
  }
  return cand.slice(0, want);
}

/** KL-Cov's choice: the max(1, ⌊ratio·n⌋) positions with the largest covariance (ties by index). */
export function klCovSelect(cov: ArrayLike<number>, ratio: number): number[] {
  const n = cov.length;
  if (n === 0) return [];
  const k = Math.min(n, Math.max(1, Math.floor(ratio * n)));
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => cov[b] - cov[a] || a - b);
  return idx.slice(0, k);
}

interface EvalState {
  step: number;
  pTrain: Float64Array;
  pHeldOut: Float64Array;
}

/** Trains a copy of the base model (see the module comment); `onEval` at step 0, every evalEvery steps and at the end. */
export function trainEntropyGru(
  c: EntropyGruConfig,
  seed: number,
  onEval: (s: EvalState) => void,
): { entropy: number[]; reward: number[]; cov: number[]; touched: number[] } {
  const run = startGruRun(c, seed, 'rlvr.trainEntropyGru');
  const { root, model, P, L, T, train } = run;
  if (c.method === 'clip-cov' && !c.clipCov)
    throw new RangeError('rlvr.trainEntropyGru: method clip-cov needs clipCov { ratio, lb, ub }');
  if (c.method === 'kl-cov' && !c.klCov)
    throw new RangeError('rlvr.trainEntropyGru: method kl-cov needs klCov { ratio, beta }');
  if (c.method === 'kl-cov' && (c.epochs ?? 1) < 2)
    throw new RangeError(
      'rlvr.trainEntropyGru: KL-Cov penalises |log π − log π_old|, which is zero in an on-policy epoch; use epochs ≥ 2',
    );
  const opt = new Adam(model.size, { lr: c.lr, maxGradNorm: 1 });
  const B = Math.min(c.batchPrompts, c.nTrain),
    G = c.groupSize;
  const epochs = c.epochs ?? 1,
    eps = c.clip ?? 0.2;
  const evaluate = (step: number) => onEval({ step, ...run.evaluate() });
  evaluate(0);
  const entropyCurve: number[] = [],
    rewardCurve: number[] = [],
    covCurve: number[] = [],
    touchedCurve: number[] = [];
  const order = run.order;
  const pick = new Rng(seed).split('entropy-gru-control');
  for (let t = 1; t <= c.steps; t++) {
    const idx = Array.from({ length: B }, () => order.int(c.nTrain));
    const problems = idx.map((i) => train[i]);
    const batch = sampleGroupBatch(model, problems, P, L, G, root.split(`sample${t}`));
    const { N, sample: s, rewards, seq } = batch;
    entropyCurve.push(batch.meanEntropy);
    rewardCurve.push(batch.meanReward);
    const { adv } = batchAdvantages(rewards, B, G, c.advantage);
    const coef = aggregateTokenLoss(
      Array.from(s.lengths, (l) => Math.max(1, l)),
      c.aggregation,
      L,
    );
    // flat list of valid answer tokens (position j = i·L + k)
    const valid: number[] = [];
    for (let i = 0; i < N; i++) for (let k = 0; k < s.lengths[i]; k++) valid.push(i * L + k);
    const advTok = valid.map((j) => adv[Math.floor(j / L)]);
    covCurve.push(
      mean(
        tokenCovariance(
          advTok,
          valid.map((j) => s.logp[j]),
        ),
      ),
    );
    let touched = 0;
    const w = new Float32Array(N * L);
    for (let e = 0; e < epochs; e++) {
      model.zeroGrad();
      const f = model.forward(seq, N, T, P - 1);
      const clippedAt = new Uint8Array(N * L);
      for (let i = 0; i < N; i++) {
        const A = adv[i];
        for (let k = 0; k < L; k++) {
          const j = i * L + k;
          if (k >= s.lengths[i]) {
            w[j] = 0;
            continue;
          }
          const ratio = epochs > 1 ? Math.exp(f.logp[j] - s.logp[j]) : 1;
          // KL-Cov replaces the ratio clip by its penalty (official implementation: pg loss −A·ρ unclipped)
          const clipped =
            c.method !== 'kl-cov' && epochs > 1 && ((A > 0 && ratio > 1 + eps) || (A < 0 && ratio < 1 - eps));
          clippedAt[j] = clipped ? 1 : 0;
          w[j] = clipped ? 0 : -coef[i][k] * A * ratio;
        }
      }
      if (c.method !== 'grpo') {
        const cov = tokenCovariance(
          advTok,
          valid.map((j) => f.logp[j]),
        );
        if (c.method === 'clip-cov') {
          const cc = c.clipCov!;
          const sel = clipCovSelect(
            cov,
            valid.map((j) => clippedAt[j] === 1),
            cc.ratio,
            cc.lb,
            cc.ub,
            pick.split(`clip${t}:${e}`),
          );
          for (const q of sel) w[valid[q]] = 0;
          touched += sel.length;
        } else {
          const kc = c.klCov!;
          const sel = klCovSelect(cov, kc.ratio);
          for (const q of sel) {
            const j = valid[q];
            const i = Math.floor(j / L),
              k = j - i * L;
            // d/dlogp of β·|logp − logp_old| (sub-gradient 0 at equality), with the token's aggregation weight
            w[j] += kc.beta * coef[i][k] * Math.sign(f.logp[j] - s.logp[j]);
          }
          touched += sel.length;
        }
      }
      model.backward(f, w);
      opt.step(model.params.f, model.grads.f);
    }
    touchedCurve.push(touched);
    if (t % c.evalEvery === 0 || t === c.steps) evaluate(t);
  }
  model.releaseCaches();
  return { entropy: entropyCurve, reward: rewardCurve, cov: covCurve, touched: touchedCurve };
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length ? s / x.length : NaN;
}

/**
 * One seed of one method as a record: exact pass@k curves on the train and held-out sets over
 * training (`train:pass@k`, `heldout:pass@k`, at `step`), and per update the sampled-token entropy,
 * the batch reward, the batch token covariance and the number of controlled tokens.
 */
export function runEntropyGruSeed(c: EntropyGruConfig, seed: number): RunResult {
  const series: Record<string, number[]> = { step: [] };
  for (const set of ['train', 'heldout']) for (const k of c.passKs) series[`${set}:pass@${k}`] = [];
  const t0 = Date.now();
  const curves = trainEntropyGru(c, seed, (s) => {
    series.step.push(s.step);
    for (const k of c.passKs) {
      series[`train:pass@${k}`].push(meanPassAtK(s.pTrain, k));
      series[`heldout:pass@${k}`].push(meanPassAtK(s.pHeldOut, k));
    }
  });
  const metrics: Record<string, number> = {};
  const last = series.step.length - 1;
  for (const k of c.passKs) {
    metrics[`base:train:pass@${k}`] = series[`train:pass@${k}`][0];
    metrics[`final:train:pass@${k}`] = series[`train:pass@${k}`][last];
    metrics[`base:heldout:pass@${k}`] = series[`heldout:pass@${k}`][0];
    metrics[`final:heldout:pass@${k}`] = series[`heldout:pass@${k}`][last];
  }
  metrics['first:entropy'] = curves.entropy[0];
  metrics['final:entropy'] = curves.entropy[curves.entropy.length - 1];
  series.entropy = curves.entropy;
  series.reward = curves.reward;
  series.cov = curves.cov;
  series.touched = curves.touched;
  return { metrics, series, timings: { trainMs: Date.now() - t0 } };
}
