/**
 * Determinism: every notebook in notebooks/ runs twice in the smoke profile with --fresh (same
 * seeds, same backend, separate results folders, and a different number of worker threads), and
 * every run record, verdict, table and figure must come out identical (provenance aside).
 * (Static figure export is skipped: it does not compute anything.)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../src/core/records';
import { CLI, ROOT, workspace } from '../helpers';

/** The CLI, asynchronously (a long spawnSync would block the vitest worker's RPC). */
function cli(ws: { env: NodeJS.ProcessEnv }, args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 600_000): Promise<{ status: number | null; stdout: string; stderr: string; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...ws.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, out: stdout + stderr });
    });
  });
}


/** One snapshot of dist/ for both runs (the shared tree's dist/ may be rebuilt meanwhile; record keys hash it). */
const SNAP = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-snap-'));
fs.cpSync(path.join(ROOT, 'dist'), path.join(SNAP, 'dist'), { recursive: true });
function stableWorkspace(name: string) {
  const ws = workspace(name);
  fs.rmSync(path.join(ws.dir, 'dist'));
  fs.symlinkSync(path.join(SNAP, 'dist'), path.join(ws.dir, 'dist'), 'dir');
  for (const d of ['node_modules', 'src']) fs.symlinkSync(path.join(ROOT, d), path.join(ws.dir, d), 'dir');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(ws.dir, 'package.json'));
  // The repository's own notebooks, copied (so both runs read the same sources).
  for (const f of fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb'))) fs.copyFileSync(path.join(ROOT, 'notebooks', f), path.join(ws.nbDir, f));
  Object.assign(ws.env, { RLMINI_ROOT: ws.dir, RLMINI_CATALOG: path.join(ROOT, 'data', 'catalog.json') });
  return ws;
}

type WS = ReturnType<typeof workspace>;
const ids = (ws: WS) => fs.readdirSync(ws.nbDir).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort();

function records(ws: WS, id: string): Map<string, RunRecord> {
  const dir = path.join(ws.dir, 'results', id, 'smoke', 'records');
  const out = new Map<string, RunRecord>();
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const r = readRecord(path.join(dir, f));
    if (!r.ok) throw new Error(`${id}: ${'reason' in r ? r.reason : f}`);
    out.set(f, r.record);
  }
  return out;
}
const numbers = (r: RunRecord) => ({ ...r, provenance: undefined, checksum: undefined });
const summary = (ws: WS, id: string) => JSON.parse(fs.readFileSync(path.join(ws.dir, 'results', id, 'smoke', 'summary.json'), 'utf8'));

describe('determinism: every notebook twice (smoke, --fresh)', () => {
  const a = stableWorkspace('det-a');
  const b = stableWorkspace('det-b');
  let ra: Awaited<ReturnType<typeof cli>>;
  let rb: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    ra = await cli(a, ['reports', '--profile', 'smoke', '--fresh', '--no-figures'], { RLMINI_WORKERS: '2' });
    rb = await cli(b, ['reports', '--profile', 'smoke', '--fresh', '--no-figures'], { RLMINI_WORKERS: '1' });
  }, 1_200_000);
  afterAll(() => {
    a.cleanup();
    b.cleanup();
    fs.rmSync(SNAP, { recursive: true, force: true });
  });

  it('both runs execute every notebook successfully', () => {
    expect(ids(a).length).toBeGreaterThan(0);
    expect(ra.status, ra.out).toBe(0);
    expect(rb.status, rb.out).toBe(0);
    expect(ra.out).toMatch(new RegExp(`notebooks: ${ids(a).length} \\(${ids(a).length} executed, 0 unchanged\\), 0 failed`));
  });

  it('every run record is identical (same keys, same metrics, series and config)', () => {
    for (const id of ids(a)) {
      const ra = records(a, id);
      const rb = records(b, id);
      expect([...ra.keys()], id).toEqual([...rb.keys()]);
      for (const [f, rec] of ra) {
        expect(rec.provenance.createdAt).not.toBe(''); // really two computations …
        expect(numbers(rec), `${id}/${f}`).toEqual(numbers(rb.get(f)!));
      }
      // … and nothing came from a cache.
      expect(summary(a, id).cached.hits, id).toBe(0);
      expect(summary(b, id).cached.hits, id).toBe(0);
    }
  });

  it('verdicts, tables and figures are identical', () => {
    for (const id of ids(a)) {
      const sa = summary(a, id);
      const sb = summary(b, id);
      expect(sa.verdicts, id).toEqual(sb.verdicts);
      expect(sa.tables, id).toEqual(sb.tables);
      expect(sa.figures, id).toEqual(sb.figures);
      expect(sa.records, id).toEqual(sb.records);
    }
  });
});
