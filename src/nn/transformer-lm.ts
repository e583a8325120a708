/**
 * A decoder-only transformer language model on the kit's wasm engine, with hand-written backpropagation
 * (GPT-2 layout, nanoGPT-sized):
 *   x₀ = wte[token] + wpe[position]
 *   per layer: x += Attn(LN₁(x)) · W_o + b_o,   x += act(LN₂(x) · W₁ + b₁) · W₂ + b₂      (pre-LN blocks)
 *   logits = LN_f(x) · W_head                                                             (untied head, no bias)
 * Attn: causal multi-head self-attention, [q | k | v] = h · W_qkv + b_qkv (heads split q, k, v in order,
 * like nanoGPT's c_attn), softmax(q·kᵀ/√d_h) · v per head. act: GELU (tanh form, torch's approximate='tanh')
 * or ReLU. LayerNorm ε = 1e-5 (torch's). Weights are stored x·W (in × out, row-major), so a torch
 * nn.Linear weight is the transpose. The head is untied from wte: with small vocabularies it is tiny, and
 * untied it keeps the embedding's and the head's gradients separate (simpler to test and to reason about).
 *
 * All parameters live in one flat float32 vector (`transformerLayout`), so the kit's Adam is one loop over
 * it and a checkpoint is one file. Every matrix product is the wasm GEMM (projections, MLP, head, and the
 * attention scores and values per sequence and head as one batched call); LayerNorm, GELU and the causal
 * softmax are fused wasm SIMD kernels; the log-softmax over the vocabulary is plain JavaScript.
 *
 * Determinism: float32 throughout and every kernel computes each output element in a fixed order that
 * does not depend on the batch size, the row blocking or the sequence length; so a seed reproduces the
 * same weights and samples, and the KV-cache sampler's log-probabilities are bit-identical to those of a
 * teacher-forced forward over the same tokens (tested). The GEMM path (`gemmPath`: fused multiply-add where the
 * relaxed-SIMD probe shows that it fuses, opt-in; or separate mul + add, the default) decides the bits, so a record
 * states it (`engine`): the same seed gives the same numbers on every machine that runs the same path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../core/rng';
import { writeFileAtomic } from '../core/records';
import {
  Arena,
  Buf,
  columnSums,
  gemm,
  gemmBatched,
  geluBackward,
  geluForward,
  layerNormBackward,
  layerNormForward,
  reluBackward,
  softmaxBackward,
  softmaxRows,
  transpose,
  type GemmChoice,
  type GemmPath,
  type MatRef,
} from './wasm';

/** The model's shape. */
export interface TransformerLmConfig {
  /** Vocabulary size V (≥ 2). */
  vocab: number;
  /** Maximum number of input positions (learned position embeddings). */
  context: number;
  /** Transformer blocks. */
  layers: number;
  /** Residual width d (a multiple of 4 and of `heads`). */
  dModel: number;
  /** Attention heads (d_h = d / heads). */
  heads: number;
  /** MLP hidden width (default 4·d; a multiple of 4). */
  mlp?: number;
  /** MLP non-linearity (default 'gelu', tanh form). */
  activation?: 'gelu' | 'relu';
  /** LayerNorm ε (default 1e-5). */
  lnEps?: number;
  /** Standard deviation of the initial weights (default 0.02, GPT-2's). */
  initStd?: number;
}

export type ResolvedTransformerLmConfig = Required<TransformerLmConfig>;

/** Query rows per attention block in the teacher-forced pass (causal: a block needs only the keys up to its end). */
const ATTN_BLOCK = 16;

/** A small default: 4 layers, d = 64, 4 heads, context 64 (≈ 0.2 M parameters at vocab 16). */
export const TRANSFORMER_LM_DEFAULTS: Omit<ResolvedTransformerLmConfig, 'vocab'> = {
  context: 64,
  layers: 4,
  dModel: 64,
  heads: 4,
  mlp: 256,
  activation: 'gelu',
  lnEps: 1e-5,
  initStd: 0.02,
};

/** Offsets of one block's parameters in the flat vector. */
export interface BlockSlices {
  ln1g: number;
  ln1b: number;
  /** d × 3d: columns [q | k | v], each d = heads × d_h. */
  Wqkv: number;
  bqkv: number;
  /** d × d */
  Wo: number;
  bo: number;
  ln2g: number;
  ln2b: number;
  /** d × F */
  W1: number;
  b1: number;
  /** F × d */
  W2: number;
  b2: number;
}

export interface TransformerLayout {
  /** V × d token embedding. */
  wte: number;
  /** context × d position embedding. */
  wpe: number;
  blocks: BlockSlices[];
  lnfg: number;
  lnfb: number;
  /** d × V output head. */
  Wh: number;
  size: number;
}

/**
 * Parameter offsets: wte, wpe, then per block ln₁ (g, b), W_qkv, b_qkv, W_o, b_o, ln₂ (g, b), W₁, b₁, W₂, b₂,
 * then ln_f (g, b), W_head.
 */
export function transformerLayout(c: ResolvedTransformerLmConfig): TransformerLayout {
  const { vocab: V, context: C, dModel: d, mlp: F } = c;
  let at = 0;
  const take = (n: number) => {
    const o = at;
    at += n;
    return o;
  };
  const wte = take(V * d),
    wpe = take(C * d);
  const blocks: BlockSlices[] = [];
  for (let l = 0; l < c.layers; l++)
    blocks.push({
      ln1g: take(d),
      ln1b: take(d),
      Wqkv: take(d * 3 * d),
      bqkv: take(3 * d),
      Wo: take(d * d),
      bo: take(d),
      ln2g: take(d),
      ln2b: take(d),
      W1: take(d * F),
      b1: take(F),
      W2: take(F * d),
      b2: take(d),
    });
  const lnfg = take(d),
    lnfb = take(d),
    Wh = take(d * V);
  return { wte, wpe, blocks, lnfg, lnfb, Wh, size: at };
}

/** Named parameter blocks (for tests, inspection and per-group statistics), in layout order. */
export function parameterGroups(c: ResolvedTransformerLmConfig): { name: string; offset: number; size: number }[] {
  const L = transformerLayout(c);
  const { vocab: V, context: C, dModel: d, mlp: F } = c;
  const out = [
    { name: 'wte', offset: L.wte, size: V * d },
    { name: 'wpe', offset: L.wpe, size: C * d },
  ];
  L.blocks.forEach((b, l) => {
    const sizes: [keyof BlockSlices, number][] = [
      ['ln1g', d],
      ['ln1b', d],
      ['Wqkv', 3 * d * d],
      ['bqkv', 3 * d],
      ['Wo', d * d],
      ['bo', d],
      ['ln2g', d],
      ['ln2b', d],
      ['W1', d * F],
      ['b1', F],
      ['W2', F * d],
      ['b2', d],
    ];
    for (const [k, n] of sizes) out.push({ name: `h${l}.${k}`, offset: b[k], size: n });
  });
  out.push({ name: 'lnfg', offset: L.lnfg, size: d }, { name: 'lnfb', offset: L.lnfb, size: d });
  out.push({ name: 'Wh', offset: L.Wh, size: d * V });
  return out;
}

export function resolveTransformerConfig(c: TransformerLmConfig): ResolvedTransformerLmConfig {
  const r: ResolvedTransformerLmConfig = {
    ...TRANSFORMER_LM_DEFAULTS,
    ...c,
    mlp: c.mlp ?? 4 * c.dModel,
  } as ResolvedTransformerLmConfig;
  const int = (name: keyof TransformerLmConfig, min: number) => {
    const v = r[name] as number;
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`nn.TransformerLm: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  int('vocab', 2);
  int('context', 1);
  int('layers', 1);
  int('dModel', 4);
  int('heads', 1);
  int('mlp', 4);
  if (r.dModel % 4 !== 0 || r.dModel % r.heads !== 0)
    throw new RangeError(
      `nn.TransformerLm: dModel (${r.dModel}) must be a multiple of 4 and of heads (${r.heads}) for the SIMD kernels`,
    );
  if (r.mlp % 4 !== 0) throw new RangeError(`nn.TransformerLm: mlp (${r.mlp}) must be a multiple of 4`);
  if (r.activation !== 'gelu' && r.activation !== 'relu')
    throw new RangeError(`nn.TransformerLm: activation must be 'gelu' or 'relu', got ${String(r.activation)}`);
  if (!(r.lnEps > 0)) throw new RangeError(`nn.TransformerLm: lnEps must be > 0, got ${r.lnEps}`);
  if (!(r.initStd > 0)) throw new RangeError(`nn.TransformerLm: initStd must be > 0, got ${r.initStd}`);
  return r;
}

/** What one block keeps from the forward pass for the backward. */
interface BlockCache {
  xhat1: Buf;
  rstd1: Buf;
  h1: Buf;
  qkv: Buf;
  /** Attention probabilities, N × heads × S × S (row i: keys 0 … i, zeros after). */
  probs: Buf;
  /** Concatenated head outputs (M × d), the input of W_o. */
  y: Buf;
  xhat2: Buf;
  rstd2: Buf;
  h2: Buf;
  /** GELU′ at the MLP pre-activation (GELU), or the post-activation (ReLU, fused into the GEMM), M × F. */
  u: Buf;
  /** MLP activation, M × F (the same buffer as u for ReLU). */
  a: Buf;
}

/** The cache of one teacher-forced forward pass, consumed by `backward`. */
export interface TransformerForward {
  N: number;
  T: number;
  /** Input positions per sequence (T − 1). */
  S: number;
  outFrom: number;
  /** Scored positions per sequence, S − outFrom. */
  O: number;
  temperature: number;
  /** log π(tokens[n, s+1] | tokens[n, ≤ s]) for s = outFrom … T−2, N × O (row n, column s − outFrom). */
  logp: Float32Array;
  /** Entropy of the (tempered) predictive distribution at each scored position, N × O. */
  entropy: Float32Array;
  readonly tokens: Int32Array;
  /** @internal */
  readonly blocks: BlockCache[];
  /** @internal */
  readonly xhatf: Buf;
  /** @internal */
  readonly rstdf: Buf;
  /** @internal */
  readonly hf: Buf;
  /** @internal tempered logits of the scored positions, N·O × V (n-major) */
  readonly logits: Buf;
  /** @internal log-sum-exp of each scored row */
  readonly lse: Float64Array;
  /** @internal */
  readonly epoch: number;
}

export interface TransformerSampleOptions {
  /** Stop token: one for all rows, or one per row (−1: none). The stop token is kept and scored. */
  eos?: number | ArrayLike<number>;
  /** Per-row cap on generated tokens (each ≤ L). */
  maxNew?: ArrayLike<number>;
  /** Token written after a row's end (default 0; its log-probability and entropy are 0). */
  pad?: number;
  /** Logits are divided by it; log-probabilities and entropies are those of the tempered distribution. */
  temperature?: number;
  /** Take the most probable token (lowest index on ties) instead of sampling; draws nothing from the rng. */
  greedy?: boolean;
}

export interface TransformerSample {
  N: number;
  L: number;
  /** Generated tokens, N × L (after a row's end: `pad`). */
  tokens: Int32Array;
  /** log π of each generated token (0 after the end), N × L. */
  logp: Float32Array;
  /** Generated tokens per row, including the stop token when produced. */
  lengths: Int32Array;
  /** Predictive entropy at each generated position (0 after the end), N × L. */
  entropy: Float32Array;
}

export class TransformerLm {
  readonly config: ResolvedTransformerLmConfig;
  readonly layout: TransformerLayout;
  readonly arena: Arena;
  readonly params: Buf;
  readonly grads: Buf;
  private readonly base: number;
  private epoch = 0;

  /**
   * Initialisation (GPT-2): weights N(0, initStd²), the residual projections W_o and W₂ N(0, (initStd/√(2·layers))²),
   * biases 0, LayerNorm gains 1; each block drawn from its own split of `rng`. `o.gemm` picks the GEMM path of a
   * new arena: default 'mul-add' (the same bits on every machine); 'auto' opts in to the fused multiply-add
   * where the start-up probe shows that relaxed SIMD fuses (every x86-64 with FMA3, every ARM64; 15–20 %
   * faster GEMM here), else separate mul + add. `gemmPath` / `engine` say which ran. A given arena keeps its own path.
   */
  constructor(config: TransformerLmConfig, rng: Rng, arena?: Arena, o: { gemm?: GemmChoice } = {}) {
    this.config = resolveTransformerConfig(config);
    this.layout = transformerLayout(this.config);
    this.arena = arena ?? new Arena({ gemm: o.gemm ?? 'mul-add' });
    this.params = this.arena.alloc(this.layout.size, 'TransformerLm.params');
    this.grads = this.arena.alloc(this.layout.size, 'TransformerLm.grads');
    this.base = this.arena.mark();
    const p = this.params.f;
    const { dModel: d, initStd: std, layers } = this.config;
    const L = this.layout;
    const normal = (label: string, off: number, n: number, s: number) => {
      const r = rng.split(label);
      for (let i = 0; i < n; i++) p[off + i] = r.normal(0, s);
    };
    const ones = (off: number, n: number) => p.fill(1, off, off + n);
    const F = this.config.mlp,
      V = this.config.vocab;
    normal('wte', L.wte, V * d, std);
    normal('wpe', L.wpe, this.config.context * d, std);
    const resid = std / Math.sqrt(2 * layers);
    L.blocks.forEach((b, l) => {
      ones(b.ln1g, d);
      ones(b.ln2g, d);
      normal(`h${l}.Wqkv`, b.Wqkv, 3 * d * d, std);
      normal(`h${l}.Wo`, b.Wo, d * d, resid);
      normal(`h${l}.W1`, b.W1, d * F, std);
      normal(`h${l}.W2`, b.W2, F * d, resid);
    });
    ones(L.lnfg, d);
    normal('Wh', L.Wh, d * V, std);
  }

  get size(): number {
    return this.layout.size;
  }

  /** The GEMM's multiply-add in this model's arena (for provenance). */
  get gemmPath(): GemmPath {
    return this.arena.gemmPath;
  }

  /** A one-line description of the engine for run records. */
  get engine(): string {
    return `kit nn wasm-simd128, gemm ${this.arena.gemmPath}`;
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  /** Free every forward cache (they are also freed by the next forward or sample call). */
  releaseCaches(): void {
    this.arena.release(this.base);
    this.epoch++;
  }

  /** Global L2 norm of the gradient (accumulated in float64). */
  gradNorm(): number {
    const g = this.grads.f;
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    return Math.sqrt(s);
  }

  /**
   * Scales the gradient so that its global L2 norm is at most maxNorm (by maxNorm / norm, no ε, the same rule
   * as Adam's `maxGradNorm`); returns the norm before clipping.
   */
  clipGradNorm(maxNorm: number): number {
    if (!(maxNorm > 0)) throw new RangeError(`nn.TransformerLm.clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
    const norm = this.gradNorm();
    if (!Number.isFinite(norm)) throw new RangeError('nn.TransformerLm.clipGradNorm: the gradient has NaN or Infinity');
    if (norm > maxNorm) {
      const k = maxNorm / norm,
        g = this.grads.f;
      for (let i = 0; i < g.length; i++) g[i] *= k;
    }
    return norm;
  }

  /**
   * grads[off …] += Aᵀ·B (rows × cols) for a weight gradient summed over the K = N·S rows of the batch: computed
   * into `tmp` without accumulation (so the kernel takes its cache-blocked path for long K), then added; the
   * same bits as an accumulating GEMM, about twice as fast at these shapes.
   */
  private addWeightGrad(rows: number, cols: number, K: number, A: MatRef, B: MatRef, off: number, tmp: Buf): void {
    gemm(rows, cols, K, A, B, { buf: tmp, ld: cols });
    const g = this.grads.f,
      t = tmp.f;
    for (let i = 0; i < rows * cols; i++) g[off + i] += t[i];
  }

  private at(off: number) {
    return { buf: this.params, offset: off };
  }

  /** x (M × d) += wte[tok] + wpe[pos] rows: x[r] = wte[tokens[r]] + wpe[positions[r]]. */
  private embed(M: number, tok: (r: number) => number, pos: (r: number) => number, x: Buf): void {
    const d = this.config.dModel,
      p = this.params.f,
      xf = x.f,
      L = this.layout;
    for (let r = 0; r < M; r++) {
      const te = L.wte + tok(r) * d,
        pe = L.wpe + pos(r) * d,
        xo = r * d;
      for (let j = 0; j < d; j++) xf[xo + j] = p[te + j] + p[pe + j];
    }
  }

  /** LN₁ and the q, k, v projection of M rows. */
  private attnIn(b: BlockSlices, M: number, x: Buf, xhat: Buf, rstd: Buf, h: Buf, qkv: Buf): void {
    const d = this.config.dModel;
    layerNormForward(
      M,
      d,
      { buf: x },
      this.at(b.ln1g),
      this.at(b.ln1b),
      { buf: xhat },
      { buf: rstd },
      { buf: h },
      this.config.lnEps,
    );
    gemm(
      M,
      3 * d,
      d,
      { buf: h, ld: d },
      { buf: this.params, offset: b.Wqkv, ld: 3 * d },
      { buf: qkv, ld: 3 * d },
      { bias: this.at(b.bqkv) },
    );
  }

  /**
   * x += y·W_o + b_o, then x += act(LN₂(x)·W₁ + b₁)·W₂ + b₂, over M rows. With `keepDeriv` (training), GELU′
   * replaces the pre-activation in u for the backward.
   */
  private attnOutAndMlp(
    b: BlockSlices,
    M: number,
    x: Buf,
    y: Buf,
    xhat2: Buf,
    rstd2: Buf,
    h2: Buf,
    u: Buf,
    a: Buf,
    keepDeriv: boolean,
  ): void {
    const { dModel: d, mlp: F } = this.config;
    gemm(
      M,
      d,
      d,
      { buf: y, ld: d },
      { buf: this.params, offset: b.Wo, ld: d },
      { buf: x, ld: d },
      { accumulate: true, bias: this.at(b.bo) },
    );
    layerNormForward(
      M,
      d,
      { buf: x },
      this.at(b.ln2g),
      this.at(b.ln2b),
      { buf: xhat2 },
      { buf: rstd2 },
      { buf: h2 },
      this.config.lnEps,
    );
    const relu = this.config.activation === 'relu';
    gemm(
      M,
      F,
      d,
      { buf: h2, ld: d },
      { buf: this.params, offset: b.W1, ld: F },
      { buf: u, ld: F },
      { bias: this.at(b.b1), relu },
    );
    if (!relu) geluForward(M * F, { buf: u }, { buf: a }, keepDeriv ? { buf: u } : undefined);
    gemm(
      M,
      d,
      F,
      { buf: a, ld: F },
      { buf: this.params, offset: b.W2, ld: d },
      { buf: x, ld: d },
      { accumulate: true, bias: this.at(b.b2) },
    );
  }

  /**
   * Tempered log-softmax of one logits row in place (row ← z/τ); returns its log-sum-exp. The sampler and the
   * teacher-forced forward share it, so their log-probabilities agree bit for bit.
   */
  private static lse(lg: Float32Array, row: number, V: number, temp: number): number {
    if (temp !== 1) for (let v = 0; v < V; v++) lg[row + v] = lg[row + v] / temp;
    let mx = -Infinity;
    for (let v = 0; v < V; v++) if (lg[row + v] > mx) mx = lg[row + v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(lg[row + v] - mx);
    return mx + Math.log(sum);
  }

  private static entropy(lg: Float32Array, row: number, V: number, lse: number): number {
    let ent = 0;
    for (let v = 0; v < V; v++) {
      const lp = lg[row + v] - lse;
      const q = Math.exp(lp);
      if (q > 0) ent -= q * lp;
    }
    return ent;
  }

  private checkTokens(where: string, tokens: ArrayLike<number>): void {
    const V = this.config.vocab;
    for (let i = 0; i < tokens.length; i++)
      if (!(tokens[i] >= 0 && tokens[i] < V && Number.isInteger(tokens[i])))
        throw new RangeError(
          `nn.TransformerLm.${where}: token ${tokens[i]} at index ${i} is outside the vocabulary [0, ${V})`,
        );
  }

  /**
   * Teacher-forced forward over tokens (N × T, row-major): position s reads tokens[:, s] and predicts
   * tokens[:, s+1], for s = 0 … T−2 (T − 1 ≤ context). Log-probabilities and entropies are returned for
   * s ≥ outFrom (outFrom = P − 1 scores a response after a P-token prompt); `temperature` divides the logits.
   * Sequences of different lengths: pad them at the end and give the padded positions weight 0 in
   * `backward` (attention is causal, so padding never changes earlier positions). The cache for `backward`
   * lives until the next forward or sample call on this model.
   */
  forward(tokens: Int32Array, N: number, T: number, outFrom = 0, o: { temperature?: number } = {}): TransformerForward {
    const { vocab: V, context, dModel: d, heads: H, mlp: F, layers } = this.config;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(T) || T < 2 || tokens.length !== N * T)
      throw new RangeError(
        `nn.TransformerLm.forward: tokens has ${tokens.length} entries, ` +
          `expected N·T with N = ${N} ≥ 1 and T = ${T} ≥ 2`,
      );
    if (T - 1 > context)
      throw new RangeError(
        `nn.TransformerLm.forward: T − 1 = ${T - 1} input positions exceed the context of ${context}`,
      );
    if (!Number.isInteger(outFrom) || outFrom < 0 || outFrom > T - 2)
      throw new RangeError(
        `nn.TransformerLm.forward: outFrom must be an integer in [0, T−2 = ${T - 2}], got ${outFrom}`,
      );
    const temp = o.temperature ?? 1;
    if (!(temp > 0)) throw new RangeError(`nn.TransformerLm.forward: temperature must be > 0, got ${temp}`);
    this.checkTokens('forward', tokens);
    this.releaseCaches();
    const S = T - 1,
      M = N * S,
      O = S - outFrom,
      dh = d / H,
      A = this.arena;
    const x = A.alloc(M * d, 'x', false);
    const kt = A.alloc(N * H * dh * S, 'kt', false);
    const blocks: BlockCache[] = [];
    const relu = this.config.activation === 'relu';
    for (let l = 0; l < layers; l++) {
      const u = A.alloc(M * F, 'u', false);
      blocks.push({
        xhat1: A.alloc(M * d, 'xhat1', false),
        rstd1: A.alloc(M, 'rstd1', false),
        h1: A.alloc(M * d, 'h1', false),
        qkv: A.alloc(M * 3 * d, 'qkv', false),
        probs: A.alloc(N * H * S * S, 'probs', false),
        y: A.alloc(M * d, 'y', false),
        xhat2: A.alloc(M * d, 'xhat2', false),
        rstd2: A.alloc(M, 'rstd2', false),
        h2: A.alloc(M * d, 'h2', false),
        u,
        a: relu ? u : A.alloc(M * F, 'a', false),
      });
    }
    const xhatf = A.alloc(M * d, 'xhatf', false),
      rstdf = A.alloc(M, 'rstdf', false),
      hf = A.alloc(M * d, 'hf', false),
      logits = A.alloc(N * O * V, 'logits', false);
    this.embed(
      M,
      (r) => tokens[Math.floor(r / S) * T + (r % S)],
      (r) => r % S,
      x,
    );
    const scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < layers; l++) {
      const b = this.layout.blocks[l],
        c = blocks[l];
      this.attnIn(b, M, x, c.xhat1, c.rstd1, c.h1, c.qkv);
      // kᵀ per sequence and head: kt[n, h] is d_h × S.
      const q = c.qkv.f,
        k = kt.f;
      for (let n = 0; n < N; n++)
        for (let s = 0; s < S; s++) {
          const src = (n * S + s) * 3 * d + d;
          for (let h = 0; h < H; h++) {
            const dst = (n * H + h) * dh * S + s;
            for (let e = 0; e < dh; e++) k[dst + e * S] = q[src + h * dh + e];
          }
        }
      // scores[n, h] = q[n, h] · kᵀ[n, h], causal softmax in place, y[n, h] = P · v[n, h]; in blocks of
      // ATTN_BLOCK query rows, each against the keys up to its last row only (about half the products).
      for (let i0 = 0; i0 < S; i0 += ATTN_BLOCK) {
        const i1 = Math.min(S, i0 + ATTN_BLOCK),
          rows = i1 - i0;
        gemmBatched(
          { n1: N, n2: H, a: [S * 3 * d, dh], b: [H * dh * S, dh * S], c: [H * S * S, S * S] },
          rows,
          i1,
          dh,
          { buf: c.qkv, offset: i0 * 3 * d, ld: 3 * d },
          { buf: kt, ld: S },
          { buf: c.probs, offset: i0 * S, ld: S },
        );
        softmaxRows({ nmat: N * H, rows, ld: S, ms: S * S, len0: i0 + 1, scale }, { buf: c.probs, offset: i0 * S });
        gemmBatched(
          { n1: N, n2: H, a: [H * S * S, S * S], b: [S * 3 * d, dh], c: [S * d, dh] },
          rows,
          dh,
          i1,
          { buf: c.probs, offset: i0 * S, ld: S },
          { buf: c.qkv, offset: 2 * d, ld: 3 * d },
          { buf: c.y, offset: i0 * d, ld: d },
        );
      }
      this.attnOutAndMlp(b, M, x, c.y, c.xhat2, c.rstd2, c.h2, c.u, c.a, true);
    }
    const L = this.layout;
    layerNormForward(
      M,
      d,
      { buf: x },
      this.at(L.lnfg),
      this.at(L.lnfb),
      { buf: xhatf },
      { buf: rstdf },
      { buf: hf },
      this.config.lnEps,
    );
    gemmBatched(
      { n1: N, n2: 1, a: [S * d, 0], b: [0, 0], c: [O * V, 0] },
      O,
      V,
      d,
      { buf: hf, offset: outFrom * d, ld: d },
      { buf: this.params, offset: L.Wh, ld: V },
      { buf: logits, ld: V },
    );
    const logp = new Float32Array(N * O),
      entropy = new Float32Array(N * O),
      lse = new Float64Array(N * O);
    const lg = logits.f;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < O; s++) {
        const r = n * O + s,
          row = r * V;
        const z = TransformerLm.lse(lg, row, V, temp);
        lse[r] = z;
        logp[r] = lg[row + tokens[n * T + outFrom + s + 1]] - z;
        entropy[r] = TransformerLm.entropy(lg, row, V, z);
      }
    return {
      N,
      T,
      S,
      outFrom,
      O,
      temperature: temp,
      logp,
      entropy,
      tokens: Int32Array.from(tokens), // the targets of `backward`, safe from later changes by the caller
      blocks,
      xhatf,
      rstdf,
      hf,
      logits,
      lse,
      epoch: this.epoch,
    };
  }

  /**
   * The final hidden states (after the last LayerNorm, the output head's input) of the scored positions of `f`:
   * N·O × d, row n·O + o at position outFrom + o (a copy). A value head reads them; its loss's gradient with
   * respect to them goes back through `backward`'s `hidden`.
   */
  hidden(f: TransformerForward): Float32Array {
    if (f.epoch !== this.epoch)
      throw new Error('nn.TransformerLm.hidden: the forward cache is stale (another forward or sample ran since)');
    const d = this.config.dModel,
      { N, S, outFrom, O } = f;
    const out = new Float32Array(N * O * d),
      hf = f.hf.f;
    for (let n = 0; n < N; n++) out.set(hf.subarray((n * S + outFrom) * d, (n * S + outFrom + O) * d), n * O * d);
    return out;
  }

  /**
   * Accumulates into `grads` the gradient of Σ_{n,o} w[n·O + o]·logp[n·O + o] (+ Σ e[n·O + o]·entropy[n·O + o]
   * when `o.entropy` is given): pass w = ∂loss/∂logp, e.g. −advantage·mask/normaliser for a policy-gradient
   * loss; a zero weight masks its token (environment tokens, padding). `o.hidden` (N·O × d, the layout of
   * `hidden(f)`) adds Σ hidden·h_final to the differentiated sum: an outside head's gradient on the final hidden
   * states. Must follow the `forward` that made `f` (it consumes the cache: call it once).
   */
  backward(f: TransformerForward, w: Float32Array, o: { entropy?: Float32Array; hidden?: Float32Array } = {}): void {
    if (f.epoch !== this.epoch)
      throw new Error('nn.TransformerLm.backward: the forward cache is stale (another forward or sample ran since)');
    const { vocab: V, dModel: d, heads: H, mlp: F, layers } = this.config;
    const { N, T, S, outFrom, O } = f;
    if (w.length !== N * O)
      throw new RangeError(`nn.TransformerLm.backward: w has ${w.length} entries, expected N·O = ${N * O}`);
    const we = o.entropy;
    if (we && we.length !== N * O)
      throw new RangeError(`nn.TransformerLm.backward: entropy weights have ${we.length} entries, expected ${N * O}`);
    const gh = o.hidden;
    if (gh && gh.length !== N * O * d)
      throw new RangeError(
        `nn.TransformerLm.backward: the hidden-state gradient has ${gh.length} entries, expected N·O·d = ${N * O * d}`,
      );
    const M = N * S,
      dh = d / H,
      A = this.arena,
      L = this.layout;
    const dx = A.alloc(M * d, 'dx', false),
      dh_ = A.alloc(M * d, 'dh'),
      dy = A.alloc(M * d, 'dy', false),
      dqkv = A.alloc(M * 3 * d, 'dqkv', false),
      dP = A.alloc(N * H * S * S, 'dP', false),
      da = A.alloc(M * F, 'da', false),
      vt = A.alloc(N * H * dh * S, 'vt', false),
      WT = A.alloc(Math.max(3 * d * d, d * F, d * V), 'WT', false);
    // d logits (tempered): w·(onehot(y) − q) + e·(−q·(log q + H)), then / τ; in place over the logits.
    const lg = f.logits.f,
      temp = f.temperature;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < O; s++) {
        const r = n * O + s,
          row = r * V,
          z = f.lse[r];
        const wi = w[r],
          ei = we ? we[r] : 0,
          ent = f.entropy[r];
        const y = f.tokens[n * T + outFrom + s + 1];
        for (let v = 0; v < V; v++) {
          const lp = lg[row + v] - z;
          const q = Math.exp(lp);
          let g = -wi * q;
          if (ei !== 0 && q > 0) g -= ei * q * (lp + ent);
          lg[row + v] = g;
        }
        lg[row + y] += wi;
        if (temp !== 1) for (let v = 0; v < V; v++) lg[row + v] = lg[row + v] / temp;
      }
    const grad = (off: number) => ({ buf: this.grads, offset: off });
    // head: dW_h += Σ_n hf_nᵀ · dlogits_n; dhf = dlogits · W_hᵀ (rows s < outFrom stay 0).
    gemmBatched(
      { n1: N, n2: 1, a: [S * d, 0], b: [O * V, 0], c: [0, 0] },
      d,
      V,
      O,
      { buf: f.hf, offset: outFrom * d, ld: d, trans: true },
      { buf: f.logits, ld: V },
      { buf: this.grads, offset: L.Wh, ld: V },
      true,
    );
    transpose(this.params.f, L.Wh, d, V, WT.f);
    gemmBatched(
      { n1: N, n2: 1, a: [O * V, 0], b: [0, 0], c: [S * d, 0] },
      O,
      d,
      V,
      { buf: f.logits, ld: V },
      { buf: WT, ld: d },
      { buf: dh_, offset: outFrom * d, ld: d },
    );
    if (gh) {
      // an outside loss on the final hidden states (a value head's): dhf[n, outFrom + o] += gh[n, o]
      const dhf = dh_.f;
      for (let n = 0; n < N; n++)
        for (let s = 0; s < O; s++) {
          const src = (n * O + s) * d,
            dst = (n * S + outFrom + s) * d;
          for (let j = 0; j < d; j++) dhf[dst + j] += gh[src + j];
        }
    }
    layerNormBackward(
      M,
      d,
      { buf: dh_ },
      { buf: f.xhatf },
      { buf: f.rstdf },
      this.at(L.lnfg),
      { buf: dx },
      grad(L.lnfg),
      grad(L.lnfb),
      false,
    );
    const scale = 1 / Math.sqrt(dh);
    const relu = this.config.activation === 'relu';
    for (let l = layers - 1; l >= 0; l--) {
      const b = L.blocks[l],
        c = f.blocks[l];
      // MLP: x += a·W₂ + b₂ with a = act(h₂·W₁ + b₁)
      columnSums(M, d, { buf: dx }, d, grad(b.b2));
      this.addWeightGrad(F, d, M, { buf: c.a, ld: F, trans: true }, { buf: dx, ld: d }, b.W2, WT);
      transpose(this.params.f, b.W2, F, d, WT.f);
      gemm(M, F, d, { buf: dx, ld: d }, { buf: WT, ld: F }, { buf: da, ld: F });
      if (relu) reluBackward(M * F, { buf: da }, { buf: c.u });
      else geluBackward(M * F, { buf: c.u }, { buf: da });
      columnSums(M, F, { buf: da }, F, grad(b.b1));
      this.addWeightGrad(d, F, M, { buf: c.h2, ld: d, trans: true }, { buf: da, ld: F }, b.W1, WT);
      transpose(this.params.f, b.W1, d, F, WT.f);
      gemm(M, d, F, { buf: da, ld: F }, { buf: WT, ld: d }, { buf: dh_, ld: d });
      layerNormBackward(
        M,
        d,
        { buf: dh_ },
        { buf: c.xhat2 },
        { buf: c.rstd2 },
        this.at(b.ln2g),
        { buf: dx },
        grad(b.ln2g),
        grad(b.ln2b),
        true,
      );
      // attention output: x += y·W_o + b_o
      columnSums(M, d, { buf: dx }, d, grad(b.bo));
      this.addWeightGrad(d, d, M, { buf: c.y, ld: d, trans: true }, { buf: dx, ld: d }, b.Wo, WT);
      transpose(this.params.f, b.Wo, d, d, WT.f);
      gemm(M, d, d, { buf: dx, ld: d }, { buf: WT, ld: d }, { buf: dy, ld: d });
      // vᵀ per sequence and head
      const q = c.qkv.f,
        vf = vt.f;
      for (let n = 0; n < N; n++)
        for (let s = 0; s < S; s++) {
          const src = (n * S + s) * 3 * d + 2 * d;
          for (let h = 0; h < H; h++) {
            const dst = (n * H + h) * dh * S + s;
            for (let e = 0; e < dh; e++) vf[dst + e * S] = q[src + h * dh + e];
          }
        }
      const grid = (a: [number, number], bb: [number, number], cc: [number, number]) => ({
        n1: N,
        n2: H,
        a,
        b: bb,
        c: cc,
      });
      const PS: [number, number] = [H * S * S, S * S],
        Q3: [number, number] = [S * 3 * d, dh];
      // dP = dy_h · vᵀ, then the softmax backward (scaled) in place: dP becomes d scores. By query blocks as in
      // the forward: row i of P and dS is written up to the end of its block (zeros after i), never read beyond.
      for (let i0 = 0; i0 < S; i0 += ATTN_BLOCK) {
        const i1 = Math.min(S, i0 + ATTN_BLOCK),
          rows = i1 - i0;
        gemmBatched(
          grid([S * d, dh], [H * dh * S, dh * S], PS),
          rows,
          i1,
          dh,
          { buf: dy, offset: i0 * d, ld: d },
          { buf: vt, ld: S },
          { buf: dP, offset: i0 * S, ld: S },
        );
        const at = { nmat: N * H, rows, ld: S, ms: S * S, len0: i0 + 1, scale };
        softmaxBackward(at, { buf: c.probs, offset: i0 * S }, { buf: dP, offset: i0 * S });
      }
      // dq = dS · k (query block i0…i1 against keys < i1); dv = Pᵀ · dy_h and dk = dSᵀ · q (key block j0…j1
      // against queries ≥ j0).
      for (let j0 = 0; j0 < S; j0 += ATTN_BLOCK) {
        const j1 = Math.min(S, j0 + ATTN_BLOCK),
          rows = j1 - j0;
        gemmBatched(
          grid(PS, Q3, Q3),
          rows,
          dh,
          j1,
          { buf: dP, offset: j0 * S, ld: S },
          { buf: c.qkv, offset: d, ld: 3 * d },
          { buf: dqkv, offset: j0 * 3 * d, ld: 3 * d },
        );
        gemmBatched(
          grid(PS, [S * d, dh], Q3),
          rows,
          dh,
          S - j0,
          { buf: c.probs, offset: j0 * S + j0, ld: S, trans: true },
          { buf: dy, offset: j0 * d, ld: d },
          { buf: dqkv, offset: j0 * 3 * d + 2 * d, ld: 3 * d },
        );
        gemmBatched(
          grid(PS, Q3, Q3),
          rows,
          dh,
          S - j0,
          { buf: dP, offset: j0 * S + j0, ld: S, trans: true },
          { buf: c.qkv, offset: j0 * 3 * d, ld: 3 * d },
          { buf: dqkv, offset: j0 * 3 * d + d, ld: 3 * d },
        );
      }
      // qkv = h₁·W_qkv + b_qkv
      columnSums(M, 3 * d, { buf: dqkv }, 3 * d, grad(b.bqkv));
      this.addWeightGrad(d, 3 * d, M, { buf: c.h1, ld: d, trans: true }, { buf: dqkv, ld: 3 * d }, b.Wqkv, WT);
      transpose(this.params.f, b.Wqkv, d, 3 * d, WT.f);
      gemm(M, d, 3 * d, { buf: dqkv, ld: 3 * d }, { buf: WT, ld: d }, { buf: dh_, ld: d });
      layerNormBackward(
        M,
        d,
        { buf: dh_ },
        { buf: c.xhat1 },
        { buf: c.rstd1 },
        this.at(b.ln1g),
        { buf: dx },
        grad(b.ln1g),
        grad(b.ln1b),
        true,
      );
    }
    // embeddings
    const g = this.grads.f,
      dxf = dx.f;
    for (let n = 0; n < N; n++)
      for (let s = 0; s < S; s++) {
        const r = (n * S + s) * d,
          te = L.wte + f.tokens[n * T + s] * d,
          pe = L.wpe + s * d;
        for (let j = 0; j < d; j++) {
          g[te + j] += dxf[r + j];
          g[pe + j] += dxf[r + j];
        }
      }
    this.epoch++; // the cache's probabilities and logits were overwritten
  }

  /** Writes the keys and values of `cnt` positions per row (qkv rows n·cnt + j) at positions s0 + j of the caches. */
  private cacheKv(qkv: Buf, N: number, cnt: number, s0: number, kt: Buf, v: Buf, Cm: number): void {
    const { dModel: d, heads: H } = this.config,
      dh = d / H;
    const q = qkv.f,
      kf = kt.f,
      vf = v.f;
    for (let n = 0; n < N; n++)
      for (let j = 0; j < cnt; j++) {
        const row = (n * cnt + j) * 3 * d,
          pos = s0 + j;
        for (let hh = 0; hh < H; hh++) {
          const src = row + hh * dh,
            kd = (n * H + hh) * dh * Cm + pos,
            vd = ((n * H + hh) * Cm + pos) * dh;
          for (let e = 0; e < dh; e++) {
            kf[kd + e * Cm] = q[src + d + e];
            vf[vd + e] = q[src + 2 * d + e];
          }
        }
      }
  }

  /**
   * The sampler's prompt pass: positions 0 … P − 1 of all N rows at once (N·P rows, attention in query blocks
   * as in `forward`, keys and values from the caches it fills); leaves in x (N × d) each row's residual stream
   * at position P − 1. Each entry is computed as in a one-position step, so the samples do not depend on it.
   */
  private prefill(prompts: Int32Array, N: number, P: number, Cm: number, ktc: Buf[], vc: Buf[], x: Buf): void {
    const { dModel: d, heads: H, mlp: F, layers } = this.config;
    const dh = d / H,
      Ar = this.arena,
      M = N * P,
      scale = 1 / Math.sqrt(dh);
    const mark = Ar.mark();
    const xp = Ar.alloc(M * d, 'prefill.x', false),
      xhat = Ar.alloc(M * d, 'prefill.xhat', false),
      rstd = Ar.alloc(M, 'prefill.rstd', false),
      h = Ar.alloc(M * d, 'prefill.h', false),
      qkv = Ar.alloc(M * 3 * d, 'prefill.qkv', false),
      probs = Ar.alloc(N * H * P * P, 'prefill.probs', false),
      y = Ar.alloc(M * d, 'prefill.y', false),
      u = Ar.alloc(M * F, 'prefill.u', false),
      a = this.config.activation === 'relu' ? u : Ar.alloc(M * F, 'prefill.a', false);
    this.embed(
      M,
      (r) => prompts[r],
      (r) => r % P,
      xp,
    );
    for (let l = 0; l < layers; l++) {
      const b = this.layout.blocks[l];
      this.attnIn(b, M, xp, xhat, rstd, h, qkv);
      this.cacheKv(qkv, N, P, 0, ktc[l], vc[l], Cm);
      for (let i0 = 0; i0 < P; i0 += ATTN_BLOCK) {
        const i1 = Math.min(P, i0 + ATTN_BLOCK),
          rows = i1 - i0;
        gemmBatched(
          { n1: N, n2: H, a: [P * 3 * d, dh], b: [H * dh * Cm, dh * Cm], c: [H * P * P, P * P] },
          rows,
          i1,
          dh,
          { buf: qkv, offset: i0 * 3 * d, ld: 3 * d },
          { buf: ktc[l], ld: Cm },
          { buf: probs, offset: i0 * P, ld: P },
        );
        softmaxRows({ nmat: N * H, rows, ld: P, ms: P * P, len0: i0 + 1, scale }, { buf: probs, offset: i0 * P });
        gemmBatched(
          { n1: N, n2: H, a: [H * P * P, P * P], b: [H * Cm * dh, Cm * dh], c: [P * d, dh] },
          rows,
          dh,
          i1,
          { buf: probs, offset: i0 * P, ld: P },
          { buf: vc[l], ld: dh },
          { buf: y, offset: i0 * d, ld: d },
        );
      }
      this.attnOutAndMlp(b, M, xp, y, xhat, rstd, h, u, a, false);
    }
    const xf = x.f,
      pf = xp.f;
    for (let n = 0; n < N; n++) xf.set(pf.subarray((n * P + P - 1) * d, (n * P + P) * d), n * d);
    Ar.release(mark);
  }

  /**
   * Samples up to L tokens after each prompt (prompts: N × P, P ≥ 1; P + L − 1 ≤ context) with a KV cache:
   * the prompts run in one pass that fills the cache, then each step runs one position of every row through
   * the blocks, appending its keys and values. A row ends
   * at its stop token (kept) or after its `maxNew` tokens; the rest of the row is `pad`. Per step, one
   * uniform is drawn from `rng` for every row (also for ended rows, so a row's draws do not depend on when
   * the others stop); sampling stops early once every row has ended. The log-probabilities equal, bit for
   * bit, those of `forward` over prompt + sample (outFrom = P − 1, same temperature).
   */
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: TransformerSampleOptions = {},
  ): TransformerSample {
    const { vocab: V, context, dModel: d, heads: H, mlp: F, layers } = this.config;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(P) || P < 1 || prompts.length !== N * P)
      throw new RangeError(
        `nn.TransformerLm.sample: prompts has ${prompts.length} entries, expected N·P with N = ${N} ≥ 1, P = ${P} ≥ 1`,
      );
    if (!Number.isInteger(L) || L < 1)
      throw new RangeError(`nn.TransformerLm.sample: L must be a positive integer, got ${L}`);
    if (P + L - 1 > context)
      throw new RangeError(
        `nn.TransformerLm.sample: prompt ${P} + ${L} new tokens need ${P + L - 1} input positions; ` +
          `the context is ${context}`,
      );
    const temp = o.temperature ?? 1;
    if (!(temp > 0)) throw new RangeError(`nn.TransformerLm.sample: temperature must be > 0, got ${temp}`);
    this.checkTokens('sample', prompts);
    const pad = o.pad ?? 0;
    const eos = new Int32Array(N).fill(-1);
    if (typeof o.eos === 'number') eos.fill(o.eos);
    else if (o.eos) {
      if (o.eos.length !== N)
        throw new RangeError(`nn.TransformerLm.sample: eos has ${o.eos.length} entries, expected ${N}`);
      for (let n = 0; n < N; n++) eos[n] = o.eos[n];
    }
    const cap = new Int32Array(N).fill(L);
    if (o.maxNew) {
      if (o.maxNew.length !== N)
        throw new RangeError(`nn.TransformerLm.sample: maxNew has ${o.maxNew.length} entries, expected ${N}`);
      for (let n = 0; n < N; n++) {
        const m = o.maxNew[n];
        if (!Number.isInteger(m) || m < 0 || m > L)
          throw new RangeError(`nn.TransformerLm.sample: maxNew[${n}] = ${m} must be an integer in [0, ${L}]`);
        cap[n] = m;
      }
    }
    this.releaseCaches();
    const Cm = P + L - 1,
      dh = d / H,
      Ar = this.arena,
      relu = this.config.activation === 'relu';
    const ktc: Buf[] = [],
      vc: Buf[] = [];
    for (let l = 0; l < layers; l++) {
      ktc.push(Ar.alloc(N * H * dh * Cm, 'ktCache', false));
      vc.push(Ar.alloc(N * H * Cm * dh, 'vCache', false));
    }
    const x = Ar.alloc(N * d, 'x', false),
      xhat = Ar.alloc(N * d, 'xhat', false),
      rstd = Ar.alloc(N, 'rstd', false),
      h = Ar.alloc(N * d, 'h', false),
      qkv = Ar.alloc(N * 3 * d, 'qkv', false),
      sc = Ar.alloc(N * H * Cm, 'scores', false),
      y = Ar.alloc(N * d, 'y', false),
      u = Ar.alloc(N * F, 'u', false),
      a = relu ? u : Ar.alloc(N * F, 'a', false),
      logits = Ar.alloc(N * V, 'logits', false);
    const tokens = new Int32Array(N * L).fill(pad),
      logp = new Float32Array(N * L),
      entropy = new Float32Array(N * L),
      lengths = new Int32Array(N),
      done = new Uint8Array(N),
      cur = new Int32Array(N);
    for (let n = 0; n < N; n++) if (cap[n] === 0) done[n] = 1;
    const scale = 1 / Math.sqrt(dh);
    const Lo = this.layout;
    const u01 = new Float64Array(N);
    // The prompt in one pass (it fills the caches; x ends as each row's residual at position P − 1), then one
    // position per step.
    this.prefill(prompts, N, P, Cm, ktc, vc, x);
    for (let s = P - 1; s < Cm; s++) {
      if (s >= P) {
        this.embed(
          N,
          (r) => cur[r],
          () => s,
          x,
        );
        for (let l = 0; l < layers; l++) {
          const b = Lo.blocks[l];
          this.attnIn(b, N, x, xhat, rstd, h, qkv);
          this.cacheKv(qkv, N, 1, s, ktc[l], vc[l], Cm);
          gemmBatched(
            { n1: N, n2: H, a: [3 * d, dh], b: [H * dh * Cm, dh * Cm], c: [H * Cm, Cm] },
            1,
            s + 1,
            dh,
            { buf: qkv, ld: 3 * d },
            { buf: ktc[l], ld: Cm },
            { buf: sc, ld: Cm },
          );
          softmaxRows({ nmat: N * H, rows: 1, ld: Cm, ms: Cm, len0: s + 1, scale }, { buf: sc });
          gemmBatched(
            { n1: N, n2: H, a: [H * Cm, Cm], b: [H * Cm * dh, Cm * dh], c: [d, dh] },
            1,
            dh,
            s + 1,
            { buf: sc, ld: Cm },
            { buf: vc[l], ld: dh },
            { buf: y, ld: d },
          );
          this.attnOutAndMlp(b, N, x, y, xhat, rstd, h, u, a, false);
        }
      }
      const t = s - (P - 1);
      layerNormForward(
        N,
        d,
        { buf: x },
        this.at(Lo.lnfg),
        this.at(Lo.lnfb),
        { buf: xhat },
        { buf: rstd },
        { buf: h },
        this.config.lnEps,
      );
      gemm(N, V, d, { buf: h, ld: d }, { buf: this.params, offset: Lo.Wh, ld: V }, { buf: logits, ld: V });
      const lg = logits.f;
      if (!o.greedy) for (let n = 0; n < N; n++) u01[n] = rng.uniform();
      let alive = 0;
      for (let n = 0; n < N; n++) {
        if (done[n]) {
          cur[n] = pad;
          continue;
        }
        const row = n * V;
        const z = TransformerLm.lse(lg, row, V, temp);
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
        entropy[n * L + t] = TransformerLm.entropy(lg, row, V, z);
        lengths[n] = t + 1;
        cur[n] = pick;
        if (pick === eos[n] || t + 1 >= cap[n]) done[n] = 1;
        else alive++;
      }
      if (alive === 0) break;
    }
    this.releaseCaches();
    return { N, L, tokens, logp, lengths, entropy };
  }

  /** Copies the parameters out (a plain Float32Array snapshot). */
  snapshot(): Float32Array {
    return Float32Array.from(this.params.f);
  }

  load(values: Float32Array): void {
    if (values.length !== this.layout.size)
      throw new RangeError(
        `nn.TransformerLm.load: expected ${this.layout.size} parameters for this config, got ${values.length}`,
      );
    this.params.f.set(values);
  }

  /** Saves the parameters to a little-endian float32 file with a JSON header line (atomic write). */
  save(file: string, meta: Record<string, unknown> = {}): void {
    const header = Buffer.from(
      JSON.stringify({ format: 'rlmini-transformer-lm/1', config: this.config, size: this.layout.size, meta }) + '\n',
    );
    const body = Buffer.from(this.snapshot().buffer);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, Buffer.concat([header, body]));
  }

  /** Loads a model saved by `save`; null when the file is missing; throws on a corrupt or mismatched file. */
  static loadFile(file: string, arena?: Arena): { model: TransformerLm; meta: Record<string, unknown> } | null {
    if (!fs.existsSync(file)) return null;
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    if (nl < 0) throw new Error(`nn.TransformerLm.loadFile: ${file} has no header line; delete it to retrain`);
    const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as {
      format: string;
      config: TransformerLmConfig;
      size: number;
      meta: Record<string, unknown>;
    };
    if (header.format !== 'rlmini-transformer-lm/1')
      throw new Error(
        `nn.TransformerLm.loadFile: ${file} has format ${header.format}, expected rlmini-transformer-lm/1; ` +
          'delete it to retrain',
      );
    const body = buf.subarray(nl + 1);
    if (body.length !== header.size * 4)
      throw new Error(
        `nn.TransformerLm.loadFile: ${file} holds ${body.length} bytes of parameters, ` +
          `expected ${header.size * 4}; delete it to retrain`,
      );
    const model = new TransformerLm(header.config, new Rng(0), arena);
    if (model.size !== header.size)
      throw new Error(
        `nn.TransformerLm.loadFile: ${file} declares ${header.size} parameters, its config has ${model.size}`,
      );
    const vals = new Float32Array(header.size);
    for (let i = 0; i < header.size; i++) vals[i] = body.readFloatLE(i * 4);
    model.load(vals);
    return { model, meta: header.meta };
  }
}
