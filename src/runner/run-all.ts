/**
 * `npm run reports`: execute every notebook through the tslab kernel (in parallel across cores),
 * skip the ones whose inputs did not change, then render the reports. One failing notebook never
 * stops the others; the exit status says whether all succeeded.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCatalog } from '../core/catalog';
import { hashValue, sha256 } from '../core/hash';
import {
  cellSource,
  notebookCodeHash,
  parseNotebook,
  readNotebook,
  readNotebookText,
  type Notebook,
} from '../core/ipynb';
import { checkProfile, type Profile } from '../core/params';
import { executedNotebookFile } from '../core/executed';
import { paths } from '../core/paths';
import { notebookCode } from '../core/provenance';
import { acquireLock, type HeldLock } from '../core/lock';
import { readRecord, recordFileName, removeStaleTempFiles, writeFileAtomic } from '../core/records';
import { executeNotebook, resultsWriteErrorMessage, unfinishedRunMessage, type ExecuteResult } from './execute';
import {
  cellTimeoutMs,
  KernelMissingError,
  killAllKernelsSync,
  liveKernels,
  shutdownAllKernels,
  tslabBin,
} from './kernel';
import { checkParameterOverrides, declaredProfiles } from './params-check';
import { selectShard, type ShardSpec } from './shards';
import { Progress } from './progress';

export interface RunAllOptions {
  profile: Profile;
  only: string[];
  fresh: boolean;
  jobs: number;
  cellTimeoutS: number;
  params: Record<string, unknown>;
  /** `--publish`: re-run (from cached records) full results that were computed from a dirty tree, to re-stamp them. */
  publish?: boolean;
  /** `--shard I/N`: only the notebooks of shard I (runner/shards: stable, balanced by recorded cost). */
  shard?: ShardSpec | null;
}

export interface NotebookOutcome extends ExecuteResult {
  cached: boolean;
}

/**
 * Why a notebook whose inputs did not change must still run: a run record it used is missing or
 * fails its checksum (truncated, edited by hand). Returns the problems, one per file; [] = intact.
 */
export function damagedRecords(id: string, profile: Profile): string[] {
  const dir = path.join(paths.results(), id, profile);
  let summary: { records?: { key: string; method: string; seed: number }[] };
  try {
    summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  } catch (e) {
    return [`${path.join(dir, 'summary.json')}: unreadable (${(e as Error).message}); the notebook will be re-run`];
  }
  const out: string[] = [];
  for (const r of summary.records ?? []) {
    const file = path.join(dir, 'records', recordFileName(r.method, r.seed, r.key));
    const got = readRecord(file);
    if (!got.ok) out.push('missing' in got ? `${file}: record missing; it will be recomputed` : got.reason);
  }
  return out;
}

/** Exit status for a signal, as shells report it (128 + number). */
function signalExitCode(sig: NodeJS.Signals): number {
  return sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : sig === 'SIGHUP' ? 129 : 1;
}

/**
 * While notebooks run: Ctrl-C / SIGTERM / SIGHUP shut the kernels down (a second signal kills them
 * at once) and exit non-zero with a message; finished records are kept. On any exit, kernels still
 * alive are killed. Returns the function that removes the handlers.
 */
function guardKernels(onStop: () => void): () => void {
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    const code = signalExitCode(sig);
    if (stopping) {
      killAllKernelsSync();
      process.stderr.write(`rl-miniatures: ${sig} again; killed the kernels.\n`);
      process.exit(code);
    }
    stopping = true;
    onStop();
    process.stderr.write(`\nrl-miniatures: interrupted (${sig}); shutting down ${liveKernels()} kernel(s)…\n`);
    const force = setTimeout(() => {
      killAllKernelsSync();
      process.exit(code);
    }, 6000);
    void shutdownAllKernels(1000).finally(() => {
      clearTimeout(force);
      process.stderr.write(
        `rl-miniatures: stopped by ${sig}; no kernel left running. Finished run records are kept: re-run the same ` +
          `command to continue from them.\n`,
      );
      process.exit(code);
    });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', killAllKernelsSync);
  return () => {
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', killAllKernelsSync);
  };
}

export function listNotebooks(dir = paths.notebooks()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .map((f) => path.basename(f, '.ipynb'))
    .sort();
}

/** What determines a notebook's outputs (sources, not saved outputs). */
export function notebookInputHash(file: string, profile: Profile, params: Record<string, unknown>): string {
  return notebookInputHashOf(readNotebook(file), file, profile, params);
}

/** notebookInputHash of a notebook already read (the content that is executed). */
export function notebookInputHashOf(
  nb: Notebook,
  file: string,
  profile: Profile,
  params: Record<string, unknown>,
): string {
  const md = nb.cells
    .filter((c) => c.cell_type !== 'code')
    .map(cellSource)
    .join('\n\u0000\n');
  return hashValue({
    code: notebookCodeHash(nb),
    params: nb.cells.filter((c) => c.metadata?.tags?.includes('parameters')).map(cellSource),
    md: sha256(md),
    paper: nb.metadata.paper ?? null,
    profile,
    overrides: params,
    library: notebookCode(
      path.basename(file, '.ipynb'),
      nb.cells
        .filter((c) => c.cell_type === 'code')
        .map(cellSource)
        .join('\n'),
    ).hash,
    backend: process.env.RLMINI_BACKEND ?? 'auto',
    // the nn engine of engine-aware tasks (nn/active-engine.ts); absent when unset, so existing hashes stay
    ...(process.env.RLMINI_ENGINE ? { engine: process.env.RLMINI_ENGINE } : {}),
  });
}

/** Edit distance (Levenshtein) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The closest known id within a small edit distance (or sharing a prefix), if any. */
export function didYouMean(id: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of new Set(known)) {
    const dist = editDistance(id, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(id.length / 4)) ? best : null;
}

export class SelectionError extends Error {
  name = 'SelectionError';
}

export function validateSelection(only: string[], available: string[]): void {
  if (only.length === 0) return;
  let catalogIds: Set<string> | null = null;
  try {
    catalogIds = new Set(readCatalog().map((p) => p.id));
  } catch {
    catalogIds = null;
  }
  for (const id of only) {
    if (available.includes(id)) continue;
    if (catalogIds?.has(id)) {
      throw new SelectionError(
        `--only ${id}: the paper is in the catalog but has no notebook yet (notebooks/${id}.ipynb). Notebooks ` +
          `present: ${available.join(', ') || 'none'}.`,
      );
    }
    const near = didYouMean(id, [...available, ...(catalogIds ?? [])]);
    throw new SelectionError(
      `--only ${id}: unknown paper id.${near ? ` Did you mean ${near}?` : ''} Notebooks present: ` +
        `${available.join(', ') || 'none'} (ids are file names in notebooks/ without .ipynb).`,
    );
  }
}

/**
 * The notebooks to run in `profile`. `smoke` and `full` are declared by every notebook; `large` is optional, so
 * `--profile large` runs only the notebooks whose startNotebook defaults declare it (read from their code without
 * running them), and naming one that does not (`--only`) is an error that lists those that do.
 */
export function selectForProfile(ids: string[], profile: Profile, named: boolean): string[] {
  if (profile !== 'large') return ids;
  const has = (id: string) =>
    declaredProfiles(readNotebook(path.join(paths.notebooks(), `${id}.ipynb`)))?.includes('large') ?? false;
  const missing = named ? ids.filter((id) => !has(id)) : [];
  if (missing.length) {
    const withLarge = listNotebooks().filter(has);
    throw new SelectionError(
      `--profile large: ${missing.join(', ')} declare${missing.length === 1 ? 's' : ''} no large profile (no ` +
        '`large: { … }` in the defaults of its startNotebook call). Notebooks with a large profile: ' +
        `${withLarge.join(', ') || 'none'}.`,
    );
  }
  return ids.filter(has);
}

export async function runAll(opts: RunAllOptions): Promise<NotebookOutcome[]> {
  checkProfile(opts.profile, '--profile');
  const cellMs = cellTimeoutMs(opts.cellTimeoutS);
  const available = listNotebooks();
  validateSelection(opts.only, available);
  const selected = selectForProfile(opts.only.length ? opts.only : available, opts.profile, opts.only.length > 0);
  const ids = opts.shard ? selectShard(selected, opts.profile, opts.shard) : selected;
  // Before any work: the overrides must fit every selected notebook, and the kernel must exist.
  checkParameterOverrides(
    ids.map((id) => path.join(paths.notebooks(), `${id}.ipynb`)),
    opts.params,
    opts.profile,
  );
  if (ids.length) preflightKernel();
  // Executed notebooks per profile (reports/notebooks/<profile>/): the skip check reads the same profile's.
  const outDir = path.dirname(executedNotebookFile('x', opts.profile));
  const parameters = { profile: opts.profile, ...opts.params };
  const progress = new Progress(ids);
  const outcomes: NotebookOutcome[] = [];
  const queue = [...ids];
  const jobs = Math.max(1, Math.min(opts.jobs, ids.length));
  // Seeds inside a notebook also use worker threads: share the cores between concurrent notebooks.
  const workersPerNotebook = Math.max(1, Math.floor(os.cpus().length / jobs));
  let stopping = false;
  const runOne = async (id: string): Promise<NotebookOutcome> => {
    // One runner per results folder: a second `npm run reports` (or shard) waits, then finds it cached.
    const lockFile = path.join(paths.results(), id, opts.profile, '.lock');
    let lock: HeldLock;
    try {
      lock = await acquireLock(lockFile, `npm run reports (${id}, ${opts.profile})`, {
        onWait: (o) =>
          progress.warn(
            id,
            `waiting: another run holds ${path.relative(paths.root(), lockFile)}` +
              (o ? ` (pid ${o.pid} on ${o.host}, since ${o.since})` : ''),
          ),
        stop: () => stopping,
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const error = err.code ? resultsWriteErrorMessage(path.dirname(lockFile), err) : err.message;
      return { id, status: 'error', error, ms: 0, cells: 0, cached: false };
    }
    try {
      return await runLocked(id);
    } finally {
      lock.release();
    }
  };
  const runLocked = async (id: string): Promise<NotebookOutcome> => {
    const file = path.join(paths.notebooks(), `${id}.ipynb`);
    const outFile = executedNotebookFile(id, opts.profile);
    // Temp files of writers killed mid-write (a previous run that was SIGKILLed): never real data.
    for (const d of [
      path.join(paths.results(), id, opts.profile, 'records'),
      path.join(paths.results(), id, opts.profile),
      outDir,
    ])
      removeStaleTempFiles(d);
    const found: string[] = [];
    let inputHash: string;
    // Read once: what is hashed here is what the kernel executes (and what keys its records).
    let text: string;
    try {
      text = readNotebookText(file);
      inputHash = notebookInputHashOf(parseNotebook(text, file), file, opts.profile, opts.params);
    } catch (e) {
      return { id, status: 'error', error: (e as Error).message, ms: 0, cells: 0, cached: false };
    }
    if (!opts.fresh && fs.existsSync(outFile)) {
      try {
        const prev = JSON.parse(fs.readFileSync(outFile, 'utf8'));
        const summary = path.join(paths.results(), id, opts.profile, 'summary.json');
        if (
          prev.metadata?.rlmini?.inputHash === inputHash &&
          prev.metadata?.rlmini?.status === 'ok' &&
          fs.existsSync(summary)
        ) {
          const damaged = damagedRecords(id, opts.profile);
          // The summary must be the one this execution wrote (not edited by hand since, nor replaced).
          const stamped = prev.metadata?.rlmini?.summaryHash;
          if (stamped && stamped !== summaryHash(summary)) {
            damaged.push(
              `${path.relative(paths.root(), summary)} differs from the summary its last run wrote ` +
                `(edited by hand or replaced); re-running the notebook from its records`,
            );
          }
          // --publish: a result computed from a dirty tree is re-run (its records are cache hits) to re-stamp it.
          if (opts.publish && summaryDirty(summary)) {
            damaged.push(
              `${path.relative(paths.root(), summary)} was computed from a tree with uncommitted changes; ` +
                're-running it from the clean checkout to publish it',
            );
          }
          if (damaged.length === 0) {
            return {
              id,
              status: 'ok',
              ms: 0,
              cells: prev.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').length,
              cached: true,
            };
          }
          // Unchanged inputs but a damaged record: say which, and re-run (the session recomputes it).
          for (const d of damaged) progress.warn(id, d);
          found.push(...damaged);
        }
      } catch {
        /* re-execute */
      }
    }
    let changed = false;
    const startedAt = Date.now();
    let r = await executeNotebook({
      root: paths.root(),
      file,
      outFile,
      parameters,
      cellTimeoutMs: cellMs,
      text,
      env: {
        // The runner's own run publishes (summary.json); an interactive Jupyter run does not.
        RLMINI_PUBLISH: '1',
        RLMINI_FRESH: opts.fresh ? '1' : '0',
        RLMINI_REPUBLISH: opts.publish ? '1' : '0',
        RLMINI_WORKERS: process.env.RLMINI_WORKERS ?? String(workersPerNotebook),
      },
      onProgress: (p) => progress.update(id, `cell ${p.cell}/${p.of}`),
      // The input hash is stamped in the same atomic write, so an unchanged notebook is skipped next time,
      // unless the file changed during the run: then it is not stamped (the next run executes it again).
      metadata: () => {
        let now: string;
        try {
          now = notebookInputHash(file, opts.profile, opts.params);
        } catch {
          now = '';
        }
        if (now === inputHash) return { inputHash };
        changed = true;
        return { executedInputHash: inputHash, changedDuringRun: true };
      },
    });
    if (changed)
      (r.warnings ??= []).push(
        'the notebook file changed while it ran (saved from Jupyter?): the executed notebook and its records ' +
          'are those of the version read at the start; it runs again next time',
      );
    const unfinished =
      r.status === 'ok' ? unfinishedRunMessage(path.join(paths.results(), id, opts.profile), id, startedAt) : null;
    if (unfinished) r = { ...r, status: 'error', error: unfinished };
    if (r.status === 'ok') stampSummaryHash(outFile, path.join(paths.results(), id, opts.profile, 'summary.json'));
    for (const w of r.warnings ?? []) progress.warn(id, w);
    const warnings = [...found, ...(r.warnings ?? []).filter((w) => !found.includes(w))];
    return { ...r, cached: false, ...(warnings.length ? { warnings } : {}) };
  };
  const unguard = guardKernels(() => {
    stopping = true; // no new kernel after a signal
    progress.close();
  });
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (;;) {
        if (stopping) return;
        const id = queue.shift();
        if (!id) return;
        progress.start(id);
        const o = await runOne(id);
        outcomes.push(o);
        progress.finish(id, o);
      }
    }),
  ).finally(unguard);
  progress.close();
  // Every notebook shuts its kernel down (success, failure, timeout); say so loudly if one did not.
  if (liveKernels() > 0) {
    process.stderr.write(
      `rl-miniatures: internal error: ${liveKernels()} kernel(s) still running after all notebooks finished; killing ` +
        `them.\n`,
    );
    killAllKernelsSync();
  }
  return ids.map((id) => outcomes.find((o) => o.id === id)!);
}

/** Whether a summary was computed from a working tree with uncommitted changes. */
function summaryDirty(file: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).provenance?.dirty === true;
  } catch {
    return false;
  }
}

/** sha256 of a summary file's bytes ('' when unreadable). */
export function summaryHash(file: string): string {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return '';
  }
}

/** Stamp the hash of the summary a successful execution wrote into its executed notebook. */
function stampSummaryHash(outFile: string, summaryFile: string): void {
  try {
    const nb = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    nb.metadata.rlmini = { ...nb.metadata.rlmini, summaryHash: summaryHash(summaryFile) };
    writeFileAtomic(outFile, JSON.stringify(nb, null, 1) + '\n');
  } catch {
    /* no stamp: the next run re-executes (all records cached) */
  }
}

/** The kernel must be there before any notebook starts: one clear message otherwise. */
export function preflightKernel(): void {
  tslabBin(paths.root());
  try {
    require.resolve('zeromq');
  } catch {
    throw new KernelMissingError(
      `zeromq (installed with tslab) is missing, so the kernel cannot be reached. Run \`npm ci\` in ${paths.root()}; ` +
        `no notebook was run.`,
    );
  }
}
