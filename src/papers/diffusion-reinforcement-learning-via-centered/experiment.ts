/**
 * Centered Reward Distillation (CRD; Zhu et al. 2026, arXiv 2603.14128) on the diffusion2d testbed: a rectified
 * flow of the ring of eight (exact velocity + zero-initialised residual MLP, models/flow-policy.ts), sampled with
 * Flow-GRPO's SDE (K steps, noise level a), fine-tuned on a hackable proxy reward (env/rewards.ts goldProxyPair:
 * gold = a bump at c, proxy = gold + κ·u·x, which keeps rising along u off the data). The exact KL-regularised
 * optimum for the proxy, q* ∝ p_ref·exp(proxy/β), is computed on a grid (env/grid.ts gridTilt).
 * Methods (identical rollouts per round: groups × G SDE trajectories; epochs × minibatches Adam steps; same lr):
 * - `flow-grpo`: trajectory policy gradient, Flow-GRPO's clipped per-step ratio with its velocity KL (weight klPg);
 * - `awm`: forward-process advantage-weighted flow matching (methods/awm.ts) with the same velocity KL;
 * - `crd`: centred reward distillation (methods/crd.ts) at temperature β, ELBO time weighting;
 * - `crd-uncentered`: the same loss without within-group centring (ablation of the key step).
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmLogDensity, gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import {
  gridCoarsen,
  gridExpectation,
  gridGmm,
  gridHistogram,
  gridKl,
  gridTilt,
  gridTv,
  makeGrid2d,
  rewardOnGrid,
  type Grid2d,
} from '../../testbeds/diffusion2d/env/grid';
import { goldProxyPair } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../testbeds/diffusion2d/env/targets';
import { awmRound } from '../../testbeds/diffusion2d/methods/awm';
import { crdRound, type CrdWeighting } from '../../testbeds/diffusion2d/methods/crd';
import { emptyFlowRatioStats, flowGrpoRound } from '../../testbeds/diffusion2d/methods/flow-grpo';
import { exactVelocity } from '../../testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp, type FlowRunSettings } from '../../testbeds/diffusion2d/models/flow-policy';

export type MethodName = 'flow-grpo' | 'awm' | 'crd' | 'crd-uncentered';

/** One seed's run of one method (every field is used). */
export interface Config extends FlowRunSettings {
  method: MethodName;
  /** Gold bump centre and width; proxy = gold + κ·u·x. */
  goldCenter: [number, number];
  goldScale: number;
  proxyDir: [number, number];
  proxyKappa: number;
  /** Temperature β of the KL-regularised objective (CRD's β; the tilt q* ∝ p_ref·exp(proxy/β)). */
  beta: number;
  /** CRD time weighting of the implicit reward and CRD's KL anchoring weight. */
  weighting: CrdWeighting;
  klCrd: number;
  /** Velocity-KL weight of Flow-GRPO and AWM (mean_d (v_θ − v_ref)²). */
  klPg: number;
  /** Clip range of AWM's ratio (`clip` is Flow-GRPO's). */
  clipAwm: number;
  /** Grid box [lo, hi]², fine cells n, coarsening factor for the KL. */
  gridLo: number;
  gridHi: number;
  gridN: number;
  coarsen: number;
}

export const DEFAULTS: Config = {
  method: 'crd',
  K: 10,
  noise: 0.7,
  hidden: [64, 64],
  goldCenter: [3, 0],
  goldScale: 1,
  proxyDir: [1, 0],
  proxyKappa: 0.5,
  beta: 0.5,
  weighting: 'elbo',
  klCrd: 0,
  klPg: 0.04,
  rounds: 100,
  groups: 4,
  G: 16,
  epochs: 1,
  minibatches: 4,
  clip: 0.2,
  clipAwm: 1,
  advClipMax: 5,
  lr: 1e-3,
  evalSamples: 2000,
  gridLo: -6,
  gridHi: 6,
  gridN: 96,
  coarsen: 6,
};

const mean = (a: ArrayLike<number>): number => {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t / a.length;
};

/** N samples of grid masses q: a cell drawn from q, then a uniform point in it. */
export function sampleGridMasses(grid: Grid2d, q: Float64Array, N: number, rng: Rng): Float64Array {
  const cdf = new Float64Array(q.length);
  let s = 0;
  for (let i = 0; i < q.length; i++) cdf[i] = s += q[i];
  const x = new Float64Array(2 * N);
  for (let n = 0; n < N; n++) {
    const u = rng.uniform() * s;
    let lo = 0,
      hi = q.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const ix = lo % grid.n,
      iy = Math.floor(lo / grid.n);
    x[2 * n] = grid.lo + (ix + rng.uniform()) * grid.h;
    x[2 * n + 1] = grid.lo + (iy + rng.uniform()) * grid.h;
  }
  return x;
}

/** Points moved into the box (each coordinate clamped to [lo, hi − h/2]): off-box samples land in border cells. */
export function clampToBox(grid: Grid2d, x: ArrayLike<number>, N: number): Float64Array {
  const top = grid.hi - grid.h / 2;
  return Float64Array.from({ length: 2 * N }, (_, i) => Math.min(top, Math.max(grid.lo, x[i])));
}

/**
 * Metrics `<who>/{gold,proxy,quality,klTilt,tvTilt,outside}` (klTilt, tvTilt: coarse-grid histogram, off-box
 * samples clamped to the border cells, against the tilt q*; outside: fraction off the box) for who ∈ {ref (exact
 * p_ref samples), target (exact samples of the grid tilt: the KL floor), base, tuned}; `tilt/{gold,proxy}` (grid
 * expectations under q*); series per round `tuned/{proxy,gold}` of the rollouts; timing `tuned/roundMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('crd-diffusion2d');
  const pref = promptMixture(RING8, 'all');
  const { gold, proxy } = goldProxyPair(c.goldCenter, c.goldScale, c.proxyDir, c.proxyKappa);
  const policy = new ResidualVelocityMlp(exactVelocity(pref), c.K, c.hidden, root.split('init'));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const pGrid = gridGmm(grid, pref);
  const tilt = gridTilt(pGrid, rewardOnGrid(grid, proxy), c.beta).q;
  const tiltC = gridCoarsen(grid, tilt, c.coarsen).p;
  metrics[metricKey('tilt', 'gold')] = gridExpectation(tilt, rewardOnGrid(grid, gold));
  metrics[metricKey('tilt', 'proxy')] = gridExpectation(tilt, rewardOnGrid(grid, proxy));
  const M = c.evalSamples;
  const score = (who: string, x: Float64Array) => {
    metrics[metricKey(who, 'gold')] = mean(gold.value(x, M));
    metrics[metricKey(who, 'proxy')] = mean(proxy.value(x, M));
    metrics[metricKey(who, 'quality')] = mean(gmmLogDensity(pref, x, M));
    const h = gridHistogram(grid, clampToBox(grid, x, M), M);
    const out = gridHistogram(grid, x, M).outside;
    const hc = gridCoarsen(grid, h.p, c.coarsen).p;
    metrics[metricKey(who, 'klTilt')] = gridKl(hc, tiltC);
    metrics[metricKey(who, 'tvTilt')] = gridTv(hc, tiltC);
    metrics[metricKey(who, 'outside')] = out;
  };
  const ev = root.split('eval');
  score('ref', gmmSample(pref, M, ev.split('ref')).x);
  score('target', sampleGridMasses(grid, tilt, M, ev.split('target')));
  score('base', policy.sampleOde(M, ev.split('base')));
  const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
  const stats = emptyFlowRatioStats(c.K);
  const train = root.split('train');
  const N = c.groups * c.G;
  const curves = { proxy: [] as number[], gold: [] as number[] };
  const common = { noise: c.noise, groups: c.groups, G: c.G, epochs: c.epochs, minibatches: c.minibatches };
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const rng = train.split(u);
    let x0: Float64Array;
    if (c.method === 'flow-grpo') {
      const o = { ...common, kind: 'flow-grpo' as const, K: c.K, clip: c.clip, beta: c.klPg, advClipMax: c.advClipMax };
      x0 = flowGrpoRound(policy, proxy, o, rng, opt, stats).x0;
    } else if (c.method === 'awm') {
      const o = { ...common, clip: c.clipAwm, beta: c.klPg, advClipMax: c.advClipMax };
      x0 = awmRound(policy, proxy, o, rng, opt).x0;
    } else {
      const o = { ...common, beta: c.beta, centered: c.method === 'crd', weighting: c.weighting, klWeight: c.klCrd };
      x0 = crdRound(policy, proxy, o, rng, opt).x0;
    }
    curves.proxy.push(mean(proxy.value(x0, N)));
    curves.gold.push(mean(gold.value(x0, N)));
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  for (const [k, v] of Object.entries(curves)) series[metricKey('tuned', k)] = v;
  score('tuned', policy.sampleOde(M, ev.split('tuned')));
  return { metrics, series, timings };
}
