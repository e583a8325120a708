/**
 * Rich display in the tslab kernel. Each output is a MIME bundle: text/plain (always), text/html
 * (what Jupyter shows) and an `application/vnd.rlmini.*+json` part carrying the structured data, which
 * the report renderer uses (it never re-injects notebook HTML). Outside a kernel, prints text.
 */
import * as fs from 'fs';
import { escapeHtml, fmt } from './escape';
import type { ComparisonSpec, TableSpec, FigureSpec } from './summary';
import type { Verdict } from '../stats/verdict';

type Bundle = Record<string, unknown>;

function kernelWriter():
  ((data: { data: Bundle; metadata: Record<string, unknown>; transient?: unknown }, update: boolean) => void) | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require('tslab/dist/jupyter');
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

export function inKernel(): boolean {
  return kernelWriter() !== null;
}

export function displayBundle(bundle: Bundle): void {
  const w = kernelWriter();
  if (w) w({ data: bundle, metadata: {} }, false);
  else if (typeof bundle['text/plain'] === 'string') console.log(bundle['text/plain']);
}

export function tableText(t: TableSpec): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(fmt))];
  const widths = t.columns.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)));
  const line = (r: unknown[]) => r.map((c, j) => String(c ?? '').padEnd(widths[j])).join('  ');
  return [t.caption, line(t.columns), ...t.rows.map((r) => line(r.map(fmt)))].join('\n');
}

export function tableHtml(t: TableSpec): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(fmt(c))}</td>`).join('')}</tr>`).join('');
  return (
    `<table class="rlmini-table"><caption>${escapeHtml(t.caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
  );
}

export function displayTable(t: TableSpec): void {
  displayBundle({ 'text/plain': tableText(t), 'text/html': tableHtml(t), 'application/vnd.rlmini.table+json': t });
}

/** The status as a reader should see it: checks pass or fail; a claim on an invalid testbed says so. */
export function statusLabel(v: Verdict): string {
  if (v.kind === 'check')
    return v.status === 'reproduced' ? 'passed' : v.status === 'not reproduced' ? 'failed' : 'inconclusive';
  if (v.invalidatedBy?.length) return 'inconclusive (testbed invalid)';
  return v.status;
}

function seedsText(v: Verdict): string {
  const n = Number.isInteger(v.nSeeds) ? String(v.nSeeds) : '?';
  const cases = v.details?.nCases;
  return `${n} seeds${cases !== undefined ? ` (${Number.isFinite(Number(cases)) ? Number(cases) : '?'} cases)` : ''}`;
}

function decisionsText(v: Verdict): string {
  const d = Object.entries(v.decisions ?? {});
  return d.map(([k, x]) => `${k} = ${JSON.stringify(x.value)} (${x.justification})`).join('; ');
}

export function verdictText(v: Verdict): string {
  const kind = v.kind === 'check' ? 'CHECK ' : '';
  const smoke = v.evidence ? '' : ' — smoke profile, not evidence';
  const lines = [
    `[${kind}${statusLabel(v).toUpperCase()}${smoke}] ${v.claimId}: ${v.claim}`,
    `  ${v.check}`,
    `  estimate ${fmt(v.estimate)}, ${Math.round(v.level * 100)}% interval [${fmt(v.lo)}, ${fmt(v.hi)}], ` +
      `n = ${seedsText(v)}, profile ${v.profile}`,
  ];
  if (v.invalidatedBy?.length) lines.push(`  relies on ${v.invalidatedBy.join(', ')}, which did not pass`);
  if (v.decisions) lines.push(`  pre-registered: ${decisionsText(v)}`);
  return lines.join('\n');
}

const COLORS: Record<string, string> = {
  reproduced: '#1a7f37',
  passed: '#1a7f37',
  'not reproduced': '#cf222e',
  failed: '#cf222e',
  inconclusive: '#9a6700',
  'inconclusive (testbed invalid)': '#9a6700',
};

export function verdictHtml(v: Verdict): string {
  const label = statusLabel(v);
  const c = COLORS[label] ?? '#555';
  const level = Number.isFinite(v.level) ? Math.round(v.level * 100) : '?';
  return (
    `<div class="rlmini-verdict" style="border-left:4px solid ${c};padding:4px 10px;margin:6px 0">` +
    `${v.kind === 'check' ? '<small>check</small> ' : ''}<b style="color:${c}">${escapeHtml(label)}</b>` +
    `${v.evidence ? '' : ' <i>(smoke profile: not evidence)</i>'} — <b>${escapeHtml(v.claimId)}</b>: ` +
    `${escapeHtml(v.claim)}<br><small>${escapeHtml(v.check)}<br>estimate ${escapeHtml(fmt(v.estimate))}, ` +
    `${level}% interval [${escapeHtml(fmt(v.lo))}, ${escapeHtml(fmt(v.hi))}], ${escapeHtml(seedsText(v))}, ` +
    `profile ${escapeHtml(v.profile)}` +
    (v.invalidatedBy?.length ? `<br>relies on ${escapeHtml(v.invalidatedBy.join(', '))}, which did not pass` : '') +
    (v.decisions ? `<br>pre-registered: ${escapeHtml(decisionsText(v))}` : '') +
    `</small></div>`
  );
}

/** Markdown text (a reading generated from the records); Jupyter and the reports render it. */
export function displayMarkdown(md: string): void {
  displayBundle({ 'text/plain': md, 'text/markdown': md });
}

export function displayVerdict(v: Verdict): void {
  displayBundle({
    'text/plain': verdictText(v),
    'text/html': verdictHtml(v),
    'application/vnd.rlmini.verdict+json': v,
  });
}

let plotlyShipped = false;

/**
 * The local plotly bundle as an inline script that defines window.Plotly. The bundle is UMD: where
 * RequireJS is loaded (the classic Notebook) it would register itself as an anonymous AMD module
 * ("Mismatched anonymous define()") and never set window.Plotly, so `define`, `exports` and `module`
 * are shadowed while it runs. No CDN, no network.
 */
export function plotlyLoaderHtml(): string {
  const bundle = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return (
    `<script type="text/javascript">/* rl-miniatures: local plotly.js, offline ` +
    `*/if(!window.Plotly){(function(define,exports,module){\n${bundle}\n}).call(window);}</script>`
  );
}

/** The text/html part of a figure: a div drawn by window.Plotly (waits for the bundle, ~30 s at most). */
export function figureHtml(f: FigureSpec, divId: string, lib = ''): string {
  const json = JSON.stringify(f.plotly)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const id = JSON.stringify(divId);
  return (
    `${lib}<div id="${divId}" class="rlmini-figure" style="width:100%;max-width:820px;height:420px">` +
    `<small>Interactive figure <code>${escapeHtml(f.id)}</code>: it is drawn by JavaScript when the notebook ` +
    `is trusted (run the cell, or File → Trust Notebook).</small></div>` +
    `<script type="text/javascript">(function(){var f=${json};var n=0;` +
    `function draw(){var el=document.getElementById(${id});` +
    `if(el&&window.Plotly){el.innerHTML='';` +
    `window.Plotly.newPlot(el,f.data,f.layout,{responsive:true,displaylogo:false});return;}` +
    `if(n++<600){setTimeout(draw,50);}else if(el){el.textContent='plotly.js did not load: run the first figure ` +
    `cell of this notebook again (it carries the plotly bundle).';}}draw();})();</script>` +
    `<div><small>Figure <code>${escapeHtml(f.id)}</code>: ${escapeHtml(f.caption)}</small></div>`
  );
}

/** The MIME bundle of a figure (exported for tests). */
export function figureBundle(f: FigureSpec, opts: { withLibrary: boolean }): Bundle {
  const divId = `rlmini-${f.id.replace(/[^a-zA-Z0-9_-]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  let lib = '';
  if (opts.withLibrary) {
    try {
      lib = plotlyLoaderHtml();
    } catch {
      lib = '';
    }
  }
  const plain = JSON.parse(JSON.stringify(f.plotly)) as FigureSpec['plotly'];
  return {
    'text/plain': `Figure ${f.id}: ${f.caption}`,
    'text/html': figureHtml(f, divId, lib),
    // JupyterLab / Notebook 7 / VS Code render this part with their own plotly renderer when one is
    // installed (no script execution or trust needed); otherwise they fall back to text/html.
    'application/vnd.plotly.v1+json': {
      data: plain.data,
      layout: plain.layout,
      config: { displaylogo: false, responsive: true },
    },
    // The report renderer draws figures from this part only.
    'application/vnd.rlmini.figure+json': f,
  };
}

/**
 * Show a plotly figure inline, offline (JupyterLab and the classic Notebook): the first figure of a
 * kernel session carries the local plotly bundle (node_modules/plotly.js-dist-min), later ones reuse
 * window.Plotly.
 */
export function displayFigure(f: FigureSpec): void {
  const withLibrary = inKernel() && !plotlyShipped;
  const bundle = figureBundle(f, { withLibrary });
  // Shipped once the bundle could be read (else the next figure tries again).
  if (
    withLibrary &&
    String(bundle['text/html']).startsWith('<script type="text/javascript">/* rl-miniatures: local plotly.js')
  )
    plotlyShipped = true;
  displayBundle(bundle);
}

export function comparisonText(c: ComparisonSpec): string {
  const m = c.values.reduce((a, b) => a + b, 0) / c.values.length;
  const unit = c.unit ? ` (${c.unit})` : '';
  const range = `range ${fmt(Math.min(...c.values))} to ${fmt(Math.max(...c.values))}`;
  return (
    `Published for the testbed's comparison page: ${c.metric}${unit}, ${c.method}: mean ${fmt(m)} over ` +
    `${c.values.length} seeds (${range}; ${c.higherIsBetter ? 'higher' : 'lower'} is better)`
  );
}

export function displayComparison(c: ComparisonSpec): void {
  displayBundle({
    'text/plain': comparisonText(c),
    'text/html': `<div class="rlmini-compare"><small>${escapeHtml(comparisonText(c))}</small></div>`,
    'application/vnd.rlmini.comparison+json': c,
  });
}
