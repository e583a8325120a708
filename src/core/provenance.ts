/** Provenance: what produced a number (kit version, commit, content hashes, backend, versions). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codeClosure, jsFilesUnder, type CodeFiles, type CodeFingerprint } from './code-closure';
import { paths } from './paths';
import { backendInfo, backendLabel } from './backend';
import { recordBackendLabel } from '../nn/active-engine';

export interface Provenance {
  kitVersion: string;
  commit: string;
  /** true when the working tree had uncommitted changes. */
  dirty: boolean;
  notebookHash: string;
  /**
   * Hash of the compiled code that determined this result: for a run record, the import closure of
   * its task module; for a summary, the notebook's code (see notebookCode).
   */
  codeHash: string;
  /** The files of that closure (dist-relative) with their content hashes. */
  code: CodeFiles;
  backend: string;
  backendPackage: string | null;
  node: string;
  packages: Record<string, string>;
  platform: string;
  cpus: number;
  seed: number | null;
  wallTimeMs: number;
  createdAt: string;
  /**
   * Set by `rekey` (runner/rekey.ts) when the record was carried to a new code hash without being recomputed:
   * its old key and code hash, the files that changed, and the keys of the records of its task that were
   * re-derived bit-identically under the new code to license it.
   */
  rekeyed?: {
    fromKey: string;
    fromCodeHash: string;
    changed: string[];
    verifiedBy: string[];
    at: string;
    /** A key-scheme move (`rekey --task-keys`): the notebook hash the old key carried; the code was unchanged. */
    fromNotebookHash?: string;
    /** The record's earlier `rekeyed` entry, when it was carried before. */
    previous?: Provenance['rekeyed'];
  };
}

/**
 * The notebook hash a task-keyed record carries (in its key and provenance): the key covers the task's import closure,
 * config and seed only, so editing the notebook that ran it re-runs nothing. See core/notebook.ts `recordKey`.
 */
export const TASK_KEYED = 'task-keyed';

let cachedGit: { commit: string; dirty: boolean } | null = null;

/** Where an untracked (not ignored) file makes the tree dirty: the code results depend on. */
export const UNTRACKED_CODE_PATHS = ['src', 'notebooks', 'scripts', 'bench', 'data/catalog.json', 'package.json'];

export function gitState(): { commit: string; dirty: boolean } {
  if (cachedGit) return cachedGit;
  if (process.env.RLMINI_COMMIT)
    return (cachedGit = { commit: process.env.RLMINI_COMMIT, dirty: process.env.RLMINI_DIRTY === '1' });
  try {
    const root = paths.root();
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    // Results and models the run itself writes are data, not code: they do not make the tree dirty. New files that
    // git does not ignore do, where code lives (a new module or notebook the results depend on is not in the
    // commit); stray files elsewhere in the checkout do not.
    const status =
      git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':!data/results', ':!data/models']) +
      git(['ls-files', '--others', '--exclude-standard', '--', ...UNTRACKED_CODE_PATHS]);
    cachedGit = { commit, dirty: status.length > 0 };
  } catch {
    cachedGit = { commit: 'unknown', dirty: false };
  }
  return cachedGit;
}

/** The compiled library this module belongs to (dist/), i.e. the code actually loaded. */
export const DIST_DIR = path.resolve(__dirname, '..');

/**
 * Legacy scope, for notebooks without a paper folder (test fixtures, drafts): every compiled file that
 * can compute numbers — testbeds, statistics, shared math, the nn engine and the core pieces that feed
 * them. A paper with `src/papers/<id>/` is keyed by its own closure instead (see taskCode / paperCode).
 */
export function isResultCode(distRelative: string): boolean {
  const f = distRelative.split(path.sep).join('/');
  if (!f.endsWith('.js')) return false;
  if (f.startsWith('nn/')) return f !== 'nn/bench.js';
  return (
    f.startsWith('testbeds/') ||
    f.startsWith('stats/') ||
    f.startsWith('math/') ||
    ['core/rng.js', 'core/tasks.js', 'core/params.js', 'core/backend.js', 'core/metric-keys.js'].includes(f)
  );
}

const fingerprints = new Map<string, CodeFingerprint>();

function memo(key: string, make: () => CodeFingerprint): CodeFingerprint {
  if (process.env.RLMINI_NO_CODE_CACHE !== '1') {
    const hit = fingerprints.get(key);
    if (hit) return hit;
  }
  const f = make();
  fingerprints.set(key, f);
  return f;
}

/** The module file of a task `'<module under dist>#<export>'`. */
export function taskModuleFile(task: string, dist = DIST_DIR): string {
  const mod = task.split('#')[0];
  if (!mod) throw new Error(`Task "${task}" must be "<module path under dist>#<exported function>".`);
  return path.join(dist, `${mod}.js`);
}

/** The code a task can execute: the import closure of its module. Keys the task's run records. */
export function taskCode(task: string, dist = DIST_DIR): CodeFingerprint {
  return memo(`task:${dist}:${task}`, () => codeClosure(dist, [taskModuleFile(task, dist)]));
}

/** The legacy scope (all result code, see isResultCode) as a fingerprint. */
export function libraryCode(dist = DIST_DIR): CodeFingerprint {
  return memo(`lib:${dist}`, () =>
    codeClosure(
      dist,
      jsFilesUnder(dist).filter((f) => isResultCode(path.relative(dist, f))),
    ),
  );
}

/**
 * The code of a paper: the closure of everything in dist/papers/<id>/ (the legacy scope when the
 * paper has no folder). Keys records computed in the notebook's own thread (`nb.run`).
 */
export function paperCode(id: string, dist = DIST_DIR): CodeFingerprint {
  const dir = path.join(dist, 'papers', id);
  const files = jsFilesUnder(dir);
  if (files.length === 0) return libraryCode(dist);
  return memo(`paper:${dist}:${id}`, () => codeClosure(dist, files));
}

/** `rl.<namespace>` in notebook code → the compiled module it names (the notebook uses that code). */
const NOTEBOOK_NAMESPACES: Record<string, string> = {
  tabular: 'testbeds/tabular/index.js',
  preference: 'testbeds/preference/index.js',
  rlvr: 'testbeds/rlvr/index.js',
  reasoning: 'testbeds/reasoning/index.js',
  nn: 'nn/index.js',
  math: 'math/index.js',
};

/**
 * What a notebook's outputs can depend on besides its records: its paper's code, the testbed
 * namespaces its code names (`rl.tabular`, …), the statistics, shared math, the session and display
 * code (core) and the figure helpers. Decides whether an unchanged notebook must be re-executed.
 */
export function notebookCode(id: string, notebookSource: string, dist = DIST_DIR): CodeFingerprint {
  const entries = new Set<string>(jsFilesUnder(path.join(dist, 'papers', id)));
  for (const d of ['stats', 'math']) for (const f of jsFilesUnder(path.join(dist, d))) entries.add(f);
  for (const f of jsFilesUnder(path.join(dist, 'core'))) entries.add(f);
  const plots = path.join(dist, 'report', 'plots.js');
  if (fs.existsSync(plots)) entries.add(plots);
  for (const [ns, mod] of Object.entries(NOTEBOOK_NAMESPACES)) {
    if (new RegExp(`\\brl\\.${ns}\\b`).test(notebookSource) && fs.existsSync(path.join(dist, mod))) {
      entries.add(path.join(dist, mod));
    }
  }
  if (jsFilesUnder(path.join(dist, 'papers', id)).length === 0) {
    for (const f of jsFilesUnder(dist).filter((x) => isResultCode(path.relative(dist, x)))) entries.add(f);
  }
  return codeClosure(dist, [...entries]);
}

/** Forget memoised fingerprints (after the compiled code changed within one process). */
export function clearFingerprints(): void {
  fingerprints.clear();
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

export function makeProvenance(args: {
  notebookHash: string;
  code: CodeFingerprint;
  seed: number | null;
  wallTimeMs: number;
}): Provenance {
  const g = gitState();
  const b = backendInfo();
  return {
    kitVersion: kitVersion(),
    commit: g.commit,
    dirty: g.dirty,
    notebookHash: args.notebookHash,
    codeHash: args.code.hash,
    code: args.code.files,
    backend: recordBackendLabel(backendLabel(), args.code.files),
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
