/**
 * Observation-only imitation with an optimal-transport proxy reward and a tabular off-policy learner, in the loop of
 * the official code of Liu et al., "Imitation Learning from Observation with Automatic Discount Scheduling"
 * (ICLR 2024, arXiv:2310.07433; github.com/dwjshift/IL_ADS, IL/train.py `train_il` and `eval`):
 *
 * - every training episode (ε-greedy behaviour; uniformly random actions for the first `seedEpisodes`, the code's
 *   `num_seed_frames`) is rewarded, once it ends, by the OT proxy reward of its observations against the expert's
 *   (methods/ot-proxy-reward.ts; the scale is fixed after the first episode, `auto_rew_scale`), and stored with those
 *   rewards in a replay buffer of the last `bufferEpisodes` episodes;
 * - the learner samples n-step transitions uniformly from the buffer (the code's `nstep = 3`) and applies them with
 *   the discount in force at update time (the code writes ADS's γ into the replay loader, `update_parameters`);
 *   here a tabular Q-learning update Q(s,a) += η (Σ_{i<n} γ^i r_{t+i} + γ^n max_a' Q(s_{t+n}, a') − Q(s,a)) replaces
 *   DrQ-v2's actor–critic;
 * - every `evalEvery` episodes the greedy policy is rolled out (the environment is deterministic, so one rollout is
 *   the exact evaluation); with ADS, the evaluation episode's observations update the progress and the discount
 *   (methods/automatic-discount-scheduling.ts), exactly where the code calls `ads.update` after `eval`.
 */
import type { Rng } from '../../../core/rng';
import { observe, stageOf, type WaypointWorld } from '../env/ordered-waypoints';
import { AutomaticDiscountScheduling, type AdsOptions } from '../methods/automatic-discount-scheduling';
import { autoRewardScale, otRewards, type ObsSeq, type SinkhornOptions } from '../methods/ot-proxy-reward';

export type DiscountRule = { kind: 'fixed'; gamma: number } | { kind: 'ads'; ads: Omit<AdsOptions, 'horizon'> };

export interface IlfoQOptions {
  episodes: number;
  horizon: number;
  rng: Rng;
  /** Expert demonstrations (observations o_1..o_T, T = horizon). */
  demos: readonly ObsSeq[];
  discount: DiscountRule;
  /** ε of the ε-greedy behaviour policy after the seed episodes. */
  epsilon: number;
  seedEpisodes: number;
  /** Constant step size η of the Q update. */
  stepSize: number;
  nStep: number;
  bufferEpisodes: number;
  /** Q updates per environment step. */
  updatesPerStep: number;
  evalEvery: number;
  /** Total reward of the first episode after rescaling is −rewardScaleFactor (the code: 10). */
  rewardScaleFactor?: number;
  sinkhorn?: SinkhornOptions;
  /**
   * Initial Q: 'zero' (optimistic here, since every OT reward is negative: untried actions look best, which turns
   * ε-greedy into systematic exploration), or 'first-episode' (every entry set to the discounted return
   * Σ_t γ^t r_t of the first, random episode under the initial γ: the value of random behaviour, neither optimistic nor
   * pessimistic on average).
   */
  qInit?: 'zero' | 'first-episode';
}

export interface IlfoQResult {
  Q: Float64Array;
  /** Episode index of each evaluation. */
  evalEpisode: number[];
  /** Greedy policy's final stage / K, success (stage K) and whether it ever entered the last waypoint's cell. */
  evalStage: number[];
  evalSuccess: number[];
  evalReachedLast: number[];
  /** OT score Σ_i −cost_i of the evaluation episode against its closest demonstration (unscaled). */
  evalOtScore: number[];
  /** Discount in force after each evaluation, and ADS's progress p (0 for a fixed discount). */
  gamma: number[];
  progress: number[];
  scale: number;
}

function greedy(Q: Float64Array, s: number, nA: number): number {
  let a = 0;
  for (let b = 1; b < nA; b++) if (Q[s * nA + b] > Q[s * nA + a]) a = b;
  return a;
}

/** Greedy rollout from the start: states s_0..s_T. */
export function greedyRollout(w: WaypointWorld, Q: Float64Array, horizon: number): Int32Array {
  const states = new Int32Array(horizon + 1);
  let s = w.startState;
  states[0] = s;
  for (let t = 1; t <= horizon; t++) {
    s = w.next[s * w.nA + greedy(Q, s, w.nA)];
    states[t] = s;
  }
  return states;
}

export function trainIlfoQ(w: WaypointWorld, o: IlfoQOptions): IlfoQResult {
  const { nS, nA } = w;
  const T = o.horizon;
  const n = o.nStep;
  if (!(n >= 1 && n <= T)) throw new RangeError(`trainIlfoQ: nStep must lie in [1, horizon], got ${n}`);
  for (const d of o.demos)
    if (d.n !== T) throw new RangeError(`trainIlfoQ: a demonstration has ${d.n} observations, horizon is ${T}`);
  const Q = new Float64Array(nS * nA);
  const ads =
    o.discount.kind === 'ads' ? new AutomaticDiscountScheduling(o.demos, { ...o.discount.ads, horizon: T }) : null;
  let gamma = o.discount.kind === 'fixed' ? o.discount.gamma : ads!.discount();
  const cap = o.bufferEpisodes;
  const bufS = new Int32Array(cap * (T + 1));
  const bufA = new Int32Array(cap * T);
  const bufR = new Float64Array(cap * T);
  let stored = 0;
  let scale = 0;
  const res: IlfoQResult = {
    Q,
    evalEpisode: [],
    evalStage: [],
    evalSuccess: [],
    evalReachedLast: [],
    evalOtScore: [],
    gamma: [],
    progress: [],
    scale: 0,
  };
  const lastCell = w.spec.waypoints[w.K - 1][0] * w.width + w.spec.waypoints[w.K - 1][1];
  const nC = w.height * w.width;
  const evaluate = (ep: number) => {
    const states = greedyRollout(w, Q, T);
    const k = stageOf(w, states[T]);
    let reached = 0;
    for (let t = 1; t <= T; t++) if (states[t] % nC === lastCell) reached = 1;
    const obs = observe(w, states);
    const ot = otRewards(obs, o.demos, 1, o.sinkhorn);
    res.evalEpisode.push(ep);
    res.evalStage.push(k / w.K);
    res.evalSuccess.push(k === w.K ? 1 : 0);
    res.evalReachedLast.push(reached);
    res.evalOtScore.push(ot.scores[ot.demo]);
    if (ads) gamma = ads.update([obs]).discount;
    res.gamma.push(gamma);
    res.progress.push(ads ? ads.progress : 0);
  };
  const rng = o.rng;
  const states = new Int32Array(T + 1);
  const actions = new Int32Array(T);
  for (let ep = 0; ep < o.episodes; ep++) {
    if (ep % o.evalEvery === 0) evaluate(ep);
    // Behaviour episode.
    let s = w.startState;
    states[0] = s;
    const random = ep < o.seedEpisodes;
    for (let t = 0; t < T; t++) {
      const a = random || rng.uniform() < o.epsilon ? rng.int(nA) : greedy(Q, s, nA);
      actions[t] = a;
      s = w.next[s * nA + a];
      states[t + 1] = s;
    }
    // OT proxy reward of the finished episode (scale fixed after the first episode).
    const ot = otRewards(observe(w, states), o.demos, 1, o.sinkhorn);
    if (ep === 0) {
      scale = autoRewardScale(ot.scores[ot.demo], o.rewardScaleFactor ?? 10);
      if ((o.qInit ?? 'zero') === 'first-episode') {
        let G = 0;
        for (let t = T - 1; t >= 0; t--) G = scale * ot.rewards[t] + gamma * G;
        Q.fill(G);
      }
    }
    const slot = ep % cap;
    bufS.set(states, slot * (T + 1));
    bufA.set(actions, slot * T);
    for (let t = 0; t < T; t++) bufR[slot * T + t] = scale * ot.rewards[t];
    stored = Math.min(cap, stored + 1);
    if (ep < o.seedEpisodes) continue;
    // Replay updates (uniform over stored transitions with a full n-step window).
    const nUpd = o.updatesPerStep * T;
    for (let u = 0; u < nUpd; u++) {
      const e = rng.int(stored);
      const t = rng.int(T - n + 1);
      const sb = e * (T + 1),
        rb = e * T;
      let G = 0,
        disc = 1;
      for (let i = 0; i < n; i++) {
        G += disc * bufR[rb + t + i];
        disc *= gamma;
      }
      const sn = bufS[sb + t + n];
      let best = Q[sn * nA];
      for (let b = 1; b < nA; b++) if (Q[sn * nA + b] > best) best = Q[sn * nA + b];
      const idx = bufS[sb + t] * nA + bufA[rb + t];
      Q[idx] += o.stepSize * (G + disc * best - Q[idx]);
    }
  }
  evaluate(o.episodes);
  res.scale = scale;
  return res;
}
