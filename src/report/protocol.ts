/**
 * The leaderboard of a testbed's standard protocol (rliable-style, Agarwal et al. 2021): per method the
 * interquartile mean (IQM) of its scores over all tasks × seeds with a 95% stratified percentile bootstrap
 * interval (seeds resampled within each task), the probability of improvement P(X > Y) of every ranked pair
 * with its interval, performance profiles (fraction of runs above each score threshold, with pointwise bands),
 * and the per-task means. Methods with exact oracle access are drawn as references, not ranked.
 */
import { sha256 } from '../core/hash';
import type { FigureSpec, ProtocolCitation, ProtocolMethodResult, ProtocolSpec } from '../core/summary';
import { bootstrapCI } from '../stats/bootstrap';
import { probabilityOfImprovementCI } from '../stats/compare';
import { performanceProfile } from '../stats/profiles';
import { PALETTE } from './plots';

export const PROTOCOL_LEVEL = 0.95;
export const PROTOCOL_REPS = 2000;

export interface LeaderRow {
  rank: number | null;
  name: string;
  budget: 'labels' | 'exact';
  regime: string;
  papers: string[];
  source: string;
  summary: string;
  iqm: { estimate: number; lo: number; hi: number };
  mean: { estimate: number; lo: number; hi: number };
  /** Mean score per task (spec.tasks order). */
  perTask: number[];
  runs: number;
}

export interface ProtocolBoard {
  spec: ProtocolSpec;
  rows: LeaderRow[];
  /** poi[i][j] = P(rows[i] > rows[j]) over the ranked rows, with its interval. */
  poi: { names: string[]; cells: { estimate: number; lo: number; hi: number }[][] };
  /** Secondary metrics' per-task means: metric → method → per task. */
  secondary: { metric: string; rows: { name: string; perTask: number[] }[] }[];
  figures: { iqm: FigureSpec; poi: FigureSpec; profile: FigureSpec };
  /** The spec's citations with P(better > worse) and both methods' IQM, from the board. */
  citations: CitationEvidence[];
}

export interface CitationEvidence extends ProtocolCitation {
  poi: { estimate: number; lo: number; hi: number };
  iqmBetter: { estimate: number; lo: number; hi: number };
  iqmWorse: { estimate: number; lo: number; hi: number };
}

/** Deterministic generator seed for one interval (the page is the same on every rebuild). */
const seedOf = (...parts: string[]) => parseInt(sha256(parts.join('\u0000')).slice(0, 8), 16);

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function interval(spec: ProtocolSpec, m: ProtocolMethodResult, stat: 'iqm' | 'mean') {
  const ci = bootstrapCI(m.scores, stat, {
    rng: seedOf(spec.testbed, m.name, stat),
    reps: PROTOCOL_REPS,
    level: PROTOCOL_LEVEL,
    method: 'percentile',
  });
  return { estimate: ci.estimate, lo: ci.lo, hi: ci.hi };
}

/** The leaderboard of a protocol (pure; deterministic). */
export function protocolBoard(spec: ProtocolSpec): ProtocolBoard {
  const sign = spec.score.higherIsBetter ? 1 : -1;
  const rows: LeaderRow[] = spec.methods.map((m) => ({
    rank: null,
    name: m.name,
    budget: m.budget,
    regime: m.regime,
    papers: m.papers,
    source: m.source,
    summary: m.summary,
    iqm: interval(spec, m, 'iqm'),
    mean: interval(spec, m, 'mean'),
    perTask: m.scores.map(meanOf),
    runs: m.scores.reduce((a, s) => a + s.length, 0),
  }));
  // Ranked methods (within the budget) first, best IQM first; exact-oracle references after them.
  rows.sort(
    (a, b) =>
      Number(a.budget === 'exact') - Number(b.budget === 'exact') ||
      sign * (b.iqm.estimate - a.iqm.estimate) ||
      a.name.localeCompare(b.name),
  );
  let r = 0;
  for (const row of rows) if (row.budget !== 'exact') row.rank = ++r;
  const ranked = rows.filter((x) => x.rank !== null);
  const byName = new Map(spec.methods.map((m) => [m.name, m]));
  const orient = (s: number[][]) => (spec.score.higherIsBetter ? s : s.map((t) => t.map((v) => -v)));
  const cells = ranked.map((a) =>
    ranked.map((b) => {
      if (a.name === b.name) return { estimate: 0.5, lo: 0.5, hi: 0.5 };
      const ci = probabilityOfImprovementCI(orient(byName.get(a.name)!.scores), orient(byName.get(b.name)!.scores), {
        rng: seedOf(spec.testbed, 'poi', a.name, b.name),
        reps: PROTOCOL_REPS,
        level: PROTOCOL_LEVEL,
        method: 'percentile',
      });
      return { estimate: ci.estimate, lo: ci.lo, hi: ci.hi };
    }),
  );
  const metricNames = [...new Set(spec.methods.flatMap((m) => Object.keys(m.metrics)))].sort();
  const secondary = metricNames.map((metric) => ({
    metric,
    rows: rows
      .filter((x) => byName.get(x.name)!.metrics[metric])
      .map((x) => ({ name: x.name, perTask: byName.get(x.name)!.metrics[metric].map(meanOf) })),
  }));
  const names = ranked.map((x) => x.name);
  const citations: CitationEvidence[] = (spec.citations ?? []).map((c) => {
    const i = names.indexOf(c.better),
      j = names.indexOf(c.worse);
    if (i < 0 || j < 0)
      throw new RangeError(
        `protocol ${spec.testbed}: citation of ${c.paper}#${c.claim} names ${i < 0 ? c.better : c.worse}, ` +
          `which is not a ranked method (${names.join(', ')}).`,
      );
    return { ...c, poi: cells[i][j], iqmBetter: ranked[i].iqm, iqmWorse: ranked[j].iqm };
  });
  const board: Omit<ProtocolBoard, 'figures'> = {
    spec,
    rows,
    poi: { names, cells },
    secondary,
    citations,
  };
  return { ...board, figures: protocolFigures(board) };
}

const layoutBase = {
  font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
  paper_bgcolor: '#ffffff',
  plot_bgcolor: '#ffffff',
};

/** `protocol` for a testbed's unnamed protocol, `protocol-<name>` for a named one: its anchor and figure prefix. */
export function protocolSlug(spec: Pick<ProtocolSpec, 'name'>): string {
  return spec.name ? `protocol-${spec.name}` : 'protocol';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function protocolFigures(b: Omit<ProtocolBoard, 'figures'>): ProtocolBoard['figures'] {
  const { spec } = b;
  const tb = spec.testbed.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const pre = protocolSlug(spec);
  const label = spec.name ? `${spec.testbed} ${spec.name} protocol` : `${spec.testbed} protocol`;
  const lvl = Math.round(PROTOCOL_LEVEL * 100);
  const rows = [...b.rows].reverse(); // plotly draws the first category at the bottom
  const iqm: FigureSpec = {
    id: `compare/${tb}/${pre}-iqm`,
    name: `${pre}-iqm`,
    caption:
      `Standard ${spec.name ? label : `protocol of the ${spec.testbed} testbed`}: ` +
      `interquartile mean of the ${spec.score.name} over ` +
      `${spec.tasks.length} tasks × ${spec.seeds.length} seeds with ${lvl}% stratified bootstrap intervals ` +
      '(percentile, seeds resampled within tasks). Grey: exact-oracle references, not ranked.',
    plotly: {
      data: [
        {
          type: 'scatter',
          mode: 'markers',
          x: rows.map((r) => r.iqm.estimate),
          y: rows.map((r) => esc(r.name)),
          error_x: {
            type: 'data',
            symmetric: false,
            array: rows.map((r) => r.iqm.hi - r.iqm.estimate),
            arrayminus: rows.map((r) => r.iqm.estimate - r.iqm.lo),
            thickness: 2,
            width: 5,
          },
          marker: { size: 9, color: rows.map((r) => (r.budget === 'exact' ? '#999999' : PALETTE[0])) },
          hovertemplate: '%{y}: IQM %{x:.3f}<extra></extra>',
        },
      ],
      layout: {
        ...layoutBase,
        title: { text: `IQM of ${esc(spec.score.name)}`, font: { size: 15 } },
        xaxis: { title: { text: `${esc(spec.score.name)} (IQM)` }, zeroline: true },
        yaxis: { type: 'category', automargin: true },
        margin: { l: 120, r: 20, t: 48, b: 50 },
        showlegend: false,
      },
    },
  };
  const n = b.poi.names.length;
  const poi: FigureSpec = {
    id: `compare/${tb}/${pre}-poi`,
    name: `${pre}-poi`,
    caption:
      `Probability of improvement P(row > column) on the ${label} (Mann–Whitney per task, ` +
      `averaged over tasks; ${lvl}% stratified bootstrap intervals in the hover text). Ranked methods only.`,
    plotly: {
      data: [
        {
          type: 'heatmap',
          z: b.poi.cells.map((r) => r.map((c) => c.estimate)),
          x: b.poi.names.map(esc),
          y: b.poi.names.map(esc),
          zmin: 0,
          zmax: 1,
          colorscale: 'RdBu',
          text: b.poi.cells.map((r) =>
            r.map((c) => `${c.estimate.toFixed(2)} [${c.lo.toFixed(2)}, ${c.hi.toFixed(2)}]`),
          ),
          hovertemplate: 'P(%{y} > %{x}) = %{text}<extra></extra>',
        },
      ],
      layout: {
        ...layoutBase,
        title: { text: 'Probability of improvement', font: { size: 15 } },
        xaxis: { type: 'category', automargin: true, tickangle: -30 },
        yaxis: { type: 'category', automargin: true, autorange: 'reversed' },
        margin: { l: 120, r: 20, t: 48, b: 90 },
        height: Math.max(320, 40 * n + 140),
      },
    },
  };
  const all = spec.methods.flatMap((m) => m.scores.flat());
  // Thresholds from the 5th percentile of all runs (at most 0) to the best run: a few far-off runs would
  // otherwise squeeze every curve into a corner.
  const sorted = [...all].sort((x, y) => x - y);
  const lo = Math.min(0, sorted[Math.floor(0.05 * (sorted.length - 1))]),
    hi = Math.max(...all);
  const taus = Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100);
  const data = b.rows.map((r, k) => {
    const m = spec.methods.find((x) => x.name === r.name)!;
    const p = performanceProfile(m.scores, taus);
    return {
      type: 'scatter',
      mode: 'lines',
      name: esc(r.name),
      x: taus,
      y: Array.from(p.fraction),
      line: {
        color: r.budget === 'exact' ? '#999999' : PALETTE[k % PALETTE.length],
        dash: r.budget === 'exact' ? 'dot' : 'solid',
      },
    };
  });
  const profile: FigureSpec = {
    id: `compare/${tb}/${pre}-profile`,
    name: `${pre}-profile`,
    caption:
      `Performance profiles on the ${label}: the fraction of runs (tasks × seeds) whose ` +
      `${spec.score.name} exceeds each threshold τ. Dotted grey: exact-oracle references.`,
    plotly: {
      data,
      layout: {
        ...layoutBase,
        title: { text: 'Performance profiles', font: { size: 15 } },
        xaxis: { title: { text: `${esc(spec.score.name)} threshold τ` } },
        yaxis: { title: { text: 'fraction of runs with score > τ' }, range: [0, 1.02] },
        margin: { l: 70, r: 20, t: 48, b: 60 },
        legend: { orientation: 'h', y: -0.25 },
      },
    },
  };
  return { iqm, poi, profile };
}
