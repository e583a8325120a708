/**
 * Which engine runs the neural models (DESIGN.md → Compute: one interface, two engines):
 *   wasm            the kit's wasm SIMD engine (src/nn: TransformerLm, GruLm, Mlp); the default; bit-reproducible
 *   tfjs-cpu        TensorFlow.js (@tensorflow/tfjs: its gradients and chained ops), pure-JS cpu backend
 *   tfjs-wasm       TensorFlow.js wasm backend (@tensorflow/tfjs-backend-wasm)
 *   tfjs-webgpu     TensorFlow.js WebGPU backend (@tensorflow/tfjs-backend-webgpu) on Dawn for Node (npm `webgpu`)
 *   tensorflow      native TensorFlow on the CPU (@tensorflow/tfjs-node, libtensorflow 2.9.1)
 *   tensorflow-gpu  native TensorFlow with CUDA (@tensorflow/tfjs-node-gpu, libtensorflow 2.9.1, CUDA 11.2 + cuDNN 8.1)
 *   auto            tensorflow-gpu if it loads, then tensorflow, else wasm
 * chosen by RLMINI_ENGINE (or, when that is unset, RLMINI_BACKEND where it names one of these engines). A requested
 * engine that cannot load is an error naming the package to install; `auto` records why it skipped each one.
 *
 * A model is made with `transformerLm(engine, config, rng)`. Wired code (the reasoning protocols) takes its engine
 * from active-engine.ts, whose default is `auto`; docs/gpu.md lists what is wired and what is not. The selection
 * lives apart from src/core/backend.ts (the tfjs backend of the benchmark's tfjs rows, whose RLMINI_BACKEND values
 * `wasm` and `cpu` mean tfjs's backends).
 */
import * as path from 'path';
import { createRequire } from 'module';
import { pathToFileURL } from 'url';
import type { Rng } from '../core/rng';
import { TransformerLm, type TransformerLmConfig } from './transformer-lm';
import type { TF } from './tfjs/run';
import { TfjsTransformerLm } from './tfjs/transformer-lm';
import { GruLm, type GruLmShape } from './gru-lm';
import { TfjsGruLm } from './tfjs/gru-lm';
import { Mlp } from './mlp';
import { TfjsMlp } from './tfjs/mlp';

export type EngineId = 'wasm' | 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgpu' | 'tensorflow' | 'tensorflow-gpu';
export const ENGINE_IDS: readonly EngineId[] = [
  'wasm',
  'tfjs-cpu',
  'tfjs-wasm',
  'tfjs-webgpu',
  'tensorflow',
  'tensorflow-gpu',
];
/** What `auto` tries, in order (the last always loads). */
export const AUTO_ORDER: readonly EngineId[] = ['tensorflow-gpu', 'tensorflow', 'wasm'];

/** The npm packages an engine needs (what the error tells the user to install). */
export const ENGINE_PACKAGES: Record<EngineId, string[]> = {
  wasm: [],
  'tfjs-cpu': ['@tensorflow/tfjs@4.22.0'],
  'tfjs-wasm': ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'],
  'tfjs-webgpu': ['@tensorflow/tfjs@4.22.0', '@tensorflow/tfjs-backend-webgpu@4.22.0', 'webgpu'],
  tensorflow: ['@tensorflow/tfjs-node@4.22.0'],
  'tensorflow-gpu': ['@tensorflow/tfjs-node-gpu@4.22.0'],
};

export interface WebGpuAdapter {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  features?: string[];
  limits?: Record<string, number>;
}

export interface Engine {
  id: EngineId;
  /** The tfjs module with its backend set; null for the kit's wasm engine. */
  tf: TF | null;
  /** tf.getBackend() (or 'kit-wasm'). */
  backend: string;
  /** Packages and versions that provide it. */
  packages: string[];
  /** Whether results can be read synchronously (false on webgpu: use the models' …Async methods). */
  sync: boolean;
  /** Why `auto` skipped the engines before this one. */
  skipped: { id: EngineId; reason: string }[];
  requested: EngineId | 'auto';
  /** WebGPU only: what Dawn reported about the adapter. */
  adapter?: WebGpuAdapter;
}

/** Parse RLMINI_ENGINE (else RLMINI_BACKEND when it names an engine); unset: `fallback` ('wasm'). */
export function engineFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  fallback: EngineId | 'auto' = 'wasm',
): EngineId | 'auto' {
  const v = env.RLMINI_ENGINE?.trim();
  const allowed = [...ENGINE_IDS, 'auto'];
  if (v) {
    if (allowed.includes(v)) return v as EngineId | 'auto';
    throw new Error(`RLMINI_ENGINE=${v} is not an engine. Use one of: ${allowed.join(', ')} (unset: wasm).`);
  }
  const b = env.RLMINI_BACKEND?.trim();
  if (b && allowed.includes(b)) return b as EngineId | 'auto';
  return fallback;
}

/**
 * require() for optional packages: the kit's own node_modules first, then each folder of RLMINI_EXTRA_MODULES
 * (colon-separated folders that hold a node_modules, or node_modules folders themselves) — for a GPU run whose
 * extra packages were installed apart (`npm install --prefix <dir> …`).
 */
export function requireOptional(name: string): unknown {
  const errors: string[] = [];
  try {
    return require(name);
  } catch (e) {
    errors.push((e as Error).message.split('\n')[0]);
  }
  for (const dir of (process.env.RLMINI_EXTRA_MODULES ?? '').split(':').filter(Boolean)) {
    const base = path.basename(dir) === 'node_modules' ? path.dirname(dir) : dir;
    try {
      return createRequire(path.join(path.resolve(base), 'noop.js'))(name);
    } catch (e) {
      errors.push(`${dir}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(errors.join('; '));
}

function version(name: string): string {
  try {
    return `${name}@${(requireOptional(`${name}/package.json`) as { version: string }).version}`;
  } catch {
    return name;
  }
}

/** import() that survives compilation to CommonJS (the `webgpu` package is an ES module). */
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<Record<string, unknown>>;

async function resolveEsm(name: string): Promise<Record<string, unknown>> {
  const dirs = ['', ...(process.env.RLMINI_EXTRA_MODULES ?? '').split(':').filter(Boolean)];
  const errors: string[] = [];
  for (const dir of dirs) {
    try {
      if (!dir) return await importEsm(pathToFileURL(require.resolve(name)).href);
      const base = path.basename(dir) === 'node_modules' ? path.dirname(dir) : dir;
      return await importEsm(pathToFileURL(createRequire(path.join(path.resolve(base), 'noop.js')).resolve(name)).href);
    } catch (e) {
      errors.push(`${dir || 'kit'}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(errors.join('; '));
}

async function setBackend(tf: TF, name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok)
    throw new Error(`tf.setBackend('${name}') returned false (its initialisation failed; see the warning above)`);
  await tf.ready();
}

/** Dawn for Node: sets navigator.gpu and the WebGPU globals; returns the adapter's description (throws if none). */
async function initWebGpu(): Promise<WebGpuAdapter> {
  const mod = await resolveEsm('webgpu');
  const create = mod.create as (flags: string[]) => { requestAdapter(o?: object): Promise<unknown> };
  const flags = (process.env.RLMINI_DAWN_FLAGS ?? '').split(',').filter(Boolean);
  const gpu = create(flags);
  // tfjs-backend-webgpu 4.22 asks for requiredFeatures ['timestamp-query', ['bgra8unorm-storage']] (an array inside
  // the list, a slip a browser's IDL conversion forgives): flatten it for every adapter it gets.
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (o?: object) => {
    const a = (await request(o)) as { requestDevice?: (d?: { requiredFeatures?: unknown[] }) => unknown } | null;
    if (a?.requestDevice) {
      const rd = a.requestDevice.bind(a);
      try {
        a.requestDevice = (d?: { requiredFeatures?: unknown[] }) =>
          rd(d?.requiredFeatures ? { ...d, requiredFeatures: d.requiredFeatures.flat() } : d);
      } catch {
        /* a read-only native method: leave it */
      }
    }
    return a;
  };
  Object.assign(globalThis, mod.globals as object);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as {
    info?: Record<string, unknown>;
    features?: Iterable<string>;
    limits?: Record<string, number>;
    isFallbackAdapter?: boolean;
  } | null;
  if (!adapter)
    throw new Error(
      'Dawn found no WebGPU adapter (on Linux it needs the Vulkan loader, libvulkan.so.1, and a Vulkan driver: ' +
        'the NVIDIA driver or Mesa lavapipe)',
    );
  const info = adapter.info ?? {};
  const limits: Record<string, number> = {};
  for (const k of ['maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxBufferSize'])
    if (adapter.limits && typeof adapter.limits[k] === 'number') limits[k] = adapter.limits[k];
  return {
    vendor: info.vendor as string | undefined,
    architecture: info.architecture as string | undefined,
    device: info.device as string | undefined,
    description: info.description as string | undefined,
    isFallbackAdapter: (info.isFallbackAdapter as boolean | undefined) ?? adapter.isFallbackAdapter,
    features: adapter.features ? [...adapter.features] : [],
    limits,
  };
}

async function tryEngine(id: EngineId): Promise<Omit<Engine, 'skipped' | 'requested'>> {
  switch (id) {
    case 'wasm':
      return { id, tf: null, backend: 'kit-wasm', packages: [], sync: true };
    case 'tfjs-cpu': {
      const tf = requireOptional('@tensorflow/tfjs') as TF;
      requireOptional('@tensorflow/tfjs-backend-cpu');
      await setBackend(tf, 'cpu');
      return { id, tf, backend: tf.getBackend(), packages: [version('@tensorflow/tfjs')], sync: true };
    }
    case 'tfjs-wasm': {
      const tf = requireOptional('@tensorflow/tfjs') as TF;
      requireOptional('@tensorflow/tfjs-backend-wasm');
      await setBackend(tf, 'wasm');
      return {
        id,
        tf,
        backend: tf.getBackend(),
        packages: [version('@tensorflow/tfjs'), version('@tensorflow/tfjs-backend-wasm')],
        sync: true,
      };
    }
    case 'tfjs-webgpu': {
      const tf = requireOptional('@tensorflow/tfjs') as TF;
      const adapter = await initWebGpu();
      requireOptional('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu' only when navigator.gpu exists
      await setBackend(tf, 'webgpu');
      return {
        id,
        tf,
        backend: tf.getBackend(),
        packages: [version('@tensorflow/tfjs'), version('@tensorflow/tfjs-backend-webgpu'), version('webgpu')],
        sync: false,
        adapter,
      };
    }
    case 'tensorflow':
    case 'tensorflow-gpu': {
      const pkg = id === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      const tf = requireOptional(pkg) as TF;
      await setBackend(tf, 'tensorflow');
      return { id, tf, backend: tf.getBackend(), packages: [version(pkg)], sync: true };
    }
  }
}

const loaded = new Map<EngineId, Omit<Engine, 'skipped' | 'requested'>>();

/**
 * Loads the engine; `choice` defaults to the environment's (engineFromEnv). Throws for a requested engine that
 * cannot load, naming the packages to install. tfjs has one active backend per process: loading another tfjs
 * engine later (say tfjs-wasm after tfjs-cpu) switches every tfjs model of the process to it.
 */
export async function loadEngine(choice: EngineId | 'auto' = engineFromEnv()): Promise<Engine> {
  const candidates = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: Engine['skipped'] = [];
  for (const id of candidates) {
    try {
      let e = loaded.get(id);
      if (e?.tf) await setBackend(e.tf, e.backend);
      if (!e) {
        e = await tryEngine(id);
        loaded.set(id, e);
      }
      return { ...e, skipped, requested: choice };
    } catch (err) {
      const reason = ((err as Error).message || String(err)).split('\n')[0];
      if (choice !== 'auto')
        throw new Error(
          `Engine ${id} (RLMINI_ENGINE / RLMINI_BACKEND) cannot load: ${reason}. ` +
            `It needs: npm install ${ENGINE_PACKAGES[id].join(' ')}` +
            (id.startsWith('tensorflow') ? ' (its install downloads libtensorflow: needs network access)' : '') +
            "; or unset RLMINI_ENGINE to use the kit's wasm engine.",
        );
      skipped.push({ id, reason });
    }
  }
  throw new Error(`nn.loadEngine: no engine loaded: ${skipped.map((s) => `${s.id}: ${s.reason}`).join('; ')}`);
}

/** A one-line description for run records: engine, backend, packages. */
export function engineLabel(e: Engine): string {
  return e.id === 'wasm' ? 'wasm (kit nn)' : `${e.id} (tfjs ${e.backend}; ${e.packages.join(', ')})`;
}

/** The transformer language model on the engine: the kit's TransformerLm, or its tfjs twin (same layout and init). */
export function transformerLm(e: Engine, config: TransformerLmConfig, rng: Rng): TransformerLm | TfjsTransformerLm {
  return e.tf ? new TfjsTransformerLm(e.tf, config, rng) : new TransformerLm(config, rng);
}

/** The GRU language model on the engine: the kit's GruLm, or its tfjs twin (same layout and init). */
export function gruLm(e: Engine, shape: GruLmShape, rng: Rng): GruLm | TfjsGruLm {
  return e.tf ? new TfjsGruLm(e.tf, shape, rng) : new GruLm(shape, rng);
}

/** The MLP on the engine: the kit's Mlp, or its tfjs twin (same layout and init). */
export function mlp(e: Engine, dims: readonly number[], rng: Rng): Mlp | TfjsMlp {
  return e.tf ? new TfjsMlp(e.tf, dims, rng) : new Mlp(dims, rng);
}
