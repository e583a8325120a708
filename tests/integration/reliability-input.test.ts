/**
 * Bad input and a bad environment, through the real CLI: `--param` with an unknown name, a wrong
 * type or an out-of-range value is rejected before any kernel starts (nothing is written), naming
 * the notebook, the parameter and what is allowed; a range only the kernel can check still gives one
 * line; a malformed notebook, a missing kernel, a missing Jupyter and a full disk each give one clear
 * message and a non-zero exit, and what was already finished stays. No kernel process outlives a case.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/core/records';
import { ROOT, code, md, notebook, workspace, cliAsync as cli, kernelPidsFor, canMountTmpfs } from '../helpers';

function kernelPids(): number[] {
  return kernelPidsFor(MARKER);
}

const MARKER = `input-${process.pid}-${Date.now()}`;

const params = (extra = '') =>
  code(`const profile: string = "smoke";\nconst seeds: number | null = null;${extra}`, ['parameters']);

/** alpha: seeds (int in [2, 20]) and mode ("fast" | "slow"); literal spec, so the runner checks ranges. */
const alpha = notebook([
  md('# alpha'),
  params('\nconst mode: "fast" | "slow" = "fast";'),
  code(`import * as rl from "../dist";
const nb = rl.startNotebook({ id: "alpha", profile: profile as rl.Profile,
  spec: { seeds: { type: "int", min: 2, max: 20 }, mode: { type: "string", oneOf: ["fast", "slow"] } },
  defaults: { smoke: { seeds: 2, mode: "fast" }, full: { seeds: 5, mode: "slow" } },
  overrides: { seeds: seeds, mode: mode } });
nb.finish();`),
]);
/** beta: only seeds. */
const beta = notebook([params(), code('console.log(`beta ${profile} ${seeds}`);')]);

describe('bad --param values are rejected before any kernel starts', () => {
  const ws = workspace('input');
  beforeAll(() => {
    ws.write('alpha', alpha);
    ws.write('beta', beta);
  });
  afterAll(() => ws.cleanup());

  const nothingStarted = () => {
    expect(fs.existsSync(path.join(ws.dir, 'reports'))).toBe(false);
    expect(fs.existsSync(path.join(ws.dir, 'results'))).toBe(false);
    expect(kernelPids()).toEqual([]);
  };
  const alphaFile = () => path.join(ws.nbDir, 'alpha.ipynb');

  it('an unknown name: lists the notebook’s parameters', () => {
    const r = ws.cli(['reports', '--profile', 'smoke', '--only', 'alpha', '--param', 'sedes=3'], {
      RLMINI_TEST_MARKER: MARKER,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `rl-miniatures: ${alphaFile()}: unknown parameter "sedes" (--param sedes=3). ` +
        'Parameters of this notebook: profile, seeds, mode.',
    );
    nothingStarted();
  });

  it('a wrong type: names the declared type', () => {
    const r = ws.cli(['reports', '--profile', 'smoke', '--only', 'alpha', '--param', 'seeds="ten"']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `rl-miniatures: ${alphaFile()}: parameter "seeds" = "ten" has the wrong type; ` +
        'the parameters cell declares `seeds: number | null`.',
    );
    const s = ws.cli(['reports', '--profile', 'smoke', '--only', 'alpha', '--param', 'mode=medium']);
    expect(s.status).toBe(2);
    expect(s.stderr).toContain(
      'parameter "mode" = "medium" has the wrong type; the parameters cell declares `mode: "fast" | "slow"`.',
    );
    nothingStarted();
  });

  it('an out-of-range value: says what is allowed (from the notebook’s spec)', () => {
    for (const [v, shown] of [
      ['50', '50'],
      ['1', '1'],
      ['2.5', '2.5'],
    ]) {
      const r = ws.cli(['reports', '--profile', 'smoke', '--only', 'alpha', '--param', `seeds=${v}`]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(
        `rl-miniatures: ${alphaFile()}: parameter "seeds" = ${shown} is not allowed; expected an integer in [2, 20].`,
      );
    }
    nothingStarted();
  });

  it('a parameter one of the selected notebooks does not have', async () => {
    const r = ws.cli(['reports', '--profile', 'smoke', '--param', 'mode="slow"']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `rl-miniatures: ${path.join(ws.nbDir, 'beta.ipynb')}: unknown parameter "mode" (--param mode="slow"). ` +
        'Parameters of this notebook: profile, seeds.',
    );
    const ok = await cli(
      ws,
      ['reports', '--profile', 'smoke', '--no-figures', '--param', 'seeds=3', '--only', 'beta'],
      { RLMINI_TEST_MARKER: MARKER },
    );
    expect(ok.status, ok.out).toBe(0); // and a valid one goes through
    expect(kernelPids()).toEqual([]);
  });

  it(
    'a range only the kernel can check (spec built by code) ' + 'still fails in one line naming notebook and parameter',
    async () => {
      ws.write(
        'gamma',
        notebook([
          code('const profile: string = "smoke";\nconst n: number | null = null;', ['parameters']),
          code(`import * as rl from "../dist";
const mk = (max: number) => ({ n: { type: "int" as const, min: 1, max: max } });
const nb = rl.startNotebook({ id: "gamma", profile: profile as rl.Profile, spec: mk(5),
  defaults: { smoke: { n: 2 }, full: { n: 2 } }, overrides: { n: n } });`),
          code('nb.finish();'),
        ]),
      );
      const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures', '--only', 'gamma', '--param', 'n=0'], {
        RLMINI_TEST_MARKER: MARKER,
      });
      expect(r.status).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.includes('✗'));
      expect(lines).toEqual([
        '  ✗ notebooks/gamma.ipynb, code cell 2: ParameterError: gamma.ipynb: parameter "n" = 0 is not allowed; ' +
          'expected an integer in [1, 5].',
      ]);
      // No work done: no record, no summary (the runner's lock file is gone too; only its folder stays).
      const dir = path.join(ws.dir, 'results', 'gamma', 'smoke');
      expect(fs.existsSync(path.join(dir, 'records'))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(false);
      expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
      expect(kernelPids()).toEqual([]);
    },
  );
});

describe('a broken environment: one message, non-zero exit, finished work stays', () => {
  const ws = workspace('env');
  afterAll(() => ws.cleanup());

  it('a missing kernel (tslab not installed) stops before any notebook, and the earlier reports stay', () => {
    ws.write('beta', beta);
    fs.mkdirSync(path.join(ws.dir, 'reports', 'smoke'), { recursive: true });
    fs.writeFileSync(path.join(ws.dir, 'reports', 'smoke', 'index.html'), 'earlier build');
    const r = ws.cli(['reports', '--profile', 'smoke'], {
      RLMINI_TSLAB: path.join(ws.dir, 'no-tslab-here'),
      RLMINI_TEST_MARKER: MARKER,
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe(
      `rl-miniatures: The tslab kernel is missing (${path.join(ws.dir, 'no-tslab-here', 'bin', 'tslab')} not found, ` +
        `from RLMINI_TSLAB=${path.join(ws.dir, 'no-tslab-here')}). ` +
        `Run \`npm ci\` in ${ROOT} or fix RLMINI_TSLAB; no notebook was run.`,
    );
    expect(fs.readFileSync(path.join(ws.dir, 'reports', 'smoke', 'index.html'), 'utf8')).toBe('earlier build');
    expect(fs.existsSync(path.join(ws.dir, 'results'))).toBe(false);
    // The same through a root without node_modules/tslab (how a broken install looks).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-noroot-'));
    fs.symlinkSync(path.join(ROOT, 'src'), path.join(root, 'src'));
    const r2 = ws.cli(['reports', '--profile', 'smoke'], { RLMINI_ROOT: root });
    expect(r2.status).toBe(3);
    expect(r2.stderr.trim()).toBe(
      `rl-miniatures: The tslab kernel is missing (${path.join(root, 'node_modules', 'tslab', 'bin', 'tslab')} ` +
        `not found, from ${root}). Run \`npm ci\` in ${root}; no notebook was run.`,
    );
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a missing Jupyter for `kernel`: one message, exit 3, nothing registered', () => {
    const data = path.join(ws.dir, 'jupyter');
    const r = ws.cli(['kernel'], { RLMINI_JUPYTER: path.join(ws.dir, 'no-jupyter'), JUPYTER_DATA_DIR: data });
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        /^rl-miniatures: Jupyter is not installed \(RLMINI_JUPYTER=.*no-jupyter is not an executable\); /.source +
          /`npm run kernel` \(registering the tslab kernel with Jupyter\) needs it\. /.source +
          /Install it with `sudo apt-get install -y /.source +
          /jupyter-notebook python3-nbclient python3-nbconvert python3-ipykernel chromium`/.source,
      ),
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(data)).toBe(false);
  });

  it('malformed notebooks are named with what is wrong; the good one still runs', async () => {
    ws.write('m-truncated', JSON.stringify(beta).slice(0, 60));
    ws.write('m-nocells', JSON.stringify({ metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    ws.write('m-badcell', JSON.stringify(notebook([{ source: 'x', metadata: {} }])));
    ws.write('m-nbformat3', JSON.stringify({ ...beta, nbformat: 3 }));
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
    expect(r.status).toBe(1);
    expect(r.out).toMatch(
      new RegExp(
        /✗ notebooks\/m-truncated\.ipynb: .*m-truncated\.ipynb: not valid JSON \(.*\)\. /.source +
          /Open it in Jupyter or restore it with `git checkout -- /.source,
      ),
    );
    expect(r.out).toMatch(/✗ notebooks\/m-nocells\.ipynb: .*not a Jupyter notebook \(no "cells" array\)/);
    expect(r.out).toMatch(/✗ notebooks\/m-badcell\.ipynb: .*cell 1 has no valid cell_type/);
    expect(r.out).toMatch(/✗ notebooks\/m-nbformat3\.ipynb: .*nbformat 3 is not supported/);
    expect(r.out).toMatch(/notebooks: 5 \(5 executed, 0 unchanged\), 4 failed/);
    const good = JSON.parse(fs.readFileSync(path.join(ws.dir, 'reports', 'notebooks', 'smoke', 'beta.ipynb'), 'utf8'));
    expect(good.metadata.rlmini.status).toBe('ok');
    expect(kernelPids()).toEqual([]);
  });
});

describe.skipIf(!canMountTmpfs())('a full disk (results on a 96 KiB tmpfs)', () => {
  const ws = workspace('enospc');
  const mnt = path.join(ws.dir, 'results');
  beforeAll(() => {
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mnt]);
  });
  afterAll(() => {
    spawnSync('umount', [mnt]);
    ws.cleanup();
  });

  it('fails the notebook with one line saying the disk is full; the records written before stay intact', async () => {
    // Each record holds ~1500 numbers (~35 KB): the third one no longer fits.
    ws.write(
      'fill',
      notebook([
        params(),
        code(`import * as rl from "../dist";
const nb = rl.startNotebook({ id: "fill", profile: profile as rl.Profile,
  spec: { seeds: { type: "int", min: 1, max: 20 } },
  defaults: { smoke: { seeds: 6 }, full: { seeds: 6 } }, overrides: { seeds: seeds } });`),
        code(`for (const s of nb.seeds) {
  await nb.run({ method: "noise", seed: s, config: { n: 1500 } }, (rng) => ({ metrics: { s: s },
    series: { xs: Array.from(rng.normals(1500)) } }));
}`),
        code('nb.finish();'),
      ]),
    );
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('✗'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^  ✗ notebooks/fill\\.ipynb, code cell 3: WriteError: Disk full while writing ` +
          `${mnt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/fill/smoke/records/` +
          `noise\\.seed\\d\\.[0-9a-f]+\\.json(\\.gz)? ` +
          '\\(ENOSPC\\): free some space and re-run; finished records are kept\\.$',
      ),
    );
    const dir = path.join(mnt, 'fill', 'smoke', 'records');
    const files = fs.readdirSync(dir);
    expect(files.filter((f) => /\.tmp-/.test(f))).toEqual([]); // the failed write left nothing behind
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) expect(readRecord(path.join(dir, f)).ok, f).toBe(true);
    // The executed notebook (on another disk) was still saved, with the error.
    const out = JSON.parse(fs.readFileSync(path.join(ws.dir, 'reports', 'notebooks', 'smoke', 'fill.ipynb'), 'utf8'));
    expect(out.metadata.rlmini.error).toMatch(/Disk full/);
    expect(kernelPids()).toEqual([]);
  });
});
