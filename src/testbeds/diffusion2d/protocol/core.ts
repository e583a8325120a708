/**
 * The 2-D diffusion testbed's standard protocol: every fine-tuning method of the testbed starts from the same cached
 * pre-trained DDPM (models/base-model.ts RING8_DDPM_BASE, prompt "all": the eight-mode ring p_ref), fine-tunes it on
 * the same rewards with the same budget and seeds, and is scored against the exact KL-regularised optimum, the
 * tilted target q ∝ p_ref·exp(r/β), computed on a grid (reports/compare/diffusion2d.html). The paper notebooks stay
 * the tests of their claims.
 *
 * Tasks (smooth quadratic rewards r(x) = −|x − c|²/(2s²), env/rewards.ts; the tilt of a Gaussian mixture by such a
 * reward is again a Gaussian mixture, solvers/tilt.ts):
 *   mode    c = (3, 0), s = 2, β = 1: mass moves toward the modes near (3, 0) (the validity gate's task)
 *   sharp   c = (0, −3), s = 1, β = 0.25: a strong tilt concentrating on the mode at (0, −3) and its neighbours
 * Budget: `updates` updates of `batch` sampled chains each (so updates × batch reward queries), Adam with learning
 * rate `lr` and global-norm clip 1, for every method; no method is tuned on the protocol.
 * Score (higher is better): tilt match 1 − KL(h ‖ q)/KL(h_base ‖ q), h the histogram of `evalSamples` samples of
 * the fine-tuned model on the coarse grid (the grid's `gridN`² cells summed in `coarsen`² blocks), h_base the same
 * for the pre-trained model, sampled with the same noise: 1 = the tilted target reached, 0 = no closer than the
 * pre-trained model, < 0 farther.
 * Also recorded: the reward gain (E_h r − E_base r)/(E_q r − E_base r) (1 = the tilted target's mean reward; above
 * 1 = more reward than the KL-regularised optimum, bought with distance from p_ref), KL(h ‖ p_ref), and the sample
 * fraction outside the grid's box.
 * Diverged runs and the floor. The histogram covers the grid's box, where p_ref and q have (numerically) all their
 * mass, so it cannot value samples outside it: a model whose samples all leave the box would read a tilt match of 1.
 * A run is therefore *diverged* when more than `DIVERGED_OUTSIDE` of its samples lie outside the box, or when its
 * training stops on a non-finite gradient (nn.Adam refuses the step; the model is evaluated as it was then); it
 * then scores `TILT_MATCH_FLOOR` (−1) and records `<name>/diverged@<task>` = 1. Every score is floored there too, so
 * a diverged run ranks with the worst. Both were declared from the records before any diverging method was entered:
 * every run of the eight entered methods (10 seeds, both tasks) has no sample outside the box and scores above
 * −0.47, so neither the rule nor the floor changes any of their scores.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { Adam } from '../../../nn/adam';
import { gridGmm, makeGrid2d, tiltScorer } from '../env/grid';
import { quadraticReward2d, type Reward2d } from '../env/rewards';
import { promptMixture } from '../env/targets';
import { diffusion2dBase, RING8_DDPM_BASE, type Diffusion2dBaseSpec } from '../models/base-model';
import { ddpmSample } from '../models/ddpm';
import type { EpsMlp } from '../models/denoiser';
import { ddpmSchedule, type DdpmSchedule } from '../models/schedule';

export const PROTOCOL_TASKS = ['mode', 'sharp'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

/** The reward and KL weight of a task. */
export function protocolReward(task: ProtocolTask): { reward: Reward2d; beta: number } {
  if (task === 'mode') return { reward: quadraticReward2d([3, 0], 2), beta: 1 };
  if (task === 'sharp') return { reward: quadraticReward2d([0, -3], 1), beta: 0.25 };
  throw new RangeError(`diffusion2d protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
}

export interface ProtocolConfig {
  /** The pre-trained model every method starts from (p_ref = its target's prompt 0). */
  base: Diffusion2dBaseSpec;
  /** Updates, chains per update (reward queries per update), Adam learning rate (global-norm clip 1). */
  updates: number;
  batch: number;
  lr: number;
  /** Samples per evaluated model; grid n × n on [lo, hi]², coarsened by `coarsen` for the KLs. */
  evalSamples: number;
  gridN: number;
  gridLo: number;
  gridHi: number;
  coarsen: number;
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  base: RING8_DDPM_BASE,
  updates: 100,
  batch: 128,
  lr: 3e-4,
  evalSamples: 20000,
  gridN: 128,
  gridLo: -5,
  gridHi: 5,
  coarsen: 4,
  tasks: [...PROTOCOL_TASKS],
};

/** A run with more than this fraction of its samples outside the grid's box is diverged (see the module comment). */
export const DIVERGED_OUTSIDE = 0.01;
/** The tilt match's floor, which a diverged run scores. */
export const TILT_MATCH_FLOOR = -1;

/** nn.Adam's refusal of a non-finite gradient (the one training error the protocol scores instead of raising). */
function nonFiniteStep(e: unknown): boolean {
  return e instanceof RangeError && e.message.startsWith('nn.Adam.step: the gradient contains NaN or Infinity');
}

/** What a method gets for one task: a fresh copy of the base model to fine-tune, its frozen reference, the task. */
export interface FineTuneContext {
  policy: EpsMlp;
  ref: EpsMlp;
  sched: DdpmSchedule;
  reward: Reward2d;
  beta: number;
  updates: number;
  batch: number;
  opt: Adam;
  rng: Rng;
}

/** A method entered into the protocol: a named recipe of the testbed's method files. */
export interface ProtocolRecipe {
  name: string;
  summary: string;
  /** Fine-tune ctx.policy in place with the budget of ctx (updates × batch reward queries). */
  fineTune(ctx: FineTuneContext): void;
}

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (tilt match,
 * floored), rewardGain, klRef, outside, and diverged (= 1, only for a diverged run); and `base/<metric>@<task>` for the
 * pre-trained model.
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const root = new Rng(seed).split('diffusion2d-protocol');
  const base = diffusion2dBase(config.base).model;
  const sched = ddpmSchedule(config.base.schedule);
  const grid = makeGrid2d(config.gridLo, config.gridHi, config.gridN);
  const pRef = gridGmm(grid, promptMixture(config.base.target, 0));
  const M = config.evalSamples;
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const { reward, beta } = protocolReward(task);
    const tilt = tiltScorer(grid, pRef, reward, beta, config.coarsen);
    const rng = root.split(task);
    // both models are sampled with the same noise (common random numbers): an unchanged model scores exactly 0
    const evaluate = (m: EpsMlp) =>
      tilt.score(ddpmSample(sched, (xt, t, n) => m.predict(xt, t, n), M, rng.split('eval')).x0, M);
    const b = evaluate(base);
    const policy = base.clone();
    let stopped = false;
    try {
      recipe.fineTune({
        policy,
        ref: base,
        sched,
        reward,
        beta,
        updates: config.updates,
        batch: config.batch,
        opt: new Adam(policy.mlp.size, { lr: config.lr, maxGradNorm: 1 }),
        rng: rng.split('train').split(recipe.name),
      });
    } catch (e) {
      if (!nonFiniteStep(e)) throw e;
      stopped = true;
    }
    const f = evaluate(policy);
    const diverged = stopped || f.outside > DIVERGED_OUTSIDE;
    metrics[metricKey(recipe.name, `score@${task}`)] = diverged
      ? TILT_MATCH_FLOOR
      : Math.max(TILT_MATCH_FLOOR, 1 - f.klTilt / b.klTilt);
    if (diverged) metrics[metricKey(recipe.name, `diverged@${task}`)] = 1;
    metrics[metricKey(recipe.name, `rewardGain@${task}`)] = (f.reward - b.reward) / (tilt.tiltReward - b.reward);
    metrics[metricKey(recipe.name, `klRef@${task}`)] = f.klRef;
    metrics[metricKey(recipe.name, `outside@${task}`)] = f.outside;
    metrics[metricKey('base', `klTilt@${task}`)] = b.klTilt;
    metrics[metricKey('base', `klRef@${task}`)] = b.klRef;
  }
  return { metrics };
}
