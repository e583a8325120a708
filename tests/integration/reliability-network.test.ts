/**
 * No network, and safe pages. The whole reports build (runner, tslab kernel, worker threads,
 * rendering, static figure export) runs in a network namespace with no outside route (`unshare -n`,
 * when root) and with a preload in every Node process that records — and refuses — every TCP/UDP
 * connection and DNS lookup that is not loopback or a local socket. The build must succeed and
 * record none. Then every generated HTML page is checked: a Content-Security-Policy that forbids
 * inline and remote scripts, no inline event handlers, no inline scripts except JSON data blocks,
 * no javascript: URLs, and a hostile notebook's text (metadata, markdown, outputs, tables,
 * figures, verdicts) shown escaped, never as markup.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, code, md, notebook, workspace } from '../helpers';

const PRELOAD = `
'use strict';
const fs = require('fs');
const net = require('net');
const dns = require('dns');
const dgram = require('dgram');
const LOG = process.env.RLMINI_NETLOG;
const record = (what) => fs.appendFileSync(LOG, JSON.stringify({ pid: process.pid, what }) + '\\n');
fs.appendFileSync(
  process.env.RLMINI_NETLOG_LOADED,
  process.pid + ' interfaces=' + Object.keys(require('os').networkInterfaces()).join(',') + ' ' +
    process.argv.slice(1).join(' ') + '\\n',
);
const local = (host) =>
  host === undefined || host === null || host === '' || host === 'localhost' || /^127\\./.test(host) || host === '::1';
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let o = args[0];
  if (Array.isArray(o)) o = o[0];
  // local socket
  if (typeof o === 'string' || (o && typeof o === 'object' && typeof o.path === 'string' && o.path !== ''))
    return connect.apply(this, args);
  const opts = o && typeof o === 'object' ? o : { port: o, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (local(opts.host)) return connect.apply(this, args);
  record('tcp ' + opts.host + ':' + opts.port);
  process.nextTick(() => this.destroy(new Error('outgoing connection refused by the no-network test')));
  return this;
};
for (const mod of [dns, dns.promises]) {
  for (const fn of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
    const orig = mod[fn];
    if (typeof orig !== 'function') continue;
    mod[fn] = function (host, ...rest) {
      if (!local(host)) record('dns ' + fn + ' ' + host);
      return orig.call(this, host, ...rest);
    };
  }
}
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (...args) {
  record('udp send');
  return send.apply(this, args);
};
`;

const EVIL =
  `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">` +
  `<a href="javascript:alert(1)" onclick="x()">click</a>`;

function hostileNotebook() {
  const E = JSON.stringify(EVIL);
  return notebook(
    [
      md(`# Hostile ${EVIL}\n\n<div onmouseover="alert(1)">raw html in markdown</div>\n\n[link](javascript:alert(2))`),
      code('const profile: string = "smoke";', ['parameters']),
      code(`import * as rl from "../dist";
const EVIL = ${E};
const nb = rl.startNotebook({ id: "zz-hostile", profile: profile as rl.Profile, spec: {},
  defaults: { smoke: {}, full: {} } });
nb.table({ name: "evil", caption: EVIL, columns: [EVIL, "v"], rows: [[EVIL, 1]] });
nb.figure("evil-fig", EVIL, rl.plots.barsWithIntervals({ title: EVIL, xLabel: EVIL, yLabel: "y",
  groups: [{ name: EVIL, x: [EVIL], y: [1], lo: [0.5], hi: [1.5] }] }));
nb.verdict(rl.stats.claimAllBelow({ claimId: "evil-claim", profile: nb.profile, claim: EVIL, values: [0, 0],
  tolerance: 1 }));
require("tslab").display.html(EVIL);
console.log(EVIL);
nb.finish();`),
    ],
    {
      id: 'zz-hostile',
      title: `Evil ${EVIL}`,
      authors: [EVIL],
      year: 2026,
      url: 'javascript:alert(1)',
      bibtex: EVIL,
      claims: [{ id: 'evil-claim', quote: EVIL }],
      design: EVIL,
      deviations: [EVIL],
    },
  );
}

function haveUnshare(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'true']).status === 0;
}

describe('the reports build makes no outgoing connection, and its pages are safe', () => {
  const ws = workspace('nonet');
  const netlog = path.join(ws.dir, 'net.log');
  const loaded = path.join(ws.dir, 'preloaded.log');
  const preload = path.join(ws.dir, 'no-network.js');
  const isolated = haveUnshare();
  let build: { status: number | null; out: string };

  beforeAll(async () => {
    fs.writeFileSync(preload, PRELOAD);
    fs.writeFileSync(netlog, '');
    fs.writeFileSync(loaded, '');
    fs.copyFileSync(path.join(ROOT, 'notebooks', 'starc.ipynb'), path.join(ws.nbDir, 'starc.ipynb'));
    ws.write('zz-hostile', hostileNotebook());
    const env = {
      ...ws.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(),
      RLMINI_NETLOG: netlog,
      RLMINI_NETLOG_LOADED: loaded,
    };
    // In a fresh network namespace only a loopback interface exists (brought up here).
    const [cmd, args] = isolated
      ? [
          'unshare',
          [
            '-n',
            'sh',
            '-c',
            'ip link set lo up 2>/dev/null; exec "$@"',
            'sh',
            process.execPath,
            CLI,
            'reports',
            '--profile',
            'smoke',
          ],
        ]
      : [process.execPath, [CLI, 'reports', '--profile', 'smoke']];
    build = await new Promise((resolve) => {
      const child = spawn(cmd as string, args as string[], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.once('close', (status) => resolve({ status, out }));
    });
  }, 600_000);
  afterAll(() => ws.cleanup());

  it('the detector works: a plain HTTP request under the same preload is recorded and refused', () => {
    const probe = path.join(ws.dir, 'probe.log');
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `require('http').get('http://198.51.100.7:81/x').on('error', (e) => { console.log('refused: ' + e.message); })`,
      ],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: `--require ${preload}`,
          RLMINI_NETLOG: probe,
          RLMINI_NETLOG_LOADED: path.join(ws.dir, 'probe-loaded.log'),
        },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(r.stdout).toContain('refused: outgoing connection refused by the no-network test');
    expect(fs.readFileSync(probe, 'utf8')).toContain('"what":"tcp 198.51.100.7:81"');
  });

  it(`builds everything${isolated ? ' in a network namespace with no route out' : ''}`, () => {
    expect(build.status, build.out).toBe(0);
    expect(build.out).toMatch(/notebooks: 2 \(2 executed, 0 unchanged\), 0 failed/);
    expect(fs.existsSync(path.join(ws.dir, 'results', 'starc', 'smoke', 'summary.json'))).toBe(true);
  });

  it('with the preload active in the runner and in the kernel, and no outgoing connection or lookup recorded', () => {
    const procs = fs.readFileSync(loaded, 'utf8');
    expect(procs).toMatch(/main\.js reports/);
    expect(procs).toMatch(/tslab kernel/);
    // In the namespace the only interface is loopback: there is no route out at all.
    if (isolated) for (const line of procs.trim().split('\n')) expect(line).toMatch(/^\d+ interfaces=lo( |$)/);
    expect(fs.readFileSync(netlog, 'utf8')).toBe('');
  });

  const pages = () => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.html')) out.push(path.join(d, e.name));
      }
    };
    walk(path.join(ws.dir, 'reports'));
    return out;
  };

  it('every page carries a Content-Security-Policy that allows no inline or remote script and no connections', () => {
    const all = pages();
    expect(all.length).toBeGreaterThanOrEqual(3); // index + two paper pages
    for (const f of all) {
      const html = fs.readFileSync(f, 'utf8');
      const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
      expect(m, f).not.toBeNull();
      const csp = Object.fromEntries(
        m![1]
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([k, ...v]) => [k, v]),
      );
      expect(csp['default-src'], f).toEqual(["'none'"]);
      expect(csp['script-src'], f).toEqual(["'self'"]);
      expect(csp['connect-src'], f).toEqual(["'none'"]);
    }
  });

  it('no inline event handlers, no inline scripts other than JSON data, no javascript: URLs, no remote scripts', () => {
    for (const f of pages()) {
      const html = fs.readFileSync(f, 'utf8');
      // JSON data blocks: inert, and their text cannot close the element.
      const jsonBlocks = [...html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)].map(
        (x) => x[1],
      );
      for (const j of jsonBlocks) expect(j, f).not.toMatch(/[<>]/);
      const rest = html.replace(/<script type="application\/json"[^>]*>[\s\S]*?<\/script>/g, '');
      for (const s of rest.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(s[1], `${f}: inline <script>`).toMatch(/\ssrc="(?!https?:|\/\/)[^"]+"/);
        expect(s[2].trim(), f).toBe('');
      }
      for (const tag of rest.match(/<[a-zA-Z][^>]*>/g) ?? []) {
        const attrs = tag.replace(/"[^"]*"|'[^']*'/g, '""');
        expect(attrs, `${f}: inline event handler in ${tag}`).not.toMatch(/\son[a-z]+\s*=/i);
        expect(tag, f).not.toMatch(/(href|src|action)\s*=\s*["']?\s*javascript:/i);
      }
    }
  });

  it("the hostile notebook's text is shown escaped everywhere", () => {
    const page = fs.readFileSync(path.join(ws.dir, 'reports', 'smoke', 'papers', 'zz-hostile.html'), 'utf8');
    const index = fs.readFileSync(path.join(ws.dir, 'reports', 'smoke', 'index.html'), 'utf8');
    for (const html of [page, index]) {
      expect(html).not.toContain('<script>window.__pwned');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<div onmouseover');
    }
    // It is there, as text: title, table cell, verdict claim, notebook output…
    expect(page.split('&lt;script&gt;window.__pwned=1&lt;/script&gt;').length - 1).toBeGreaterThanOrEqual(5);
  });
});
