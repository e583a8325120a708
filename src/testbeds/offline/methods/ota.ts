/**
 * Option-aware temporally abstracted value learning (OTA; Ahn, Choi, Han & Moon, "Option-aware Temporally Abstracted
 * Value for Offline Goal-Conditioned Reinforcement Learning", NeurIPS 2025, arXiv:2505.12737, §4, the option-aware
 * value objective L(V^h_OTA, n); implemented from the official code, github.com/ota-v/ota-v agents/ota.py
 * `high_value_loss` and utils/datasets.py `HGCDataset.sample_high_goals`, read through a verbatim copy of both in a
 * public derivative repository):
 *   L(V^h, n) = E_{(s_t, s^Ω, g)∼D}[ L₂^τ( r(s^Ω, g) + γ m(s^Ω, g) V̄^h(s^Ω, g) − V^h(s_t, g) ) ]
 * The option Ω follows the data's trajectory from s_t and terminates after n steps (the abstraction factor; at the
 * trajectory's end at the latest) or on reaching the goal; s^Ω is where it terminates. The reward is option-aware:
 * r = 0 and m = 0 if the option terminated at the goal, r = −1 and m = 1 otherwise — one reward and ONE discount γ
 * per option (the code applies `discount`, not γ^n), so V^h counts options, not steps: on a deterministic world
 * with shortest-path data, V^h(s, g) = −(1 − γ^{⌈d/n⌉ − 1})/(1 − γ) for d > 0 (d the shortest-path distance; 0 within
 * one option). The effective horizon contracts from d to about d/n, and the value difference between a state and
 * a subgoal k steps closer to the goal no longer vanishes like γ^d at far goals.
 *
 * Goals are sampled as for the one-step value (gc-value.ts sampleGoal); with the current-state goal (p_cur) the code
 * makes the option's terminal state the goal. Early termination: the code ends a trajectory-goal option at
 * min(t + n, goal index); here (discrete states) the option ends at the first index j ∈ [t, min(t + n, end)] whose
 * state is the goal, for any goal (state equality instead of index equality, as for the one-step target), which
 * includes j = t: an option that starts at the goal has reached it (V^h(g, g) = 0).
 *
 * OTA changes only the high-level value: the low-level policy keeps the one-step value (agents/ota.py trains both
 * `low_value`, the GCIVL loss, and `high_value`, this loss, and the high-level actor's advantage uses `high_value`).
 */
import { sampleGoal, type GcTrajectories, type GoalSampling, type TargetSampler, type ValueTarget } from './gc-value';

/** The option-aware target of abstraction factor n (see the file comment). */
export function optionAwareTarget(goals: GoalSampling, gamma: number, n: number): TargetSampler {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`optionAwareTarget: n must be an integer ≥ 1, got ${n}`);
  const sum = goals.pCur + goals.pTraj + goals.pRandom;
  if (!(Math.abs(sum - 1) < 1e-9)) throw new RangeError('optionAwareTarget: goal probabilities must sum to 1');
  return (traj: GcTrajectories, i: number, rng, out: ValueTarget) => {
    const goal = sampleGoal(traj, i, goals, gamma, rng);
    const end = Math.min(i + n, traj.final[i]);
    const g = goal.kind === 0 ? traj.obs[end] : traj.obs[goal.index];
    let j = i;
    while (j < end && traj.obs[j] !== g) j++;
    const hit = traj.obs[j] === g;
    out.s = traj.obs[i];
    out.next = traj.obs[j];
    out.g = g;
    out.reward = hit ? 0 : -1;
    out.mask = hit ? 0 : 1;
  };
}

/** V^h_OTA on a deterministic world with shortest-path behaviour: −(1 − γ^{⌈d/n⌉−1})/(1 − γ) for d > 0, 0 at d = 0. */
export function optimalOptionValue(d: number, gamma: number, n: number): number {
  if (d === 0) return 0;
  const m = Math.ceil(d / n) - 1;
  return m === 0 ? 0 : -(1 - Math.pow(gamma, m)) / (1 - gamma);
}
