/**
 * Sequential training over a task stream and the standard continual-learning scores (Chaudhry et al. 2018; Lopez-Paz
 * & Ranzato 2017): after task k the test accuracy on every task j fills R[k][j]; then
 *   average accuracy  A = (1/K) Σ_j R[K−1][j],
 *   forgetting        F = (1/(K−1)) Σ_{j<K−1} (max_{j≤k<K−1} R[k][j] − R[K−1][j]),
 *   learning accuracy (1/K) Σ_j R[j][j] (plasticity: each task right after it was learnt).
 */
import type { Rng } from '../../../core/rng';
import type { AnyMlp } from '../../../nn/thread-engine';
import type { StreamTask } from '../env/permuted-clusters';
import { classifierAccuracy, trainEpochs, type EpochOptions, type Stepper } from './classifier';

export interface SequentialHooks {
  /** Extra gradient during task k (e.g. the EWC penalty of the tasks before k). */
  extraGradient?: (params: Float32Array, grads: Float32Array) => void;
  /** Called after task k was trained (e.g. EWC consolidates θ* and F). */
  afterTask?: (k: number, task: StreamTask) => void;
}

/** Train on tasks 0..K−1 in order (one optimiser for the whole stream); returns R (K × K, row-major). */
export function trainSequentially(
  net: AnyMlp,
  tasks: readonly StreamTask[],
  opt: Stepper,
  o: Omit<EpochOptions, 'extraGradient'>,
  rng: Rng,
  hooks: SequentialHooks = {},
): Float64Array {
  const K = tasks.length;
  const R = new Float64Array(K * K);
  tasks.forEach((task, k) => {
    trainEpochs(net, task.train, opt, { ...o, extraGradient: hooks.extraGradient }, rng.split(`task${k}`));
    for (let j = 0; j < K; j++) R[k * K + j] = classifierAccuracy(net, tasks[j].test);
    hooks.afterTask?.(k, task);
  });
  return R;
}

export interface ContinualScores {
  avgAcc: number;
  forgetting: number;
  learningAcc: number;
}

/** The scores of an accuracy matrix R (K × K, row k = after task k). */
export function continualScores(R: ArrayLike<number>, K: number): ContinualScores {
  let avg = 0,
    learn = 0,
    forget = 0;
  for (let j = 0; j < K; j++) {
    avg += R[(K - 1) * K + j];
    learn += R[j * K + j];
  }
  for (let j = 0; j < K - 1; j++) {
    let best = -Infinity;
    for (let k = j; k < K - 1; k++) best = Math.max(best, R[k * K + j]);
    forget += best - R[(K - 1) * K + j];
  }
  return { avgAcc: avg / K, forgetting: K > 1 ? forget / (K - 1) : 0, learningAcc: learn / K };
}
