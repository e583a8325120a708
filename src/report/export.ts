/**
 * Static figures: every figure of the reports exported as SVG, PNG (300 dpi equivalent) and PDF under
 * reports/figures/<profile>/<paper-id>/<name>.{svg,png,pdf} (one folder per profile, so a smoke run never
 * replaces the full profile's citable files; ids that are not plain paths are slugified), rendered by real
 * headless Chromium (playwright-core, Debian's /usr/bin/chromium) with the local plotly bundle:
 * Plotly.toImage for SVG and PNG, page.pdf of a page holding only the figure for a vector PDF. A manifest
 * keeps a hash of what determines each export, so a rebuild re-exports only figures whose data changed (and
 * never starts Chromium when nothing changed); it is rewritten atomically after each figure, so a kill
 * loses at most the figure in progress, and temp files of killed exports are removed at the next start.
 * Without Chromium the export is skipped with one message; the HTML still builds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { hashValue, sha256 } from '../core/hash';
import type { FigureSpec } from '../core/summary';
import { makeChromiumTmp, removeStaleChromiumTmps, withTmpDir } from './chromium-tmp';
import { ensureReportDir, removeStaleReportTemps, writeReportFile } from './io';

export const CHROMIUM_DEFAULT = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** CSS pixels: 7.5 × 4.5 inches at 96 dpi. */
export const EXPORT_WIDTH = 720;
export const EXPORT_HEIGHT = 432;
/** 300 dpi / 96 dpi: a 720 px wide figure becomes a 2250 px wide PNG. */
export const PNG_SCALE = 300 / 96;
export const EXPORT_FORMATS = ['svg', 'png', 'pdf'] as const;
const EXPORTER_VERSION = 1;
const MANIFEST = 'manifest.json';

export interface ExportableFigure {
  /** `<paper-id>/<name>` (or `compare/<testbed>/<metric>`): the files are <id>.{svg,png,pdf}. */
  id: string;
  plotly: FigureSpec['plotly'];
}

export interface ExportResult {
  exported: string[];
  unchanged: string[];
  removed: string[];
  failed: { id: string; error: string }[];
  /** Why nothing was exported (no Chromium, no playwright-core); null when the exporter ran or was not needed. */
  skipped: string | null;
  ms: number;
}

/** Keyed by the figure's file id (figureFileId). */
interface Manifest {
  schema: 'rl-miniatures/figure-exports@1';
  figures: Record<string, { hash: string; files: string[] }>;
}

export function chromiumPath(): string {
  return process.env.RLMINI_CHROMIUM || CHROMIUM_DEFAULT;
}

/** Only plain ids map to files: segments of letters, digits, dots, dashes and underscores. */
export function safeFigureId(id: string): boolean {
  return (
    /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(id) &&
    !id.split('/').some((s) => s === '..' || s === '.')
  );
}

/**
 * The file path (without extension, relative to the figures folder) of a figure id. A plain id maps to
 * itself; any other (a paper or testbed name with spaces, slashes, non-ASCII, `..`) is slugified segment
 * by segment, with a short hash of the id so that two ids never share files. Every id maps to a safe
 * path, so one odd name cannot make the export fail (nor fail every later run).
 */
export function figureFileId(id: string): string {
  if (safeFigureId(id)) return id;
  const segs = String(id)
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map(
      (s) =>
        s
          .normalize('NFKD')
          .replace(/[^A-Za-z0-9_.-]+/g, '-')
          .replace(/-{2,}/g, '-')
          .replace(/^[.-]+|[.-]+$/g, '')
          .slice(0, 80) || 'x',
    );
  if (segs.length === 0) segs.push('figure');
  segs[segs.length - 1] += `-${sha256(String(id)).slice(0, 8)}`;
  return segs.join('/');
}

function figureSize(layout: Record<string, unknown>): { width: number; height: number } {
  const w =
    typeof layout.width === 'number' && layout.width >= 100 && layout.width <= 4000 ? layout.width : EXPORT_WIDTH;
  const h =
    typeof layout.height === 'number' && layout.height >= 100 && layout.height <= 4000 ? layout.height : EXPORT_HEIGHT;
  return { width: Math.round(w), height: Math.round(h) };
}

function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min');
}

function plotlyVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(path.dirname(plotlyBundlePath()), 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** What determines the exported files of a figure. */
export function exportHash(f: ExportableFigure): string {
  return hashValue({
    plotly: f.plotly,
    size: figureSize(f.plotly.layout ?? {}),
    scale: PNG_SCALE,
    plotly_js: plotlyVersion(),
    exporter: EXPORTER_VERSION,
  });
}

function readManifest(dir: string): Manifest {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    if (m && m.schema === 'rl-miniatures/figure-exports@1' && m.figures && typeof m.figures === 'object') return m;
  } catch {
    /* missing or corrupt: everything is re-exported */
  }
  return { schema: 'rl-miniatures/figure-exports@1', figures: {} };
}

/** The figures to (re-)export: new ones, changed data, or a missing file. Unchanged ids go to `unchanged`. */
function planExports(
  figures: ExportableFigure[],
  manifest: Manifest,
  dir: string,
  force: boolean,
  unchanged: string[],
): { f: ExportableFigure; hash: string }[] {
  const todo: { f: ExportableFigure; hash: string }[] = [];
  for (const f of figures) {
    const hash = exportHash(f);
    const file = figureFileId(f.id);
    const prev = manifest.figures[file];
    const present = EXPORT_FORMATS.every((e) => fs.existsSync(path.join(dir, `${file}.${e}`)));
    if (!force && prev && prev.hash === hash && present) unchanged.push(f.id);
    else todo.push({ f, hash });
  }
  return todo;
}

/** What exportFigures would do now, without starting Chromium: ids to export and ids unchanged. */
export function exportPlan(figures: ExportableFigure[], dir: string): { toExport: string[]; unchanged: string[] } {
  const unchanged: string[] = [];
  const todo = planExports(figures, readManifest(dir), dir, false, unchanged);
  return { toExport: todo.map((t) => t.f.id), unchanged };
}

export function missingChromiumMessage(exe: string): string {
  return (
    `rl-miniatures: static figures (SVG/PNG/PDF) skipped: Chromium not found at ${exe}. ` +
    "Install Debian's package with `sudo apt-get install -y chromium` " +
    '(or set RLMINI_CHROMIUM to a Chromium binary), then run `npm run reports` again. ' +
    'The HTML reports are built without static figures.'
  );
}

/** The export page: only the figure's div and the local plotly bundle (loaded from file://). */
function pageHtml(): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<style id="page">@page{size:${EXPORT_WIDTH}px ${EXPORT_HEIGHT}px;margin:0}</style>\n` +
    '<style>html,body{margin:0;padding:0;background:#fff;overflow:hidden}' +
    `#g{width:${EXPORT_WIDTH}px;height:${EXPORT_HEIGHT}px}</style></head><body><div id="g"></div>\n` +
    `<script src="${pathToFileURL(plotlyBundlePath()).href}"></script></body></html>`
  );
}

/**
 * Export the figures whose data changed since the last export (all of them with `force`), and remove
 * the files of figures that no longer exist. Never throws for a figure: failures are returned.
 */
export async function exportFigures(
  figures: ExportableFigure[],
  opts: { dir: string; force?: boolean; log?: (line: string) => void },
): Promise<ExportResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const res: ExportResult = { exported: [], unchanged: [], removed: [], failed: [], skipped: null, ms: 0 };
  ensureReportDir(opts.dir);
  // Temp files of exports killed mid-write (never a complete figure).
  removeStaleReportTemps(opts.dir);
  const manifest = readManifest(opts.dir);
  // One figure per file id (ids are slugified to safe paths; the first of two ids sharing one wins).
  const wanted = new Map<string, ExportableFigure>();
  for (const f of figures) if (!wanted.has(figureFileId(f.id))) wanted.set(figureFileId(f.id), f);
  // Files of figures that are gone.
  for (const file of Object.keys(manifest.figures)) {
    if (wanted.has(file) || !safeFigureId(file)) continue;
    for (const e of EXPORT_FORMATS) fs.rmSync(path.join(opts.dir, `${file}.${e}`), { force: true });
    delete manifest.figures[file];
    res.removed.push(file);
  }
  const todo = planExports([...wanted.values()], manifest, opts.dir, !!opts.force, res.unchanged);
  // Written atomically after every figure: a kill during the export loses at most the figure in progress.
  const saveManifest = () => writeReportFile(path.join(opts.dir, MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
  if (todo.length === 0) {
    if (res.removed.length) saveManifest();
    res.ms = Date.now() - t0;
    return res;
  }
  const exe = chromiumPath();
  if (!fs.existsSync(exe)) {
    res.skipped = missingChromiumMessage(exe);
    if (res.removed.length) saveManifest();
    res.ms = Date.now() - t0;
    return res;
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    chromium = require('playwright-core').chromium;
  } catch {
    res.skipped =
      'rl-miniatures: static figures skipped: playwright-core is not installed ' +
      '(it is a dev dependency: run `npm ci` without --omit=dev). The HTML reports are built without static figures.';
    res.ms = Date.now() - t0;
    return res;
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  // Chromium's profile and temp files go to a folder of ours, removed below (and at the next start if killed).
  removeStaleChromiumTmps();
  const chromeTmp = makeChromiumTmp();
  const dropChromeTmp = () => fs.rmSync(chromeTmp, { recursive: true, force: true });
  try {
    browser = await withTmpDir(chromeTmp, () =>
      chromium.launch({
        executablePath: exe,
        args: CHROMIUM_ARGS,
        timeout: 60_000,
        env: { ...process.env, TMPDIR: chromeTmp },
      }),
    );
  } catch (e) {
    dropChromeTmp();
    res.skipped =
      `rl-miniatures: static figures skipped: Chromium (${exe}) did not start: ` +
      `${(e as Error).message.split('\n')[0]}. ` +
      'Reinstall it with `sudo apt-get install --reinstall -y chromium`. ' +
      'The HTML reports are built without static figures.';
    if (res.removed.length) saveManifest();
    res.ms = Date.now() - t0;
    return res;
  }
  try {
    const context = await browser.newContext({
      viewport: { width: EXPORT_WIDTH, height: EXPORT_HEIGHT },
      deviceScaleFactor: 1,
      offline: true,
    });
    const page = await context.newPage();
    // Nothing may leave the machine: only file:// (the page and the plotly bundle) and data: URLs load.
    await page.route('**/*', (r) => (/^(file|data):/.test(r.request().url()) ? r.continue() : r.abort()));
    const pageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-export-')), 'figure.html');
    fs.writeFileSync(pageFile, pageHtml());
    try {
      await page.goto(pathToFileURL(pageFile).href, { waitUntil: 'load' });
    } finally {
      fs.rmSync(path.dirname(pageFile), { recursive: true, force: true });
    }
    if (!(await page.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly === 'object')))
      throw new Error(`the local plotly bundle (${plotlyBundlePath()}) did not load in Chromium`);
    for (const { f, hash } of todo) {
      try {
        const { width, height } = figureSize(f.plotly.layout ?? {});
        const out = await page.evaluate(
          async ({ fig, width, height, scale }) => {
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            const P = (window as unknown as { Plotly: any }).Plotly;
            const gd = document.getElementById('g') as HTMLElement;
            P.purge(gd);
            gd.style.width = `${width}px`;
            gd.style.height = `${height}px`;
            (document.getElementById('page') as HTMLStyleElement).textContent =
              `@page{size:${width}px ${height}px;margin:0}`;
            const layout = { ...(fig.layout || {}), width, height, autosize: false };
            await P.newPlot(gd, fig.data, layout, { staticPlot: true, displaylogo: false, responsive: false });
            const svg: string = await P.toImage(gd, { format: 'svg', width, height });
            const png: string = await P.toImage(gd, { format: 'png', width, height, scale });
            return { svg, png };
          },
          { fig: f.plotly, width, height, scale: PNG_SCALE },
        );
        const svgPrefix = 'data:image/svg+xml,';
        const pngPrefix = 'data:image/png;base64,';
        if (!out.svg.startsWith(svgPrefix) || !out.png.startsWith(pngPrefix))
          throw new Error('Plotly.toImage returned an unexpected data URL');
        const svg = decodeURIComponent(out.svg.slice(svgPrefix.length));
        const png = Buffer.from(out.png.slice(pngPrefix.length), 'base64');
        const pdf = await page.pdf({
          width: `${width}px`,
          height: `${height}px`,
          printBackground: true,
          margin: { top: '0', right: '0', bottom: '0', left: '0' },
          pageRanges: '1',
        });
        const file = figureFileId(f.id);
        const base = path.join(opts.dir, file);
        // The figure's entry goes first: a kill between the three files leaves no entry claiming them all.
        if (manifest.figures[file]) {
          delete manifest.figures[file];
          saveManifest();
        }
        const xml = svg.startsWith('<?xml') ? svg : `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
        writeReportFile(`${base}.svg`, xml);
        writeReportFile(`${base}.png`, png);
        writeReportFile(`${base}.pdf`, pdf);
        manifest.figures[file] = { hash, files: EXPORT_FORMATS.map((e) => `${file}.${e}`) };
        saveManifest();
        res.exported.push(f.id);
        log(`  figure ${f.id}: svg, png, pdf`);
      } catch (e) {
        if ((e as Error).name === 'ReportWriteError') throw e;
        delete manifest.figures[figureFileId(f.id)];
        res.failed.push({ id: f.id, error: (e as Error).message.split('\n')[0] });
      }
    }
    await context.close();
  } catch (e) {
    // A full or read-only reports/ is not a figure's fault: it stops the export with its own message.
    if ((e as Error).name === 'ReportWriteError') throw e;
    // The export page itself failed (not one figure): every figure not yet written failed with it.
    const done = new Set([...res.exported, ...res.failed.map((x) => x.id)]);
    for (const { f } of todo)
      if (!done.has(f.id)) res.failed.push({ id: f.id, error: (e as Error).message.split('\n')[0] });
  } finally {
    await browser.close().catch(() => undefined);
    dropChromeTmp();
  }
  saveManifest();
  res.ms = Date.now() - t0;
  return res;
}
