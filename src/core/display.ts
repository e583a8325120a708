/**
 * Rich display in the tslab kernel. Each output is a MIME bundle: text/plain (always), text/html
 * (what Jupyter shows) and an `application/vnd.rlmini.*+json` part carrying the structured data, which
 * the report renderer uses (it never re-injects notebook HTML). Outside a kernel, prints text.
 */
import * as fs from 'fs';
import { escapeHtml, fmt } from './escape';
import type { TableSpec, FigureSpec } from './summary';
import type { Verdict } from '../stats/verdict';

type Bundle = Record<string, unknown>;

function kernelWriter(): ((data: { data: Bundle; metadata: Record<string, unknown>; transient?: unknown }, update: boolean) => void) | null {
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
  return `<table class="rlmini-table"><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function displayTable(t: TableSpec): void {
  displayBundle({ 'text/plain': tableText(t), 'text/html': tableHtml(t), 'application/vnd.rlmini.table+json': t });
}

export function verdictText(v: Verdict): string {
  return `[${v.status.toUpperCase()}${v.evidence ? '' : ' — smoke profile, not evidence'}] ${v.claimId}: ${v.claim}\n  ${v.check}\n  estimate ${fmt(v.estimate)}, ${Math.round(v.level * 100)}% interval [${fmt(v.lo)}, ${fmt(v.hi)}], n = ${v.nSeeds} seeds${v.details?.nCases !== undefined ? ` (${v.details.nCases} cases)` : ''}, profile ${v.profile}`;
}

const COLORS: Record<string, string> = { reproduced: '#1a7f37', 'not reproduced': '#cf222e', inconclusive: '#9a6700' };

export function verdictHtml(v: Verdict): string {
  const c = COLORS[v.status] ?? '#555';
  return `<div class="rlmini-verdict" style="border-left:4px solid ${c};padding:4px 10px;margin:6px 0">` +
    `<b style="color:${c}">${escapeHtml(v.status)}</b>${v.evidence ? '' : ' <i>(smoke profile: not evidence)</i>'} — <b>${escapeHtml(v.claimId)}</b>: ${escapeHtml(v.claim)}<br>` +
    `<small>${escapeHtml(v.check)}<br>estimate ${escapeHtml(fmt(v.estimate))}, ${Math.round(v.level * 100)}% interval [${escapeHtml(fmt(v.lo))}, ${escapeHtml(fmt(v.hi))}], ${v.nSeeds} seeds${v.details?.nCases !== undefined ? ` (${escapeHtml(v.details.nCases)} cases)` : ''}, profile ${escapeHtml(v.profile)}</small></div>`;
}

export function displayVerdict(v: Verdict): void {
  displayBundle({ 'text/plain': verdictText(v), 'text/html': verdictHtml(v), 'application/vnd.rlmini.verdict+json': v });
}

let plotlyShipped = false;

/**
 * Show a plotly figure inline, offline: the first figure of a kernel session carries the local
 * plotly bundle (node_modules/plotly.js-dist-min), later ones reuse window.Plotly.
 */
export function displayFigure(f: FigureSpec): void {
  const divId = `rlmini-${f.id.replace(/[^a-zA-Z0-9_-]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  let lib = '';
  if (!plotlyShipped && inKernel()) {
    try {
      lib = `<script type="text/javascript">if(!window.Plotly){${fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script')}}</script>`;
      plotlyShipped = true;
    } catch {
      lib = '';
    }
  }
  const json = JSON.stringify(f.plotly).replace(/</g, '\\u003c');
  const html = `${lib}<div id="${divId}" style="width:100%;max-width:820px;height:420px"></div>` +
    `<script type="text/javascript">(function(){var f=${json};function draw(){if(window.Plotly){window.Plotly.newPlot(${JSON.stringify(divId)},f.data,f.layout,{responsive:true,displaylogo:false});}else{setTimeout(draw,50);}}draw();})();</script>` +
    `<div><small>Figure <code>${escapeHtml(f.id)}</code>: ${escapeHtml(f.caption)}</small></div>`;
  displayBundle({
    'text/plain': `Figure ${f.id}: ${f.caption}`,
    'text/html': html,
    'application/vnd.rlmini.figure+json': f,
  });
}
