/**
 * Comparison pages (reports/compare/<testbed>.html): results that notebooks publish with
 * nb.compare({ metric, method, values, higherIsBetter }) are grouped by testbed and metric; a method
 * published by several papers of the testbed is drawn side by side on one shared axis, as the mean over
 * seeds with a 95% percentile bootstrap interval (src/stats), one trace per paper.
 */
import { sha256 } from '../core/hash';
import type { ComparisonSpec, FigureSpec, Summary } from '../core/summary';
import { bootstrapCI } from '../stats/bootstrap';
import { PALETTE } from './plots';

export const COMPARE_LEVEL = 0.95;
export const COMPARE_REPS = 4000;

export interface ComparePaperInput {
  id: string;
  title: string;
  /** Whether reports/papers/<id>.html exists. */
  page: boolean;
  summary: Summary | null;
}

export interface CompareCell {
  paper: string;
  method: string;
  mean: number;
  lo: number;
  hi: number;
  n: number;
  seeds: number[];
  note?: string;
  unit?: string;
}

export interface CompareRow {
  method: string;
  /** Published by two or more papers of the testbed. */
  shared: boolean;
  /** One cell per paper of the group (same order as group.papers), null where a paper lacks the method. */
  cells: (CompareCell | null)[];
}

export interface MetricGroup {
  metric: string;
  slug: string;
  units: string[];
  /** true / false, or null when papers disagree (flagged on the page). */
  higherIsBetter: boolean | null;
  papers: { id: string; title: string; page: boolean; profile: string }[];
  rows: CompareRow[];
  nShared: number;
  figure: FigureSpec;
}

export interface TestbedComparison {
  testbed: string;
  slug: string;
  /** Every built paper of the testbed, with how many results it published. */
  papers: { id: string; title: string; page: boolean; profile: string | null; published: number }[];
  groups: MetricGroup[];
  /** Methods published by two or more papers, over all metrics. */
  nShared: number;
}

export function slugify(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'metric'
  );
}

/** Mean over seeds with a 95% percentile bootstrap interval (deterministic: seeded by what is compared). */
export function meanInterval(values: number[], what: string): { mean: number; lo: number; hi: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, lo: mean, hi: mean };
  const seed = parseInt(sha256(what).slice(0, 8), 16);
  const ci = bootstrapCI(values, 'mean', { rng: seed, reps: COMPARE_REPS, level: COMPARE_LEVEL, method: 'percentile' });
  return { mean, lo: ci.lo, hi: ci.hi };
}

/** Text shown by plotly: plotly reads a small set of HTML tags in labels, so notebook strings go in as entities. */
function plotlyText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function groupFigure(testbed: string, g: Omit<MetricGroup, 'figure'>): FigureSpec {
  const axis =
    `${g.metric}${g.units.length ? ` (${g.units.join(' / ')})` : ''}` +
    `${g.higherIsBetter === null ? '' : g.higherIsBetter ? ' — higher is better' : ' — lower is better'}`;
  const categories = g.rows.map((r) => plotlyText(r.method));
  const data = g.papers.map((p, k) => {
    const cells = g.rows.map((r) => r.cells[k]);
    const have = cells.map((c, i) => ({ c, i })).filter((x): x is { c: CompareCell; i: number } => x.c !== null);
    return {
      type: 'scatter',
      mode: 'markers',
      name: plotlyText(p.profile === 'smoke' ? `${p.id} (smoke)` : p.id),
      x: have.map((x) => categories[x.i]),
      y: have.map((x) => x.c.mean),
      error_y: {
        type: 'data',
        symmetric: false,
        array: have.map((x) => x.c.hi - x.c.mean),
        arrayminus: have.map((x) => x.c.mean - x.c.lo),
        thickness: 1.5,
        width: 6,
      },
      text: have.map((x) => `${plotlyText(p.id)}: ${plotlyText(x.c.method)}, n = ${x.c.n} seeds`),
      hovertemplate: '%{text}<br>mean %{y:.4g}<extra></extra>',
      marker: {
        size: 9,
        color: PALETTE[k % PALETTE.length],
        symbol: ['circle', 'square', 'diamond', 'triangle-up', 'x', 'cross'][k % 6],
      },
    };
  });
  return {
    // The testbed's slug, not its name: a name with spaces or slashes must not break the figure's files.
    id: `compare/${slugify(testbed)}/${g.slug}`,
    name: g.slug,
    caption:
      `${g.metric} on the ${testbed} testbed: mean over seeds with a ${Math.round(COMPARE_LEVEL * 100)}% ` +
      'bootstrap interval, one marker per paper, on one shared axis. Each paper ran its own miniature: ' +
      'differences between papers reflect their setups as well as the methods.',
    plotly: {
      data,
      layout: {
        title: { text: plotlyText(g.metric), font: { size: 15 } },
        xaxis: { title: { text: 'method' }, type: 'category', categoryorder: 'array', categoryarray: categories },
        yaxis: { title: { text: plotlyText(axis) }, zeroline: false },
        scattermode: 'group',
        scattergap: 0.5,
        margin: { l: 70, r: 20, t: 48, b: 70 },
        legend: { orientation: 'h', y: -0.25 },
        font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
        paper_bgcolor: '#ffffff',
        plot_bgcolor: '#ffffff',
      },
    },
  };
}

function validSpec(c: unknown): c is ComparisonSpec {
  const x = c as ComparisonSpec;
  return (
    !!x &&
    typeof x.metric === 'string' &&
    typeof x.method === 'string' &&
    Array.isArray(x.values) &&
    x.values.length > 0 &&
    x.values.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

/** The comparison of one testbed from its papers' summaries. */
export function compareTestbed(testbed: string, papers: ComparePaperInput[]): TestbedComparison {
  const byMetric = new Map<string, { metric: string; specs: { paper: ComparePaperInput; c: ComparisonSpec }[] }>();
  for (const p of papers) {
    for (const c of p.summary?.comparisons ?? []) {
      if (!validSpec(c)) continue;
      const k = c.metric.trim().toLowerCase();
      if (!byMetric.has(k)) byMetric.set(k, { metric: c.metric.trim(), specs: [] });
      byMetric.get(k)!.specs.push({ paper: p, c });
    }
  }
  const groups: MetricGroup[] = [];
  const usedSlugs = new Set<string>();
  const sharedAll = new Set<string>();
  for (const [key, { metric, specs }] of byMetric) {
    const gPapers = [...new Map(specs.map((s) => [s.paper.id, s.paper])).values()].sort((a, b) =>
      a.id.localeCompare(b.id),
    );
    const methods = new Map<string, string>();
    for (const s of specs) {
      const mk = s.c.method.trim().toLowerCase();
      if (!methods.has(mk)) methods.set(mk, s.c.method.trim());
    }
    const rows: CompareRow[] = [...methods.entries()].map(([mk, name]) => {
      const cells = gPapers.map((p) => {
        const s = specs.find((x) => x.paper.id === p.id && x.c.method.trim().toLowerCase() === mk);
        if (!s) return null;
        const iv = meanInterval(s.c.values, `${p.id}\u0000${key}\u0000${mk}`);
        const cell: CompareCell = {
          paper: p.id,
          method: s.c.method,
          ...iv,
          n: s.c.values.length,
          seeds: Array.isArray(s.c.seeds) ? s.c.seeds : [],
        };
        if (s.c.note) cell.note = String(s.c.note);
        if (s.c.unit) cell.unit = String(s.c.unit);
        return cell;
      });
      return { method: name, shared: cells.filter((c) => c !== null).length >= 2, cells };
    });
    // Shared methods first (they are the point of the page), then by name.
    rows.sort((a, b) => Number(b.shared) - Number(a.shared) || a.method.localeCompare(b.method));
    for (const r of rows) if (r.shared) sharedAll.add(r.method.toLowerCase());
    const dirs = new Set(specs.map((s) => s.c.higherIsBetter === true));
    const units = [...new Set(specs.map((s) => (s.c.unit ? String(s.c.unit) : '')).filter(Boolean))];
    let slug = slugify(metric);
    for (let i = 2; usedSlugs.has(slug); i++) slug = `${slugify(metric)}-${i}`;
    usedSlugs.add(slug);
    const g = {
      metric,
      slug,
      units,
      higherIsBetter: dirs.size === 1 ? [...dirs][0] : null,
      papers: gPapers.map((p) => ({ id: p.id, title: p.title, page: p.page, profile: p.summary?.profile ?? '' })),
      rows,
      nShared: rows.filter((r) => r.shared).length,
    };
    groups.push({ ...g, figure: groupFigure(testbed, g) });
  }
  groups.sort((a, b) => b.nShared - a.nShared || b.papers.length - a.papers.length || a.metric.localeCompare(b.metric));
  return {
    testbed,
    slug: slugify(testbed),
    papers: papers
      .map((p) => ({
        id: p.id,
        title: p.title,
        page: p.page,
        profile: p.summary?.profile ?? null,
        published: (p.summary?.comparisons ?? []).filter(validSpec).length,
      }))
      .sort((a, b) => b.published - a.published || a.id.localeCompare(b.id)),
    groups,
    nShared: sharedAll.size,
  };
}
