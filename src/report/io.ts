/**
 * Writing the reports: atomic writes whose failures say what, where and what to do (as the
 * records-side writes do), clean-up of temp files left by killed writers, and the input stamp that
 * lets a page be re-rendered only when what it shows changed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic, WriteError } from '../core/records';
import { hashValue } from '../core/hash';

export class ReportWriteError extends Error {
  name = 'ReportWriteError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const RERUN = '`npm run reports -- --render-only` (add `--profile smoke` for the smoke pages)';

/** The message for a failed write under reports/: what failed, where, and what to do. */
export function reportWriteMessage(file: string, code: string | undefined, detail: string): string {
  const where = `${file}`;
  const keep = 'The run records and summaries under data/results/ are not affected.';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return (
        `Disk full while writing the reports: ${where} (${code}). ${keep} Free some space (or point ` +
        `RLMINI_REPORTS_DIR at another disk), then run ${RERUN}.`
      );
    case 'EROFS':
      return (
        `Cannot write the reports: ${where} is on a read-only file system (EROFS). ${keep} Point ` +
        `RLMINI_REPORTS_DIR at a writable directory, then run ${RERUN}.`
      );
    case 'EACCES':
    case 'EPERM':
      return (
        `Cannot write the reports: permission denied for ${where} (${code}). ${keep} Check the owner of ` +
        `the folder (\`ls -ld ${path.dirname(file)}\`; e.g. \`sudo chown -R "$USER" ${path.dirname(file)}\` ` +
        `after a run as root), or point RLMINI_REPORTS_DIR at a writable directory, then run ${RERUN}.`
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return (
        `Cannot write the reports: a file is in the way of ${where} (${code}). ${keep} Remove or rename it, ` +
        `then run ${RERUN}.`
      );
    default:
      return `Cannot write the reports: ${where}: ${detail}. ${keep} Fix the cause, then run ${RERUN}.`;
  }
}

function rethrow(e: unknown, file: string): never {
  const err = e as NodeJS.ErrnoException;
  const detail = e instanceof WriteError ? e.message : (err?.message ?? String(e));
  throw new ReportWriteError(reportWriteMessage(file, err?.code, detail), err?.code);
}

/** Write a report file atomically (temp file + rename); a failure is a ReportWriteError. */
export function writeReportFile(file: string, content: string | Uint8Array): void {
  try {
    writeFileAtomic(file, content);
  } catch (e) {
    rethrow(e, file);
  }
}

/** mkdir -p under reports/, with the same messages. */
export function ensureReportDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    rethrow(e, dir);
  }
}

/** Copy a file into reports/ atomically, with the same messages. */
export function copyReportFile(from: string, to: string): void {
  let data: Buffer;
  try {
    data = fs.readFileSync(from);
  } catch (e) {
    throw new Error(`Cannot read ${from} to copy it into the reports: ${(e as Error).message}. Run \`npm ci\`.`);
  }
  writeReportFile(to, data);
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
 * Remove, under `dir` and its subfolders, the temp files (`<file>.tmp-<pid>-<rand>`) of writers that
 * were killed mid-write (their process is gone). They never replace a real file. Returns the paths removed.
 */
export function removeStaleReportTemps(dir: string): string[] {
  const removed: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (depth < 8) walk(p, depth + 1);
        continue;
      }
      const m = /\.tmp-(\d+)-[a-z0-9]*$/.exec(e.name);
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || pidAlive(pid)) continue;
      try {
        fs.rmSync(p, { force: true });
        removed.push(p);
      } catch {
        /* best effort */
      }
    }
  };
  walk(dir, 0);
  return removed;
}

/** The stamp a rendered page carries: a hash of everything it was rendered from. */
export function inputsHash(inputs: unknown): string {
  return hashValue(inputs).slice(0, 32);
}

const STAMP = /<meta name="rlmini-inputs" content="([0-9a-f]{8,64})">/;

/** The input hash stamped in an existing page (read from its first few kilobytes), or null. */
export function stampedHash(file: string): string | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const m = STAMP.exec(buf.subarray(0, n).toString('utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export interface RenderStats {
  rendered: string[];
  unchanged: string[];
}

/**
 * Render a page only when its inputs changed since it was last written: `render(hash)` must put
 * `<meta name="rlmini-inputs" content="<hash>">` in the page's head (the base template does).
 */
export function renderIfChanged(
  file: string,
  inputs: unknown,
  render: (hash: string) => string,
  stats: RenderStats,
): void {
  const hash = inputsHash(inputs);
  if (stampedHash(file) === hash) {
    stats.unchanged.push(file);
    return;
  }
  writeReportFile(file, render(hash));
  stats.rendered.push(file);
}
