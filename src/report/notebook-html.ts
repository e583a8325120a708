/**
 * Render an executed notebook as HTML for the paper page. Everything that comes from the notebook is
 * checked or escaped: markdown is rendered with raw HTML shown as text (math typeset by KaTeX), code and
 * text outputs are escaped, and rich outputs are rendered only from the kit's own structured MIME parts
 * (tables, verdicts, figures, comparisons), each type-checked against its schema (./schema.ts) first,
 * or as images (PNG/JPEG data); arbitrary text/html from a cell is never injected. A part that does not
 * fit its schema is not rendered: the page says which field was wrong.
 *
 * Size is bounded: one output shows at most OUTPUT_CAP_CHARS characters (head and tail), images and
 * tables are capped, and the whole notebook at most NOTEBOOK_CAP_CHARS of HTML; beyond that the page
 * links the full executed .ipynb.
 */
import { escapeHtml } from '../core/escape';
import { cellSource, type Notebook } from '../core/ipynb';
import { comparisonText, tableHtml, verdictHtml } from '../core/display';
import { markdownHtml } from './markdown';
import { checkComparison, checkFigure, checkMarkdown, checkTable, checkVerdict, MAX_TABLE_ROWS } from './schema';

export { markdownHtml } from './markdown';

/** Characters of one output (stream, error, text/plain, markdown) shown on the page. */
export const OUTPUT_CAP_CHARS = 20_000;
/** Base64 characters of one image shown inline (about 1.5 MB of PNG). */
export const IMAGE_CAP_CHARS = 2_000_000;
/** HTML characters of the whole notebook on the page. */
export const NOTEBOOK_CAP_CHARS = 3_000_000;
/** Rows of a table output shown on the page. */
export const NOTEBOOK_TABLE_ROWS = 200;

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export interface NotebookHtmlOptions {
  /** Ids of the figures the page draws (a figure output then links to it). */
  figureIds?: Set<string>;
  /** Link to the full executed notebook, offered where something was cut. */
  ipynbHref?: string;
}

function megabytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

function fullLink(o: NotebookHtmlOptions): string {
  return o.ipynbHref
    ? ` The full output is in the executed notebook: <a href="${escapeHtml(o.ipynbHref)}">download the .ipynb</a>.`
    : '';
}

/** Total length of a text field (a string or a list of strings) without joining a huge list. */
function textLength(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, s) => n + (typeof s === 'string' ? s.length : 0), 0);
  return 0;
}

/** The first `max` characters of a text field (a string or a list of strings). */
function textHead(v: unknown, max: number): string {
  if (typeof v === 'string') return v.slice(0, max);
  if (!Array.isArray(v)) return v === undefined || v === null ? '' : String(v).slice(0, max);
  let out = '';
  for (const s of v) {
    if (out.length >= max) break;
    out += typeof s === 'string' ? s : String(s);
  }
  return out.slice(0, max);
}

/** The last `max` characters of a text field. */
function textTail(v: unknown, max: number): string {
  if (typeof v === 'string') return v.slice(-max);
  if (!Array.isArray(v)) return '';
  let out = '';
  for (let i = v.length - 1; i >= 0 && out.length < max; i--) out = (typeof v[i] === 'string' ? v[i] : '') + out;
  return out.slice(-max);
}

/** A text output, escaped, cut to OUTPUT_CAP_CHARS (head and tail) with a note and a link beyond. */
function capped(v: unknown, cls: string, o: NotebookHtmlOptions): string {
  const n = textLength(v);
  const attr = cls ? ` class="${cls}"` : '';
  if (n <= OUTPUT_CAP_CHARS) return `<pre${attr}>${escapeHtml(textHead(v, n || Infinity).replace(ANSI, ''))}</pre>`;
  const head = textHead(v, Math.floor(OUTPUT_CAP_CHARS * 0.8));
  const tail = textTail(v, Math.floor(OUTPUT_CAP_CHARS * 0.2));
  return (
    `<pre${attr}>${escapeHtml(head.replace(ANSI, ''))}</pre>` +
    `<p class="truncated">Output truncated: the page shows the first ${megabytes(head.length)} and the last ` +
    `${megabytes(tail.length)} of ${megabytes(n)}.${fullLink(o)}</p>` +
    `<pre${attr}>${escapeHtml(tail.replace(ANSI, ''))}</pre>`
  );
}

function invalid(what: string, error: string): string {
  return (
    `<p class="invalid-output">Not shown: this ${what} output does not fit the kit's schema ` +
    `(${escapeHtml(error)}).</p>`
  );
}

function cappedTable(raw: unknown, o: NotebookHtmlOptions): string {
  const t = checkTable(raw);
  if (!t.ok) return invalid('table', t.error);
  const rows = t.value.rows;
  if (rows.length <= NOTEBOOK_TABLE_ROWS) return tableHtml(t.value);
  return (
    tableHtml({ ...t.value, rows: rows.slice(0, NOTEBOOK_TABLE_ROWS) }) +
    `<p class="truncated">Table truncated: ${rows.length - NOTEBOOK_TABLE_ROWS} of ${rows.length} rows not shown.` +
    `${fullLink(o)}</p>`
  );
}

function outputHtml(raw: unknown, o: NotebookHtmlOptions): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const out = raw as Record<string, unknown>;
  switch (out.output_type) {
    case 'stream':
      return capped(out.text, out.name === 'stderr' ? 'stderr' : 'stdout', o);
    case 'error': {
      const tb = Array.isArray(out.traceback) ? out.traceback.map((x) => String(x)) : [];
      return capped(`${String(out.ename ?? '')}: ${String(out.evalue ?? '')}\n${tb.join('\n')}`, 'stderr', o);
    }
    case 'display_data':
    case 'execute_result': {
      const d = (typeof out.data === 'object' && out.data !== null ? out.data : {}) as Record<string, unknown>;
      if (d['application/vnd.rlmini.table+json'] !== undefined)
        return cappedTable(d['application/vnd.rlmini.table+json'], o);
      if (d['application/vnd.rlmini.verdict+json'] !== undefined) {
        const v = checkVerdict(d['application/vnd.rlmini.verdict+json']);
        return v.ok ? verdictHtml(v.value) : invalid('verdict', v.error);
      }
      if (d['application/vnd.rlmini.figure+json'] !== undefined) {
        const f = checkFigure(d['application/vnd.rlmini.figure+json']);
        if (!f.ok) return invalid('figure', f.error);
        const { id, name, caption } = f.value;
        return o.figureIds?.has(id)
          ? `<p class="figref">Figure <a href="#fig-${escapeHtml(name)}"><code>${escapeHtml(id)}</code></a> ` +
              `(shown above): ${escapeHtml(caption)}</p>`
          : `<p class="figref">Figure <code>${escapeHtml(id)}</code>: ${escapeHtml(caption)}</p>`;
      }
      if (d['application/vnd.rlmini.comparison+json'] !== undefined) {
        const c = checkComparison(d['application/vnd.rlmini.comparison+json']);
        return c.ok
          ? `<p class="compare-out"><small>${escapeHtml(comparisonText(c.value))}</small></p>`
          : invalid('comparison', c.error);
      }
      for (const mime of ['image/png', 'image/jpeg']) {
        const img = d[mime];
        if (typeof img !== 'string') continue;
        if (img.length > IMAGE_CAP_CHARS)
          return `<p class="truncated">Image not shown (${megabytes(img.length)} of base64).${fullLink(o)}</p>`;
        if (/^[A-Za-z0-9+/=\s]+$/.test(img))
          return `<img alt="output" src="data:${mime};base64,${img.replace(/\s/g, '')}">`;
      }
      if (d['text/markdown'] !== undefined) {
        const m = checkMarkdown(d['text/markdown']);
        if (!m.ok) return invalid('markdown', m.error);
        if (m.value.length > OUTPUT_CAP_CHARS) return capped(m.value, '', o);
        return `<div class="md">${markdownHtml(m.value)}</div>`;
      }
      if (d['text/plain'] !== undefined) return capped(d['text/plain'], '', o);
      return '';
    }
    default:
      return '';
  }
}

/** The executed notebook as HTML, within NOTEBOOK_CAP_CHARS (the rest is linked, not shown). */
export function notebookHtml(nb: Notebook, opts: NotebookHtmlOptions | Set<string> = {}): string {
  const o: NotebookHtmlOptions = opts instanceof Set ? { figureIds: opts } : opts;
  const parts: string[] = [];
  let size = 0;
  const cells = Array.isArray(nb.cells) ? nb.cells : [];
  for (let k = 0; k < cells.length; k++) {
    const c = cells[k];
    const n = k + 1;
    if (size > NOTEBOOK_CAP_CHARS) {
      parts.push(
        `<p class="truncated">The notebook is cut here: the page shows at most ${megabytes(NOTEBOOK_CAP_CHARS)} of ` +
          `it, so cells ${n}–${cells.length} are not shown.${fullLink(o)}</p>`,
      );
      break;
    }
    if (typeof c !== 'object' || c === null) continue;
    const src = String(cellSource(c) ?? '');
    let html = '';
    if (c.cell_type === 'markdown') {
      const body = src.length > OUTPUT_CAP_CHARS ? capped(src, '', o) : markdownHtml(src);
      html = `<div class="cell md" id="cell-${n}">${body}</div>`;
    } else if (c.cell_type === 'code') {
      const tags =
        Array.isArray(c.metadata?.tags) && c.metadata.tags.length
          ? ` <small>[${escapeHtml(c.metadata.tags.map(String).join(', '))}]</small>`
          : '';
      const count = Number.isInteger(c.execution_count) ? String(c.execution_count) : ' ';
      const outputs = Array.isArray(c.outputs) ? c.outputs : [];
      let outs = '';
      for (let j = 0; j < outputs.length; j++) {
        if (size + outs.length > NOTEBOOK_CAP_CHARS) {
          outs +=
            `<p class="truncated">Outputs ${j + 1}–${outputs.length} of this cell are not shown: the page shows at ` +
            `most ${megabytes(NOTEBOOK_CAP_CHARS)} of the notebook.${fullLink(o)}</p>`;
          break;
        }
        outs += outputHtml(outputs[j], o);
      }
      const code = src.length > OUTPUT_CAP_CHARS ? capped(src, '', o) : `<pre><code>${escapeHtml(src)}</code></pre>`;
      html =
        `<div class="cell code" id="cell-${n}"><small>In [${count}]${tags}</small>` +
        `${code}${outs ? `<div class="output">${outs}</div>` : ''}</div>`;
    }
    size += html.length;
    parts.push(html);
  }
  return parts.join('\n');
}
