/**
 * Render the reports: reports/index.html (every catalog paper with its status), one page per built
 * paper (reports/papers/<id>.html), local assets (plotly bundle, CSS, JS) so that every page works
 * from file:// with no network request, and reports/references.bib.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as nunjucks from 'nunjucks';
import { readCatalog, type CatalogEntry } from '../core/catalog';
import { escapeHtml, fmt } from '../core/escape';
import { readNotebook, type Notebook, type PaperMeta } from '../core/ipynb';
import { PROFILES, type Profile } from '../core/params';
import { paths } from '../core/paths';
import { gitState, kitVersion } from '../core/provenance';
import { writeFileAtomic } from '../core/records';
import type { Summary } from '../core/summary';
import { DECISION_RULE } from '../stats/verdict';
import { notebookHtml } from './notebook-html';

export interface PaperStatus {
  id: string;
  statusClass: 'reproduced' | 'not-reproduced' | 'inconclusive' | 'failed' | 'not-built' | 'out-of-scope' | 'built';
  statusLabel: string;
  reason?: string;
}

const KIT_BIBTEX = `@software{rl_miniatures,
  title  = {rl-miniatures: faithful miniatures of reinforcement-learning, reward-learning and preference-learning papers},
  author = {{rl-miniatures developers}},
  year   = {2026},
  note   = {TypeScript notebooks on TensorFlow.js},
}`;

function templatesDir(): string {
  return path.join(paths.root(), 'src', 'report', 'templates');
}

export function statusClass(s: string): string {
  return s.replace(/\s+/g, '-');
}

/** The summary a page shows: the requested profile's, else the other one (labelled). */
export function loadSummary(id: string, preferred: Profile): Summary | null {
  const order = [preferred, ...PROFILES.filter((p) => p !== preferred)];
  for (const p of order) {
    const f = path.join(paths.results(), id, p, 'summary.json');
    if (fs.existsSync(f)) {
      try {
        return JSON.parse(fs.readFileSync(f, 'utf8')) as Summary;
      } catch (e) {
        console.warn(`rl-miniatures: ${f} is not valid JSON (${(e as Error).message}); re-run the notebook to rewrite it.`);
      }
    }
  }
  return null;
}

function executed(id: string): Notebook | null {
  const f = path.join(paths.reports(), 'notebooks', `${id}.ipynb`);
  if (!fs.existsSync(f)) return null;
  try {
    return readNotebook(f);
  } catch {
    return null;
  }
}

export function paperStatus(entry: CatalogEntry, hasNotebook: boolean, summary: Summary | null, run: { status: string; failedCell?: number | null; error?: string | null } | null): PaperStatus {
  if (entry.tier === 'C' || entry.tier === 'D') {
    return { id: entry.id, statusClass: 'out-of-scope', statusLabel: 'out of scope', reason: entry.mini_experiment.replace(/^[CD]:\s*/, '') };
  }
  if (!hasNotebook) return { id: entry.id, statusClass: 'not-built', statusLabel: 'not built yet' };
  if (run && run.status !== 'ok') return { id: entry.id, statusClass: 'failed', statusLabel: 'run failed', reason: `${run.failedCell ? `cell ${run.failedCell}: ` : ''}${run.error ?? ''}` };
  if (!summary || summary.verdicts.length === 0) return { id: entry.id, statusClass: 'built', statusLabel: 'built, no verdicts yet' };
  const st = summary.verdicts.map((v) => v.status);
  if (st.includes('not reproduced')) return { id: entry.id, statusClass: 'not-reproduced', statusLabel: 'not reproduced (some claims)' };
  if (st.every((s) => s === 'reproduced')) return { id: entry.id, statusClass: 'reproduced', statusLabel: 'reproduced' };
  return { id: entry.id, statusClass: 'inconclusive', statusLabel: 'inconclusive (some claims)' };
}

function env(): nunjucks.Environment {
  const e = new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir(), { noCache: true }), { autoescape: true, throwOnUndefined: false });
  e.addFilter('num', (v: unknown) => fmt(v));
  // Only http(s) links from notebook metadata; anything else (javascript:, data:) is dropped.
  e.addFilter('safeurl', (v: unknown) => (typeof v === 'string' && /^https?:\/\//i.test(v) ? v : ''));
  e.addFilter('statusClass', (v: string) => statusClass(v));
  e.addFilter('safejson', (v: unknown) => new nunjucks.runtime.SafeString(JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')));
  return e;
}

function copyAssets(out: string): void {
  const dir = path.join(out, 'assets');
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(paths.root(), 'src', 'report', 'assets');
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const plotly = require.resolve('plotly.js-dist-min');
  const dest = path.join(dir, 'plotly.min.js');
  if (!fs.existsSync(dest) || fs.statSync(dest).size !== fs.statSync(plotly).size) fs.copyFileSync(plotly, dest);
}

export function citeText(meta: PaperMeta | null, summary: Summary, fig: { id: string; caption: string }): string {
  return [
    `Figure ${fig.id} — ${fig.caption}`,
    `Source: rl-miniatures ${summary.provenance.kitVersion}, commit ${summary.provenance.commit}, profile ${summary.profile}, seeds ${summary.seeds.join(',')}, backend ${summary.provenance.backend}, config ${summary.configHash}.`,
    '',
    KIT_BIBTEX,
    '',
    meta?.bibtex ?? '',
  ].join('\n');
}

export interface BuildResult {
  index: string;
  pages: string[];
  statuses: PaperStatus[];
}

export function buildReports(opts: { profile: Profile }): BuildResult {
  const out = paths.reports();
  fs.mkdirSync(path.join(out, 'papers'), { recursive: true });
  copyAssets(out);
  const catalog = readCatalog();
  const nj = env();
  const g = gitState();
  const common = { generated: new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC', kitVersion: kitVersion(), commit: g.commit.slice(0, 12) };
  const notebooksDir = paths.notebooks();
  const pages: string[] = [];
  const statuses: PaperStatus[] = [];
  const rows: Record<string, unknown>[] = [];
  const bib: string[] = [KIT_BIBTEX];
  const catalogIds = new Set(catalog.map((c) => c.id));
  const extra = fs.existsSync(notebooksDir)
    ? fs.readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).map((f) => path.basename(f, '.ipynb')).filter((id) => !catalogIds.has(id))
    : [];
  const entries: CatalogEntry[] = [
    ...catalog,
    // Notebooks that are not in the catalog (e.g. a user's new paper) still get a page.
    ...extra.map((id) => ({ id, title: id, tier: 'B' as const, wave: null, testbed: 'uncatalogued', family: 'other', value: 0, core_claim: '', headline_numbers: '', mini_experiment: '', components: [], abstract: '' })),
  ];
  for (const entry of entries) {
    const nbFile = path.join(notebooksDir, `${entry.id}.ipynb`);
    const hasNotebook = fs.existsSync(nbFile);
    const summary = hasNotebook ? loadSummary(entry.id, opts.profile) : null;
    const ex = hasNotebook ? executed(entry.id) : null;
    const run = (ex?.metadata.rlmini as { status: string; failedCell?: number | null; error?: string | null } | undefined) ?? null;
    const st = paperStatus(entry, hasNotebook, summary, run);
    statuses.push(st);
    let meta: PaperMeta | null = summary?.meta ?? null;
    if (!meta && hasNotebook) {
      try {
        meta = (readNotebook(nbFile).metadata.paper as PaperMeta) ?? null;
      } catch {
        meta = null;
      }
    }
    if (meta?.bibtex) bib.push(meta.bibtex);
    const page = hasNotebook && entry.tier !== 'C' && entry.tier !== 'D';
    const verdictCounts = summary
      ? ['reproduced', 'not reproduced', 'inconclusive']
          .map((s) => ({ label: s, cls: statusClass(s), n: summary.verdicts.filter((v) => v.status === s).length }))
          .filter((x) => x.n > 0)
      : null;
    rows.push({
      id: entry.id,
      title: meta?.title ?? entry.title,
      tier: entry.tier,
      family: entry.family,
      testbed: entry.testbed ?? 'no shared testbed',
      statusClass: st.statusClass,
      statusLabel: st.statusLabel,
      reason: st.reason,
      page,
      verdictCounts,
      profileNote: summary && summary.profile === 'smoke' ? 'smoke: not evidence' : null,
      searchText: `${entry.id} ${entry.title} ${entry.family} ${entry.testbed ?? ''}`.toLowerCase(),
    });
    if (page) {
      const figureIds = new Set((summary?.figures ?? []).map((f) => f.id));
      const figures = (summary?.figures ?? []).map((f) => {
        const exports = ['svg', 'png', 'pdf'].filter((e) => fs.existsSync(path.join(out, 'figures', `${f.id}.${e}`)));
        return { ...f, exports, citeText: summary ? citeText(meta, summary, f) : '' };
      });
      const html = nj.render('paper.njk', {
        ...common,
        rel: '../',
        title: meta?.title ?? entry.title,
        entry,
        meta: meta ?? { title: entry.title, authors: [], claims: [], deviations: [], bibtex: '', url: '' },
        summary: summary ? { ...summary, figures } : null,
        run,
        decisionRule: DECISION_RULE,
        notebookHtml: ex ? notebookHtml(ex, figureIds) : null,
      });
      const file = path.join(out, 'papers', `${entry.id}.html`);
      writeFileAtomic(file, html);
      pages.push(file);
    }
  }
  const groupsMap = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const k = String(r.testbed);
    if (!groupsMap.has(k)) groupsMap.set(k, []);
    groupsMap.get(k)!.push(r);
  }
  const order = (s: string) => (s === 'no shared testbed' ? 'zz' : s === 'uncatalogued' ? 'zzz' : s);
  const groups = [...groupsMap.entries()].sort((a, b) => order(a[0]).localeCompare(order(b[0]))).map(([name, papers]) => ({
    name,
    papers: papers.sort((a, b) => String(a.tier).localeCompare(String(b.tier)) || String(a.id).localeCompare(String(b.id))),
  }));
  const labels: [PaperStatus['statusClass'], string][] = [
    ['reproduced', 'reproduced'],
    ['not-reproduced', 'not reproduced'],
    ['inconclusive', 'inconclusive'],
    ['failed', 'run failed'],
    ['built', 'built'],
    ['not-built', 'not built yet'],
    ['out-of-scope', 'out of scope'],
  ];
  const counts = labels.map(([cls, label]) => ({ cls, label, n: statuses.filter((s) => s.statusClass === cls).length })).filter((c) => c.n > 0);
  const index = path.join(out, 'index.html');
  writeFileAtomic(index, nj.render('index.njk', { ...common, rel: '', title: 'Scoreboard', papers: rows, groups, counts, catalogSize: catalog.length }));
  writeFileAtomic(path.join(out, 'references.bib'), bib.join('\n\n') + '\n');
  return { index, pages, statuses };
}

export { escapeHtml };
