/**
 * A multilayer perceptron (ReLU hidden layers, linear output) on the kit's wasm engine, with
 * hand-written backpropagation. Parameters are one flat float32 vector: for each layer l, W_l
 * (d_l × d_{l+1}, row-major, so y = x W + b) then b_l. Initialisation follows torch.nn.Linear:
 * U(−1/√fan_in, 1/√fan_in) for weights and biases.
 */
import { Rng } from '../core/rng';
import { Arena, Buf, columnSums, gemm, reluBackward, transpose } from './wasm';

export class Mlp {
  readonly dims: readonly number[];
  readonly arena: Arena;
  readonly params: Buf;
  readonly grads: Buf;
  /** Offsets of W_l and b_l in the flat vector. */
  readonly offsets: { W: number; b: number }[];
  private readonly base: number;
  private cache: { N: number; acts: Buf[]; mark: number } | null = null;

  constructor(dims: readonly number[], rng: Rng, arena: Arena = new Arena()) {
    if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 1))
      throw new RangeError(`nn.Mlp: dims must list ≥ 2 positive integers (input, …, output), got [${dims.join(', ')}]`);
    this.dims = [...dims];
    this.arena = arena;
    this.offsets = [];
    let size = 0;
    for (let l = 0; l + 1 < dims.length; l++) {
      this.offsets.push({ W: size, b: size + dims[l] * dims[l + 1] });
      size += dims[l] * dims[l + 1] + dims[l + 1];
    }
    this.params = arena.alloc(size, 'Mlp.params');
    this.grads = arena.alloc(size, 'Mlp.grads');
    this.base = arena.mark();
    const p = this.params.f;
    for (let l = 0; l + 1 < dims.length; l++) {
      const k = 1 / Math.sqrt(dims[l]);
      const r = rng.split(`layer${l}`);
      const end = this.offsets[l].b + dims[l + 1];
      for (let i = this.offsets[l].W; i < end; i++) p[i] = r.range(-k, k);
    }
  }

  get size(): number {
    return this.params.length;
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  /**
   * Forward pass on x (N × d_0); returns the output (N × d_last) as a fresh Float32Array and keeps activations
   * for `backward`.
   */
  forward(x: Float32Array, N: number): Float32Array {
    const d = this.dims;
    if (x.length !== N * d[0])
      throw new RangeError(`nn.Mlp.forward: x has ${x.length} entries, expected N·d_in = ${N}·${d[0]}`);
    this.arena.release(this.base);
    const mark = this.arena.mark();
    const acts: Buf[] = d.map((k, l) => this.arena.alloc(N * k, `Mlp.a${l}`, false));
    acts[0].f.set(x);
    for (let l = 0; l + 1 < d.length; l++) {
      // a_{l+1} = a_l W_l + b_l, ReLU on hidden layers: one fused GEMM.
      gemm(
        N,
        d[l + 1],
        d[l],
        { buf: acts[l], ld: d[l] },
        { buf: this.params, offset: this.offsets[l].W, ld: d[l + 1] },
        { buf: acts[l + 1], ld: d[l + 1] },
        { bias: { buf: this.params, offset: this.offsets[l].b }, relu: l + 2 < d.length },
      );
    }
    this.cache = { N, acts, mark };
    return Float32Array.from(acts[acts.length - 1].f);
  }

  /**
   * Accumulates into `grads` the gradient for ∂loss/∂output = dy (N × d_last) of the last forward; when `dx`
   * (N × d_0) is given, also writes ∂loss/∂input into it.
   */
  backward(dy: Float32Array, dx?: Float32Array): void {
    const c = this.cache;
    if (!c) throw new Error('nn.Mlp.backward: call forward first');
    const d = this.dims,
      N = c.N;
    if (dy.length !== N * d[d.length - 1])
      throw new RangeError(`nn.Mlp.backward: dy has ${dy.length} entries, expected ${N}·${d[d.length - 1]}`);
    const maxD = Math.max(...d);
    const deltas = d.map((k, l) => (l === 0 ? null : this.arena.alloc(N * k, `Mlp.delta${l}`, false)));
    const WT = this.arena.alloc(maxD * maxD, 'Mlp.WT', false);
    const dW = this.arena.alloc(maxD * maxD, 'Mlp.dW', false);
    let delta = deltas[d.length - 1]!;
    delta.f.set(dy);
    for (let l = d.length - 2; l >= 0; l--) {
      const m = d[l + 1],
        k = d[l];
      columnSums(N, m, { buf: delta }, m, { buf: this.grads, offset: this.offsets[l].b });
      // dW_l += a_lᵀ · delta (a_l read transposed in place): computed into a scratch buffer without accumulation,
      // so the kernel takes its cache-blocked path over the long K = N, then added — the same bits as an
      // accumulating GEMM (each entry is Σ in k order, then old + Σ), about 1.6× faster at N = 5,120.
      gemm(k, m, N, { buf: c.acts[l], ld: k, trans: true }, { buf: delta, ld: m }, { buf: dW, ld: m });
      const g = this.grads.f,
        s = dW.f,
        off = this.offsets[l].W;
      for (let i = 0; i < k * m; i++) g[off + i] += s[i];
      if (l === 0) {
        if (dx) {
          if (dx.length !== N * k) throw new RangeError(`nn.Mlp.backward: dx must hold N·d_in = ${N}·${k} entries`);
          transpose(this.params.f, this.offsets[0].W, k, m, WT.f);
          const din = this.arena.alloc(N * k, 'Mlp.dx', false);
          gemm(N, k, m, { buf: delta, ld: m }, { buf: WT, ld: k }, { buf: din, ld: k });
          dx.set(din.f.subarray(0, N * k));
        }
        break;
      }
      transpose(this.params.f, this.offsets[l].W, k, m, WT.f);
      const prev = deltas[l]!;
      gemm(N, k, m, { buf: delta, ld: m }, { buf: WT, ld: k }, { buf: prev, ld: k });
      reluBackward(N * k, { buf: prev }, { buf: c.acts[l] });
      delta = prev;
    }
  }
}

/** Mean squared error over all N × d entries and its gradient with respect to the prediction. */
export function mseLoss(pred: Float32Array, target: Float32Array): { loss: number; grad: Float32Array } {
  if (pred.length !== target.length)
    throw new RangeError(`nn.mseLoss: prediction has ${pred.length} entries, target ${target.length}`);
  const grad = new Float32Array(pred.length);
  let s = 0;
  const k = 2 / pred.length;
  for (let i = 0; i < pred.length; i++) {
    const e = pred[i] - target[i];
    s += e * e;
    grad[i] = k * e;
  }
  return { loss: s / pred.length, grad };
}
