/**
 * Storing a run record when several processes may compute the same one at once (shards of a Slurm job array or a
 * Kubernetes Indexed Job writing into one shared results folder, two `npm run reports` on one machine).
 *
 * Create-if-absent: the record is written to a temporary file (fsync'd), then hard-linked to its name, which is
 * atomic and fails if the name exists. The first writer wins; a later writer of the same key finds the stored
 * record and adopts it, so every process (and every summary built from it) sees identical bytes for identical
 * keys. A stored file that is not an intact record of that key (truncated, hand-edited) is replaced atomically;
 * `replace` (a `--fresh` run) always replaces. Where hard links are not supported (some network or FUSE file
 * systems), the write falls back to an atomic rename, last writer wins: the records' metrics are identical for
 * identical keys (the runs are deterministic), only their provenance differs.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { checksumOf, readRecord, writeFileAtomic, WriteError, type RunRecord } from './records';

export interface StoreResult {
  record: RunRecord;
  /** false: another writer had stored this key first and its record was adopted. */
  written: boolean;
}

/** Serialises a record as stored (checksum over the JSON round-trip; gzip for `.json.gz`). */
export function encodeRecord(file: string, rec: Omit<RunRecord, 'checksum'>): { record: RunRecord; bytes: Buffer } {
  const clean = JSON.parse(JSON.stringify(rec)) as Omit<RunRecord, 'checksum'>;
  const record = { ...clean, checksum: checksumOf(clean) } as RunRecord;
  const text = JSON.stringify(record);
  return { record, bytes: file.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : Buffer.from(text + '\n') };
}

export function storeRecord(
  file: string,
  rec: Omit<RunRecord, 'checksum'>,
  o: { replace?: boolean } = {},
): StoreResult {
  const { record, bytes } = encodeRecord(file, rec);
  if (o.replace) {
    writeFileAtomic(file, bytes);
    return { record, written: true };
  }
  // The complete record goes to a staged name first (itself written atomically, with the kit's write errors:
  // disk full, read-only, permissions), named after the record file.
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileAtomic(tmp, bytes);
  } catch (e) {
    if (e instanceof WriteError) throw new WriteError(e.message.split(tmp).join(file), e.code);
    throw e;
  }
  try {
    fs.linkSync(tmp, file);
    return { record, written: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      const stored = readRecord(file);
      if (stored.ok && stored.record.key === record.key) return { record: stored.record, written: false };
      // Not an intact record of this key: replace it (atomically).
      fs.renameSync(tmp, file);
      return { record, written: true };
    }
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK') {
      fs.renameSync(tmp, file);
      return { record, written: true };
    }
    const err = e as NodeJS.ErrnoException;
    throw new WriteError(`Cannot write ${file}: ${err.message}`, err.code);
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* renamed or already gone */
    }
  }
}
