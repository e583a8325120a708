/**
 * Centered Reward Distillation (CRD; Zhu, Wang, Lathuilière, Kalogeiton 2026, arXiv 2603.14128) on the rectified
 * flow of models/flow.ts.
 *
 * KL-regularised reward maximisation max_p E_p[r] − β·KL(p ‖ p_ref) has the optimum p* = p_ref·exp(r/β)/Z, i.e.
 * β·log(p*(x)/p_ref(x)) = r(x) − β·log Z with an intractable, prompt-dependent log Z. Subtracting the mean over a
 * group of samples of the same prompt cancels log Z:
 *   β·[log(p/p_ref)(x_i) − mean_j log(p/p_ref)(x_j)] = r(x_i) − mean_j r(x_j),
 * so CRD regresses the model's centred implicit reward onto the centred external reward,
 *   L(θ) = mean_i ( β·(R_θ(x_i) − R̄_θ) − (r_i − r̄) )²,                                         (centred MSE)
 * with the implicit reward a forward-process (flow-matching) estimate of the log-ratio to the reference,
 *   R_θ(x_0) = −(1/K) Σ_k w(t_k)·mean_d [ (v_θ(x_t, t_k) − u)² − (v_ref(x_t, t_k) − u)² ],
 *   x_t = (1 − t_k)x_0 + t_k ε,  u = ε − x_0,  one ε per (sample, grid time), drawn once per round,
 * on the rollouts' final samples (rows from methods/awm.ts `awmRows`). As in the Flow-Factory re-implementation's
 * `_compute_crd_loss` (uniform centring, 'mse'), the group means are treated as constants in the gradient (the
 * common-mode gradient is zero anyway, both residual vectors being centred). Weighting: 'elbo' uses
 * w(t) = (1 − t)/t, the weight under which the flow-matching loss difference is the ELBO difference of the flow's
 * variance-matched SDE (so that R_θ ≈ log p_θ/p_ref and β is the tilt's temperature); 'uniform' uses w = 1 (the
 * re-implementation's default; R_θ is then the log-ratio up to an unknown scale).
 * `centered: false` is the ablation without centring: mean_i (β·R_θ(x_i) − r_i)², which asks log(p/p_ref) = r/β
 * exactly — a target that is not a log density ratio unless log Z = 0.
 * Optional KL anchoring: + κ·mean_d (v_θ − v_ref)² on the same rows (the re-implementation's v-based KL).
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { flowTimes } from '../models/flow';
import type { ResidualVelocityMlp } from '../models/flow-policy';
import { awmRows, flowSdeRollout, type AwmRows } from './awm';
import { FLOW_GRPO_DIMS } from './flow-grpo';

export type CrdWeighting = 'elbo' | 'uniform';

/** The time weight w(t_k) of the implicit reward. */
export function crdTimeWeight(t: number, weighting: CrdWeighting): number {
  return weighting === 'elbo' ? (1 - t) / t : 1;
}

/**
 * Implicit rewards R_θ(x_0^n) of the samples whose rows (n·K … n·K + K − 1 of `w`) are `samples`, given the residual
 * g (2·|samples|·K, rows in the same order). With v_θ = v_ref + g: (v_θ − u)² − (v_ref − u)² = g² + 2g(v_ref − u).
 */
export function crdImplicitReward(
  w: AwmRows,
  samples: ArrayLike<number>,
  g: ArrayLike<number>,
  weighting: CrdWeighting,
): Float64Array {
  const K = w.K,
    ts = flowTimes(K);
  const out = new Float64Array(samples.length);
  for (let j = 0; j < samples.length; j++) {
    const n = samples[j];
    let acc = 0;
    for (let k = 1; k <= K; k++) {
      const r = n * K + (k - 1),
        m = j * K + (k - 1);
      let s = 0;
      for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
        const gi = g[2 * m + d];
        s += gi * gi + 2 * gi * (w.vRef[2 * r + d] - w.target[2 * r + d]);
      }
      acc += (crdTimeWeight(ts[k], weighting) * s) / FLOW_GRPO_DIMS;
    }
    out[j] = -acc / K;
  }
  return out;
}

/** Centres `a` within consecutive groups of G. */
export function crdCenter(a: ArrayLike<number>, G: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let s = 0; s < a.length; s += G) {
    let m = 0;
    for (let i = s; i < s + G; i++) m += a[i] / G;
    for (let i = s; i < s + G; i++) out[i] = a[i] - m;
  }
  return out;
}

/** Settings of one CRD round. */
export interface CrdRoundOptions {
  /** SDE noise level a of the rollouts (the policy's K steps). */
  noise: number;
  /** Groups per round × samples per group G (centring is within each group). */
  groups: number;
  G: number;
  /** Inner epochs × minibatches (one Adam step each; each minibatch holds whole groups). */
  epochs: number;
  minibatches: number;
  /** Temperature β of the target p_ref·exp(r/β). */
  beta: number;
  centered: boolean;
  weighting: CrdWeighting;
  /** KL anchoring weight κ of mean_d (v_θ − v_ref)² (0: none). */
  klWeight: number;
}

/**
 * The CRD loss and its gradient ∂L/∂g (2·|samples|·K) for the samples `samples` (whole groups of G, in group order),
 * external rewards `rew` (indexed by sample) and the residual g of their rows.
 */
export function crdLossGrad(
  w: AwmRows,
  samples: ArrayLike<number>,
  g: ArrayLike<number>,
  rew: ArrayLike<number>,
  opts: Pick<CrdRoundOptions, 'G' | 'beta' | 'centered' | 'weighting' | 'klWeight'>,
): { loss: number; dG: Float64Array } {
  const B = samples.length,
    K = w.K,
    ts = flowTimes(K);
  const R = crdImplicitReward(w, samples, g, opts.weighting);
  const r = Float64Array.from({ length: B }, (_, j) => rew[samples[j]]);
  const Rc = opts.centered ? crdCenter(R, opts.G) : R;
  const rc = opts.centered ? crdCenter(r, opts.G) : r;
  let loss = 0;
  const dG = new Float64Array(2 * B * K);
  for (let j = 0; j < B; j++) {
    const n = samples[j];
    const e = opts.beta * Rc[j] - rc[j];
    loss += (e * e) / B;
    const dR = (2 * e * opts.beta) / B;
    for (let k = 1; k <= K; k++) {
      const row = n * K + (k - 1),
        m = j * K + (k - 1);
      const wk = crdTimeWeight(ts[k], opts.weighting);
      for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
        const gi = g[2 * m + d];
        // ∂R/∂g = −(1/K)·w·(2g + 2(v_ref − u))/D
        const dRdg = (-wk * (2 * gi + 2 * (w.vRef[2 * row + d] - w.target[2 * row + d]))) / (K * FLOW_GRPO_DIMS);
        dG[2 * m + d] = dR * dRdg + (opts.klWeight * 2 * gi) / (FLOW_GRPO_DIMS * B * K);
        loss += (opts.klWeight * gi * gi) / (FLOW_GRPO_DIMS * B * K);
      }
    }
  }
  return { loss, dG };
}

/**
 * One CRD round: groups·G SDE rollouts of the current policy (the same random streams as `flowGrpoRound` /
 * `awmRound`), rewards, (t_k, ε) for every sample and grid time, then epochs × minibatches Adam steps on the CRD
 * loss, each minibatch a shuffled set of whole groups. Returns the rollouts' mean reward and final samples.
 */
export function crdRound(
  policy: ResidualVelocityMlp,
  reward: Reward2d,
  opts: CrdRoundOptions,
  rng: Rng,
  opt: Adam,
): { reward: number; x0: Float64Array } {
  const N = opts.groups * opts.G,
    K = policy.K;
  if (opts.groups % opts.minibatches !== 0)
    throw new RangeError(`crdRound: ${opts.groups} groups do not split into ${opts.minibatches} minibatches`);
  const roll = flowSdeRollout(policy, N, opts.noise, rng);
  const rew = reward.value(roll.x0, N);
  const w = awmRows(policy, roll.x0, N, rng.split('awm'));
  const order = Array.from({ length: opts.groups }, (_, q) => q);
  const gpb = opts.groups / opts.minibatches;
  for (let e = 0; e < opts.epochs; e++) {
    rng.split('shuffle').split(e).shuffle(order);
    for (let b = 0; b < opts.minibatches; b++) {
      const samples = new Int32Array(gpb * opts.G);
      for (let q = 0; q < gpb; q++)
        for (let i = 0; i < opts.G; i++) samples[q * opts.G + i] = order[b * gpb + q] * opts.G + i;
      const M = samples.length * K;
      const bx = new Float64Array(2 * M),
        bk = new Int32Array(M);
      for (let j = 0; j < samples.length; j++)
        for (let k = 0; k < K; k++) {
          const row = samples[j] * K + k,
            m = j * K + k;
          bx[2 * m] = w.xt[2 * row];
          bx[2 * m + 1] = w.xt[2 * row + 1];
          bk[m] = w.kRow[row];
        }
      const g = policy.residual(bx, bk, M);
      const { dG } = crdLossGrad(w, samples, g, rew, opts);
      policy.zeroGrad();
      policy.backwardResidual(dG);
      opt.step(policy.params, policy.grads);
    }
  }
  return { reward: rew.reduce((p, q) => p + q, 0) / N, x0: roll.x0 };
}
