/**
 * gitState() on a real git repository (a temp checkout): clean after a commit; dirty for a modified tracked file, and
 * for a new untracked file where code lives (src/, notebooks/, …) — a result computed with a module that is not in the
 * commit must not be stamped clean; not dirty for results and models the run writes, ignored files, or stray files
 * outside the code paths. Each case runs in a fresh Node process (gitState caches per process).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-git-'));
  dirs.push(dir);
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('config', 'user.email', 't@example.org');
  git('config', 'user.name', 't');
  for (const [f, t] of Object.entries({
    'src/a.ts': 'export const a = 1;\n',
    'notebooks/p.ipynb': '{}\n',
    '.gitignore': 'reports/\n',
    'data/results/.keep': '',
  })) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), t);
  }
  git('add', '-A');
  git('commit', '-qm', 'init');
  return dir;
}

function state(dir: string): { commit: string; dirty: boolean } {
  const env: NodeJS.ProcessEnv = { ...process.env, RLMINI_ROOT: dir };
  delete env.RLMINI_COMMIT;
  delete env.RLMINI_DIRTY;
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `console.log(JSON.stringify(require(${JSON.stringify(path.join(ROOT, 'dist/core/provenance'))}).gitState()))`,
    ],
    { env, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('gitState on a real repository', () => {
  it('is clean after a commit, and stays clean for written results, models, ignored and stray files', () => {
    const dir = repo();
    expect(state(dir)).toMatchObject({ dirty: false });
    expect(state(dir).commit).toMatch(/^[0-9a-f]{40}$/);
    for (const f of ['data/results/p/full/summary.json', 'data/models/m.json', 'reports/index.html', 'notes.txt']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    expect(state(dir).dirty).toBe(false);
  });

  it('is dirty for a modified tracked file and for a new untracked module or notebook', () => {
    const a = repo();
    fs.appendFileSync(path.join(a, 'src/a.ts'), 'export const b = 2;\n');
    expect(state(a).dirty).toBe(true);
    const b = repo();
    fs.mkdirSync(path.join(b, 'src/testbeds/new'), { recursive: true });
    fs.writeFileSync(path.join(b, 'src/testbeds/new/core.ts'), 'export const c = 3;\n');
    expect(state(b).dirty).toBe(true);
    const c = repo();
    fs.writeFileSync(path.join(c, 'notebooks/q.ipynb'), '{}\n');
    expect(state(c).dirty).toBe(true);
  });
});
