/**
 * The nn engine of the task running on this thread, for code that builds its models synchronously (the GRU RLVR
 * loops, the diffusion denoisers, the preference reward models, the reasoning papers' seeds). The task runner
 * (`core/tasks.ts`, inline and in worker threads) calls `prepareThreadEngine` before each task whose code loaded
 * this module; it loads the engine the record key names (`active-engine.ts`: `RLMINI_ENGINE`, else `auto`) unless
 * that is the kit's wasm engine, for which nothing is loaded and the models are built exactly as before.
 *
 * The factories below (`gruLmCopy`, `mlpOn`, `transformerLmCopy`, `transformerLmOn`) build a model on that engine;
 * on any engine other than wasm they refuse to run unless `prepareThreadEngine` ran (outside the runner: call it
 * first), so a record never names an engine its models did not run on. Records whose code reaches this module carry
 * the engine in their backend label (`recordBackendLabel`), as the reasoning protocols' do.
 */
import type { Rng } from '../core/rng';
import { keyEngineId, taskEngine } from './active-engine';
import type { Engine } from './engine';
import { GruLm } from './gru-lm';
import { Mlp } from './mlp';
import { TfjsGruLm } from './tfjs/gru-lm';
import type * as tfType from '@tensorflow/tfjs';
import { TfjsMlp } from './tfjs/mlp';
import { runSync } from './tfjs/run';
import { TfjsTransformerLm } from './tfjs/transformer-lm';
import { TransformerLm, type TransformerLmConfig } from './transformer-lm';

let current: Engine | null = null;

/**
 * Loads the engine of this thread's next task (see the module comment); a no-op on the wasm engine. `where` names
 * the task in messages.
 */
export async function prepareThreadEngine(where: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  current = keyEngineId(env) === 'wasm' ? null : await taskEngine(where, env);
}

// The runner finds this hook once a task's code has loaded the module (core/tasks.ts), without importing nn itself;
// a set, since two copies of the module can share a thread (compiled and source, in tests).
const hooks = ((globalThis as Record<symbol, unknown>)[Symbol.for('rl-miniatures.prepareThreadEngine')] ??=
  new Set()) as Set<(where: string) => Promise<void>>;
hooks.add((where) => prepareThreadEngine(where));

/**
 * The tfjs engine the models of this thread's task run on, or null for the kit's wasm engine. Throws when the record
 * key names another engine than the one loaded (prepareThreadEngine did not run for this task).
 */
export function threadEngine(where: string, env: NodeJS.ProcessEnv = process.env): Engine | null {
  const want = keyEngineId(env);
  if (want === 'wasm') return null;
  if (!current || current.id !== want)
    throw new Error(
      `${where}: the record key names engine ${want} (RLMINI_ENGINE) but it was not loaded on this thread ` +
        `(${current ? `${current.id} is` : 'none is'}); tasks run by the kit's runner load it, elsewhere call ` +
        "`await prepareThreadEngine(…)` from 'nn/thread-engine' first, or unset RLMINI_ENGINE",
    );
  return current;
}

/**
 * Refuses a code path written against the wasm model on a tfjs engine (what it needs is named in `why`); a no-op on
 * the wasm engine.
 */
export function requireWasmEngine(where: string, why: string, env: NodeJS.ProcessEnv = process.env): void {
  const e = threadEngine(where, env);
  if (e)
    throw new Error(
      `${where} runs only on the kit's wasm engine (${why}); engine ${e.id} was requested: unset RLMINI_ENGINE ` +
        'or set it to wasm',
    );
}

/** A copy of a (wasm) GRU LM's weights on this thread's engine; `rng` as `new GruLm(shape, rng)` draws it. */
export function gruLmCopy(where: string, base: GruLm, rng: Rng): AnyGruLm {
  const e = threadEngine(where);
  const m = e?.tf ? new TfjsGruLm(e.tf, base.shape, rng) : new GruLm(base.shape, rng);
  m.load(base.snapshot());
  return m;
}

/** A fresh GRU LM on this thread's engine (the wasm model's initialisation from `rng`). */
export function gruLmOn(where: string, shape: GruLm['shape'], rng: Rng): AnyGruLm {
  const e = threadEngine(where);
  return e?.tf ? new TfjsGruLm(e.tf, shape, rng) : new GruLm(shape, rng);
}

/**
 * `TfjsMlp` with `Mlp.backward`'s optional input gradient: `backward(dy, dx)` also writes ∂loss/∂input into dx (the
 * diffusion methods that backpropagate a reward through the sampler use it).
 */
export class TfjsMlpWithInputGrad extends TfjsMlp {
  backward(dy: Float32Array, dx?: Float32Array): void {
    if (!dx) return super.backward(dy);
    const c = this.cache;
    if (!c) throw new Error('nn.TfjsMlp.backward: call forward first');
    const d = this.dims,
      out = d[d.length - 1];
    if (dy.length !== c.N * out)
      throw new RangeError(`nn.TfjsMlp.backward: dy has ${dy.length} entries, expected ${c.N}·${out}`);
    if (dx.length !== c.N * d[0])
      throw new RangeError(`nn.TfjsMlp.backward: dx must hold N·d_in = ${c.N}·${d[0]} entries`);
    const tf = this.tf;
    const flat = runSync(
      (function* (self: TfjsMlpWithInputGrad) {
        const t = tf.tidy(() => {
          const x = tf.tensor2d(c.x, [c.N, d[0]]),
            dyT = tf.tensor2d(dy, [c.N, out]);
          const g = tf.grads((xi: tfType.Tensor, ...ws: tfType.Tensor[]) =>
            tf.sum(tf.mul(self.net(ws, xi as tfType.Tensor2D), dyT)),
          )([x, ...self.upload()]);
          return tf.concat(g.map((v) => tf.reshape(v, [-1])));
        });
        return (yield t) as Float32Array;
      })(this),
      'nn.TfjsMlp.backward',
    );
    dx.set(flat.subarray(0, dx.length));
    const gr = this.grads.f;
    for (let i = 0; i < gr.length; i++) gr[i] += flat[dx.length + i];
  }
}

/** An MLP on this thread's engine (the wasm model's initialisation from `rng`). */
export function mlpOn(where: string, dims: readonly number[], rng: Rng): AnyMlp {
  const e = threadEngine(where);
  return e?.tf ? new TfjsMlpWithInputGrad(e.tf, dims, rng) : new Mlp(dims, rng);
}

/** A fresh transformer LM on this thread's engine (the wasm model's initialisation from `rng`). */
export function transformerLmOn(
  where: string,
  config: TransformerLmConfig,
  rng: Rng,
): TransformerLm | TfjsTransformerLm {
  const e = threadEngine(where);
  return e?.tf ? new TfjsTransformerLm(e.tf, config, rng) : new TransformerLm(config, rng);
}

/** A copy of a (wasm) transformer LM's weights on this thread's engine. */
export function transformerLmCopy(where: string, base: TransformerLm, rng: Rng): TransformerLm | TfjsTransformerLm {
  const m = transformerLmOn(where, base.config, rng);
  m.load(base.snapshot());
  return m;
}

/** What a GRU LM's forward returns on either engine (the rest of each engine's record is its own). */
export interface AnyGruForward {
  N: number;
  T: number;
  outFrom: number;
  logp: Float32Array;
  entropy: Float32Array;
  readonly tokens: Int32Array;
}

/**
 * A GRU LM of either engine: the interface the RLVR loops use (`GruLm`, `TfjsGruLm`). `backward` takes the forward
 * record of the same model.
 */
export interface AnyGruLm {
  readonly shape: GruLm['shape'];
  readonly size: number;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  zeroGrad(): void;
  releaseCaches(): void;
  snapshot(): Float32Array;
  load(values: Float32Array): void;
  forward(tokens: Int32Array, N: number, T: number, outFrom: number): AnyGruForward;
  backward(f: AnyGruForward, w: Float32Array): void;
  sample: GruLm['sample'];
}
/** An MLP of either engine (`Mlp`, `TfjsMlp`): forward keeps what backward needs; backward accumulates. */
export interface AnyMlp {
  readonly dims: readonly number[];
  /** Where layer l's weights (d_l × d_{l+1}, row-major) and biases start in `params.f`. */
  readonly offsets: readonly { W: number; b: number }[];
  readonly size: number;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  zeroGrad(): void;
  forward(x: Float32Array, N: number): Float32Array;
  backward(dy: Float32Array, dx?: Float32Array): void;
}
/** A transformer LM of either engine. */
export type AnyTransformerLm = TransformerLm | TfjsTransformerLm;
