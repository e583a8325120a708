/**
 * Render an executed notebook as HTML for the paper page. Everything that comes from the notebook is
 * escaped: markdown is rendered with raw HTML shown as text, code and text outputs are escaped, and
 * rich outputs are rendered only from the kit's own structured MIME parts (tables, verdicts,
 * figures) or as images (PNG/JPEG data); arbitrary text/html from a cell is never injected.
 */
import { Marked } from 'marked';
import { escapeHtml } from '../core/escape';
import { cellSource, type Notebook, type NotebookOutput } from '../core/ipynb';
import { tableHtml, verdictHtml } from '../core/display';
import type { FigureSpec, TableSpec } from '../core/summary';
import type { Verdict } from '../stats/verdict';

const md = new Marked({
  gfm: true,
  renderer: {
    html(token: unknown) {
      const t = token as string | { text?: string; raw?: string };
      return escapeHtml(typeof t === 'string' ? t : (t.raw ?? t.text ?? ''));
    },
  },
});
// Links: only http(s), relative and anchors.
md.use({
  walkTokens(token: { type: string; href?: string }) {
    if (
      (token.type === 'link' || token.type === 'image') &&
      token.href &&
      !/^(https?:|#|\.{0,2}\/|[a-zA-Z0-9_-]+\.)/.test(token.href)
    )
      token.href = '#';
  },
});

export function markdownHtml(text: string): string {
  return md.parse(text, { async: false }) as string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

function text(v: unknown): string {
  return Array.isArray(v) ? v.join('') : String(v ?? '');
}

function outputHtml(o: NotebookOutput, figureIds: Set<string>): string {
  switch (o.output_type) {
    case 'stream':
      return `<pre class="${o.name}">${escapeHtml(text(o.text).replace(ANSI, ''))}</pre>`;
    case 'error':
      return (
        '<pre class="stderr">' +
        `${escapeHtml(`${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join('\n')}`.replace(ANSI, ''))}</pre>`
      );
    case 'display_data':
    case 'execute_result': {
      const d = o.data ?? {};
      if (d['application/vnd.rlmini.table+json']) return tableHtml(d['application/vnd.rlmini.table+json'] as TableSpec);
      if (d['application/vnd.rlmini.verdict+json'])
        return verdictHtml(d['application/vnd.rlmini.verdict+json'] as Verdict);
      if (d['application/vnd.rlmini.figure+json']) {
        const f = d['application/vnd.rlmini.figure+json'] as FigureSpec;
        return figureIds.has(f.id)
          ? `<p class="figref">Figure <a href="#fig-${escapeHtml(f.name)}"><code>${escapeHtml(f.id)}</code></a> ` +
              `(shown above): ${escapeHtml(f.caption)}</p>`
          : `<p class="figref">Figure <code>${escapeHtml(f.id)}</code>: ${escapeHtml(f.caption)}</p>`;
      }
      for (const mime of ['image/png', 'image/jpeg']) {
        if (typeof d[mime] === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(d[mime] as string))
          return `<img alt="output" src="data:${mime};base64,${(d[mime] as string).replace(/\s/g, '')}">`;
      }
      if (d['text/markdown']) return `<div class="md">${markdownHtml(text(d['text/markdown']))}</div>`;
      if (d['text/plain'] !== undefined) return `<pre>${escapeHtml(text(d['text/plain']).replace(ANSI, ''))}</pre>`;
      return '';
    }
  }
}

export function notebookHtml(nb: Notebook, figureIds: Set<string> = new Set()): string {
  const parts: string[] = [];
  let n = 0;
  for (const c of nb.cells) {
    n++;
    const src = cellSource(c);
    if (c.cell_type === 'markdown') parts.push(`<div class="cell md" id="cell-${n}">${markdownHtml(src)}</div>`);
    else if (c.cell_type === 'code') {
      const tags = c.metadata?.tags?.length ? ` <small>[${escapeHtml(c.metadata.tags.join(', '))}]</small>` : '';
      const outs = (c.outputs ?? []).map((o) => outputHtml(o, figureIds)).join('');
      parts.push(
        `<div class="cell code" id="cell-${n}"><small>In [${c.execution_count ?? ' '}]${tags}</small>` +
          `<pre><code>${escapeHtml(src)}</code></pre>${outs ? `<div class="output">${outs}</div>` : ''}</div>`,
      );
    }
  }
  return parts.join('\n');
}
