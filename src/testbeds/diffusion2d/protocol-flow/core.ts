/**
 * The 2-D diffusion testbed's rectified-flow protocol (`flow`, beside the DDPM protocol of ../protocol): every
 * fine-tuning method of the testbed that acts on the rectified-flow policy starts from the same pre-trained flow,
 * fine-tunes it on the same rewards with the same budget and seeds, and is scored against the exact KL-regularised
 * optimum, the tilted target q ∝ p_ref·exp(r/β), on the same grid and with the same score as the DDPM protocol
 * (reports/compare/diffusion2d.html).
 *
 * Model: the pre-trained flow of the flow papers' notebooks (grpo-guard, advantage-weighted-matching,
 * diffusion-reinforcement-learning-via-centered): the exact rectified-flow velocity of the eight-mode ring p_ref
 * (models/flow.ts `exactVelocity`, prompt 'all', the DDPM protocol's p_ref) plus a residual MLP whose output layer
 * starts at zero (models/flow-policy.ts `ResidualVelocityMlp`), K Euler steps. It is computed, not trained, so it
 * needs no cache; its only error is the K-step discretisation. Rollouts use Flow-GRPO's marginal-preserving SDE
 * (noise level a); evaluation uses the Euler ODE sampler, as in those notebooks.
 * Tasks: the DDPM protocol's (`protocolReward` of ../protocol/core.ts: `mode` and `sharp`, each with its β).
 * Budget, the same for every method: `updates` rounds, each `groups` × `G` SDE rollouts (one reward query each:
 * updates·groups·G queries in all), `epochs` × `minibatches` Adam steps per round (learning rate `lr`, global-norm
 * clip 1). The DDPM protocol's budget: its 100 updates of 128 reward queries (8 groups × G = 16) and its Adam
 * learning rate 3·10⁻⁴; the flow papers' K = 10, a = 0.7, 64-64 residual MLP and 1 epoch × 4 minibatches. The
 * methods' own settings are the defaults of the kit's paper modules, none tuned on the protocol. Training noise is
 * shared across methods (common random numbers: the first round's rollouts are the same for every method).
 * Score: the DDPM protocol's tilt match 1 − KL(h ‖ q)/KL(h_base ‖ q) (env/grid.ts `tiltScorer`, the same grid,
 * coarsening and reward gain), h_base the pre-trained flow's histogram with the same sampling noise.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { Adam } from '../../../nn/adam';
import { gridGmm, makeGrid2d, tiltScorer } from '../env/grid';
import type { Reward2d } from '../env/rewards';
import { promptMixture, RING8 } from '../env/targets';
import { exactVelocity } from '../models/flow';
import { ResidualVelocityMlp } from '../models/flow-policy';
import { PROTOCOL_DEFAULTS, PROTOCOL_TASKS, protocolReward, type ProtocolTask } from '../protocol/core';

export interface FlowProtocolConfig {
  /** Flow grid steps K, SDE noise level a of the rollouts, residual MLP hidden widths. */
  K: number;
  noise: number;
  hidden: number[];
  /** Rounds; groups × G rollouts per round (reward queries); epochs × minibatches Adam steps per round. */
  updates: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  /** Adam learning rate (global-norm clip 1); bound on |advantage| of the group-normalised methods. */
  lr: number;
  advClipMax: number;
  /** ODE samples per evaluated model; grid n × n on [lo, hi]², coarsened by `coarsen` (the DDPM protocol's). */
  evalSamples: number;
  gridN: number;
  gridLo: number;
  gridHi: number;
  coarsen: number;
  tasks: ProtocolTask[];
}

export const FLOW_PROTOCOL_DEFAULTS: FlowProtocolConfig = {
  K: 10,
  noise: 0.7,
  hidden: [64, 64],
  updates: PROTOCOL_DEFAULTS.updates,
  groups: 8,
  G: 16,
  epochs: 1,
  minibatches: 4,
  lr: PROTOCOL_DEFAULTS.lr,
  advClipMax: 5,
  evalSamples: PROTOCOL_DEFAULTS.evalSamples,
  gridN: PROTOCOL_DEFAULTS.gridN,
  gridLo: PROTOCOL_DEFAULTS.gridLo,
  gridHi: PROTOCOL_DEFAULTS.gridHi,
  coarsen: PROTOCOL_DEFAULTS.coarsen,
  tasks: [...PROTOCOL_TASKS],
};

/** Validates a config; names the field and the range. */
export function checkFlowProtocolConfig(c: FlowProtocolConfig): void {
  const where = 'diffusion2d flow protocol';
  const int = (v: number, lo: number, name: string) => {
    if (!Number.isInteger(v) || v < lo) throw new RangeError(`${where}: ${name} must be an integer ≥ ${lo}, got ${v}`);
  };
  int(c.K, 2, 'K');
  int(c.updates, 0, 'updates');
  int(c.groups, 1, 'groups');
  int(c.G, 2, 'G');
  int(c.epochs, 1, 'epochs');
  int(c.minibatches, 1, 'minibatches');
  int(c.evalSamples, 1, 'evalSamples');
  int(c.gridN, 2, 'gridN');
  int(c.coarsen, 1, 'coarsen');
  if (c.groups % c.minibatches !== 0)
    throw new RangeError(`${where}: groups (${c.groups}) must be a multiple of minibatches (${c.minibatches})`);
  if (c.gridN % c.coarsen !== 0)
    throw new RangeError(`${where}: gridN (${c.gridN}) must be a multiple of coarsen (${c.coarsen})`);
  if (c.hidden.length === 0 || c.hidden.some((h) => !Number.isInteger(h) || h < 1))
    throw new RangeError(`${where}: hidden must be a non-empty list of positive integers, got [${c.hidden}]`);
  if (!(c.noise > 0 && Number.isFinite(c.noise))) throw new RangeError(`${where}: noise must be positive and finite`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`${where}: lr must be positive and finite`);
  if (!(c.advClipMax > 0)) throw new RangeError(`${where}: advClipMax must be positive`);
  if (!(c.gridHi > c.gridLo)) throw new RangeError(`${where}: gridHi (${c.gridHi}) must exceed gridLo (${c.gridLo})`);
  if (c.tasks.length === 0)
    throw new RangeError(`${where}: tasks is empty; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  for (const t of c.tasks) protocolReward(t);
}

/** What a method gets for one task: a fresh pre-trained flow policy to fine-tune, the task and the budget. */
export interface FlowFineTuneContext {
  policy: ResidualVelocityMlp;
  reward: Reward2d;
  /** The task's KL weight (the tilt's temperature). */
  beta: number;
  K: number;
  noise: number;
  updates: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  advClipMax: number;
  opt: Adam;
  rng: Rng;
}

/** A method entered into the flow protocol: a named recipe of the testbed's method files. */
export interface FlowProtocolRecipe {
  name: string;
  summary: string;
  /** Fine-tune ctx.policy in place: ctx.updates rounds of ctx.groups × ctx.G rollouts (reward queries). */
  fineTune(ctx: FlowFineTuneContext): void;
}

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (tilt match),
 * rewardGain, klRef, outside; and `base/<metric>@<task>` for the pre-trained flow. Timing `<name>/ms@<task>`: the
 * task's wall time (tilt, both evaluations and the fine-tuning).
 */
export function runFlowRecipe(recipe: FlowProtocolRecipe, config: FlowProtocolConfig, seed: number): RunResult {
  checkFlowProtocolConfig(config);
  const root = new Rng(seed).split('diffusion2d-flow-protocol');
  const pref = promptMixture(RING8, 'all');
  const vBase = exactVelocity(pref);
  const grid = makeGrid2d(config.gridLo, config.gridHi, config.gridN);
  const pRef = gridGmm(grid, pref);
  const M = config.evalSamples;
  const metrics: Record<string, number> = {};
  const timings: Record<string, number> = {};
  for (const task of config.tasks) {
    const t0 = Date.now();
    const { reward, beta } = protocolReward(task);
    const tilt = tiltScorer(grid, pRef, reward, beta, config.coarsen);
    const rng = root.split(task);
    // the same residual initialisation for every method (its output layer is zero: the base flow exactly)
    const policy = new ResidualVelocityMlp(vBase, config.K, config.hidden, rng.split('init'));
    // both models are sampled with the same noise (common random numbers): an unchanged model scores exactly 0
    const evaluate = () => tilt.score(policy.sampleOde(M, rng.split('eval')), M);
    const b = evaluate();
    recipe.fineTune({
      policy,
      reward,
      beta,
      K: config.K,
      noise: config.noise,
      updates: config.updates,
      groups: config.groups,
      G: config.G,
      epochs: config.epochs,
      minibatches: config.minibatches,
      advClipMax: config.advClipMax,
      opt: new Adam(policy.size, { lr: config.lr, maxGradNorm: 1 }),
      rng: rng.split('train'),
    });
    const f = evaluate();
    timings[metricKey(recipe.name, `ms@${task}`)] = Date.now() - t0;
    metrics[metricKey(recipe.name, `score@${task}`)] = 1 - f.klTilt / b.klTilt;
    metrics[metricKey(recipe.name, `rewardGain@${task}`)] = (f.reward - b.reward) / (tilt.tiltReward - b.reward);
    metrics[metricKey(recipe.name, `klRef@${task}`)] = f.klRef;
    metrics[metricKey(recipe.name, `outside@${task}`)] = f.outside;
    metrics[metricKey('base', `klTilt@${task}`)] = b.klTilt;
    metrics[metricKey('base', `klRef@${task}`)] = b.klRef;
  }
  return { metrics, timings };
}
