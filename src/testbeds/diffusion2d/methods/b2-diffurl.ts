/**
 * B²-DiffuRL (Hu et al. 2025, "Towards Better Alignment: Training Diffusion Models with Reinforcement Learning
 * Against Sparse Rewards", arXiv 2503.11240; official code github.com/hu-zijing/B2-DiffuRL) on a prompt-conditional
 * DDPM. The paper's method section was not reachable; this follows the official code (run_process.sh,
 * run_sample.py, run_select.py, run_train.py), file by file:
 *
 * 1. Backward progressive training (run_process.sh, `backwardInterval`): stage i of S trains only the last k_i
 *    denoising steps (t = k_i … 1), k_i = kMin + ⌊i·(kMax − kMin + 1)/S⌋, so the interval starts at the end of the
 *    chain and grows toward x_T.
 * 2. Branch-based sampling (run_sample.py, `sampleBranchedChains`): each of G prompt groups runs one shared prefix
 *    x_T → x_{k} (T − k steps), which then branches into B continuations x_k → x_0 (k steps each, own noise); the
 *    N = G·B final samples are scored (N reward queries).
 * 3. Scoring and selection (run_select.py, `PromptScoreHistory`, `selectBranchExtremes`): each reward is z-scored
 *    against the mean and standard deviation of its prompt's rewards over the last H rounds (this one included),
 *    z = (r − μ_c)/(σ_c + 10⁻⁸); within each branch group, the sample with the largest z is kept as a positive if
 *    z ≥ posThreshold and the one with the smallest z as a negative if z < negThreshold; all others are dropped.
 * 4. Update (run_train.py): for the kept samples, advantage A = clip(z, ±advClip) (times β₁ for positives, β₂ for
 *    negatives, both 1 in the code), and PPO's clipped surrogate per denoising step of the interval only,
 *      L(θ) = −(1/|S|) Σ_{n∈S} Σ_{t ≤ k} min(ρ_{n,t} A_n, clip(ρ_{n,t}, 1 − ε, 1 + ε) A_n),
 *    ρ_{n,t} = p_θ(x_{t−1}^n | x_t^n, c_n)/p_old(x_{t−1}^n | x_t^n, c_n), epochs × minibatches Adam steps.
 *    Steps t > k (the shared prefix) get no gradient.
 * With B = 1 (no branches) the round is the interval-only ablation: independent chains, every sample kept, DDPO's
 * batch-normalised advantages (methods/ddpo.ts), the same clipped update on steps t ≤ k.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import { clippedSurrogateGrad, ppoClipped } from '../../rlvr/methods/ppo-clip';
import type { Reward2d } from '../env/rewards';
import { ddpmLogProb, ddpmMean } from '../models/ddpm';
import type { EpsMlp } from '../models/denoiser';
import type { DdpmSchedule } from '../models/schedule';
import { klRegularisedAdvantages } from './ddpo';
import { chainLogProbs, type StackedChains } from './loop';

/** The number k of final denoising steps trained at stage i of S (run_process.sh): kMin + ⌊i(kMax − kMin + 1)/S⌋. */
export function backwardInterval(stage: number, stages: number, kMin: number, kMax: number): number {
  if (!(kMin >= 1 && kMax >= kMin && stages >= 1 && stage >= 0 && stage < stages))
    throw new RangeError(`diffusion2d.backwardInterval: bad stage ${stage}/${stages} or interval [${kMin}, ${kMax}]`);
  return kMin + Math.floor((stage * (kMax - kMin + 1)) / stages);
}

/**
 * G shared prefixes x_T → x_k of the conditional policy (prompt prompts[g]), each branched into B continuations
 * x_k → x_0. Returns the N = G·B chains' last k transitions stacked step-major as `StackedChains` with T = k
 * (row (t − 1)·N + n, t = 1…k; chain n = g·B + b) and the shared states x_k (2G).
 */
export function sampleBranchedChains(
  policy: EpsMlp,
  sched: DdpmSchedule,
  prompts: Int32Array,
  B: number,
  k: number,
  rng: Rng,
): { chains: StackedChains; xk: Float64Array } {
  const G = prompts.length,
    N = G * B,
    T = sched.T;
  if (!(k >= 1 && k <= T)) throw new RangeError(`diffusion2d.sampleBranchedChains: k = ${k} not in 1…${T}`);
  const step = (x: Float64Array, t: number, pr: Int32Array, n: number, r: Rng) => {
    const e = policy.predict(x, t, n, pr);
    const mu = ddpmMean(sched, t, x, e, n);
    const sd = Math.sqrt(sched.sigma2[t]);
    const z = r.normals(2 * n);
    const next = new Float64Array(2 * n);
    for (let i = 0; i < 2 * n; i++) next[i] = mu[i] + sd * z[i];
    return { next, e };
  };
  let x = rng.split('xT').normals(2 * G);
  for (let t = T; t > k; t--) x = step(x, t, prompts, G, rng.split('prefix').split(t)).next;
  const xk = Float64Array.from(x);
  const pr = new Int32Array(N);
  let y = new Float64Array(2 * N);
  for (let g = 0; g < G; g++)
    for (let b = 0; b < B; b++) {
      pr[g * B + b] = prompts[g];
      y[2 * (g * B + b)] = xk[2 * g];
      y[2 * (g * B + b) + 1] = xk[2 * g + 1];
    }
  const xt = new Float64Array(2 * N * k),
    xp = new Float64Array(2 * N * k),
    ts = new Int32Array(N * k),
    prs = new Int32Array(N * k),
    logpOld = new Float64Array(N * k);
  for (let t = k; t >= 1; t--) {
    const { next, e } = step(y, t, pr, N, rng.split('branch').split(t));
    const o = (t - 1) * N;
    xt.set(y, 2 * o);
    xp.set(next, 2 * o);
    ts.fill(t, o, o + N);
    prs.set(pr, o);
    logpOld.set(ddpmLogProb(sched, t, y, next, e, N), o);
    y = next;
  }
  return { chains: { N, T: k, xt, xp, ts, prompts: prs, logpOld, x0: y }, xk };
}

/** Per-prompt reward statistics over the last H rounds (run_select.py `history_scores`), for z-scoring. */
export class PromptScoreHistory {
  private rounds: Map<number, number[]>[] = [];
  constructor(readonly H: number) {}
  /**
   * Adds this round's rewards and returns z = (r − μ_c)/(σ_c + 10⁻⁸), μ_c and σ_c (unbiased, as torch.std) over
   * prompt c's rewards in the last H stored rounds plus this one.
   */
  zScores(r: Float64Array, prompts: Int32Array): Float64Array {
    const cur = new Map<number, number[]>();
    for (let n = 0; n < r.length; n++) {
      const c = prompts[n];
      if (!cur.has(c)) cur.set(c, []);
      cur.get(c)!.push(r[n]);
    }
    const hist = this.H > 0 ? this.rounds.slice(-this.H) : [];
    const stats = new Map<number, { m: number; s: number }>();
    for (const [c, v] of cur) {
      const all = hist.flatMap((h) => h.get(c) ?? []).concat(v);
      const m = all.reduce((a, b) => a + b, 0) / all.length;
      const s = all.length > 1 ? Math.sqrt(all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1)) : NaN;
      stats.set(c, { m, s });
    }
    this.rounds.push(cur);
    if (this.rounds.length > this.H) this.rounds = this.rounds.slice(-Math.max(this.H, 0));
    return r.map((v, n) => {
      const { m, s } = stats.get(prompts[n])!;
      const z = (v - m) / (s + 1e-8);
      return Number.isFinite(z) ? z : 0;
    });
  }
}

/**
 * run_select.py: within each of the N/B branch groups (contiguous), the argmax of z if z ≥ pos and the argmin of z
 * if z < neg (first index on ties). Returns the kept chain indices and their z.
 */
export function selectBranchExtremes(
  z: Float64Array,
  B: number,
  pos: number,
  neg: number,
): { idx: Int32Array; z: Float64Array } {
  const keep: number[] = [];
  for (let g = 0; g < z.length / B; g++) {
    let hi = g * B,
      lo = g * B;
    for (let n = g * B; n < g * B + B; n++) {
      if (z[n] > z[hi]) hi = n;
      if (z[n] < z[lo]) lo = n;
    }
    if (z[hi] >= pos) keep.push(hi);
    if (z[lo] < neg) keep.push(lo);
  }
  const idx = Int32Array.from(keep);
  return { idx, z: Float64Array.from(keep, (n) => z[n]) };
}

export interface B2RoundOptions {
  /** Branches per shared prefix (1: the interval-only ablation, no selection, batch-normalised advantages). */
  B: number;
  /** Trained interval: the last k denoising steps (branch point x_k). */
  k: number;
  posThreshold: number;
  negThreshold: number;
  /** |A| ≤ advClip (run_train.py adv_clip_max). */
  advClip: number;
  epochs: number;
  minibatches: number;
  /** PPO clip range ε. */
  clip: number;
}

export interface B2RoundStats {
  /** Mean reward of the round's N samples (before the update). */
  reward: number;
  /** Samples that entered the loss. */
  kept: number;
  /** Branch groups whose rewards differ (the groups that carry a within-branch comparison). */
  informativeGroups: number;
  clipFraction: number;
}

/** One B²-DiffuRL stage: branched sampling for `prompts` (one per group), selection, clipped updates on t ≤ k. */
export function b2DiffuRlRound(
  policy: EpsMlp,
  sched: DdpmSchedule,
  reward: Reward2d,
  prompts: Int32Array,
  history: PromptScoreHistory,
  o: B2RoundOptions,
  rng: Rng,
  opt: Adam,
): B2RoundStats {
  const { chains: s } = sampleBranchedChains(policy, sched, prompts, o.B, o.k, rng.split('sample'));
  const N = s.N,
    k = s.T;
  const r = reward.value(s.x0, N);
  let informative = 0;
  for (let g = 0; g < N / o.B; g++) {
    let d = false;
    for (let b = 1; b < o.B; b++) d ||= r[g * o.B + b] !== r[g * o.B];
    if (d) informative++;
  }
  let idx: Int32Array, A: Float64Array;
  if (o.B === 1) {
    idx = Int32Array.from({ length: N }, (_, n) => n);
    A = klRegularisedAdvantages(r, new Float64Array(N), 0).A;
  } else {
    const chainPrompts = s.prompts.subarray(0, N);
    const z = history.zScores(r, chainPrompts);
    const sel = selectBranchExtremes(z, o.B, o.posThreshold, o.negThreshold);
    idx = sel.idx;
    A = sel.z.map((v) => Math.max(-o.advClip, Math.min(o.advClip, v)));
  }
  const M = idx.length;
  let clipped = 0,
    terms = 0;
  if (M > 0) {
    const mb = Math.min(o.minibatches, M);
    const order = rng.split('order');
    for (let e = 0; e < o.epochs; e++) {
      const perm = Array.from({ length: M }, (_, i) => i);
      order.split(e).shuffle(perm);
      for (let b = 0; b < mb; b++) {
        const part = perm.filter((_, i) => i % mb === b);
        const rows = Int32Array.from(part, (i) => idx[i]);
        const P = rows.length;
        policy.mlp.zeroGrad();
        const dEps = new Float64Array(2 * P * k);
        const lp = chainLogProbs(policy, sched, s, rows, dEps);
        for (let t = 1; t <= k; t++)
          for (let i = 0; i < P; i++) {
            const row = (t - 1) * P + i;
            const ratio = Math.exp(lp[row] - s.logpOld[(t - 1) * N + rows[i]]);
            const a = A[part[i]];
            const cut = ppoClipped(a, ratio, 1 - o.clip, 1 + o.clip);
            if (cut) clipped++;
            terms++;
            const w = clippedSurrogateGrad(1 / P, a, ratio, cut);
            dEps[2 * row] *= w;
            dEps[2 * row + 1] *= w;
          }
        policy.backward(dEps);
        opt.step(policy.mlp.params.f, policy.mlp.grads.f);
      }
    }
  }
  return {
    reward: r.reduce((a, b) => a + b, 0) / N,
    kept: M,
    informativeGroups: informative,
    clipFraction: terms ? clipped / terms : 0,
  };
}
