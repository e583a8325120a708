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
import { cellSource, notebookCodeHash, readNotebook } from '../core/ipynb';
import { checkProfile, type Profile } from '../core/params';
import { paths } from '../core/paths';
import { libraryHash } from '../core/provenance';
import { executeNotebook, type ExecuteResult } from './execute';
import { Progress } from './progress';

export interface RunAllOptions {
  profile: Profile;
  only: string[];
  fresh: boolean;
  jobs: number;
  cellTimeoutS: number;
  params: Record<string, unknown>;
}

export interface NotebookOutcome extends ExecuteResult {
  cached: boolean;
}

export function listNotebooks(dir = paths.notebooks()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb') && !f.startsWith('.')).map((f) => path.basename(f, '.ipynb')).sort();
}

/** What determines a notebook's outputs (sources, not saved outputs). */
export function notebookInputHash(file: string, profile: Profile, params: Record<string, unknown>): string {
  const nb = readNotebook(file);
  const md = nb.cells.filter((c) => c.cell_type !== 'code').map(cellSource).join('\n\u0000\n');
  return hashValue({
    code: notebookCodeHash(nb),
    params: nb.cells.filter((c) => c.metadata?.tags?.includes('parameters')).map(cellSource),
    md: sha256(md),
    paper: nb.metadata.paper ?? null,
    profile,
    overrides: params,
    lib: libraryHash(),
    backend: process.env.RLMINI_BACKEND ?? 'auto',
  });
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
      throw new SelectionError(`--only ${id}: the paper is in the catalog but has no notebook yet (notebooks/${id}.ipynb). Notebooks present: ${available.join(', ') || 'none'}.`);
    }
    throw new SelectionError(`--only ${id}: unknown paper id. Notebooks present: ${available.join(', ') || 'none'} (ids are file names in notebooks/ without .ipynb).`);
  }
}

export async function runAll(opts: RunAllOptions): Promise<NotebookOutcome[]> {
  checkProfile(opts.profile, '--profile');
  const available = listNotebooks();
  validateSelection(opts.only, available);
  const ids = opts.only.length ? opts.only : available;
  const outDir = path.join(paths.reports(), 'notebooks');
  const parameters = { profile: opts.profile, ...opts.params };
  const progress = new Progress(ids);
  const outcomes: NotebookOutcome[] = [];
  const queue = [...ids];
  const jobs = Math.max(1, Math.min(opts.jobs, ids.length));
  // Seeds inside a notebook also use worker threads: share the cores between concurrent notebooks.
  const workersPerNotebook = Math.max(1, Math.floor(os.cpus().length / jobs));
  const runOne = async (id: string): Promise<NotebookOutcome> => {
    const file = path.join(paths.notebooks(), `${id}.ipynb`);
    const outFile = path.join(outDir, `${id}.ipynb`);
    let inputHash: string;
    try {
      inputHash = notebookInputHash(file, opts.profile, opts.params);
    } catch (e) {
      return { id, status: 'error', error: (e as Error).message, ms: 0, cells: 0, cached: false };
    }
    if (!opts.fresh && fs.existsSync(outFile)) {
      try {
        const prev = JSON.parse(fs.readFileSync(outFile, 'utf8'));
        const summary = path.join(paths.results(), id, opts.profile, 'summary.json');
        if (prev.metadata?.rlmini?.inputHash === inputHash && prev.metadata?.rlmini?.status === 'ok' && fs.existsSync(summary)) {
          return { id, status: 'ok', ms: 0, cells: prev.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').length, cached: true };
        }
      } catch {
        /* re-execute */
      }
    }
    const r = await executeNotebook({
      root: paths.root(),
      file,
      outFile,
      parameters,
      cellTimeoutMs: opts.cellTimeoutS * 1000,
      env: { RLMINI_FRESH: opts.fresh ? '1' : '0', RLMINI_WORKERS: process.env.RLMINI_WORKERS ?? String(workersPerNotebook) },
      onProgress: (p) => progress.update(id, `cell ${p.cell}/${p.of}`),
    });
    // Stamp the input hash so an unchanged notebook is skipped next time.
    try {
      const nb = JSON.parse(fs.readFileSync(outFile, 'utf8'));
      nb.metadata.rlmini.inputHash = inputHash;
      fs.writeFileSync(outFile, JSON.stringify(nb, null, 1) + '\n');
    } catch {
      /* written below on the next run */
    }
    return { ...r, cached: false };
  };
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (;;) {
        const id = queue.shift();
        if (!id) return;
        progress.start(id);
        const o = await runOne(id);
        outcomes.push(o);
        progress.finish(id, o);
      }
    }),
  );
  progress.close();
  return ids.map((id) => outcomes.find((o) => o.id === id)!);
}
