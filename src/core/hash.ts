/** Content hashes for cache keys and record checksums. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** JSON with object keys sorted, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

export function sha256(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function hashValue(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** Hash of every file under `dir` whose name passes `filter`, by relative path and content. */
export function hashTree(dir: string, filter: (file: string) => boolean): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else if (filter(p)) {
        h.update(path.relative(dir, p));
        h.update('\0');
        h.update(fs.readFileSync(p));
        h.update('\0');
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}
