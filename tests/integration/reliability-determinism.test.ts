/**
 * Determinism: the same record key on the same backend gives the same numbers.
 *
 * 1. Every notebook in notebooks/ runs in the smoke profile with --fresh (seeds in worker threads of
 *    the kernel).
 * 2. Every one of those run records is computed a second time from scratch, in another process and
 *    thread layout (`verify --profile smoke --all`: the record's task on its config and seed), and
 *    its metrics and series must be bit-identical.
 * 3. Notebooks with records that name no task (computed in the kernel by nb.run), and STARC as the
 *    reference, run a second time end to end with --fresh into a separate results folder (one worker
 *    thread instead of two): records, verdicts, tables and figures must be identical.
 *    RLMINI_DETERMINISM_FULL=1 runs every notebook a second time end to end (~15 s per notebook on
 *    2 cores; step 2 costs only the seeds' compute time).
 * Provenance (times, wall times), a record's `timings` (wall-clock measurements the experiment
 * reports) and its free-form `extra` are not compared.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../src/core/records';
import { workspace, cliAsync as cli, snapshotWorkspace, removeDistSnapshot } from '../helpers';

function stableWorkspace(name: string) {
  return snapshotWorkspace(name, { copyRepoNotebooks: true });
}

type WS = ReturnType<typeof workspace>;
const ids = (ws: WS) =>
  fs
    .readdirSync(ws.nbDir)
    .filter((f) => f.endsWith('.ipynb'))
    .map((f) => f.replace(/\.ipynb$/, ''))
    .sort();

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
const numbers = (r: RunRecord) => ({
  ...r,
  provenance: undefined,
  checksum: undefined,
  extra: undefined,
  timings: undefined,
});
const summary = (ws: WS, id: string) =>
  JSON.parse(fs.readFileSync(path.join(ws.dir, 'results', id, 'smoke', 'summary.json'), 'utf8'));

type Run = Awaited<ReturnType<typeof cli>>;

describe('determinism: every notebook, every record computed twice (smoke, --fresh)', () => {
  const a = stableWorkspace('det-a');
  const b = stableWorkspace('det-b');
  const full = process.env.RLMINI_DETERMINISM_FULL === '1';
  let ra: Run;
  let rv: Run;
  let rb: Run | null = null;
  let twice: string[] = [];

  beforeAll(async () => {
    ra = await cli(a, ['reports', '--profile', 'smoke', '--fresh', '--no-figures'], { RLMINI_WORKERS: '2' });
    rv = await cli(a, ['verify', '--profile', 'smoke', '--all', '--sample-seed', '0'], { RLMINI_WORKERS: '2' });
    twice = ids(a).filter((id) => full || id === 'starc' || [...records(a, id).values()].some((r) => !r.task));
    if (twice.length)
      rb = await cli(b, ['reports', '--profile', 'smoke', '--fresh', '--no-figures', '--only', twice.join(',')], {
        RLMINI_WORKERS: '1',
      });
  }, 1_800_000);
  afterAll(() => {
    a.cleanup();
    b.cleanup();
    removeDistSnapshot();
  });

  it('every notebook runs successfully and writes run records', () => {
    expect(ids(a).length).toBeGreaterThan(0);
    expect(ra.status, ra.out).toBe(0);
    expect(ra.out).toMatch(
      new RegExp(`notebooks: ${ids(a).length} \\(${ids(a).length} executed, 0 unchanged\\), 0 failed`),
    );
    for (const id of ids(a)) {
      expect(records(a, id).size, `${id} wrote no run record`).toBeGreaterThan(0);
      expect(summary(a, id).cached.hits, id).toBe(0); // computed, not loaded
    }
  });

  it('every record computed again from its task, in another process, has bit-identical metrics and series', () => {
    const mismatches = rv.out.split('\n').filter((l) => /MISMATCH/.test(l) || /^\s{6}(metrics|series)\./.test(l));
    expect(
      mismatches,
      'records that differ on a second computation ' +
        '(a wall time in metrics — it belongs in RunResult.timings — or an unseeded random number?):\n' +
        mismatches.join('\n'),
    ).toEqual([]);
    let withTask = 0;
    for (const id of ids(a)) {
      for (const [f, rec] of records(a, id)) {
        if (!rec.task) continue;
        withTask++;
        expect(rv.out, `${id}/${f} was not re-derived`).toContain(`✓ ${id}/smoke/records/${f} `);
      }
    }
    expect(withTask).toBeGreaterThan(0);
    if (ids(a).every((id) => [...records(a, id).values()].every((r) => r.task))) expect(rv.status, rv.out).toBe(0);
  });

  it(
    'notebooks run twice end to end ' +
      `(${process.env.RLMINI_DETERMINISM_FULL === '1' ? 'all' : 'STARC and those with in-kernel records'}) ` +
      'give identical records, verdicts, tables and figures',
    () => {
      expect(twice.length).toBeGreaterThan(0);
      expect(rb!.status, rb!.out).toBe(0);
      for (const id of twice) {
        const ra = records(a, id);
        const rb = records(b, id);
        expect([...ra.keys()], id).toEqual([...rb.keys()]);
        for (const [f, rec] of ra) expect(numbers(rec), `${id}/${f}`).toEqual(numbers(rb.get(f)!));
        const sa = summary(a, id);
        const sb = summary(b, id);
        expect(sb.cached.hits, id).toBe(0);
        expect(sa.verdicts, id).toEqual(sb.verdicts);
        expect(sa.tables, id).toEqual(sb.tables);
        expect(sa.figures, id).toEqual(sb.figures);
        expect(sa.records, id).toEqual(sb.records);
      }
    },
  );
});
