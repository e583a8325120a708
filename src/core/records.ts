/**
 * Run records: one JSON file per paper × method × config × seed, written atomically
 * (temp file + fsync + rename) and keyed by a hash of everything that determines it.
 * A checksum inside each record detects truncated or hand-edited files, which are then recomputed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { canonicalJson, hashValue, sha256 } from './hash';
import type { Provenance } from './provenance';
import type { Profile } from './params';

export const RECORD_SCHEMA = 'rl-miniatures/run-record@1';

export interface RecordKeyParts {
  paper: string;
  method: string;
  config: unknown;
  seed: number;
  profile: Profile;
  notebookHash: string;
  libraryHash: string;
  backend: string;
}

export interface RunResult {
  /** Final scalar metrics. */
  metrics: Record<string, number>;
  /** Metric series (learning curves, per-item values). */
  series?: Record<string, number[]>;
  /** Small structured extras (must be JSON). */
  extra?: Record<string, unknown>;
}

export interface RunRecord extends RunResult {
  schema: typeof RECORD_SCHEMA;
  key: string;
  paper: string;
  method: string;
  config: unknown;
  seed: number;
  profile: Profile;
  series: Record<string, number[]>;
  provenance: Provenance;
  checksum: string;
}

export function recordKey(parts: RecordKeyParts): string {
  return hashValue({ schema: RECORD_SCHEMA, ...parts }).slice(0, 32);
}

export function checksumOf(rec: Omit<RunRecord, 'checksum'> | RunRecord): string {
  const { checksum: _c, ...rest } = rec as RunRecord;
  return sha256(canonicalJson(rest));
}

/** Write a file atomically: a reader sees the old file or the complete new one, never a prefix. */
export function writeFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* ignore */ }
    try { fs.unlinkSync(tmp); } catch { /* ignore */ }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new Error(`Disk full while writing ${file}: free some space and re-run; finished records are kept.`);
    throw new Error(`Cannot write ${file}: ${err.message}`);
  }
}

export type RecordReadResult = { ok: true; record: RunRecord } | { ok: false; reason: string } | { ok: false; missing: true; reason: string };

/** Read and verify a record; a truncated, unparsable or edited file is reported, not trusted. */
export function readRecord(file: string): RecordReadResult {
  if (!fs.existsSync(file)) return { ok: false, missing: true, reason: 'missing' };
  let rec: RunRecord;
  try {
    rec = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, reason: `${file}: corrupt record (not valid JSON: ${(e as Error).message}); it will be recomputed` };
  }
  if (!rec || rec.schema !== RECORD_SCHEMA) return { ok: false, reason: `${file}: not a ${RECORD_SCHEMA} record; it will be recomputed` };
  if (checksumOf(rec) !== rec.checksum) return { ok: false, reason: `${file}: checksum mismatch (file edited or damaged); it will be recomputed` };
  return { ok: true, record: rec };
}

export function writeRecord(file: string, rec: Omit<RunRecord, 'checksum'>): RunRecord {
  // Round-trip through JSON first so the checksum covers exactly what is stored (NaN → null, etc.).
  const clean = JSON.parse(JSON.stringify(rec)) as Omit<RunRecord, 'checksum'>;
  const full = { ...clean, checksum: checksumOf(clean) } as RunRecord;
  writeFileAtomic(file, JSON.stringify(full, null, 1) + '\n');
  return full;
}
