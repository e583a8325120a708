/**
 * The GRU base model on digit addition: supervised pre-training (cached on disk), batched GRPO
 * updates, and the benchmark of issue 7 (one GRPO update with 64 prompts × group 8 and sequences of
 * at most 16 tokens; sampling throughput in tokens/s).
 */
import { Rng } from '../../core/rng';
import { initBackend } from '../../core/backend';
import { VOCAB, EOS, PAD, answerLength, additionReward, encodeAnswer, encodePrompt, promptLength, randomProblem, type AdditionProblem } from './addition';
import { GruPolicy, policyGradientStep, supervisedStep, type GruShape } from './gru-policy';
import { batchAdvantages, aggregateTokenLoss, type AdvantageOptions } from './pg';

export interface PromptBatch {
  problems: AdditionProblem[];
  prompts: Int32Array;
  P: number;
}

/** `n` random problems with operand sizes drawn from `digits` (uniformly), prompts padded to the largest size. */
export function problemBatch(rng: Rng, n: number, digits: readonly number[]): PromptBatch {
  const maxD = Math.max(...digits);
  const P = promptLength(maxD);
  const problems = Array.from({ length: n }, () => randomProblem(rng, digits[rng.int(digits.length)]));
  const prompts = new Int32Array(n * P);
  problems.forEach((p, i) => prompts.set(encodePrompt(p, P), i * P));
  return { problems, prompts, P };
}

/** Teacher-forcing targets (answers padded with PAD) and their mask. */
export function answerTargets(problems: AdditionProblem[], L: number): { targets: Int32Array; mask: Float32Array } {
  const targets = new Int32Array(problems.length * L).fill(PAD);
  const mask = new Float32Array(problems.length * L);
  problems.forEach((p, i) => {
    const a = encodeAnswer(p);
    targets.set(a, i * L);
    mask.fill(1, i * L, i * L + a.length);
  });
  return { targets, mask };
}

/** Repeat every row of a row-major matrix G times (prompts × group). */
export function repeatRows(x: Int32Array, rowLen: number, G: number): Int32Array {
  const n = x.length / rowLen;
  const out = new Int32Array(n * G * rowLen);
  for (let i = 0; i < n; i++) for (let g = 0; g < G; g++) out.set(x.subarray(i * rowLen, (i + 1) * rowLen), (i * G + g) * rowLen);
  return out;
}

export interface GrpoUpdateTimings {
  sampleMs: number;
  updateMs: number;
  tokens: number;
  meanReward: number;
  loss: number;
}

/** One GRPO update on a fresh batch: sample B prompts × G responses, 0/1 rewards, group advantages, one optimizer step. */
export function grpoUpdate(
  policy: GruPolicy,
  optimizer: import('@tensorflow/tfjs').Optimizer,
  rng: Rng,
  o: { batchPrompts: number; groupSize: number; digits: readonly number[]; maxLen: number; advantage: AdvantageOptions; aggregation: 'seq-mean-token-mean' | 'token-mean' | 'seq-mean-token-sum-norm' },
): GrpoUpdateTimings {
  const B = o.batchPrompts;
  const G = o.groupSize;
  const pb = problemBatch(rng.split('problems'), B, o.digits);
  const prompts = repeatRows(pb.prompts, pb.P, G);
  const t0 = Date.now();
  const s = policy.sample(prompts, pb.P, o.maxLen, EOS, PAD, rng.split('sample'));
  const t1 = Date.now();
  const rewards = new Float64Array(B * G);
  for (let i = 0; i < B * G; i++) rewards[i] = additionReward(pb.problems[Math.floor(i / G)], s.tokens, i * o.maxLen, s.lengths[i]);
  const { adv } = batchAdvantages(rewards, B, G, o.advantage);
  const coefRows = aggregateTokenLoss(Array.from(s.lengths, (l) => Math.max(1, l)), o.aggregation, o.maxLen);
  const coef = new Float32Array(B * G * o.maxLen);
  coefRows.forEach((r, i) => coef.set(s.lengths[i] > 0 ? r : new Float32Array(r.length), i * o.maxLen));
  const loss = policyGradientStep(policy, optimizer, { prompts, P: pb.P, responses: s.tokens, L: o.maxLen, advantages: Float32Array.from(adv), coef });
  const t2 = Date.now();
  let tokens = 0;
  for (let i = 0; i < s.lengths.length; i++) tokens += s.lengths[i];
  return { sampleMs: t1 - t0, updateMs: t2 - t1, tokens, meanReward: rewards.reduce((a, b) => a + b, 0) / rewards.length, loss };
}

/** Supervised pre-training on addition problems (teacher forcing), `steps` batches of `batch`. Returns the last losses. */
export function pretrainAddition(policy: GruPolicy, rng: Rng, o: { steps: number; batch: number; digits: readonly number[]; lr: number }): number[] {
  const tf = policy.tf;
  const opt = tf.train.adam(o.lr);
  const L = answerLength(Math.max(...o.digits));
  const losses: number[] = [];
  for (let t = 0; t < o.steps; t++) {
    const pb = problemBatch(rng.split(t), o.batch, o.digits);
    const { targets, mask } = answerTargets(pb.problems, L);
    losses.push(supervisedStep(policy, opt, pb.prompts, pb.P, targets, L, mask));
  }
  opt.dispose();
  return losses;
}

/** Accuracy of greedy-ish (temperature-1 sampled) answers on `n` fresh problems of each size. */
export function sampledAccuracy(policy: GruPolicy, rng: Rng, digits: number, n: number): number {
  const pb = problemBatch(rng, n, [digits]);
  const maxLen = answerLength(digits);
  const s = policy.sample(pb.prompts, pb.P, maxLen, EOS, PAD, rng.split('s'));
  let c = 0;
  for (let i = 0; i < n; i++) c += additionReward(pb.problems[i], s.tokens, i * maxLen, s.lengths[i]);
  return c / n;
}

/** Benchmark of issue 7: one GRPO update (64 prompts × 8, ≤ 16-token sequences) and sampling tokens/s. */
export async function benchGruGrpo(o: { shape?: Partial<GruShape>; reps?: number; pretrainSteps?: number } = {}): Promise<Record<string, number | string>> {
  const { tf, info } = await initBackend();
  const shape: GruShape = { vocab: VOCAB, embed: o.shape?.embed ?? 32, hidden: o.shape?.hidden ?? 128 };
  const rng = new Rng(7).split('bench');
  const policy = new GruPolicy(tf, shape, rng.split('init'));
  if (o.pretrainSteps) pretrainAddition(policy, rng.split('sft'), { steps: o.pretrainSteps, batch: 128, digits: [1, 2, 3], lr: 3e-3 });
  const opt = tf.train.adam(1e-3);
  const reps = o.reps ?? 5;
  const runs: GrpoUpdateTimings[] = [];
  // 3-digit problems: prompt 8 tokens + at most 8 generated tokens = 16.
  for (let r = 0; r < reps + 1; r++) {
    runs.push(grpoUpdate(policy, opt, rng.split(r), { batchPrompts: 64, groupSize: 8, digits: [3], maxLen: 8, advantage: { kind: 'grpo' }, aggregation: 'seq-mean-token-mean' }));
  }
  const warm = runs.slice(1);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const sampleMs = med(warm.map((r) => r.sampleMs));
  const updateMs = med(warm.map((r) => r.updateMs));
  const tokens = med(warm.map((r) => r.tokens));
  opt.dispose();
  policy.dispose();
  return {
    backend: info.id,
    hidden: shape.hidden,
    embed: shape.embed,
    sequences: 512,
    medianSampleMs: sampleMs,
    medianGradientStepMs: updateMs,
    medianUpdateMs: sampleMs + updateMs,
    sampledTokensPerSecond: (tokens / sampleMs) * 1000,
    promptPlusResponseTokensPerSecond: ((512 * 8 + tokens) / sampleMs) * 1000,
  };
}
