/**
 * The data bridge to the reference scripts: a directory holding `manifest.json` (scalars, and for
 * each array its dtype, shape and file) and one raw little-endian file per array. The Python side
 * reads it with bench/reference/common.py `load_bundle` (numpy.fromfile), so both sides run on
 * byte-identical inputs generated here with the kit's seeded Rng.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type BundleArray = Float64Array | Float32Array | Int32Array;

export interface BundleManifest {
  scalars: Record<string, unknown>;
  arrays: Record<string, { dtype: 'float64' | 'float32' | 'int32'; shape: number[]; file: string }>;
}

function dtypeOf(a: BundleArray): 'float64' | 'float32' | 'int32' {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  throw new TypeError('bench bundle: arrays must be Float64Array, Float32Array or Int32Array');
}

/** Write a bundle into a fresh temporary directory and return its path (remove it with `removeBundle`). */
export function writeBundle(
  name: string,
  scalars: Record<string, unknown>,
  arrays: Record<string, { data: BundleArray; shape: number[] }>,
): string {
  if (os.endianness() !== 'LE')
    throw new Error('bench bundle: the reference scripts read little-endian arrays; this machine is big-endian.');
  for (const [key, { data, shape }] of Object.entries(arrays)) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) throw new RangeError(`bench bundle: array name '${key}' must be alphanumeric`);
    const n = shape.reduce((p, s) => p * s, 1);
    if (n !== data.length)
      throw new RangeError(
        `bench bundle: array '${key}' has ${data.length} elements, shape [${shape.join(', ')}] needs ${n}`,
      );
    dtypeOf(data);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rlmini-bench-${name}-`));
  const manifest: BundleManifest = { scalars, arrays: {} };
  for (const [key, { data, shape }] of Object.entries(arrays)) {
    const file = `${key}.bin`;
    fs.writeFileSync(path.join(dir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    manifest.arrays[key] = { dtype: dtypeOf(data), shape, file };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return dir;
}

/** Read a bundle back (used by the tests: the Python loader must see the same bytes). */
export function readBundle(dir: string): { scalars: Record<string, unknown>; arrays: Record<string, BundleArray> } {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  const arrays: Record<string, BundleArray> = {};
  for (const [k, v] of Object.entries(m.arrays)) {
    const b = fs.readFileSync(path.join(dir, v.file));
    const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    arrays[k] =
      v.dtype === 'float64' ? new Float64Array(ab) : v.dtype === 'float32' ? new Float32Array(ab) : new Int32Array(ab);
  }
  return { scalars: m.scalars, arrays };
}

export function removeBundle(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
