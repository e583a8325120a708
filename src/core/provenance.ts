/** Provenance: what produced a number (kit version, commit, content hashes, backend, versions). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hashTree } from './hash';
import { paths } from './paths';
import { backendInfo, backendLabel } from './backend';

export interface Provenance {
  kitVersion: string;
  commit: string;
  /** true when the working tree had uncommitted changes. */
  dirty: boolean;
  notebookHash: string;
  libraryHash: string;
  backend: string;
  backendPackage: string | null;
  node: string;
  packages: Record<string, string>;
  platform: string;
  cpus: number;
  seed: number | null;
  wallTimeMs: number;
  createdAt: string;
}

let cachedGit: { commit: string; dirty: boolean } | null = null;
let cachedLibHash: string | null = null;

export function gitState(): { commit: string; dirty: boolean } {
  if (cachedGit) return cachedGit;
  if (process.env.RLMINI_COMMIT)
    return (cachedGit = { commit: process.env.RLMINI_COMMIT, dirty: process.env.RLMINI_DIRTY === '1' });
  try {
    const root = paths.root();
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    cachedGit = { commit, dirty: status.length > 0 };
  } catch {
    cachedGit = { commit: 'unknown', dirty: false };
  }
  return cachedGit;
}

/**
 * The compiled code that computes numbers: the testbeds, the statistics, and the core pieces that
 * feed them (random generator, seed tasks, parameters, backend selection). Session plumbing
 * (records, summaries, provenance, display), the runner, the reports and the CLI are not part of it,
 * so improving them does not invalidate committed results. `npm run verify` re-derives records from
 * scratch to catch a result-changing edit anywhere.
 */
export function isResultCode(distRelative: string): boolean {
  const f = distRelative.split(path.sep).join('/');
  if (!f.endsWith('.js')) return false;
  if (f.startsWith('nn/')) return f !== 'nn/bench.js';
  return (
    f.startsWith('testbeds/') ||
    f.startsWith('stats/') ||
    ['core/rng.js', 'core/tasks.js', 'core/params.js', 'core/backend.js'].includes(f)
  );
}

/** Hash of the result-computing library code (see isResultCode): any change invalidates cached records. */
export function libraryHash(): string {
  if (cachedLibHash) return cachedLibHash;
  const dist = path.join(paths.root(), 'dist');
  cachedLibHash = hashTree(dist, (f) => isResultCode(path.relative(dist, f)));
  return cachedLibHash;
}

export function kitVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(paths.root(), 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function versionOf(name: string): string | null {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return null;
  }
}

export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'tslab',
    'danfojs-node',
  ]) {
    const v = versionOf(n);
    if (v) out[n] = v;
  }
  return out;
}

export function makeProvenance(args: { notebookHash: string; seed: number | null; wallTimeMs: number }): Provenance {
  const g = gitState();
  const b = backendInfo();
  return {
    kitVersion: kitVersion(),
    commit: g.commit,
    dirty: g.dirty,
    notebookHash: args.notebookHash,
    libraryHash: libraryHash(),
    backend: backendLabel(),
    backendPackage: b ? b.package : null,
    node: process.version,
    packages: packageVersions(),
    platform: `${os.platform()}-${os.arch()}`,
    cpus: os.cpus().length,
    seed: args.seed,
    wallTimeMs: args.wallTimeMs,
    createdAt: new Date().toISOString(),
  };
}
