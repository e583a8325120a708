/**
 * VPL in the reward-model protocol: the variational preference model (methods/variational-preference.ts) with one
 * user per dataset. Each step takes the same `batch` pairs of every dataset as the MLP learners (drawn exactly as
 * recipes/train.ts draws them) and cuts each user's pairs into contexts of `VPL_SETTINGS.context` pairs, so VPL sees
 * the same labels per step. User k is served by r(x, μ(C_k)), μ(C_k) the posterior mean of one context of user k's
 * training labels (the official code's test-time latent); a shared-target task by the average over the users.
 * Settings as in the VPL notebook (src/papers/personalizing-reinforcement-learning-from-human): latent 8, KL weight 1,
 * widths 64-64 and lr 1e-3 (also the protocol's MLP settings).
 */
import type { Rng } from '../../../../core/rng';
import { VplRewardModel, type ContextBatch } from '../../methods/variational-preference';
import type { LearnedReward, ProtocolConfig, ProtocolData, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';

export const VPL_SETTINGS = { context: 8, latent: 8, beta: 1, hidden: [64, 64], lr: 1e-3 } as const;

function contextBatch(data: ProtocolData, pick: number[][], C: number): ContextBatch {
  const d = data.d;
  const B = pick.reduce((s, p) => s + p.length / C, 0);
  const x1 = new Float32Array(B * C * d),
    x2 = new Float32Array(B * C * d),
    y = new Float32Array(B * C);
  let i = 0;
  pick.forEach((idx, k) => {
    const ds = data.datasets[k];
    for (const j of idx) {
      x1.set(ds.x1.subarray(j * d, (j + 1) * d), i * d);
      x2.set(ds.x2.subarray(j * d, (j + 1) * d), i * d);
      y[i++] = ds.y[j];
    }
  });
  return { x1, x2, y, B };
}

/** Train VPL on the protocol's datasets (user k = dataset k); returns the model and each user's test-time latent. */
export function fitVpl(
  data: ProtocolData,
  config: ProtocolConfig,
  rng: Rng,
): { model: VplRewardModel; latents: Float32Array[]; latentSpread: number } {
  const C = VPL_SETTINGS.context;
  if (config.batch % C !== 0)
    throw new RangeError(`VPL recipe: the protocol's batch (${config.batch}) must be a multiple of the context (${C})`);
  const model = new VplRewardModel(
    {
      dIn: data.d,
      K: C,
      latent: VPL_SETTINGS.latent,
      hidden: VPL_SETTINGS.hidden,
      beta: VPL_SETTINGS.beta,
      lr: VPL_SETTINGS.lr,
    },
    rng.split('weights'),
  );
  const order = rng.split('batches');
  const noise = rng.split('reparam');
  for (let t = 0; t < config.steps; t++) {
    const pick = data.datasets.map((ds) => Array.from({ length: config.batch }, () => order.int(ds.y.length)));
    model.step(contextBatch(data, pick, C), noise);
  }
  const ctx = rng.split('test-contexts');
  let sd = 0;
  const latents = data.datasets.map((ds, k) => {
    const pick = data.datasets.map((_, j) => (j === k ? Array.from({ length: C }, () => ctx.int(ds.y.length)) : []));
    const { mu, logvar } = model.encode(contextBatch(data, pick, C));
    for (const lv of logvar) sd += Math.exp(0.5 * lv) / (logvar.length * data.K);
    return mu;
  });
  // mean distance between the users' latents in units of the mean posterior s.d. (≈ 0: posterior collapse)
  let dist = 0,
    pairs = 0;
  for (let a = 0; a < latents.length; a++)
    for (let b = a + 1; b < latents.length; b++, pairs++)
      dist += Math.hypot(...Array.from(latents[a], (v, j) => v - latents[b][j]));
  return { model, latents, latentSpread: pairs > 0 ? dist / pairs / sd : 0 };
}

export function vplReward(model: VplRewardModel, latents: Float32Array[]): LearnedReward {
  return (x: Float32Array, n: number, user?: number) => {
    if (user !== undefined) return model.reward(x, n, latents[user]);
    const out = new Float64Array(n);
    for (const z of latents) {
      const r = model.reward(x, n, z);
      for (let i = 0; i < n; i++) out[i] += r[i] / latents.length;
    }
    return out;
  };
}

export const recipe: ProtocolRecipe = {
  name: 'vpl',
  summary:
    'methods/variational-preference.ts: encoder over contexts of 8 of a user\u2019s labelled pairs, latent 8, ' +
    'decoder r(x, z), negative ELBO (KL weight 1); a user is served by the posterior mean of one of its contexts',
  learn: (data, config, rng) => {
    const { model, latents, latentSpread } = fitVpl(data, config, rng);
    return Object.assign(vplReward(model, latents), { diagnostics: { latentSpread } });
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
