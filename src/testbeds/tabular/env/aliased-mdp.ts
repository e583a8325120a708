/**
 * A two-state aliased MDP in which REINFORCE without the γ^t factor converges to a suboptimal policy:
 * the algorithm-bias case of the BARFI miniature (Gupta et al., NeurIPS 2023, whose abstract claims
 * BARFI can "mitigate suboptimalities resulting from limitations and biases inherent in the
 * underlying RL algorithms"; the construction is ours).
 */

import { fromDenseTransitions, type TabularEnv } from './mdp';

/**
 * The algorithm-bias MDP: two states that the policy cannot tell apart (one
 * observation), two actions, at most two steps.
 *   s0: a0 → s1 (reward 0);       a1 → end (reward c)
 *   s1: a0 → end (reward 0);      a1 → end (reward d)
 * With p = π(a0 | o), the primary objective J(p) = (1−p)c + γ p (1−p) d is maximised at
 * p* = (1 − c/(γd))/2, while REINFORCE that drops γ^t converges to the root of its expected update,
 * −c + γ(1−p)d − p d = 0, i.e. p_b = (γd − c)/((1+γ)d) (< p* for γ < 1).
 */
export function makeAliasedBiasMdp(opts: { gamma: number; c?: number; d?: number }): {
  env: TabularEnv;
  obs: Int32Array;
  terminal: Uint8Array;
  primary: Float64Array;
  aux: Float64Array;
  pStar: number;
  pBiased: number;
  horizon: number;
} {
  const c = opts.c ?? 0;
  const d = opts.d ?? 1;
  const gamma = opts.gamma;
  const nS = 3,
    nA = 2,
    end = 2;
  const dense = new Float64Array(nS * nA * nS);
  const R = new Float64Array(nS * nA * nS);
  const set = (s: number, a: number, sp: number, r: number) => {
    dense[(s * nA + a) * nS + sp] = 1;
    R[(s * nA + a) * nS + sp] = r;
  };
  set(0, 0, 1, 0);
  set(0, 1, end, c);
  set(1, 0, end, 0);
  set(1, 1, end, d);
  set(end, 0, end, 0);
  set(end, 1, end, 0);
  const init = new Float64Array(nS);
  init[0] = 1;
  const env: TabularEnv = { nS, nA, gamma, T: fromDenseTransitions(nS, nA, dense), init };
  const terminal = new Uint8Array(nS);
  terminal[end] = 1;
  const pStar = Math.min(1, Math.max(0, (1 - c / (gamma * d)) / 2));
  const pBiased = Math.min(1, Math.max(0, (gamma * d - c) / ((1 + gamma) * d)));
  return {
    env,
    obs: new Int32Array([0, 0, 1]),
    terminal,
    primary: R,
    aux: new Float64Array(R.length),
    pStar,
    pBiased,
    horizon: 2,
  };
}
