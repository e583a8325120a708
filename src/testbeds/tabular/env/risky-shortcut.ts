/**
 * A small d-rectangular linear MDP (./linear-mdp) in which robustness changes the optimal policy: a risky
 * shortcut to an absorbing goal against a safe detour, with genuinely shared low-dimensional factors
 * (d = 5 < nS·nA = 15).
 *
 * States: 0 D0 (start), 1 D1 (a second decision state), 2 M (safe lane, absorbing), 3 G (goal, absorbing), 4 B
 * (trap, absorbing). Factors μ_i (the same at every step) and their reward weights θ_i:
 *   f0 "risky":  μ_0 = pWin·G + (1 − pWin)·B,   θ_0 = rSafe (both lanes pay rSafe on the step they are taken)
 *   f1 "safe":   μ_1 = M,                         θ_1 = rSafe (the safe lane pays rSafe per step)
 *   f2 "wait":   μ_2 = ½ D0 + ½ D1,               θ_2 = 0
 *   f3 "goal":   μ_3 = G,                         θ_3 = 1
 *   f4 "trap":   μ_4 = B,                         θ_4 = 0
 * Features: D0: a0 = f0, a1 = f1, a2 = f2; D1: a0 = 0.8f0 + 0.2f2, a1 = 0.8f1 + 0.2f2, a2 = ½f0 + ½f1;
 * M: every action f1; G: every action f3; B: every action f4.
 * Nominally the shortcut's goal mass pWin is worth more than the safe lane's rSafe per step; a TV adversary of
 * radius ρ on each factor moves ρ of mass onto the trap from the highest-valued next states, which costs the
 * shortcut (pWin − ρ of goal mass left) relatively more than the safe lane (1 − ρ of lane mass left), so for ρ
 * large enough the robust optimum takes the safe lane.
 */
import type { LinearMdp } from './linear-mdp';

export interface RiskyShortcutOptions {
  /** Horizon H. */
  H: number;
  /** Probability that the shortcut reaches the goal (else the trap). */
  pWin: number;
  /** Reward per step of the safe factor (the safe lane's pay-off), in [0, 1]. */
  rSafe: number;
}

export const RISKY_SHORTCUT_STATES = ['D0', 'D1', 'M', 'G', 'B'] as const;

export function riskyShortcutLinearMdp(o: RiskyShortcutOptions): LinearMdp {
  const nS = 5,
    nA = 3,
    d = 5,
    H = o.H;
  if (!(o.pWin >= 0 && o.pWin <= 1)) throw new RangeError(`pWin must be in [0, 1], got ${o.pWin}`);
  if (!(o.rSafe >= 0 && o.rSafe <= 1)) throw new RangeError(`rSafe must be in [0, 1], got ${o.rSafe}`);
  const [D0, D1, M, G, B] = [0, 1, 2, 3, 4];
  const phi = new Float64Array(nS * nA * d);
  const set = (s: number, a: number, w: number[]) => phi.set(w, (s * nA + a) * d);
  set(D0, 0, [1, 0, 0, 0, 0]);
  set(D0, 1, [0, 1, 0, 0, 0]);
  set(D0, 2, [0, 0, 1, 0, 0]);
  set(D1, 0, [0.8, 0, 0.2, 0, 0]);
  set(D1, 1, [0, 0.8, 0.2, 0, 0]);
  set(D1, 2, [0.5, 0.5, 0, 0, 0]);
  for (let a = 0; a < nA; a++) {
    set(M, a, [0, 1, 0, 0, 0]);
    set(G, a, [0, 0, 0, 1, 0]);
    set(B, a, [0, 0, 0, 0, 1]);
  }
  const factor = new Float64Array(d * nS);
  factor[0 * nS + G] = o.pWin;
  factor[0 * nS + B] = 1 - o.pWin;
  factor[1 * nS + M] = 1;
  factor[2 * nS + D0] = 0.5;
  factor[2 * nS + D1] = 0.5;
  factor[3 * nS + G] = 1;
  factor[4 * nS + B] = 1;
  const mu = new Float64Array(H * d * nS);
  const theta = new Float64Array(H * d);
  for (let h = 0; h < H; h++) {
    mu.set(factor, h * d * nS);
    theta.set([o.rSafe, o.rSafe, 0, 1, 0], h * d);
  }
  const init = new Float64Array(nS);
  init[D0] = 1;
  return { nS, nA, d, H, phi, mu, theta, init };
}
