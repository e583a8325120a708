/**
 * Reports in a real headless browser (Debian's Chromium via playwright-core), opened from file://:
 * no console errors, no request outside the report folder, figures render as SVG, links resolve,
 * filters work, text from notebooks is escaped. Screenshots go to tests/artifacts/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, code, md, notebook, workspace } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');

describe('reports in a browser', () => {
  const ws = workspace('browser');
  let browser: Browser;
  let reports: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is missing (${CHROMIUM}): install it with \`sudo apt-get install -y chromium\` (or run \`npm run setup\` as root).`);
    // The real STARC notebook (smoke) plus a hostile notebook whose metadata and outputs carry HTML.
    fs.copyFileSync(path.join(ROOT, 'notebooks', 'starc.ipynb'), path.join(ws.nbDir, 'starc.ipynb'));
    const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
    ws.write('zz-escape', notebook(
      [md(`# Title ${evil}`), code(`console.log(${JSON.stringify(evil)});`)],
      { id: 'zz-escape', title: `Evil ${evil}`, authors: [evil], year: 2026, url: 'javascript:alert(1)', bibtex: evil, claims: [{ id: 'c', quote: evil }], design: evil, deviations: [evil] },
    ));
    const r = ws.cli(['reports', '--profile', 'smoke'], { RLMINI_NOTEBOOKS_DIR: ws.nbDir }, 600_000);
    expect(r.status, r.out).toBe(0);
    reports = path.join(ws.dir, 'reports');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    ws.cleanup();
  });

  async function open(rel: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (req) => {
      const u = req.url();
      if (u.startsWith('data:')) return;
      if (!u.startsWith(pathToFileURL(reports).href)) outside.push(u);
    });
    await page.goto(pathToFileURL(path.join(reports, rel)).href, { waitUntil: 'load' });
    return { page, errors, outside };
  }

  it('the STARC page shows its verdicts and renders every figure, offline and without errors', async () => {
    const { page, errors, outside } = await open('papers/starc.html');
    await page.waitForSelector('div.plot svg.main-svg', { timeout: 20_000 });
    const figures = await page.$$eval('div.plot', (ds) => ds.map((d) => d.querySelectorAll('svg.main-svg').length));
    expect(figures.length).toBe(2);
    for (const n of figures) expect(n).toBeGreaterThan(0);
    const verdictRows = await page.$$eval('table.verdicts tbody tr', (rs) => rs.map((r) => r.textContent ?? ''));
    expect(verdictRows.length).toBe(7);
    expect(verdictRows.join('\n')).toMatch(/pseudometric-zero-on-equivalent[\s\S]*(reproduced|inconclusive)/);
    expect(await page.textContent('body')).toContain('smoke');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'paper-starc.png'), fullPage: false });
    await page.close();
  }, 60_000);

  it('the index lists all catalog papers, its links resolve, and search and filters work', async () => {
    const { page, errors, outside } = await open('index.html');
    const rows = await page.$$eval('tr.paper', (rs) => rs.length);
    expect(rows).toBe(221); // 220 catalog papers + the uncatalogued test notebook
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const h of hrefs.filter((x) => !/^(https?:|#)/.test(x))) {
      expect(fs.existsSync(path.join(reports, h.split('#')[0])), `broken link ${h}`).toBe(true);
    }
    await page.fill('#q', 'quantifying differences between reward');
    expect(await page.textContent('#shown')).toBe('1 shown');
    await page.fill('#q', '');
    await page.selectOption('#status', 'out-of-scope');
    const shown = Number((await page.textContent('#shown'))!.split(' ')[0]);
    expect(shown).toBe(61); // tiers C and D
    await page.selectOption('#status', '');
    await page.screenshot({ path: path.join(ARTIFACTS, 'index.png') });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('escapes every text that comes from a notebook', async () => {
    const { page, errors } = await open('papers/zz-escape.html');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('img[src="x"]')).toEqual([]);
    expect(await page.textContent('h1')).toContain('<script>window.__pwned=1</script>');
    const links = await page.$$eval('a[href^="javascript:"]', (as) => as.length);
    expect(links).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
