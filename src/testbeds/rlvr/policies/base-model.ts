/**
 * The RLVR base model: a GRU language model (src/nn, wasm SIMD) pre-trained from scratch by
 * supervised learning on digit addition, then frozen and cached on disk (data/models/) so that every
 * notebook starts RL from the same weights.
 *
 * Pre-training stops early on purpose: the number of supervised steps and the operand-size mixture
 * set how far the model gets, which gives a controlled spread of per-problem success rates (the
 * quantity RLVR papers reason about: problems the base model almost always, sometimes, or almost never
 * solves). Per-problem success is computed EXACTLY — the answer of a problem is unique, so
 * P(correct) = Π_t π(answer_t | prompt, answer_<t) by one teacher-forced pass — and pass@k follows as
 * 1 − (1 − p)^k without sampling noise.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../../../core/rng';
import { codeClosure } from '../../../core/code-closure';
import { paths } from '../../../core/paths';
import { Adam } from '../../../nn/adam';
import { GruLm } from '../../../nn/gru-lm';
import type { AnyGruLm } from '../../../nn/thread-engine';
import {
  ADD_EOS,
  ADD_PAD,
  VOCAB,
  answerLength,
  encodeAnswer,
  encodePrompt,
  promptLength,
  randomProblem,
  type DigitAdditionProblem,
} from '../env/addition';

export interface BaseModelSpec {
  hidden: number;
  /** Operand sizes of the pre-training mixture (drawn uniformly per problem). */
  digits: number[];
  steps: number;
  batch: number;
  lr: number;
  seed: number;
}

/** The kit's default RLVR base model (see the notebooks using it). */
export const DEFAULT_BASE_MODEL: BaseModelSpec = {
  hidden: 64,
  digits: [1, 2, 3],
  steps: 4000,
  batch: 256,
  lr: 3e-3,
  seed: 0,
};

/**
 * Prompt + answer token rows for teacher forcing: N × (P + L), answers padded with ADD_PAD; mask marks answer tokens
 * (incl. ADD_EOS).
 */
export function teacherBatch(
  problems: readonly DigitAdditionProblem[],
  P: number,
  L: number,
): { tokens: Int32Array; mask: Float32Array; T: number } {
  const T = P + L;
  const tokens = new Int32Array(problems.length * T).fill(ADD_PAD);
  const mask = new Float32Array(problems.length * L);
  problems.forEach((p, i) => {
    tokens.set(encodePrompt(p, P), i * T);
    const a = encodeAnswer(p);
    if (a.length > L)
      throw new RangeError(`rlvr.teacherBatch: the answer of ${p.a}+${p.b} has ${a.length} tokens, more than L = ${L}`);
    tokens.set(a, i * T + P);
    mask.fill(1, i * L, i * L + a.length);
  });
  return { tokens, mask, T };
}

/** Random problems with operand sizes drawn uniformly from `digits`. */
export function randomProblems(rng: Rng, n: number, digits: readonly number[]): DigitAdditionProblem[] {
  return Array.from({ length: n }, () => randomProblem(rng, digits[rng.int(digits.length)]));
}

/** One supervised step (mean token cross-entropy over answer tokens); returns the loss before the step. */
export function supervisedStep(
  model: GruLm,
  opt: Adam,
  problems: readonly DigitAdditionProblem[],
  P: number,
  L: number,
): number {
  const { tokens, mask, T } = teacherBatch(problems, P, L);
  const N = problems.length;
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const w = new Float32Array(N * L);
  for (let i = 0; i < w.length; i++) w[i] = -mask[i] / count;
  model.zeroGrad();
  const f = model.forward(tokens, N, T, P - 1);
  let loss = 0;
  for (let i = 0; i < w.length; i++) loss += w[i] * f.logp[i];
  model.backward(f, w);
  opt.step(model.params.f, model.grads.f);
  return loss;
}

/**
 * Exact probability that sampling (temperature 1) produces the correct answer, for each problem:
 * exp of the summed teacher-forced log-probabilities of the answer tokens including ADD_EOS.
 */
export function exactSuccess(model: AnyGruLm, problems: readonly DigitAdditionProblem[], P?: number): Float64Array {
  const maxD = Math.max(...problems.map((p) => p.digits));
  const Pp = P ?? promptLength(maxD);
  const L = answerLength(maxD);
  const { tokens, mask, T } = teacherBatch(problems, Pp, L);
  const out = new Float64Array(problems.length);
  const chunk = 1024;
  for (let s = 0; s < problems.length; s += chunk) {
    const n = Math.min(chunk, problems.length - s);
    const f = model.forward(tokens.subarray(s * T, (s + n) * T), n, T, Pp - 1);
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let t = 0; t < L; t++) if (mask[(s + i) * L + t]) lp += f.logp[i * L + t];
      out[s + i] = Math.exp(lp);
    }
  }
  model.releaseCaches();
  return out;
}

/**
 * The code that determines a pre-trained model's weights: the import closure of this module's compiled
 * file (the engine, Adam, the addition task, the random generator; see core/code-closure). Its hash
 * enters the cache key, so editing any of it retrains; editing anything else does not.
 */
function specKey(spec: BaseModelSpec): string {
  const h = crypto.createHash('sha256').update(JSON.stringify({ v: 1, ...spec }));
  // The compiled file under dist/ (also when this module runs from src/ under a test runner), so
  // notebooks and tests agree on the key.
  const file = path.join(paths.dist(), 'testbeds', 'rlvr', 'policies', 'base-model.js');
  if (!fs.existsSync(file))
    throw new Error(
      `rlvr.baseModel: ${file} is missing; run \`npm run build\` first ` +
        `(the base model's cache key hashes the compiled code)`,
    );
  h.update(codeClosure(paths.dist(), [file]).hash);
  return `addition-gru${spec.hidden}-${h.digest('hex').slice(0, 12)}`;
}

/** Where the cached weights of a spec live: data/models/<key>.bin (or $RLMINI_MODELS_DIR/<key>.bin). */
export function baseModelFile(spec: BaseModelSpec): string {
  const dir = process.env.RLMINI_MODELS_DIR
    ? path.resolve(process.env.RLMINI_MODELS_DIR)
    : path.join(paths.root(), 'data', 'models');
  return path.join(dir, `${specKey(spec)}.bin`);
}

export interface PretrainResult {
  model: GruLm;
  /** Loss every 50 steps. */
  losses: number[];
  cached: boolean;
  trainMs: number;
}

/** Pre-trains a base model from scratch (deterministic given the spec). */
export function pretrainBaseModel(spec: BaseModelSpec): PretrainResult {
  const t0 = Date.now();
  const rng = new Rng(spec.seed).split('rlvr-base-model');
  const model = new GruLm({ vocab: VOCAB, hidden: spec.hidden }, rng.split('init'));
  const opt = new Adam(model.size, { lr: spec.lr, maxGradNorm: 1 });
  const maxD = Math.max(...spec.digits);
  const P = promptLength(maxD),
    L = answerLength(maxD);
  const losses: number[] = [];
  const data = rng.split('data');
  for (let t = 0; t < spec.steps; t++) {
    const loss = supervisedStep(model, opt, randomProblems(data.split(t), spec.batch, spec.digits), P, L);
    if (t % 50 === 0 || t === spec.steps - 1) losses.push(loss);
  }
  model.releaseCaches();
  return { model, losses, cached: false, trainMs: Date.now() - t0 };
}

/**
 * The base model for a spec: loaded from data/models/ when cached, otherwise pre-trained and saved
 * (atomically). A corrupt cache file is reported with the path to delete.
 */
export function baseModel(spec: BaseModelSpec = DEFAULT_BASE_MODEL): PretrainResult {
  const file = baseModelFile(spec);
  const hit = GruLm.loadFile(file);
  if (hit) return { model: hit.model, losses: (hit.meta.losses as number[]) ?? [], cached: true, trainMs: 0 };
  const r = pretrainBaseModel(spec);
  r.model.save(file, { spec, losses: r.losses, trainMs: r.trainMs });
  return r;
}

/** ADD_EOS/ADD_PAD re-exported for notebooks sampling from the base model. */

/** Whether a cached model file for the spec exists. */
export function isCached(spec: BaseModelSpec): boolean {
  return fs.existsSync(baseModelFile(spec));
}
