/**
 * Reports in a real headless browser (Debian's Chromium via playwright-core), opened from file://. The
 * workspace runs the smoke profile, whose pages are the labelled tree reports/smoke/ (figures under
 * reports/figures/smoke/, executed notebooks under reports/notebooks/smoke/):
 * no console errors, no request outside the report folder, figures render as SVG, links resolve,
 * filters work, text from notebooks is escaped, comparison pages put papers on shared axes, and the
 * static SVG/PNG/PDF exports are valid and cached. Screenshots go to tests/artifacts/.
 *
 * Workspace: the real STARC notebook (smoke, executed through the kernel), a hostile notebook whose
 * metadata and outputs carry HTML, and two synthetic papers of the tabular testbed whose summaries are
 * written through the real notebook API (startNotebook → compare → figure → finish) without a kernel.
 */
import { runNodeAsync } from '../../src/core/proc';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../../src/report/build';
import { exportPlan } from '../../src/report/export';
import { CLI, ROOT, code, md, notebook, workspace } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
const CATALOG: { id: string; tier: string; family: string; testbed: string | null }[] = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'data', 'catalog.json'), 'utf8'),
).papers;
const EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const EVIL_METHOD = '<img src=x onerror="window.__pwned=3">';

/** Per-seed values of the synthetic papers: the page must show exactly these means. */
const SYNTH = {
  cpl: {
    title: 'Synthetic paper A (CPL)',
    comparisons: [
      { metric: 'success rate', unit: 'fraction', method: 'DPO', values: [0.5, 0.6, 0.7, 0.8], higherIsBetter: true },
      { metric: 'success rate', unit: 'fraction', method: 'CPL', values: [0.8, 0.85, 0.9, 0.95], higherIsBetter: true },
    ],
  },
  'regret-preference-model': {
    title: `Synthetic paper B ${EVIL}`,
    comparisons: [
      { metric: 'Success rate', unit: 'fraction', method: 'dpo', values: [0.3, 0.35, 0.4, 0.45], higherIsBetter: true },
      {
        metric: 'Success rate',
        unit: 'fraction',
        method: 'regret PM',
        values: [0.55, 0.6, 0.62, 0.7],
        higherIsBetter: true,
      },
      {
        metric: 'Success rate',
        unit: 'fraction',
        method: EVIL_METHOD,
        values: [0.1, 0.2, 0.3, 0.4],
        higherIsBetter: true,
      },
      { metric: 'episode length', method: 'DPO', values: [12, 14, 13, 15], higherIsBetter: false },
    ],
  },
} as const;

const FIGURE_IDS = [
  'starc/spearman-by-metric',
  'starc/distance-vs-regret',
  'cpl/scores',
  'regret-preference-model/scores',
  'compare/tabular/success-rate',
  'compare/tabular/episode-length',
];
const CSS = { width: 720, height: 432 };
const SCALE = 300 / 96;

/** Run a node process without blocking the test worker. */
function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs = 300_000,
): Promise<{ status: number | null; out: string }> {
  return runNodeAsync(args, { env, cwd, timeoutMs });
}

function cli(
  ws: ReturnType<typeof workspace>,
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 300_000,
) {
  return runNode([CLI, ...args], { ...ws.env, ...extraEnv }, ws.dir, timeoutMs);
}

async function writeSyntheticPapers(ws: ReturnType<typeof workspace>): Promise<void> {
  for (const [id, p] of Object.entries(SYNTH)) {
    ws.write(
      id,
      notebook([md(`# ${p.title}\nSynthetic paper for the comparison-page test.`)], {
        id,
        title: p.title,
        authors: ['A. Author'],
        year: 2024,
        url: 'https://example.org/paper',
        bibtex: `@article{synth_${id.replace(/-/g, '_')},\n  title = {${id}},\n  year = {2024}\n}`,
        claims: [],
        design: 'synthetic',
        deviations: [],
      }),
    );
  }
  // The real notebook API, outside a kernel: what a notebook's cells would do.
  const script = `
const rl = require(${JSON.stringify(path.join(ROOT, 'dist'))});
const synth = JSON.parse(process.argv[1]);
for (const [id, p] of Object.entries(synth)) {
  const nb = rl.startNotebook({ id, profile: 'smoke', spec: { seeds: { type: 'int[]' } },
    defaults: { smoke: { seeds: [0, 1, 2, 3] }, full: { seeds: [0, 1, 2, 3] } } });
  for (const c of p.comparisons) nb.compare(c);
  nb.figure('scores', 'Synthetic scores of ' + id, rl.plots.barsWithIntervals({ title: id, xLabel: 'method',
    yLabel: 'score', groups: [{ name: 'mean', x: ['a', 'b'], y: [1, 2], lo: [0.5, 1.5], hi: [1.5, 2.5] }] }));
  nb.finish();
}`;
  const r = await runNode(['-e', script, JSON.stringify(SYNTH)], { ...ws.env, RLMINI_PUBLISH: '1' }, ws.dir);
  if (r.status !== 0) throw new Error(`synthetic summaries failed:\n${r.out}`);
}

function mtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of FIGURE_IDS)
    for (const e of ['svg', 'png', 'pdf']) out[`${id}.${e}`] = fs.statSync(path.join(dir, `${id}.${e}`)).mtimeMs;
  return out;
}

/** Relative links of a static HTML page (all links are static: no script writes any). */
function relativeLinks(file: string): string[] {
  const html = fs.readFileSync(file, 'utf8');
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)]
    .map((m) => m[1].replace(/&amp;/g, '&'))
    .filter((h) => h && !/^(https?:|#|data:|mailto:)/.test(h));
}

describe('reports in a browser', () => {
  const ws = workspace('browser');
  let browser: Browser;
  let reports: string;
  let figuresDir: string;
  let firstRun = '';

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(
        `Chromium is missing (${CHROMIUM}): install it with \`sudo apt-get install -y chromium\` ` +
          '(or run `npm run setup` as root).',
      );
    fs.copyFileSync(path.join(ROOT, 'notebooks', 'starc.ipynb'), path.join(ws.nbDir, 'starc.ipynb'));
    ws.write(
      'zz-escape',
      notebook([md(`# Title ${EVIL}`), code(`console.log(${JSON.stringify(EVIL)});`)], {
        id: 'zz-escape',
        title: `Evil ${EVIL}`,
        authors: [EVIL],
        year: 2026,
        url: 'javascript:alert(1)',
        bibtex: EVIL,
        claims: [{ id: 'c', quote: EVIL }],
        design: EVIL,
        deviations: [EVIL],
      }),
    );
    await writeSyntheticPapers(ws);
    // Execute the two real notebooks; the synthetic papers are rendered from their summaries.
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--only', 'starc,zz-escape'], {}, 600_000);
    firstRun = r.out;
    expect(r.status, r.out).toBe(0);
    reports = path.join(ws.dir, 'reports');
    figuresDir = path.join(reports, 'figures', 'smoke');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-file-access-from-files',
      ],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    ws.cleanup();
  });

  async function open(rel: string): Promise<{ page: Page; errors: string[]; outside: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (req) => {
      const u = req.url();
      if (u.startsWith('data:')) return;
      if (!u.startsWith(pathToFileURL(reports).href)) outside.push(u);
    });
    await page.goto(pathToFileURL(path.join(reports, rel)).href, { waitUntil: 'load' });
    return { page, errors, outside };
  }

  async function renderedFigures(page: Page): Promise<number[]> {
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('div.plot')).every(
          (d) => d.querySelectorAll('svg.main-svg .point').length > 0,
        ),
      null,
      { timeout: 30_000 },
    );
    return page.$$eval('div.plot', (ds) => ds.map((d) => d.querySelectorAll('svg.main-svg .point').length));
  }

  it('the STARC page shows its verdicts, renders every figure, says why smoke figures are not citable', async () => {
    const { page, errors, outside } = await open('smoke/papers/starc.html');
    const figures = await renderedFigures(page);
    expect(figures.length).toBe(2);
    for (const n of figures) expect(n).toBeGreaterThan(0);
    const verdictRows = await page.$$eval('table.verdicts tbody tr', (rs) => rs.map((r) => r.textContent ?? ''));
    const starc = JSON.parse(fs.readFileSync(path.join(ws.dir, 'results', 'starc', 'smoke', 'summary.json'), 'utf8'));
    expect(starc.verdicts.length).toBeGreaterThanOrEqual(7);
    expect(verdictRows.length).toBe(starc.verdicts.length); // claims and checks, every one shown
    expect(verdictRows.join('\n')).toMatch(/pseudometric-zero-on-equivalent[\s\S]*(reproduced|inconclusive|passed)/);
    expect(await page.textContent('p.profile-banner')).toMatch(/^smoke profile: [\s\S]* not evidence/);
    // Smoke results are not evidence: each figure says so instead of offering a citation (the citation of a
    // published full-profile figure is tested in tests/report/citation.test.ts and tests/report/build.test.ts).
    const cites = await page.$$eval('details.cite pre', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(cites.length).toBe(2);
    for (const c of cites) expect(c).toMatch(/^Not citable: smoke profile: not evidence\. /);
    // Static exports are linked from the figure.
    const exportLinks = await page.$$eval('p.exports a', (as) => as.map((a) => a.getAttribute('href')));
    expect(exportLinks).toEqual(
      expect.arrayContaining([
        '../../figures/smoke/starc/spearman-by-metric.svg',
        '../../figures/smoke/starc/spearman-by-metric.png',
        '../../figures/smoke/starc/spearman-by-metric.pdf',
      ]),
    );
    expect(await page.getAttribute('p.crumbs a[href="../compare/tabular.html"]', 'href')).toBe(
      '../compare/tabular.html',
    );
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'paper-starc.png'), fullPage: false });
    await page.click('figure#fig-spearman-by-metric details.cite summary');
    await (await page.$('figure#fig-spearman-by-metric'))!.screenshot({
      path: path.join(ARTIFACTS, 'paper-starc-figure.png'),
    });
    await page.close();
  }, 60_000);

  it(
    'the executed notebook shows figures inline offline: ' +
      'the first carries the local plotly bundle, each has the plotly MIME part',
    () => {
      const nb = JSON.parse(fs.readFileSync(path.join(reports, 'notebooks', 'smoke', 'starc.ipynb'), 'utf8'));
      const figs = nb.cells
        .flatMap((c: { outputs?: { data?: Record<string, unknown> }[] }) => (c.outputs ?? []).map((o) => o.data ?? {}))
        .filter((d: Record<string, unknown>) => d['application/vnd.rlmini.figure+json']);
      expect(figs.length).toBe(2);
      expect(
        String(figs[0]['text/html']).startsWith(
          '<script type="text/javascript">/* rl-miniatures: local plotly.js, offline */' +
            'if(!window.Plotly){(function(define,exports,module){',
        ),
      ).toBe(true);
      expect(String(figs[1]['text/html'])).not.toContain('define,exports,module');
      for (const d of figs) {
        const p = d['application/vnd.plotly.v1+json'] as { data: unknown[]; layout: unknown };
        expect(p.data).toEqual(
          (d['application/vnd.rlmini.figure+json'] as { plotly: { data: unknown[] } }).plotly.data,
        );
      }
    },
  );

  it('the scoreboard starts on the built papers; the catalog, search and filters are one choice away', async () => {
    const { page, errors, outside } = await open('smoke/index.html');
    const rows = await page.$$eval('tr.paper', (rs) => rs.length);
    expect(rows).toBe(CATALOG.length + 1); // + the uncatalogued test notebook
    const visible = () =>
      page.$$eval('tr.paper', (rs) =>
        rs.filter((r) => (r as HTMLElement).style.display !== 'none').map((r) => r.querySelector('code')!.textContent),
      );
    // Built papers first (by testbed, then id), and the filter starts on them.
    expect(await visible()).toEqual(['cpl', 'regret-preference-model', 'starc', 'zz-escape']);
    expect(await page.textContent('#shown')).toBe('4 shown');
    // STARC's claims as chips, each with its claim, estimate and interval on hover.
    const chips = await page.$$eval('tr[data-text^="starc"] a.chip', (as) => as.map((a) => a.getAttribute('title')));
    expect(chips.length).toBeGreaterThan(0);
    for (const t of chips) expect(t).toMatch(/^[\w-]+: [\s\S]+\n.* — estimate \S+ \[\S+, \S+\]/);
    // Counts on top.
    expect(await page.textContent('#paper-counts')).toMatch(/out of scope: 61/);
    await page.selectOption('#show', '');
    expect(await page.textContent('#shown')).toBe(`${CATALOG.length + 1} shown`);
    // Search.
    await page.fill('#q', 'quantifying differences between reward');
    expect(await page.textContent('#shown')).toBe('1 shown');
    await page.fill('#q', '');
    await page.selectOption('#status', 'out-of-scope');
    expect(Number((await page.textContent('#shown'))!.split(' ')[0])).toBe(61); // tiers C and D
    await page.selectOption('#status', '');
    // Family filter, alone and with the testbed filter.
    await page.selectOption('#family', 'preference-learning');
    expect(await page.textContent('#shown')).toBe(
      `${CATALOG.filter((p) => p.family === 'preference-learning').length} shown`,
    );
    await page.selectOption('#testbed', 'tabular');
    expect(await page.textContent('#shown')).toBe(
      `${CATALOG.filter((p) => p.family === 'preference-learning' && p.testbed === 'tabular').length} shown`,
    );
    await page.selectOption('#family', '');
    await page.selectOption('#testbed', '');
    expect(await page.textContent('#shown')).toBe(`${CATALOG.length + 1} shown`);
    // The comparison page of the tabular testbed is linked.
    expect(await page.$$eval('a.compare-link', (as) => as.map((a) => a.getAttribute('href')))).toContain(
      'compare/tabular.html',
    );
    await page.selectOption('#show', 'built');
    await page.screenshot({ path: path.join(ARTIFACTS, 'index.png') });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('every link of every page resolves, and every page loads without errors or outside requests', async () => {
    const pages = [
      'smoke/index.html',
      ...fs.readdirSync(path.join(reports, 'smoke', 'papers')).map((f) => `smoke/papers/${f}`),
      ...fs.readdirSync(path.join(reports, 'smoke', 'compare')).map((f) => `smoke/compare/${f}`),
    ];
    expect(pages).toEqual(
      expect.arrayContaining([
        'smoke/papers/starc.html',
        'smoke/papers/cpl.html',
        'smoke/papers/regret-preference-model.html',
        'smoke/papers/zz-escape.html',
        'smoke/compare/tabular.html',
      ]),
    );
    for (const rel of pages) {
      for (const h of relativeLinks(path.join(reports, rel))) {
        const target = path.resolve(path.dirname(path.join(reports, rel)), decodeURIComponent(h.split('#')[0]));
        expect(fs.existsSync(target), `broken link ${h} in ${rel}`).toBe(true);
        expect(target.startsWith(reports + path.sep), `link ${h} in ${rel} leaves the report folder`).toBe(true);
      }
    }
    // Pages not opened by the other tests.
    for (const rel of ['smoke/papers/cpl.html']) {
      const { page, errors, outside } = await open(rel);
      for (const n of await renderedFigures(page)) expect(n).toBeGreaterThan(0);
      expect(errors, rel).toEqual([]);
      expect(outside, rel).toEqual([]);
      await page.close();
    }
  }, 90_000);

  it('the comparison page puts the same method of two papers side by side on shared axes, with intervals', async () => {
    const { page, errors, outside } = await open('smoke/compare/tabular.html');
    const figures = await renderedFigures(page);
    expect(figures.length).toBe(2); // success rate (two papers), episode length (one paper)
    const fig = await page.$eval('div.plot[data-figure="compare/tabular/success-rate"]', (d) => {
      const gd = d as unknown as {
        data: { name: string; x: string[]; y: number[]; error_y: { array: number[]; arrayminus: number[] } }[];
        _fullLayout: Record<string, unknown>;
      };
      const axes = Object.keys(gd._fullLayout)
        .filter((k) => /^[xy]axis\d*$/.test(k))
        .sort();
      // Marker positions in pixels, per trace.
      const traces = Array.from(d.querySelectorAll('g.trace.scatter')).map((g) =>
        Array.from(g.querySelectorAll('path.point')).map((p) => {
          const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(p.getAttribute('transform') ?? '');
          return m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
        }),
      );
      const errorbars = d.querySelectorAll('g.errorbar').length;
      return {
        axes,
        data: gd.data.map((t) => ({
          name: t.name,
          x: t.x,
          y: t.y,
          plus: t.error_y.array,
          minus: t.error_y.arrayminus,
        })),
        traces,
        errorbars,
      };
    });
    expect(fig.axes).toEqual(['xaxis', 'yaxis']); // one shared x (methods) and one shared y axis
    expect(fig.data.map((t) => t.name)).toEqual(['cpl (smoke)', 'regret-preference-model (smoke)']);
    const dpoA = fig.data[0].x.indexOf('DPO');
    const dpoB = fig.data[1].x.indexOf('DPO'); // "dpo" in paper B is matched case-insensitively
    expect(dpoA).toBeGreaterThanOrEqual(0);
    expect(dpoB).toBeGreaterThanOrEqual(0);
    expect(fig.data[0].y[dpoA]).toBeCloseTo(0.65, 12);
    expect(fig.data[1].y[dpoB]).toBeCloseTo(0.375, 12);
    for (const t of fig.data)
      for (let i = 0; i < t.y.length; i++) {
        expect(t.plus[i]).toBeGreaterThan(0);
        expect(t.minus[i]).toBeGreaterThan(0);
      }
    expect(fig.traces.map((t) => t.length)).toEqual([2, 3]);
    expect(fig.errorbars).toBe(5);
    // On the shared y axis the higher mean of paper A's DPO is drawn above paper B's (smaller pixel y),
    // and the two DPO markers sit side by side (different x pixels, same category).
    const [ax, ay] = fig.traces[0][dpoA];
    const [bx, by] = fig.traces[1][dpoB];
    expect(ay).toBeLessThan(by);
    expect(Math.abs(ax - bx)).toBeGreaterThan(2);
    expect(Math.abs(ax - bx)).toBeLessThan(150);
    // The table: the shared method first, with means, intervals and seeds.
    const rows = await page.$$eval('section#success-rate table.compare tbody tr', (rs) =>
      rs.map((r) => ({ cls: r.className, cells: Array.from(r.children).map((c) => c.textContent ?? '') })),
    );
    expect(rows[0].cls).toBe('shared');
    expect(rows[0].cells[0]).toMatch(/^DPO\s+shared/);
    const parse = (s: string) => {
      const m = /([\d.]+)\s*\[([\d.]+), ([\d.]+)\]\s*n = 4 seeds/.exec(s);
      return m ? m.slice(1).map(Number) : null;
    };
    const a = parse(rows[0].cells[1]);
    const b = parse(rows[0].cells[2]);
    expect(a).not.toBeNull();
    expect(a![0]).toBeCloseTo(0.65, 3);
    expect(a![1]).toBeGreaterThanOrEqual(0.5); // a bootstrap interval of a mean stays within the data
    expect(a![2]).toBeLessThanOrEqual(0.8);
    expect(a![1]).toBeLessThan(a![0]);
    expect(a![2]).toBeGreaterThan(a![0]);
    expect(b![0]).toBeCloseTo(0.375, 3);
    // CPL, regret PM and the hostile name: one paper each
    expect(rows.filter((r) => r.cls === 'single').length).toBe(3);
    // The starc paper (no published results) is listed; the lower-is-better metric says so.
    expect(await page.textContent('table.compare-papers')).toContain('starc');
    expect(await page.textContent('section#episode-length p.meta')).toContain('lower is better');
    // Names from notebooks are text, not HTML, in the table and in the figure.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img[src="x"]')).toEqual([]);
    expect(await page.textContent('section#success-rate table.compare')).toContain(EVIL_METHOD);
    expect(await page.textContent('table.compare-papers')).toContain('<script>window.__pwned=1</script>');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'compare-tabular.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('escapes every text that comes from a notebook', async () => {
    const { page, errors } = await open('smoke/papers/zz-escape.html');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img[src="x"]')).toEqual([]);
    expect(await page.textContent('h1')).toContain('<script>window.__pwned=1</script>');
    const links = await page.$$eval('a[href^="javascript:"]', (as) => as.length);
    expect(links).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('pages have the CSP and no inline script or event handler', async () => {
    // Parsed by Chromium with JavaScript off: what the HTML itself holds, before any script runs.
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    for (const rel of [
      'smoke/index.html',
      'smoke/papers/starc.html',
      'smoke/papers/zz-escape.html',
      'smoke/papers/regret-preference-model.html',
      'smoke/compare/tabular.html',
    ]) {
      await page.goto(pathToFileURL(path.join(reports, rel)).href);
      const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      expect(csp, rel).toMatch(/^default-src 'none'; script-src 'self';/);
      expect(csp, rel).not.toMatch(/script-src[^;]*unsafe/);
      const inline = await page.$$eval(
        'script',
        (ss) => ss.filter((s) => !s.hasAttribute('src') && s.getAttribute('type') !== 'application/json').length,
      );
      expect(inline, `${rel}: inline executable script`).toBe(0);
      const handlers = await page.$$eval('*', (es) =>
        es.flatMap((e) =>
          Array.from(e.attributes)
            .filter((a) => /^on/i.test(a.name))
            .map((a) => `${e.tagName} ${a.name}`),
        ),
      );
      expect(handlers, `${rel}: inline event handlers`).toEqual([]);
      expect(await page.$$('img[src="x"]'), rel).toEqual([]);
      const jsUrls = await page.$$eval(
        '[href],[src]',
        (es) => es.filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? '')).length,
      );
      expect(jsUrls, rel).toBe(0);
    }
    await ctx.close();
  });

  it("the smoke tree's references.bib holds the kit and the papers, and names each figure as not citable", () => {
    const bib = fs.readFileSync(path.join(reports, 'smoke', 'references.bib'), 'utf8');
    expect(bib).toContain('@software{rl_miniatures,');
    expect(bib).toContain('@article{synth_cpl,');
    for (const id of ['starc/spearman-by-metric', 'cpl/scores']) {
      expect(bib).not.toContain(`@misc{rlmini:${id.replace('/', ':')},`);
      expect(bib).toContain(`% rlmini:${id.replace('/', ':')}: not citable — smoke profile: not evidence`);
    }
    expect(fs.existsSync(path.join(reports, 'references.bib'))).toBe(false); // the full tree was never built
  });

  it('exports every figure as valid SVG, PNG (300 dpi) and PDF', async () => {
    expect(firstRun).toMatch(new RegExp(`figures: ${FIGURE_IDS.length} exported as SVG/PNG/PDF, 0 unchanged`));
    const page = await browser.newPage();
    for (const id of FIGURE_IDS) {
      const svg = fs.readFileSync(path.join(figuresDir, `${id}.svg`), 'utf8');
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          root: doc.documentElement.nodeName,
          error: doc.getElementsByTagName('parsererror').length,
          nodes: doc.getElementsByTagName('*').length,
          texts: doc.getElementsByTagName('text').length,
          width: doc.documentElement.getAttribute('width'),
        };
      }, svg);
      expect(parsed, id).toMatchObject({ root: 'svg', error: 0, width: String(CSS.width) });
      expect(parsed.nodes, id).toBeGreaterThan(20);
      expect(parsed.texts, id).toBeGreaterThan(3);
      const png = fs.readFileSync(path.join(figuresDir, `${id}.png`));
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), id).toBe(true);
      expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], id).toEqual([
        Math.round(CSS.width * SCALE),
        Math.round(CSS.height * SCALE),
      ]);
      const pdf = fs.readFileSync(path.join(figuresDir, `${id}.pdf`));
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-'), id).toBe(true);
      expect(text.trimEnd().endsWith('%%EOF'), id).toBe(true);
      expect((text.match(/\/Type\s*\/Page[^s]/g) ?? []).length, id).toBe(1);
      expect(text).toMatch(/\/MediaBox \[0 0 540 324\]/); // 7.5 × 4.5 in
      expect(pdf.length, id).toBeGreaterThan(3000);
    }
    await page.close();
  }, 60_000);

  it('a rebuild re-exports only the figures whose data changed', async () => {
    const before = mtimes(figuresDir);
    const t0 = Date.now();
    const same = await cli(ws, ['reports', '--profile', 'smoke', '--render-only']);
    const ms = Date.now() - t0;
    expect(same.status, same.out).toBe(0);
    expect(same.out).toMatch(new RegExp(`figures: 0 exported as SVG/PNG/PDF, ${FIGURE_IDS.length} unchanged`));
    expect(mtimes(figuresDir)).toEqual(before);
    console.log(`cached rebuild (render only, no figure changed): ${ms} ms`);
    // Change the data of one figure: the plan (what the next build would export) holds only that figure.
    const file = path.join(ws.dir, 'results', 'cpl', 'smoke', 'summary.json');
    const s = JSON.parse(fs.readFileSync(file, 'utf8'));
    s.figures[0].plotly.data[0].y = [1, 3];
    fs.writeFileSync(file, JSON.stringify(s));
    const keys = ['RLMINI_NOTEBOOKS_DIR', 'RLMINI_RESULTS_DIR', 'RLMINI_REPORTS_DIR'] as const;
    const saved = keys.map((k) => process.env[k]);
    for (const k of keys) process.env[k] = ws.env[k];
    try {
      const figs = reportFigures({ profile: 'smoke' });
      expect(figs.map((f) => f.id).sort()).toEqual([...FIGURE_IDS].sort());
      const plan = exportPlan(figs, figuresDir);
      expect(plan.toExport).toEqual(['cpl/scores']);
      expect(plan.unchanged.sort()).toEqual(FIGURE_IDS.filter((id) => id !== 'cpl/scores').sort());
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
    }
  }, 120_000);

  it(
    'without Chromium the HTML still builds, with one message naming the package; ' + '--no-figures skips the export',
    async () => {
      // cpl/scores changed (previous test) and one of its files is gone: an export is needed, Chromium is not there.
      fs.rmSync(path.join(figuresDir, 'cpl', 'scores.png'));
      const r = await cli(ws, ['reports', '--profile', 'smoke', '--render-only'], {
        RLMINI_CHROMIUM: path.join(ws.dir, 'no-chromium-here'),
      });
      expect(r.status, r.out).toBe(0);
      const lines = r.out.split('\n').filter((l) => /Chromium not found/.test(l));
      expect(lines.length).toBe(1);
      expect(lines[0]).toContain('sudo apt-get install -y chromium');
      expect(r.out).toMatch(/reports: .*index\.html, 4 paper pages, 1 comparison pages/);
      const cpl = fs.readFileSync(path.join(reports, 'smoke', 'papers', 'cpl.html'), 'utf8');
      expect(cpl).not.toContain('figures/smoke/cpl/scores.png'); // only files that exist are linked
      expect(cpl).toContain('figures/smoke/cpl/scores.svg');
      const nf = await cli(ws, ['reports', '--profile', 'smoke', '--render-only', '--no-figures'], {
        RLMINI_CHROMIUM: path.join(ws.dir, 'no-chromium-here'),
      });
      expect(nf.status, nf.out).toBe(0);
      expect(nf.out).not.toMatch(/figures:|Chromium not found/);
    },
    60_000,
  );

  it(
    'the bench page (rendered by the reports build from reports/bench.json) ' +
      'loads offline, escapes text and has no inline script',
    async () => {
      const report = {
        date: '2024-05-01T00:00:00Z',
        flags: ['--quick'],
        totalS: 42,
        machine: {
          node: 'v20.0.0',
          platform: 'linux x64',
          cpu: `CPU ${EVIL}`,
          cores: 2,
          backend: 'wasm',
          python: '3.11.2',
          numpy: '1.24.2',
          torch: '1.13.0',
          referenceThreads: 1,
        },
        rows: [
          {
            id: 'mlp/tfjs',
            workload: 'MLP step',
            impl: `kit ${EVIL_METHOD}`,
            side: 'kit',
            ms: 80,
            unit: 'per step',
            throughput: { value: 6400, unit: 'samples/s' },
            backend: 'wasm',
            threads: 1,
            refId: 'mlp/torch-1t',
            ratio: 10,
            agreement: { ok: true, text: 'losses agree' },
            detail: '',
          },
          {
            id: 'mlp/torch-1t',
            workload: 'MLP step',
            impl: 'PyTorch 1.13.0 (1 thread)',
            side: 'reference',
            ms: 8,
            unit: 'per step',
            throughput: { value: 64000, unit: 'samples/s' },
            backend: 'torch',
            threads: 1,
            agreement: { ok: true, text: 'losses agree' },
            detail: '',
          },
          {
            id: 'vi/jacobi/kit',
            workload: 'value iteration',
            impl: 'kit, Jacobi',
            side: 'kit',
            ms: null,
            unit: '',
            backend: '',
            threads: 1,
            detail: 'failed: boom',
          },
        ],
      };
      fs.writeFileSync(path.join(reports, 'bench.json'), JSON.stringify(report));
      // The bench page belongs to the published (full) tree.
      const r = await cli(ws, ['reports', '--render-only', '--no-figures']);
      expect(r.status, r.out).toBe(0);
      const { page, errors, outside } = await open('bench.html');
      const rows = await page.$$eval('table.bench tbody tr', (rs) => rs.map((x) => x.getAttribute('data-row')));
      expect(rows).toEqual(['mlp/tfjs', 'mlp/torch-1t', 'vi/jacobi/kit']);
      const kitRow = (await page.textContent('tr[data-row="mlp/tfjs"]')) ?? '';
      expect(kitRow).toMatch(/80\.0\s*per step[\s\S]*6400 samples\/s[\s\S]*10\.0×[\s\S]*agrees/);
      expect(await page.textContent('tr[data-row="vi/jacobi/kit"]')).toMatch(/failed/);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.textContent('body')).toContain('<img src=x onerror="window.__pwned=3">');
      expect(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')).toMatch(
        /^default-src 'none'; script-src 'self';/,
      );
      expect(await page.$$eval('script', (ss) => ss.filter((x) => !x.hasAttribute('src')).length)).toBe(0);
      for (const href of relativeLinks(path.join(reports, 'bench.html')))
        expect(fs.existsSync(path.join(reports, href.split('#')[0])), href).toBe(true);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
