import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (rl-miniatures)', language: 'typescript' }, language_info: { name: 'typescript' }, ...(paper ? { paper } : {}) },
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
      const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: timeoutMs });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
