/**
 * Exact finite-horizon (undiscounted) values on an offline MDP: the expected sum of rewards of the first H steps of
 * an episode, stopping on entering a terminal state, by backward induction (no rollout noise):
 *   V_0 = 0,  V_h(s) = 0 at terminal s,  V_h(s) = Σ_a π(a|s) Σ_{s'} τ(s, a, s') [R(s, a, s') + V_{h−1}(s')]
 *   J_H(π) = Σ_s μ₀(s) V_H(s).
 * This is the score of episodic benchmarks with a step limit (FrozenLake's success rate within 100 steps; a
 * bandit's expected reward with H = 1). `optimalFiniteHorizonValue` is the best (non-stationary) policy's J_H,
 * by the same recursion with a max over actions.
 */
import type { Policy } from '../../tabular/env/mdp';
import { policyMatrix } from '../../tabular/solvers/exact';
import type { OfflineMdp } from '../env/tasks';

function checkHorizon(H: number, where: string): void {
  if (!(Number.isInteger(H) && H >= 0)) throw new RangeError(`${where}: horizon must be an integer ≥ 0, got ${H}`);
}

/**
 * H steps of backward induction V_h(s) = agg_s(a ↦ Q_h(s, a)) with
 * Q_h(s, a) = Σ_{s'} τ(s, a, s') [R(s, a, s') + V_{h−1}(s')],
 * from V_0 = 0 and V_h = 0 at terminal states; `agg(s, q)` gets the nA action values of s.
 */
function backwardInduction(mdp: OfflineMdp, H: number, agg: (s: number, q: Float64Array) => number): Float64Array {
  const { env, entryReward, terminal } = mdp;
  const { nS, nA, T } = env;
  let V = new Float64Array(nS);
  let next = new Float64Array(nS);
  const q = new Float64Array(nA);
  for (let h = 1; h <= H; h++) {
    for (let s = 0; s < nS; s++) {
      if (terminal[s]) {
        next[s] = 0;
        continue;
      }
      for (let a = 0; a < nA; a++) {
        const row = s * nA + a;
        let v = 0;
        for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) v += T.prob[k] * (entryReward[k] + V[T.col[k]]);
        q[a] = v;
      }
      next[s] = agg(s, q);
    }
    [V, next] = [next, V];
  }
  return V;
}

/** μ₀ · V. */
function initialValue(mdp: OfflineMdp, V: Float64Array): number {
  let J = 0;
  for (let s = 0; s < mdp.env.nS; s++) J += mdp.env.init[s] * V[s];
  return J;
}

/** V_H(s) of a stationary policy (length nS). */
export function finiteHorizonStateValues(mdp: OfflineMdp, policy: Policy, H: number): Float64Array {
  checkHorizon(H, 'finiteHorizonStateValues');
  const nA = mdp.env.nA;
  const pi = policyMatrix(mdp.env, policy);
  return backwardInduction(mdp, H, (s, q) => {
    let v = 0;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p !== 0) v += p * q[a];
    }
    return v;
  });
}

/** J_H(π) = μ₀ · V_H. */
export function finiteHorizonValue(mdp: OfflineMdp, policy: Policy, H: number): number {
  return initialValue(mdp, finiteHorizonStateValues(mdp, policy, H));
}

/** The optimal J_H over all (time-dependent) policies. */
export function optimalFiniteHorizonValue(mdp: OfflineMdp, H: number): number {
  checkHorizon(H, 'optimalFiniteHorizonValue');
  const V = backwardInduction(mdp, H, (_s, q) => {
    let best = -Infinity;
    for (let a = 0; a < q.length; a++) if (q[a] > best) best = q[a];
    return best;
  });
  return initialValue(mdp, V);
}
