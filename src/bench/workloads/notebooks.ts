/**
 * The `smoke` profile of every notebook, then a cached rebuild of all reports, in a temporary copy of
 * the workspace (its own notebooks/, results and reports directories, a snapshot of dist/ and a copy
 * of the base-model cache data/models/; src/
 * and node_modules linked from the repository), so the bench never touches the user's reports/ or
 * run records, and a rebuild of dist/ meanwhile (which changes the library hash in every cache key)
 * cannot turn the cached rebuild into a full one.
 * Both runs skip the static figure export (--no-figures: it needs Chromium and is timed by nothing
 * here). Kit-only rows: there is no reference for these.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { paths } from '../../core/paths';
import { runNodeAsync } from '../../core/proc';
import { nowMs } from '../timing';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): Promise<{ status: number | null; out: string }> {
  return runNodeAsync([path.join(cwd, 'dist', 'cli', 'main.js'), ...args], { env, cwd, timeoutMs });
}

/** A scratch copy of the workspace; returns its directory and the environment that points the CLI at it. */
export function scratchWorkspace(): { dir: string; env: NodeJS.ProcessEnv; notebooks: number; cleanup: () => void } {
  const root = paths.root();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-ws-'));
  const nbDir = path.join(dir, 'notebooks');
  fs.mkdirSync(nbDir);
  const nbs = fs.readdirSync(paths.notebooks()).filter((f) => f.endsWith('.ipynb'));
  for (const f of nbs) fs.copyFileSync(path.join(paths.notebooks(), f), path.join(nbDir, f));
  fs.cpSync(paths.dist(), path.join(dir, 'dist'), { recursive: true });
  for (const d of ['node_modules', 'src']) fs.symlinkSync(path.join(root, d), path.join(dir, d), 'dir');
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  // The committed base-model cache (data/models), copied so the notebooks load it as in the user's tree.
  const models = path.join(root, 'data', 'models');
  if (fs.existsSync(models)) fs.cpSync(models, path.join(dir, 'data', 'models'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RLMINI_ROOT: dir,
    RLMINI_NOTEBOOKS_DIR: nbDir,
    RLMINI_RESULTS_DIR: path.join(dir, 'results'),
    RLMINI_REPORTS_DIR: path.join(dir, 'reports'),
    RLMINI_CATALOG: paths.catalog(),
  };
  return { dir, env, notebooks: nbs.length, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const summaryLine = (out: string) =>
  out
    .split('\n')
    .find((l) => l.startsWith('notebooks:'))
    ?.trim() ?? '';

export const notebooksWorkload: Workload = {
  id: 'notebooks',
  title: 'smoke profile of all notebooks; cached rebuild',
  slow: true,
  async run(ctx) {
    const ws = scratchWorkspace();
    const rows: BenchRow[] = [];
    const jobs = Math.max(1, os.cpus().length);
    try {
      ctx.log(`  running the smoke profile of ${ws.notebooks} notebooks in ${ws.dir} (--jobs ${jobs}) …`);
      const t0 = nowMs();
      const first = await runCli(
        ['reports', '--profile', 'smoke', '--no-figures', '--jobs', String(jobs)],
        ws.env,
        ws.dir,
        1_800_000,
      );
      const ms = nowMs() - t0;
      if (first.status !== 0)
        throw new Error(
          `reports --profile smoke exited with ${first.status}: ${first.out.trim().split('\n').slice(-3).join(' | ')}`,
        );
      rows.push({
        id: 'notebooks/smoke',
        workload: 'smoke profile, all notebooks',
        impl: `kit (tslab kernels, ${jobs} jobs)`,
        side: 'kit',
        ms,
        unit: 'per run',
        throughput: { value: ws.notebooks / (ms / 1e3), unit: 'notebooks/s' },
        backend: 'mixed',
        threads: jobs,
        detail: summaryLine(first.out),
      });
      const t1 = nowMs();
      const second = await runCli(
        ['reports', '--profile', 'smoke', '--no-figures', '--jobs', String(jobs)],
        ws.env,
        ws.dir,
        600_000,
      );
      const ms2 = nowMs() - t1;
      if (second.status !== 0)
        throw new Error(
          `cached rebuild exited with ${second.status}: ${second.out.trim().split('\n').slice(-3).join(' | ')}`,
        );
      rows.push({
        id: 'notebooks/cached-rebuild',
        workload: 'cached rebuild of all reports',
        impl: 'kit (records cached)',
        side: 'kit',
        ms: ms2,
        unit: 'per run',
        throughput: { value: ws.notebooks / (ms2 / 1e3), unit: 'notebooks/s' },
        backend: 'mixed',
        threads: jobs,
        detail: summaryLine(second.out),
      });
    } catch (e) {
      if (!rows.length) rows.push(failedRow('notebooks/smoke', 'smoke profile, all notebooks', 'kit', 'kit', e));
      rows.push(failedRow('notebooks/cached-rebuild', 'cached rebuild of all reports', 'kit', 'kit', e));
    } finally {
      ws.cleanup();
    }
    return rows;
  },
};
