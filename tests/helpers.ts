import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll } from 'vitest';
import { runNodeAsync, type NodeRunResult } from '../src/core/proc';

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

export function code(source: string, tags: string[] = []) {
  return { cell_type: 'code', source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null };
}
export function md(source: string) {
  return { cell_type: 'markdown', source, metadata: {} };
}
export function notebook(cells: unknown[], paper?: unknown) {
  return {
    cells,
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript (rl-miniatures)', language: 'typescript' },
      language_info: { name: 'typescript' },
      ...(paper ? { paper } : {}),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** A scratch workspace with its own notebooks/, results and reports directories. */
export function workspace(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rlmini-${name}-`));
  const nbDir = path.join(dir, 'notebooks');
  fs.mkdirSync(nbDir);
  // Notebooks import '../dist': give the workspace the repository's compiled library.
  fs.symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), 'dir');
  const env = {
    ...process.env,
    RLMINI_NOTEBOOKS_DIR: nbDir,
    RLMINI_RESULTS_DIR: path.join(dir, 'results'),
    RLMINI_REPORTS_DIR: path.join(dir, 'reports'),
    CI: '1',
  };
  return {
    dir,
    nbDir,
    env,
    write(id: string, nb: unknown | string) {
      fs.writeFileSync(path.join(nbDir, `${id}.ipynb`), typeof nb === 'string' ? nb : JSON.stringify(nb, null, 1));
    },
    cli(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 300_000) {
      const r = spawnSync(process.execPath, [CLI, ...args], {
        env: { ...env, ...extraEnv },
        encoding: 'utf8',
        timeout: timeoutMs,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The CLI, asynchronously (a long spawnSync would block the vitest worker's RPC). */
export function cliAsync(
  ws: { env: NodeJS.ProcessEnv },
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<NodeRunResult> {
  return runNodeAsync([CLI, ...args], { env: { ...ws.env, ...extraEnv }, timeoutMs });
}

/**
 * Points RLMINI_MODELS_DIR at a fresh temporary directory for the tests of the calling file (so tiny
 * base models pre-trained by tests never land in the committed data/models/), restoring it after.
 */
export function useTempModelsDir(prefix = 'rlmini-models-'): void {
  let dir = '';
  let prev: string | undefined;
  beforeAll(() => {
    prev = process.env.RLMINI_MODELS_DIR;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    process.env.RLMINI_MODELS_DIR = dir;
  });
  afterAll(() => {
    if (prev === undefined) delete process.env.RLMINI_MODELS_DIR;
    else process.env.RLMINI_MODELS_DIR = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** Live (not zombie) tslab kernel processes started under a test's environment marker (RLMINI_TEST_MARKER). */
export function kernelPidsFor(marker: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`RLMINI_TEST_MARKER=${marker}`)) continue;
      if (!fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('tslab')) continue;
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

let distSnapshot: string | null = null;

/**
 * A workspace that runs on one snapshot of dist/ taken once per test file: record keys include a hash
 * of the compiled library, and the shared tree's dist/ may be rebuilt meanwhile. RLMINI_ROOT points at
 * the workspace, which links the repository's node_modules and src/ (kernel, templates).
 */
export function snapshotWorkspace(name: string, opts: { copyRepoNotebooks?: boolean } = {}) {
  if (!distSnapshot) {
    distSnapshot = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-snap-'));
    fs.cpSync(path.join(ROOT, 'dist'), path.join(distSnapshot, 'dist'), { recursive: true });
    // Node resolves a package from the module's real path: the snapshot needs node_modules beside its
    // dist/ (a library module that imports a dependency, e.g. `highs`, fails to load otherwise).
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(distSnapshot, 'node_modules'), 'dir');
  }
  const ws = workspace(name);
  fs.rmSync(path.join(ws.dir, 'dist'));
  fs.symlinkSync(path.join(distSnapshot, 'dist'), path.join(ws.dir, 'dist'), 'dir');
  for (const d of ['node_modules', 'src']) fs.symlinkSync(path.join(ROOT, d), path.join(ws.dir, d), 'dir');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(ws.dir, 'package.json'));
  if (opts.copyRepoNotebooks) {
    for (const f of fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')))
      fs.copyFileSync(path.join(ROOT, 'notebooks', f), path.join(ws.nbDir, f));
  }
  Object.assign(ws.env, { RLMINI_ROOT: ws.dir, RLMINI_CATALOG: path.join(ROOT, 'data', 'catalog.json') });
  return ws;
}

/** Remove this test file's dist/ snapshot (call in afterAll). */
export function removeDistSnapshot(): void {
  if (distSnapshot) fs.rmSync(distSnapshot, { recursive: true, force: true });
  distSnapshot = null;
}

/** Root and a working `mount -t tmpfs` (CI runs as root): a real full or read-only file system for tests. */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-mnt-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], { stdio: 'ignore' });
    execFileSync('umount', [d], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
}
