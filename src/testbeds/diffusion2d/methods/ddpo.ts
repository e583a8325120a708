/**
 * DDPO-style policy-gradient fine-tuning of a DDPM denoiser with a KL anchor to the pre-trained model (Black et
 * al. 2023, "Training Diffusion Models with Reinforcement Learning", §4.2 DDPO_SF: the denoising chain is an MDP
 * whose actions x_{t−1} have the Gaussian log-likelihood log p_θ(x_{t−1} | x_t), eq. 3–4; with the KL penalty of
 * Fan et al. 2023, DPOK, eq. 5, here taken on the whole chain).
 *
 * Objective: J(θ) = E_{p_θ}[r(x_0)] − β·KL(p_θ(x_{0:T}) ‖ p_ref(x_{0:T})). With both chains started from the same
 * x_T ~ N(0, I), its maximiser is the path measure p_ref(x_{0:T})·exp(r(x_0)/β)/Z, whose x_0-marginal is the tilted
 * target p_ref(x_0)·exp(r(x_0)/β)/Z that the grid computes exactly (env/grid.ts gridTilt).
 *
 * Estimator (REINFORCE on whole trajectories, on-policy, one gradient step per batch): with the KL folded into the
 * return, R_n = r(x_0^n) − β Σ_t [log p_θ(x_{t−1}^n | x_t^n) − log p_ref(x_{t−1}^n | x_t^n)], and advantages
 * A_n = (R_n − mean R)/(std R + 10⁻⁸) over the batch (DDPO's per-batch normalisation),
 *   ∇J ≈ (1/N) Σ_n A_n Σ_t ∇_θ log p_θ(x_{t−1}^n | x_t^n)
 * (the extra term E[∇ log p_θ] of the log-ratio's own gradient has mean zero). The T·N transitions go through the
 * network in one batched forward/backward pass.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { ddpmSample } from '../models/ddpm';
import type { EpsMlp } from '../models/denoiser';
import type { DdpmSchedule } from '../models/schedule';

/** The per-trajectory KL-regularised return R_n = r_n − β·Σ_t log-ratio_{n,t} and its normalised advantage. */
export function klRegularisedAdvantages(
  reward: Float64Array,
  logRatio: Float64Array,
  beta: number,
  normalise = true,
): { R: Float64Array; A: Float64Array } {
  const N = reward.length;
  const R = new Float64Array(N);
  for (let n = 0; n < N; n++) R[n] = reward[n] - beta * logRatio[n];
  let m = 0;
  for (let n = 0; n < N; n++) m += R[n] / N;
  let v = 0;
  for (let n = 0; n < N; n++) v += (R[n] - m) ** 2 / N;
  const sd = normalise ? Math.sqrt(v) + 1e-8 : 1;
  return { R, A: R.map((r) => (r - m) / sd) };
}

/** The N·T transitions of recorded trajectories stacked as rows: x_t, x_{t−1}, t (row n·T + (t − 1)). */
function stackTransitions(traj: Float64Array[], T: number, N: number) {
  const rows = N * T;
  const xt = new Float64Array(2 * rows),
    xp = new Float64Array(2 * rows),
    ts = new Int32Array(rows);
  for (let n = 0; n < N; n++)
    for (let t = 1; t <= T; t++) {
      const r = n * T + (t - 1);
      xt[2 * r] = traj[t][2 * n];
      xt[2 * r + 1] = traj[t][2 * n + 1];
      xp[2 * r] = traj[t - 1][2 * n];
      xp[2 * r + 1] = traj[t - 1][2 * n + 1];
      ts[r] = t;
    }
  return { xt, xp, ts, rows };
}

/**
 * Per stacked row: log p(x_{t−1} | x_t) = −log(2πσ_t²) − |x_{t−1} − μ|²/(2σ_t²) (as ddpmLogProb) and, when `grad`
 * is given, ∂/∂ε̂ of it (as ddpmLogProbGradEps), for the row's own step t.
 */
function stackedLogProb(
  sched: DdpmSchedule,
  eps: Float64Array,
  s: ReturnType<typeof stackTransitions>,
  grad?: Float64Array,
): Float64Array {
  const out = new Float64Array(s.rows);
  for (let r = 0; r < s.rows; r++) {
    const t = s.ts[r];
    const k = 1 / Math.sqrt(sched.alpha[t]),
      c = sched.beta[t] / Math.sqrt(1 - sched.alphaBar[t]),
      s2 = sched.sigma2[t];
    const dx = s.xp[2 * r] - k * (s.xt[2 * r] - c * eps[2 * r]),
      dy = s.xp[2 * r + 1] - k * (s.xt[2 * r + 1] - c * eps[2 * r + 1]);
    out[r] = -Math.log(2 * Math.PI * s2) - (dx * dx + dy * dy) / (2 * s2);
    if (grad) {
      const g = (-k * c) / s2;
      grad[2 * r] = g * dx;
      grad[2 * r + 1] = g * dy;
    }
  }
  return out;
}

export interface DdpoStepStats {
  /** Mean reward r(x_0) of the batch. */
  reward: number;
  /** Mean Σ_t log p_θ/p_ref over the batch (a sample estimate of the path KL). */
  kl: number;
  /** Mean KL-regularised return. */
  objective: number;
  gradNorm: number;
}

/**
 * One DDPO step with a KL anchor: sample N trajectories from the policy, score them, and take one Adam step on
 * −(1/N) Σ_n A_n Σ_t log p_θ(x_{t−1}^n | x_t^n).
 */
export function ddpoKlStep(
  policy: EpsMlp,
  ref: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  beta: number,
  N: number,
  rng: Rng,
  opt: Adam,
): DdpoStepStats {
  const T = sched.T;
  const tr = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), N, rng, { record: true });
  const s = stackTransitions(tr.traj!, T, N);
  const lpRef = stackedLogProb(sched, ref.predict(s.xt, s.ts, s.rows), s);
  const r = reward.value(tr.x0, N);
  const logRatio = new Float64Array(N);
  for (let n = 0; n < N; n++) for (let t = 1; t <= T; t++) logRatio[n] += tr.logp![t][n] - lpRef[n * T + t - 1];
  const { R, A } = klRegularisedAdvantages(r, logRatio, beta);
  // gradient of the loss −(1/N) Σ A_n Σ_t log p_θ with respect to ε_θ of each row
  policy.mlp.zeroGrad();
  const eps = policy.predict(s.xt, s.ts, s.rows);
  const dEps = new Float64Array(2 * s.rows);
  stackedLogProb(sched, eps, s, dEps);
  for (let row = 0; row < s.rows; row++) {
    const w = -A[Math.floor(row / T)] / N;
    dEps[2 * row] *= w;
    dEps[2 * row + 1] *= w;
  }
  policy.backward(dEps);
  const gradNorm = opt.step(policy.mlp.params.f, policy.mlp.grads.f);
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  return { reward: mean(r), kl: mean(logRatio), objective: mean(R), gradNorm };
}
