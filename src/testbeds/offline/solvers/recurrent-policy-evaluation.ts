/**
 * Exact evaluation of a policy that acts on a recurrent summary of its history in a deterministic POMDP
 * (env/aliased-grid-pomdp.ts): the agent keeps z_0 = init(s_0, o_0), z_{t+1} = step(z_t, a_t, s_{t+1}, o_{t+1})
 * (history encoders ignore the true cell; the state oracle uses it), acts with π(·|z_t), and once z = −1 (a history
 * its representation has never seen) it stays off the data and acts uniformly at random. The return
 * E[Σ_{t<H} γ^t r_t] is computed by propagating the exact distribution over (s, z) pairs for H steps.
 */
import type { AliasedGridPomdp } from '../env/aliased-grid-pomdp';

export interface RecurrentEncoder {
  /** Number of summaries (policy rows). */
  nZ: number;
  init(s: number, o: number): number;
  step(z: number, a: number, sp: number, op: number): number;
}

export interface RecurrentEvaluation {
  /** E[Σ_{t<H} γ^t r_t] from the start. */
  value: number;
  /** Probability of reaching the goal within H steps. */
  success: number;
  /** Probability of being off the data (z = −1) and not at the goal after H steps. */
  offData: number;
}

export function evaluateRecurrentPolicy(
  p: AliasedGridPomdp,
  enc: RecurrentEncoder,
  policy: Float64Array,
  horizon: number,
): RecurrentEvaluation {
  const { nA, gamma } = p;
  const W = enc.nZ + 1;
  let dist = new Map<number, number>([[p.start * W + enc.init(p.start, p.obs[p.start]) + 1, 1]]);
  let value = 0,
    success = 0,
    disc = 1;
  for (let t = 0; t < horizon; t++) {
    const nextDist = new Map<number, number>();
    for (const [key, mass] of dist) {
      const s = Math.floor(key / W),
        z = (key % W) - 1;
      for (let a = 0; a < nA; a++) {
        const pa = z < 0 ? 1 / nA : policy[z * nA + a];
        if (pa === 0) continue;
        const m = mass * pa;
        const sp = p.next[s * nA + a];
        const r = p.reward[s * nA + a];
        value += disc * m * r;
        if (sp === p.goal) {
          success += m;
          continue;
        }
        const zp = z < 0 ? -1 : enc.step(z, a, sp, p.obs[sp]);
        const k = sp * W + zp + 1;
        nextDist.set(k, (nextDist.get(k) ?? 0) + m);
      }
    }
    dist = nextDist;
    disc *= gamma;
  }
  let off = 0;
  for (const [key, mass] of dist) if (key % W === 0) off += mass;
  return { value, success, offData: off };
}
