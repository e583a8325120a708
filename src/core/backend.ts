/**
 * Compute-backend selection (DESIGN.md → Compute):
 *   tensorflow (CUDA, @tensorflow/tfjs-node-gpu) → tensorflow (native CPU, @tensorflow/tfjs-node)
 *   → wasm (SIMD, @tensorflow/tfjs-backend-wasm) → cpu (pure JS).
 * RLMINI_BACKEND=tensorflow-gpu|tensorflow|wasm|cpu forces one (and fails loudly if it is unavailable).
 * The chosen backend goes into every run record's provenance.
 */
import type * as tfType from '@tensorflow/tfjs';

const TFJS_GPU = '@tensorflow/tfjs-node-gpu';

export type BackendId = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendId[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** What we selected. */
  id: BackendId;
  /** tf.getBackend() after selection. */
  tfBackend: string;
  /** Package that provides it, with version. */
  package: string;
  /** Why earlier candidates were skipped. */
  skipped: { id: BackendId; reason: string }[];
  forced: boolean;
}

let current: { tf: typeof tfType; info: BackendInfo } | null = null;

function pkgVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return `${name}@${require(`${name}/package.json`).version}`;
  } catch {
    return name;
  }
}

async function tryBackend(id: BackendId): Promise<{ tf: typeof tfType; tfBackend: string; pkg: string }> {
  switch (id) {
    case 'tensorflow-gpu': {
      const tf = require('@tensorflow/tfjs-node-gpu') as typeof tfType;
      await tf.setBackend('tensorflow');
      return { tf, tfBackend: tf.getBackend(), pkg: pkgVersion('@tensorflow/tfjs-node-gpu') };
    }
    case 'tensorflow': {
      const tf = require('@tensorflow/tfjs-node') as typeof tfType;
      await tf.setBackend('tensorflow');
      return { tf, tfBackend: tf.getBackend(), pkg: pkgVersion('@tensorflow/tfjs-node') };
    }
    case 'wasm': {
      const tf = require('@tensorflow/tfjs') as typeof tfType;
      require('@tensorflow/tfjs-backend-wasm');
      const ok = await tf.setBackend('wasm');
      if (!ok) throw new Error('tf.setBackend("wasm") returned false');
      await tf.ready();
      return { tf, tfBackend: tf.getBackend(), pkg: pkgVersion('@tensorflow/tfjs-backend-wasm') };
    }
    case 'cpu': {
      const tf = require('@tensorflow/tfjs') as typeof tfType;
      await tf.setBackend('cpu');
      await tf.ready();
      return { tf, tfBackend: tf.getBackend(), pkg: pkgVersion('@tensorflow/tfjs') };
    }
  }
}

/** Parse RLMINI_BACKEND; throws a message that lists the allowed values. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendId | null {
  const v = env.RLMINI_BACKEND?.trim();
  if (!v) return null;
  if ((BACKEND_ORDER as readonly string[]).includes(v)) return v as BackendId;
  throw new Error(
    `RLMINI_BACKEND=${v} is not a backend. Use one of: ${BACKEND_ORDER.join(', ')} (or unset it for automatic ` +
      `selection).`,
  );
}

/** Select and initialise the tfjs backend once per process. */
export async function initBackend(): Promise<{ tf: typeof tfType; info: BackendInfo }> {
  if (current) return current;
  const forced = forcedBackend();
  const candidates = forced ? [forced] : BACKEND_ORDER;
  const skipped: BackendInfo['skipped'] = [];
  for (const id of candidates) {
    try {
      const r = await tryBackend(id);
      current = { tf: r.tf, info: { id, tfBackend: r.tfBackend, package: r.pkg, skipped, forced: !!forced } };
      return current;
    } catch (e) {
      const reason = ((e as Error).message || String(e)).split('\n')[0];
      if (forced) {
        throw new Error(
          `RLMINI_BACKEND=${id} was requested but cannot be used: ${reason}. ` +
            (id.startsWith('tensorflow')
              ? `Install it with \`npm install ${id === 'tensorflow' ? '@tensorflow/tfjs-node' : TFJS_GPU}\` ` +
                '(needs network access to download libtensorflow), or unset RLMINI_BACKEND.'
              : 'Run `npm ci`, or unset RLMINI_BACKEND.'),
        );
      }
      skipped.push({ id, reason });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could be initialised: ${skipped.map((s) => `${s.id}: ${s.reason}`).join('; ')}. Run ` +
      `\`npm ci\`.`,
  );
}

/** The backend in use, or null when no tensor code has run in this process. */
export function backendInfo(): BackendInfo | null {
  return current ? current.info : null;
}

/** Name recorded in provenance and cache keys: the tfjs backend, or 'typed-arrays' when no tensors are used. */
export function backendLabel(): string {
  return current ? current.info.id : 'typed-arrays';
}
