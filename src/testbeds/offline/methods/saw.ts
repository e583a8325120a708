/**
 * Subgoal advantage-weighted policy bootstrapping (SAW; Zhou & Kao, "Flattening Hierarchies with Policy
 * Bootstrapping", NeurIPS 2025, arXiv:2505.14975; the SAW objective J(θ) as displayed on the project page
 * johnlyzhou.github.io/saw, implemented from the official code github.com/johnlyzhou/saw impls/agents/saw.py
 * `actor_loss` + `waypoint_loss`, whose sum the flat actor minimises):
 *   J(π) = E_{(s, a, s', w)∼D, g}[ e^{α A(s, a, g)} log π(a | s, g)
 *                                   − e^{β A(s, w, g)} KL(π^sub(· | s, w) ‖ π(· | s, g)) ]
 *   A(s, a, g) = V(s', g) − V(s, g)       (the one-step advantage of the goal-conditioned value: the AWR term)
 *   A(s, w, g) = V(w, g) − V(s, g)        (the waypoint's advantage toward g: the importance weight of the KL term)
 * with V the GCIVL value (methods/gc-value.ts), each exponential clipped at 100 (the code's), w = s_{min(t + k, goal)}
 * the state k steps ahead on the same trajectory (HIQL's subgoal target, methods/hiql.ts `subgoalTarget`), and
 * π^sub(a | s, w) the subgoal-conditioned policy — in the code HIQL's low-level actor, trained by AWR toward
 * k-step goals (hiql.ts `lowLevelAction`). No model generates subgoals: the waypoint is read from the data and only
 * re-weighted by exp(β A(s, w, g)).
 *
 * KL direction: the code's `w_dist.kl_divergence(dist)` is KL(π^sub ‖ π) (the project page writes KL(π ‖ π^sub));
 * with the code's constant-σ Gaussian actors both directions are the same ‖μ − μ^sub‖² / 2σ². For categorical actions
 * the code's KL(π^sub ‖ π) is used here.
 *
 * Tabular minimiser. At a state s and goal g, with samples i (data indices at s; a_i, s'_i, w_i = w_i(g)),
 *   Σ_i [ e^{αA_i} log π(a_i) − e^{βA^w_i} KL(π^sub_i ‖ π) ] = Σ_a c(a) log π(a) + const,
 *   c(a) = Σ_i e^{αA_i} 1[a_i = a] + Σ_i e^{βA^w_i} π^sub(a | s, w_i),
 * so the maximiser over the simplex is π(a | s, g) = c(a) / Σ_a' c(a'): a mixture of the flat AWR policy (weight
 * Z_awr = Σ e^{αA_i}) and HIQL's composite policy Σ_w π^h(w | s, g) π^sub(a | s, w) with
 * π^h(w | s, g) ∝ Σ_{i: w_i = w} e^{βA^w_i} (weight Z_kl = Σ e^{βA^w_i}). Without the KL term SAW is flat AWR on V
 * (GCIVL's actor); without the AWR term it is HIQL's hierarchy collapsed into one flat policy — the "specific design
 * choices within our derivation" of the paper's abstract. As in hiql.ts, actor goals are treated as independent of the
 * sample's trajectory (every sample at s is relabelled with every goal); states without data act uniformly.
 */
import type { StateIndex } from './hiql';
import { subgoalTarget } from './hiql';
import type { GcTrajectories } from './gc-value';
import { klDivergence } from '../../tabular/methods/occupancy-regularisation';

export interface SawOptions {
  /** AWR inverse temperature α of the one-step term (the code's awr_alpha = 3). */
  alpha: number;
  /** Inverse temperature β of the waypoint importance weight (the code's kl_alpha = 3). */
  beta: number;
  /** Waypoint steps k (the code's subgoal_steps; 25 in the mazes). */
  subgoalSteps: number;
  /** Which terms enter (ablations): the AWR term, the bootstrapped KL term (both true for SAW). */
  awrTerm: boolean;
  klTerm: boolean;
  /** Cap on each exponential weight (default 100, the code's). */
  maxWeight?: number;
}

/** The code's defaults (agents/saw.py get_config) with this miniature's k. */
export const SAW_DEFAULTS: SawOptions = { alpha: 3, beta: 3, subgoalSteps: 25, awrTerm: true, klTerm: true };

/** π^sub(· | s, w) into out (length nA). */
export type SubgoalConditionedPolicy = (s: number, w: number, out: Float64Array) => Float64Array;

/** One actor sample of J at (s, g): the action taken, its successor and the waypoint k steps ahead. */
export interface SawSample {
  a: number;
  next: number;
  waypoint: number;
}

/** The two weights of one sample: e^{α A(s,a,g)} and e^{β A(s,w,g)}, each clipped at maxWeight. */
export function sawWeights(
  V: Float64Array,
  nS: number,
  s: number,
  g: number,
  x: SawSample,
  o: SawOptions,
): { awr: number; kl: number } {
  const cap = o.maxWeight ?? 100;
  const v0 = V[s * nS + g];
  return {
    awr: o.awrTerm ? Math.min(Math.exp(o.alpha * (V[x.next * nS + g] - v0)), cap) : 0,
    kl: o.klTerm ? Math.min(Math.exp(o.beta * (V[x.waypoint * nS + g] - v0)), cap) : 0,
  };
}

/**
 * The SAW loss −J at one (s, g), summed over its samples (the code averages over a batch; the minimiser is the same):
 *   L(π) = Σ_i [ −e^{αA_i} log π(a_i) + e^{βA^w_i} KL(π^sub(· | s, w_i) ‖ π) ].
 * `pi` is π(· | s, g) (length nA).
 */
export function sawLoss(
  V: Float64Array,
  nS: number,
  s: number,
  g: number,
  samples: readonly SawSample[],
  pi: ArrayLike<number>,
  sub: SubgoalConditionedPolicy,
  nA: number,
  o: SawOptions,
): number {
  const tmp = new Float64Array(nA);
  const q = Float64Array.from(pi);
  let loss = 0;
  for (const x of samples) {
    const w = sawWeights(V, nS, s, g, x, o);
    if (w.awr > 0) loss -= w.awr * Math.log(q[x.a]);
    if (w.kl > 0) loss += w.kl * klDivergence(sub(s, x.waypoint, tmp), q);
  }
  return loss;
}

/** The minimiser of `sawLoss` at (s, g) over the simplex: π(a) ∝ c(a) (file comment); uniform if Σ c = 0. */
export function sawTarget(
  V: Float64Array,
  nS: number,
  s: number,
  g: number,
  samples: readonly SawSample[],
  sub: SubgoalConditionedPolicy,
  nA: number,
  o: SawOptions,
  out: Float64Array = new Float64Array(nA),
): Float64Array {
  const tmp = new Float64Array(nA);
  out.fill(0);
  for (const x of samples) {
    const w = sawWeights(V, nS, s, g, x, o);
    out[x.a] += w.awr;
    if (w.kl > 0) {
      sub(s, x.waypoint, tmp);
      for (let a = 0; a < nA; a++) out[a] += w.kl * tmp[a];
    }
  }
  let z = 0;
  for (let a = 0; a < nA; a++) z += out[a];
  if (!(z > 0)) return out.fill(1 / nA);
  for (let a = 0; a < nA; a++) out[a] /= z;
  return out;
}

/**
 * The flat SAW policy π(a | s, g) for one goal on trajectory data (length nS·nA): at every state, `sawTarget` over
 * the data's samples at s relabelled with g (waypoints w_i(g) = subgoalTarget(traj, i, k, g)). Samples with the same
 * (a, s', w) are merged with their counts (the minimiser is unchanged).
 */
export function sawPolicy(
  traj: GcTrajectories,
  si: StateIndex,
  V: Float64Array,
  g: number,
  sub: SubgoalConditionedPolicy,
  o: SawOptions,
): Float64Array {
  const { nS, nA } = traj;
  if (!(Number.isInteger(o.subgoalSteps) && o.subgoalSteps >= 1))
    throw new RangeError(`sawPolicy: subgoalSteps must be an integer ≥ 1, got ${o.subgoalSteps}`);
  const pi = new Float64Array(nS * nA);
  const out = new Float64Array(nA);
  const tmp = new Float64Array(nA);
  const cnt = new Map<number, number>();
  for (let s = 0; s < nS; s++) {
    if (si.ptr[s] === si.ptr[s + 1]) {
      pi.fill(1 / nA, s * nA, (s + 1) * nA);
      continue;
    }
    cnt.clear();
    for (let m = si.ptr[s]; m < si.ptr[s + 1]; m++) {
      const i = si.idx[m];
      const key = (traj.act[i] * nS + traj.obs[i + 1]) * nS + subgoalTarget(traj, i, o.subgoalSteps, g);
      cnt.set(key, (cnt.get(key) ?? 0) + 1);
    }
    out.fill(0);
    for (const [key, c] of cnt) {
      const w = key % nS,
        next = Math.floor(key / nS) % nS,
        a = Math.floor(key / (nS * nS));
      const wt = sawWeights(V, nS, s, g, { a, next, waypoint: w }, o);
      out[a] += c * wt.awr;
      if (wt.kl > 0) {
        sub(s, w, tmp);
        for (let b = 0; b < nA; b++) out[b] += c * wt.kl * tmp[b];
      }
    }
    let z = 0;
    for (let b = 0; b < nA; b++) z += out[b];
    for (let b = 0; b < nA; b++) pi[s * nA + b] = z > 0 ? out[b] / z : 1 / nA;
  }
  return pi;
}

/** The data's samples at s for goal g (one per data index, in index order), as `sawLoss` and `sawTarget` take them. */
export function samplesAt(traj: GcTrajectories, si: StateIndex, s: number, g: number, k: number): SawSample[] {
  const out: SawSample[] = [];
  for (let m = si.ptr[s]; m < si.ptr[s + 1]; m++) {
    const i = si.idx[m];
    out.push({ a: traj.act[i], next: traj.obs[i + 1], waypoint: subgoalTarget(traj, i, k, g) });
  }
  return out;
}
