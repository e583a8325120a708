/**
 * Execute one notebook headlessly through the tslab kernel, papermill-style: parameters are
 * injected as a new cell tagged `injected-parameters` right after the cell tagged `parameters`;
 * cells run in order under a per-cell timeout; the executed notebook (with outputs) is written
 * atomically. The first failing cell stops the notebook and is reported with its error, as "code cell N"
 * (code cells counted from 1 in the user's notebook, the injected parameters cell not counted).
 *
 * The notebook is read once: the content executed is the content hashed. Its code-cell hash goes to
 * the kernel (RLMINI_NOTEBOOK_HASH) with a snapshot of that content (RLMINI_NOTEBOOK_SNAPSHOT), so the
 * session keys its records by the code that ran, even if the file is saved again during the run.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  cellSource,
  hasTag,
  notebookCodeHash,
  parseNotebook,
  readNotebookText,
  type Notebook,
  type NotebookCell,
} from '../core/ipynb';
import { writeFileAtomic } from '../core/records';
import { Kernel } from './kernel';

export interface ExecuteOptions {
  root: string;
  file: string;
  outFile: string;
  parameters: Record<string, unknown>;
  cellTimeoutMs: number;
  env?: NodeJS.ProcessEnv;
  onProgress?: (p: { cell: number; of: number }) => void;
  /**
   * Extra fields for the executed notebook's metadata.rlmini (e.g. the runner's input hash); a function
   * is called after the run, when the executed notebook is saved.
   */
  metadata?: Record<string, unknown> | (() => Record<string, unknown>);
  /** The notebook's text as the caller read (and hashed) it; read from `file` when absent. */
  text?: string;
}

export interface ExecuteResult {
  id: string;
  status: 'ok' | 'error' | 'timeout';
  /** The failing cell's number among the notebook's code cells (1-based; the injected cell not counted). */
  failedCell?: number;
  /** The failing cell in words: "code cell 3", or "injected parameters cell (after code cell 1)". */
  failedCellLabel?: string;
  error?: string;
  ms: number;
  cells: number;
  /** The executed notebook could not be saved (its error says why). */
  unsaved?: boolean;
  /** Lines the library printed as warnings (`rl-miniatures: …` on stderr), e.g. a corrupt record recomputed. */
  warnings?: string[];
}

/** The library's warnings (`rl-miniatures: …` lines on stderr) in a cell's outputs. */
export function libraryWarnings(outputs: { output_type: string; name?: string; text?: unknown }[]): string[] {
  const text = outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : String(o.text)))
    .join('');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('rl-miniatures: '))
    .map((l) => l.slice('rl-miniatures: '.length));
}

/** TypeScript source for the injected cell: each parameter re-declared with its JSON value. */
export function injectedSource(params: Record<string, unknown>): string {
  const lines = ['// Parameters injected by rl-miniatures (papermill-style); they override the cell above.'];
  for (const [k, v] of Object.entries(params)) {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)) throw new Error(`parameter name "${k}" is not a valid identifier`);
    lines.push(`const ${k} = ${JSON.stringify(v)} as const;`);
  }
  return lines.join('\n');
}

/**
 * A notebook whose parameter declarations are not in a cell tagged "parameters" silently ignores what the runner
 * injects (the injected cell goes first and the notebook's own `const profile = …` overrides it, so `--profile full`
 * would run the smoke profile). Returns the message naming the parameters and the fix, or null when injection works.
 */
export function shadowedParameters(nb: Notebook, params: Record<string, unknown>, where: string): string | null {
  const names = Object.keys(params);
  if (names.length === 0 || nb.cells.some((c) => c.cell_type === 'code' && hasTag(c, 'parameters'))) return null;
  const declared = names.filter((k) =>
    nb.cells.some((c) => c.cell_type === 'code' && new RegExp(`\\b(?:const|let|var)\\s+${k}\\b`).test(cellSource(c))),
  );
  if (declared.length === 0) return null;
  return (
    `${where}: declares ${declared.join(', ')} in a code cell that is not tagged "parameters", so the runner's ` +
    `values (${declared.map((k) => `${k} = ${JSON.stringify(params[k])}`).join(', ')}) would be overridden by the ` +
    'notebook\'s own. Tag that cell "parameters" (Jupyter: View → Cell Toolbar → Tags) and run again.'
  );
}

export function injectParameters(
  nb: Notebook,
  params: Record<string, unknown>,
): { nb: Notebook; hadParametersCell: boolean } {
  const cells = nb.cells.filter((c) => !hasTag(c, 'injected-parameters'));
  const idx = cells.findIndex((c) => hasTag(c, 'parameters'));
  const cell: NotebookCell = {
    cell_type: 'code',
    source: injectedSource(params),
    metadata: { tags: ['injected-parameters'] },
    outputs: [],
    execution_count: null,
  };
  if (Object.keys(params).length === 0) return { nb: { ...nb, cells }, hadParametersCell: idx >= 0 };
  cells.splice(idx >= 0 ? idx + 1 : 0, 0, cell);
  return { nb: { ...nb, cells }, hadParametersCell: idx >= 0 };
}

function errorText(
  e: { ename: string; evalue: string; traceback: string[] } | undefined,
  outputs: { output_type: string; name?: string; text?: unknown }[],
): string {
  let msg = e ? `${e.ename}${e.evalue ? `: ${e.evalue}` : ''}` : 'error';
  if (!e?.evalue) {
    // tslab reports runtime exceptions on stderr; take the "Error: ..." line from it.
    const err = outputs
      .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
      .map((o) => String(o.text))
      .join('');
    const line = err.split('\n').find((l) => /^[A-Za-z]*Error\b|^\w+: /.test(l.trim()));
    const first = err.split('\n').find((l) => l.trim().length > 0);
    if (line) msg = line.trim();
    else if (first) msg = first.trim();
  }
  return msg;
}

/**
 * Where a cell is, as a user finds it: its number among the notebook's code cells (1-based, the
 * injected parameters cell not counted); the injected cell is named as such.
 */
export function codeCellLabel(nb: Notebook, index: number): { number: number | null; label: string } {
  let n = 0;
  for (let i = 0; i <= index && i < nb.cells.length; i++) {
    const c = nb.cells[i];
    if (c.cell_type === 'code' && !hasTag(c, 'injected-parameters')) n++;
  }
  if (hasTag(nb.cells[index], 'injected-parameters'))
    return { number: null, label: `injected parameters cell (after code cell ${n})` };
  return { number: n, label: `code cell ${n}` };
}

export async function executeNotebook(opts: ExecuteOptions): Promise<ExecuteResult> {
  const id = path.basename(opts.file, '.ipynb');
  const t0 = Date.now();
  const text = opts.text ?? readNotebookText(opts.file);
  const source = parseNotebook(text, opts.file);
  const codeHash = notebookCodeHash(source);
  const shadowed = shadowedParameters(source, opts.parameters, path.relative(opts.root, opts.file) || opts.file);
  if (shadowed)
    return { id, status: 'error', failedCellLabel: 'parameters', error: shadowed, ms: Date.now() - t0, cells: 0 };
  const { nb } = injectParameters(source, opts.parameters);
  for (const c of nb.cells)
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  const codeCells = nb.cells.map((c, i) => ({ c, i })).filter((x) => x.c.cell_type === 'code');
  const kernel = new Kernel({
    root: opts.root,
    cwd: path.dirname(opts.file),
    env: { ...opts.env, RLMINI_NOTEBOOK: opts.file, RLMINI_ROOT: opts.root, RLMINI_NOTEBOOK_HASH: codeHash },
    // What the session reads about its notebook (metadata, code) is this snapshot, never the file again.
    files: [{ name: 'notebook.ipynb', content: text, env: 'RLMINI_NOTEBOOK_SNAPSHOT' }],
  });
  let result: ExecuteResult = { id, status: 'ok', ms: 0, cells: codeCells.length };
  const timings: number[] = [];
  const warnings: string[] = [];
  const write = () => {
    nb.metadata = {
      ...nb.metadata,
      rlmini: {
        executed: new Date().toISOString(),
        parameters: opts.parameters,
        status: result.status,
        failedCell: result.failedCell ?? null,
        failedCellLabel: result.failedCellLabel ?? null,
        cellNumbering: 'code cells, from 1; the injected parameters cell is not counted',
        error: result.error ?? null,
        cellMs: timings,
        ms: Date.now() - t0,
        ...(typeof opts.metadata === 'function' ? opts.metadata() : opts.metadata),
      },
    };
    writeFileAtomic(opts.outFile, JSON.stringify(nb, null, 1) + '\n');
  };
  try {
    await kernel.start();
    for (let k = 0; k < codeCells.length; k++) {
      const { c, i } = codeCells[k];
      opts.onProgress?.({ cell: k + 1, of: codeCells.length });
      const code = cellSource(c);
      if (!code.trim()) continue;
      const r = await kernel.execute(code, opts.cellTimeoutMs);
      c.outputs = r.outputs;
      c.execution_count = r.executionCount;
      timings.push(r.ms);
      warnings.push(...libraryWarnings(r.outputs as never));
      for (const w of r.warnings ?? []) warnings.push(`${codeCellLabel(nb, i).label}: ${w}`);
      if (r.status !== 'ok') {
        const where = codeCellLabel(nb, i);
        result = {
          id,
          status: r.status,
          ...(where.number !== null ? { failedCell: where.number } : {}),
          failedCellLabel: where.label,
          error: errorText(r.error, r.outputs as never),
          ms: Date.now() - t0,
          cells: codeCells.length,
        };
        break;
      }
    }
  } catch (e) {
    result = { id, status: 'error', error: (e as Error).message, ms: Date.now() - t0, cells: codeCells.length };
  } finally {
    await kernel.shutdown();
  }
  result.ms = Date.now() - t0;
  if (warnings.length) result.warnings = warnings;
  try {
    write();
  } catch (e) {
    // The run itself is kept (its records are written); only the executed notebook could not be saved.
    const msg = saveErrorMessage(opts.outFile, e as NodeJS.ErrnoException);
    result = {
      ...result,
      status: 'error',
      error: result.status === 'ok' ? msg : `${result.error}; ${msg}`,
      unsaved: true,
    };
  }
  return result;
}

/**
 * Why a notebook that ran without error still published nothing, or null: its results folder
 * (`<results>/<id>/<profile>/`) holds records but the run never wrote `last-run.json` (what `nb.finish()` writes
 * on every published run), so the session computed or read seeds and the notebook stopped before `nb.finish()`:
 * the summary, verdicts and page would silently keep an older state, or never exist.
 */
export function unfinishedRunMessage(dir: string, id: string, startedAtMs: number): string | null {
  if (!fs.existsSync(path.join(dir, 'records'))) return null;
  let created = Number.NEGATIVE_INFINITY;
  try {
    created = Date.parse(JSON.parse(fs.readFileSync(path.join(dir, 'last-run.json'), 'utf8')).createdAt);
  } catch {
    /* no last run */
  }
  // 2 s of slack: timestamps are written by the kernel's clock, read here by the runner's (same machine).
  if (created >= startedAtMs - 2000) return null;
  return (
    `${id}: the notebook ran without error but never called nb.finish(), so nothing was published ` +
    `(${path.join(dir, 'summary.json')} is ${fs.existsSync(path.join(dir, 'summary.json')) ? 'stale' : 'missing'}); ` +
    'end the notebook with a cell that calls nb.finish() (see README, "Adding a paper")'
  );
}

/** The error code of the nearest existing ancestor of `dir` when it is not writable (EROFS, EACCES…), else null. */
function notWritable(dir: string): string | null {
  let d = path.resolve(dir);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    fs.accessSync(d, fs.constants.W_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? null;
  }
}

/**
 * Why the results folder of a paper (its lock, records, summary) could not be written, and what to do:
 * the same causes as the executed notebook's (Node's recursive mkdir says ENOENT on a read-only file
 * system, so the real cause is looked up on the nearest existing folder).
 */
export function resultsWriteErrorMessage(dir: string, e: NodeJS.ErrnoException): string {
  const code = e.code === 'ENOENT' || e.code === undefined ? (notWritable(dir) ?? e.code) : e.code;
  const head = `could not write the results folder ${dir}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `${head}: the disk is full (${code}). Free some space and re-run.`;
    case 'EROFS':
      return (
        `${head}: the file system is read-only (EROFS). Point RLMINI_RESULTS_DIR at a writable directory ` +
        'and re-run.'
      );
    case 'EACCES':
    case 'EPERM':
      return (
        `${head}: permission denied (${code}). Check the owner and permissions of ${dir} ` +
        `(or point RLMINI_RESULTS_DIR at a writable directory) and re-run.`
      );
    default:
      return `${head}: ${e.message}`;
  }
}

/**
 * Why the executed notebook (reports/notebooks/<id>.ipynb) could not be saved, and what to do; as clear
 * as the records' write errors. Node's recursive mkdir says ENOENT on a read-only file system, so the
 * real cause is looked up on the nearest existing folder.
 */
export function saveErrorMessage(file: string, e: NodeJS.ErrnoException): string {
  const code = e.code === 'ENOENT' || e.code === undefined ? (notWritable(path.dirname(file)) ?? e.code) : e.code;
  const kept = "the run's records are kept, so re-running reuses them";
  const head = `could not save the executed notebook ${file}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `${head}: the disk is full (${code}). Free some space and re-run; ${kept}.`;
    case 'EROFS':
      return (
        `${head}: the file system is read-only (EROFS). Point RLMINI_REPORTS_DIR at a writable directory ` +
        `and re-run; ${kept}.`
      );
    case 'EACCES':
    case 'EPERM':
      return (
        `${head}: permission denied (${code}). Check the owner and permissions of ${path.dirname(file)} ` +
        `(or point RLMINI_REPORTS_DIR at a writable directory) and re-run; ${kept}.`
      );
    default:
      return `${head}: ${e.message}`;
  }
}
