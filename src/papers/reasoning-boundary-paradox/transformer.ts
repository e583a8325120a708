/**
 * The reasoning-boundary experiment (Nguyen et al. 2025) on the reasoning testbed (src/testbeds/reasoning/): the
 * cached transformer base model (`ADDITION_BASE`, scratchpad addition, pre-trained on levels ≤ 2) is trained by
 * RL at level 3 with fresh train-split problems every update, by
 *   grpo  GRPO as the paper's scripts run it (verl: std-normalised group advantage, token-mean aggregation,
 *         PPO clip 0.2, no KL term: use_kl_loss = False, use_kl_in_reward = False), one gradient pass per batch;
 *   self  SELF's curation (self-curation.ts): the same GRPO update on the batch prompts the current model does
 *         not solve by greedy decoding (the official RayMaxPPOTrainer);
 * both from the same base model on the same stream of training problems. Held-out problems (held-out split, never
 * trained on) measure:
 *   - the reasoning boundary: the unbiased pass@k (Chen et al. 2021) for k = 1 … n from n ≥ 256 samples per
 *     problem, base and trained, on `evalProblems` problems (paired: the same problems for every model);
 *   - the correct-solution likelihood: log π(y*_q | x_q) of the reference chain of thought y*_q (exact, teacher
 *     forced) on `likelihoodProblems` problems, before and after training, by tercile of its base value
 *     (winner-take-all, suppression of low-likelihood problems), and its exact change over ONE update every
 *     `interferenceEvery` updates (negative interference: the paper's Δ log π_t(y'|x') after an update on
 *     other problems; a held-out problem is never in a batch).
 * Task entry point: `runSeed(config, seed)`; one record holds the base model and every method of one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { ADDITION_BASE, reasoningBase, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { PAD } from '../../testbeds/reasoning/tasks/vocab';
import {
  completionBudget,
  evaluateCounts,
  passAtKFromCounts,
  sampleRollouts,
} from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate } from '../../testbeds/reasoning/trainer/update';
import { maskedMean, tercileMasks } from './likelihood';
import { selfCuratedProblems } from './self-curation';

export type Method = 'grpo' | 'self';
export const METHODS: readonly Method[] = ['grpo', 'self'];

/**
 * GRPO as the paper's training scripts configure verl (slurm/train_grpo.sh, train_max_ppo.sh and verl's
 * ppo_trainer.yaml): GRPO advantage with the std (norm_adv_by_std_in_grpo), token-mean loss aggregation, PPO
 * clip 0.2, no KL (use_kl_loss = False, use_kl_in_reward = False), no entropy term. One gradient pass per batch
 * (the scripts use 2 mini-batches of 64 per batch of 128 prompts; here one pass, so the ratio is 1).
 */
export const PAPER_GRPO: Recipe = {
  ...RECIPES.grpo,
  name: 'GRPO (paper scripts: token-mean, no KL)',
  aggregation: 'token-mean',
  kl: { kind: 'none' },
};

/** One seed's run. */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** GRPO on every batch prompt ('grpo') and with SELF's curation ('self'). */
  methods: Method[];
  /** Training level (fresh train-split problems of this level every update); held-out problems at this level. */
  level: number;
  updates: number;
  /** Prompts per update (before SELF's curation) and samples per prompt. */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global gradient-norm clip 1). */
  lr: number;
  /** Held-out problems sampled for pass@k (the first `evalProblems` of the likelihood set). */
  evalProblems: number;
  /** Samples per held-out problem: n of the unbiased pass@k (every k ≤ n; ≥ 256 for pass@256). */
  evalSamples: number;
  passKs: number[];
  /** Held-out problems whose reference-solution log-likelihood is tracked (≥ evalProblems, ≥ 3). */
  likelihoodProblems: number;
  /**
   * Samples per tracked problem for its success rate p̂ = c/n (pass@1 on the wider set, and p̂ by tercile of base
   * likelihood): pass@1 needs few samples per problem but many problems.
   */
  probeSamples: number;
  /** Every this many updates, the exact change of the held-out log-likelihoods over that one update. */
  interferenceEvery: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: ['grpo', 'self'],
  level: 3,
  updates: 200,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 48,
  evalSamples: 256,
  passKs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  likelihoodProblems: 192,
  probeSamples: 32,
  interferenceEvery: 10,
};

export function checkConfig(c: Config): void {
  const where = 'reasoning-boundary-paradox/transformer';
  if (c.methods.length === 0 || c.methods.some((m) => !METHODS.includes(m)))
    throw new RangeError(`${where}: methods must be a non-empty list of ${METHODS.join(', ')}, got [${c.methods}]`);
  if (!Number.isInteger(c.likelihoodProblems) || c.likelihoodProblems < Math.max(3, c.evalProblems))
    throw new RangeError(
      `${where}: likelihoodProblems must be an integer ≥ max(3, evalProblems = ${c.evalProblems}), ` +
        `got ${c.likelihoodProblems}`,
    );
  if (c.passKs.some((k) => !Number.isInteger(k) || k < 1 || k > c.evalSamples))
    throw new RangeError(`${where}: every k of passKs must be an integer in [1, evalSamples = ${c.evalSamples}]`);
  if (!Number.isInteger(c.probeSamples) || c.probeSamples < 1)
    throw new RangeError(`${where}: probeSamples must be an integer ≥ 1, got ${c.probeSamples}`);
  if (!Number.isInteger(c.interferenceEvery) || c.interferenceEvery < 1)
    throw new RangeError(`${where}: interferenceEvery must be an integer ≥ 1, got ${c.interferenceEvery}`);
}

/**
 * log π(y*_q | x_q) of each problem's reference completion y*_q (its chain of thought, answer and EOS) after its
 * prompt x_q: the sum of the teacher-forced token log-probabilities. Prompts must share one length.
 */
export function referenceLogLikelihood(policy: RlPolicy, problems: readonly Problem[]): Float64Array {
  const P = problems[0].prompt.length;
  const Lmax = Math.max(...problems.map((p) => p.reference.length));
  const N = problems.length,
    T = P + Lmax;
  const seq = new Int32Array(N * T).fill(PAD);
  problems.forEach((p, i) => {
    if (p.prompt.length !== P)
      throw new RangeError('reasoning-boundary-paradox.referenceLogLikelihood: prompts must share one length');
    seq.set(p.prompt, i * T);
    seq.set(p.reference, i * T + P);
  });
  const s = policy.score(seq, N, T, P);
  const out = new Float64Array(N);
  problems.forEach((p, i) => {
    let sum = 0;
    for (let t = 0; t < p.reference.length; t++) sum += s.logp[i * Lmax + t];
    out[i] = sum;
  });
  return out;
}

/** Summary of Δ = after − before by the base-likelihood terciles `t` (means; fraction of the low tercile < 0). */
function changeSummary(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  t: { low: Uint8Array; high: Uint8Array },
): { low: number; high: number; all: number; fracDown: number; fracDownLow: number } {
  const d = Float64Array.from(after, (v, i) => v - before[i]);
  const down = Float64Array.from(d, (v) => (v < 0 ? 1 : 0));
  return {
    low: maskedMean(d, t.low),
    high: maskedMean(d, t.high),
    all: maskedMean(d),
    fracDown: maskedMean(down),
    fracDownLow: maskedMean(down, t.low),
  };
}

/**
 * One seed. Keys `<method>/<metric>` with method ∈ {base, grpo, self} (`all` for problem-set facts):
 * `heldout:pass@k`; `heldout:pass@k:low|high` (terciles of the pass@k problems by base likelihood);
 * `probe:pass@1`, `probe:pass@1:low|high` (mean success rate p̂ over all tracked problems, `probeSamples` each, and
 * over the terciles of their base likelihood);
 * `heldout:logp:mean`; `heldout:dlogp:low|high|all`, `heldout:fracDown`, `heldout:fracDown:low` (change of log
 * π(y*|x) from the base model over the run); `interf:low|high|all|negFrac` (mean over the measured updates of the
 * change over one update); `keptFraction`, `reward:first|last` (mean batch reward over the first / last tenth).
 * Series: `<m>/heldout:counts` (correct samples per problem), `<m>/probe:counts`, `base/heldout:logp`,
 * `<m>/heldout:logp`, `<m>/reward` (mean sampled reward of each update taken), `<m>/kept` (prompts trained on,
 * every update), `<m>/interf:step|low|high`, `<m>/curve:dlogp:low|high` (Δ from base at the interference steps).
 * Timings `<m>/ms`, `<m>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkConfig(c);
  const task: Task = getTask(c.base.task);
  const baseModel = reasoningBase(c.base).model;
  const root = new Rng(seed).split('rbp-transformer');
  const probe = distinctProblems(task, seed, c.level, 'heldout', c.likelihoodProblems);
  const passSet = probe.slice(0, c.evalProblems);
  const L = completionBudget(task, c.level);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('reasoning-boundary-paradox', baseModel, new Rng(0));
  const evaluate = (method: string, policy: RlPolicy, logp: Float64Array, passTerciles: Uint8Array[]) => {
    const key = (metric: string) => metricKey(method, metric);
    const t0 = Date.now();
    const counts = evaluateCounts(policy, task, passSet, c.evalSamples, root.split('eval').split(method));
    const wide = evaluateCounts(policy, task, probe, c.probeSamples, root.split('eval-probe').split(method));
    timings[key('evalMs')] = Date.now() - t0;
    series[key('probe:counts')] = Array.from(wide);
    metrics[key('probe:pass@1')] = passAtKFromCounts(wide, c.probeSamples, 1);
    metrics[key('probe:pass@1:low')] = passAtKFromCounts(
      wide.filter((_, i) => terc.low[i]),
      c.probeSamples,
      1,
    );
    metrics[key('probe:pass@1:high')] = passAtKFromCounts(
      wide.filter((_, i) => terc.high[i]),
      c.probeSamples,
      1,
    );
    series[key('heldout:counts')] = Array.from(counts);
    series[key('heldout:logp')] = Array.from(logp);
    metrics[key('heldout:logp:mean')] = maskedMean(logp);
    for (const k of c.passKs) {
      metrics[key(`heldout:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
      passTerciles.forEach((mask, j) => {
        const sel = (xs: ArrayLike<number>) => Array.from(xs).filter((_, i) => mask[i]);
        metrics[key(`heldout:pass@${k}:${j === 0 ? 'low' : 'high'}`)] = passAtKFromCounts(
          sel(counts),
          c.evalSamples,
          k,
        );
      });
    }
  };

  const basePolicy = new LmPolicy(copy(), { lr: 1 });
  const logp0 = referenceLogLikelihood(basePolicy, probe);
  const terc = tercileMasks(logp0);
  const passTerc = tercileMasks(logp0.subarray(0, c.evalProblems));
  series[metricKey('base', 'heldout:logp')] = Array.from(logp0);
  metrics[metricKey('all', 'heldout:lowTercileMaxLogp')] = Math.max(...Array.from(logp0).filter((_, i) => terc.low[i]));
  metrics[metricKey('all', 'heldout:highTercileMinLogp')] = Math.min(
    ...Array.from(logp0).filter((_, i) => terc.high[i]),
  );
  evaluate('base', basePolicy, logp0, [passTerc.low, passTerc.high]);

  for (const m of c.methods) {
    const key = (metric: string) => metricKey(m, metric);
    const t0 = Date.now();
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    // The same stream of fresh training problems for every method (paired by update).
    const stream = new ProblemStream(task, 0, 'train');
    (stream as { rng: Rng }).rng = root.split('train').split('problems');
    const reward: number[] = [];
    const kept: number[] = [];
    const iStep: number[] = [];
    const iLow: number[] = [];
    const iHigh: number[] = [];
    const iAll: number[] = [];
    const iNeg: number[] = [];
    const cLow: number[] = [];
    const cHigh: number[] = [];
    for (let t = 1; t <= c.updates; t++) {
      const problems = stream.batch(c.level, c.batchPrompts);
      const train = m === 'self' ? selfCuratedProblems(policy, task, problems, L) : problems;
      kept.push(train.length);
      if (train.length === 0) continue; // SELF: every prompt solved greedily, no update (as the official code)
      const batch = sampleRollouts(policy, task, train, c.groupSize, L, root.split(m).split(`sample${t}`));
      reward.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
      const probeNow = t % c.interferenceEvery === 0;
      const before = probeNow ? referenceLogLikelihood(policy, probe) : null;
      policyUpdate(policy, PAPER_GRPO, batch, null);
      if (before) {
        const after = referenceLogLikelihood(policy, probe);
        const s = changeSummary(before, after, terc);
        iStep.push(t);
        iLow.push(s.low);
        iHigh.push(s.high);
        iAll.push(s.all);
        iNeg.push(s.fracDown);
        const fromBase = changeSummary(logp0, after, terc);
        cLow.push(fromBase.low);
        cHigh.push(fromBase.high);
      }
    }
    timings[key('ms')] = Date.now() - t0;
    const logp1 = referenceLogLikelihood(policy, probe);
    const d = changeSummary(logp0, logp1, terc);
    metrics[key('heldout:dlogp:low')] = d.low;
    metrics[key('heldout:dlogp:high')] = d.high;
    metrics[key('heldout:dlogp:all')] = d.all;
    metrics[key('heldout:fracDown')] = d.fracDown;
    metrics[key('heldout:fracDown:low')] = d.fracDownLow;
    metrics[key('interf:low')] = maskedMean(iLow);
    metrics[key('interf:high')] = maskedMean(iHigh);
    metrics[key('interf:all')] = maskedMean(iAll);
    metrics[key('interf:negFrac')] = maskedMean(iNeg);
    metrics[key('keptFraction')] = maskedMean(kept) / c.batchPrompts;
    const tenth = Math.max(1, Math.floor(c.updates / 10));
    metrics[key('reward:first')] = maskedMean(reward.slice(0, tenth));
    metrics[key('reward:last')] = maskedMean(reward.slice(-tenth));
    series[key('reward')] = reward;
    series[key('kept')] = kept;
    series[key('interf:step')] = iStep;
    series[key('interf:low')] = iLow;
    series[key('interf:high')] = iHigh;
    series[key('curve:dlogp:low')] = cLow;
    series[key('curve:dlogp:high')] = cHigh;
    evaluate(m, policy, logp1, [passTerc.low, passTerc.high]);
  }
  return { metrics, series, timings };
}
