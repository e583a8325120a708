/**
 * PACS (Li et al. 2025, arXiv 2509.02522) on the reasoning testbed: the paper's comparison of PACS with GRPO (and the
 * closest prior estimator, RLOO) at equal budgets, in miniature. From the cached base transformer
 * (testbeds/reasoning/base-model.ts, ADDITION_BASE), each method trains a copy on fresh training-split problems of
 * scratchpad addition at level 3, with the authors' update schedule (their verl scripts: train_batch_size 1024 prompts,
 * ppo_mini_batch_size 256, ppo_epochs 1, rollout.n 8): every rollout batch of B prompts × G samples is split into M
 * mini-batches of whole prompt groups, one Adam step each, so steps 2..M of a batch are taken by a policy that has
 * already moved (where PACS's implicit critic σ(ψ) ≠ 1/2 and GRPO's ratio clip can act). Methods:
 *   PACS        the objective of trainer/objectives/pacs.ts: β = 1, RLOO score, balanced BCE (scripts/pacs/…1.0.sh)
 *   PACS-beta2  the same with β = 2 (scripts/pacs/pacs_beta_2.0.sh)
 *   GRPO        the authors' GRPO baseline (scripts/baseline/grpo.sh): std-normalised group advantage, PPO clip 0.2,
 *               no KL (use_kl_loss=False), loss_agg_mode seq-mean-token-sum-norm (the kit's 'constant' aggregation)
 *   RLOO        REINFORCE with the leave-one-out baseline, the same aggregation, no clip: PACS's update at θ = θ_old
 *               without the class weights (the closest prior method; the ratio to the sampler weights steps 2..M)
 * Shared by all: the same base model, problem stream, sampling streams (per rollout index), schedule, Adam (lr, global
 * norm clip 1), evaluation problems and evaluation sampling streams (paired by seed).
 *   PPO         the authors' PPO baseline (scripts/baseline/ppo.sh), `PPO_METHOD`: a learned critic from the base
 *               weights (trainer/critic.ts), GAE γ = λ = 1, the same aggregation; its own task, `runPpoSeed`
 * Task entry points: `runSeed(config, seed)` (PACS, PACS-beta2, GRPO, RLOO) and `runPpoSeed(config, seed)` (PPO).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import {
  completionBudget,
  evaluateCounts,
  passAtKFromCounts,
  sampleRollouts,
  selectGroups,
} from '../../testbeds/reasoning/trainer/loop';
import { PACS_RECIPE, pacsSpec, pacsScores, rewardProxies } from '../../testbeds/reasoning/trainer/objectives/pacs';
import { ppoTokens, TransformerCritic, type Critic } from '../../testbeds/reasoning/trainer/critic';
import { LmPolicy, type RlPolicy, type Scored } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../testbeds/reasoning/trainer/update';

/** The compared methods by record-key name. */
export const METHODS: Record<string, Recipe> = {
  PACS: PACS_RECIPE,
  'PACS-beta2': { ...PACS_RECIPE, name: 'PACS (β = 2)', objective: pacsSpec(2) },
  GRPO: { ...RECIPES.grpo, kl: { kind: 'none' }, aggregation: 'constant' },
  RLOO: { ...RECIPES.rloo, aggregation: 'constant' },
};

/**
 * The authors' PPO baseline (scripts/baseline/ppo.sh: verl with adv_estimator=gae, a critic initialised from the
 * same base model with lr 1e-5 against the actor's 1e-6, no KL, critic_warmup 0, loss_agg_mode
 * seq-mean-token-sum-norm; verl's defaults γ = λ = 1, cliprange_value 0.5, critic grad_clip 1): the trainer's PPO
 * recipe with the paper's aggregation. Run by its own task (`runPpoSeed`), so the four methods' records stay as they
 * were; the same problem, sampling and evaluation streams per seed as `runSeed`.
 */
export const PPO_METHOD: Recipe = { ...RECIPES.ppo, aggregation: 'constant' };

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Names from `METHODS`, each trained from the same base model on the same problem stream. */
  methods: string[];
  /** Training level; the held-out problems are at this level too (the testbed gate's level for papers). */
  level: number;
  /** Rollout batches per method (each: `batchPrompts` fresh problems × `groupSize` samples). */
  rollouts: number;
  batchPrompts: number;
  groupSize: number;
  /** Mini-batches per rollout batch (whole prompt groups; one Adam step each); must divide `batchPrompts`. */
  miniBatches: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems at `level` (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
  /** Every this many rollout batches, the PACS token weights are checked against central differences (0: never). */
  identityEvery: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: Object.keys(METHODS),
  level: 3,
  rollouts: 100,
  batchPrompts: 16,
  groupSize: 8,
  miniBatches: 4,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 64,
  passKs: [1, 4, 16, 64],
  identityEvery: 10,
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** Coefficient of variation (population std / mean) of a series; NaN for an empty or zero-mean series. */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  return Math.sqrt(v) / m;
}

/**
 * The authors' PACS loss (pacs_core_algos.py, compute_pacs_loss), transcribed independently of objectives/pacs.ts in
 * float64 from the log-probabilities `th` of a batch: reward = β·Σ_t(log π − log π_old), RLOO over each group,
 * BCEWithLogitsLoss(weight)(advantage, label) averaged over the batch, weight = sklearn 'balanced' per prompt.
 */
export function referencePacsLoss(beta: number, r: Rollouts, th: ArrayLike<number>): number {
  const { B, G, L } = r;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const rs: number[] = [];
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      let s = 0;
      for (let t = 0; t < r.lengths[i]; t++) s += th[i * L + t] - r.oldLogp[i * L + t];
      rs.push(beta * s);
    }
    const ys = Array.from(r.rewards.subarray(b * G, (b + 1) * G));
    const total = rs.reduce((a, x) => a + x, 0);
    const nClasses = new Set(ys).size;
    for (let g = 0; g < G; g++) {
      const x = rs[g] - (total - rs[g]) / (G - 1);
      const count = ys.filter((y) => y === ys[g]).length;
      const wt = nClasses > 1 ? G / (nClasses * count) : 1;
      loss += wt * (Math.max(x, 0) - x * ys[g] + Math.log1p(Math.exp(-Math.abs(x))));
    }
  }
  return loss / (B * G);
}

/**
 * Largest |w − ∂L/∂log π| over the tokens of a batch, relative to the larger of the largest |∂L/∂log π| and the weight
 * scale β/N (so a batch of uniform groups, whose gradient is 0, is not judged on rounding noise): `w` the weights the
 * update handed the policy, the derivative by central differences (step h) of `referencePacsLoss`.
 */
export function identityError(beta: number, r: Rollouts, logp: Float32Array, w: Float32Array, h = 1e-4): number {
  const th = Float64Array.from(logp);
  let err = 0,
    scale = 0;
  for (let i = 0; i < r.B * r.G; i++)
    for (let t = 0; t < r.lengths[i]; t++) {
      const j = i * r.L + t;
      const x = th[j];
      th[j] = x + h;
      const up = referencePacsLoss(beta, r, th);
      th[j] = x - h;
      const dn = referencePacsLoss(beta, r, th);
      th[j] = x;
      const fd = (up - dn) / (2 * h);
      err = Math.max(err, Math.abs(w[j] - fd));
      scale = Math.max(scale, Math.abs(fd));
    }
  return err / Math.max(scale, beta / (r.B * r.G));
}

/**
 * The policy, watched: the mean entropy and the log-probabilities of each scoring over completion tokens, and the
 * weights of the last backward (for the identity check). Delegates everything to the wrapped policy.
 */
class Watched implements RlPolicy {
  entropySum = 0;
  entropyTokens = 0;
  lastLogp: Float32Array | null = null;
  lastW: Float32Array | null = null;
  lengths: Int32Array | null = null;
  keep = false;
  constructor(readonly inner: RlPolicy) {}
  sample(...a: Parameters<RlPolicy['sample']>): ReturnType<RlPolicy['sample']> {
    return this.inner.sample(...a);
  }
  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    const s = this.inner.score(seq, N, T, P);
    const L = T - P;
    if (this.lengths && s.entropy)
      for (let i = 0; i < N; i++)
        for (let t = 0; t < this.lengths[i]; t++) {
          this.entropySum += s.entropy[i * L + t];
          this.entropyTokens++;
        }
    if (this.keep) this.lastLogp = Float32Array.from(s.logp);
    return s;
  }
  backward(s: Scored, w: Float32Array, e?: Float32Array): void {
    if (this.keep) this.lastW = Float32Array.from(w);
    this.inner.backward(s, w, e);
  }
  step(): number {
    return this.inner.step();
  }
  snapshot(): Float32Array {
    return this.inner.snapshot();
  }
}

/**
 * Pairwise ranking accuracy of the implicit critic ψ (β = 1, RLOO; any β ranks alike) within groups with both outcomes:
 * the fraction of (correct, incorrect) pairs of one prompt with ψ_correct > ψ_incorrect (ties ½). NaN without pairs.
 */
export function criticRankAccuracy(r: Rollouts, logp: Float32Array): { acc: number; pairs: number } {
  const psi = pacsScores(rewardProxies(logp, r.oldLogp, r.lengths, r.L, 1), r.B, r.G, 'rloo');
  let hit = 0,
    pairs = 0;
  for (let b = 0; b < r.B; b++)
    for (let i = 0; i < r.G; i++)
      for (let j = 0; j < r.G; j++) {
        const a = b * r.G + i,
          c = b * r.G + j;
        if (r.rewards[a] !== 1 || r.rewards[c] !== 0) continue;
        pairs++;
        hit += psi[a] > psi[c] ? 1 : psi[a] === psi[c] ? 0.5 : 0;
      }
  return { acc: pairs ? hit / pairs : NaN, pairs };
}

/** What one method's training run gives. */
interface Trained {
  reward: number[];
  entropy: number[];
  gradNorm: number[];
  clipFraction: number[];
  identityErrors: number[];
  criticAcc: number[];
  firstStepMaxAbsPsi: number;
  updateMs: number;
}

/**
 * Trains `policy` with `recipe` on the authors' schedule (rollout batches split into mini-batch steps). PPO (a recipe
 * with a critic) values each rollout batch once before its steps (GAE over the whole batch, as verl computes
 * advantages before splitting it) and takes one critic step per mini-batch after the policy's.
 */
function train(policy: RlPolicy, recipe: Recipe, c: Config, rng: Rng, critic?: Critic): Trained {
  const task = getTask(c.base.task);
  const per = c.batchPrompts / c.miniBatches;
  const stream = new ProblemStream(task, 0, 'train');
  (stream as { rng: Rng }).rng = rng.split('problems');
  const L = completionBudget(task, c.level);
  const watched = new Watched(policy);
  const pacsBeta = recipe.objective?.kind === 'pacs' ? Number(recipe.objective.beta) : null;
  const out: Trained = {
    reward: [],
    entropy: [],
    gradNorm: [],
    clipFraction: [],
    identityErrors: [],
    criticAcc: [],
    firstStepMaxAbsPsi: 0,
    updateMs: 0,
  };
  let critHits = 0,
    critPairs = 0;
  const t0 = Date.now();
  for (let t = 1; t <= c.rollouts; t++) {
    const batch = sampleRollouts(
      policy,
      task,
      stream.batch(c.level, c.batchPrompts),
      c.groupSize,
      L,
      rng.split(`sample${t}`),
    );
    out.reward.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
    const ppo = critic && recipe.critic ? ppoTokens(critic, recipe.critic, recipe.kl, batch, null) : null;
    const rowsPer = per * c.groupSize * batch.L;
    watched.entropySum = 0;
    watched.entropyTokens = 0;
    let clipped = 0;
    for (let m = 0; m < c.miniBatches; m++) {
      const mb = selectGroups(
        batch,
        Array.from({ length: per }, (_, k) => m * per + k),
      );
      // The mini-batches after the first are scored by a policy that has moved: ratios to the sampler are computed.
      mb.offPolicy = true;
      watched.lengths = mb.lengths;
      const check = pacsBeta !== null && c.identityEvery > 0 && (t === 1 || t % c.identityEvery === 0);
      watched.keep = true;
      const part = <A extends Float64Array | Float32Array | Uint8Array>(x: A): A =>
        x.subarray(m * rowsPer, (m + 1) * rowsPer) as A;
      const s = policyUpdate(watched, recipe, mb, null, undefined, ppo ? part(ppo.adv) : undefined);
      watched.keep = false;
      if (ppo && critic)
        critic.update(
          mb.seq,
          mb.B * mb.G,
          mb.P + mb.L,
          mb.P,
          part(ppo.returns),
          part(ppo.values),
          part(ppo.mask),
          recipe.critic!.valueClip,
        );
      const logp = watched.lastLogp!;
      if (m === 0) {
        const psi = pacsScores(rewardProxies(logp, mb.oldLogp, mb.lengths, mb.L, 1), mb.B, mb.G, 'rloo');
        for (const x of psi) out.firstStepMaxAbsPsi = Math.max(out.firstStepMaxAbsPsi, Math.abs(x));
      } else {
        const a = criticRankAccuracy(mb, logp);
        if (a.pairs) {
          critHits += a.acc * a.pairs;
          critPairs += a.pairs;
        }
      }
      if (check && pacsBeta !== null) out.identityErrors.push(identityError(pacsBeta, mb, logp, watched.lastW!));
      out.gradNorm.push(s.gradNorm);
      clipped += s.clipFraction;
    }
    out.entropy.push(watched.entropyTokens ? watched.entropySum / watched.entropyTokens : NaN);
    out.clipFraction.push(clipped / c.miniBatches);
    if (t % Math.max(1, Math.floor(c.rollouts / 4)) === 0 || t === c.rollouts) {
      out.criticAcc.push(critPairs ? critHits / critPairs : NaN);
      critHits = 0;
      critPairs = 0;
    }
  }
  out.updateMs = (Date.now() - t0) / c.rollouts;
  return out;
}

/**
 * One seed. Metrics `<m>/L<l>:pass@k` for m ∈ {base, …methods}; per method `<m>/meanReward` (mean batch reward on
 * fresh training problems over the run: sample efficiency), `<m>/lateReward` (last quarter), `<m>/gradNormCv`
 * (std/mean of the pre-clip gradient norm over the steps with a gradient), `<m>/finalEntropy` (mean token entropy of
 * the policy on its own samples over the last quarter), `<m>/entropyDrop` (first-batch entropy − finalEntropy),
 * `<m>/clipFraction`, `<m>/criticRankAcc` (the implicit critic's ranking accuracy on mini-batches 2..M, all run),
 * `<m>/firstStepMaxAbsPsi` (max |ψ| on first mini-batches: 0 up to sampler/scorer float differences); PACS methods
 * `<m>/identityMaxRelErr`. Series `<m>/L<l>:counts`, `<m>/reward`, `<m>/entropy`, `<m>/gradNorm`,
 * `<m>/criticRankAcc` (per quarter). Timings `<m>/updateMs` (per rollout batch, sampling included), `<m>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const name of c.methods)
    if (!METHODS[name])
      throw new RangeError(
        `pacs.experiment: unknown method "${name}"; known: ${Object.keys(METHODS).join(', ')} ` +
          '(set config.methods in the notebook)',
      );
  return runMethods(
    c,
    seed,
    c.methods.map((name) => [name, METHODS[name]]),
  );
}

/**
 * One seed of the authors' PPO baseline (`PPO_METHOD`): `runSeed`'s metrics, series and timings for `base` and `PPO`,
 * on the same held-out problems, training problems and sampling streams as `runSeed`'s methods of the seed (so the
 * pairs are common random numbers). `c.methods` is ignored.
 */
export function runPpoSeed(c: Config, seed: number): RunResult {
  return runMethods(c, seed, [['PPO', PPO_METHOD]]);
}

function runMethods(c: Config, seed: number, methods: [string, Recipe][]): RunResult {
  if (!(Number.isInteger(c.miniBatches) && c.miniBatches >= 1 && c.batchPrompts % c.miniBatches === 0))
    throw new RangeError(
      `pacs.experiment: miniBatches (${c.miniBatches}) must divide batchPrompts (${c.batchPrompts}); ` +
        'set config.miniBatches in the notebook',
    );
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('implicit-actor-critic-coupling-via');
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('implicit-actor-critic-coupling-via', base, new Rng(0));
  const evaluate = (method: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every method (common random numbers across the paired comparison).
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval'));
    series[metricKey(method, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(method, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(method, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [name, recipe] of methods) {
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const critic = recipe.critic
      ? new TransformerCritic(copy(), { lr: c.lr * recipe.critic.lrScale, maxGradNorm: 1 })
      : undefined;
    const r = train(policy, recipe, c, root.split('train'), critic);
    const key = (k: string) => metricKey(name, k);
    const late = (xs: number[]) => mean(xs.slice(Math.floor((3 * xs.length) / 4)));
    series[key('reward')] = r.reward;
    series[key('entropy')] = r.entropy;
    series[key('gradNorm')] = r.gradNorm;
    series[key('criticRankAcc')] = r.criticAcc;
    metrics[key('meanReward')] = mean(r.reward);
    metrics[key('lateReward')] = late(r.reward);
    // Steps whose mini-batch has no prompt with both outcomes carry no gradient (norm 0): not counted as variation.
    metrics[key('gradNormCv')] = coefficientOfVariation(r.gradNorm.filter((g) => g > 0));
    metrics[key('finalEntropy')] = late(r.entropy);
    metrics[key('entropyDrop')] = r.entropy[0] - late(r.entropy);
    metrics[key('clipFraction')] = mean(r.clipFraction);
    metrics[key('criticRankAcc')] = mean(r.criticAcc.filter((x) => Number.isFinite(x)));
    metrics[key('firstStepMaxAbsPsi')] = r.firstStepMaxAbsPsi;
    if (r.identityErrors.length) metrics[key('identityMaxRelErr')] = Math.max(...r.identityErrors);
    timings[key('updateMs')] = r.updateMs;
    evaluate(name, policy);
  }
  return { metrics, series, timings };
}
