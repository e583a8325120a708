/**
 * Supervised fine-tuning (SFT): the negative log-likelihood of target responses under a tabular
 * softmax policy, E[−log π(y|x)] — RPO's regulariser (methods/rpo.ts) and the SFT baseline.
 */
import { totalWeight, type Comparisons } from '../data/comparisons';
import type { LossAndGrad } from '../loops/full-batch';
import { logSoftmaxRows, type TableShape } from '../policies/logit-table';

/** Where the supervised term's responses come from: the chosen responses of the data, or a policy table. */
export type SftTarget = { kind: 'chosen' } | { kind: 'policy'; probs: Float64Array; contextWeights?: Float64Array };

/**
 * Supervised negative log-likelihood E[−log π(y|x)] over the target distribution, and its gradient
 * −(e_y − π(·|x)) per sample. 'chosen': every comparison contributes its chosen response (for soft labels,
 * a with weight p and b with weight 1 − p), weighted like the comparisons.
 */
export function sftLoss(logits: Float64Array, shape: TableShape, target: SftTarget, c?: Comparisons): LossAndGrad {
  const { nX, nY } = shape;
  const logp = logSoftmaxRows(logits, shape);
  const grad = new Float64Array(logits.length);
  // mass[x·nY + y]: weight of (x, y) in the target; ctx[x]: total weight of context x.
  const mass = new Float64Array(nX * nY);
  if (target.kind === 'chosen') {
    if (!c) throw new RangeError("sftLoss: target 'chosen' needs the comparison set.");
    const W = totalWeight(c, 'sftLoss');
    for (let i = 0; i < c.n; i++) {
      const w = c.w[i] / W;
      mass[c.x[i] * nY + c.a[i]] += w * c.p[i];
      mass[c.x[i] * nY + c.b[i]] += w * (1 - c.p[i]);
    }
  } else {
    for (let x = 0; x < nX; x++) {
      const cw = target.contextWeights ? target.contextWeights[x] : 1 / nX;
      for (let y = 0; y < nY; y++) mass[x * nY + y] = cw * target.probs[x * nY + y];
    }
  }
  let loss = 0;
  for (let x = 0; x < nX; x++) {
    let tot = 0;
    for (let y = 0; y < nY; y++) {
      const m = mass[x * nY + y];
      if (m > 0) loss -= m * logp[x * nY + y];
      tot += m;
    }
    if (tot === 0) continue;
    for (let y = 0; y < nY; y++) grad[x * nY + y] = tot * Math.exp(logp[x * nY + y]) - mass[x * nY + y];
  }
  return { loss, grad };
}
