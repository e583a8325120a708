/**
 * The kit's MLP (src/nn/mlp.ts: ReLU hidden layers, linear output, y = x W + b) on TensorFlow.js, behind the same
 * contract as the wasm `Mlp`: the same flat parameter vector (per layer W_l d_l × d_{l+1}, then b_l) on the host in
 * `params.f`, gradients accumulated in `grads.f`, the same initialisation for a given rng; `forward(x, N)` returns
 * the output and `backward(dy)` accumulates the gradient for ∂loss/∂output = dy (tf autograd over the recomputed
 * forward). Any tfjs backend; the synchronous methods need one that reads synchronously (not webgpu).
 */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../../core/rng';
import { Mlp } from '../mlp';
import { runAsync, runSync, type Steps, type TF } from './run';

type T = tfType.Tensor;
type T2 = tfType.Tensor2D;

export class TfjsMlp {
  readonly tf: TF;
  readonly dims: readonly number[];
  readonly offsets: { W: number; b: number }[];
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  protected cache: { x: Float32Array; N: number } | null = null;

  constructor(tf: TF, dims: readonly number[], rng: Rng = new Rng(0)) {
    this.tf = tf;
    const init = new Mlp(dims, rng);
    this.dims = init.dims;
    this.offsets = init.offsets;
    this.params = { f: Float32Array.from(init.params.f) };
    this.grads = { f: new Float32Array(this.params.f.length) };
  }

  get size(): number {
    return this.params.f.length;
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  protected upload(): T[] {
    const tf = this.tf,
      p = this.params.f,
      d = this.dims;
    const out: T[] = [];
    this.offsets.forEach((o, l) => {
      out.push(tf.tensor(p.slice(o.W, o.W + d[l] * d[l + 1]), [d[l], d[l + 1]]));
      out.push(tf.tensor(p.slice(o.b, o.b + d[l + 1]), [d[l + 1]]));
    });
    return out;
  }

  protected net(ws: T[], x: T2): T2 {
    const tf = this.tf;
    let a = x;
    const layers = this.dims.length - 1;
    for (let l = 0; l < layers; l++) {
      a = tf.add(tf.matMul(a, ws[2 * l] as T2), ws[2 * l + 1]) as T2;
      if (l + 1 < layers) a = tf.relu(a);
    }
    return a;
  }

  private *forwardSteps(x: Float32Array, N: number): Steps<Float32Array> {
    const d = this.dims;
    if (x.length !== N * d[0])
      throw new RangeError(`nn.TfjsMlp.forward: x has ${x.length} entries, expected N·d_in = ${N}·${d[0]}`);
    const tf = this.tf;
    const y = tf.tidy(() => this.net(this.upload(), tf.tensor2d(x, [N, d[0]])));
    const v = Float32Array.from((yield y) as Float32Array);
    this.cache = { x: Float32Array.from(x), N };
    return v;
  }

  private *backwardSteps(dy: Float32Array): Steps<void> {
    const c = this.cache;
    if (!c) throw new Error('nn.TfjsMlp.backward: call forward first');
    const d = this.dims,
      out = d[d.length - 1];
    if (dy.length !== c.N * out)
      throw new RangeError(`nn.TfjsMlp.backward: dy has ${dy.length} entries, expected ${c.N}·${out}`);
    const tf = this.tf;
    const flatT = tf.tidy(() => {
      const x = tf.tensor2d(c.x, [c.N, d[0]]),
        dyT = tf.tensor2d(dy, [c.N, out]);
      const g = tf.grads((...ws: T[]) => tf.sum(tf.mul(this.net(ws, x), dyT)))(this.upload());
      return tf.concat(g.map((t) => tf.reshape(t, [-1])));
    });
    const flat = (yield flatT) as Float32Array;
    const gr = this.grads.f;
    for (let i = 0; i < gr.length; i++) gr[i] += flat[i];
  }

  forward(x: Float32Array, N: number): Float32Array {
    return runSync(this.forwardSteps(x, N), 'nn.TfjsMlp.forward');
  }

  forwardAsync(x: Float32Array, N: number): Promise<Float32Array> {
    return runAsync(this.forwardSteps(x, N));
  }

  /** Accumulates into `grads` the gradient for ∂loss/∂output = dy (N × d_last) of the last forward. */
  backward(dy: Float32Array): void {
    runSync(this.backwardSteps(dy), 'nn.TfjsMlp.backward');
  }

  backwardAsync(dy: Float32Array): Promise<void> {
    return runAsync(this.backwardSteps(dy));
  }
}
