/**
 * Goal-conditioned behaviour cloning, tabular (GCBC; Ghosh et al., "Learning to Reach Goals via Iterated Supervised
 * Learning", ICLR 2021; Lynch et al. 2019; as OGBench's agents/gcbc.py trains it, Park et al., ICLR 2025):
 *   J(π) = E_{t∼D, g∼p(g | t)}[ log π(a_t | s_t, g) ]
 * with the actor's goals drawn from the sample's own trajectory, uniformly over its future states s_{t+1..end}
 * (OGBench: actor_p_trajgoal = 1, actor_geom_sample = False). Tabular minimiser: for every (s, g),
 *   π(a | s, g) ∝ Σ_{t: s_t = s, a_t = a} #{j ∈ (t, end_t] : s_j = g} / (end_t − t),
 * the hindsight-relabelled action frequencies; uniform where no trajectory through s later visits g.
 */
import type { GcTrajectories } from './gc-value';

/** The GCBC policy for one goal g (length nS·nA). */
export function gcbcPolicy(traj: GcTrajectories, g: number): Float64Array {
  const { nS, nA, obs, act, final } = traj;
  const w = new Float64Array(nS * nA);
  // Suffix counts of g per trajectory: scan each trajectory backwards.
  let t = obs.length - 1;
  while (t >= 0) {
    const end = final[t];
    let after = 0; // #{j ∈ (t, end] : obs[j] = g}
    for (let j = end; j >= 0 && final[j] === end; j--) {
      if (act[j] >= 0 && after > 0) w[obs[j] * nA + act[j]] += after / (end - j);
      if (obs[j] === g) after++;
      t = j - 1;
    }
  }
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += w[s * nA + a];
    for (let a = 0; a < nA; a++) pi[s * nA + a] = z > 0 ? w[s * nA + a] / z : 1 / nA;
  }
  return pi;
}
