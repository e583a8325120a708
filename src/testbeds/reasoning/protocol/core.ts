/**
 * The reasoning testbed's standard protocol: every GRPO-family method of the testbed's papers fine-tunes the same
 * pre-trained tiny transformer (base-model.ts, ADDITION_BASE: 2 layers, d 64, pre-trained on scratchpad addition,
 * mostly 1–2 digits) with the 0/1 verifier reward on fresh training-split problems of one held-out difficulty, with
 * the same budget, optimiser and seeds, and is scored on held-out-split problems that no run trains on
 * (reports/compare/reasoning.html). The paper notebooks stay the tests of their claims.
 *
 * Task: `addition-L3`, 3-digit scratchpad addition (the level of the testbed's validity gate, where GRPO's held-out
 * pass@1 rises; level 4 does not move in 100 updates, see testbed-reasoning).
 * Budget (identical for every method): `updates` updates, each sampling `groupSize` completions for each of
 * `batchPrompts` fresh problems (methods with dynamic sampling draw more prompts within their recipe's `maxRounds`,
 * the one budget difference the protocol allows); `passes` gradient passes over every batch
 * (so importance ratios leave 1 on the second pass and every clip, ratio form and token control acts); Adam with
 * one learning rate `lr` and global-norm clip 1, none tuned on the protocol. The training-problem stream and the
 * sampling streams are common random numbers across methods (paired by seed).
 * Score (higher is better): the normalised held-out pass@1 gain (P₁(θ_T) − P₁(θ_0))/(1 − P₁(θ_0)), P₁ the unbiased
 * pass@1 from `evalSamples` samples of each of `evalProblems` held-out problems (the same problems and sampling
 * stream for the base model and every method of a seed). Also recorded: the change of pass@`passK` (a method that
 * only sharpens can lose it), the mean training reward over updates (sample efficiency), the largest fall of the
 * training-reward moving average after its peak (stability), the fraction of sampled responses the update used
 * (filters, dynamic sampling).
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { taskEngine, transformerCopy } from '../../../nn/active-engine';
import type { TransformerLm } from '../../../nn/transformer-lm';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../base-model';
import { getTask } from '../tasks/registry';
import { distinctProblems } from '../tasks/splits';
import type { Task } from '../tasks/task';
import { evaluateCounts, passAtKFromCounts, trainRl } from '../trainer/loop';
import { TransformerCritic } from '../trainer/critic';
import { LmPolicy, type RlPolicy } from '../trainer/policy';
import type { Recipe } from '../trainer/recipes';

export const PROTOCOL_TASKS = ['addition-L3'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

/** The task and level of a protocol task. */
export function protocolLevel(task: ProtocolTask): { task: string; level: number } {
  if (task === 'addition-L3') return { task: 'addition', level: 3 };
  throw new RangeError(`reasoning protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
}

export interface ProtocolConfig {
  base: ReasoningBaseSpec;
  /** Updates; fresh prompts per update (B); sampled completions per prompt (G); gradient passes per batch. */
  updates: number;
  batchPrompts: number;
  groupSize: number;
  passes: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Held-out problems per seed (drawn once, never trained on) and samples per problem. */
  evalProblems: number;
  evalSamples: number;
  /** k of the recorded pass@k change (≤ evalSamples). */
  passK: number;
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  base: ADDITION_BASE,
  updates: 100,
  batchPrompts: 8,
  groupSize: 8,
  passes: 2,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passK: 32,
  tasks: [...PROTOCOL_TASKS],
};

/**
 * A method entered into the protocol: a named recipe of the trainer's parts (trainer/recipes.ts, objectives/), trained
 * by the shared loop (`trainRl`); or, for a method whose update is not a composition of those parts (OREAL's pairs and
 * token reward model, CAPO's curvature mask), its own `train` on the same budget, streams and evaluation.
 */
export interface ProtocolRecipe {
  name: string;
  summary: string;
  trainer: Recipe;
  /**
   * Trains `a.policy` in place of `trainRl` (on-policy only): `config.updates` updates of `config.batchPrompts` fresh
   * training problems × `config.groupSize` completions sampled by the current policy, `config.passes` Adam steps per
   * batch. The problems come from `trainingStream(task, a.rng)` and update t's samples should come from
   * `a.rng.split('sample' + t)`, `trainRl`'s streams, so the batches are paired with the other methods' (a paper's loop
   * that names its sample streams otherwise keeps the problems paired, not the completions). Returns per update the
   * batch's mean reward and the number of sampled responses the update used.
   */
  train?: (a: ProtocolTrainArgs) => { reward: number[]; kept: number[] };
}

/** What a method with its own update (`ProtocolRecipe.train`) trains. */
export interface ProtocolTrainArgs {
  /** A copy of the base model, and the policy (Adam at `config.lr`, global-norm clip 1) that trains it. */
  model: TransformerLm;
  policy: RlPolicy;
  /** The frozen base model (shared: do not train it). */
  base: TransformerLm;
  task: Task;
  level: number;
  config: ProtocolConfig;
  /** The method's trainer recipe with `epochs` = `config.passes`. */
  recipe: Recipe;
  /** The training root of the run (what `trainRl` gets). */
  rng: Rng;
}

/** Validates a config; names the field and the range. */
export function checkProtocolConfig(c: ProtocolConfig): void {
  const where = 'reasoning protocol';
  const int = (v: number, lo: number, name: string) => {
    if (!Number.isInteger(v) || v < lo) throw new RangeError(`${where}: ${name} must be an integer ≥ ${lo}, got ${v}`);
  };
  int(c.updates, 1, 'updates');
  int(c.batchPrompts, 1, 'batchPrompts');
  int(c.groupSize, 2, 'groupSize');
  int(c.passes, 1, 'passes');
  int(c.evalProblems, 1, 'evalProblems');
  int(c.evalSamples, 1, 'evalSamples');
  int(c.passK, 1, 'passK');
  if (c.passK > c.evalSamples)
    throw new RangeError(`${where}: passK (${c.passK}) must not exceed evalSamples (${c.evalSamples})`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`${where}: lr must be positive and finite`);
  if (c.tasks.length === 0)
    throw new RangeError(`${where}: tasks is empty; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  for (const t of c.tasks) protocolLevel(t);
}

/** Largest fall of the w-update trailing moving average after its peak (0 when the curve ends at its peak). */
export function fallFromPeak(xs: readonly number[], w: number): number {
  if (xs.length === 0) return NaN;
  let s = 0,
    peak = -Infinity,
    last = NaN;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i];
    if (i >= w) s -= xs[i - w];
    last = s / Math.min(i + 1, w);
    peak = Math.max(peak, last);
  }
  return peak - last;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (normalised
 * held-out pass@1 gain), pass1, passKGain (change of held-out pass@k), meanReward (training reward averaged over
 * updates), fall (`fallFromPeak` of the training reward, window a tenth of the updates), used (fraction of sampled
 * responses the update used); `base/pass1@<task>` and `base/passK@<task>` for the
 * base model on the same held-out problems and sampling stream. `o.staleness` k > 0 trains on samples of the
 * policy k updates older (the stale-sample protocol, ../protocol-stale) and adds `<name>/klBehaviour@<task>`;
 * `o.where` names the protocol in messages.
 */
export async function runRecipe(
  recipe: ProtocolRecipe,
  config: ProtocolConfig,
  seed: number,
  o: { staleness?: number; where?: string } = {},
): Promise<RunResult> {
  const where = o.where ?? 'reasoning protocol';
  const k = o.staleness ?? 0;
  checkProtocolConfig(config);
  if (recipe.train && k > 0)
    throw new RangeError(
      `${where}: ${recipe.name} trains with its own update, which runs on-policy only (staleness 0)`,
    );
  // The nn engine (nn/active-engine.ts: RLMINI_ENGINE, default auto); the base model is pre-trained and cached on
  // the wasm engine and copied onto it.
  const engine = await taskEngine(where);
  const base = reasoningBase(config.base).model;
  const root = new Rng(seed).split('reasoning-protocol');
  const metrics: Record<string, number> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerCopy(engine, base, new Rng(0));
  const trainerRecipe: Recipe = { ...recipe.trainer, epochs: config.passes };
  for (const name of config.tasks) {
    const { task: taskName, level } = protocolLevel(name);
    if (taskName !== config.base.task)
      throw new RangeError(
        `${where}: task ${name} needs a base model of "${taskName}", the config's is "${config.base.task}"`,
      );
    const task = getTask(taskName);
    const rng = root.split(name);
    const held = distinctProblems(task, seed, level, 'heldout', config.evalProblems);
    const evaluate = (policy: RlPolicy) => {
      // The same held-out problems and sampling stream for the base model and every method of the seed.
      const counts = evaluateCounts(policy, task, held, config.evalSamples, rng.split('eval'));
      return {
        p1: passAtKFromCounts(counts, config.evalSamples, 1),
        pk: passAtKFromCounts(counts, config.evalSamples, config.passK),
      };
    };
    const b = evaluate(new LmPolicy(copy(), { lr: 1 }));
    const ref = !recipe.train && trainerRecipe.kl.kind !== 'none' ? new LmPolicy(copy(), { lr: 1 }) : null;
    // the sampling policy of a stale run (loaded with older parameters by the loop)
    const behaviour = k > 0 && !recipe.train ? new LmPolicy(copy(), { lr: 1 }) : undefined;
    // PPO's critic: the base model's weights with a fresh value head (critic.ts)
    const critic =
      !recipe.train && trainerRecipe.critic
        ? new TransformerCritic(copy(), { lr: config.lr * trainerRecipe.critic.lrScale, maxGradNorm: 1 })
        : undefined;
    const t0 = Date.now();
    const model = copy();
    const policy = new LmPolicy(model, { lr: config.lr, maxGradNorm: 1 });
    const curves: { reward: number[]; kept: number[]; klBehaviour?: number[] } = recipe.train
      ? recipe.train({
          model: model as TransformerLm, // the wasm engine's (checked above)
          policy,
          base,
          task,
          level,
          config,
          recipe: trainerRecipe,
          rng: rng.split('train'),
        })
      : trainRl(
          policy,
          task,
          {
            recipe: trainerRecipe,
            level,
            updates: config.updates,
            batchPrompts: config.batchPrompts,
            groupSize: config.groupSize,
            lr: config.lr,
            staleness: k,
            critic,
          },
          rng.split('train'),
          ref,
          undefined,
          behaviour,
        );
    timings[metricKey(recipe.name, `trainMs@${name}`)] = Date.now() - t0;
    const f = evaluate(policy);
    const key = (m: string) => metricKey(recipe.name, `${m}@${name}`);
    metrics[key('score')] = b.p1 < 1 ? (f.p1 - b.p1) / (1 - b.p1) : 0;
    metrics[key('pass1')] = f.p1;
    metrics[key('passKGain')] = f.pk - b.pk;
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('fall')] = fallFromPeak(curves.reward, Math.max(4, Math.round(config.updates / 10)));
    metrics[key('used')] = mean(curves.kept) / (config.batchPrompts * config.groupSize);
    if (k > 0) {
      const kl = (curves.klBehaviour ?? []).filter((x) => Number.isFinite(x));
      metrics[key('klBehaviour')] = kl.length ? mean(kl) : NaN;
    }
    metrics[metricKey('base', `pass1@${name}`)] = b.p1;
    metrics[metricKey('base', `passK@${name}`)] = b.pk;
  }
  return { metrics, timings };
}
