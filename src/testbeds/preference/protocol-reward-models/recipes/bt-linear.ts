/** A linear Bradley–Terry reward (logistic regression on feature differences, Newton) in the reward-model protocol. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { fitBTOnDifferences } from '../../methods/bradley-terry';

export const recipe: ProtocolRecipe = {
  name: 'bt-linear',
  summary: 'methods/bradley-terry.ts fitBTOnDifferences on all pairs pooled (ridge 1e-4): r(x) = θ·x, the gold form',
  learn: (data) => {
    const d = data.d;
    const n = data.datasets.reduce((s, ds) => s + ds.y.length, 0);
    const D = new Float64Array(n * d),
      p = new Float64Array(n);
    let i = 0;
    for (const ds of data.datasets)
      for (let j = 0; j < ds.y.length; j++, i++) {
        for (let t = 0; t < d; t++) D[i * d + t] = ds.x1[j * d + t] - ds.x2[j * d + t];
        p[i] = ds.y[j];
      }
    const { theta } = fitBTOnDifferences(D, p, new Float64Array(n).fill(1), d, { l2: 1e-4 });
    return (x, m) => Float64Array.from({ length: m }, (_, r) => theta.reduce((s, th, t) => s + th * x[r * d + t], 0));
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
