/**
 * Which compiled files determine a result: the import closure of a module under dist/.
 *
 * A run record is keyed by the code its task can execute — the task module and every module it
 * requires, transitively (relative `require("./x")` edges of the compiled CommonJS; type-only imports
 * are erased by tsc, so they do not count). Editing paper X re-keys only X's records; editing a shared
 * testbed file re-keys exactly the papers whose closure contains it. Each record lists the files of
 * its closure with their content hashes (`provenance.code`), so a reader sees what determined it.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** `{ 'papers/starc/experiment.js': '<16 hex of sha256>' , … }`, sorted by path. */
export type CodeFiles = Record<string, string>;

export interface CodeFingerprint {
  /** sha256 (hex) over the sorted (path, content hash) list. */
  hash: string;
  files: CodeFiles;
}

const REQUIRE = /\brequire\((["'])(\.{1,2}\/[^"']+)\1\)/g;

interface FileInfo {
  mtimeMs: number;
  size: number;
  hash: string;
  deps: string[];
}
const infoCache = new Map<string, FileInfo>();

function resolveJs(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const c of [base, `${base}.js`, path.join(base, 'index.js')]) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next candidate */
    }
  }
  return null;
}

function fileInfo(file: string): FileInfo {
  const st = fs.statSync(file);
  const hit = infoCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const buf = fs.readFileSync(file);
  const text = buf.toString('utf8');
  const deps: string[] = [];
  for (const m of text.matchAll(REQUIRE)) {
    const r = resolveJs(file, m[2]);
    if (r) deps.push(r);
  }
  const info = {
    mtimeMs: st.mtimeMs,
    size: st.size,
    hash: crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16),
    deps,
  };
  infoCache.set(file, info);
  return info;
}

/** Every .js file under `dir` (recursively), absolute paths, sorted. */
export function jsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The import closure of `entries` (absolute paths of compiled .js files) within `distDir`:
 * dist-relative paths (forward slashes) with their content hashes. Requires that leave `distDir`
 * (packages) are not followed; their versions are recorded separately in the provenance.
 */
export function codeClosure(distDir: string, entries: string[]): CodeFingerprint {
  const root = path.resolve(distDir);
  const seen = new Set<string>();
  const stack = entries.map((e) => path.resolve(e));
  for (const e of stack) {
    if (!fs.existsSync(e))
      throw new Error(`codeClosure: ${e} does not exist (is the library built? run \`npm run build\`).`);
  }
  while (stack.length) {
    const f = stack.pop() as string;
    if (seen.has(f)) continue;
    if (!f.startsWith(root + path.sep)) continue;
    seen.add(f);
    for (const d of fileInfo(f).deps) if (!seen.has(d)) stack.push(d);
  }
  const files: CodeFiles = {};
  for (const f of [...seen].sort()) files[path.relative(root, f).split(path.sep).join('/')] = fileInfo(f).hash;
  return { hash: fingerprintHash(files), files };
}

/** The hash of a file list (stable in key order). */
export function fingerprintHash(files: CodeFiles): string {
  const h = crypto.createHash('sha256');
  for (const k of Object.keys(files).sort()) h.update(`${k}\0${files[k]}\0`);
  return h.digest('hex');
}

/** Forget cached file hashes (tests that edit compiled files in place). */
export function clearCodeCache(): void {
  infoCache.clear();
}
