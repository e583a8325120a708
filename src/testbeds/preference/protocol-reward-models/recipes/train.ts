/**
 * The gradient learners' shared loop in the reward-model protocol: `steps` Adam steps, each on `batch` pairs of every
 * dataset (the same batches for every method of a seed and task), with the datasets weighted uniformly or by MORE.
 */
import type { Rng } from '../../../../core/rng';
import { rowsOf } from '../../data/feature-preferences';
import { BtMlpReward } from '../../methods/bradley-terry-mlp';
import { multiDatasetStep, type DatasetWeighting } from '../../methods/multi-objective-reward';
import type { ProtocolConfig, ProtocolData } from '../core';

export function trainMlpReward(
  data: ProtocolData,
  config: ProtocolConfig,
  rng: Rng,
  weighting: DatasetWeighting,
  labels: 'data' | 'gold' = 'data',
): BtMlpReward {
  const { d, K } = data;
  const model = new BtMlpReward({ dIn: d, hidden: [64, 64], lr: 1e-3 }, rng.split('weights'));
  const order = rng.split('batches');
  const n = K * config.batch;
  const task = Int32Array.from({ length: n }, (_, i) => Math.floor(i / config.batch));
  for (let t = 0; t < config.steps; t++) {
    const x1 = new Float32Array(n * d),
      x2 = new Float32Array(n * d),
      y = new Float32Array(n);
    for (let k = 0; k < K; k++) {
      const ds = data.datasets[k];
      const idx = Array.from({ length: config.batch }, () => order.int(ds.y.length));
      x1.set(rowsOf(ds.x1, idx, d), k * config.batch * d);
      x2.set(rowsOf(ds.x2, idx, d), k * config.batch * d);
      // gold labels: a draw from the gold utility's preference probability of the same pair
      idx.forEach((j, b) => {
        y[k * config.batch + b] =
          labels === 'data'
            ? ds.y[j]
            : order.uniform() < 1 / (1 + Math.exp(-(data.gold(ds.x1, j) - data.gold(ds.x2, j))))
              ? 1
              : 0;
      });
    }
    multiDatasetStep(model, weighting, x1, x2, y, task, K);
  }
  return model;
}
