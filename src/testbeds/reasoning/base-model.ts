/**
 * Base models of the reasoning testbed: a decoder-only transformer (src/nn/transformer-lm.ts) pre-trained
 * from scratch by supervised learning on the reference chains of thought of one task, at a mixture of
 * levels (mostly the levels ≤ k, a small share of level k + 1) with a fraction of corrupted traces
 * (tasks/traces.ts), then frozen and cached in data/models/ so that every notebook starts RL from the same
 * weights. Pre-training stops early on purpose: the step count and the level mixture set how far the model
 * gets at the held-out levels, which RL is then asked to raise.
 *
 * The cache key hashes the spec and the import closure of this module's compiled file (the engine, Adam,
 * the tasks, the random generator): editing any of it retrains; editing anything else does not.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeClosure } from '../../core/code-closure';
import { paths } from '../../core/paths';
import { Rng } from '../../core/rng';
import { Adam } from '../../nn/adam';
import { TransformerLm, type TransformerLmConfig } from '../../nn/transformer-lm';
import { getTask } from './tasks/registry';
import { ProblemStream } from './tasks/splits';
import type { TaskName } from './tasks/task';
import { sftExample } from './tasks/traces';
import { PAD, VOCAB_SIZE } from './tasks/vocab';

/** What determines a base model's weights. */
export interface ReasoningBaseSpec {
  task: TaskName;
  /** Pre-training level mixture: level → weight (levels drawn per example with these probabilities). */
  mixture: { level: number; weight: number }[];
  /** Fraction of the sequences whose trace has one corrupted step (propagated to the answer). */
  corruptFraction: number;
  /** The transformer's shape (the vocabulary is the testbed's). */
  model: Omit<TransformerLmConfig, 'vocab'>;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
}

/**
 * Addition, pre-trained mostly on 1–2 digits (93 %), with 5 % of 3-digit and 2 % of 4-digit problems (so the
 * position embeddings of the longer sequences are trained at all) and 10 % corrupted traces.
 */
export const ADDITION_BASE: ReasoningBaseSpec = {
  task: 'addition',
  mixture: [
    { level: 1, weight: 0.25 },
    { level: 2, weight: 0.68 },
    { level: 3, weight: 0.05 },
    { level: 4, weight: 0.02 },
  ],
  corruptFraction: 0.1,
  model: { context: 64, layers: 2, dModel: 64, heads: 4, mlp: 256 },
  steps: 600,
  batch: 64,
  lr: 3e-3,
  seed: 0,
};

function specKey(spec: ReasoningBaseSpec): string {
  const h = crypto.createHash('sha256').update(JSON.stringify({ v: 1, ...spec }));
  const file = path.join(paths.dist(), 'testbeds', 'reasoning', 'base-model.js');
  if (!fs.existsSync(file))
    throw new Error(
      `reasoning.baseModel: ${file} is missing; run \`npm run build\` first ` +
        `(the base model's cache key hashes the compiled code)`,
    );
  h.update(codeClosure(paths.dist(), [file]).hash);
  const m = spec.model;
  return `${spec.task}-tf${m.layers}x${m.dModel}-${h.digest('hex').slice(0, 12)}`;
}

/** Where the cached weights of a spec live: data/models/<key>.bin (or $RLMINI_MODELS_DIR/<key>.bin). */
export function reasoningBaseFile(spec: ReasoningBaseSpec): string {
  const dir = process.env.RLMINI_MODELS_DIR
    ? path.resolve(process.env.RLMINI_MODELS_DIR)
    : path.join(paths.root(), 'data', 'models');
  return path.join(dir, `${specKey(spec)}.bin`);
}

/** A pre-trained (or loaded) base model. */
export interface ReasoningBase {
  model: TransformerLm;
  /** Supervised loss (mean token cross-entropy of the completions) every 25 steps. */
  losses: number[];
  cached: boolean;
  trainMs: number;
}

/** One supervised batch: N sequences padded with PAD to the longest; w = −1/(completion tokens) on them. */
export function sftBatch(
  spec: ReasoningBaseSpec,
  rng: Rng,
  stream: ProblemStream<never> | ProblemStream<import('./tasks/task').Problem>,
): { tokens: Int32Array; w: Float32Array; N: number; T: number } {
  const weights = spec.mixture.map((m) => m.weight);
  const ex = Array.from({ length: spec.batch }, () => {
    const level = spec.mixture[rng.categorical(weights)].level;
    return sftExample(stream.next(level), rng, spec.corruptFraction);
  });
  const T = Math.max(...ex.map((e) => e.tokens.length));
  const N = ex.length,
    O = T - 1;
  const tokens = new Int32Array(N * T).fill(PAD);
  const w = new Float32Array(N * O);
  let count = 0;
  ex.forEach((e, n) => {
    tokens.set(e.tokens, n * T);
    for (let s = 0; s + 1 < e.tokens.length; s++) if (e.lossMask[s + 1]) count++;
  });
  ex.forEach((e, n) => {
    for (let s = 0; s + 1 < e.tokens.length; s++) if (e.lossMask[s + 1]) w[n * O + s] = -1 / count;
  });
  return { tokens, w, N, T };
}

/** Pre-trains a base model from scratch (deterministic given the spec). */
export function pretrainReasoningBase(spec: ReasoningBaseSpec): ReasoningBase {
  const t0 = Date.now();
  const task = getTask(spec.task);
  const rng = new Rng(spec.seed).split('reasoning-base-model');
  const model = new TransformerLm({ vocab: VOCAB_SIZE, ...spec.model }, rng.split('init'));
  const opt = new Adam(model.size, { lr: spec.lr, maxGradNorm: 1 });
  const stream = new ProblemStream(task, spec.seed, 'train');
  const data = rng.split('data');
  const losses: number[] = [];
  for (let t = 0; t < spec.steps; t++) {
    // Linear warm-up over the first 5 % of the steps, then cosine decay to 10 % of lr.
    const warm = Math.max(1, Math.round(0.05 * spec.steps));
    const frac = t < warm ? (t + 1) / warm : 0.1 + 0.45 * (1 + Math.cos((Math.PI * (t - warm)) / (spec.steps - warm)));
    opt.lr = spec.lr * frac;
    const b = sftBatch(spec, data.split(t), stream);
    model.zeroGrad();
    const f = model.forward(b.tokens, b.N, b.T, 0);
    let loss = 0;
    for (let i = 0; i < b.w.length; i++) loss += b.w[i] * f.logp[i];
    model.backward(f, b.w);
    opt.step(model.params.f, model.grads.f);
    if (t % 25 === 0 || t === spec.steps - 1) losses.push(loss);
  }
  model.releaseCaches();
  return { model, losses, cached: false, trainMs: Date.now() - t0 };
}

/** The base model of a spec: loaded from data/models/ when cached, else pre-trained and saved (atomically). */
export function reasoningBase(spec: ReasoningBaseSpec = ADDITION_BASE): ReasoningBase {
  const file = reasoningBaseFile(spec);
  const hit = TransformerLm.loadFile(file);
  if (hit) return { model: hit.model, losses: (hit.meta.losses as number[]) ?? [], cached: true, trainMs: 0 };
  const r = pretrainReasoningBase(spec);
  r.model.save(file, { spec, losses: r.losses, trainMs: r.trainMs });
  return r;
}
