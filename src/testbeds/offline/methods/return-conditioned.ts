/**
 * Return-conditioned supervised learning (RCSL), tabular: the Decision-Transformer-style policy of Chen et al.,
 * "Decision Transformer: Reinforcement Learning via Sequence Modeling" (NeurIPS 2021) and RvS (Emmons et al., ICLR
 * 2022), as Yang et al., "Dichotomy of Control" (ICLR 2023, arXiv:2210.13435) write its objective (§3, eq. 1):
 *   L_RCSL(π) = E_{τ∼D}[ Σ_t −log π(a_t | τ_{0:t−1}, s_t, R_t) ],   R_t = Σ_{t' ≥ t} r_{t'} (return-to-go)
 * and as their official tabular code implements it (google-research dichotomy_of_control/models/tabular_dt.py: a
 * table π(a | s, R) over states and discrete returns-to-go, evaluated with the highest return, `num_rtg − 1`).
 * With a tabular (Markov) policy the minimiser is the count ratio π(a | s, R) = n(s, a, R) / n(s, R). At test time
 * the policy is conditioned on a target return g (default: the largest return-to-go in the data, the usual DT
 * evaluation); with sparse terminal rewards (bandits, goal reaching) the return-to-go stays g until the reward
 * arrives, so π(a | s, g) is a stationary policy. States where the data never reached return g get the uniform
 * policy (the table has no data there).
 */
import { asEpisodeBatch, type OfflineDataset } from '../data/dataset';
import type { LearnedPolicy } from '../data/empirical';
import { returnsToGo } from '../../tabular/loops/learners';

/** Undiscounted return-to-go R_t of every transition within its episode. */
export function undiscountedReturnsToGo(data: OfflineDataset): Float64Array {
  return returnsToGo(asEpisodeBatch(data), data.r, 1);
}

export interface ReturnConditionedOptions {
  /** Target return g (default: max return-to-go in the data). */
  target?: number;
  /** Returns within tol of g count as g (default 1e-9). */
  tol?: number;
}

export interface ReturnConditionedPolicy extends LearnedPolicy {
  /** The return the policy is conditioned on. */
  target: number;
  /** Samples with return-to-go g (the data behind the conditioned table). */
  matched: number;
}

export function returnConditioned(data: OfflineDataset, opts: ReturnConditionedOptions = {}): ReturnConditionedPolicy {
  const { nS, nA } = data;
  if (data.size === 0) throw new RangeError('returnConditioned: the dataset is empty');
  const G = undiscountedReturnsToGo(data);
  let gMax = -Infinity;
  for (let i = 0; i < data.size; i++) gMax = Math.max(gMax, G[i]);
  const target = opts.target ?? gMax;
  const tol = opts.tol ?? 1e-9;
  const n = new Float64Array(nS * nA);
  let matched = 0;
  for (let i = 0; i < data.size; i++)
    if (Math.abs(G[i] - target) <= tol) {
      n[data.s[i] * nA + data.a[i]]++;
      matched++;
    }
  const policy = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += n[s * nA + a];
    for (let a = 0; a < nA; a++) policy[s * nA + a] = z > 0 ? n[s * nA + a] / z : 1 / nA;
  }
  return { policy, target, matched };
}
