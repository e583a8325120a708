/**
 * `rekey`: committed records whose code fingerprint is stale are carried to the current code only after a sample of
 * each task's records is re-derived bit-identically; the re-keyed records are found by the key a notebook computes
 * (cache hits), say where they came from, and keep their numbers. A task whose re-derived record differs is left
 * stale (exit 1) with the difference printed; `--verify all` re-derives every record. Uses STARC's committed full
 * records (~1–2 s each), made stale by rewriting their provenance to an older code fingerprint.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendLabel } from '../../src/core/backend';
import { taskCode } from '../../src/core/provenance';
import { keyPartsOf, readRecord, recordFileName, recordKey, writeRecord, type RunRecord } from '../../src/core/records';
import { ROOT, workspace, cliAsync as cli } from '../helpers';

const SRC = path.join(ROOT, 'data', 'results', 'starc', 'full', 'records');

/** Copies STARC's records into `dir` as if computed by older code (one closure file's hash differs). */
function staleCopies(dir: string, tamper?: (rec: Omit<RunRecord, 'checksum'>, i: number) => void): RunRecord[] {
  fs.mkdirSync(dir, { recursive: true });
  const out: RunRecord[] = [];
  fs.readdirSync(SRC)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .forEach((f, i) => {
      const r = readRecord(path.join(SRC, f));
      if (!r.ok) throw new Error(`committed record damaged: ${f}`);
      const { checksum: _c, ...rec } = r.record;
      const code = { ...rec.provenance.code, 'testbeds/old-file.js': '0123456789abcdef' };
      rec.provenance = { ...rec.provenance, codeHash: 'f'.repeat(64), code };
      tamper?.(rec, i);
      rec.key = recordKey(keyPartsOf(rec as RunRecord));
      writeRecord(path.join(dir, recordFileName(rec.method, rec.seed, rec.key)), rec);
      out.push(rec as RunRecord);
    });
  return out;
}

const env = (dir: string) => ({ RLMINI_RESULTS_DIR: dir, RLMINI_NOTEBOOKS_DIR: path.join(ROOT, 'notebooks') });

describe('rekey', () => {
  const ws = workspace('rekey');
  afterAll(() => ws.cleanup());

  it('re-keys stale records after re-deriving one identically; the notebook finds them under its key', async () => {
    const results = path.join(ws.dir, 'ok');
    const dir = path.join(results, 'starc', 'full', 'records');
    const before = staleCopies(dir);
    const r = await cli(ws, ['rekey', '--only', 'starc'], env(results));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/changed: testbeds\/old-file\.js; re-deriving 1/);
    expect(r.out).toContain(`${before.length} record(s) re-keyed (1 re-derived identically)`);
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(before.length);
    const code = taskCode(before[0].task!, path.join(ROOT, 'dist'));
    for (const old of before) {
      // The key a notebook computes for this method, config and seed under the current code: a cache hit.
      const key = recordKey({ ...keyPartsOf(old as RunRecord), codeHash: code.hash, backend: backendLabel() });
      const got = readRecord(path.join(dir, recordFileName(old.method, old.seed, key)));
      expect(got.ok).toBe(true);
      if (!got.ok) continue;
      expect(got.record.metrics).toEqual(JSON.parse(JSON.stringify(old.metrics)));
      expect(got.record.series).toEqual(JSON.parse(JSON.stringify(old.series)));
      expect(got.record.provenance.codeHash).toBe(code.hash);
      expect(got.record.provenance.rekeyed?.fromKey).toBe(old.key);
      expect(got.record.provenance.rekeyed?.changed).toEqual(['testbeds/old-file.js']);
      expect(got.record.provenance.rekeyed?.verifiedBy).toHaveLength(1);
    }
    // Idempotent: a second run finds every record current.
    const again = await cli(ws, ['rekey', '--only', 'starc'], env(results));
    expect(again.status, again.out).toBe(0);
    expect(again.out).toContain(`rekey: ${before.length} record(s) already current; 0 re-keyed`);
  });

  it('leaves a task stale when a re-derived record differs; --verify all checks every record', async () => {
    // Tamper with the last record's numbers: the cheapest-first sample of 1 may miss it, --verify all cannot.
    const results = path.join(ws.dir, 'bad');
    const dir = path.join(results, 'starc', 'full', 'records');
    let n = 0;
    const before = staleCopies(dir, (rec, i) => {
      n = i;
      if (i === 10) rec.metrics = { ...rec.metrics, 'starc/spearman': rec.metrics['starc/spearman'] + 1e-6 };
    });
    expect(n).toBe(before.length - 1);
    const names = fs.readdirSync(dir).sort();
    const r = await cli(ws, ['rekey', '--only', 'starc', '--verify', 'all'], env(results));
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/metrics\.starc\/spearman: committed .*, re-derived/);
    expect(r.out).toContain('the current code gives different numbers; its records must be recomputed');
    expect(fs.readdirSync(dir).sort()).toEqual(names);
  });

  it('--task-keys moves notebook-keyed records to task keys, re-deriving none if the code is unchanged', async () => {
    const results = path.join(ws.dir, 'scheme');
    const dir = path.join(results, 'starc', 'full', 'records');
    fs.mkdirSync(dir, { recursive: true });
    const code = taskCode('papers/starc/experiment#runSeed', path.join(ROOT, 'dist'));
    const before: RunRecord[] = [];
    for (const f of fs.readdirSync(SRC).filter((x) => x.endsWith('.json.gz'))) {
      const r = readRecord(path.join(SRC, f));
      if (!r.ok) throw new Error(`committed record damaged: ${f}`);
      const { checksum: _c, ...rec } = r.record;
      // As computed under the old scheme: the notebook's hash in the key, the current code.
      rec.provenance = { ...rec.provenance, notebookHash: 'a'.repeat(64), codeHash: code.hash, code: code.files };
      rec.key = recordKey(keyPartsOf(rec as RunRecord));
      writeRecord(path.join(dir, recordFileName(rec.method, rec.seed, rec.key)), rec);
      before.push(rec as RunRecord);
    }
    expect(before[0].task).toBe('papers/starc/experiment#runSeed');
    // Without the flag they are current (their code hash is), so nothing moves.
    const plain = await cli(ws, ['rekey', '--only', 'starc'], env(results));
    expect(plain.status, plain.out).toBe(0);
    expect(plain.out).toContain(`rekey: ${before.length} record(s) already current; 0 re-keyed`);
    const r = await cli(ws, ['rekey', '--only', 'starc', '--task-keys'], env(results));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('code unchanged, notebook hash dropped from the key (--task-keys): re-deriving none');
    expect(r.out).toContain(`${before.length} record(s) re-keyed (key scheme only: code unchanged)`);
    expect(fs.readdirSync(dir)).toHaveLength(before.length);
    for (const old of before) {
      const key = recordKey({ ...keyPartsOf(old), notebookHash: 'task-keyed' });
      expect(key).not.toBe(old.key);
      const got = readRecord(path.join(dir, recordFileName(old.method, old.seed, key)));
      expect(got.ok).toBe(true);
      if (!got.ok) continue;
      expect(got.record.metrics).toEqual(JSON.parse(JSON.stringify(old.metrics)));
      expect(got.record.provenance.notebookHash).toBe('task-keyed');
      expect(got.record.provenance.rekeyed?.fromKey).toBe(old.key);
      expect(got.record.provenance.rekeyed?.fromNotebookHash).toBe('a'.repeat(64));
      expect(got.record.provenance.rekeyed?.verifiedBy).toEqual([]);
      expect(got.record.provenance.rekeyed?.changed).toEqual([]);
    }
    const again = await cli(ws, ['rekey', '--only', 'starc', '--task-keys'], env(results));
    expect(again.out).toContain(`rekey: ${before.length} record(s) already current; 0 re-keyed`);
  });

  it('--task-keys still re-derives where the code changed too', async () => {
    const results = path.join(ws.dir, 'scheme-code');
    const dir = path.join(results, 'starc', 'full', 'records');
    const before = staleCopies(dir, (rec) => {
      rec.provenance = { ...rec.provenance, notebookHash: 'b'.repeat(64) };
    });
    const r = await cli(ws, ['rekey', '--only', 'starc', '--task-keys'], env(results));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/changed: testbeds\/old-file\.js; re-deriving 1/);
    const got = fs.readdirSync(dir).map((f) => readRecord(path.join(dir, f)));
    expect(got).toHaveLength(before.length);
    for (const g of got) {
      expect(g.ok).toBe(true);
      if (!g.ok) continue;
      expect(g.record.provenance.notebookHash).toBe('task-keyed');
      expect(g.record.provenance.rekeyed?.verifiedBy).toHaveLength(1);
      expect(g.record.provenance.rekeyed?.fromNotebookHash).toBe('b'.repeat(64));
    }
  });

  it('refuses bad arguments with the usage', async () => {
    const a = await cli(ws, ['rekey'], env(path.join(ws.dir, 'none')));
    expect(a.status).toBe(2);
    expect(a.out).toContain('rekey: name the papers whose records to carry (--only <id>,...)');
    const b = await cli(ws, ['rekey', '--only', 'starc', '--verify', '0'], env(path.join(ws.dir, 'none')));
    expect(b.status).toBe(2);
    expect(b.out).toContain("rekey: --verify takes a positive integer or 'all', got 0");
  });
});
