/**
 * Execute one notebook headlessly through the tslab kernel, papermill-style: parameters are
 * injected as a new cell tagged `injected-parameters` right after the cell tagged `parameters`;
 * cells run in order under a per-cell timeout; the executed notebook (with outputs) is written
 * atomically. The first failing cell stops the notebook and is reported by number with its error.
 */
import * as path from 'path';
import { cellSource, hasTag, readNotebook, type Notebook, type NotebookCell } from '../core/ipynb';
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
  /** Extra fields for the executed notebook's metadata.rlmini (e.g. the runner's input hash). */
  metadata?: Record<string, unknown>;
}

export interface ExecuteResult {
  id: string;
  status: 'ok' | 'error' | 'timeout';
  failedCell?: number;
  error?: string;
  ms: number;
  cells: number;
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

export async function executeNotebook(opts: ExecuteOptions): Promise<ExecuteResult> {
  const id = path.basename(opts.file, '.ipynb');
  const t0 = Date.now();
  const source = readNotebook(opts.file);
  const { nb } = injectParameters(source, opts.parameters);
  for (const c of nb.cells)
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  const injectedAt = nb.cells.findIndex((c) => hasTag(c, 'injected-parameters'));
  const codeCells = nb.cells.map((c, i) => ({ c, i })).filter((x) => x.c.cell_type === 'code');
  const kernel = new Kernel({
    root: opts.root,
    cwd: path.dirname(opts.file),
    env: { ...opts.env, RLMINI_NOTEBOOK: opts.file, RLMINI_ROOT: opts.root },
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
        error: result.error ?? null,
        cellMs: timings,
        ms: Date.now() - t0,
        ...opts.metadata,
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
      if (r.status !== 'ok') {
        const isInjected = hasTag(c, 'injected-parameters');
        result = {
          id,
          status: r.status,
          // Number the cell as the user sees it in their notebook (without the injected cell).
          failedCell: injectedAt >= 0 && i > injectedAt ? i : i + 1,
          error: `${isInjected ? '(injected parameters cell) ' : ''}${errorText(r.error, r.outputs as never)}`,
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
    const msg = `could not save the executed notebook: ${(e as Error).message}`;
    result = { ...result, status: 'error', error: result.status === 'ok' ? msg : `${result.error}; ${msg}` };
  }
  return result;
}
