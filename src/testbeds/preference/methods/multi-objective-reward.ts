/**
 * MORE, Multi-Objective Reward learning (Zeng, Dai, Wang et al., "On Diversified Preferences of Large Language Model
 * Alignment", Findings of EMNLP 2024, arXiv:2312.07401; the official code github.com/dunzeng/MORE, trainer.py
 * `compute_more_loss` / `compute_lambda_noresampling`): a Bradley–Terry reward model trained on K preference
 * datasets at once, each batch holding pairs of every dataset, with the loss
 *   L = Σ_k λ_k L_k,   L_k the mean BCE (ranking loss) of dataset k's pairs in the batch,
 * where λ is the minimum-norm convex combination of the datasets' gradients with respect to the reward head (the
 * last linear layer, on the detached penultimate features), min_λ ‖Σ_k λ_k ∇_head L_k‖² over the simplex
 * (solvers/min-norm.ts), recomputed every step. The code keeps an exponential average of those gradients with
 * momentum α and optionally normalises them; its defaults α = 1 (no averaging) and normalize = 'none' are used here.
 * The baseline is the same model with uniform weights λ_k = 1/K (the code's `reweight = False`, the naive mixture).
 */
import { minNormElement } from '../solvers/min-norm';
import type { BtMlpReward } from './bradley-terry-mlp';

export type DatasetWeighting = 'uniform' | 'more';

/** MORE's weights from per-dataset head gradients: the min-norm element of their convex hull. */
export function moreWeights(headGrads: readonly Float64Array[]): Float64Array {
  const K = headGrads.length;
  const gram = new Float64Array(K * K);
  for (let i = 0; i < K; i++)
    for (let j = i; j < K; j++) {
      let s = 0;
      for (let t = 0; t < headGrads[i].length; t++) s += headGrads[i][t] * headGrads[j][t];
      gram[i * K + j] = gram[j * K + i] = s;
    }
  return minNormElement(gram, K).lambda;
}

/**
 * One step on a multi-dataset batch: pairs (x1, x2, y) with their dataset ids `task` (0..K−1). Returns the λ used
 * and the mean BCE over the batch before the step.
 */
export function multiDatasetStep(
  model: BtMlpReward,
  weighting: DatasetWeighting,
  x1: Float32Array,
  x2: Float32Array,
  y: ArrayLike<number>,
  task: ArrayLike<number>,
  K: number,
): { lambda: Float64Array; loss: number } {
  const n = y.length;
  const lambda =
    weighting === 'more' ? moreWeights(model.headGradients(x1, x2, y, task, K, n)) : new Float64Array(K).fill(1 / K);
  const count = new Float64Array(K);
  for (let i = 0; i < n; i++) count[task[i]]++;
  const w = Float64Array.from({ length: n }, (_, i) => lambda[task[i]] / count[task[i]]);
  return { lambda, loss: model.stepWeighted(x1, x2, y, w, n).loss };
}
