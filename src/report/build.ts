/**
 * Render the reports of one profile. Each profile has its own tree of pages, executed notebooks and
 * static figures, so a smoke run never replaces the full profile's citable files:
 *
 *   full (published)   reports/index.html, reports/papers/<id>.html, reports/compare/<testbed>.html
 *   smoke (labelled)   reports/smoke/index.html, reports/smoke/papers/<id>.html, …
 *   both               reports/notebooks/<profile>/<id>.ipynb, reports/figures/<profile>/<paper>/<name>.*
 *
 * A tree shows only its own profile's results. The scoreboard leads with the built papers, one row per
 * paper with its claim verdicts as chips; counts of "reproduced" use claims only (checks are shown in
 * their own section of the paper page). A paper whose last run failed is shown as failed and its
 * previous verdicts as stale, with the commit they came from. Every value read from summary.json or an
 * executed notebook is type-checked (./schema.ts) before rendering; pages are re-rendered only when
 * their inputs changed (a hash stamped in the page); writes are atomic, with clear messages on a full
 * or read-only disk (./io.ts). Static figures are exported separately (./export.ts), before rendering.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as nunjucks from 'nunjucks';
import { readCatalog, type CatalogEntry } from '../core/catalog';
import { escapeHtml, fmt } from '../core/escape';
import { hashTree, hashValue } from '../core/hash';
import { readNotebook, type Notebook, type PaperMeta } from '../core/ipynb';
import { PROFILES, type Profile } from '../core/params';
import { executedNotebookFile } from '../core/executed';
import { paths } from '../core/paths';
import { gitState, kitVersion } from '../core/provenance';
import type { Summary } from '../core/summary';
import { DECISION_RULE } from '../stats/verdict';
import { notebookHtml } from './notebook-html';
import {
  bibEscape,
  bibUrl,
  citeBlock,
  figureCitation,
  figureKey,
  kitBibtex,
  KIT_AUTHOR,
  KIT_YEAR,
  provenanceText,
} from './cite';
import { compareTestbed, COMPARE_LEVEL, COMPARE_REPS, slugify, type TestbedComparison } from './compare';
import { EXPORT_FORMATS, figureFileId, type ExportableFigure } from './export';
import {
  copyReportFile,
  ensureReportDir,
  removeStaleReportTemps,
  renderIfChanged,
  writeReportFile,
  type RenderStats,
} from './io';
import { copyKatexAssets, hasMath, inlineMarkdownHtml, markdownHtml } from './markdown';
import { publicationOf, repositoryUrl, type Publication } from './publication';
import { PROTOCOL_LEVEL, PROTOCOL_REPS, protocolBoard, protocolSlug, type ProtocolBoard } from './protocol';
import { checkMeta, checkSummary, MAX_TABLE_ROWS } from './schema';
import {
  addCounts,
  claimBadges,
  countChecks,
  countClaims,
  kindOf,
  verdictRows,
  type CheckCounts,
  type ClaimCounts,
  type StaleInfo,
} from './verdicts';
import { renderBenchPageIfPresent } from '../bench/html';

export interface PaperStatus {
  id: string;
  statusClass: 'reproduced' | 'not-reproduced' | 'inconclusive' | 'failed' | 'not-built' | 'out-of-scope' | 'built';
  statusLabel: string;
  reason?: string;
}

/** The last run of a notebook, from its executed notebook's metadata.rlmini (type-checked). */
export interface RunInfo {
  status: string;
  failedCell: number | null;
  error: string | null;
  executed: string;
}

/** Figure JSON larger than this is not embedded in a page (the static exports and the .ipynb have it). */
export const FIGURE_EMBED_CAP_CHARS = 2_000_000;

function templatesDir(): string {
  return path.join(paths.root(), 'src', 'report', 'templates');
}

export function statusClass(s: string): string {
  return s.replace(/\s+/g, '-');
}

/** The folder of a profile's pages: reports/ for full (the published pages), reports/<profile>/ otherwise. */
export function treeDir(profile: Profile): string {
  return profile === 'full' ? paths.reports() : path.join(paths.reports(), profile);
}

/** The static figures of a profile: reports/figures/<profile>/. */
export function figuresDir(profile: Profile): string {
  return path.join(paths.reports(), 'figures', profile);
}

/** From a page `depth` folders below its tree's root to reports/ (where assets, figures and notebooks are). */
function relToReports(profile: Profile, depth: number): string {
  return '../'.repeat(depth + (profile === 'full' ? 0 : 1));
}

/**
 * A profile's summary of a paper, type-checked (entries that do not fit the schema are left out and
 * listed in `problems`); null when there is none; `error` when the file is not a summary.
 */
export function loadSummary(
  id: string,
  profile: Profile,
): { summary: Summary; problems: string[] } | { summary: null; error: string } | null {
  const f = path.join(paths.results(), id, profile, 'summary.json');
  if (!fs.existsSync(f)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch (e) {
    return { summary: null, error: `${f} is not valid JSON (${(e as Error).message}); re-run the notebook` };
  }
  const r = checkSummary(raw);
  if (!r.ok) return { summary: null, error: `${f} is not a summary: ${r.error}; re-run the notebook` };
  return r.value;
}

function runInfoOf(x: unknown): RunInfo | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  if (typeof m.status !== 'string') return null;
  return {
    status: m.status.slice(0, 40),
    failedCell: Number.isInteger(m.failedCell) ? (m.failedCell as number) : null,
    error: typeof m.error === 'string' ? m.error.slice(0, 4000) : null,
    executed: typeof m.executed === 'string' ? m.executed.slice(0, 40) : '',
  };
}

interface ExecutedInfo {
  file: string;
  /** size and mtime: what identifies this version of the file for the page's input hash. */
  stamp: { size: number; mtimeMs: number } | null;
  run: RunInfo | null;
}

/**
 * The last run of a paper's notebook in a profile, without parsing a large executed notebook on every
 * build: the run metadata is cached in reports/.cache/ against the file's size and modification time.
 */
function executedInfo(id: string, profile: Profile): ExecutedInfo {
  const file = executedNotebookFile(id, profile);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return { file, stamp: null, run: null };
  }
  const stamp = { size: st.size, mtimeMs: st.mtimeMs };
  const cache = path.join(paths.reports(), '.cache', 'executed', profile, `${id}.json`);
  try {
    const c = JSON.parse(fs.readFileSync(cache, 'utf8'));
    if (c.size === stamp.size && c.mtimeMs === stamp.mtimeMs) return { file, stamp, run: runInfoOf(c.run) };
  } catch {
    /* no cache yet */
  }
  let run: RunInfo | null = null;
  try {
    run = runInfoOf(readNotebook(file).metadata.rlmini);
  } catch {
    run = { status: 'error', failedCell: null, error: 'the executed notebook cannot be read', executed: '' };
  }
  try {
    writeReportFile(cache, JSON.stringify({ ...stamp, run }) + '\n');
  } catch {
    /* the cache is an optimisation */
  }
  return { file, stamp, run };
}

function executedNotebook(file: string): Notebook | null {
  try {
    return readNotebook(file);
  } catch {
    return null;
  }
}

/** A paper's status on the scoreboard, from its claims only (checks never count). */
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
  if (!summary) return { id: entry.id, statusClass: 'built', statusLabel: 'built, no results yet' };
  const c = countClaims(summary.verdicts);
  if (c.total === 0) return { id: entry.id, statusClass: 'built', statusLabel: 'built, no claims tested yet' };
  if (c.notReproduced > 0)
    return { id: entry.id, statusClass: 'not-reproduced', statusLabel: 'not reproduced (some claims)' };
  if (c.reproduced === c.total) return { id: entry.id, statusClass: 'reproduced', statusLabel: 'reproduced' };
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
  e.addFilter('statusClass', (v: string) => statusClass(String(v)));
  e.addFilter(
    'safejson',
    (v: unknown) =>
      new nunjucks.runtime.SafeString(
        JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
      ),
  );
  return e;
}

/** Assets every page loads (CSS, JS, the plotly bundle, KaTeX's stylesheet and fonts): copied when changed. */
function copyAssets(out: string): void {
  const dir = path.join(out, 'assets');
  ensureReportDir(dir);
  const src = path.join(paths.root(), 'src', 'report', 'assets');
  for (const f of fs.readdirSync(src)) {
    const to = path.join(dir, f);
    const from = path.join(src, f);
    if (fs.existsSync(to) && fs.readFileSync(to).equals(fs.readFileSync(from))) continue;
    copyReportFile(from, to);
  }
  const plotly = require.resolve('plotly.js-dist-min');
  const dest = path.join(dir, 'plotly.min.js');
  if (!fs.existsSync(dest) || fs.statSync(dest).size !== fs.statSync(plotly).size) copyReportFile(plotly, dest);
  copyKatexAssets(dir, copyReportFile);
}

/**
 * What the renderer itself is: templates, assets and the compiled report code. Part of every page's
 * input hash, so a changed template or renderer re-renders every page once.
 */
function rendererVersion(): string {
  const dist = __dirname;
  return hashValue({
    templates: hashTree(templatesDir(), () => true),
    assets: hashTree(path.join(paths.root(), 'src', 'report', 'assets'), () => true),
    code: hashTree(dist, (f) => f.endsWith('.js')),
    display: fs.existsSync(path.join(dist, '..', 'core', 'display.js'))
      ? hashValue(fs.readFileSync(path.join(dist, '..', 'core', 'display.js'), 'utf8'))
      : '',
    katex: require('katex/package.json').version,
  });
}

export interface BuildResult {
  index: string;
  pages: string[];
  statuses: PaperStatus[];
  /** <tree>/compare/<testbed>.html files written. */
  comparePages: string[];
  /** Every figure of the reports (paper figures and comparison figures), for the static export. */
  figures: ExportableFigure[];
  /** Pages written this time, and pages left as they were (their inputs did not change). */
  rendered: string[];
  unchanged: string[];
  /** Summary problems (entries that failed the schema, unreadable files), one line each. */
  problems: string[];
}

interface PaperInput {
  entry: CatalogEntry;
  nbFile: string;
  hasNotebook: boolean;
  summary: Summary | null;
  problems: string[];
  executed: ExecutedInfo;
  run: RunInfo | null;
  status: PaperStatus;
  meta: PaperMeta | null;
  /** Whether the paper gets <tree>/papers/<id>.html. */
  page: boolean;
  /** The last run failed: the summary shown is from the last successful run. */
  stale: StaleInfo | null;
  publication: Publication | null;
}

const UNCATALOGUED = 'uncatalogued';
const NO_TESTBED = 'no shared testbed';

/** Every catalog paper (and uncatalogued notebook) with what the reports of `profile` show for it. */
function collectPapers(profile: Profile): { catalog: CatalogEntry[]; papers: PaperInput[] } {
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
    const loaded = hasNotebook ? loadSummary(entry.id, profile) : null;
    const summary = loaded?.summary ?? null;
    const problems = loaded ? ('error' in loaded ? [loaded.error] : loaded.problems) : [];
    const executed = hasNotebook ? executedInfo(entry.id, profile) : { file: '', stamp: null, run: null };
    const run = executed.run;
    const status = paperStatus(entry, hasNotebook, summary, run);
    let meta: PaperMeta | null = summary?.meta ?? null;
    if (!meta && hasNotebook) {
      try {
        meta = checkMeta(readNotebook(nbFile).metadata.paper, problems);
      } catch {
        meta = null;
      }
    }
    const page = hasNotebook && entry.tier !== 'C' && entry.tier !== 'D';
    const stale: StaleInfo | null =
      summary && run && run.status !== 'ok'
        ? {
            commit: /^[0-9a-f]{7,40}$/.test(summary.provenance.commit)
              ? summary.provenance.commit.slice(0, 12)
              : 'unknown',
            dirty: summary.provenance.dirty,
            date: (summary.provenance.createdAt ?? '').slice(0, 10),
          }
        : null;
    const publication = summary ? publicationOf(summary) : null;
    return { entry, nbFile, hasNotebook, summary, problems, executed, run, status, meta, page, stale, publication };
  });
  return { catalog, papers };
}

/** The comparison of every shared testbed that has at least one built paper (current results only). */
function collectComparisons(papers: PaperInput[]): TestbedComparison[] {
  const byTestbed = new Map<string, PaperInput[]>();
  for (const p of papers) {
    const tb = p.entry.testbed;
    if (!p.page || !tb || tb === UNCATALOGUED) continue;
    if (!byTestbed.has(tb)) byTestbed.set(tb, []);
    byTestbed.get(tb)!.push(p);
  }
  // A testbed with a standard protocol gets its page even before any of its papers is built.
  for (const p of papers) {
    const tb = p.summary?.protocol?.testbed;
    if (tb && p.page && !p.stale && !byTestbed.has(tb)) byTestbed.set(tb, []);
  }
  return [...byTestbed.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([tb, ps]) =>
      compareTestbed(
        tb,
        ps.map((p) => ({
          id: p.entry.id,
          title: p.meta?.title || p.entry.title,
          page: p.page,
          // A failed run's results are stale: they are not compared as if current.
          summary: p.stale ? null : p.summary,
        })),
      ),
    );
}

/**
 * The standard-protocol leaderboards, by testbed (the unnamed protocol first, then by name): from the protocol
 * notebooks' current (not stale) summaries. Two notebooks publishing the same (testbed, name) would draw the same
 * figures: the first by notebook id is kept and the other is named in a warning.
 */
function collectProtocols(papers: PaperInput[]): Map<string, { board: ProtocolBoard; from: PaperInput }[]> {
  const out = new Map<string, { board: ProtocolBoard; from: PaperInput }[]>();
  const seen = new Map<string, string>();
  for (const p of [...papers].sort((a, b) => a.entry.id.localeCompare(b.entry.id))) {
    const spec = p.summary?.protocol;
    if (!spec || p.stale || !p.page) continue;
    const key = `${spec.testbed}\u0000${spec.name ?? ''}`;
    if (seen.has(key)) {
      console.warn(
        `reports: ${p.entry.id} publishes the ${spec.testbed} protocol${spec.name ? ` "${spec.name}"` : ''} that ` +
          `${seen.get(key)} already publishes; it is left out. Give one of them a distinct protocol name.`,
      );
      continue;
    }
    seen.set(key, p.entry.id);
    if (!out.has(spec.testbed)) out.set(spec.testbed, []);
    out.get(spec.testbed)!.push({ board: protocolBoard(spec), from: p });
  }
  for (const list of out.values())
    list.sort((a, b) => (a.board.spec.name ?? '').localeCompare(b.board.spec.name ?? ''));
  return out;
}

/** The figures the reports of a profile show (paper figures and comparison figures), without rendering. */
export function reportFigures(opts: { profile: Profile }): ExportableFigure[] {
  const { papers } = collectPapers(opts.profile);
  const figs: ExportableFigure[] = [];
  for (const p of papers)
    if (p.page) for (const f of p.summary?.figures ?? []) figs.push({ id: f.id, plotly: f.plotly });
  for (const c of collectComparisons(papers))
    for (const g of c.groups) figs.push({ id: g.figure.id, plotly: g.figure.plotly });
  for (const list of collectProtocols(papers).values())
    for (const { board } of list)
      for (const f of Object.values(board.figures)) figs.push({ id: f.id, plotly: f.plotly });
  return figs;
}

/** Links to the static files of a figure that exist, from a page whose path to reports/ is `rel`. */
function exportsOf(profile: Profile, id: string, rel: string): { ext: string; href: string }[] {
  const file = figureFileId(id);
  return EXPORT_FORMATS.filter((e) => fs.existsSync(path.join(figuresDir(profile), `${file}.${e}`))).map((e) => ({
    ext: e,
    href: `${rel}figures/${profile}/${file}.${e}`,
  }));
}

/** The figure's plotly JSON for the page, or null when it is too large to embed. */
function embeddable(plotly: unknown): unknown | null {
  const n = JSON.stringify(plotly).length;
  return n <= FIGURE_EMBED_CAP_CHARS ? plotly : null;
}

function anchorOf(name: string): string {
  return `fig-${slugify(name)}`;
}

function emptyClaims(): ClaimCounts {
  return { reproduced: 0, notReproduced: 0, inconclusive: 0, invalid: 0, total: 0 };
}

function emptyChecks(): CheckCounts {
  return { passed: 0, failed: 0, inconclusive: 0, total: 0 };
}

export function buildReports(opts: { profile: Profile }): BuildResult {
  const profile = opts.profile;
  const out = paths.reports();
  const tree = treeDir(profile);
  ensureReportDir(path.join(tree, 'papers'));
  ensureReportDir(path.join(tree, 'compare'));
  // Temp files of writers killed mid-write (pages, figures, notebooks of a dead run): never real data.
  removeStaleReportTemps(out);
  copyAssets(out);
  const { catalog, papers } = collectPapers(profile);
  const nj = env();
  const g = gitState();
  const version = kitVersion();
  const repo = repositoryUrl(paths.root());
  const cite = { repoUrl: repo.url };
  const renderer = rendererVersion();
  const generated = new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
  const common = { kitVersion: version, commit: g.commit.slice(0, 12), profile };
  // The other profiles' trees that exist, for the header.
  const trees = PROFILES.map((p) => ({
    profile: p,
    label: p === 'full' ? 'full (published)' : p === 'large' ? 'large (not committed)' : `${p} (not evidence)`,
    exists: p === profile || fs.existsSync(path.join(treeDir(p), 'index.html')),
    current: p === profile,
    href: (depth: number) => `${relToReports(profile, depth)}${p === 'full' ? '' : `${p}/`}index.html`,
  }));
  const nav = (depth: number) =>
    trees.filter((t) => t.exists).map((t) => ({ label: t.label, current: t.current, href: t.href(depth) }));
  const stats: RenderStats = { rendered: [], unchanged: [] };
  const pages: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const bib: string[] = [kitBibtex(version, cite)];
  const figureBib: string[] = [];
  const figures: ExportableFigure[] = [];
  const problems: string[] = [];
  const comparisons = collectComparisons(papers);
  const protocols = collectProtocols(papers);
  const compareByTestbed = new Map(comparisons.map((c) => [c.testbed, c]));
  const byId = new Map(papers.map((p) => [p.entry.id, p]));
  // Protocol results cited under a paper's claims (a second, independent setting; never part of the verdict).
  const evidence = new Map<string, Record<string, unknown>[]>(); // `${paper}#${claim}` → items
  for (const [tb, list] of protocols)
    for (const { board, from } of list)
      for (const c of board.citations) {
        const target = byId.get(c.paper);
        const claimIds = new Set((target?.meta?.claims ?? []).map((x) => x.id));
        if (!target || !claimIds.has(c.claim)) {
          problems.push(
            `${from.entry.id}: protocol citation of ${c.paper}#${c.claim}: ` +
              (target ? `the paper has no claim "${c.claim}"` : `no paper "${c.paper}"`) +
              ' (fix the citation in the protocol notebook).',
          );
          continue;
        }
        const key = `${c.paper}#${c.claim}`;
        if (!evidence.has(key)) evidence.set(key, []);
        evidence.get(key)!.push({
          ...c,
          note: c.note ? inlineMarkdownHtml(c.note) : '',
          protocol: board.spec.name ? `${tb} protocol (${board.spec.title ?? board.spec.name})` : `${tb} protocol`,
          href: `../compare/${compareByTestbed.get(tb)?.slug ?? tb}.html#${protocolSlug(board.spec)}`,
          notebook: from.entry.id,
          level: Math.round(PROTOCOL_LEVEL * 100),
        });
      }
  const comparePages: string[] = [];
  const render = (file: string, template: string, ctx: Record<string, unknown>, inputs: unknown) =>
    renderIfChanged(
      file,
      { renderer, inputs, ctx, common },
      (hash) => nj.render(template, { ...common, ...ctx, generated, inputsHash: hash }),
      stats,
    );

  // Comparison pages.
  for (const c of comparisons) {
    const rel = relToReports(profile, 1);
    const groups = c.groups.map((gr) => {
      figures.push({ id: gr.figure.id, plotly: gr.figure.plotly });
      const from = gr.papers.map((p) => byId.get(p.id)).filter((p): p is PaperInput => !!p && !!p.summary);
      const pubs = from.map((p) => ({ id: p.entry.id, pub: p.publication! }));
      const notCitable = pubs.filter((x) => !x.pub.citable);
      const papersOf = pubs.map((x) => `${x.id} (commit ${x.pub.commit})`).join(', ');
      const key = figureKey(gr.figure.id);
      const citation = notCitable.length
        ? `Not citable: this figure includes results that are not citable: ` +
          `${notCitable.map((x) => `${x.id}: ${x.pub.label}`).join('; ')}. Cite it once every result is published ` +
          '(`npm run reports -- --publish` from a clean checkout of the full profile).'
        : [
            `rl-miniatures developers (${KIT_YEAR}). Figure ${gr.figure.id}: ${gr.figure.caption} ` +
              `Results published by ${papersOf}.`,
            '',
            `@misc{${key},\n` +
              `  title        = {{Figure ${bibEscape(gr.figure.id)}}: ${bibEscape(gr.figure.caption)}},\n` +
              `  author       = {{${KIT_AUTHOR}}},\n` +
              `  year         = {${KIT_YEAR}},\n` +
              `  howpublished = {${repo.url ? `\\url{${bibUrl(repo.url)}}, ` : 'rl-miniatures, '}` +
              `comparison figure \\texttt{${bibEscape(gr.figure.id)}}},\n` +
              `  note         = {${bibEscape(`Comparison of results published by the miniatures of ${papersOf}`)}},\n` +
              '}',
            '',
            kitBibtex(version, cite),
          ].join('\n');
      const plotly = embeddable(gr.figure.plotly);
      return {
        ...gr,
        direction: gr.higherIsBetter === null ? 'mixed' : gr.higherIsBetter ? 'higher' : 'lower',
        exports: exportsOf(profile, gr.figure.id, rel),
        plotly,
        citeText: citation,
      };
    });
    const protocolList = (protocols.get(c.testbed) ?? []).map(({ board, from }) => {
      const pub = from.publication;
      const figs = Object.values(board.figures).map((f) => {
        figures.push({ id: f.id, plotly: f.plotly });
        const citeText =
          pub && pub.citable
            ? [
                `rl-miniatures developers (${KIT_YEAR}). Figure ${f.id}: ${f.caption} ` +
                  `Results of ${from.entry.id} (commit ${pub.commit}).`,
                '',
                `@misc{${figureKey(f.id)},\n` +
                  `  title        = {{Figure ${bibEscape(f.id)}}: ${bibEscape(f.caption)}},\n` +
                  `  author       = {{${KIT_AUTHOR}}},\n` +
                  `  year         = {${KIT_YEAR}},\n` +
                  `  howpublished = {${repo.url ? `\\url{${bibUrl(repo.url)}}, ` : 'rl-miniatures, '}` +
                  `comparison figure \\texttt{${bibEscape(f.id)}}},\n` +
                  '}',
                '',
                kitBibtex(version, cite),
              ].join('\n')
            : `Not citable: ${from.entry.id}: ${pub ? pub.label : 'no published result'}. Cite it once the protocol ` +
              "notebook's full profile is published from a clean checkout.";
        return { ...f, plotly: embeddable(f.plotly), exports: exportsOf(profile, f.id, rel), citeText };
      });
      const blob = (src: string) => (repo.url && pub?.commit ? `${repo.url}/blob/${pub.commit}/${src}` : null);
      return {
        slug: protocolSlug(board.spec),
        title: board.spec.title ?? null,
        named: !!board.spec.name,
        notebook: from.entry.id,
        description: markdownHtml(board.spec.description),
        score: { ...board.spec.score, definition: markdownHtml(board.spec.score.definition) },
        limits: markdownHtml(board.spec.limits),
        tasks: board.spec.tasks,
        nSeeds: board.spec.seeds.length,
        rows: board.rows.map((r) => ({
          ...r,
          papers: r.papers.map((id) => ({ id, page: !!byId.get(id)?.page })),
          sourceUrl: blob(r.source),
        })),
        poi: board.poi,
        secondary: board.secondary,
        notEntered: board.spec.notEntered.map((n) => ({
          ...n,
          papers: n.papers.map((id) => ({ id, page: !!byId.get(id)?.page })),
        })),
        figures: figs,
        citations: board.citations.map((x) => ({
          ...x,
          note: x.note ? inlineMarkdownHtml(x.note) : '',
          page: !!byId.get(x.paper)?.page,
        })),
        level: Math.round(PROTOCOL_LEVEL * 100),
        reps: PROTOCOL_REPS,
      };
    });
    const file = path.join(tree, 'compare', `${c.slug}.html`);
    render(
      file,
      'compare.njk',
      {
        rel,
        home: '../',
        nav: nav(1),
        title: `Compare methods: ${c.testbed}`,
        c: { ...c, groups },
        protocols: protocolList,
        level: Math.round(COMPARE_LEVEL * 100),
        reps: COMPARE_REPS,
        repoNote: repo.note,
      },
      null,
    );
    comparePages.push(file);
  }
  // Pages of testbeds that no longer have a built paper.
  const keep = new Set(comparePages.map((f) => path.basename(f)));
  for (const f of fs.readdirSync(path.join(tree, 'compare')))
    if (f.endsWith('.html') && !keep.has(f)) fs.rmSync(path.join(tree, 'compare', f), { force: true });

  let claimTotals = emptyClaims();
  let checkTotals = emptyChecks();
  let staleClaims = 0;
  for (const p of papers) {
    const { entry, summary, meta, status: st, page, stale, publication } = p;
    if (meta?.bibtex) bib.push(meta.bibtex.trim());
    for (const x of p.problems) problems.push(`${entry.id}: ${x}`);
    const verdicts = summary?.verdicts ?? [];
    const claims = verdicts.filter((v) => kindOf(v) === 'claim');
    const checks = verdicts.filter((v) => kindOf(v) === 'check');
    const cc = countClaims(verdicts);
    const kc = countChecks(verdicts);
    if (page && summary && !stale) {
      claimTotals = addCounts(claimTotals, cc);
      checkTotals = addCounts(checkTotals, kc);
    } else if (page && stale) staleClaims += cc.total;
    const compare = entry.testbed ? compareByTestbed.get(entry.testbed) : undefined;
    const figureAnchors = new Map(
      (summary?.figures ?? []).map((f) => [f.id, `papers/${entry.id}.html#${anchorOf(f.name)}`]),
    );
    rows.push({
      id: entry.id,
      title: meta?.title || entry.title,
      tier: entry.tier,
      family: entry.family,
      testbed: entry.testbed ?? NO_TESTBED,
      statusClass: st.statusClass,
      statusLabel: st.statusLabel,
      reason: st.reason,
      page,
      built: page,
      chips: verdictRows(claims, figureAnchors, stale),
      claimBadges: claimBadges(cc),
      checks: kc,
      stale,
      publication: publication && publication.state === 'unpublished' ? publication.label : null,
      searchText: `${entry.id} ${meta?.title || entry.title} ${entry.family} ${entry.testbed ?? ''}`.toLowerCase(),
    });
    if (!page) continue;
    const rel = relToReports(profile, 1);
    const ipynbHref = p.executed.stamp ? `${rel}notebooks/${profile}/${entry.id}.ipynb` : null;
    const figureIds = new Set((summary?.figures ?? []).map((f) => f.id));
    const figs = (summary?.figures ?? []).map((f) => {
      figures.push({ id: f.id, plotly: f.plotly });
      if (summary && publication?.citable) figureBib.push(figureCitation(meta, summary, f, cite).bibtex);
      else if (summary)
        figureBib.push(`% ${figureKey(f.id)}: not citable — ${publication?.label ?? 'no result'} (${entry.id})`);
      return {
        id: f.id,
        name: f.name,
        anchor: anchorOf(f.name),
        caption: f.caption,
        plotly: embeddable(f.plotly),
        size: JSON.stringify(f.plotly).length,
        exports: exportsOf(profile, f.id, rel),
        citable: !!publication?.citable,
        citeText: summary ? citeBlock(meta, summary, f, version, cite) : '',
        citeKey: publication?.citable ? figureKey(f.id) : '',
        provenance: summary ? provenanceText(summary) : '',
      };
    });
    const pageAnchors = new Map((summary?.figures ?? []).map((f) => [f.id, `#${anchorOf(f.name)}`]));
    const m: PaperMeta = meta ?? {
      id: entry.id,
      title: entry.title,
      authors: [],
      year: 0,
      claims: [],
      deviations: [],
      bibtex: '',
      url: '',
    };
    const readings = (summary?.readings ?? []).map((r) => markdownHtml(r));
    const metaHtml = {
      claims: (m.claims ?? []).map((c) => ({
        id: c.id,
        html: inlineMarkdownHtml(c.quote),
        evidence: evidence.get(`${entry.id}#${c.id}`) ?? [],
      })),
      design: m.design ? markdownHtml(m.design) : '',
      deviations: (m.deviations ?? []).map((d) => inlineMarkdownHtml(d)),
    };
    const tables = (summary?.tables ?? []).map((t) => ({
      ...t,
      rows: t.rows.slice(0, MAX_TABLE_ROWS),
      omitted: Math.max(0, t.rows.length - MAX_TABLE_ROWS),
    }));
    const ctx = {
      rel,
      home: '../',
      nav: nav(1),
      title: m.title || entry.title,
      entry,
      comparePage: compare ? `../compare/${compare.slug}.html` : null,
      comparePublished: compare?.papers.find((x) => x.id === entry.id)?.published ?? 0,
      meta: m,
      metaHtml,
      status: st,
      run: p.run,
      stale,
      publication,
      publicationWhy: publication ? inlineMarkdownHtml(publication.why) : '',
      claimBadges: claimBadges(cc),
      checkCounts: kc,
      claims: verdictRows(claims, pageAnchors, stale),
      checks: verdictRows(checks, pageAnchors, stale),
      readings,
      decisionRule: DECISION_RULE,
      summary: summary ? { ...summary, figures: figs, tables, readings: undefined } : null,
      problems: p.problems.slice(0, 30),
      moreProblems: Math.max(0, p.problems.length - 30),
      repoNote: repo.note,
      ipynbHref,
    };
    const file = path.join(tree, 'papers', `${entry.id}.html`);
    // The executed notebook (possibly large) is read only when the page has to be rendered again.
    renderIfChanged(
      file,
      { renderer, ctx, common, executed: p.executed.stamp },
      (hash) => {
        const ex = p.executed.stamp ? executedNotebook(p.executed.file) : null;
        const nbHtml = ex ? notebookHtml(ex, { figureIds, ipynbHref: ipynbHref ?? undefined }) : null;
        const math =
          hasMath(nbHtml ?? '') ||
          [...readings, metaHtml.design].some(hasMath) ||
          metaHtml.claims.some((c) => hasMath(c.html)) ||
          metaHtml.deviations.some(hasMath);
        return nj.render('paper.njk', { ...common, ...ctx, generated, inputsHash: hash, notebookHtml: nbHtml, math });
      },
      stats,
    );
    pages.push(file);
  }
  // Pages of papers that are no longer built (a notebook removed or renamed).
  const keepPages = new Set(pages.map((f) => path.basename(f)));
  for (const f of fs.readdirSync(path.join(tree, 'papers')))
    if (f.endsWith('.html') && !keepPages.has(f)) fs.rmSync(path.join(tree, 'papers', f), { force: true });

  const statuses = papers.map((p) => p.status);
  // Built papers first (by testbed, then id), then the rest of the catalog.
  const rank = (s: string) => (s === NO_TESTBED ? 1 : s === UNCATALOGUED ? 2 : 0);
  const statusOrder = (r: Record<string, unknown>) =>
    ['reproduced', 'not-reproduced', 'inconclusive', 'failed', 'built', 'not-built', 'out-of-scope'].indexOf(
      String(r.statusClass),
    );
  rows.sort(
    (a, b) =>
      Number(b.built) - Number(a.built) ||
      (a.built
        ? rank(String(a.testbed)) - rank(String(b.testbed)) || String(a.testbed).localeCompare(String(b.testbed))
        : statusOrder(a) - statusOrder(b) || String(a.tier).localeCompare(String(b.tier))) ||
      String(a.id).localeCompare(String(b.id)),
  );
  const labels: [PaperStatus['statusClass'], string][] = [
    ['reproduced', 'all claims reproduced'],
    ['not-reproduced', 'some claims not reproduced'],
    ['inconclusive', 'some claims inconclusive'],
    ['failed', 'run failed'],
    ['built', 'built, no verdicts'],
    ['not-built', 'not built yet'],
    ['out-of-scope', 'out of scope'],
  ];
  const counts = labels
    .map(([cls, label]) => ({ cls, label, n: statuses.filter((s) => s.statusClass === cls).length }))
    .filter((c) => c.n > 0);
  const countBy = (key: 'family' | 'testbed') => {
    const mm = new Map<string, number>();
    for (const r of rows) mm.set(String(r[key]), (mm.get(String(r[key])) ?? 0) + 1);
    return [...mm.entries()]
      .sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
      .map(([name, n]) => ({ name, n }));
  };
  const index = path.join(tree, 'index.html');
  render(
    index,
    'index.njk',
    {
      rel: relToReports(profile, 0),
      home: '',
      nav: nav(0),
      title: profile === 'full' ? 'Scoreboard' : `Scoreboard (${profile} profile)`,
      papers: rows,
      counts,
      nBuilt: rows.filter((r) => r.built).length,
      claimTotals,
      claimTotalBadges: claimBadges(claimTotals),
      checkTotals,
      staleClaims,
      decisionRule: DECISION_RULE,
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
      benchHref: profile === 'full' && fs.existsSync(path.join(out, 'bench.json')) ? 'bench.html' : null,
    },
    null,
  );
  writeIfDifferent(path.join(tree, 'references.bib'), [...bib, ...figureBib].join('\n\n') + '\n');
  // reports/bench.html from the last `npm run bench` (reports/bench.json), when there is one.
  if (profile === 'full') renderBenchPageIfPresent(out, { ...common, generated });
  return {
    index,
    pages,
    statuses,
    comparePages,
    figures,
    rendered: stats.rendered,
    unchanged: stats.unchanged,
    problems,
  };
}

function writeIfDifferent(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    /* missing: write it */
  }
  writeReportFile(file, content);
}

/** Backwards-compatible: the "cite this figure" text of a paper figure. */
export function citeText(meta: PaperMeta | null, summary: Summary, fig: { id: string; caption: string }): string {
  return citeBlock(meta, summary, fig, kitVersion(), { repoUrl: repositoryUrl(paths.root()).url });
}

export { escapeHtml };
