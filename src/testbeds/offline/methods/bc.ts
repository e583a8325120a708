/**
 * Behaviour cloning, tabular: the maximum-likelihood policy of the data, π(a|s) = n(s, a) / n(s) (the minimiser of
 * −E_{(s,a)∼D}[log π(a|s)] over all tabular policies); uniform at states without data.
 */
import type { OfflineDataset } from '../data/dataset';
import { empiricalIndex, policyFromWeights, type LearnedPolicy } from '../data/empirical';

export function behaviourCloning(data: OfflineDataset): LearnedPolicy {
  const idx = empiricalIndex(data);
  return { policy: policyFromWeights(idx, idx.count) };
}
