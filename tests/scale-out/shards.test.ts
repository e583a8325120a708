/**
 * Sharded execution: the shard assignment (stable, disjoint, covering, balanced: longest-processing-time-first
 * within 4/3 of the optimal makespan, checked against brute force) and create-if-absent record writes from
 * concurrent processes (first writer wins, every writer adopts identical bytes, no temp files left).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { readRecord, recordFileName } from '../../src/core/records';
import { storeRecord } from '../../src/core/record-store';
import { listNotebooks } from '../../src/runner/run-all';
import { assignShards, parseShard, selectShard, shardPlan } from '../../src/runner/shards';
import { ROOT } from '../helpers';

describe('--shard I/N', () => {
  it('parses I/N and names what is wrong otherwise', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/must be below N \(shards are numbered 0 … 2\)/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('a/b')).toThrow(/expected I\/N .*SLURM_ARRAY_TASK_ID/);
    expect(() => parseShard('-1/2')).toThrow(/expected I\/N/);
  });

  it('assigns every item to exactly one shard, independent of input order', () => {
    const rng = new Rng(7);
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, cost: rng.int(1000) }));
    const a = assignShards(items, 5);
    const b = assignShards([...items].reverse(), 5);
    expect(a).toEqual(b);
    const all = a.flatMap((s) => s.ids).sort();
    expect(all).toEqual(items.map((x) => x.id).sort());
    for (const s of a) expect(s.cost).toBe(s.ids.reduce((t, id) => t + items.find((x) => x.id === id)!.cost, 0));
  });

  it('is within 4/3 of the optimal makespan (brute force over all assignments)', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 30; trial++) {
      const n = 3 + rng.int(5),
        m = 2 + rng.int(2);
      const items = Array.from({ length: n }, (_, i) => ({ id: `x${i}`, cost: 1 + rng.int(100) }));
      let best = Infinity;
      for (let code = 0; code < m ** n; code++) {
        const load = new Array(m).fill(0);
        let c = code;
        for (let i = 0; i < n; i++, c = Math.floor(c / m)) load[c % m] += items[i].cost;
        best = Math.min(best, Math.max(...load));
      }
      const lpt = Math.max(...assignShards(items, m).map((s) => s.cost));
      expect(lpt).toBeGreaterThanOrEqual(best);
      expect(lpt).toBeLessThanOrEqual((4 / 3 - 1 / (3 * m)) * best + 1e-9);
    }
  });

  it('splits the repository notebooks into disjoint shards that cover them (committed full records)', () => {
    const ids = listNotebooks();
    const shards = [0, 1, 2].map((index) => selectShard(ids, 'full', { index, count: 3 }));
    expect(shards.flat().sort()).toEqual([...ids].sort());
    expect(new Set(shards.flat()).size).toBe(ids.length);
    const plan = shardPlan(ids, 'full', 3);
    expect(plan.speedup).toBeGreaterThan(1);
    expect(plan.speedup).toBeLessThanOrEqual(3);
    // More shards than notebooks: the extra shards are empty, never an error.
    const many = selectShard(ids, 'full', { index: ids.length + 1, count: ids.length + 2 });
    expect(many).toEqual([]);
  });
});

describe('records written concurrently (create-if-absent)', () => {
  const NAME = recordFileName('m', 0, 'k'.repeat(32));
  const rec = (host: string) => ({
    schema: 'rl-miniatures/run-record@1' as const,
    key: 'k'.repeat(32),
    paper: 'p',
    method: 'm',
    config: { a: 1 },
    seed: 0,
    profile: 'smoke' as const,
    metrics: { x: 1.5 },
    series: { s: [1, 2, 3] },
    provenance: { host } as never,
  });

  it('the first writer wins; later writers adopt its record', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-store-'));
    const file = path.join(dir, 'records', NAME);
    const a = storeRecord(file, rec('a'));
    const b = storeRecord(file, rec('b'));
    expect(a.written).toBe(true);
    expect(b.written).toBe(false);
    expect(b.record.checksum).toBe(a.record.checksum);
    expect((b.record.provenance as unknown as { host: string }).host).toBe('a');
    // A damaged file is replaced, and --fresh replaces.
    fs.writeFileSync(file, 'not gzip');
    expect(storeRecord(file, rec('c')).written).toBe(true);
    const r = readRecord(file);
    expect(r.ok && (r.record.provenance as unknown as { host: string }).host).toBe('c');
    expect(storeRecord(file, rec('d'), { replace: true }).written).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual([NAME]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('8 processes writing the same key at once: one record, identical bytes for all, no temp files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-store-'));
    const file = path.join(dir, 'records', NAME);
    const store = path.join(ROOT, 'dist', 'core', 'record-store.js');
    const startAt = Date.now() + 1500;
    const script = (i: number) =>
      `const {storeRecord}=require(${JSON.stringify(store)});` +
      `while(Date.now()<${startAt});` +
      `const r=storeRecord(${JSON.stringify(file)},${JSON.stringify(rec(`w${i}`))});` +
      `process.stdout.write(JSON.stringify({written:r.written,checksum:r.record.checksum}));`;
    const outs = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          new Promise<{ written: boolean; checksum: string }>((resolve, reject) => {
            const p = spawn(process.execPath, ['-e', script(i)]);
            let out = '';
            p.stdout.on('data', (d) => (out += d));
            p.stderr.on('data', (d) => (out += d));
            p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(out))));
          }),
      ),
    );
    const stored = readRecord(file);
    expect(stored.ok).toBe(true);
    if (!stored.ok) return;
    expect(outs.filter((o) => o.written)).toHaveLength(1);
    for (const o of outs) expect(o.checksum).toBe(stored.record.checksum);
    expect(fs.readdirSync(path.dirname(file))).toEqual([NAME]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
