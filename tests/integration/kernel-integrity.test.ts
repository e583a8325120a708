/**
 * The runner and the kernel, through the real CLI and the real tslab kernel, on real files:
 * - the code that ran keys the records: a notebook saved again while it runs (as Jupyter does) keeps
 *   its records keyed by the code that was executed, and the next run executes the new code;
 * - a dead kernel is noticed at once: a kernel SIGKILLed mid-cell fails that cell within seconds,
 *   saying it was killed by SIGKILL (not at the cell timeout);
 * - a reply whose `idle` status never comes is waited for briefly, then the run goes on with a warning;
 * - `--cell-timeout` is checked (positive, at most 2^31 - 1 ms) before any work;
 * - leftovers: kernel temp folders of killed runs are removed at start-up, none is left after a failure;
 * - a read-only reports folder gives a message that says so (not a raw ENOENT).
 * Each run has its own TMPDIR, so the kernel folders counted are this test's.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { notebookCodeHash, type Notebook } from '../../src/core/ipynb';
import { readRecord } from '../../src/core/records';
import { code, notebook, workspace, cliAsync as cli, kernelPidsFor, canMountTmpfs } from '../helpers';

const MARKER = `kint-${process.pid}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A workspace with its own TMPDIR (where the kernels' temp folders go). */
function ws(name: string) {
  const w = workspace(name);
  const tmp = path.join(w.dir, 'tmp');
  fs.mkdirSync(tmp);
  Object.assign(w.env, { TMPDIR: tmp, RLMINI_TEST_MARKER: MARKER });
  const kernelDirs = () =>
    fs
      .readdirSync(tmp)
      .filter((n) => n.startsWith('rlmini-kernel-'))
      .sort();
  return Object.assign(w, { tmp, kernelDirs });
}

async function waitFor<T>(what: string, f: () => T | null | undefined, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== null && v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the code that ran keys the records (a notebook saved again during its run)', () => {
  const w = ws('kint-swap');
  const mark = path.join(w.dir, 'cell-started');
  afterAll(() => w.cleanup());

  /** v is set in the cell that sleeps; the session starts (and keys its record) after the file was replaced. */
  const version = (v: number): Notebook =>
    notebook([
      code('const profile: string = "smoke";', ['parameters']),
      code(
        [
          `import * as rl from '../dist';`,
          `import * as fs from 'fs';`,
          `const v = ${v};`,
          `fs.writeFileSync(${JSON.stringify(mark)}, 'started');`,
          `await new Promise((r) => setTimeout(r, ${v === 1 ? 4000 : 0}));`,
        ].join('\n'),
      ),
      code(
        [
          `const nb = rl.startNotebook({ id: 'swap', profile: profile as rl.Profile,`,
          `  spec: { seeds: { type: 'int', min: 1, max: 4 } },`,
          `  defaults: { smoke: { seeds: 1 }, full: { seeds: 1 } } });`,
          `const rec = await nb.run({ method: 'version', seed: 0, config: {} }, () => ({ metrics: { v: v } }));`,
          'console.log(`v = ${rec.metrics.v}`);',
          'nb.finish();',
        ].join('\n'),
      ),
    ]) as unknown as Notebook;
  const executed = () =>
    JSON.parse(fs.readFileSync(path.join(w.dir, 'reports', 'notebooks', 'smoke', 'swap.ipynb'), 'utf8')) as Notebook & {
      metadata: { rlmini: Record<string, unknown> };
    };
  const printed = (nb: Notebook) =>
    nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => ('text' in o ? String(o.text) : ''))).join('');
  const records = () => {
    const dir = path.join(w.dir, 'results', 'swap', 'smoke', 'records');
    return fs.readdirSync(dir).map((f) => {
      const r = readRecord(path.join(dir, f));
      if (!r.ok) throw new Error(r.reason);
      return r.record;
    });
  };

  it('notebook replaced mid-run: records keyed by the executed code; the next run executes the new code', async () => {
    w.write('swap', version(1));
    const run = cli(w, ['reports', '--profile', 'smoke', '--no-figures']);
    await waitFor('the sleeping cell', () => (fs.existsSync(mark) ? true : null), 60_000);
    w.write('swap', version(2)); // saved (e.g. from Jupyter) while cell 2 sleeps
    const first = await run;
    expect(first.status, first.out).toBe(0);
    const [rec] = records();
    expect(rec.metrics.v).toBe(1);
    expect(rec.provenance.notebookHash).toBe(notebookCodeHash(version(1))); // the code that ran
    expect(rec.provenance.notebookHash).not.toBe(notebookCodeHash(version(2)));
    expect(first.out).toMatch(/notebooks\/swap\.ipynb: the notebook file changed while it ran/);
    const ex1 = executed();
    expect(printed(ex1)).toContain('v = 1');
    expect(ex1.metadata.rlmini.inputHash).toBeUndefined(); // not stamped as unchanged
    expect(ex1.metadata.rlmini.changedDuringRun).toBe(true);

    const second = await cli(w, ['reports', '--profile', 'smoke', '--no-figures']);
    expect(second.status, second.out).toBe(0);
    expect(second.out).toMatch(/notebooks: 1 \(1 executed, 0 unchanged\)/);
    const ex2 = executed();
    expect(printed(ex2)).toContain('v = 2');
    expect(printed(ex2)).not.toContain('v = 1');
    expect(records().map((r) => [r.metrics.v, r.provenance.notebookHash])).toEqual([[2, notebookCodeHash(version(2))]]);

    const third = await cli(w, ['reports', '--profile', 'smoke', '--no-figures']);
    expect(third.out).toMatch(/notebooks: 1 \(0 executed, 1 unchanged\)/);
  }, 300_000);
});

describe('dead kernels are noticed at once; kernel temp folders do not pile up', () => {
  const w = ws('kint-kill');
  const pidFile = path.join(w.dir, 'kernel.pid');
  afterAll(() => w.cleanup());

  it('a kernel SIGKILLed mid-cell fails its cell within seconds, saying so; stale kernel folders go', async () => {
    // Leftovers of earlier runs: both processes gone (removed), no owner and old (removed), a live owner
    // (kept), no owner but fresh (kept: another run may be starting).
    const plant = (name: string, owner: object | null, ageMs = 0) => {
      const d = path.join(w.tmp, `rlmini-kernel-${name}`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'connection.json'), '{}');
      if (owner) fs.writeFileSync(path.join(d, 'owner.json'), JSON.stringify(owner));
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(d, t, t);
    };
    plant('dead', { runner: 2 ** 22 + 4321, kernel: 2 ** 22 + 4322, host: os.hostname() });
    plant('old', null, 3_600_000);
    plant('live', { runner: process.pid, kernel: null, host: os.hostname() });
    plant('fresh', null);

    w.write(
      'victim',
      notebook([
        code('const a = 1;'),
        code(
          `import * as fs from 'fs';\nfs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\n` +
            'await new Promise((r) => setTimeout(r, 300_000));',
        ),
        code('console.log("never");'),
      ]),
    );
    const run = cli(w, ['reports', '--profile', 'smoke', '--no-figures', '--cell-timeout', '150']);
    const pid = await waitFor(
      'the kernel pid',
      () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : null),
      90_000,
    );
    await sleep(300);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const r = await run;
    const noticedWithin = Date.now() - killedAt;
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(
      /✗ notebooks\/victim\.ipynb, code cell 2: KernelDied: the kernel was killed by signal SIGKILL/,
    );
    expect(noticedWithin, r.out).toBeLessThan(20_000); // the whole CLI, reports included; not the 150 s timeout
    const ex = JSON.parse(fs.readFileSync(path.join(w.dir, 'reports', 'notebooks', 'smoke', 'victim.ipynb'), 'utf8'));
    expect(ex.metadata.rlmini.failedCell).toBe(2);
    expect(ex.metadata.rlmini.failedCellLabel).toBe('code cell 2');
    expect(ex.metadata.rlmini.error).toMatch(/killed by signal SIGKILL/);
    expect(w.kernelDirs()).toEqual(['rlmini-kernel-fresh', 'rlmini-kernel-live']);
    expect(kernelPidsFor(MARKER)).toEqual([]);
  }, 300_000);
});

describe('a reply without its idle status', () => {
  const w = ws('kint-idle');
  afterAll(() => w.cleanup());

  it('is waited for briefly, then the run goes on with a warning (not a cell timeout)', async () => {
    // A preload that makes the real tslab kernel drop the idle status of the cell that asks for it.
    const preload = path.join(w.dir, 'drop-idle.js');
    fs.writeFileSync(
      preload,
      `const fs = require('fs'), path = require('path');
const { isMainThread } = require('worker_threads');
if (isMainThread && /tslab/.test(process.argv[1] || '') && process.argv.includes('kernel')) {
  const dist = path.join(path.dirname(fs.realpathSync(process.argv[1])), '..', 'dist');
  const Z = require(path.join(dist, 'jupyter.js')).ZmqServer.prototype;
  const publishStatus = Z.publishStatus;
  Z.publishStatus = function (status, parent) {
    if (status === 'idle' && globalThis.__dropIdle) { globalThis.__dropIdle = false; return; }
    return publishStatus.call(this, status, parent);
  };
}
`,
    );
    w.write(
      'quiet',
      notebook([
        code('console.log("one");'),
        code('(globalThis as any).__dropIdle = true;\nconsole.log("two");'),
        code('console.log("three");'),
      ]),
    );
    const t0 = Date.now();
    const r = await cli(w, ['reports', '--profile', 'smoke', '--no-figures', '--cell-timeout', '90'], {
      NODE_OPTIONS: `--require ${preload}`,
    });
    expect(r.status, r.out).toBe(0);
    expect(Date.now() - t0, r.out).toBeLessThan(60_000);
    expect(r.out).toMatch(/notebooks\/quiet\.ipynb: code cell 2: the kernel replied but sent no idle status within/);
    const ex = JSON.parse(fs.readFileSync(path.join(w.dir, 'reports', 'notebooks', 'smoke', 'quiet.ipynb'), 'utf8'));
    expect(JSON.stringify(ex.cells.map((c: { outputs?: unknown }) => c.outputs))).toContain('three');
    expect(w.kernelDirs()).toEqual([]);
  }, 200_000);
});

describe('a cell that prints a lot', () => {
  const w = ws('kint-loud');
  afterAll(() => w.cleanup());

  it('20 MB in 20 000 writes and 3000 console.log lines: every byte kept, idle seen, no hang', async () => {
    // tslab sends one iopub message per write without awaiting it: zeromq 6 refuses a send that starts
    // while another waits (EBUSY, after ~512 in a tick) and its default high-water mark drops messages
    // beyond 1000; the run used to lose the output and the idle status, and hang on the reply.
    w.write(
      'loud',
      notebook([
        code("const line = 'x'.repeat(1023) + '\\n';\nfor (let i = 0; i < 20_000; i++) process.stdout.write(line);"),
        code("for (let i = 0; i < 3000; i++) console.log('line', i);"),
        code('console.log("after");'),
      ]),
    );
    const t0 = Date.now();
    const r = await cli(w, ['reports', '--profile', 'smoke', '--no-figures', '--cell-timeout', '150']);
    expect(r.status, r.out).toBe(0);
    expect(Date.now() - t0, r.out).toBeLessThan(120_000);
    expect(r.out).not.toMatch(/no idle status/);
    const ex = JSON.parse(fs.readFileSync(path.join(w.dir, 'reports', 'notebooks', 'smoke', 'loud.ipynb'), 'utf8'));
    const text = (i: number) =>
      (ex.cells[i].outputs as { text?: string | string[] }[])
        .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
        .join('');
    const codeCells = ex.cells
      .map((c: { cell_type: string }, i: number) => (c.cell_type === 'code' ? i : -1))
      .filter((i: number) => i >= 0);
    const [big, logs, after] = codeCells.slice(-3);
    expect(text(big).length).toBe(20_000 * 1024);
    expect(text(logs).split('\n').filter(Boolean)).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i}`));
    expect(text(after)).toBe('after\n');
  }, 200_000);
});

describe('--cell-timeout is checked before any work', () => {
  const w = ws('kint-timeout');
  afterAll(() => w.cleanup());

  it('rejects zero, negative, non-numbers and more than 2^31 - 1 ms with exit 2 and a clear message', () => {
    w.write('never', notebook([code('console.log("ran");')]));
    for (const v of ['0', '-5', 'abc', 'Infinity', '2147484', '3000000']) {
      const r = w.cli(['reports', '--profile', 'smoke', '--no-figures', '--cell-timeout', v]);
      expect(r.status, `${v}: ${r.out}`).toBe(2);
      expect(r.stderr, v).toMatch(/--cell-timeout/);
      if (Number(v) > 2147483)
        expect(r.stderr).toMatch(/--cell-timeout \S+ is too long: at most 2147483 seconds \(about 24\.8 days/);
    }
    expect(fs.existsSync(path.join(w.dir, 'results'))).toBe(false);
    expect(fs.existsSync(path.join(w.dir, 'reports', 'notebooks', 'smoke', 'never.ipynb'))).toBe(false);
  });
});

describe.skipIf(!canMountTmpfs())('a read-only reports folder', () => {
  const w = ws('kint-erofs');
  const mnt = path.join(w.dir, 'reports');
  afterAll(() => {
    execFileSync('umount', [mnt], { stdio: 'ignore' });
    w.cleanup();
  });

  it('fails the notebook saying the file system is read-only and what to do, not a raw ENOENT', async () => {
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mnt]);
    w.write('ro', notebook([code('console.log("ran");')]));
    const r = await cli(w, ['reports', '--profile', 'smoke', '--no-figures']);
    expect(r.status).not.toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('✗ notebooks/ro.ipynb'));
    expect(line, r.out).toBe(
      `  ✗ notebooks/ro.ipynb: could not save the executed notebook ` +
        `${path.join(mnt, 'notebooks', 'smoke', 'ro.ipynb')}: ` +
        'the file system is read-only (EROFS). Point RLMINI_REPORTS_DIR at a writable directory and re-run; ' +
        "the run's records are kept, so re-running reuses them.",
    );
    expect(r.out).not.toMatch(/executed notebook with the error/); // it could not be saved
    expect(w.kernelDirs()).toEqual([]);
  }, 200_000);
});

describe.skipIf(!canMountTmpfs())('a read-only results folder', () => {
  const w = ws('kint-erofs-results');
  const mnt = path.join(w.dir, 'results');
  afterAll(() => {
    execFileSync('umount', [mnt], { stdio: 'ignore' });
    w.cleanup();
  });

  it('fails the notebook saying the file system is read-only and what to do, not a raw ENOENT from mkdir', async () => {
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mnt]);
    w.write('ro', notebook([code('console.log("ran");')]));
    const r = await cli(w, ['reports', '--profile', 'smoke', '--no-figures']);
    expect(r.status).not.toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('✗ notebooks/ro.ipynb'));
    expect(line, r.out).toBe(
      `  ✗ notebooks/ro.ipynb: could not write the results folder ${path.join(mnt, 'ro', 'smoke')}: ` +
        'the file system is read-only (EROFS). Point RLMINI_RESULTS_DIR at a writable directory and re-run.',
    );
    expect(r.out).not.toMatch(/ENOENT/);
  }, 200_000);
});
