/** reports/bench.html: the bench report as a table per workload (template src/report/templates/bench.njk). */
import * as fs from 'fs';
import * as path from 'path';
import * as nunjucks from 'nunjucks';
import { fmt } from '../core/escape';
import { paths } from '../core/paths';
import { writeFileAtomic } from '../core/records';
import type { BenchReport, BenchRow } from './types';

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3);
}

export function formatThroughput(t: BenchRow['throughput']): string {
  if (!t || !Number.isFinite(t.value)) return '';
  const v = t.value;
  const s =
    v >= 1e6
      ? `${(v / 1e6).toFixed(2)} M`
      : v >= 1e4
        ? `${(v / 1e3).toFixed(1)} k`
        : v >= 100
          ? v.toFixed(0)
          : v.toPrecision(3);
  return `${s} ${t.unit}`;
}

export function formatRatio(r: number | undefined): string {
  return r !== undefined && Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : '';
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Rows grouped by workload, in first-appearance order, with display strings. */
export function benchGroups(report: BenchReport) {
  const groups = new Map<string, BenchRow[]>();
  for (const r of report.rows) {
    if (!groups.has(r.workload)) groups.set(r.workload, []);
    groups.get(r.workload)!.push(r);
  }
  return [...groups.entries()].map(([workload, rows]) => ({
    workload,
    slug: slug(workload),
    rows: rows.map((r) => ({
      ...r,
      msText: formatMs(r.ms),
      ratioText: formatRatio(r.ratio),
      throughput: r.throughput ? { ...r.throughput, text: formatThroughput(r.throughput) } : null,
    })),
  }));
}

/**
 * Render reports/bench.html from a bench report into `outDir` (the reports folder). `common` carries
 * the page footer fields of the other report pages; the stylesheet is copied when the folder has none.
 */
export function renderBenchPage(
  report: BenchReport,
  outDir: string,
  common: { generated: string; kitVersion: string; commit: string },
): string {
  const templates = path.join(paths.root(), 'src', 'report', 'templates');
  const nj = new nunjucks.Environment(new nunjucks.FileSystemLoader(templates, { noCache: true }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  nj.addFilter('num', (v: unknown) => fmt(v));
  const css = path.join(outDir, 'assets', 'style.css');
  if (!fs.existsSync(css)) {
    fs.mkdirSync(path.dirname(css), { recursive: true });
    fs.copyFileSync(path.join(paths.root(), 'src', 'report', 'assets', 'style.css'), css);
  }
  const html = nj.render('bench.njk', { ...common, rel: '', title: 'Benchmarks', report, groups: benchGroups(report) });
  const file = path.join(outDir, 'bench.html');
  writeFileAtomic(file, html);
  return file;
}

/** The hook of buildReports: re-render bench.html when reports/bench.json exists. Returns the page or null. */
export function renderBenchPageIfPresent(
  outDir: string,
  common: { generated: string; kitVersion: string; commit: string },
): string | null {
  const f = path.join(outDir, 'bench.json');
  if (!fs.existsSync(f)) return null;
  try {
    const report = JSON.parse(fs.readFileSync(f, 'utf8')) as BenchReport;
    if (!Array.isArray(report.rows) || !report.machine) return null;
    return renderBenchPage(report, outDir, common);
  } catch (e) {
    console.warn(`rl-miniatures: ${f} could not be rendered (${(e as Error).message}); re-run npm run bench.`);
    return null;
  }
}
