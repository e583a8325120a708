/**
 * The kit's transformer language model (src/nn/transformer-lm.ts: GPT-2 layout, pre-LN blocks, causal multi-head
 * attention, GELU-tanh or ReLU MLP, untied head without bias) on TensorFlow.js, behind the same contract as the
 * wasm `TransformerLm` (the `LanguageModel` shape the reasoning trainer's `LmPolicy` drives):
 *   - the same flat float32 parameter vector (`transformerLayout`), kept on the host in `params.f`, with the
 *     gradient accumulated in `grads.f`; so `load(wasmModel.snapshot())` gives the same function, the kit's Adam
 *     (src/nn/adam.ts) steps it unchanged, and a checkpoint is interchangeable between engines;
 *   - the same constructor initialisation for a given rng (it draws the wasm model's initial weights);
 *   - forward (log-probabilities and entropies of the scored tokens), backward (gradients by tf autograd:
 *     `tf.grads` of Σ w·logp + Σ e·entropy), KV-cache sampling with the same per-row stop tokens, length caps,
 *     padding, temperature, greedy mode and the same rng draws (one uniform per row per step).
 *
 * Works on any tfjs backend (`cpu`, `wasm`, `webgl`, `webgpu`, `tensorflow` from tfjs-node(-gpu)): the caller
 * passes the tfjs module whose backend is set. Synchronous methods read results with `dataSync` (every backend
 * but webgpu); the `…Async` methods work everywhere.
 *
 * What differs from the wasm engine, on purpose:
 *   - `backward` recomputes the forward pass under the tape (tfjs cannot keep a tape between two calls), so
 *     forward + backward costs two forwards and one backward; `accumulate` does it in one pass when the
 *     weights w are known before the forward (a fixed batch);
 *   - the parameters are uploaded on every call (the host vector is the truth, so any host-side optimiser
 *     works); at 0.2 M parameters that is 0.8 MB per call;
 *   - float32 sums in a backend-specific order: results agree with the wasm engine to float32 rounding
 *     (tests/nn/tfjs-transformer.test.ts states the tolerances), not bit for bit; the KV-cache sampler's
 *     log-probabilities agree with a teacher-forced forward to rounding, not bit for bit.
 * Token embeddings are a one-hot product (gather's gradient needs UnsortedSegmentSum, which tfjs-wasm lacks;
 * the kit's vocabularies are small).
 */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../../core/rng';
import {
  parameterGroups,
  resolveTransformerConfig,
  transformerLayout,
  TransformerLm,
  type ResolvedTransformerLmConfig,
  type TransformerLayout,
  type TransformerLmConfig,
  type TransformerSample,
  type TransformerSampleOptions,
} from '../transformer-lm';
import { runAsync, runSync, type Steps, type TF } from './run';

type T = tfType.Tensor;
type T2 = tfType.Tensor2D;

const GELU_K = Math.sqrt(2 / Math.PI);
/** Added to the scores of future keys: exp underflows to exactly 0 in float32. */
const MASKED = -1e9;

/** Extra terms of `backward`: entropy weights (N·O) and a gradient on the final hidden states (N·O × d). */
export interface BackwardExtras {
  entropy?: Float32Array;
  hidden?: Float32Array;
}

/** What `forward` returns (the `LanguageModel` forward shape). */
export interface TfjsTransformerForward {
  N: number;
  T: number;
  S: number;
  outFrom: number;
  O: number;
  temperature: number;
  /** log π(tokens[n, s+1] | tokens[n, ≤ s]) for s = outFrom … T−2, N × O. */
  logp: Float32Array;
  /** Entropy of the (tempered) predictive distribution at each scored position, N × O. */
  entropy: Float32Array;
  readonly tokens: Int32Array;
  /** @internal */
  readonly epoch: number;
}

/** The weights of one block as tensors (x·W layout, in × out). */
interface BlockW {
  ln1g: T;
  ln1b: T;
  Wqkv: T2;
  bqkv: T;
  Wo: T2;
  bo: T;
  ln2g: T;
  ln2b: T;
  W1: T2;
  b1: T;
  W2: T2;
  b2: T;
}

interface Weights {
  wte: T2;
  wpe: T2;
  blocks: BlockW[];
  lnfg: T;
  lnfb: T;
  Wh: T2;
}

/** Keys and values of one block for the positions seen so far: N × H × S × d_h each. */
interface Kv {
  k: T;
  v: T;
}

export class TfjsTransformerLm {
  readonly tf: TF;
  readonly config: ResolvedTransformerLmConfig;
  readonly layout: TransformerLayout;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  /** Parameter groups in layout order (contiguous: their concatenation is the flat vector). */
  private readonly groups: { name: string; offset: number; size: number; shape: number[] }[];
  private epoch = 0;

  /**
   * `tf`: a tfjs module with its backend set (`await tf.setBackend(…)` first). Initial weights: those of
   * `new TransformerLm(config, rng)`, the wasm engine's, so a seed initialises both engines alike.
   */
  constructor(tf: TF, config: TransformerLmConfig, rng: Rng = new Rng(0)) {
    this.tf = tf;
    this.config = resolveTransformerConfig(config);
    this.layout = transformerLayout(this.config);
    const init = new TransformerLm(this.config, rng);
    this.params = { f: init.snapshot() };
    init.releaseCaches();
    this.grads = { f: new Float32Array(this.layout.size) };
    const { vocab: V, context: C, dModel: d, mlp: F } = this.config;
    const shapes: Record<string, number[]> = {
      wte: [V, d],
      wpe: [C, d],
      Wqkv: [d, 3 * d],
      Wo: [d, d],
      W1: [d, F],
      W2: [F, d],
      Wh: [d, V],
    };
    this.groups = parameterGroups(this.config).map((g) => {
      const key = g.name.includes('.') ? g.name.split('.')[1] : g.name;
      return { ...g, shape: shapes[key] ?? [g.size] };
    });
    let at = 0;
    for (const g of this.groups) {
      if (g.offset !== at) throw new Error('nn.TfjsTransformerLm: the parameter groups are not contiguous');
      at += g.size;
    }
  }

  get size(): number {
    return this.layout.size;
  }

  /** The tfjs backend in use (for provenance). */
  get backend(): string {
    return this.tf.getBackend();
  }

  /** A one-line description of the engine for run records. */
  get engine(): string {
    return `tfjs ${this.tf.version?.tfjs ?? this.tf.version_core ?? ''} ${this.tf.getBackend()}`.replace(/ +/g, ' ');
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  /** Nothing is cached between calls (backward recomputes the forward); kept for the contract. */
  releaseCaches(): void {
    this.epoch++;
  }

  gradNorm(): number {
    const g = this.grads.f;
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    return Math.sqrt(s);
  }

  /** Scales the gradient to global L2 norm ≤ maxNorm (the wasm model's rule); returns the norm before. */
  clipGradNorm(maxNorm: number): number {
    if (!(maxNorm > 0)) throw new RangeError(`nn.TfjsTransformerLm.clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
    const norm = this.gradNorm();
    if (!Number.isFinite(norm))
      throw new RangeError('nn.TfjsTransformerLm.clipGradNorm: the gradient has NaN or Infinity');
    if (norm > maxNorm) {
      const k = maxNorm / norm,
        g = this.grads.f;
      for (let i = 0; i < g.length; i++) g[i] *= k;
    }
    return norm;
  }

  snapshot(): Float32Array {
    return Float32Array.from(this.params.f);
  }

  load(values: Float32Array): void {
    if (values.length !== this.layout.size)
      throw new RangeError(
        `nn.TfjsTransformerLm.load: expected ${this.layout.size} parameters for this config, got ${values.length}`,
      );
    this.params.f.set(values);
  }

  // ---- the graph -------------------------------------------------------------------------------------------

  /** The host parameters as tensors, one per group, in layout order (copies: later host edits do not leak in). */
  private upload(): T[] {
    const p = this.params.f,
      tf = this.tf;
    return this.groups.map((g) => tf.tensor(p.slice(g.offset, g.offset + g.size), g.shape));
  }

  /** Groups (layout order) → named weights. */
  private named(ws: T[]): Weights {
    const per = 12;
    const blocks: BlockW[] = [];
    for (let l = 0; l < this.config.layers; l++) {
      const o = 2 + l * per;
      blocks.push({
        ln1g: ws[o],
        ln1b: ws[o + 1],
        Wqkv: ws[o + 2] as T2,
        bqkv: ws[o + 3],
        Wo: ws[o + 4] as T2,
        bo: ws[o + 5],
        ln2g: ws[o + 6],
        ln2b: ws[o + 7],
        W1: ws[o + 8] as T2,
        b1: ws[o + 9],
        W2: ws[o + 10] as T2,
        b2: ws[o + 11],
      });
    }
    const e = 2 + this.config.layers * per;
    return { wte: ws[0] as T2, wpe: ws[1] as T2, blocks, lnfg: ws[e], lnfb: ws[e + 1], Wh: ws[e + 2] as T2 };
  }

  private layerNorm(x: T2, g: T, b: T): T2 {
    const tf = this.tf;
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const v = tf.mean(tf.square(xc), -1, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(v, this.config.lnEps))), g), b) as T2;
  }

  private act(u: T2): T2 {
    const tf = this.tf;
    if (this.config.activation === 'relu') return tf.relu(u);
    // 0.5·u·(1 + tanh(√(2/π)·(u + 0.044715·u³)))
    const inner = tf.mul(tf.add(u, tf.mul(tf.mul(tf.mul(u, u), u), 0.044715)), GELU_K);
    return tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(inner), 1)) as T2;
  }

  /** x (M × d) = wte[tokens] + wpe[positions]: `tokens` M ids, positions p0 … p0 + Sn − 1 repeated per row group. */
  private embed(W: Weights, tokens: Int32Array, N: number, Sn: number, p0: number): T2 {
    const tf = this.tf;
    const { vocab: V, dModel: d } = this.config;
    const oh = tf.cast(tf.oneHot(tf.tensor1d(tokens, 'int32'), V), 'float32') as T2;
    const x = tf.matMul(oh, W.wte); // M × d
    const pos = tf.slice(W.wpe, [p0, 0], [Sn, d]); // Sn × d
    return tf.reshape(tf.add(tf.reshape(x, [N, Sn, d]), pos), [N * Sn, d]);
  }

  /**
   * One block over Sn new positions per row (x: N·Sn × d, rows n-major) that follow Sp cached ones; returns the
   * new residual and the keys and values of all Sp + Sn positions. Query i (absolute Sp + i) sees keys ≤ Sp + i.
   */
  private block(b: BlockW, x: T2, N: number, Sn: number, past: Kv | null): { x: T2; kv: Kv } {
    const tf = this.tf;
    const { dModel: d, heads: H } = this.config;
    const dh = d / H;
    const Sp = past ? (past.k.shape[2] as number) : 0;
    const h1 = this.layerNorm(x, b.ln1g, b.ln1b);
    const qkv = tf.add(tf.matMul(h1, b.Wqkv), b.bqkv) as T2; // M × 3d
    const [q, k, v] = tf.split(qkv, 3, 1);
    const heads = (t: T) => tf.transpose(tf.reshape(t, [N, Sn, H, dh]), [0, 2, 1, 3]); // N × H × Sn × dh
    let kAll = heads(k),
      vAll = heads(v);
    if (past) {
      kAll = tf.concat([past.k, kAll], 2);
      vAll = tf.concat([past.v, vAll], 2);
    }
    let scores = tf.mul(tf.matMul(heads(q), kAll, false, true), 1 / Math.sqrt(dh)); // N × H × Sn × (Sp + Sn)
    if (Sn > 1) {
      const m = new Float32Array(Sn * (Sp + Sn));
      for (let i = 0; i < Sn; i++) for (let j = Sp + i + 1; j < Sp + Sn; j++) m[i * (Sp + Sn) + j] = MASKED;
      scores = tf.add(scores, tf.tensor2d(m, [Sn, Sp + Sn]));
    }
    const probs = tf.softmax(scores);
    const y = tf.reshape(tf.transpose(tf.matMul(probs, vAll), [0, 2, 1, 3]), [N * Sn, d]);
    let xo = tf.add(x, tf.add(tf.matMul(y, b.Wo), b.bo)) as T2;
    const h2 = this.layerNorm(xo, b.ln2g, b.ln2b);
    const a = this.act(tf.add(tf.matMul(h2, b.W1), b.b1) as T2);
    xo = tf.add(xo, tf.add(tf.matMul(a, b.W2), b.b2)) as T2;
    return { x: xo, kv: { k: kAll, v: vAll } };
  }

  /** Tempered log-softmax of the head over final hidden states hf (R × d, after the last LayerNorm): R × V. */
  private logSoftmax(W: Weights, hf: T2, temp: number): T2 {
    const tf = this.tf;
    let logits: T2 = tf.matMul(hf, W.Wh);
    if (temp !== 1) logits = tf.div(logits, temp) as T2;
    return tf.logSoftmax(logits);
  }

  /** Teacher-forced pass: logp and entropy tensors (N·O each, n-major) of the scored positions. */
  private scored(ws: T[], tokens: Int32Array, N: number, T: number, outFrom: number, temp: number) {
    const tf = this.tf;
    const { vocab: V, dModel: d } = this.config;
    const W = this.named(ws);
    const S = T - 1,
      O = S - outFrom;
    const inputs = new Int32Array(N * S),
      targets = new Int32Array(N * O);
    for (let n = 0; n < N; n++) {
      inputs.set(tokens.subarray(n * T, n * T + S), n * S);
      targets.set(tokens.subarray(n * T + outFrom + 1, (n + 1) * T), n * O);
    }
    let x = this.embed(W, inputs, N, S, 0);
    for (const b of W.blocks) x = this.block(b, x, N, S, null).x;
    const xs = tf.reshape(tf.slice(tf.reshape(x, [N, S, d]), [0, outFrom, 0], [N, O, d]), [N * O, d]) as T2;
    const hf = this.layerNorm(xs, W.lnfg, W.lnfb); // N·O × d: the final hidden states (a value head's input)
    const ls = this.logSoftmax(W, hf, temp); // N·O × V
    const logp = tf.sum(tf.mul(ls, tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), V), 'float32')), -1);
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(ls), ls), -1));
    return { logp, entropy, hf };
  }

  // ---- forward / backward ----------------------------------------------------------------------------------

  private check(where: string, tokens: Int32Array, N: number, T: number, outFrom: number, temp: number): void {
    const { vocab: V, context } = this.config;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(T) || T < 2 || tokens.length !== N * T)
      throw new RangeError(
        `nn.TfjsTransformerLm.${where}: tokens has ${tokens.length} entries, ` +
          `expected N·T with N = ${N} ≥ 1 and T = ${T} ≥ 2`,
      );
    if (T - 1 > context)
      throw new RangeError(
        `nn.TfjsTransformerLm.${where}: T − 1 = ${T - 1} input positions exceed the context of ${context}`,
      );
    if (!Number.isInteger(outFrom) || outFrom < 0 || outFrom > T - 2)
      throw new RangeError(
        `nn.TfjsTransformerLm.${where}: outFrom must be an integer in [0, T−2 = ${T - 2}], got ${outFrom}`,
      );
    if (!(temp > 0)) throw new RangeError(`nn.TfjsTransformerLm.${where}: temperature must be > 0, got ${temp}`);
    this.checkTokens(where, tokens, V);
  }

  private checkTokens(where: string, tokens: ArrayLike<number>, V: number): void {
    for (let i = 0; i < tokens.length; i++)
      if (!(tokens[i] >= 0 && tokens[i] < V && Number.isInteger(tokens[i])))
        throw new RangeError(
          `nn.TfjsTransformerLm.${where}: token ${tokens[i]} at index ${i} is outside the vocabulary [0, ${V})`,
        );
  }

  private *forwardSteps(
    tokens: Int32Array,
    N: number,
    T: number,
    outFrom: number,
    temp: number,
  ): Steps<TfjsTransformerForward> {
    this.check('forward', tokens, N, T, outFrom, temp);
    const tf = this.tf;
    const both = tf.tidy(() => {
      const r = this.scored(this.upload(), tokens, N, T, outFrom, temp);
      return tf.stack([r.logp, r.entropy]);
    });
    const v = (yield both) as Float32Array;
    const O = T - 1 - outFrom;
    this.epoch++;
    return {
      N,
      T,
      S: T - 1,
      outFrom,
      O,
      temperature: temp,
      logp: v.slice(0, N * O),
      entropy: v.slice(N * O, 2 * N * O),
      tokens: Int32Array.from(tokens),
      epoch: this.epoch,
    };
  }

  /**
   * grads += ∇(Σ w·logp + Σ e·entropy) over `tokens` in one taped pass; yields logp and entropy too.
   * `f` (when given) is the forward whose tokens and settings are used; else the arguments.
   */
  private *gradSteps(
    tokens: Int32Array,
    N: number,
    T: number,
    outFrom: number,
    temp: number,
    w: Float32Array,
    e: Float32Array | undefined,
    gh?: Float32Array,
  ): Steps<{ logp: Float32Array; entropy: Float32Array }> {
    const O = T - 1 - outFrom;
    const d = this.config.dModel;
    if (w.length !== N * O)
      throw new RangeError(`nn.TfjsTransformerLm.backward: w has ${w.length} entries, expected N·O = ${N * O}`);
    if (e && e.length !== N * O)
      throw new RangeError(
        `nn.TfjsTransformerLm.backward: entropy weights have ${e.length} entries, expected ${N * O}`,
      );
    if (gh && gh.length !== N * O * d)
      throw new RangeError(
        `nn.TfjsTransformerLm.backward: the hidden-state gradient has ${gh.length} entries, ` +
          `expected N·O·d = ${N * O * d}`,
      );
    const tf = this.tf;
    const out = tf.tidy(() => {
      const ws = this.upload();
      const wT = tf.tensor1d(w),
        eT = e ? tf.tensor1d(e) : null,
        hT = gh ? tf.tensor2d(gh, [N * O, d]) : null;
      let kept: T | null = null;
      const g = tf.grads((...args: T[]) => {
        const r = this.scored(args, tokens, N, T, outFrom, temp);
        kept = tf.keep(tf.stack([r.logp, r.entropy]));
        let loss = tf.sum(tf.mul(r.logp, wT));
        if (eT) loss = tf.add(loss, tf.sum(tf.mul(r.entropy, eT)));
        if (hT) loss = tf.add(loss, tf.sum(tf.mul(r.hf, hT)));
        return loss;
      })(ws);
      return [tf.concat(g.map((t) => tf.reshape(t, [-1]))), kept as unknown as T];
    });
    let flat: Float32Array, both: Float32Array;
    try {
      flat = (yield out[0]) as Float32Array;
      both = (yield out[1]) as Float32Array;
    } finally {
      out[1].dispose(); // a no-op once the driver has read and disposed it
    }
    const gr = this.grads.f;
    for (let i = 0; i < gr.length; i++) gr[i] += flat[i];
    return { logp: both.slice(0, N * O), entropy: both.slice(N * O, 2 * N * O) };
  }

  /**
   * Teacher-forced forward over tokens (N × T): log-probabilities and entropies of tokens outFrom + 1 … T − 1
   * (the wasm model's contract). Synchronous: every backend but webgpu (use `forwardAsync` there).
   */
  forward(tokens: Int32Array, N: number, T: number, outFrom = 0, o: { temperature?: number } = {}) {
    return runSync(this.forwardSteps(tokens, N, T, outFrom, o.temperature ?? 1), 'nn.TfjsTransformerLm.forward');
  }

  forwardAsync(tokens: Int32Array, N: number, T: number, outFrom = 0, o: { temperature?: number } = {}) {
    return runAsync(this.forwardSteps(tokens, N, T, outFrom, o.temperature ?? 1));
  }

  private backwardSteps(f: TfjsTransformerForward, w: Float32Array, o: BackwardExtras) {
    if (f.epoch !== this.epoch)
      throw new Error('nn.TfjsTransformerLm.backward: the forward is stale (another forward or sample ran since)');
    this.epoch++; // one backward per forward, as on the wasm engine
    return this.gradSteps(f.tokens, f.N, f.T, f.outFrom, f.temperature, w, o.entropy, o.hidden);
  }

  /**
   * Accumulates into `grads` the gradient of Σ w·logp (+ Σ e·entropy) (+ Σ hidden·h_final, an outside head's
   * gradient on the final hidden states, N·O × d in the layout of `hidden(f)`) for the forward `f` (call once per
   * forward, before another forward or sample). It recomputes the forward under tfjs's tape.
   */
  backward(f: TfjsTransformerForward, w: Float32Array, o: BackwardExtras = {}): void {
    runSync(this.backwardSteps(f, w, o), 'nn.TfjsTransformerLm.backward');
  }

  async backwardAsync(f: TfjsTransformerForward, w: Float32Array, o: BackwardExtras = {}) {
    await runAsync(this.backwardSteps(f, w, o));
  }

  private *hiddenSteps(f: TfjsTransformerForward): Steps<Float32Array> {
    if (f.epoch !== this.epoch)
      throw new Error('nn.TfjsTransformerLm.hidden: the forward is stale (another forward or sample ran since)');
    const tf = this.tf;
    const h = tf.tidy(() => this.scored(this.upload(), f.tokens, f.N, f.T, f.outFrom, f.temperature).hf);
    return Float32Array.from((yield h) as Float32Array);
  }

  /**
   * The final hidden states (after the last LayerNorm, the output head's input) of the scored positions of `f`:
   * N·O × d, row n·O + o at position outFrom + o — the wasm model's `hidden`. A value head reads them (PPO's
   * critic, testbeds/reasoning/trainer/critic.ts). Recomputes the pass (tfjs keeps no activations between calls);
   * it does not consume `f`: `backward(f, …)` may follow.
   */
  hidden(f: TfjsTransformerForward): Float32Array {
    return runSync(this.hiddenSteps(f), 'nn.TfjsTransformerLm.hidden');
  }

  hiddenAsync(f: TfjsTransformerForward): Promise<Float32Array> {
    return runAsync(this.hiddenSteps(f));
  }

  /**
   * Forward and backward in one taped pass when the weights are known beforehand: grads += ∇(Σ w·logp + Σ
   * e·entropy); returns the log-probabilities and entropies (as `forward` would).
   */
  accumulate(
    tokens: Int32Array,
    N: number,
    T: number,
    outFrom: number,
    w: Float32Array,
    o: { entropy?: Float32Array; temperature?: number } = {},
  ) {
    const temp = o.temperature ?? 1;
    this.check('accumulate', tokens, N, T, outFrom, temp);
    return runSync(this.gradSteps(tokens, N, T, outFrom, temp, w, o.entropy), 'nn.TfjsTransformerLm.accumulate');
  }

  accumulateAsync(
    tokens: Int32Array,
    N: number,
    T: number,
    outFrom: number,
    w: Float32Array,
    o: { entropy?: Float32Array; temperature?: number } = {},
  ) {
    const temp = o.temperature ?? 1;
    this.check('accumulate', tokens, N, T, outFrom, temp);
    return runAsync(this.gradSteps(tokens, N, T, outFrom, temp, w, o.entropy));
  }

  // ---- sampling --------------------------------------------------------------------------------------------

  private *sampleSteps(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: TransformerSampleOptions,
  ): Steps<TransformerSample> {
    const { vocab: V, context } = this.config;
    const where = 'nn.TfjsTransformerLm.sample';
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(P) || P < 1 || prompts.length !== N * P)
      throw new RangeError(
        `${where}: prompts has ${prompts.length} entries, expected N·P with N = ${N} ≥ 1, P = ${P} ≥ 1`,
      );
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`${where}: L must be a positive integer, got ${L}`);
    if (P + L - 1 > context)
      throw new RangeError(
        `${where}: prompt ${P} + ${L} new tokens need ${P + L - 1} input positions; the context is ${context}`,
      );
    const temp = o.temperature ?? 1;
    if (!(temp > 0)) throw new RangeError(`${where}: temperature must be > 0, got ${temp}`);
    this.checkTokens('sample', prompts, V);
    const pad = o.pad ?? 0;
    const eos = new Int32Array(N).fill(-1);
    if (typeof o.eos === 'number') eos.fill(o.eos);
    else if (o.eos) {
      if (o.eos.length !== N) throw new RangeError(`${where}: eos has ${o.eos.length} entries, expected ${N}`);
      for (let n = 0; n < N; n++) eos[n] = o.eos[n];
    }
    const cap = new Int32Array(N).fill(L);
    if (o.maxNew) {
      if (o.maxNew.length !== N) throw new RangeError(`${where}: maxNew has ${o.maxNew.length} entries, expected ${N}`);
      for (let n = 0; n < N; n++) {
        const m = o.maxNew[n];
        if (!Number.isInteger(m) || m < 0 || m > L)
          throw new RangeError(`${where}: maxNew[${n}] = ${m} must be an integer in [0, ${L}]`);
        cap[n] = m;
      }
    }
    this.epoch++;
    const tf = this.tf;
    const Cm = P + L - 1;
    const tokens = new Int32Array(N * L).fill(pad),
      logp = new Float32Array(N * L),
      entropy = new Float32Array(N * L),
      lengths = new Int32Array(N),
      done = new Uint8Array(N),
      cur = new Int32Array(N);
    for (let n = 0; n < N; n++) if (cap[n] === 0) done[n] = 1;
    const u01 = new Float64Array(N);
    const ws = this.upload();
    let caches: Kv[] = [];
    const free = () => caches.forEach((c) => (c.k.dispose(), c.v.dispose()));
    try {
      const W = this.named(ws);
      // the prompt in one pass (fills the caches), then one position per step
      const step = (ids: Int32Array, Sn: number, p0: number): T => {
        const r = tf.tidy(() => {
          let x = this.embed(W, ids, N, Sn, p0);
          const next: Kv[] = [];
          W.blocks.forEach((b, l) => {
            const out = this.block(b, x, N, Sn, caches.length ? caches[l] : null);
            x = out.x;
            next.push(out.kv);
          });
          const d = this.config.dModel;
          const last =
            Sn === 1 ? x : (tf.reshape(tf.slice(tf.reshape(x, [N, Sn, d]), [0, Sn - 1, 0], [N, 1, d]), [N, d]) as T2);
          const logits = tf.matMul(this.layerNorm(last, W.lnfg, W.lnfb), W.Wh);
          return [logits, ...next.flatMap((c) => [c.k, c.v])];
        });
        free();
        caches = W.blocks.map((_, l) => ({ k: r[1 + 2 * l], v: r[2 + 2 * l] }));
        return r[0];
      };
      let logitsT = step(prompts, P, 0);
      for (let s = P - 1; s < Cm; s++) {
        if (s >= P) logitsT = step(cur, 1, s);
        const lg = Float32Array.from((yield logitsT) as Float32Array);
        const t = s - (P - 1);
        if (!o.greedy) for (let n = 0; n < N; n++) u01[n] = rng.uniform();
        let alive = 0;
        for (let n = 0; n < N; n++) {
          if (done[n]) {
            cur[n] = pad;
            continue;
          }
          const row = n * V;
          const z = lse(lg, row, V, temp);
          let pick = V - 1;
          if (o.greedy) {
            pick = 0;
            for (let v = 1; v < V; v++) if (lg[row + v] > lg[row + pick]) pick = v;
          } else {
            let acc = 0;
            for (let v = 0; v < V; v++) {
              acc += Math.exp(lg[row + v] - z);
              if (u01[n] < acc) {
                pick = v;
                break;
              }
            }
          }
          tokens[n * L + t] = pick;
          logp[n * L + t] = lg[row + pick] - z;
          entropy[n * L + t] = entropyOf(lg, row, V, z);
          lengths[n] = t + 1;
          cur[n] = pick;
          if (pick === eos[n] || t + 1 >= cap[n]) done[n] = 1;
          else alive++;
        }
        if (alive === 0) break;
      }
    } finally {
      free();
      ws.forEach((w) => w.dispose());
    }
    return { N, L, tokens, logp, lengths, entropy };
  }

  /**
   * Samples up to L tokens after each prompt (N × P) with a KV cache: the wasm model's contract and rng draws
   * (one uniform per row per step, ended rows included). The same seed draws the same uniforms on both
   * engines, so samples coincide except where float rounding of the logits moves a cumulative probability
   * across a uniform; they are not guaranteed identical. Synchronous: every backend but webgpu.
   */
  sample(prompts: Int32Array, N: number, P: number, L: number, rng: Rng, o: TransformerSampleOptions = {}) {
    return runSync(this.sampleSteps(prompts, N, P, L, rng, o), 'nn.TfjsTransformerLm.sample');
  }

  sampleAsync(prompts: Int32Array, N: number, P: number, L: number, rng: Rng, o: TransformerSampleOptions = {}) {
    return runAsync(this.sampleSteps(prompts, N, P, L, rng, o));
  }
}

/** Tempered log-softmax normaliser of one row, in place (row ← z/τ), float64 sums: the wasm model's rule. */
function lse(lg: Float32Array, row: number, V: number, temp: number): number {
  if (temp !== 1) for (let v = 0; v < V; v++) lg[row + v] = lg[row + v] / temp;
  let mx = -Infinity;
  for (let v = 0; v < V; v++) if (lg[row + v] > mx) mx = lg[row + v];
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(lg[row + v] - mx);
  return mx + Math.log(sum);
}

function entropyOf(lg: Float32Array, row: number, V: number, z: number): number {
  let ent = 0;
  for (let v = 0; v < V; v++) {
    const lp = lg[row + v] - z;
    const q = Math.exp(lp);
    if (q > 0) ent -= q * lp;
  }
  return ent;
}
