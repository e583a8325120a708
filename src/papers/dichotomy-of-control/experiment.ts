/**
 * The tabular miniature of Yang, Schuurmans, Abbeel & Nachum, "Dichotomy of Control: Separating What You Can Control
 * from What You Cannot" (ICLR 2023, arXiv:2210.13435): return-conditioned supervised learning (Decision-Transformer
 * style) against DoC in two stochastic environments, with exact policy values.
 *
 * Environments (testbeds/offline/env):
 * - `bandit`: the official code's two-armed Bernoulli bandit (arm 0 pays 1 w.p. p, arm 1 w.p. 1 − p) with its
 *   behaviour policy (arm 0 w.p. 1 − p), `bandit.episodes` one-step episodes (the code: p = 0.1, 1000 trajectories).
 * - `lake`: Gym's 4×4 FrozenLake with `noSlip` (Gym and the code: 1/3), episodes cut at `horizon` (100), data from
 *   an equal mixture of three behaviours: the slippery lake's optimal policy, the shortest-path policy of the lake
 *   without slipping (optimal if moves were deterministic, risky here), each with probability `epsilon` of a uniform
 *   action, and the uniform policy.
 * Methods, all on the same dataset of a seed:
 * - `dt`: return-conditioned policy π(a | s, R) conditioned on the largest return in the data (methods/return-
 *   conditioned.ts, the official tabular_dt.py's evaluation);
 * - `doc` (β = 10, primary), `doc-b1`, `doc-b100`, `doc-b1000`: Dichotomy of Control with MI weight β
 *   (methods/dichotomy-of-control.ts);
 * - `vae`: the same future-conditioned latent model without the MI penalty (β = 0);
 * - `bc`: behaviour cloning; `fqi`: fitted Q iteration (discount `gamma`), the value-based reference.
 * Scores (solvers/finite-horizon.ts, exact): J = expected undiscounted return within the horizon (the bandit: the
 * expected reward; the lake: the probability of reaching the goal within 100 steps).
 *
 * Record keys (`method/metric@env`): `<m>/value`; for `dt` and the latent models: `<m>/predicted` (the return the
 * policy is conditioned on: DT's target, DoC's V(z*)) and `<m>/gap` = |value − predicted|; for the latent models:
 * `/consistency` (prior-weighted mean of |J(π_z) − V(z)| over the eligible latents), `/mi`, `/nll`, `/valueNll` (per
 * transition), `/eligible` (number of eligible latents), `/sourcePurity` (the largest behaviour share of the chosen
 * latent's posterior mass); `optimal/value`, `behaviour<b>/value`, `data/maxReturn`, `data/episodes`,
 * `data/transitions`; bandit: `data/goodShareOfWins` (the share of the data's wins that came from the better arm).
 * Series: `<latent model>/curve@env` (its loss along training).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  bernoulliBanditMdp,
  officialBanditBehaviour,
  officialBanditSpec,
} from '../../testbeds/offline/env/bernoulli-bandit';
import { FROZEN_LAKE_4X4, frozenLake } from '../../testbeds/offline/env/frozen-lake';
import type { OfflineMdp } from '../../testbeds/offline/env/tasks';
import { collectMixture } from '../../testbeds/offline/data/mixture';
import type { OfflineDataset } from '../../testbeds/offline/data/dataset';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../testbeds/offline/solvers/finite-horizon';
import { returnConditioned } from '../../testbeds/offline/methods/return-conditioned';
import { dichotomyOfControl, type DocOptions } from '../../testbeds/offline/methods/dichotomy-of-control';
import { behaviourCloning } from '../../testbeds/offline/methods/bc';
import { fittedQIteration } from '../../testbeds/offline/methods/fqi';
import { valueIteration } from '../../testbeds/tabular/solvers/exact';
import { greedyPolicyWithTies } from '../../testbeds/tabular/solvers/policy-iteration';

export interface Config {
  bandit: {
    /** Arm 0 pays 1 w.p. p, arm 1 w.p. 1 − p; the behaviour pulls arm 0 w.p. 1 − p (the code's alpha = 0.1). */
    p: number;
    episodes: number;
    /** DoC latents (the code's tabular_sdt: num_actions × num_rtg = 2 × 2). */
    latents: number;
  };
  lake: {
    map: string[];
    noSlip: number;
    episodes: number;
    horizon: number;
    /** Uniform-action probability mixed into the two non-uniform behaviours. */
    epsilon: number;
    /** DoC latents (num_actions × num_rtg = 4 × 2). */
    latents: number;
  };
  /** Discount of FQI and of the behaviours' value iteration. */
  gamma: number;
  /**
   * Latent-model variants: name → MI weight β. `doc`: the primary DoC, β = 10 (declared before any run on the
   * lake: the one-step analysis shows β must exceed the value-loss weight 1 for the penalty to bind); `doc-b1`: the
   * code's default energy_weight (β = 1); `doc-b100`, `doc-b1000`: the penalty toward the hard constraint MI = 0;
   * `vae`: no constraint (β = 0, the future-conditioned latent model without DoC).
   */
  variants: Record<string, number>;
  /** Weight of the value loss in the posterior's objective (the code: 1). */
  valueWeight: number;
  /** DoC / VAE optimiser: Adam steps, learning rate, initial logit s.d., eligibility of latents at test time. */
  steps: number;
  lr: number;
  initScale: number;
  minPrior: number;
  curveEvery: number;
}

export const DEFAULTS: Config = {
  bandit: { p: 0.1, episodes: 1000, latents: 4 },
  lake: { map: [...FROZEN_LAKE_4X4], noSlip: 1 / 3, episodes: 1000, horizon: 100, epsilon: 0.1, latents: 8 },
  gamma: 0.99,
  variants: { vae: 0, 'doc-b1': 1, doc: 10, 'doc-b100': 100, 'doc-b1000': 1000 },
  valueWeight: 1,
  steps: 1500,
  lr: 0.05,
  initScale: 0.88,
  minPrior: 0.01,
  curveEvery: 50,
};

export const METHODS = ['dt', 'vae', 'doc-b1', 'doc', 'doc-b100', 'doc-b1000', 'bc', 'fqi'] as const;

/** The slippery lake and its three behaviours (optimal-slippery, shortest-path-without-slip, uniform). */
export function lakeSetup(c: Config): { mdp: OfflineMdp; behaviours: Float64Array[]; names: string[] } {
  const spec = { map: c.lake.map, noSlip: c.lake.noSlip, gamma: c.gamma };
  const mdp = frozenLake(spec);
  const nodrift = frozenLake({ ...spec, noSlip: 1 });
  const { nS, nA } = mdp.env;
  const greedy = (m: OfflineMdp) => greedyPolicyWithTies(valueIteration(m.env, m.reward, { tol: 1e-12 }).Q, nS, nA);
  const eps = c.lake.epsilon;
  const mixU = (pi: Float64Array) => pi.map((x) => (1 - eps) * x + eps / nA);
  return {
    mdp,
    behaviours: [mixU(greedy(mdp)), mixU(greedy(nodrift)), new Float64Array(nS * nA).fill(1 / nA)],
    names: ['optimal (slippery)', 'shortest path (no-slip)', 'uniform'],
  };
}

function maxEpisodeReturn(data: OfflineDataset): number {
  let best = -Infinity,
    g = 0;
  for (let i = 0; i < data.size; i++) {
    if (i > 0 && data.episode[i] !== data.episode[i - 1]) ((best = Math.max(best, g)), (g = 0));
    g += data.r[i];
  }
  return Math.max(best, g);
}

function runEnv(
  c: Config,
  name: 'bandit' | 'lake',
  mdp: OfflineMdp,
  behaviours: Float64Array[],
  H: number,
  episodes: number,
  latents: number,
  rng: Rng,
  metrics: Record<string, number>,
  series: Record<string, number[]>,
): void {
  const at = `@${name}`;
  const J = (pi: Float64Array) => finiteHorizonValue(mdp, pi, H);
  const { data, source } = collectMixture(
    mdp,
    behaviours,
    behaviours.map(() => 1),
    { episodes, horizon: H, quality: `${name}-mixture` },
    rng.split('data'),
  );
  metrics[`data/episodes${at}`] = source.length;
  metrics[`data/transitions${at}`] = data.size;
  metrics[`data/maxReturn${at}`] = maxEpisodeReturn(data);
  metrics[`optimal/value${at}`] = optimalFiniteHorizonValue(mdp, H);
  behaviours.forEach((b, k) => (metrics[`behaviour${k}/value${at}`] = J(b)));

  const dt = returnConditioned(data);
  metrics[`dt/value${at}`] = J(dt.policy);
  metrics[`dt/predicted${at}`] = dt.target;
  metrics[`dt/gap${at}`] = Math.abs(J(dt.policy) - dt.target);

  for (const [m, beta] of Object.entries(c.variants)) {
    const opts: DocOptions = {
      latents,
      beta,
      valueWeight: c.valueWeight,
      steps: c.steps,
      lr: c.lr,
      initScale: c.initScale,
      minPrior: c.minPrior,
      curveEvery: c.curveEvery,
    };
    const model = dichotomyOfControl(data, opts, rng.split(`${m}-init`));
    const v = J(model.policy);
    metrics[`${m}/value${at}`] = v;
    metrics[`${m}/predicted${at}`] = model.predicted;
    metrics[`${m}/gap${at}`] = Math.abs(v - model.predicted);
    let wsum = 0,
      gsum = 0,
      eligible = 0;
    for (let z = 0; z < latents; z++)
      if (model.prior[z] >= c.minPrior) {
        eligible++;
        wsum += model.prior[z];
        gsum += model.prior[z] * Math.abs(J(model.policies[z]) - model.value[z]);
      }
    metrics[`${m}/consistency${at}`] = gsum / wsum;
    metrics[`${m}/eligible${at}`] = eligible;
    metrics[`${m}/mi${at}`] = model.mi;
    metrics[`${m}/nll${at}`] = model.actionNll;
    metrics[`${m}/valueNll${at}`] = model.valueNll;
    const share = new Float64Array(behaviours.length);
    for (let i = 0; i < model.nEpisodes; i++) share[source[i]] += model.q[i * latents + model.chosen];
    const tot = share.reduce((u, x) => u + x, 0);
    metrics[`${m}/sourcePurity${at}`] = Math.max(...share) / tot;
    series[`${m}/curve${at}`] = model.curve;
  }
  metrics[`bc/value${at}`] = J(behaviourCloning(data).policy);
  metrics[`fqi/value${at}`] = J(fittedQIteration(data).policy);

  if (name === 'bandit') {
    // Wins per arm in the data (one transition per episode).
    const wins = [0, 0];
    for (let i = 0; i < data.size; i++) if (data.r[i] > 0) wins[data.a[i]]++;
    metrics[`data/goodShareOfWins${at}`] = wins[1] / (wins[0] + wins[1]);
  }
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const rng = new Rng(seed).split('dichotomy-of-control');
  const c = config;
  const bandit = bernoulliBanditMdp(officialBanditSpec(c.bandit.p, c.gamma));
  runEnv(
    c,
    'bandit',
    bandit,
    [officialBanditBehaviour(c.bandit.p)],
    1,
    c.bandit.episodes,
    c.bandit.latents,
    rng.split('bandit'),
    metrics,
    series,
  );
  const lake = lakeSetup(c);
  runEnv(
    c,
    'lake',
    lake.mdp,
    lake.behaviours,
    c.lake.horizon,
    c.lake.episodes,
    c.lake.latents,
    rng.split('lake'),
    metrics,
    series,
  );
  return { metrics, series };
}

export { finiteHorizonValue, optimalFiniteHorizonValue };
