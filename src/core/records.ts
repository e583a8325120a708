/**
 * Run records: one file per paper × method × config × seed, written atomically
 * (temp file + fsync + rename) and keyed by a hash of everything that determines it.
 * A checksum inside each record detects truncated or hand-edited files, which are then recomputed.
 *
 * Format: `<method>.seed<seed>.<key>.json.gz`, gzip-compressed minified JSON (read one with
 * `zcat file | python3 -m json.tool`); plain `.json` files are read too. About a quarter of the bytes
 * of indented JSON, with every float64 kept exactly (shortest round-trip decimal).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
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
  /** Hash of the compiled code the task can execute (its import closure; see core/code-closure). */
  codeHash: string;
  backend: string;
}

export interface RunResult {
  /** Final scalar metrics. */
  metrics: Record<string, number>;
  /** Metric series (learning curves, per-item values). */
  series?: Record<string, number[]>;
  /** Small structured extras (must be JSON). Not compared by determinism checks or `verify`. */
  extra?: Record<string, unknown>;
  /**
   * Wall-clock measurements (ms) the experiment itself reports, e.g. for a speed claim. They are not
   * reproducible, so they must not be in `metrics`/`series` (whose values `verify` and the
   * determinism test require to be bit-identical); they are kept here and never compared.
   */
  timings?: Record<string, number>;
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
  /**
   * The library task that computed it ('<module>#<export>' under dist/), when run through runSeeds: lets `verify`
   * re-derive it.
   */
  task?: string;
  provenance: Provenance;
  checksum: string;
}

export const RECORD_EXT = '.json.gz';

/** File name of a record: `<method>.seed<seed>.<key>.json.gz` (method made file-name safe). */
export function recordFileName(method: string, seed: number, key: string): string {
  return `${method.replace(/[^a-zA-Z0-9_.-]/g, '_')}.seed${seed}.${key}${RECORD_EXT}`;
}

/** Is this file name a record (`.json.gz`, or a plain `.json` written by an older kit)? */
export function isRecordFile(name: string): boolean {
  return (name.endsWith('.json.gz') || name.endsWith('.json')) && !name.includes(TMP_MARK);
}

/** The key parts a stored record claims (to recompute its key and compare with its file name). */
export function keyPartsOf(rec: RunRecord): RecordKeyParts {
  return {
    paper: rec.paper,
    method: rec.method,
    config: rec.config,
    seed: rec.seed,
    profile: rec.profile,
    notebookHash: rec.provenance?.notebookHash,
    codeHash: rec.provenance?.codeHash,
    backend: rec.provenance?.backend,
  };
}

export function recordKey(parts: RecordKeyParts): string {
  return hashValue({ schema: RECORD_SCHEMA, ...parts }).slice(0, 32);
}

export function checksumOf(rec: Omit<RunRecord, 'checksum'> | RunRecord): string {
  const { checksum: _c, ...rest } = rec as RunRecord;
  return sha256(canonicalJson(rest));
}

const TMP_MARK = '.tmp-';

/** What to tell the user for a failed write, by error code. */
function writeErrorMessage(file: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `Disk full while writing ${file} (${err.code}): free some space and re-run; finished records are kept.`;
    case 'EROFS':
      return (
        `Cannot write ${file}: the file system is read-only (EROFS). Point RLMINI_RESULTS_DIR / ` +
        `RLMINI_REPORTS_DIR at a writable directory.`
      );
    case 'EACCES':
    case 'EPERM':
      return `Cannot write ${file}: permission denied (${err.code}). Check the directory's owner and permissions.`;
    default:
      return `Cannot write ${file}: ${err.message}`;
  }
}

export class WriteError extends Error {
  name = 'WriteError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Write a file atomically: a reader sees the old file or the complete new one, never a prefix.
 * Temp file in the same directory + fsync + rename (+ fsync of the directory, best effort). On any
 * error the temp file is removed and the old file is left as it was.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2)}`;
  let fd: number | null = null;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'w');
    const buf =
      typeof content === 'string'
        ? Buffer.from(content, 'utf8')
        : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null)
      try {
        fs.closeSync(fd);
      } catch {
        /* ignore */
      }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    const err = e as NodeJS.ErrnoException;
    throw new WriteError(writeErrorMessage(file, err), err.code);
  }
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced on every platform; the rename itself is atomic */
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files left in `dir` by writers that were killed mid-write (`<file>.tmp-<pid>-<rand>`
 * whose process is gone). They never replace a real file, so this is tidying, not recovery.
 * Returns the removed paths.
 */
export function removeStaleTempFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = /\.tmp-(\d+)-[a-z0-9]*$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(path.join(dir, name));
    } catch {
      /* ignore */
    }
  }
  return removed;
}

export type RecordReadResult =
  { ok: true; record: RunRecord } | { ok: false; reason: string } | { ok: false; missing: true; reason: string };

/** Read and verify a record; a truncated, unparsable or edited file is reported, not trusted. */
export function readRecord(file: string): RecordReadResult {
  if (!fs.existsSync(file)) return { ok: false, missing: true, reason: 'missing' };
  let rec: RunRecord;
  try {
    const raw = fs.readFileSync(file);
    rec = JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
  } catch (e) {
    return {
      ok: false,
      reason: `${file}: corrupt record (not valid JSON: ${(e as Error).message}); it will be recomputed`,
    };
  }
  if (!rec || rec.schema !== RECORD_SCHEMA)
    return { ok: false, reason: `${file}: not a ${RECORD_SCHEMA} record; it will be recomputed` };
  if (checksumOf(rec) !== rec.checksum)
    return { ok: false, reason: `${file}: checksum mismatch (file edited or damaged); it will be recomputed` };
  // Bound to where it sits: the key it stores must be the key of what it claims to be, and its file name
  // must carry that key, method and seed (a record copied over another seed's file, or one whose fields
  // were edited with a recomputed checksum, is rejected here).
  const name = path.basename(file);
  const expectedName = recordFileName(rec.method, rec.seed, rec.key);
  if (name !== expectedName && name !== expectedName.replace(/\.gz$/, '')) {
    return {
      ok: false,
      reason:
        `${file}: the record inside is ${rec.method} seed ${rec.seed} key ${rec.key}, not what its file name ` +
        `says (copied or renamed); it will be recomputed`,
    };
  }
  if (rec.provenance?.codeHash !== undefined && recordKey(keyPartsOf(rec)) !== rec.key) {
    return {
      ok: false,
      reason:
        `${file}: its stored key does not match the key recomputed from its contents (edited config, seed, ` +
        `method or provenance); it will be recomputed`,
    };
  }
  return { ok: true, record: rec };
}

export function writeRecord(file: string, rec: Omit<RunRecord, 'checksum'>): RunRecord {
  // Round-trip through JSON first so the checksum covers exactly what is stored (NaN → null, etc.).
  const clean = JSON.parse(JSON.stringify(rec)) as Omit<RunRecord, 'checksum'>;
  const full = { ...clean, checksum: checksumOf(clean) } as RunRecord;
  const text = JSON.stringify(full);
  writeFileAtomic(file, file.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : text + '\n');
  return full;
}
