/**
 * Flip + Margin of Wang et al., "Secrets of RLHF in Large Language Models Part II" (arXiv:2401.06080, §2.2–2.5) in
 * the reward-model protocol, with the paper's settings: an ensemble of M = 10 Bradley–Terry MLPs (each the protocol's
 * bt-mlp recipe on its own initialisation and batch order) measures every training pair's preference strength μ̂
 * (eq. 4, the mean reward difference chosen − rejected of the given label); the labels of the 20 % of pairs with the
 * lowest μ̂ are reversed (§2.4.1, "the bottom 20% of data"); a fresh MLP is then trained on the same batches as bt-mlp
 * with the adaptive margin −log σ(r(c) − r(r) − μ̂) (eq. 6, margin inside σ; a flipped pair's margin is the
 * strength of its new label, −μ̂). Labels: the protocol's pairs only (the ensemble reuses them); compute: 11 trainings.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { rowsOf } from '../../data/feature-preferences';
import { ensembleStrength, lowestStrengthFlags, StrengthAwareReward } from '../../methods/preference-strength';
import { trainMlpReward } from './train';

const MEMBERS = 10;
const FLIP_FRACTION = 0.2;

export const recipe: ProtocolRecipe = {
  name: 'strength-flip-margin',
  summary:
    'methods/preference-strength.ts: μ̂ from 10 bt-mlp members (eq. 4), bottom 20 % of labels flipped, ' +
    'margin loss (eq. 6) on the bt-mlp batches',
  learn: (data, config, rng) => {
    const { d, K } = data;
    const sizes = data.datasets.map((ds) => ds.y.length);
    const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    // eq. 4 on the labelled orientation: d_m,i = r_m(chosen_i) − r_m(rejected_i)
    const diffs = Array.from({ length: MEMBERS }, (_, m) => {
      const member = trainMlpReward(data, config, rng.split('member').split(m), 'uniform');
      const out = new Float64Array(total);
      data.datasets.forEach((ds, k) => {
        const r1 = member.reward(ds.x1, ds.y.length),
          r2 = member.reward(ds.x2, ds.y.length);
        for (let i = 0; i < ds.y.length; i++) out[offsets[k] + i] = (ds.y[i] === 1 ? 1 : -1) * (r1[i] - r2[i]);
      });
      return out;
    });
    const { mean } = ensembleStrength(diffs);
    const flip = lowestStrengthFlags(mean, FLIP_FRACTION);
    const model = new StrengthAwareReward({ dIn: d, hidden: [64, 64], lr: 1e-3 }, rng.split('weights'));
    const order = rng.split('batches'); // the batches of bt-mlp (train.ts draws them from the same stream)
    const n = K * config.batch;
    const ones = new Float64Array(n).fill(1);
    for (let t = 0; t < config.steps; t++) {
      const xc = new Float32Array(n * d),
        xr = new Float32Array(n * d),
        margin = new Float64Array(n);
      for (let k = 0; k < K; k++) {
        const ds = data.datasets[k];
        const idx = Array.from({ length: config.batch }, () => order.int(ds.y.length));
        const a = rowsOf(ds.x1, idx, d),
          b = rowsOf(ds.x2, idx, d);
        idx.forEach((j, q) => {
          const g = offsets[k] + j;
          const firstChosen = (ds.y[j] === 1) !== (flip[g] === 1);
          const row = k * config.batch + q;
          xc.set((firstChosen ? a : b).subarray(q * d, (q + 1) * d), row * d);
          xr.set((firstChosen ? b : a).subarray(q * d, (q + 1) * d), row * d);
          margin[row] = flip[g] === 1 ? -mean[g] : mean[g];
        });
      }
      model.step(xc, xr, ones, margin, n);
    }
    const reward = (x: Float32Array, m: number) => model.reward(x, m);
    return Object.assign(reward, { diagnostics: { flippedShare: flip.reduce((s, v) => s + v, 0) / total } });
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
