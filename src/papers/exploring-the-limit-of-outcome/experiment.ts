/**
 * "Exploring the Limit of Outcome Reward for Learning Mathematical Reasoning" (Lyu et al. 2025, OREAL) on the reasoning
 * testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on 3-digit scratchpad
 * addition with fresh training-split problems by OREAL (trainer/objectives/oreal.ts), its ablations and the baselines,
 * all on the released code's pipeline (train_oreal.py):
 *   rollout step  B fresh prompts, K answers each (temperature 1), rewards from the verifier;
 *   update        the training batch split at random by question into `miniBatches` mini-batches, one Adam step on
 *                 each (the code takes ONE optimizer step per rollout batch; the miniature takes several so that the
 *                 testbed's baseline learns within the time budget); the KL to the frozen base model (k3, β = 0.01)
 *                 in every method's loss.
 * Methods (record-key names), everything else shared (prompts, K, Adam steps, lr, KL):
 *   OREAL            pairs (one correct, one wrong answer per question with 0 < p < 1), positives' likelihood weighted
 *                    by the RLOO-shaped reward, negatives by their RLOO-shaped reward (η = 0.5), token weights from the
 *                    token reward model (a linear head on the frozen base model, token-rm.ts, trained each step by
 *                    eq. 12); the actor frozen for the first `rmWarmup` steps while the head learns
 *   OREAL-noTokenRM  as OREAL with w⁺ = w⁻ = 1 and no warm-up (the released oreal_wo_tokenrm switch; Table 2's
 *                    "+ Behavior Cloning" row)
 *   OREAL-noShaping  as OREAL with the raw ±1 rewards (positives plain behaviour cloning, negatives −1)
 *   GRPO             group-standardised advantage on all K answers, sequence-mean, clip 0.2 (Table 2's
 *                    "+ Reward Shaping": the shaping applied to every sample)
 *   RFT              behaviour cloning on every correct answer of the K (the theorem's positives-only BC; mini-batches
 *                    split its correct answers, not the questions)
 * All methods of a seed start from the same base model, see the same draws of training problems and are evaluated on
 * the same held-out problems with the same sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import type { Rng } from '../../core/rng';
import type { TransformerLm } from '../../nn/transformer-lm';
import { ADDITION_BASE } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { completionBudget, sampleRollouts, selectGroups } from '../../testbeds/reasoning/trainer/loop';
import {
  OREAL_RECIPE,
  orealPairs,
  orealSpec,
  orealTokenWeights,
  selectPairs,
  type OrealRollouts,
} from '../../testbeds/reasoning/trainer/objectives/oreal';
import {
  checkMethodNames,
  finiteMean,
  mean,
  meanReward,
  miniBatchSteps,
  seedRun,
  trainingStream,
  type PaperConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import type { Rollouts } from '../../testbeds/reasoning/trainer/update';
import { baseScores, LinearTokenRm } from './token-rm';

export { chunks as miniBatchChunks, levelTag } from '../../testbeds/reasoning/trainer/pipeline';

/** How a method builds its training batch from a rollout step. */
export interface MethodSpec {
  recipe: Recipe;
  /**
   * 'pairs': OREAL's one correct + one wrong answer per mixed question; 'all': the whole batch; 'positives': every
   * correct answer (as groups of one).
   */
  batch: 'pairs' | 'all' | 'positives';
  /** Train and use the token reward model (the recipe's objective must weight tokens). */
  tokenRm: boolean;
}

const KL_001 = { kind: 'loss', estimator: 'k3', beta: 0.01 } as const;

/** The compared methods by record-key name. */
export const METHODS: Record<string, MethodSpec> = {
  OREAL: { recipe: OREAL_RECIPE, batch: 'pairs', tokenRm: true },
  'OREAL-noTokenRM': {
    recipe: { ...OREAL_RECIPE, name: 'OREAL w/o token RM', objective: orealSpec({ tokenWeights: false }) },
    batch: 'pairs',
    tokenRm: false,
  },
  'OREAL-noShaping': {
    recipe: { ...OREAL_RECIPE, name: 'OREAL w/o reward shaping', objective: orealSpec({ shaping: 'none' }) },
    batch: 'pairs',
    tokenRm: true,
  },
  GRPO: { recipe: { ...RECIPES.grpo, kl: KL_001 }, batch: 'all', tokenRm: false },
  // Behaviour cloning is the plain likelihood: no importance weight on the later mini-batches.
  RFT: { recipe: { ...RECIPES.rft, kl: KL_001, importance: 'none' }, batch: 'positives', tokenRm: false },
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config extends PaperConfig {
  /** Rollout steps per method (one Adam step each, except the token-RM methods' frozen warm-up steps). */
  rollouts: number;
  /** Answers per prompt (K, prompt_repeat_k). */
  groupSize: number;
  /** Adam steps per rollout step (the training batch split at random by question). */
  miniBatches: number;
  /** Token reward head Adam learning rate (global-norm clip 1). */
  rmLr: number;
  /** Rollout steps at the start during which the actor is frozen and only the token reward model learns. */
  rmWarmup: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 60,
  batchPrompts: 16,
  groupSize: 16,
  miniBatches: 4,
  lr: 1e-4,
  rmLr: 1e-3,
  rmWarmup: 7,
  evalProblems: 128,
  evalSamples: 16,
  passKs: [1, 16],
};

/** Per rollout step. */
export interface OrealCurves {
  /** Mean reward of the step's K answers to B fresh training problems (sampled by the current policy). */
  reward: number[];
  /** Sequences in the update's batch (after pair selection or filters). */
  trained: number[];
  /** Token RM: its eq. (12) loss on the step's pairs before its step (NaN without one). */
  rmLoss: number[];
  /** Token RM: mean w⁺ over correct answers' tokens and mean w⁻ over wrong answers' tokens (NaN without one). */
  posWeight: number[];
  negWeight: number[];
}

/** Trains `policy` with method `m` (see the module comment); deterministic given `rng`. */
export function trainOreal(
  policy: RlPolicy,
  base: TransformerLm,
  m: MethodSpec,
  c: Config,
  rng: Rng,
  d: number,
): OrealCurves {
  const task = getTask(c.base.task);
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const rm = m.tokenRm ? new LinearTokenRm(d, c.rmLr, rng.split('token-rm')) : null;
  const curves: OrealCurves = { reward: [], trained: [], rmLoss: [], posWeight: [], negWeight: [] };
  for (let t = 1; t <= c.rollouts; t++) {
    const all = sampleRollouts(policy, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, rng.split(`s${t}`));
    curves.reward.push(meanReward(all));
    let batch: Rollouts | null = all;
    if (m.batch === 'pairs') batch = orealPairs(all, rng.split(`pairs${t}`));
    if (m.batch === 'positives') {
      const correct: number[] = [];
      for (let i = 0; i < all.rewards.length; i++) if (all.rewards[i] > 0) correct.push(i);
      batch = correct.length ? selectGroups({ ...all, B: all.B * all.G, G: 1 }, correct) : null;
    }
    if (!batch) {
      curves.trained.push(0);
      curves.rmLoss.push(NaN);
      curves.posWeight.push(NaN);
      curves.negWeight.push(NaN);
      continue;
    }
    const N = batch.B * batch.G;
    const x = baseScores(base, batch.seq, N, batch.P, batch.L);
    curves.trained.push(N);
    if (rm) {
      const pairs = batch as OrealRollouts;
      const w = orealTokenWeights(rm.scores(x, pairs.lengths, L), pairs.lengths, L);
      pairs.posWeight = w.pos;
      pairs.negWeight = w.neg;
      let ps = 0,
        pn = 0,
        ns = 0,
        nn = 0;
      for (let i = 0; i < N; i++)
        for (let k = 0; k < pairs.lengths[i]; k++)
          if (pairs.rewards[i] > 0) {
            ps += w.pos[i * L + k];
            pn++;
          } else {
            ns += w.neg[i * L + k];
            nn++;
          }
      curves.posWeight.push(ps / pn);
      curves.negWeight.push(ns / nn);
      // The head's step on this batch, after its weights were read (the code detaches them from the policy loss).
      curves.rmLoss.push(rm.train(x, pairs.lengths, pairs.rewards, L));
      if (t <= c.rmWarmup) continue; // actor_freeze_steps: only the token reward model learns
    } else {
      curves.rmLoss.push(NaN);
      curves.posWeight.push(NaN);
      curves.negWeight.push(NaN);
    }
    const trained = batch;
    // Split by question (pairs: by pair); each mini-batch's KL reference is the base model's log-probabilities.
    miniBatchSteps(policy, m.recipe, batch, c.miniBatches, rng.split(`order${t}`), {
      select: m.batch === 'pairs' ? (b, groups) => selectPairs(b as OrealRollouts, groups) : selectGroups,
      ref: (mb, groups) => {
        const ref = new Float32Array(mb.B * mb.G * L);
        groups.forEach((g, j) => ref.set(x.refLogp.subarray(g * trained.G * L, (g + 1) * trained.G * L), j * mb.G * L));
        return ref;
      },
    });
  }
  return curves;
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each); for the trained
 * methods `m/meanReward` (mean training reward over rollout steps), `m/lateReward` (its last quarter), `m/trained`
 * (mean sequences per update), and for the token-RM methods `m/rmLossLate` (eq. 12 loss over the last quarter),
 * `m/posWeight`, `m/negWeight` (mean token weights after the warm-up). Series `m/L<l>:counts`, `m/reward`,
 * `m/rmLoss`. Timings `m/trainMs`, `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('exploring-the-limit-of-outcome', c.methods, METHODS);
  if (!(Number.isInteger(c.rmWarmup) && c.rmWarmup >= 0 && c.rmWarmup < c.rollouts))
    throw new RangeError(
      `exploring-the-limit-of-outcome: rmWarmup must be an integer in [0, rollouts), got ${c.rmWarmup}`,
    );
  const run = seedRun(c, seed, 'oreal');
  const { metrics, series, timings, base } = run;
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  const late = Math.floor((3 * c.rollouts) / 4);
  for (const name of c.methods) {
    const m = METHODS[name];
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainOreal(policy, base, m, c, run.root.split('train'), base.config.dModel);
    timings[metricKey(name, 'trainMs')] = Date.now() - t0;
    const key = (k: string) => metricKey(name, k);
    series[key('reward')] = cv.reward;
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('trained')] = mean(cv.trained);
    if (m.tokenRm) {
      series[key('rmLoss')] = cv.rmLoss;
      metrics[key('rmLossFirst')] = finiteMean(cv.rmLoss.slice(0, Math.max(1, c.rmWarmup)));
      metrics[key('rmLossLate')] = finiteMean(cv.rmLoss.slice(late));
      metrics[key('posWeight')] = finiteMean(cv.posWeight.slice(c.rmWarmup));
      metrics[key('negWeight')] = finiteMean(cv.negWeight.slice(c.rmWarmup));
    }
    run.evaluate(name, policy);
  }
  return run.result();
}
