/**
 * Advantage-weighted regression, tabular (Peng, Kumar, Zhang & Levine, "Advantage-Weighted Regression: Simple and
 * Scalable Off-Policy Reinforcement Learning", 2019, arXiv:1910.00177, Algorithm 1, one iteration on a fixed
 * dataset, as in its experiments with static datasets):
 *   V = argmin_V E_{s∼D}[ (R_{s,a} − V(s))² ]
 *   π = argmax_π E_{(s,a)∼D}[ log π(a|s) exp((R_{s,a} − V(s)) / β) ]
 * R_{s,a} is the Monte Carlo discounted return-to-go of the transition in its episode (TD(λ) with λ = 1; a truncated
 * episode's return stops at its last step; tabular/loops/learners.ts returnsToGo on `asEpisodeBatch(data)`).
 * Tabular minimisers: V(s) the mean return at s; π(a|s) ∝ Σ_{i ∈ D(s,a)} min(exp((R_i − V(s))/β), maxWeight)
 * (the official code clips weights at 20); uniform at states without data.
 */
import { asEpisodeBatch, type OfflineDataset } from '../data/dataset';
import { returnsToGo } from '../../tabular/loops/learners';
import { empiricalIndex, policyFromWeights, type LearnedPolicy } from '../data/empirical';

export interface AwrOptions {
  /** Temperature β > 0. */
  beta: number;
  /** Cap on each sample's weight (default 20, the official code's). */
  maxWeight?: number;
}

export function awr(data: OfflineDataset, opts: AwrOptions): LearnedPolicy {
  const { beta } = opts;
  const maxWeight = opts.maxWeight ?? 20;
  if (!(beta > 0)) throw new RangeError(`awr: beta must be > 0, got ${beta}`);
  const idx = empiricalIndex(data);
  const { nS, nA, stateCount } = idx;
  const G = returnsToGo(asEpisodeBatch(data), data.r, data.gamma);
  const V = new Float64Array(nS).fill(idx.outsideValue);
  const sum = new Float64Array(nS);
  for (let i = 0; i < data.size; i++) sum[data.s[i]] += G[i];
  for (let s = 0; s < nS; s++) if (stateCount[s] > 0) V[s] = sum[s] / stateCount[s];
  const w = new Float64Array(nS * nA);
  for (let i = 0; i < data.size; i++)
    w[data.s[i] * nA + data.a[i]] += Math.min(Math.exp((G[i] - V[data.s[i]]) / beta), maxWeight);
  return { policy: policyFromWeights(idx, w), V };
}
