/**
 * GRPO on the GRU base model with PPO-style reuse and the two covariance-based entropy controls of Cui et
 * al. 2025, Clip-Cov (methods/clip-cov.ts) and KL-Cov (methods/kl-cov.ts), in one training loop.
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
 * With method 'grpo' the loop is exactly `trainGruRl` (tests/papers/entropy-mechanism/gru.test.ts
 * checks this), so the GRPO baseline and the two controls differ only where the paper differs.
 *
 * Per update it records the sampled-token entropy, the batch mean reward, the batch token covariance
 * Cov(log π, A) (the mean of Cov_i, before the update) and the number of tokens the control touched.
 * The entropy-mechanism paper's record is built in papers/entropy-mechanism/gru.ts.
 */
import { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { batchAdvantages } from '../methods/advantages';
import { clipCovSelect } from '../methods/clip-cov';
import { klCovSelect, klCovTokenGrad } from '../methods/kl-cov';
import { clippedSurrogateGrad, ppoClipped } from '../methods/ppo-clip';
import { tokenCovariance } from '../methods/token-covariance';
import { aggregateTokenLoss } from '../methods/token-aggregation';
import { sampleGroupBatch, startGruRun, type GruRlConfig } from './gru-rl';

export type EntropyControl = 'grpo' | 'clip-cov' | 'kl-cov';

export interface EntropyControlConfig extends Omit<GruRlConfig, 'curate' | 'samples' | 'klBeta'> {
  method: EntropyControl;
  /** Clip-Cov: fraction r of answer tokens detached per epoch, and the covariance band (lb, ub). */
  clipCov?: { ratio: number; lb: number; ub: number };
  /** KL-Cov: fraction k of answer tokens (largest covariance) penalised, and the coefficient β. */
  klCov?: { ratio: number; beta: number };
}

export interface EntropyControlEval {
  step: number;
  pTrain: Float64Array;
  pHeldOut: Float64Array;
}

/**
 * Trains a copy of the base model (see the module comment); `onEval` at step 0, every evalEvery steps and at the end.
 */
export function trainGruEntropyControl(
  c: EntropyControlConfig,
  seed: number,
  onEval: (s: EntropyControlEval) => void,
): { entropy: number[]; reward: number[]; cov: number[]; touched: number[] } {
  const run = startGruRun(c, seed, 'rlvr.trainGruEntropyControl');
  const { root, model, P, L, T, train } = run;
  if (c.method === 'clip-cov' && !c.clipCov)
    throw new RangeError('rlvr.trainGruEntropyControl: method clip-cov needs clipCov { ratio, lb, ub }');
  if (c.method === 'kl-cov' && !c.klCov)
    throw new RangeError('rlvr.trainGruEntropyControl: method kl-cov needs klCov { ratio, beta }');
  if (c.method === 'kl-cov' && (c.epochs ?? 1) < 2)
    throw new RangeError(
      'rlvr.trainGruEntropyControl: KL-Cov penalises |log π − log π_old|, which is zero in an on-policy epoch; use ' +
        'epochs ≥ 2',
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
          const clipped = c.method !== 'kl-cov' && epochs > 1 && ppoClipped(A, ratio, 1 - eps, 1 + eps);
          clippedAt[j] = clipped ? 1 : 0;
          w[j] = clippedSurrogateGrad(coef[i][k], A, ratio, clipped);
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
            w[j] += klCovTokenGrad(kc.beta, coef[i][k], f.logp[j], s.logp[j]);
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
