/**
 * Crash safety and kernel hygiene of `reports`, through the real CLI and the real tslab kernel:
 * SIGKILL at several points of a run (while the kernel starts, while seeds run in worker threads,
 * while in-kernel seeds run), then a re-run finishes with every record intact, identical to an
 * uninterrupted run, reusing what was finished; a truncated and a hand-edited record are named
 * and recomputed; SIGINT / SIGTERM shut the kernels down and exit non-zero with a message. After
 * every case no kernel process of this test remains (found by an environment marker in /proc).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../src/core/records';
import {
  CLI,
  code,
  notebook,
  workspace,
  cliAsync as cli,
  kernelPidsFor,
  snapshotWorkspace,
  removeDistSnapshot,
} from '../helpers';

function kernelPids(): number[] {
  return kernelPidsFor(MARKER);
}

const MARKER = `crash-${process.pid}-${Date.now()}`;

function stableWorkspace(name: string) {
  return snapshotWorkspace(name);
}

async function noKernelsWithin(ms: number): Promise<number[]> {
  const t0 = Date.now();
  for (;;) {
    const pids = kernelPids();
    if (pids.length === 0 || Date.now() - t0 > ms) return pids;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeds in worker threads (starc-small), then seeds in the kernel one by one (walk): records spread over the run. */
function crashNotebook() {
  return notebook([
    code('const profile: string = "smoke";\nconst seeds: number | null = null;', ['parameters']),
    code(`import * as rl from "../dist";
const nb = rl.startNotebook({ id: "crashy", profile: profile as rl.Profile,
  spec: { seeds: { type: "int", min: 1, max: 64 } },
  defaults: { smoke: { seeds: 8 }, full: { seeds: 8 } }, overrides: { seeds: seeds } });
const config = { mdpsPerSeed: 2, minStates: 6, maxStates: 10, nA: 3, gamma: 0.9, branching: 3,
  perturbationScales: [0.1, 1], interpolation: [0.5, 1] };`),
    code(`const small = await nb.runSeeds({ method: "starc-small", task: "papers/starc/experiment#runSeed",
  config: config });
console.log(\`starc-small \${small.length}\`);`),
    code(`const walks: rl.RunRecord[] = [];
for (const s of nb.seeds) {
  walks.push(await nb.run({ method: "walk", seed: s, config: { steps: 2000 } }, async (rng) => {
    await new Promise((r) => setTimeout(r, 300));
    const xs: number[] = [];
    let x = 0;
    for (let i = 0; i < 2000; i++) { x += rng.normal(); if (i % 100 === 99) xs.push(x); }
    return { metrics: { final: x, maxAbs: Math.max(...xs.map(Math.abs)) }, series: { path: xs } };
  }));
}
console.log(\`walks \${walks.length}\`);`),
    code('nb.finish();'),
  ]);
}

type WS = ReturnType<typeof workspace>;
const recordsDir = (ws: WS) => path.join(ws.dir, 'results', 'crashy', 'smoke', 'records');
const recordFiles = (ws: WS) =>
  fs.existsSync(recordsDir(ws))
    ? fs
        .readdirSync(recordsDir(ws))
        .filter((f) => f.endsWith('.json.gz'))
        .sort()
    : [];
/** What the latest run did (cache hits etc.): the summary itself is rewritten only when results change. */
const lastRunOf = (ws: WS) =>
  JSON.parse(fs.readFileSync(path.join(ws.dir, 'results', 'crashy', 'smoke', 'last-run.json'), 'utf8'));

/** Every record file in the workspace, verified; fails the test on any damaged one. */
function intactRecords(ws: WS): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  for (const f of recordFiles(ws)) {
    const r = readRecord(path.join(recordsDir(ws), f));
    if (!r.ok) throw new Error(`damaged record after a kill: ${'reason' in r ? r.reason : f}`);
    out.set(f, r.record);
  }
  return out;
}

/** What must be reproducible: everything but provenance (times) and the checksum that covers it. */
const numbers = (r: RunRecord) => ({ ...r, provenance: undefined, checksum: undefined });

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/\.tmp-\d+-/.test(e.name)) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** Start the CLI; `killWhen` decides (polled every 50 ms) when to send `signal`. */
function startRunner(ws: WS, args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...ws.env, RLMINI_TEST_MARKER: MARKER },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, exited, output: () => out };
}

async function runAndKill(ws: WS, when: () => boolean, label: string, timeoutMs = 60_000) {
  const r = startRunner(ws, ['reports', '--profile', 'smoke', '--no-figures']);
  const t0 = Date.now();
  let done = false;
  void r.exited.then(() => (done = true));
  while (!done && !when()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${label}: the kill condition never came:\n${r.output()}`);
    await sleep(50);
  }
  if (done) throw new Error(`${label}: the run finished before the kill point:\n${r.output()}`);
  // The kernel's temp folder (connection file, ipc sockets), from its command line.
  const connDirs = kernelPids().map((pid) => {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.dirname(argv[argv.indexOf('--config-path') + 1]);
  });
  r.child.kill('SIGKILL');
  const ex = await r.exited;
  expect(ex.signal).toBe('SIGKILL');
  return { ms: Date.now() - t0, connDirs };
}

describe('crash safety: SIGKILL at several points, then re-run', () => {
  const ref = stableWorkspace('crash-ref');
  const ws = stableWorkspace('crash');
  let reference: Map<string, RunRecord>;

  beforeAll(async () => {
    ref.write('crashy', crashNotebook());
    ws.write('crashy', crashNotebook());
    const r = await cli(ref, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
    expect(r.status, r.out).toBe(0);
    reference = intactRecords(ref);
  }, 180_000);
  afterAll(() => {
    for (const pid of kernelPids()) process.kill(pid, 'SIGKILL');
    ref.cleanup();
    ws.cleanup();
    removeDistSnapshot();
  });

  it('the uninterrupted run wrote 16 records (8 seeds × 2 methods) and left no kernel', async () => {
    expect(reference.size).toBe(16);
    expect(lastRunOf(ref).cached).toEqual({ hits: 0, computed: 16, recomputedCorrupt: 0 });
    expect(await noKernelsWithin(3000)).toEqual([]);
  });

  it(
    'after kills while starting, mid-seeds and mid-notebook, ' +
      'a re-run completes identically and reuses finished records',
    async () => {
      const history: { label: string; ms: number; records: number }[] = [];
      const kill = async (label: string, when: () => boolean) => {
        const { ms, connDirs } = await runAndKill(ws, when, label);
        // The orphaned kernel notices its runner is gone and exits by itself, removing its temp folder.
        expect(await noKernelsWithin(5000), `${label}: kernel processes left after SIGKILL of the runner`).toEqual([]);
        for (const d of connDirs) expect(fs.existsSync(d), `${label}: ${d} left behind`).toBe(false);
        if (label !== 'at 1 s') expect(connDirs).toHaveLength(1);
        const recs = intactRecords(ws); // no corrupt or partial record, whatever the kill point
        history.push({ label, ms, records: recs.size });
        return recs;
      };
      // 1. One second in: the kernel is still starting; nothing written.
      const t1 = Date.now();
      await kill('at 1 s', () => Date.now() - t1 > 1000);
      expect(history[0].records).toBe(0);
      // 2. In the middle of the worker-thread seeds: as soon as 2 records exist.
      await kill('after 2 records', () => recordFiles(ws).length >= 2);
      // 3. In the middle of the in-kernel seeds: 5 more records than at the start of this attempt.
      const before3 = recordFiles(ws).length;
      await kill(`after ${before3 + 5} records`, () => recordFiles(ws).length >= before3 + 5);
      const kept = intactRecords(ws);
      expect(kept.size).toBeGreaterThanOrEqual(7);
      expect(kept.size).toBeLessThan(16); // work is left for the final run

      const fin = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
      expect(fin.status, fin.out).toBe(0);
      expect(await noKernelsWithin(3000)).toEqual([]);
      const final = intactRecords(ws);
      // Same record files (same keys) with the same numbers as the uninterrupted run.
      expect([...final.keys()]).toEqual([...reference.keys()]);
      for (const [f, rec] of final) expect(numbers(rec), f).toEqual(numbers(reference.get(f)!));
      // Every record finished before a kill was reused, not recomputed (same creation time), and counted.
      for (const [f, rec] of kept) expect(final.get(f)!.provenance.createdAt, f).toBe(rec.provenance.createdAt);
      const cached = lastRunOf(ws).cached;
      expect(cached).toEqual({ hits: kept.size, computed: 16 - kept.size, recomputedCorrupt: 0 });
      expect(cached.hits).toBeGreaterThan(0);
      // Nothing half-written left behind anywhere.
      expect(tempFiles(ws.dir)).toEqual([]);
      expect(history.map((h) => h.label)).toHaveLength(3);
    },
    240_000,
  );

  it('a truncated and a hand-edited record are detected, named and recomputed through the runner', async () => {
    const files = recordFiles(ws);
    const truncated = path.join(
      recordsDir(ws),
      files.find((f) => f.startsWith('walk.seed3.'))!,
    );
    const edited = path.join(
      recordsDir(ws),
      files.find((f) => f.startsWith('starc-small.seed5.'))!,
    );
    const bytes = fs.readFileSync(truncated);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const rec = JSON.parse(zlib.gunzipSync(fs.readFileSync(edited)).toString('utf8'));
    rec.metrics['starc/spearman'] = 0.999; // a plausible number, but not the computed one
    fs.writeFileSync(edited, zlib.gzipSync(JSON.stringify(rec)));

    // Nothing else changed: the runner would skip the notebook, but it checks the records first.
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`${truncated}: corrupt record (not valid JSON`);
    expect(r.out).toContain(`${edited}: checksum mismatch (file edited or damaged); it will be recomputed`);
    expect(r.out).toMatch(/1 executed, 0 unchanged/);
    for (const f of [truncated, edited]) {
      const back = readRecord(f);
      expect(back.ok, f).toBe(true);
      if (back.ok) expect(numbers(back.record)).toEqual(numbers(reference.get(path.basename(f))!));
    }
    expect(lastRunOf(ws).cached).toEqual({ hits: 14, computed: 2, recomputedCorrupt: 2 });
    expect(await noKernelsWithin(3000)).toEqual([]);
  }, 120_000);

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} to the runner shuts its kernel down and exits ${code} with a message`, async () => {
      const r = startRunner(ws, ['reports', '--profile', 'smoke', '--fresh', '--no-figures']);
      const t0 = Date.now();
      while (kernelPids().length === 0) {
        if (Date.now() - t0 > 30_000) throw new Error(`no kernel started:\n${r.output()}`);
        await sleep(50);
      }
      await sleep(1500); // well into the kernel's start-up / first cells
      expect(kernelPids()).toHaveLength(1);
      r.child.kill(signal);
      const ex = await r.exited;
      expect(ex.code, r.output()).toBe(code);
      expect(r.output()).toContain(`rl-miniatures: interrupted (${signal}); shutting down 1 kernel(s)…`);
      expect(r.output()).toContain(`rl-miniatures: stopped by ${signal}; no kernel left running.`);
      expect(kernelPids()).toEqual([]); // gone by the time the runner exits, not just eventually
      for (const f of recordFiles(ws)) expect(readRecord(path.join(recordsDir(ws), f)).ok, f).toBe(true);
    }, 60_000);
  }
});
