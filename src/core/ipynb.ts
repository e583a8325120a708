/** The Jupyter notebook format (nbformat 4): reading with clear errors, and the parts that determine results. */
import * as fs from 'fs';
import { sha256 } from './hash';

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: { tags?: string[]; [k: string]: unknown };
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  id?: string;
}

export type NotebookOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string | string[] }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | {
      output_type: 'execute_result';
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
      execution_count: number | null;
    }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface PaperMeta {
  id: string;
  title: string;
  authors: string[];
  year: number;
  venue?: string;
  url: string;
  bibtex: string;
  claims: { id: string; quote: string }[];
  design?: string;
  deviations?: string[];
  /**
   * Pre-registered decision parameters (margins, ROPEs, thresholds, grids), declared before the full
   * run: `{ name: { value, justification } }`. Read in the notebook with `nb.decision(name)`.
   */
  decisions?: Record<string, { value: number | string | boolean | number[]; justification: string }>;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: {
    kernelspec?: { name: string; display_name?: string; language?: string };
    paper?: PaperMeta;
    [k: string]: unknown;
  };
  nbformat: number;
  nbformat_minor: number;
}

export class NotebookFormatError extends Error {}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Read and validate a notebook file; errors name the file and say what to do. */
export function readNotebook(file: string): Notebook {
  return parseNotebook(readNotebookText(file), file);
}

/** A notebook file's text (read once, so what is hashed and what is executed are the same bytes). */
export function readNotebookText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new NotebookFormatError(`${file}: cannot read the notebook (${(e as Error).message}).`);
  }
}

/** Parse and validate a notebook's text; `file` names it in errors. */
export function parseNotebook(text: string, file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(
      `${file}: not valid JSON (${(e as Error).message}). Open it in Jupyter or restore it with \`git checkout -- ` +
        `${file}\`.`,
    );
  }
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) {
    throw new NotebookFormatError(`${file}: not a Jupyter notebook (no "cells" array). Expected nbformat 4 JSON.`);
  }
  if (nb.nbformat !== 4) {
    throw new NotebookFormatError(
      `${file}: nbformat ${nb.nbformat} is not supported; save it as nbformat 4 (Jupyter: File → Save).`,
    );
  }
  nb.cells.forEach((c, i) => {
    if (!c || (c.cell_type !== 'code' && c.cell_type !== 'markdown' && c.cell_type !== 'raw')) {
      throw new NotebookFormatError(`${file}: cell ${i + 1} has no valid cell_type.`);
    }
    if (typeof c.source !== 'string' && !Array.isArray(c.source)) {
      throw new NotebookFormatError(`${file}: cell ${i + 1} has no source.`);
    }
    c.metadata = c.metadata ?? {};
  });
  nb.metadata = nb.metadata ?? {};
  return nb;
}

export function hasTag(cell: NotebookCell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}

/**
 * Hash of the code that determines results: every code cell's source, except the `parameters`
 * cell and papermill's `injected-parameters` cell (parameters enter cache keys separately).
 */
export function notebookCodeHash(nb: Notebook): string {
  const parts = nb.cells
    .filter((c) => c.cell_type === 'code' && !hasTag(c, 'parameters') && !hasTag(c, 'injected-parameters'))
    .map(cellSource);
  return sha256(parts.join('\n\u0000\n'));
}
