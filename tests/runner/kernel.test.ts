/**
 * The runner's kernel plumbing without a kernel: timeout limits, how a dead kernel is described, cell
 * numbering, the error a failed cell carries (kernel shim), save-error messages and the start-up
 * clean-up of kernel temp folders. (The same behaviours through the real kernel:
 * tests/integration/kernel-integrity.test.ts, tests/integration/jupyter.test.ts.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReportsArgs } from '../../src/cli/main';
import { codeCellLabel, saveErrorMessage } from '../../src/runner/execute';
import { cellTimeoutMs, describeExit, MAX_TIMEOUT_MS, removeStaleKernelDirs } from '../../src/runner/kernel';
import { errorFromConsoleArgs } from '../../src/runner/kernel-shim';
import type { Notebook } from '../../src/core/ipynb';
import { code, md, notebook } from '../helpers';

describe('cell timeout limits', () => {
  it('accepts positive seconds up to 2^31 - 1 ms and rejects the rest with what is allowed', () => {
    expect(cellTimeoutMs(900)).toBe(900_000);
    expect(cellTimeoutMs(0.0001)).toBe(1);
    expect(cellTimeoutMs(2147483)).toBe(2147483000);
    expect(cellTimeoutMs(MAX_TIMEOUT_MS / 1000)).toBe(MAX_TIMEOUT_MS);
    for (const bad of [0, -1, NaN]) expect(() => cellTimeoutMs(bad)).toThrow(/must be a positive number of seconds/);
    for (const bad of [2147484, 3e6, Infinity])
      expect(() => cellTimeoutMs(bad)).toThrow(/is too long: at most 2147483 seconds/);
  });

  it('the CLI refuses a timeout Node cannot set (it would fire after 1 ms) as a usage error', () => {
    expect(parseReportsArgs(['--cell-timeout', '2147483']).cellTimeoutS).toBe(2147483);
    expect(() => parseReportsArgs(['--cell-timeout', '3000000'])).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/at most 2147483 seconds/) }),
    );
    expect(() => parseReportsArgs(['--cell-timeout', 'soon'])).toThrow(
      expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/got "soon"/) }),
    );
  });
});

describe('how a kernel ended', () => {
  it('names the signal (with the usual cause of SIGKILL) or the exit code', () => {
    expect(describeExit(null, 'SIGKILL')).toMatch(/^was killed by signal SIGKILL \(.*out-of-memory/);
    expect(describeExit(null, 'SIGSEGV')).toBe('was killed by signal SIGSEGV (a crash in native code)');
    expect(describeExit(3, null)).toBe('exited with code 3');
  });
});

describe('cell numbering: code cells, the injected parameters cell not counted', () => {
  const nb = notebook([
    md('# title'),
    code('const profile = "full";', ['parameters']),
    code('// injected', ['injected-parameters']),
    md('text'),
    code('a()'),
    code('b()'),
  ]) as unknown as Notebook;
  it('labels each cell as a user finds it', () => {
    expect(codeCellLabel(nb, 1)).toEqual({ number: 1, label: 'code cell 1' });
    expect(codeCellLabel(nb, 2)).toEqual({ number: null, label: 'injected parameters cell (after code cell 1)' });
    expect(codeCellLabel(nb, 4)).toEqual({ number: 2, label: 'code cell 2' });
    expect(codeCellLabel(nb, 5)).toEqual({ number: 3, label: 'code cell 3' });
  });
});

describe('the error a failed cell carries (kernel shim)', () => {
  it('a thrown Error gives its name, message and stack', () => {
    const e = new RangeError('deliberate failure');
    const got = errorFromConsoleArgs([e], null);
    expect(got.ename).toBe('RangeError');
    expect(got.evalue).toBe('deliberate failure');
    expect(got.traceback[0]).toBe('RangeError: deliberate failure');
  });
  it('a thrown non-Error gives Error and the value', () => {
    expect(errorFromConsoleArgs(['plain'], null)).toEqual({
      ename: 'Error',
      evalue: 'Uncaught plain',
      traceback: ['Uncaught plain'],
    });
    expect(errorFromConsoleArgs([42], null).evalue).toBe('Uncaught 42');
  });
  it('TypeScript diagnostics give CompileError, the first one and the count of the others', () => {
    const one = errorFromConsoleArgs(['%s%d:%d - %s', '', 1, 7, "Cannot find name 'x'."], null);
    expect(one).toEqual({ ename: 'CompileError', evalue: "1:7 - Cannot find name 'x'.", traceback: [one.evalue] });
    const two = errorFromConsoleArgs(['%s%d:%d - %s', '', 2, 1, "Cannot find name 'y'."], one);
    expect(two.evalue).toBe("1:7 - Cannot find name 'x'. (and 1 more)");
    expect(two.traceback).toHaveLength(2);
  });
});

describe('saving the executed notebook fails: the message says why and what to do', () => {
  const file = path.join(os.tmpdir(), 'nowhere', 'reports', 'notebooks', 'x.ipynb');
  const err = (code: string) => Object.assign(new Error(`${code}: raw`), { code }) as NodeJS.ErrnoException;
  it('disk full, read-only, permission denied', () => {
    expect(saveErrorMessage(file, err('ENOSPC'))).toBe(
      `could not save the executed notebook ${file}: the disk is full (ENOSPC). Free some space and re-run; ` +
        "the run's records are kept, so re-running reuses them.",
    );
    expect(saveErrorMessage(file, err('EROFS'))).toMatch(
      /the file system is read-only \(EROFS\)\. Point RLMINI_REPORTS_DIR at a writable directory/,
    );
    expect(saveErrorMessage(file, err('EACCES'))).toMatch(
      /: permission denied \(EACCES\)\. Check the owner and permissions of .*reports\/notebooks/,
    );
  });
});

describe('stale kernel temp folders', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-stale-test-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const plant = (name: string, owner: object | null, ageMs = 0) => {
    const d = path.join(tmp, `rlmini-kernel-${name}`);
    fs.mkdirSync(d);
    if (owner) fs.writeFileSync(path.join(d, 'owner.json'), JSON.stringify(owner));
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(d, t, t);
    return d;
  };

  it('removes those whose processes are gone (or old and unused), keeps live and fresh ones', () => {
    const gone = 2 ** 22 + 777;
    const dead = plant('dead', { runner: gone, kernel: gone + 1, host: os.hostname() });
    const kernelAlive = plant('kernel-alive', { runner: gone, kernel: process.pid, host: os.hostname() });
    const live = plant('live', { runner: process.pid, kernel: null, host: os.hostname() });
    const otherHost = plant('other-host', { runner: gone, kernel: gone, host: `not-${os.hostname()}` });
    const old = plant('old', null, 3_600_000);
    const fresh = plant('fresh', null);
    fs.writeFileSync(path.join(tmp, 'rlmini-kernel-file'), 'not a folder');
    fs.mkdirSync(path.join(tmp, 'other-folder'));
    expect(removeStaleKernelDirs(tmp).sort()).toEqual([dead, old].sort());
    for (const d of [kernelAlive, live, otherHost, fresh]) expect(fs.existsSync(d), d).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'rlmini-kernel-file'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'other-folder'))).toBe(true);
  });
});
