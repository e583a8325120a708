/**
 * Render the reports: reports/index.html (every catalog paper with its status, grouped by testbed and
 * family), one page per built paper (reports/papers/<id>.html), one comparison page per testbed with a
 * built paper (reports/compare/<testbed>.html), local assets (plotly bundle, CSS, JS) so that every
 * page works from file:// with no network request, and reports/references.bib. Static SVG/PNG/PDF
 * figures are exported separately (./export.ts), before rendering, so pages link the files present.
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
import {
  bibEscape,
  citeBlock,
  figureCitation,
  figureKey,
  kitBibtex,
  KIT_AUTHOR,
  KIT_YEAR,
  provenanceText,
} from './cite';
import { compareTestbed, COMPARE_LEVEL, COMPARE_REPS, type TestbedComparison } from './compare';
import { EXPORT_FORMATS, type ExportableFigure } from './export';
import { renderBenchPageIfPresent } from '../bench/html';

export interface PaperStatus {
  id: string;
  statusClass: 'reproduced' | 'not-reproduced' | 'inconclusive' | 'failed' | 'not-built' | 'out-of-scope' | 'built';
  statusLabel: string;
  reason?: string;
}

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
        console.warn(
          `rl-miniatures: ${f} is not valid JSON (${(e as Error).message}); re-run the notebook to rewrite it.`,
        );
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

export function paperStatus(
  entry: CatalogEntry,
  hasNotebook: boolean,
  summary: Summary | null,
  run: { status: string; failedCell?: number | null; error?: string | null } | null,
): PaperStatus {
  if (entry.tier === 'C' || entry.tier === 'D') {
    return {
      id: entry.id,
      statusClass: 'out-of-scope',
      statusLabel: 'out of scope',
      reason: entry.mini_experiment.replace(/^[CD]:\s*/, ''),
    };
  }
  if (!hasNotebook) return { id: entry.id, statusClass: 'not-built', statusLabel: 'not built yet' };
  if (run && run.status !== 'ok')
    return {
      id: entry.id,
      statusClass: 'failed',
      statusLabel: 'run failed',
      reason: `${run.failedCell ? `cell ${run.failedCell}: ` : ''}${run.error ?? ''}`,
    };
  if (!summary || summary.verdicts.length === 0)
    return { id: entry.id, statusClass: 'built', statusLabel: 'built, no verdicts yet' };
  const st = summary.verdicts.map((v) => v.status);
  if (st.includes('not reproduced'))
    return { id: entry.id, statusClass: 'not-reproduced', statusLabel: 'not reproduced (some claims)' };
  if (st.every((s) => s === 'reproduced'))
    return { id: entry.id, statusClass: 'reproduced', statusLabel: 'reproduced' };
  return { id: entry.id, statusClass: 'inconclusive', statusLabel: 'inconclusive (some claims)' };
}

function env(): nunjucks.Environment {
  const e = new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir(), { noCache: true }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  e.addFilter('num', (v: unknown) => fmt(v));
  // Only http(s) links from notebook metadata; anything else (javascript:, data:) is dropped.
  e.addFilter('safeurl', (v: unknown) => (typeof v === 'string' && /^https?:\/\//i.test(v) ? v : ''));
  e.addFilter('statusClass', (v: string) => statusClass(v));
  e.addFilter(
    'safejson',
    (v: unknown) =>
      new nunjucks.runtime.SafeString(
        JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
      ),
  );
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

export interface BuildResult {
  index: string;
  pages: string[];
  statuses: PaperStatus[];
  /** reports/compare/<testbed>.html files written. */
  comparePages: string[];
  /** Every figure of the reports (paper figures and comparison figures), for the static export. */
  figures: ExportableFigure[];
}

interface PaperInput {
  entry: CatalogEntry;
  nbFile: string;
  hasNotebook: boolean;
  summary: Summary | null;
  executed: Notebook | null;
  run: { status: string; failedCell?: number | null; error?: string | null } | null;
  status: PaperStatus;
  meta: PaperMeta | null;
  /** Whether the paper gets reports/papers/<id>.html. */
  page: boolean;
}

/** Every catalog paper (and uncatalogued notebook) with what the reports show for it. */
function collectPapers(
  profile: Profile,
  opts: { executed: boolean } = { executed: true },
): { catalog: CatalogEntry[]; papers: PaperInput[] } {
  const catalog = readCatalog();
  const notebooksDir = paths.notebooks();
  const catalogIds = new Set(catalog.map((c) => c.id));
  const extra = fs.existsSync(notebooksDir)
    ? fs
        .readdirSync(notebooksDir)
        .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
        .map((f) => path.basename(f, '.ipynb'))
        .filter((id) => !catalogIds.has(id))
        .sort()
    : [];
  const entries: CatalogEntry[] = [
    ...catalog,
    // Notebooks that are not in the catalog (e.g. a user's new paper) still get a page.
    ...extra.map((id) => ({
      id,
      title: id,
      tier: 'B' as const,
      wave: null,
      testbed: UNCATALOGUED,
      family: 'other',
      value: 0,
      core_claim: '',
      headline_numbers: '',
      mini_experiment: '',
      components: [],
      abstract: '',
    })),
  ];
  const papers = entries.map((entry): PaperInput => {
    const nbFile = path.join(notebooksDir, `${entry.id}.ipynb`);
    const hasNotebook = fs.existsSync(nbFile);
    const summary = hasNotebook ? loadSummary(entry.id, profile) : null;
    // The executed notebook (several MB with its outputs) is read only when pages are rendered.
    const ex = hasNotebook && opts.executed ? executed(entry.id) : null;
    const run = (ex?.metadata.rlmini as PaperInput['run'] | undefined) ?? null;
    const status = paperStatus(entry, hasNotebook, summary, run);
    let meta: PaperMeta | null = summary?.meta ?? null;
    if (!meta && hasNotebook) {
      try {
        meta = (readNotebook(nbFile).metadata.paper as PaperMeta) ?? null;
      } catch {
        meta = null;
      }
    }
    const page = hasNotebook && entry.tier !== 'C' && entry.tier !== 'D';
    return { entry, nbFile, hasNotebook, summary, executed: ex, run, status, meta, page };
  });
  return { catalog, papers };
}

const UNCATALOGUED = 'uncatalogued';
const NO_TESTBED = 'no shared testbed';

/** The comparison of every shared testbed that has at least one built paper. */
function collectComparisons(papers: PaperInput[]): TestbedComparison[] {
  const byTestbed = new Map<string, PaperInput[]>();
  for (const p of papers) {
    const tb = p.entry.testbed;
    if (!p.page || !tb || tb === UNCATALOGUED) continue;
    if (!byTestbed.has(tb)) byTestbed.set(tb, []);
    byTestbed.get(tb)!.push(p);
  }
  return [...byTestbed.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([tb, ps]) =>
      compareTestbed(
        tb,
        ps.map((p) => ({ id: p.entry.id, title: p.meta?.title ?? p.entry.title, page: p.page, summary: p.summary })),
      ),
    );
}

/** The figures the reports show (paper figures and comparison figures), without rendering anything. */
export function reportFigures(opts: { profile: Profile }): ExportableFigure[] {
  const { papers } = collectPapers(opts.profile, { executed: false });
  const figs: ExportableFigure[] = [];
  for (const p of papers)
    if (p.page) for (const f of p.summary?.figures ?? []) figs.push({ id: f.id, plotly: f.plotly });
  for (const c of collectComparisons(papers))
    for (const g of c.groups) figs.push({ id: g.figure.id, plotly: g.figure.plotly });
  return figs;
}

/** Formats of a figure present under reports/figures/. */
function exportsOf(out: string, id: string): string[] {
  return EXPORT_FORMATS.filter((e) => fs.existsSync(path.join(out, 'figures', `${id}.${e}`)));
}

export function buildReports(opts: { profile: Profile }): BuildResult {
  const out = paths.reports();
  fs.mkdirSync(path.join(out, 'papers'), { recursive: true });
  copyAssets(out);
  const { catalog, papers } = collectPapers(opts.profile);
  const nj = env();
  const g = gitState();
  const version = kitVersion();
  const common = {
    generated: new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC',
    kitVersion: version,
    commit: g.commit.slice(0, 12),
  };
  const pages: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const bib: string[] = [kitBibtex(version)];
  const figureBib: string[] = [];
  const figures: ExportableFigure[] = [];
  const comparisons = collectComparisons(papers);
  const compareByTestbed = new Map(comparisons.map((c) => [c.testbed, c]));
  const comparePages: string[] = [];

  // Comparison pages.
  fs.mkdirSync(path.join(out, 'compare'), { recursive: true });
  for (const c of comparisons) {
    const groups = c.groups.map((gr) => {
      figures.push({ id: gr.figure.id, plotly: gr.figure.plotly });
      const papersOf = gr.papers.map((p) => p.id).join(', ');
      const key = figureKey(gr.figure.id);
      const citation = [
        `rl-miniatures developers (${KIT_YEAR}). Figure ${gr.figure.id}: ${gr.figure.caption} ` +
          `Results published by ${papersOf}.`,
        '',
        `@misc{${key},\n` +
          `  title        = {{Figure ${bibEscape(gr.figure.id)}}: ${bibEscape(gr.figure.caption)}},\n` +
          `  author       = {{${KIT_AUTHOR}}},\n` +
          `  year         = {${KIT_YEAR}},\n` +
          `  howpublished = {rl-miniatures, figure \\texttt{${bibEscape(gr.figure.id)}}, ` +
          `reports/figures/${bibEscape(gr.figure.id)}.pdf},\n` +
          `  note         = {${bibEscape(`Comparison of results published by the miniatures of ${papersOf}`)}},\n` +
          '}',
        '',
        kitBibtex(version),
      ].join('\n');
      return {
        ...gr,
        direction: gr.higherIsBetter === null ? 'mixed' : gr.higherIsBetter ? 'higher' : 'lower',
        exports: exportsOf(out, gr.figure.id),
        citeText: citation,
      };
    });
    const html = nj.render('compare.njk', {
      ...common,
      rel: '../',
      title: `Compare methods: ${c.testbed}`,
      c: { ...c, groups },
      level: Math.round(COMPARE_LEVEL * 100),
      reps: COMPARE_REPS,
    });
    const file = path.join(out, 'compare', `${c.slug}.html`);
    writeFileAtomic(file, html);
    comparePages.push(file);
  }
  // Pages of testbeds that no longer have a built paper.
  const keep = new Set(comparePages.map((f) => path.basename(f)));
  for (const f of fs.readdirSync(path.join(out, 'compare')))
    if (f.endsWith('.html') && !keep.has(f)) fs.rmSync(path.join(out, 'compare', f), { force: true });

  for (const p of papers) {
    const { entry, summary, meta, status: st, page } = p;
    if (meta?.bibtex) bib.push(meta.bibtex.trim());
    const verdictCounts = summary
      ? ['reproduced', 'not reproduced', 'inconclusive']
          .map((s) => ({ label: s, cls: statusClass(s), n: summary.verdicts.filter((v) => v.status === s).length }))
          .filter((x) => x.n > 0)
      : null;
    const compare = entry.testbed ? compareByTestbed.get(entry.testbed) : undefined;
    rows.push({
      id: entry.id,
      title: meta?.title ?? entry.title,
      tier: entry.tier,
      family: entry.family,
      testbed: entry.testbed ?? NO_TESTBED,
      statusClass: st.statusClass,
      statusLabel: st.statusLabel,
      reason: st.reason,
      page,
      verdictCounts,
      profileNote: summary && summary.profile === 'smoke' ? 'smoke: not evidence' : null,
      searchText: `${entry.id} ${meta?.title ?? entry.title} ${entry.family} ${entry.testbed ?? ''}`.toLowerCase(),
    });
    if (page) {
      const figureIds = new Set((summary?.figures ?? []).map((f) => f.id));
      const figs = (summary?.figures ?? []).map((f) => {
        figures.push({ id: f.id, plotly: f.plotly });
        const cite = summary ? figureCitation(meta, summary, f) : null;
        if (cite) figureBib.push(cite.bibtex);
        return {
          ...f,
          exports: exportsOf(out, f.id),
          citeText: summary ? citeBlock(meta, summary, f, version) : '',
          citeKey: cite?.key ?? '',
          provenance: summary ? provenanceText(summary) : '',
        };
      });
      const html = nj.render('paper.njk', {
        ...common,
        rel: '../',
        title: meta?.title ?? entry.title,
        entry,
        comparePage: compare ? `../compare/${compare.slug}.html` : null,
        comparePublished: compare?.papers.find((x) => x.id === entry.id)?.published ?? 0,
        meta: meta ?? { title: entry.title, authors: [], claims: [], deviations: [], bibtex: '', url: '' },
        summary: summary ? { ...summary, figures: figs } : null,
        run: p.run,
        decisionRule: DECISION_RULE,
        notebookHtml: p.executed ? notebookHtml(p.executed, figureIds) : null,
      });
      const file = path.join(out, 'papers', `${entry.id}.html`);
      writeFileAtomic(file, html);
      pages.push(file);
    }
  }
  const statuses = papers.map((p) => p.status);
  // Shared testbeds alphabetically, then papers without one, then uncatalogued notebooks.
  const rank = (s: string) => (s === NO_TESTBED ? 1 : s === UNCATALOGUED ? 2 : 0);
  const byName = (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
  const groupsMap = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const k = String(r.testbed);
    if (!groupsMap.has(k)) groupsMap.set(k, []);
    groupsMap.get(k)!.push(r);
  }
  const statusOrder = (r: Record<string, unknown>) =>
    ['reproduced', 'not-reproduced', 'inconclusive', 'failed', 'built', 'not-built', 'out-of-scope'].indexOf(
      String(r.statusClass),
    );
  const groups = [...groupsMap.entries()]
    .sort((a, b) => byName(a[0], b[0]))
    .map(([name, ps]) => {
      const fam = new Map<string, Record<string, unknown>[]>();
      for (const r of ps) {
        const f = String(r.family || 'other');
        if (!fam.has(f)) fam.set(f, []);
        fam.get(f)!.push(r);
      }
      const compare = compareByTestbed.get(name);
      return {
        name,
        n: ps.length,
        built: ps.filter((r) => r.page).length,
        compareHref: compare ? `compare/${compare.slug}.html` : null,
        families: [...fam.entries()]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([family, fps]) => ({
            name: family,
            papers: fps.sort(
              (a, b) =>
                statusOrder(a) - statusOrder(b) ||
                String(a.tier).localeCompare(String(b.tier)) ||
                String(a.id).localeCompare(String(b.id)),
            ),
          })),
      };
    });
  const labels: [PaperStatus['statusClass'], string][] = [
    ['reproduced', 'reproduced'],
    ['not-reproduced', 'not reproduced'],
    ['inconclusive', 'inconclusive'],
    ['failed', 'run failed'],
    ['built', 'built'],
    ['not-built', 'not built yet'],
    ['out-of-scope', 'out of scope'],
  ];
  const counts = labels
    .map(([cls, label]) => ({ cls, label, n: statuses.filter((s) => s.statusClass === cls).length }))
    .filter((c) => c.n > 0);
  const countBy = (key: 'family' | 'testbed') => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(String(r[key]), (m.get(String(r[key])) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => byName(a[0], b[0])).map(([name, n]) => ({ name, n }));
  };
  const index = path.join(out, 'index.html');
  writeFileAtomic(
    index,
    nj.render('index.njk', {
      ...common,
      rel: '',
      title: 'Scoreboard',
      papers: rows,
      groups,
      counts,
      families: countBy('family'),
      testbeds: countBy('testbed'),
      comparisons: comparisons.map((c) => ({
        testbed: c.testbed,
        href: `compare/${c.slug}.html`,
        nShared: c.nShared,
        nGroups: c.groups.length,
        nPapers: c.papers.length,
      })),
      catalogSize: catalog.length,
      benchHref: fs.existsSync(path.join(out, 'bench.json')) ? 'bench.html' : null,
    }),
  );
  writeFileAtomic(path.join(out, 'references.bib'), [...bib, ...figureBib].join('\n\n') + '\n');
  // reports/bench.html from the last `npm run bench` (reports/bench.json), when there is one.
  renderBenchPageIfPresent(out, common);
  return { index, pages, statuses, comparePages, figures };
}

/** Backwards-compatible: the "cite this figure" text of a paper figure. */
export function citeText(meta: PaperMeta | null, summary: Summary, fig: { id: string; caption: string }): string {
  return citeBlock(meta, summary, fig, kitVersion());
}

export { escapeHtml };
