/**
 * The kit's one-layer GRU language model (src/nn/gru-lm.ts: one-hot tokens, PyTorch gate convention, linear
 * head) on TensorFlow.js, behind the same contract as the wasm `GruLm`: the same flat parameter vector
 * (`paramLayout`: W_x V×3H, b_x, W_h H×3H, b_h, W_o H×V, b_o) kept on the host in `params.f`, gradients
 * accumulated in `grads.f`, the same initialisation for a given rng, forward (log-probabilities and entropies),
 * backward (tf autograd over the recomputed forward, as in ./transformer-lm.ts), and sampling with the same rng
 * draws (one uniform per row per generated step, ended rows and greedy mode included, as GruLm draws them).
 *   r = σ(x W_xr + b_xr + h W_hr + b_hr), z = σ(x W_xz + b_xz + h W_hz + b_hz),
 *   n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h,  logits = h' W_o + b_o.
 * Any tfjs backend; the synchronous methods need one that reads synchronously (not webgpu: use the …Async ones).
 */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../../core/rng';
import { GruLm, paramLayout, type GruLmShape, type ParamSlices, type SampleResult } from '../gru-lm';
import { runAsync, runSync, type Steps, type TF } from './run';

type T = tfType.Tensor;
type T2 = tfType.Tensor2D;

export interface TfjsGruForward {
  N: number;
  T: number;
  outFrom: number;
  logp: Float32Array;
  entropy: Float32Array;
  readonly tokens: Int32Array;
  /** @internal */
  readonly epoch: number;
}

export class TfjsGruLm {
  readonly tf: TF;
  readonly shape: GruLmShape;
  readonly layout: ParamSlices;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  private epoch = 0;

  constructor(tf: TF, shape: GruLmShape, rng: Rng = new Rng(0)) {
    this.tf = tf;
    const init = new GruLm(shape, rng);
    this.shape = init.shape;
    this.layout = paramLayout(this.shape);
    this.params = { f: init.snapshot() };
    this.grads = { f: new Float32Array(this.layout.size) };
  }

  get size(): number {
    return this.layout.size;
  }

  get engine(): string {
    return `tfjs ${this.tf.version?.tfjs ?? this.tf.version_core ?? ''} ${this.tf.getBackend()}`.replace(/ +/g, ' ');
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  releaseCaches(): void {
    this.epoch++;
  }

  snapshot(): Float32Array {
    return Float32Array.from(this.params.f);
  }

  load(values: Float32Array): void {
    if (values.length !== this.layout.size)
      throw new RangeError(`nn.TfjsGruLm.load: expected ${this.layout.size} parameters, got ${values.length}`);
    this.params.f.set(values);
  }

  /** [W_x, b_x, W_h, b_h, W_o, b_o] as tensors (copies of the host vector), layout order. */
  private upload(): T[] {
    const { vocab: V, hidden: H } = this.shape;
    const L = this.layout,
      p = this.params.f,
      tf = this.tf;
    const t = (off: number, shape: number[]) => tf.tensor(p.slice(off, off + shape.reduce((a, b) => a * b, 1)), shape);
    return [
      t(L.Wx, [V, 3 * H]),
      t(L.bx, [3 * H]),
      t(L.Wh, [H, 3 * H]),
      t(L.bh, [3 * H]),
      t(L.Wo, [H, V]),
      t(L.bo, [V]),
    ];
  }

  /** One step for the batch: h (N × H), token ids (N) → h'. */
  private cell(ws: T[], h: T2, ids: Int32Array): T2 {
    const tf = this.tf;
    const [Wx, bx, Wh, bh] = ws;
    const oh = tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), this.shape.vocab), 'float32') as T2;
    const gx = tf.add(tf.matMul(oh, Wx as T2), bx) as T2;
    const gh = tf.add(tf.matMul(h, Wh as T2), bh) as T2;
    const [xr, xz, xn] = tf.split(gx, 3, 1);
    const [hr, hz, hn] = tf.split(gh, 3, 1);
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    return tf.add(n, tf.mul(z, tf.sub(h, n))) as T2;
  }

  private scored(ws: T[], tokens: Int32Array, N: number, T: number, outFrom: number) {
    const tf = this.tf;
    const { vocab: V, hidden: H } = this.shape;
    const S = T - 1,
      O = S - outFrom;
    let h = tf.zeros([N, H]) as T2;
    const outs: T2[] = [];
    const col = new Int32Array(N);
    for (let s = 0; s < S; s++) {
      for (let n = 0; n < N; n++) col[n] = tokens[n * T + s];
      h = this.cell(ws, h, col);
      if (s >= outFrom) outs.push(h);
    }
    // rows n-major: N × O × H
    const hs = tf.reshape(tf.stack(outs, 1), [N * O, H]) as T2;
    const ls = tf.logSoftmax(tf.add(tf.matMul(hs, ws[4] as T2), ws[5]) as T2);
    const targets = new Int32Array(N * O);
    for (let n = 0; n < N; n++) targets.set(tokens.subarray(n * T + outFrom + 1, (n + 1) * T), n * O);
    const logp = tf.sum(tf.mul(ls, tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), V), 'float32')), -1);
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(ls), ls), -1));
    return { logp, entropy };
  }

  private check(tokens: Int32Array, N: number, T: number, outFrom: number): void {
    const V = this.shape.vocab;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(T) || T < 2 || tokens.length !== N * T)
      throw new RangeError(
        `nn.TfjsGruLm.forward: tokens has ${tokens.length} entries, expected N·T with N = ${N} ≥ 1 and T = ${T} ≥ 2`,
      );
    if (!Number.isInteger(outFrom) || outFrom < 0 || outFrom > T - 2)
      throw new RangeError(`nn.TfjsGruLm.forward: outFrom must be an integer in [0, T−2 = ${T - 2}], got ${outFrom}`);
    for (let i = 0; i < tokens.length; i++)
      if (!(tokens[i] >= 0 && tokens[i] < V))
        throw new RangeError(`nn.TfjsGruLm.forward: token ${tokens[i]} at index ${i} is outside [0, ${V})`);
  }

  private *forwardSteps(tokens: Int32Array, N: number, T: number, outFrom: number): Steps<TfjsGruForward> {
    this.check(tokens, N, T, outFrom);
    const tf = this.tf;
    const both = tf.tidy(() => {
      const r = this.scored(this.upload(), tokens, N, T, outFrom);
      return tf.stack([r.logp, r.entropy]);
    });
    const v = (yield both) as Float32Array;
    const O = T - 1 - outFrom;
    this.epoch++;
    return {
      N,
      T,
      outFrom,
      logp: v.slice(0, N * O),
      entropy: v.slice(N * O),
      tokens: Int32Array.from(tokens),
      epoch: this.epoch,
    };
  }

  private *backwardSteps(f: TfjsGruForward, w: Float32Array): Steps<void> {
    if (f.epoch !== this.epoch)
      throw new Error('nn.TfjsGruLm.backward: the forward is stale (another forward or sample ran since)');
    const { N, T, outFrom } = f;
    const O = T - 1 - outFrom;
    if (w.length !== N * O)
      throw new RangeError(`nn.TfjsGruLm.backward: w has ${w.length} entries, expected N·O = ${N * O}`);
    this.epoch++;
    const tf = this.tf;
    const flatT = tf.tidy(() => {
      const wT = tf.tensor1d(w);
      const g = tf.grads((...args: T[]) => tf.sum(tf.mul(this.scored(args, f.tokens, N, T, outFrom).logp, wT)))(
        this.upload(),
      );
      return tf.concat(g.map((t) => tf.reshape(t, [-1])));
    });
    const flat = (yield flatT) as Float32Array;
    const gr = this.grads.f;
    for (let i = 0; i < gr.length; i++) gr[i] += flat[i];
  }

  /** Teacher-forced forward (the GruLm contract); synchronous backends only. */
  forward(tokens: Int32Array, N: number, T: number, outFrom: number): TfjsGruForward {
    return runSync(this.forwardSteps(tokens, N, T, outFrom), 'nn.TfjsGruLm.forward');
  }

  forwardAsync(tokens: Int32Array, N: number, T: number, outFrom: number): Promise<TfjsGruForward> {
    return runAsync(this.forwardSteps(tokens, N, T, outFrom));
  }

  /** grads += ∇ Σ w·logp for the forward f (recomputed under tfjs's tape); once per forward. */
  backward(f: TfjsGruForward, w: Float32Array): void {
    runSync(this.backwardSteps(f, w), 'nn.TfjsGruLm.backward');
  }

  backwardAsync(f: TfjsGruForward, w: Float32Array): Promise<void> {
    return runAsync(this.backwardSteps(f, w));
  }

  private *sampleSteps(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos?: number; pad?: number; temperature?: number; greedy?: boolean },
  ): Steps<SampleResult> {
    const { vocab: V, hidden: H } = this.shape;
    if (!Number.isInteger(P) || P < 1 || prompts.length !== N * P)
      throw new RangeError(
        `nn.TfjsGruLm.sample: prompts has ${prompts.length} entries, expected N·P with N = ${N}, P = ${P} ≥ 1`,
      );
    if (!Number.isInteger(L) || L < 1)
      throw new RangeError(`nn.TfjsGruLm.sample: L must be a positive integer, got ${L}`);
    const temp = o.temperature ?? 1;
    if (!(temp > 0)) throw new RangeError(`nn.TfjsGruLm.sample: temperature must be > 0, got ${temp}`);
    const eos = o.eos ?? -1,
      pad = o.pad ?? 0;
    this.epoch++;
    const tf = this.tf;
    const tokens = new Int32Array(N * L).fill(pad),
      logp = new Float32Array(N * L),
      entropy = new Float32Array(N * L),
      lengths = new Int32Array(N),
      done = new Uint8Array(N),
      prev = new Int32Array(N),
      col = new Int32Array(N),
      u = new Float64Array(N);
    const ws = this.upload();
    let h = tf.zeros([N, H]) as T2;
    try {
      for (let s = 0; s < P + L - 1; s++) {
        if (s < P) for (let n = 0; n < N; n++) col[n] = prompts[n * P + s];
        else col.set(prev);
        const hNew = tf.tidy(() => this.cell(ws, h, col));
        h.dispose();
        h = hNew;
        if (s < P - 1) continue;
        const t = s - (P - 1);
        const logitsT = tf.tidy(() => tf.add(tf.matMul(h, ws[4] as T2), ws[5]));
        const lg = Float32Array.from((yield logitsT) as Float32Array);
        for (let n = 0; n < N; n++) u[n] = rng.uniform();
        for (let n = 0; n < N; n++) {
          if (done[n]) {
            prev[n] = pad;
            continue;
          }
          const row = n * V;
          let mx = -Infinity;
          for (let v = 0; v < V; v++) {
            const l = (lg[row + v] = lg[row + v] / temp);
            if (l > mx) mx = l;
          }
          let sum = 0;
          for (let v = 0; v < V; v++) sum += Math.exp(lg[row + v] - mx);
          const lse = mx + Math.log(sum);
          let acc = 0,
            pick = V - 1,
            ent = 0,
            picked = false;
          for (let v = 0; v < V; v++) {
            const lp = lg[row + v] - lse;
            const q = Math.exp(lp);
            ent -= q > 0 ? q * lp : 0;
            acc += q;
            if (!picked && u[n] < acc) {
              pick = v;
              picked = true;
            }
          }
          if (o.greedy) {
            pick = 0;
            for (let v = 1; v < V; v++) if (lg[row + v] > lg[row + pick]) pick = v;
          }
          tokens[n * L + t] = pick;
          logp[n * L + t] = lg[row + pick] - lse;
          entropy[n * L + t] = ent;
          lengths[n] = t + 1;
          prev[n] = pick;
          if (pick === eos) done[n] = 1;
        }
      }
    } finally {
      h.dispose();
      ws.forEach((x) => x.dispose());
    }
    return { N, L, tokens, logp, lengths, entropy };
  }

  /** Samples L tokens after each prompt (the GruLm contract and rng draws); synchronous backends only. */
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos?: number; pad?: number; temperature?: number; greedy?: boolean } = {},
  ): SampleResult {
    return runSync(this.sampleSteps(prompts, N, P, L, rng, o), 'nn.TfjsGruLm.sample');
  }

  sampleAsync(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos?: number; pad?: number; temperature?: number; greedy?: boolean } = {},
  ): Promise<SampleResult> {
    return runAsync(this.sampleSteps(prompts, N, P, L, rng, o));
  }
}
