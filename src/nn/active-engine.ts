/**
 * The nn engine that the engine-aware code of the kit runs its models on (today: the reasoning protocols,
 * `src/testbeds/reasoning/protocol` and `protocol-stale`; docs/gpu.md lists what is wired). It is the engine that
 * `RLMINI_ENGINE` names (else `RLMINI_BACKEND` where that names an engine); unset, `auto`: native TensorFlow with
 * CUDA where `@tensorflow/tfjs-node-gpu` loads, then native TensorFlow on the CPU where `@tensorflow/tfjs-node`
 * loads, else the kit's wasm engine (the default on a machine without native TensorFlow, as here and in CI).
 *
 * Record keys: a record whose code can reach this module carries the engine in its backend label
 * (`recordBackendLabel`: `typed-arrays+nn:tensorflow-gpu`), so records of different engines never share a key; on
 * the wasm engine the label stays what it always was (`typed-arrays`), so the committed records, all computed on the
 * wasm engine, keep their keys. The label is decided before the task runs (`keyEngineId`, synchronous: for `auto`
 * it tries to require the native packages in the same order); the task then loads the engine (`taskEngine`) and
 * refuses to run if it got another one, so a record never names an engine it did not run on.
 */
import type { Rng } from '../core/rng';
import { engineFromEnv, loadEngine, requireOptional, type Engine, type EngineId } from './engine';
import { TfjsTransformerLm } from './tfjs/transformer-lm';
import { TransformerLm } from './transformer-lm';

/** The module's path under dist/: a task whose code closure holds it is keyed by engine. */
export const ACTIVE_ENGINE_MODULE = 'nn/active-engine.js';

/** What the environment asks for; unset: `auto`. */
export function requestedEngine(env: NodeJS.ProcessEnv = process.env): EngineId | 'auto' {
  return engineFromEnv(env, 'auto');
}

const keyIds = new Map<string, EngineId>();

/**
 * The engine a task will run on, decided without loading it (for the record key): a named engine is itself;
 * `auto` is the first of tensorflow-gpu, tensorflow whose package can be required, else wasm.
 */
export function keyEngineId(env: NodeJS.ProcessEnv = process.env): EngineId {
  const req = requestedEngine(env);
  if (req !== 'auto') return req;
  const memo = `${env.RLMINI_EXTRA_MODULES ?? ''}`;
  const hit = keyIds.get(memo);
  if (hit) return hit;
  let id: EngineId = 'wasm';
  for (const [engine, pkg] of [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
    ['tensorflow', '@tensorflow/tfjs-node'],
  ] as const) {
    try {
      requireOptional(pkg);
      id = engine;
      break;
    } catch {
      /* not installed or not loadable: the next one */
    }
  }
  keyIds.set(memo, id);
  return id;
}

/**
 * The backend label of a record whose task code is `files` (paths under dist/): `backend` as it is, unless the code
 * can reach this module and the engine is not the kit's wasm engine; then `backend+nn:<engine>`.
 */
export function recordBackendLabel(
  backend: string,
  files: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!(ACTIVE_ENGINE_MODULE in files)) return backend;
  const id = keyEngineId(env);
  return id === 'wasm' ? backend : `${backend}+nn:${id}`;
}

/**
 * Loads the engine of this thread (see the module comment) and checks it is the one the record key names. `where`
 * names the caller in messages. The trainer is synchronous, so engines that read back only asynchronously
 * (tfjs-webgpu) are refused with a message.
 */
export async function taskEngine(where: string, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const want = keyEngineId(env);
  const engine = await loadEngine(requestedEngine(env));
  if (engine.id !== want)
    throw new Error(
      `${where}: the record key names engine ${want} but ${engine.id} loaded ` +
        `(${engine.skipped.map((s) => `${s.id}: ${s.reason}`).join('; ') || 'no reason given'}); ` +
        'set RLMINI_ENGINE to the engine to use',
    );
  if (!engine.sync)
    throw new Error(
      `${where}: engine ${engine.id} reads results back only asynchronously and the reasoning trainer is ` +
        'synchronous; use tensorflow-gpu, tensorflow, tfjs-cpu, tfjs-wasm or wasm (RLMINI_ENGINE)',
    );
  return engine;
}

/** A copy of a wasm model's weights on `engine`: a fresh TransformerLm on the wasm engine, else its tfjs twin. */
export function transformerCopy(engine: Engine, base: TransformerLm, rng: Rng): TransformerLm | TfjsTransformerLm {
  const m = engine.tf ? new TfjsTransformerLm(engine.tf, base.config, rng) : new TransformerLm(base.config, rng);
  m.load(base.snapshot());
  return m;
}
