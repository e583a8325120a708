/**
 * Determinism: the same record key on the same backend gives the same numbers.
 *
 * Which notebooks: a deterministic, rotating sample of K of them (K = 6 by default,
 * RLMINI_DETERMINISM_K to change it), plus `starc` always (the reference). The sample is drawn from a
 * seed, the HEAD commit hash (RLMINI_DETERMINISM_SEED overrides it, to re-run the sample of another
 * commit), so every commit tests a different subset and the same commit always the same one; the
 * sample and its seed are printed. RLMINI_DETERMINISM_FULL=1 takes every notebook (and runs every one
 * twice end to end).
 *
 * 1. The sampled notebooks run in the smoke profile with --fresh (seeds in worker threads of the kernel).
 * 2. Every one of those run records is computed a second time from scratch, in another process and
 *    thread layout (`verify --profile smoke --all`: the record's task on its config and seed), and
 *    its metrics and series must be bit-identical.
 * 3. Sampled notebooks with records that name no task (computed in the kernel by nb.run), and STARC as
 *    the reference, run a second time end to end with --fresh into a separate results folder (one
 *    worker thread instead of two): records, verdicts, tables and figures must be identical.
 * Provenance (times, wall times), a record's `timings` (wall-clock measurements the experiment
 * reports) and its free-form `extra` are not compared.
 *
 * How its time grows: with K, not with the number of notebooks. Each sampled notebook costs its smoke
 * run, the re-derivation of its records and, for STARC and notebooks with in-kernel records, a second
 * run: about a minute per notebook on 2 shared cores (measured: 7 notebooks, two of them GRU ones, in
 * 8 minutes), so some 7-10 minutes whether the kit has 19 notebooks or 160. Drawing the sample is
 * linear in the number of notebooks (one hash each). RLMINI_DETERMINISM_FULL=1 grows linearly with the
 * number of notebooks (about a minute each: 2.5-3 hours at 160), for a nightly or pre-release run.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/hash';
import { readRecord, type RunRecord } from '../../src/core/records';
import { ROOT, workspace, cliAsync as cli, snapshotWorkspace, removeDistSnapshot } from '../helpers';

/** Notebooks always in the sample (the reference). */
const ALWAYS = ['starc'];

/**
 * K notebooks ranked by sha256(seed, id), plus the ALWAYS ones: deterministic for a seed, a different
 * subset for another seed, every notebook equally likely.
 */
function sampleNotebooks(all: string[], k: number, seed: string): string[] {
  const rest = all
    .filter((id) => !ALWAYS.includes(id))
    .map((id) => ({ id, rank: sha256(`${seed}\0${id}`) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, Math.max(0, k))
    .map((x) => x.id);
  return [...ALWAYS.filter((id) => all.includes(id)), ...rest].sort();
}

/** The sample seed: RLMINI_DETERMINISM_SEED, else the HEAD commit hash. */
function sampleSeed(): string {
  if (process.env.RLMINI_DETERMINISM_SEED) return process.env.RLMINI_DETERMINISM_SEED;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'no-git-commit';
  }
}

const repoNotebooks = fs
  .readdirSync(path.join(ROOT, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .map((f) => f.replace(/\.ipynb$/, ''))
  .sort();
const FULL = process.env.RLMINI_DETERMINISM_FULL === '1';
const K = process.env.RLMINI_DETERMINISM_K ? Number(process.env.RLMINI_DETERMINISM_K) : 6;
const SEED = sampleSeed();
/**
 * Notebooks left out of the rotating sample (not of RLMINI_DETERMINISM_FULL): their smoke run and its re-derivation
 * do not fit this test's budget (600 s per command, 30 min in all). testbed-reasoning-countdown: drawn by the sample of
 * commit ac42297c, its smoke run was still training when the 600 s ran out. Their records' determinism is checked by
 * `verify` (CI's rotating sample of full records) and by `rekey --verify` whenever their code changes.
 */
const TOO_SLOW = ['testbed-reasoning-countdown'];
const SAMPLE = FULL
  ? repoNotebooks
  : sampleNotebooks(
      repoNotebooks.filter((id) => !TOO_SLOW.includes(id)),
      K,
      SEED,
    );

/** A workspace holding only the sampled notebooks. */
function stableWorkspace(name: string) {
  const ws = snapshotWorkspace(name, { copyRepoNotebooks: true });
  for (const f of fs.readdirSync(ws.nbDir))
    if (!SAMPLE.includes(f.replace(/\.ipynb$/, ''))) fs.rmSync(path.join(ws.nbDir, f));
  return ws;
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

describe('the determinism sample', () => {
  it('is deterministic per seed, rotates with the seed, always holds starc, and has K + 1 notebooks', () => {
    const ids = Array.from({ length: 160 }, (_, i) => `paper-${i}`).concat(['starc']);
    const one = sampleNotebooks(ids, 6, 'commit-a');
    expect(sampleNotebooks(ids, 6, 'commit-a')).toEqual(one);
    expect(one).toHaveLength(7);
    expect(one).toContain('starc');
    const seeds = Array.from({ length: 20 }, (_, i) => `commit-${i}`);
    const covered = new Set(seeds.flatMap((s) => sampleNotebooks(ids, 6, s)));
    expect(covered.size).toBeGreaterThan(60); // 20 commits cover many different notebooks
    expect(sampleNotebooks(['starc', 'x'], 6, 's')).toEqual(['starc', 'x']);
  });
});

const WHICH = FULL ? 'every notebook' : `a sample of ${K} notebooks and starc`;

describe(`determinism: ${WHICH}, every record computed twice (smoke, --fresh)`, () => {
  const a = stableWorkspace('det-a');
  const b = stableWorkspace('det-b');
  const full = FULL;
  let ra: Run;
  let rv: Run;
  let rb: Run | null = null;
  let twice: string[] = [];

  beforeAll(async () => {
    console.log(
      `determinism: ${FULL ? 'all' : `sample of ${K} + starc`} of ${repoNotebooks.length} notebooks, seed ${SEED}` +
        `${FULL ? '' : ` (RLMINI_DETERMINISM_SEED=${SEED} re-runs this sample)`}: ${SAMPLE.join(', ')}`,
    );
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
