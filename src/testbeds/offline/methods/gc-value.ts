/**
 * Goal-conditioned value learning by expectile TD on trajectory data, tabular V(s, g), with the goal sampling and
 * the loss of OGBench's implicit value learning (GCIVL; the value of HIQL: Park, Ghosh, Eysenbach & Levine, "HIQL:
 * Offline Goal-Conditioned RL with Latent States as Actions", NeurIPS 2023, arXiv:2307.11949, eq. (4); OGBench's
 * agents/hiql.py `value_loss` and utils/datasets.py `GCDataset.sample_goals`):
 *   L(V) = E_{(s, s', g)∼D}[ L₂^τ( r(s, g) + γ m(s, g) V̄(s', g) − V(s, g) ) ],   L₂^τ(u) = |τ − 1(u < 0)| u²
 * with r = 0 and m = 0 when s = g, r = −1 and m = 1 otherwise, V̄ a Polyak-averaged target table, and — as in the
 * code — the asymmetric weight taken from the target's residual (q − V̄(s, g)) while the step moves V(s, g).
 *
 * Goals (GCDataset.sample_goals): with probability p_cur the current state; otherwise with probability
 * p_traj / (1 − p_cur) a future state of the same trajectory, s_{min(t + K, end)} with K ∼ Geometric(1 − γ) on
 * {1, 2, …} (or uniform between t + 1 and the end), else the state at a uniformly random index of the data.
 *
 * Function class (a small one, so that estimation error exists as with the paper's networks): a two-tower,
 * low-rank value V(s, g) = b + u(s)ᵀ v(g) with a state embedding u(s) ∈ ℝ^r and a goal embedding v(g) ∈ ℝ^r per
 * cell (the shape of the contrastive / successor-feature critics of goal-conditioned RL). It generalises across
 * pairs through the shared embeddings and cannot represent every value exactly (rank r < number of cells), so its
 * error does not shrink with the value differences it must resolve. Training: each step draws `batch` samples and
 * takes one Adam step (the code's optimiser) on the batch-mean loss; the target parameters follow by Polyak
 * averaging θ̄ ← (1 − ρ) θ̄ + ρ θ (ρ = the code's 0.005). Which target a sample bootstraps from is the
 * `TargetSampler`'s business: the one-step target here (`oneStepTarget`), the option-aware one in methods/ota.ts.
 */
import type { Rng } from '../../../core/rng';
import { Adam64 } from '../../../nn/adam';
import type { OfflineDataset } from '../data/dataset';

/**
 * Trajectories as OGBench stores them: the states of each episode, in order, with its final state (after its last
 * action) appended; indices run over all episodes.
 */
export interface GcTrajectories {
  readonly nS: number;
  readonly nA: number;
  /** State at each index. */
  readonly obs: Int32Array;
  /** Action taken at each index (−1 at a trajectory's final index). */
  readonly act: Int32Array;
  /** Final index of each index's trajectory. */
  readonly final: Int32Array;
  /** Indices that have a successor (act ≥ 0): where transitions start. */
  readonly valid: Int32Array;
}

/** The trajectories of a dataset whose episodes are contiguous, each transition continuing the previous one. */
export function trajectoriesOf(data: OfflineDataset): GcTrajectories {
  const obs: number[] = [],
    act: number[] = [],
    fin: number[] = [];
  let start = 0;
  for (let i = 0; i < data.size; i++) {
    const first = i === 0 || data.episode[i] !== data.episode[i - 1];
    if (!first && data.s[i] !== data.sp[i - 1])
      throw new RangeError(`trajectoriesOf: transition ${i} does not continue its episode (s ≠ previous s')`);
    obs.push(data.s[i]);
    act.push(data.a[i]);
    const last = i === data.size - 1 || data.episode[i + 1] !== data.episode[i];
    if (last) {
      obs.push(data.sp[i]);
      act.push(-1);
      for (let j = start; j < obs.length; j++) fin.push(obs.length - 1);
      start = obs.length;
    }
  }
  const valid: number[] = [];
  for (let j = 0; j < act.length; j++) if (act[j] >= 0) valid.push(j);
  return {
    nS: data.nS,
    nA: data.nA,
    obs: Int32Array.from(obs),
    act: Int32Array.from(act),
    final: Int32Array.from(fin),
    valid: Int32Array.from(valid),
  };
}

/** Goal sampling of a value learner (OGBench's value_p_curgoal, value_p_trajgoal, value_p_randomgoal, geom). */
export interface GoalSampling {
  pCur: number;
  pTraj: number;
  pRandom: number;
  /** Geometric(1 − γ) offsets (true) or uniform over the rest of the trajectory (false). */
  geometric: boolean;
}

/** HIQL's value-goal sampling in OGBench (hiql.py defaults): 0.2 current, 0.5 trajectory (geometric), 0.3 random. */
export const HIQL_VALUE_GOALS: GoalSampling = { pCur: 0.2, pTraj: 0.5, pRandom: 0.3, geometric: true };

export type GoalKind = 0 | 1 | 2; // 0 current, 1 trajectory, 2 random

/** A sampled goal: its index in the data and how it was drawn. */
export interface SampledGoal {
  index: number;
  kind: GoalKind;
}

function checkGoals(gs: GoalSampling): void {
  const sum = gs.pCur + gs.pTraj + gs.pRandom;
  if (!(gs.pCur >= 0 && gs.pTraj >= 0 && gs.pRandom >= 0 && Math.abs(sum - 1) < 1e-9))
    throw new RangeError(`goal sampling: probabilities must be ≥ 0 and sum to 1, got ${JSON.stringify(gs)}`);
  if (!(gs.pCur < 1)) throw new RangeError('goal sampling: pCur must be < 1');
}

/** Draw the goal of index i (GCDataset.sample_goals). */
export function sampleGoal(traj: GcTrajectories, i: number, gs: GoalSampling, gamma: number, rng: Rng): SampledGoal {
  const fin = traj.final[i];
  let trajGoal: number;
  if (gs.geometric) {
    const u = rng.uniform();
    const k = gamma > 0 ? 1 + Math.floor(Math.log(1 - u) / Math.log(gamma)) : 1;
    trajGoal = Math.min(i + k, fin);
  } else {
    const d = rng.uniform();
    trajGoal = Math.round(Math.min(i + 1, fin) * d + fin * (1 - d));
  }
  const useTraj = rng.uniform() < gs.pTraj / (1 - gs.pCur);
  let g: SampledGoal = useTraj ? { index: trajGoal, kind: 1 } : { index: rng.int(traj.obs.length), kind: 2 };
  if (rng.uniform() < gs.pCur) g = { index: i, kind: 0 };
  return g;
}

/** One TD sample: bootstrap V̄(next, g) with reward r and mask m into V(s, g). */
export interface ValueTarget {
  s: number;
  next: number;
  g: number;
  reward: number;
  mask: number;
}

/** Fills `out` with the TD sample of transition index i (a valid index). */
export type TargetSampler = (traj: GcTrajectories, i: number, rng: Rng, out: ValueTarget) => void;

/**
 * The one-step target of GCIVL / HIQL (eq. (4) of HIQL): next = s_{t+1}; r = 0, m = 0 when s_t = g, else r = −1,
 * m = 1 (OGBench's gc_negative). Success is state equality (the discrete analogue of the code's index equality).
 */
export function oneStepTarget(goals: GoalSampling, gamma: number): TargetSampler {
  checkGoals(goals);
  return (traj, i, rng, out) => {
    const g = traj.obs[sampleGoal(traj, i, goals, gamma, rng).index];
    const s = traj.obs[i];
    const hit = s === g;
    out.s = s;
    out.next = traj.obs[i + 1];
    out.g = g;
    out.reward = hit ? 0 : -1;
    out.mask = hit ? 0 : 1;
  };
}

export interface GcValueOptions {
  /** Gradient steps. */
  steps: number;
  /** Samples per step. */
  batch: number;
  /** Adam learning rate. */
  lr: number;
  /** Embedding dimension r of the two towers. */
  rank: number;
  /** Standard deviation of the initial embeddings (the bias starts at 0). */
  initScale: number;
  /** Expectile τ ∈ (0, 1) (OGBench: 0.7). */
  expectile: number;
  /** Polyak rate ρ of the target parameters (OGBench: 0.005). */
  polyak: number;
  /** Discount of the bootstrap (one per sample: per step for the one-step target, per option for OTA's). */
  gamma: number;
}

export interface GcValue {
  readonly nS: number;
  /** V(s, g) at index s·nS + g (the trained model, materialised). */
  readonly V: Float64Array;
  /** Number of TD samples drawn with each (s, g). */
  readonly updates: Int32Array;
}

/** Parameters θ = (b, u(0..nS−1), v(0..nS−1)) flat: b at 0, u(s) at 1 + s·r, v(g) at 1 + (nS + g)·r. */
function valueAt(theta: Float64Array, nS: number, r: number, s: number, g: number): number {
  const us = 1 + s * r,
    vg = 1 + (nS + g) * r;
  let x = theta[0];
  for (let j = 0; j < r; j++) x += theta[us + j] * theta[vg + j];
  return x;
}

/** The value table of parameters θ. */
export function materialise(theta: Float64Array, nS: number, r: number): Float64Array {
  const V = new Float64Array(nS * nS);
  for (let s = 0; s < nS; s++) for (let g = 0; g < nS; g++) V[s * nS + g] = valueAt(theta, nS, r, s, g);
  return V;
}

/** Expectile TD on trajectories (see the file comment). */
export function trainGcValue(traj: GcTrajectories, sampler: TargetSampler, o: GcValueOptions, rng: Rng): GcValue {
  const where = 'trainGcValue';
  if (!(Number.isInteger(o.steps) && o.steps >= 0)) throw new RangeError(`${where}: steps must be an integer ≥ 0`);
  if (!(Number.isInteger(o.batch) && o.batch >= 1)) throw new RangeError(`${where}: batch must be an integer ≥ 1`);
  if (!(Number.isInteger(o.rank) && o.rank >= 1)) throw new RangeError(`${where}: rank must be an integer ≥ 1`);
  if (!(o.lr > 0)) throw new RangeError(`${where}: lr must be > 0, got ${o.lr}`);
  if (!(o.initScale >= 0)) throw new RangeError(`${where}: initScale must be ≥ 0`);
  if (!(o.expectile > 0 && o.expectile < 1)) throw new RangeError(`${where}: expectile must lie in (0, 1)`);
  if (!(o.polyak > 0 && o.polyak <= 1)) throw new RangeError(`${where}: polyak must lie in (0, 1]`);
  if (!(o.gamma >= 0 && o.gamma < 1)) throw new RangeError(`${where}: gamma must lie in [0, 1)`);
  if (traj.valid.length === 0) throw new RangeError(`${where}: the data hold no transition`);
  const nS = traj.nS,
    r = o.rank;
  const theta = new Float64Array(1 + 2 * nS * r);
  const init = rng.split('init');
  for (let i = 1; i < theta.length; i++) theta[i] = init.normal(0, o.initScale);
  const target = Float64Array.from(theta);
  const grad = new Float64Array(theta.length);
  const adam = new Adam64(theta.length, { lr: o.lr });
  const updates = new Int32Array(nS * nS);
  const tgt: ValueTarget = { s: 0, next: 0, g: 0, reward: 0, mask: 0 };
  const { expectile: tau, polyak: rho, gamma } = o;
  const draw = rng.split('batches');
  for (let step = 0; step < o.steps; step++) {
    grad.fill(0);
    for (let b = 0; b < o.batch; b++) {
      const i = traj.valid[draw.int(traj.valid.length)];
      sampler(traj, i, draw, tgt);
      const { s, g } = tgt;
      updates[s * nS + g]++;
      const q = tgt.reward + gamma * tgt.mask * valueAt(target, nS, r, tgt.next, g);
      const w = q - valueAt(target, nS, r, s, g) >= 0 ? tau : 1 - tau;
      const v = valueAt(theta, nS, r, s, g);
      // d/dθ of w (q − V)² / batch: −2 w (q − V) ∂V/∂θ / batch.
      const c = (-2 * w * (q - v)) / o.batch;
      grad[0] += c;
      const us = 1 + s * r,
        vg = 1 + (nS + g) * r;
      for (let j = 0; j < r; j++) {
        grad[us + j] += c * theta[vg + j];
        grad[vg + j] += c * theta[us + j];
      }
    }
    adam.step(theta, grad);
    for (let i = 0; i < theta.length; i++) target[i] += rho * (theta[i] - target[i]);
  }
  return { nS, V: materialise(theta, nS, r), updates };
}

/** The optimal one-step value on a deterministic world: V*(s, g) = −(1 − γ^d)/(1 − γ), d the BFS distance. */
export function optimalOneStepValue(d: number, gamma: number): number {
  return -(1 - Math.pow(gamma, d)) / (1 - gamma);
}
