/**
 * The preference protocol end to end: the real protocol notebook executed through the tslab kernel (smoke), its
 * comparison page opened from file:// in Debian's Chromium. The leaderboard shows what the records say (IQM recomputed
 * here by hand from the published scores), every figure is drawn, links resolve, no console error, nothing is fetched
 * from outside the report folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeAsync } from '../../src/core/proc';
import type { Summary } from '../../src/core/summary';
import { PROTOCOL_METHODS } from '../../src/testbeds/preference/protocol';
import { CLI, ROOT, workspace } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';

/** scipy.stats.trim_mean(x, 0.25): drop ⌊n/4⌋ values at each end of the sorted pool, average the rest. */
function iqmByHand(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length / 4);
  const mid = s.slice(k, s.length - k);
  return mid.reduce((a, b) => a + b, 0) / mid.length;
}

describe('preference protocol page in a browser', () => {
  const ws = workspace('protocol');
  let browser: Browser;
  let summary: Summary;

  beforeAll(async () => {
    for (const id of ['protocol-preference', 'inpo'])
      fs.copyFileSync(path.join(ROOT, 'notebooks', `${id}.ipynb`), path.join(ws.nbDir, `${id}.ipynb`));
    const r = await runNodeAsync(
      [CLI, 'reports', '--profile', 'smoke', '--only', 'protocol-preference,inpo', '--no-figures', '--jobs', '2'],
      {
        env: ws.env,
        cwd: ws.dir,
        timeoutMs: 300_000,
      },
    );
    expect(r.status, r.out).toBe(0);
    summary = JSON.parse(
      fs.readFileSync(path.join(ws.dir, 'results', 'protocol-preference', 'smoke', 'summary.json'), 'utf8'),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    ws.cleanup();
  });

  it('publishes every entered method with scores per task and seed, and passes its checks', () => {
    const p = summary.protocol!;
    expect(p.methods.map((m) => m.name)).toEqual(PROTOCOL_METHODS.map((m) => m.name));
    for (const m of p.methods) {
      expect(m.scores).toHaveLength(p.tasks.length);
      for (const row of m.scores) expect(row).toHaveLength(summary.seeds.length);
    }
    expect(summary.verdicts.map((v) => [v.claimId, v.status])).toEqual([
      ['equal-budget', 'reproduced'],
      ['target-reachable', 'reproduced'],
    ]);
  });

  it('renders the leaderboard, the three figures and working links, without errors or outside requests', async () => {
    const reports = path.join(ws.dir, 'reports');
    const file = path.join(reports, 'smoke', 'compare', 'preference.html');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [],
      outside: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (q) => {
      const u = q.url();
      if (!u.startsWith('data:') && !u.startsWith(pathToFileURL(reports).href)) outside.push(u);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('section.protocol div.plot')).every((d) =>
          d.querySelector('svg.main-svg'),
        ),
      null,
      { timeout: 30_000 },
    );
    const figs = await page.$$eval('section.protocol div.plot', (ds) => ds.map((d) => d.getAttribute('data-figure')));
    expect(figs).toEqual([
      'compare/preference/protocol-iqm',
      'compare/preference/protocol-poi',
      'compare/preference/protocol-profile',
    ]);
    // the heatmap and the lines are drawn (not just an empty frame)
    expect(await page.$$eval('div.plot[data-figure="compare/preference/protocol-poi"] .hm', (x) => x.length)).toBe(1);
    expect(
      await page.$$eval('div.plot[data-figure="compare/preference/protocol-profile"] g.trace.scatter', (x) => x.length),
    ).toBe(PROTOCOL_METHODS.length);
    const rows = await page.$$eval('table.leaderboard tbody tr', (rs) =>
      rs.map((r) => ({
        method: r.getAttribute('data-method'),
        rank: r.children[0].textContent!.trim(),
        iqm: Number(r.children[2].querySelector('.mean')!.textContent),
      })),
    );
    expect(rows).toHaveLength(PROTOCOL_METHODS.length);
    const ranked = rows.filter((r) => /^\d+$/.test(r.rank));
    expect(ranked.map((r) => Number(r.rank))).toEqual(ranked.map((_, i) => i + 1));
    expect(ranked).toHaveLength(PROTOCOL_METHODS.filter((m) => m.budget === 'labels').length);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].iqm).toBeLessThanOrEqual(ranked[i - 1].iqm);
    for (const r of rows) {
      const m = summary.protocol!.methods.find((x) => x.name === r.method)!;
      expect(r.iqm).toBeCloseTo(iqmByHand(m.scores.flat()), 3);
    }
    // every relative link resolves
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')!));
    for (const h of hrefs.filter((x) => !/^(https?:|#|mailto:)/.test(x)))
      expect(fs.existsSync(path.resolve(path.dirname(file), decodeURIComponent(h.split('#')[0]))), h).toBe(true);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows the protocol's result under the cited claim of a paper page, linked to the protocol section", async () => {
    const file = path.join(ws.dir, 'reports', 'smoke', 'papers', 'inpo.html');
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const ev = await page.$$eval('#claim-improves-over-bt-iterative p.protocol-evidence', (ps) =>
      ps.map((p) => ({ text: p.textContent!.replace(/\s+/g, ' '), href: p.querySelector('a')!.getAttribute('href')! })),
    );
    expect(ev).toHaveLength(1);
    expect(ev[0].href).toBe('../compare/preference.html#protocol');
    const cite = summary.protocol!.citations!.find((c) => c.paper === 'inpo')!;
    expect(ev[0].text).toContain(`P(${cite.better} > ${cite.worse}) =`);
    expect(ev[0].text).toContain('not part of the verdict');
    // the link lands on the protocol section of the comparison page
    await page.click('#claim-improves-over-bt-iterative p.protocol-evidence a');
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/compare\/preference\.html#protocol$/);
    expect(await page.$('section#protocol table.citations')).not.toBeNull();
    await page.close();
  }, 60_000);
});

describe('two protocols on one testbed page (tabular) in a browser', () => {
  const ws = workspace('protocol-two');
  let browser: Browser;

  beforeAll(async () => {
    for (const id of ['protocol-tabular', 'protocol-tabular-reward-learning'])
      fs.copyFileSync(path.join(ROOT, 'notebooks', `${id}.ipynb`), path.join(ws.nbDir, `${id}.ipynb`));
    const r = await runNodeAsync(
      [
        CLI,
        'reports',
        '--profile',
        'smoke',
        '--only',
        'protocol-tabular,protocol-tabular-reward-learning',
        '--no-figures',
        '--jobs',
        '2',
      ],
      { env: ws.env, cwd: ws.dir, timeoutMs: 300_000 },
    );
    expect(r.status, r.out).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    ws.cleanup();
  });

  it('draws each protocol in its own section with its own anchors and figure ids, without errors', async () => {
    const file = path.join(ws.dir, 'reports', 'smoke', 'compare', 'tabular.html');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('section.protocol div.plot')).every((d) =>
          d.querySelector('svg.main-svg'),
        ),
      null,
      { timeout: 30_000 },
    );
    const sections = await page.$$eval('section.protocol', (ss) =>
      ss.map((s) => ({
        id: s.id,
        heading: s.querySelector('h2')!.textContent,
        figures: Array.from(s.querySelectorAll('div.plot')).map((d) => d.getAttribute('data-figure')),
        rows: s.querySelectorAll('table.leaderboard tbody tr').length,
      })),
    );
    expect(sections.map((s) => s.id)).toEqual(['protocol', 'protocol-reward-learning']);
    expect(sections[1].heading).toMatch(/reward learning from preferences/);
    expect(sections[0].figures).toEqual([
      'compare/tabular/protocol-iqm',
      'compare/tabular/protocol-poi',
      'compare/tabular/protocol-profile',
    ]);
    expect(sections[1].figures).toEqual([
      'compare/tabular/protocol-reward-learning-iqm',
      'compare/tabular/protocol-reward-learning-poi',
      'compare/tabular/protocol-reward-learning-profile',
    ]);
    expect(sections.every((s) => s.rows >= 3)).toBe(true);
    // no id is used twice on the page (anchors of the two sections stay distinct)
    const ids = await page.$$eval('[id]', (es) => es.map((e) => e.id));
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
    // the lead's link goes to the first protocol
    expect(await page.$eval('p.lead a', (a) => a.getAttribute('href'))).toBe('#protocol');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
