/** The headless runner on real notebooks through the real tslab kernel. */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, md, notebook, workspace, cliAsync as cli, kernelPidsFor } from '../helpers';

function kernelPids(): number[] {
  return kernelPidsFor(MARKER);
}

const MARKER = `runner-${process.pid}-${Date.now()}`;

describe('npm run reports (runner)', () => {
  const ws = workspace('runner');
  let first: { status: number | null; out: string };
  let kernelsBefore: number[];

  beforeAll(async () => {
    kernelsBefore = kernelPids();
    ws.write(
      'aa-ok',
      notebook([
        md('# ok'),
        code('const profile: string = "full";', ['parameters']),
        code('console.log(`profile=${profile}`);\nconst twice = (x: number) => 2 * x;'),
        code('console.log(`answer=${twice(21)}`);'),
      ]),
    );
    ws.write(
      'bb-throws',
      // Markdown cells between: errors count code cells ("code cell 2"), as the metadata does.
      notebook([
        md('# A title'),
        code('const a = 1;'),
        md('Some text.'),
        code('throw new Error("deliberate failure in cell two");'),
        code('console.log("never printed");'),
      ]),
    );
    ws.write('cc-broken', '{ "cells": [ this is not json');
    ws.write('dd-hangs', notebook([code('console.log("before");'), code('await new Promise(() => {});')]));
    first = await cli(ws, ['reports', '--profile', 'smoke', '--cell-timeout', '8', '--jobs', '2', '--no-figures'], {
      RLMINI_TEST_MARKER: MARKER,
    });
  }, 240_000);
  afterAll(() => ws.cleanup());

  it('exits non-zero and names notebook, cell and error for each failure', () => {
    expect(first.status).toBe(1);
    expect(first.out).toMatch(/bb-throws\.ipynb, code cell 2: Error: deliberate failure in cell two/);
    expect(first.out).toMatch(/cc-broken\.ipynb: .*not valid JSON/);
    expect(first.out).toMatch(/dd-hangs\.ipynb, code cell 2: CellTimeout: cell did not finish within 8 s/);
    expect(first.out).toMatch(/notebooks: 4 \(4 executed, 0 unchanged\), 3 failed, profile smoke/);
  });

  it('shuts every kernel down: after success, a failing cell and a timed-out cell, none remains', () => {
    expect(kernelsBefore).toEqual([]);
    expect(kernelPids()).toEqual([]);
    // …and not by the exit-time clean-up: each notebook shut its own kernel down.
    expect(first.out).not.toContain('kernel(s) still running after all notebooks finished');
  });

  it('still executes the good notebook, with injected parameters, and saves its outputs', () => {
    const out = JSON.parse(fs.readFileSync(path.join(ws.dir, 'reports', 'notebooks', 'smoke', 'aa-ok.ipynb'), 'utf8'));
    const texts = out.cells
      .flatMap((c: { outputs?: { text?: string }[] }) => (c.outputs ?? []).map((o) => o.text ?? ''))
      .join('');
    expect(texts).toContain('profile=smoke'); // injected cell overrides the parameters cell
    expect(texts).toContain('answer=42');
    expect(
      out.cells.some((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes('injected-parameters')),
    ).toBe(true);
    expect(out.metadata.rlmini.status).toBe('ok');
  });

  it('saves the failing notebook with its error and does not run later cells', () => {
    const out = JSON.parse(
      fs.readFileSync(path.join(ws.dir, 'reports', 'notebooks', 'smoke', 'bb-throws.ipynb'), 'utf8'),
    );
    expect(out.metadata.rlmini.status).toBe('error');
    expect(out.metadata.rlmini.failedCell).toBe(2);
    expect(out.metadata.rlmini.failedCellLabel).toBe('code cell 2');
    const last = out.cells[out.cells.length - 1];
    expect(last.outputs).toEqual([]);
    const failing = out.cells.find((c: { source: string }) => String(c.source).startsWith('throw'));
    expect(JSON.stringify(failing.outputs)).toContain('deliberate failure in cell two');
    // The error output carries the error's name and message (the kernel shim), not only stderr text.
    expect(failing.outputs).toContainEqual(
      expect.objectContaining({ output_type: 'error', ename: 'Error', evalue: 'deliberate failure in cell two' }),
    );
  });

  it('renders an index that lists the notebooks, including the failures', () => {
    const html = fs.readFileSync(path.join(ws.dir, 'reports', 'smoke', 'index.html'), 'utf8');
    expect(html).toContain('aa-ok');
    expect(html).toMatch(/bb-throws[\s\S]*run failed/);
  });

  it('re-running with nothing changed skips execution', async () => {
    ws.write('bb-throws', notebook([code('const a = 1;'), code('console.log("fixed");')]));
    fs.rmSync(path.join(ws.nbDir, 'cc-broken.ipynb'));
    fs.rmSync(path.join(ws.nbDir, 'dd-hangs.ipynb'));
    // aa-ok has no summary (it does not use startNotebook) so it re-runs; the fixed one now passes.
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures'], { RLMINI_TEST_MARKER: MARKER });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/2 executed/);
    expect(kernelPids()).toEqual([]);
  });

  it('rejects an unknown profile and an unknown paper id before any work', () => {
    const a = ws.cli(['reports', '--profile', 'huge']);
    expect(a.status).toBe(2);
    expect(a.out).toMatch(/unknown profile "huge"; allowed profiles: smoke, full/);
    const b = ws.cli(['reports', '--only', 'no-such-paper']);
    expect(b.status).toBe(2);
    expect(b.out).toMatch(/--only no-such-paper: unknown paper id\. Notebooks present: aa-ok, bb-throws/);
    const c = ws.cli(['reports', '--only', 'starc']);
    expect(c.out).toMatch(/--only starc: the paper is in the catalog but has no notebook yet/);
  });
});
