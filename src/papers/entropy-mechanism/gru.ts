/**
 * The entropy mechanism (Cui et al. 2025) on the GRU base model: GRPO with PPO-style reuse and the
 * paper's two covariance-based entropy controls, Clip-Cov and KL-Cov (testbed loop:
 * rlvr/loops/gru-entropy-control.ts), from the same base model on the same problems and random streams.
 * Task entry point: `runSeed(config, seed)`, one method per record.
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import {
  trainGruEntropyControl,
  type EntropyControl,
  type EntropyControlConfig,
} from '../../testbeds/rlvr/loops/gru-entropy-control';
import { meanPassAtKPow } from '../../testbeds/rlvr/passk';

/** The run of one method (rlvr/loops/gru-entropy-control.ts `EntropyControlConfig`, documented there). */
export type Config = EntropyControlConfig;
export type Method = EntropyControl;

/** The full-profile run (the notebook varies method, steps, evalEvery and, in smoke, the problem sets). */
export const DEFAULTS: Config = {
  method: 'grpo',
  digits: [2, 3],
  nTrain: 256,
  nHeldOut: 256,
  steps: 250,
  batchPrompts: 32,
  groupSize: 8,
  lr: 1e-3,
  advantage: { kind: 'grpo' },
  aggregation: 'token-mean',
  epochs: 2,
  clip: 0.2,
  evalEvery: 10,
  passKs: [1, 16, 256],
  clipCov: { ratio: 2e-4, lb: 1, ub: 5 },
  klCov: { ratio: 2e-3, beta: 1 },
};

/**
 * One seed of one method M as a record: exact pass@k on the train and held-out sets over training
 * (series M/step, M/train:pass@k, M/heldout:pass@k), and per update the sampled-token entropy, the
 * batch reward, the batch token covariance and the number of controlled tokens (M/entropy, M/reward,
 * M/cov, M/touched). Metrics base/{train,heldout}:pass@k, M/{train,heldout}:pass@k (at the end),
 * M/entropy:first, M/entropy:final.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const m = c.method;
  const key = (metric: string) => metricKey(m, metric);
  const series: Record<string, number[]> = { [key('step')]: [] };
  for (const set of ['train', 'heldout']) for (const k of c.passKs) series[key(`${set}:pass@${k}`)] = [];
  const t0 = Date.now();
  const curves = trainGruEntropyControl(c, seed, (s) => {
    series[key('step')].push(s.step);
    for (const k of c.passKs) {
      series[key(`train:pass@${k}`)].push(meanPassAtKPow(s.pTrain, k));
      series[key(`heldout:pass@${k}`)].push(meanPassAtKPow(s.pHeldOut, k));
    }
  });
  const metrics: Record<string, number> = {};
  const last = series[key('step')].length - 1;
  for (const set of ['train', 'heldout'])
    for (const k of c.passKs) {
      const curve = series[key(`${set}:pass@${k}`)];
      metrics[metricKey('base', `${set}:pass@${k}`)] = curve[0];
      metrics[key(`${set}:pass@${k}`)] = curve[last];
    }
  metrics[key('entropy:first')] = curves.entropy[0];
  metrics[key('entropy:final')] = curves.entropy[curves.entropy.length - 1];
  series[key('entropy')] = curves.entropy;
  series[key('reward')] = curves.reward;
  series[key('cov')] = curves.cov;
  series[key('touched')] = curves.touched;
  return { metrics, series, timings: { [key('trainMs')]: Date.now() - t0 } };
}
