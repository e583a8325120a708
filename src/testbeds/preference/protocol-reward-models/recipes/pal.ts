/**
 * PAL in the reward-model protocol: the ideal-point mixture (PAL-A, methods/ideal-point-mixture.ts) with one user per
 * dataset, trained by Adam on the same minibatches as the MLP learners (`steps` steps of `batch` pairs of every
 * dataset, drawn exactly as recipes/train.ts draws them). User k's reward is r_k(x) = −‖A x − a_k‖; a shared-target
 * task is served by the average of the users' rewards.
 * Settings: preference dimension 2 and 2 prototypes (the plural task's users differ along one direction, so these
 * hold its true structure), lr 0.03 and ridge 1e-4 as in the PAL notebook (src/papers/pal), initialisation as there.
 */
import type { Rng } from '../../../../core/rng';
import { Adam64 } from '../../../../nn/adam';
import {
  idealPointMixtureLoss,
  idealPointOffsets,
  idealPointParamCount,
  userIdealPoint,
  type IdealPointShape,
  type UserPairs,
} from '../../methods/ideal-point-mixture';
import type { LearnedReward, ProtocolConfig, ProtocolData, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';

export const PAL_SETTINGS = { dPref: 2, prototypes: 2, lr: 0.03, l2: 1e-4 } as const;

/** Fit PAL-A on the protocol's datasets (user k = dataset k); returns θ and its shape. */
export function fitPal(
  data: ProtocolData,
  config: ProtocolConfig,
  rng: Rng,
): { theta: Float64Array; s: IdealPointShape } {
  const { d, K } = data;
  const s: IdealPointShape = { D: d, d: PAL_SETTINGS.dPref, K: PAL_SETTINGS.prototypes, U: K };
  const init = rng.split('weights');
  const theta = new Float64Array(idealPointParamCount(s));
  const off = idealPointOffsets(s);
  for (let j = 0; j < off.W; j++) theta[j] = init.normal(0, 1 / Math.sqrt(d));
  for (let j = off.W; j < theta.length; j++) theta[j] = init.normal(0, 1);
  const opt = new Adam64(theta.length, { lr: PAL_SETTINGS.lr });
  const order = rng.split('batches');
  const n = K * config.batch;
  const batch: UserPairs = {
    n,
    user: Int32Array.from({ length: n }, (_, i) => Math.floor(i / config.batch)),
    xa: new Float64Array(n * d),
    xb: new Float64Array(n * d),
    p: new Float64Array(n),
  };
  for (let t = 0; t < config.steps; t++) {
    for (let k = 0; k < K; k++) {
      const ds = data.datasets[k];
      for (let b = 0; b < config.batch; b++) {
        const j = order.int(ds.y.length),
          i = k * config.batch + b;
        for (let c = 0; c < d; c++) {
          batch.xa[i * d + c] = ds.x1[j * d + c];
          batch.xb[i * d + c] = ds.x2[j * d + c];
        }
        batch.p[i] = ds.y[j];
      }
    }
    opt.step(theta, idealPointMixtureLoss(theta, s, batch, PAL_SETTINGS.l2).grad);
  }
  return { theta, s };
}

/** r_u(x) = −‖A x − a_u‖ for n responses; the users' average when `user` is undefined. */
export function palReward(theta: Float64Array, s: IdealPointShape): LearnedReward {
  const ideal = Array.from({ length: s.U }, (_, u) => userIdealPoint(theta, s, u).a);
  return (x, n, user) => {
    const users = user === undefined ? ideal.map((_, u) => u) : [user];
    const out = new Float64Array(n);
    const f = new Float64Array(s.d);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < s.d; r++) {
        let v = 0;
        for (let j = 0; j < s.D; j++) v += theta[r * s.D + j] * x[i * s.D + j];
        f[r] = v;
      }
      let sum = 0;
      for (const u of users) {
        let q = 0;
        for (let r = 0; r < s.d; r++) q += (f[r] - ideal[u][r]) ** 2;
        sum -= Math.sqrt(q);
      }
      out[i] = sum / users.length;
    }
    return out;
  };
}

export const recipe: ProtocolRecipe = {
  name: 'pal',
  summary:
    'methods/ideal-point-mixture.ts (PAL-A): per-user ideal points mixed from 2 prototypes in a 2-d preference ' +
    'space, r_u(x) = −‖Ax − a_u‖, one user per dataset; Adam (lr 0.03) on the MLP learners\u2019 minibatches',
  learn: (data, config, rng) => {
    const { theta, s } = fitPal(data, config, rng);
    return palReward(theta, s);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
