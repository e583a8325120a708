/** Small builders of plotly figure specs (plain JSON) with the kit's house style. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#57606a', '#116329'];

function baseLayout(title: string, x: string, y: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: 15 } },
    xaxis: { title: { text: x }, zeroline: false },
    yaxis: { title: { text: y }, zeroline: false },
    margin: { l: 64, r: 20, t: 48, b: 56 },
    legend: { orientation: 'h', y: -0.2 },
    font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    ...extra,
  };
}

/** Bars with asymmetric error bars (e.g. estimate and bootstrap interval per method). */
export function barsWithIntervals(args: {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: { name: string; x: string[]; y: number[]; lo: number[]; hi: number[] }[];
}): PlotlyFigure {
  return {
    data: args.groups.map((g, i) => ({
      type: 'bar',
      name: g.name,
      x: g.x,
      y: g.y,
      marker: { color: PALETTE[i % PALETTE.length] },
      error_y: {
        type: 'data',
        symmetric: false,
        array: g.hi.map((h, j) => h - g.y[j]),
        arrayminus: g.y.map((v, j) => v - g.lo[j]),
        thickness: 1.2,
      },
    })),
    layout: baseLayout(args.title, args.xLabel, args.yLabel, { barmode: 'group' }),
  };
}

/** Scatter of points, one trace per series. */
export function scatter(args: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; x: number[]; y: number[]; text?: string[] }[];
  logX?: boolean;
  logY?: boolean;
}): PlotlyFigure {
  const layout = baseLayout(args.title, args.xLabel, args.yLabel);
  if (args.logX) (layout.xaxis as Record<string, unknown>).type = 'log';
  if (args.logY) (layout.yaxis as Record<string, unknown>).type = 'log';
  return {
    data: args.series.map((s, i) => ({
      type: 'scatter',
      mode: 'markers',
      name: s.name,
      x: s.x,
      y: s.y,
      text: s.text,
      marker: { size: 5, opacity: 0.7, color: PALETTE[i % PALETTE.length] },
    })),
    layout,
  };
}

/** Lines with shaded bands (learning curves: mean/IQM with bootstrap band). */
export function linesWithBands(args: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { name: string; x: number[]; y: number[]; lo?: number[]; hi?: number[] }[];
}): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  args.series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length];
    if (s.lo && s.hi) {
      data.push({
        type: 'scatter',
        mode: 'lines',
        x: [...s.x, ...[...s.x].reverse()],
        y: [...s.hi, ...[...s.lo].reverse()],
        fill: 'toself',
        fillcolor: c + '33',
        line: { width: 0 },
        hoverinfo: 'skip',
        showlegend: false,
        name: `${s.name} band`,
      });
    }
    data.push({ type: 'scatter', mode: 'lines', name: s.name, x: s.x, y: s.y, line: { color: c, width: 2 } });
  });
  return { data, layout: baseLayout(args.title, args.xLabel, args.yLabel) };
}
