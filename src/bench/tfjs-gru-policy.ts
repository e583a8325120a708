/**
 * The tfjs implementation of the RLVR GRU, kept as the "before" row of `npm run bench` (the RLVR
 * notebooks use the wasm engine of src/nn, `GruLm`, 10–20× faster here). A small GRU language model
 * (tfjs): token embedding → one GRU layer → softmax over the vocabulary. Written with raw tfjs ops so
 * that a whole batch (prompts × group) moves one token per dispatch, the input projection is one
 * gather per step (embedding·W_x is precomputed as a V × 3h table), and the output layer runs once
 * over all positions.
 *
 * GRU (Cho et al. 2014, PyTorch convention): r = σ(x W_xr + h W_hr + b), z = σ(x W_xz + h W_hz + b),
 * n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 *
 * Sampling draws tokens on the CPU from the exact log-probabilities with the kit's seeded Rng, so a
 * seed reproduces the same samples on every backend up to float rounding of the logits.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../core/rng';
import { writeFileAtomic } from '../core/records';

type TF = typeof tfType;
type T2 = tfType.Tensor2D;

export interface GruShape {
  vocab: number;
  embed: number;
  hidden: number;
}

const NAMES = ['E', 'Wx', 'bx', 'Wh', 'bh', 'Wo', 'bo'] as const;
type VarName = (typeof NAMES)[number];

export interface SampledSequences {
  N: number;
  /** Generated tokens, N × maxLen, ADD_PAD after the end. */
  tokens: Int32Array;
  maxLen: number;
  /** Tokens generated per sequence, including the ADD_EOS when one was produced. */
  lengths: Int32Array;
  /** log π(token) under the sampling policy, N × maxLen (0 after the end). */
  logProbs: Float32Array;
}

export class GruPolicy {
  readonly tf: TF;
  readonly shape: GruShape;
  readonly vars: Record<VarName, tfType.Variable>;

  constructor(tf: TF, shape: GruShape, rng: Rng) {
    this.tf = tf;
    this.shape = shape;
    const { vocab: V, embed: D, hidden: H } = shape;
    const glorot = (r: Rng, fanIn: number, fanOut: number, n: number) => {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      return Float32Array.from({ length: n }, () => r.range(-lim, lim));
    };
    const e = rng.split('E');
    const init: Record<VarName, [number[], Float32Array]> = {
      E: [[V, D], Float32Array.from({ length: V * D }, () => e.normal(0, 0.3))],
      Wx: [[D, 3 * H], glorot(rng.split('Wx'), D, 3 * H, D * 3 * H)],
      bx: [[3 * H], new Float32Array(3 * H)],
      Wh: [[H, 3 * H], glorot(rng.split('Wh'), H, 3 * H, H * 3 * H)],
      bh: [[3 * H], new Float32Array(3 * H)],
      Wo: [[H, V], glorot(rng.split('Wo'), H, V, H * V)],
      bo: [[V], new Float32Array(V)],
    };
    this.vars = Object.fromEntries(
      NAMES.map((n) => [n, tf.variable(tf.tensor(init[n][1], init[n][0]), true)]),
    ) as Record<VarName, tfType.Variable>;
  }

  variables(): tfType.Variable[] {
    return NAMES.map((n) => this.vars[n]);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }

  /** V × 3h table of input projections: E·W_x + b_x (row t = projection of token t). */
  private inputTable(): T2 {
    const tf = this.tf;
    return tf.add(tf.matMul(this.vars.E as T2, this.vars.Wx as T2), this.vars.bx) as T2;
  }

  /**
   * Input projections of a column of tokens: one-hot · table (a gather would be one op, but its
   * gradient needs UnsortedSegmentSum, which the wasm backend lacks; with V ≈ 14 the matmul is cheap).
   */
  private project(table: T2, tokens: Int32Array): T2 {
    const tf = this.tf;
    return tf.matMul(tf.oneHot(tf.tensor1d(tokens, 'int32'), this.shape.vocab).toFloat() as T2, table);
  }

  private cell(gx: T2, h: T2): T2 {
    const tf = this.tf;
    const gh = tf.add(tf.matMul(h, this.vars.Wh as T2), this.vars.bh) as T2;
    const [xr, xz, xn] = tf.split(gx, 3, 1) as T2[];
    const [hr, hz, hn] = tf.split(gh, 3, 1) as T2[];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as T2;
  }

  /**
   * log π(responses[i, t] | prompt_i, responses[i, < t]) for every position, as an N × L tensor
   * (differentiable; call inside tf.tidy / variableGrads). prompts: N × P, responses: N × L.
   */
  sequenceLogProbs(prompts: Int32Array, P: number, responses: Int32Array, L: number): T2 {
    const tf = this.tf;
    const N = prompts.length / P;
    if (!Number.isInteger(N) || responses.length !== N * L)
      throw new RangeError(
        `GruPolicy.sequenceLogProbs: ${prompts.length} prompt tokens / P = ${P} and ` +
          `${responses.length} response tokens / L = ${L} disagree`,
      );
    const table = this.inputTable();
    let h = tf.zeros([N, this.shape.hidden]) as T2;
    const outs: T2[] = [];
    const col = new Int32Array(N);
    const steps = P + L - 1;
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < N; i++) col[i] = t < P ? prompts[i * P + t] : responses[i * L + (t - P)];
      h = this.cell(this.project(table, col), h);
      if (t >= P - 1) outs.push(h);
    }
    const hs = tf.reshape(tf.stack(outs, 1), [N * L, this.shape.hidden]) as T2;
    const logits = tf.add(tf.matMul(hs, this.vars.Wo as T2), this.vars.bo) as T2;
    const logp = tf.logSoftmax(logits);
    const chosen = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(responses, 'int32'), this.shape.vocab)), 1);
    return tf.reshape(chosen, [N, L]) as T2;
  }

  /**
   * Sample up to maxLen tokens for each prompt row (N × P), stopping a row at `eos`. One dispatch
   * chain per token for the whole batch; the categorical draw happens on the CPU with `rng`.
   */
  sample(
    prompts: Int32Array,
    P: number,
    maxLen: number,
    eos: number,
    pad: number,
    rng: Rng,
    temperature = 1,
  ): SampledSequences {
    const tf = this.tf;
    const N = prompts.length / P;
    const V = this.shape.vocab;
    const tokens = new Int32Array(N * maxLen).fill(pad);
    const logProbs = new Float32Array(N * maxLen);
    const lengths = new Int32Array(N);
    const done = new Uint8Array(N);
    const table = tf.keep(this.inputTable());
    let h = tf.keep(tf.zeros([N, this.shape.hidden]) as T2);
    const col = new Int32Array(N);
    const advance = (tok: Int32Array) => {
      const next = tf.tidy(() => this.cell(this.project(table, tok), h));
      h.dispose();
      h = tf.keep(next);
    };
    try {
      for (let t = 0; t < P; t++) {
        for (let i = 0; i < N; i++) col[i] = prompts[i * P + t];
        advance(col);
      }
      for (let t = 0; t < maxLen; t++) {
        const lp = tf.tidy(() => {
          const logits = tf.add(tf.matMul(h, this.vars.Wo as T2), this.vars.bo);
          return tf.logSoftmax(temperature === 1 ? logits : tf.div(logits, temperature));
        });
        const a = lp.dataSync() as Float32Array;
        lp.dispose();
        let alive = 0;
        for (let i = 0; i < N; i++) {
          if (done[i]) {
            col[i] = pad;
            continue;
          }
          let u = rng.uniform();
          let k = V - 1;
          for (let v = 0; v < V; v++) {
            u -= Math.exp(a[i * V + v]);
            if (u < 0) {
              k = v;
              break;
            }
          }
          tokens[i * maxLen + t] = k;
          logProbs[i * maxLen + t] = a[i * V + k];
          lengths[i] = t + 1;
          col[i] = k;
          if (k === eos) done[i] = 1;
          else alive++;
        }
        if (alive === 0 || t === maxLen - 1) break;
        advance(col);
      }
    } finally {
      h.dispose();
      table.dispose();
    }
    return { N, tokens, maxLen, lengths, logProbs };
  }

  /** Weights as plain JSON (shape + values). */
  toJSON(): { shape: GruShape; weights: Record<string, number[]> } {
    return {
      shape: this.shape,
      weights: Object.fromEntries(NAMES.map((n) => [n, Array.from(this.vars[n].dataSync())])),
    };
  }

  /** Overwrite the weights from toJSON() output (shapes must match). */
  load(json: { shape: GruShape; weights: Record<string, number[]> }): void {
    const s = json.shape;
    if (s.vocab !== this.shape.vocab || s.embed !== this.shape.embed || s.hidden !== this.shape.hidden) {
      throw new RangeError(
        `GruPolicy.load: saved shape ${JSON.stringify(s)} differs from ${JSON.stringify(this.shape)}`,
      );
    }
    for (const n of NAMES) this.vars[n].assign(this.tf.tensor(Float32Array.from(json.weights[n]), this.vars[n].shape));
  }
}

/**
 * One gradient step on −Σ_{i,t} c_{i,t}·f_{i,t}, where f = A_i·log π (REINFORCE family) or, with
 * `clip`, PPO's min(ρA_i, clip(ρ, 1 − ε_low, 1 + ε_high)A_i) with ρ = π/π_old (GRPO). `coef` (N × L)
 * holds the token aggregation weights (zero beyond each sequence's length; see aggregateTokenLoss).
 * Returns the loss value.
 */
export function policyGradientStep(
  policy: GruPolicy,
  optimizer: tfType.Optimizer,
  batch: {
    prompts: Int32Array;
    P: number;
    responses: Int32Array;
    L: number;
    advantages: Float32Array;
    coef: Float32Array;
    oldLogProbs?: Float32Array;
  },
  clip?: { low: number; high: number },
): number {
  const tf = policy.tf;
  const N = batch.advantages.length;
  const L = batch.L;
  const lossT = optimizer.minimize(
    () => {
      const logp = policy.sequenceLogProbs(batch.prompts, batch.P, batch.responses, L);
      const A = tf.reshape(tf.tensor1d(batch.advantages), [N, 1]);
      const c = tf.tensor2d(batch.coef, [N, L]);
      let f: tfType.Tensor;
      if (clip) {
        if (!batch.oldLogProbs) throw new RangeError('policyGradientStep: clipping needs oldLogProbs');
        const ratio = tf.exp(tf.sub(logp, tf.tensor2d(batch.oldLogProbs, [N, L])));
        f = tf.minimum(tf.mul(ratio, A), tf.mul(tf.clipByValue(ratio, 1 - clip.low, 1 + clip.high), A));
      } else f = tf.mul(logp, A);
      return tf.neg(tf.sum(tf.mul(f, c))) as tfType.Scalar;
    },
    true,
    policy.variables(),
  );
  const v = lossT ? lossT.dataSync()[0] : NaN;
  lossT?.dispose();
  return v;
}

/** One supervised step: mean negative log-likelihood of the target tokens (mask: 1 where a token counts). */
export function supervisedStep(
  policy: GruPolicy,
  optimizer: tfType.Optimizer,
  prompts: Int32Array,
  P: number,
  targets: Int32Array,
  L: number,
  mask: Float32Array,
): number {
  const tf = policy.tf;
  const N = prompts.length / P;
  let total = 0;
  for (let i = 0; i < mask.length; i++) total += mask[i];
  const lossT = optimizer.minimize(
    () => {
      const logp = policy.sequenceLogProbs(prompts, P, targets, L);
      return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(mask, [N, L])))), total) as tfType.Scalar;
    },
    true,
    policy.variables(),
  );
  const v = lossT ? lossT.dataSync()[0] : NaN;
  lossT?.dispose();
  return v;
}

/** Load cached weights from `file` if present (and of the same shape), else train, save atomically and return. */
export function loadOrTrain(file: string, policy: GruPolicy, train: () => void): { cached: boolean } {
  if (fs.existsSync(file)) {
    try {
      policy.load(JSON.parse(fs.readFileSync(file, 'utf8')));
      return { cached: true };
    } catch (e) {
      console.warn(`rlvr: cached model ${file} unusable (${(e as Error).message}); retraining`);
    }
  }
  train();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(policy.toJSON()));
  return { cached: false };
}
