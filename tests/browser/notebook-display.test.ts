/**
 * Plotly figures inline in Jupyter, offline. The MIME bundles come from the kit's display code (what
 * the tslab kernel sends); they are opened
 *  - in the real classic Notebook (Debian's jupyter-notebook 6: RequireJS on the page, which makes the
 *    plotly UMD bundle register as an anonymous AMD module unless the kit shields it), and
 *  - rendered the way JupyterLab / Notebook 7 render trusted text/html (innerHTML, then every script
 *    re-created so it runs, in a node attached afterwards), plus the application/vnd.plotly.v1+json part
 *    drawn as JupyterLab's plotly renderer does.
 * No request may leave the machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureBundle } from '../../src/core/display';
import type { FigureSpec } from '../../src/core/summary';

const CHROMIUM = '/usr/bin/chromium';
const NOTEBOOK = '/usr/bin/jupyter-notebook';
const PY = '/usr/bin/python3';

const fig = (name: string, y: number[]): FigureSpec => ({
  id: `display-test/${name}`,
  name,
  caption: `Caption of ${name} <b>not bold</b>`,
  plotly: { data: [{ type: 'bar', x: ['a', 'b', 'c'], y }], layout: { title: { text: name } } },
});
const FIGS = [fig('first', [1, 2, 3]), fig('second', [3, 1, 2])];
// The first figure of a kernel session carries the plotly bundle; later ones reuse window.Plotly.
const BUNDLES = FIGS.map((f, i) => figureBundle(f, { withLibrary: i === 0 }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('plotly figures inline in Jupyter, offline', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-display-'));
  let browser: Browser;
  let server: ChildProcess | null = null;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`Chromium is missing (${CHROMIUM}): install it with \`sudo apt-get install -y chromium\`.`);
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
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the MIME bundle: local plotly shielded from RequireJS, no CDN, the plotly part and the rlmini part', () => {
    const [first, second] = BUNDLES;
    expect(Object.keys(first).sort()).toEqual([
      'application/vnd.plotly.v1+json',
      'application/vnd.rlmini.figure+json',
      'text/html',
      'text/plain',
    ]);
    const html = String(first['text/html']);
    expect(html).toContain('(function(define,exports,module){');
    expect(html).toMatch(/plotly\.js v\d+\.\d+\.\d+/); // the bundle itself, inline
    // No script is loaded from anywhere: the bundle is inline (the bundle's own text is not inspected).
    const start = html.indexOf('(function(define,exports,module){');
    const end = html.indexOf('}).call(window);}</script>');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const around = html.slice(0, start) + html.slice(end);
    expect(/<script[^>]+src=/i.test(around)).toBe(false);
    expect(/https?:/i.test(around)).toBe(false);
    expect(/<script[^>]+src=/i.test(String(second['text/html']))).toBe(false);
    expect(String(second['text/html'])).not.toContain('define,exports,module'); // shipped once per session
    expect(String(second['text/html']).length).toBeLessThan(5000);
    expect(first['application/vnd.plotly.v1+json']).toEqual({
      data: FIGS[0].plotly.data,
      layout: FIGS[0].plotly.layout,
      config: { displaylogo: false, responsive: true },
    });
    expect(first['application/vnd.rlmini.figure+json']).toEqual(FIGS[0]);
    // The caption is escaped in the HTML, and untrusted outputs (scripts stripped) still say what is missing.
    expect(html).toContain('Caption of first &lt;b&gt;not bold&lt;/b&gt;');
    expect(html).toMatch(/drawn by JavaScript when the notebook is trusted/);
  });

  it('JupyterLab-style rendering draws every figure (text/html and the plotly MIME part)', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!/^(about|data|blob):/.test(r.url())) outside.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    for (const b of BUNDLES) {
      await page.evaluate((html) => {
        // JupyterLab's renderHTML: innerHTML, then each <script> replaced by a fresh one so it runs
        // (when the output node is attached to the document).
        const host = document.createElement('div');
        host.className = 'jp-RenderedHTMLCommon';
        host.innerHTML = html;
        host.querySelectorAll('script').forEach((old) => {
          const s = document.createElement('script');
          s.type = old.type || 'text/javascript';
          s.text = old.textContent ?? '';
          old.replaceWith(s);
        });
        document.getElementById('out')!.appendChild(host);
      }, String(b['text/html']));
    }
    await page
      .waitForFunction(
        () =>
          Array.from(document.querySelectorAll('.rlmini-figure')).every((d) => d.querySelector('svg.main-svg .point')),
        null,
        { timeout: 30_000 },
      )
      .catch(async (e) => {
        throw new Error(
          `${(e as Error).message.split('\n')[0]}; errors: ${errors.join(' | ').slice(0, 500)}; ` +
            `state: ${await page.evaluate(() =>
              JSON.stringify([
                typeof (window as unknown as { Plotly?: unknown }).Plotly,
                document.querySelectorAll('.rlmini-figure').length,
                document.querySelectorAll('.rlmini-figure svg.main-svg').length,
                document.querySelectorAll('script').length,
              ]),
            )}`,
        );
      });
    const bars = await page.$$eval('.rlmini-figure', (ds) =>
      ds.map((d) => d.querySelectorAll('svg.main-svg g.point').length),
    );
    expect(bars).toEqual([3, 3]);
    // The placeholder text is gone once a figure is drawn.
    expect(await page.$$eval('.rlmini-figure', (ds) => ds.map((d) => /trusted/.test(d.textContent ?? '')))).toEqual([
      false,
      false,
    ]);
    // The plotly MIME part is a figure plotly draws as is (what JupyterLab's plotly renderer does).
    const drawn = await page.evaluate(
      async (mime) => {
        const P = (window as unknown as { Plotly: { newPlot: (...a: unknown[]) => Promise<HTMLElement> } }).Plotly;
        const div = document.createElement('div');
        document.body.appendChild(div);
        await P.newPlot(div, mime.data, mime.layout, mime.config);
        return div.querySelectorAll('svg.main-svg g.point').length;
      },
      BUNDLES[1]['application/vnd.plotly.v1+json'] as { data: unknown[]; layout: unknown; config: unknown },
    );
    expect(drawn).toBe(3);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('the classic Notebook (RequireJS loaded) draws every figure of a trusted notebook, offline', async () => {
    if (!fs.existsSync(NOTEBOOK))
      throw new Error(
        `The classic Notebook is missing (${NOTEBOOK}): install it with \`sudo apt-get install -y jupyter-notebook\`.`,
      );
    const env = {
      ...process.env,
      JUPYTER_DATA_DIR: path.join(tmp, 'data'),
      JUPYTER_CONFIG_DIR: path.join(tmp, 'config'),
      JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
      HOME: tmp,
    };
    const nbDir = path.join(tmp, 'nb');
    fs.mkdirSync(nbDir, { recursive: true });
    const nb = {
      cells: [
        {
          cell_type: 'code',
          id: 'figures',
          source: 'nb.figure(...)',
          metadata: {},
          execution_count: 1,
          outputs: BUNDLES.map((b) => ({ output_type: 'display_data', data: b, metadata: {} })),
        },
      ],
      // A kernel name that does not exist: the page must not start a kernel (the outputs are what is tested).
      metadata: { kernelspec: { name: 'rlmini-display-test-none', display_name: 'none', language: 'typescript' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const file = path.join(nbDir, 'figures.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    // Trust it, as Jupyter does for outputs the user produced (untrusted outputs never run scripts).
    const sign = spawnSync(
      PY,
      [
        '-c',
        'import nbformat,sys\nfrom nbformat.sign import NotebookNotary\n' +
          'nb=nbformat.read(sys.argv[1],4)\nNotebookNotary().sign(nb)\nnbformat.write(nb,sys.argv[1])',
        file,
      ],
      { env, encoding: 'utf8' },
    );
    expect(sign.status, sign.stderr).toBe(0);
    const port = await freePort();
    const args = [
      '--no-browser',
      `--port=${port}`,
      '--port-retries=0',
      '--ip=127.0.0.1',
      '--NotebookApp.token=',
      '--NotebookApp.password=',
      `--notebook-dir=${nbDir}`,
    ];
    if (process.getuid?.() === 0) args.push('--allow-root');
    server = spawn(NOTEBOOK, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 40_000;
    for (;;) {
      const ok = await fetch(`${base}/api`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || server.exitCode !== null)
        throw new Error(`jupyter-notebook did not start:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !/^(data|blob|about):/.test(r.url())) outside.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base}/notebooks/figures.ipynb`);
    await page
      .waitForFunction(
        () =>
          Array.from(document.querySelectorAll('.rlmini-figure')).filter((d) => d.querySelector('svg.main-svg .point'))
            .length === 2,
        null,
        { timeout: 60_000 },
      )
      .catch(async (e) => {
        await page.screenshot({ path: path.join(tmp, 'classic.png') }).catch(() => undefined);
        throw new Error(
          `${(e as Error).message.split('\n')[0]}; errors: ${errors.join(' | ').slice(0, 500)}; ` +
            `state: ${await page.evaluate(() =>
              JSON.stringify([
                typeof (window as unknown as { Plotly?: unknown }).Plotly,
                document.querySelectorAll('.rlmini-figure').length,
                document.querySelectorAll('.rlmini-figure svg.main-svg').length,
                document.body.innerText.slice(0, 300),
              ]),
            )}`,
        );
      });
    // RequireJS was there
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('function');
    expect(await page.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly)).toBe('object');
    expect(errors.filter((e) => /define|plotly|rlmini/i.test(e))).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 120_000);
});
