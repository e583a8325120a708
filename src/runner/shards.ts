/**
 * Sharded execution (`npm run reports -- --shard I/N`): the notebooks split into N disjoint shards, balanced by
 * their recorded cost, so that N processes (a Slurm job array, a Kubernetes Indexed Job, N terminals) each run
 * one shard into the same results folder and a final `--render-only` renders everything.
 *
 * The assignment is stable: it depends only on the notebook ids and the committed records (the cost of a
 * notebook is the compute time its stored records took, `provenance.wallTimeMs`, plus a fixed per-notebook
 * overhead for the kernel start and the re-execution of its cells), never on the machine or the clock, so every
 * array task computes the same assignment independently. Longest-processing-time-first: notebooks in order of
 * decreasing cost (ties by id) each go to the shard with the smallest load so far (ties by the lower index).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { paths } from '../core/paths';
import type { Profile } from '../core/params';
import { isRecordFile } from '../core/records';

export interface ShardSpec {
  /** 0-based shard index. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** Per-notebook overhead (ms) added to the recorded cost: kernel start and cell re-execution, measured ~10 s. */
export const NOTEBOOK_OVERHEAD_MS = 10_000;

export class ShardError extends Error {}

/** Parses `I/N` (0 ≤ I < N): `--shard 0/3` is the first of three shards. */
export function parseShard(text: string, where = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m)
    throw new ShardError(
      `${where} ${JSON.stringify(text)}: expected I/N with 0 ≤ I < N, e.g. --shard 0/3 for the first of three ` +
        `shards (in a Slurm array: --shard $SLURM_ARRAY_TASK_ID/N).`,
    );
  const index = Number(m[1]),
    count = Number(m[2]);
  if (count < 1) throw new ShardError(`${where} ${text}: the number of shards N must be at least 1.`);
  if (index >= count)
    throw new ShardError(`${where} ${text}: the shard index must be below N (shards are numbered 0 … ${count - 1}).`);
  return { index, count };
}

/**
 * Recorded compute cost (ms) of one notebook's records in a profile: the sum of `provenance.wallTimeMs` over its
 * stored records (0 when it has none yet: a new notebook), without the overhead.
 */
export function recordedCostMs(id: string, profile: Profile, resultsDir = paths.results()): number {
  const dir = path.join(resultsDir, id, profile, 'records');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isRecordFile).sort();
  } catch {
    return 0;
  }
  let ms = 0;
  for (const name of names) {
    try {
      const raw = fs.readFileSync(path.join(dir, name));
      const rec = JSON.parse((name.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
      const w = Number(rec?.provenance?.wallTimeMs);
      if (Number.isFinite(w) && w > 0) ms += w;
    } catch {
      /* a damaged record costs nothing here; the run itself reports it */
    }
  }
  return ms;
}

/** Longest-processing-time-first assignment of weighted items to `count` shards (deterministic). */
export function assignShards(items: { id: string; cost: number }[], count: number): { ids: string[]; cost: number }[] {
  if (!Number.isInteger(count) || count < 1)
    throw new ShardError(`shard count must be a positive integer, got ${count}`);
  const shards = Array.from({ length: count }, () => ({ ids: [] as string[], cost: 0 }));
  const order = [...items].sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const it of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (shards[s].cost < shards[best].cost) best = s;
    shards[best].ids.push(it.id);
    shards[best].cost += it.cost;
  }
  for (const s of shards) s.ids.sort();
  return shards;
}

/** Every notebook's cost (recorded compute + overhead), in the order given. */
export function notebookCosts(ids: string[], profile: Profile, resultsDir = paths.results()) {
  return ids.map((id) => ({ id, cost: recordedCostMs(id, profile, resultsDir) + NOTEBOOK_OVERHEAD_MS }));
}

/** The plan for N shards: each shard's notebooks and cost, and the ideal speed-up (total / largest shard). */
export function shardPlan(ids: string[], profile: Profile, count: number, resultsDir = paths.results()) {
  const items = notebookCosts(ids, profile, resultsDir);
  const shards = assignShards(items, count);
  const total = items.reduce((s, x) => s + x.cost, 0);
  const makespan = Math.max(...shards.map((s) => s.cost));
  return { shards, totalMs: total, makespanMs: makespan, speedup: makespan > 0 ? total / makespan : 1 };
}

/** The notebooks of one shard (sorted ids). */
export function selectShard(ids: string[], profile: Profile, spec: ShardSpec, resultsDir = paths.results()): string[] {
  return assignShards(notebookCosts(ids, profile, resultsDir), spec.count)[spec.index].ids;
}
