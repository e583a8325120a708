/**
 * The scoreboard, paper pages and figure export in real headless Chromium (Debian's /usr/bin/chromium),
 * opened from file://, built from summaries and executed notebooks written as the kit writes them (and
 * one forged): the filter starts on built papers, chips carry claim, estimate and interval on hover,
 * math is typeset with the local KaTeX fonts and nothing is requested from outside, forged display data
 * runs no script, stale and unpublished results are labelled; a figure export killed half-way keeps the
 * manifest of what it finished. Screenshots go to tests/artifacts/.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReports, figuresDir, reportFigures } from '../../src/report/build';
import { CHROMIUM_ARGS, exportFigures, exportPlan } from '../../src/report/export';
import { ROOT } from '../helpers';
import { pidsNaming } from '../../src/runner/kernel';
import { codeCell, display, mdCell, reportsWorkspace, summary, verdict } from '../report/fixture';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
const EVIL = '<img src=x onerror="window.__pwned=1">';

const ws = reportsWorkspace('scoreboard', [
  { id: 'alpha' },
  { id: 'gamma' },
  { id: 'forged' },
  { id: 'old', testbed: 'preference' },
  { id: 'later' },
  { id: 'robot', tier: 'D' },
  { id: 'arm', tier: 'C' },
]);
const R = ws.dirs.reports;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium is missing (${CHROMIUM}): install it with \`sudo apt-get install -y chromium\`.`);
  ws.use();
  for (const id of ['alpha', 'gamma', 'forged', 'old']) ws.notebook(id);
  ws.summary(
    'alpha',
    summary('alpha', {
      verdicts: [
        verdict({
          claimId: 'beats',
          figure: 'alpha/scores',
          decisions: { rope: { value: [-0.01, 0.01], justification: '1% of the measured range' } },
        }),
        verdict({ claimId: 'faster', status: 'not reproduced', estimate: -0.1, lo: -0.2, hi: -0.05 }),
        verdict({ claimId: 'ident', kind: 'check' }),
      ],
      readings: ['The entropy falls by $\\Delta H = -\\mathrm{Cov}(\\log\\pi, A)$ per step.'],
    }),
  );
  ws.executed('alpha', [
    mdCell(
      '## Entropy\n\n$$H(\\pi^{k+1})-H(\\pi^k) = -\\mathrm{Cov}_{a\\sim\\pi^k}\\big(\\log\\pi^k(a), z^{k+1}_a\\big)$$',
    ),
    codeCell('nb.table(...)', [display({ 'text/plain': 'done' })]),
  ]);
  ws.summary('gamma', summary('gamma'));
  ws.executed('gamma', [codeCell('boom()')], { status: 'error', failedCell: 2, error: 'Error: boom' });
  ws.summary('old', summary('old', { provenance: { ...summary('old').provenance, dirty: true } }));
  ws.summary('forged', summary('forged'));
  ws.executed('forged', [
    mdCell(`# Forged ${EVIL}`),
    codeCell(`x`, [
      display({ 'application/vnd.rlmini.verdict+json': { ...verdict(), nSeeds: EVIL } }),
      display({
        'application/vnd.rlmini.figure+json': {
          id: 'forged/scores',
          name: 'scores',
          caption: `<script>window.__pwned=2</script>${EVIL}`,
          plotly: { data: [], layout: {} },
        },
      }),
      display({ 'application/vnd.rlmini.table+json': { caption: 'c', columns: ['a'], rows: [[{ html: EVIL }]] } }),
      display({ 'text/html': `<script>window.__pwned=3</script>${EVIL}`, 'text/plain': 'plain text' }),
      { output_type: 'stream', name: 'stdout" onmouseover="window.__pwned=4', text: 'y'.repeat(5_000_000) },
    ]),
  ]);
  buildReports({ profile: 'full' });
  const fx = await exportFigures(reportFigures({ profile: 'full' }), { dir: figuresDir('full') });
  expect(fx.failed).toEqual([]);
  buildReports({ profile: 'full' }); // links the static files now present
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--allow-file-access-from-files'],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  ws.restore();
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
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith('data:') && !u.startsWith(pathToFileURL(R).href)) outside.push(u);
  });
  await page.goto(pathToFileURL(path.join(R, rel)).href, { waitUntil: 'load' });
  return { page, errors, outside };
}

describe('the scoreboard in a browser', () => {
  it('starts on the built papers, one row each with a chip per claim (hover: claim, estimate, interval)', async () => {
    const { page, errors, outside } = await open('index.html');
    const visible = () =>
      page.$$eval('tr.paper', (rs) =>
        rs.filter((r) => (r as HTMLElement).style.display !== 'none').map((r) => r.querySelector('code')!.textContent),
      );
    expect(await page.inputValue('#show')).toBe('built');
    expect(await visible()).toEqual(['old', 'alpha', 'forged', 'gamma']); // by testbed, then id
    expect(await page.textContent('#shown')).toBe('4 shown');
    const chips = await page.$$eval('tr[data-text^="alpha"] a.chip', (as) =>
      as.map((a) => ({ cls: a.className, title: a.getAttribute('title'), text: a.textContent })),
    );
    expect(chips).toEqual([
      {
        cls: 'chip reproduced',
        text: '✓',
        title: 'beats: A beats B\nreproduced — estimate 0.2500 [0.1250, 0.3750] (95% interval), 5 seeds',
      },
      {
        cls: 'chip not-reproduced',
        text: '✗',
        title: 'faster: A beats B\nnot reproduced — estimate -0.1000 [-0.2000, -0.05000] (95% interval), 5 seeds',
      },
    ]);
    // A chip's colour is readable at a glance: green and red backgrounds.
    const colours = await page.$$eval('tr[data-text^="alpha"] a.chip', (as) =>
      as.map((a) => getComputedStyle(a).backgroundColor),
    );
    expect(colours).toEqual(['rgb(26, 127, 55)', 'rgb(207, 34, 46)']);
    expect(await page.textContent('tr[data-text^="gamma"]')).toMatch(
      /run failed[\s\S]*verdicts stale\s+\(commit 0123456789ab\)/,
    );
    expect(await page.getAttribute('tr[data-text^="gamma"] a.chip', 'class')).toBe('chip reproduced stale');
    expect(await page.textContent('tr[data-text^="old"]')).toContain('unpublished (uncommitted changes)');
    // Counts are claims only (alpha 1 + 1, forged 1, old 1; gamma stale; the check not counted).
    expect(await page.textContent('#counts')).toMatch(/3 reproduced\s*1 not reproduced\s*\(4 claims; checks are not/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'scoreboard.png'), fullPage: true });
    await page.selectOption('#show', '');
    expect((await visible()).length).toBe(7);
    await page.selectOption('#show', 'built');
    await page.selectOption('#status', 'out-of-scope'); // widens "built papers" to all
    expect(await visible()).toEqual(['arm', 'robot']);
    expect(await page.inputValue('#show')).toBe('');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('a paper page: math typeset with local KaTeX fonts, checks apart, figure link, no outside request', async () => {
    const { page, errors, outside } = await open('papers/alpha.html');
    await page.evaluate(() => document.fonts.ready);
    expect(await page.$$eval('.katex', (es) => es.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval('.katex-display', (es) => es.length)).toBeGreaterThanOrEqual(1);
    // KaTeX's own fonts were loaded from reports/assets/katex/fonts (not a system fallback).
    const fonts = await page.evaluate(() => {
      const loaded: string[] = [];
      (document.fonts as unknown as { forEach(f: (x: FontFace) => void): void }).forEach((f) => {
        if (f.status === 'loaded') loaded.push(f.family.replace(/"/g, ''));
      });
      return loaded;
    });
    expect(fonts).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math']));
    expect(await page.textContent('.notebook')).not.toContain('$$');
    expect(await page.$$eval('table.verdicts.claims tbody tr', (r) => r.length)).toBe(2);
    expect(await page.$$eval('table.verdicts.checks tbody tr', (r) => r.length)).toBe(1);
    expect(await page.textContent('table.verdicts.claims')).toContain(
      'rope =\n[-0.01, 0.01] — 1% of the measured range',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'paper-alpha.png'), fullPage: false });
    await page.click('tr#v-beats a[href="#fig-scores"]');
    expect(await page.evaluate(() => location.hash)).toBe('#fig-scores');
    await page.waitForFunction(() => document.querySelector('#fig-scores .plot svg.main-svg') !== null, null, {
      timeout: 30_000,
    });
    expect(await page.$$eval('p.exports a', (as) => as.map((a) => a.getAttribute('href')))).toEqual([
      '../figures/full/alpha/scores.svg',
      '../figures/full/alpha/scores.png',
      '../figures/full/alpha/scores.pdf',
    ]);
    const math = await page.$('.notebook .cell.md');
    await math!.screenshot({ path: path.join(ARTIFACTS, 'paper-alpha-math.png') });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('forged display data in an executed notebook runs nothing, and its 5 MB output is cut', async () => {
    const { page, errors } = await open('papers/forged.html');
    await page.waitForTimeout(300);
    await page.hover('pre.stdout').catch(() => undefined);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img[src="x"]')).toEqual([]);
    expect(await page.textContent('.notebook')).toContain(
      "Not shown: this verdict output does not fit the kit's schema (verdict.nSeeds: expected a whole number",
    );
    expect(await page.textContent('.notebook')).toContain('<script>window.__pwned=2</script>');
    expect(await page.textContent('.notebook p.truncated')).toMatch(
      /^Output truncated: the page shows the first 16 kB and the last 4 kB of 5\.0 MB\./,
    );
    expect(fs.statSync(path.join(R, 'papers', 'forged.html')).size).toBeLessThan(150_000);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'paper-forged.png'), fullPage: false });
    await page.close();
  }, 60_000);

  it('a failed run shows its verdicts as stale, with their commit', async () => {
    const { page, errors } = await open('papers/gamma.html');
    expect(await page.textContent('#failed')).toMatch(
      /failed at cell 2[\s\S]*The results below are stale[\s\S]*commit\s*0123456789ab[\s\S]*not current/,
    );
    expect(await page.$$eval('table.verdicts.claims tbody tr.stale', (r) => r.length)).toBe(1);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'paper-gamma-stale.png'), fullPage: false });
    await page.close();
  }, 60_000);
});

describe('figure export', () => {
  it('a kill during the export keeps the manifest of the figures it finished; the next run does the rest', async () => {
    const dir = path.join(ws.dir, 'kill-figures');
    const figs = Array.from({ length: 12 }, (_, i) => ({
      id: `k/fig-${i}`,
      plotly: { data: [{ type: 'scatter', x: [1, 2, 3], y: [i, i + 1, i * 2] }], layout: { title: { text: `f${i}` } } },
    }));
    const script =
      `require(${JSON.stringify(path.join(ROOT, 'dist', 'report', 'export.js'))})` +
      `.exportFigures(JSON.parse(process.argv[1]), { dir: process.argv[2] });`;
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(figs), dir], { stdio: 'ignore' });
    const manifestFile = path.join(dir, 'manifest.json');
    const entries = () => {
      try {
        return Object.keys(JSON.parse(fs.readFileSync(manifestFile, 'utf8')).figures);
      } catch {
        return [];
      }
    };
    const t0 = Date.now();
    while (entries().length < 2 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const done = entries();
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(figs.length);
    for (const id of done)
      for (const e of ['svg', 'png', 'pdf']) expect(fs.existsSync(path.join(dir, `${id}.${e}`))).toBe(true);
    const plan = exportPlan(figs, dir);
    expect(plan.unchanged.sort()).toEqual(done.sort());
    expect(plan.toExport.length).toBe(figs.length - done.length);
    // A temp file the killed export may have left is removed by the next run, which exports only the rest.
    fs.writeFileSync(path.join(dir, 'k', 'fig-11.svg.tmp-999999-dead'), 'partial');
    const rest = await exportFigures(figs, { dir });
    expect(rest.exported.length).toBe(figs.length - done.length);
    expect(rest.unchanged.sort()).toEqual(done.sort());
    expect(fs.readdirSync(path.join(dir, 'k')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 300_000);

  it("Chromium's profile stays in the kit's folder: a killed export's goes at the next start", async () => {
    const tmp = fs.mkdtempSync(path.join(ws.dir, 'tmpdir-'));
    const dir = path.join(ws.dir, 'tmp-figures');
    const figs = Array.from({ length: 6 }, (_, i) => ({
      id: `t/fig-${i}`,
      plotly: { data: [{ type: 'bar', x: ['a', 'b'], y: [i, i + 2] }], layout: {} },
    }));
    const script =
      `require(${JSON.stringify(path.join(ROOT, 'dist', 'report', 'export.js'))})` +
      `.exportFigures(JSON.parse(process.argv[1]), { dir: process.argv[2] });`;
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(figs), dir], {
      stdio: 'ignore',
      env: { ...process.env, TMPDIR: tmp },
    });
    const profiles = () =>
      fs
        .readdirSync(tmp)
        .filter((n) => n.startsWith('rlmini-chromium-'))
        .flatMap((n) =>
          fs.readdirSync(path.join(tmp, n)).filter((m) => m.startsWith('playwright_chromiumdev_profile-')),
        );
    const t0 = Date.now();
    while (profiles().length === 0 && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Everything Chromium and playwright made sits inside the kit's folder: nothing else in TMPDIR.
    expect(profiles().length).toBe(1);
    expect(fs.readdirSync(tmp).filter((n) => !n.startsWith('rlmini-chromium-'))).toEqual([]);
    const prev = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const res = await exportFigures(figs, { dir });
      expect(res.failed).toEqual([]);
    } finally {
      process.env.TMPDIR = prev;
      if (prev === undefined) delete process.env.TMPDIR;
    }
    expect(fs.readdirSync(tmp)).toEqual([]);
    // and the Chromium the killed export left running was stopped, not left writing into a removed folder
    expect(pidsNaming(tmp)).toEqual([]);
  }, 300_000);
});
