import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashValue } from '../../src/core/hash';
import { notebookCodeHash, readNotebook } from '../../src/core/ipynb';
import { parseOverride, resolveParameters } from '../../src/core/params';
import { keyPartsOf, readRecord, recordFileName, recordKey, writeRecord, type RunRecord } from '../../src/core/records';
import { forcedBackend } from '../../src/core/backend';
import { injectParameters, injectedSource, shadowedParameters } from '../../src/runner/execute';
import { code, notebook } from '../helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-core-'));

describe('hashing and record keys', () => {
  it('canonical JSON ignores key order and typed-array type', () => {
    expect(canonicalJson({ b: 1, a: [1, 2] })).toBe(canonicalJson({ a: new Float64Array([1, 2]), b: 1 }));
    expect(hashValue({ x: 1 })).not.toBe(hashValue({ x: 2 }));
  });
  it('the record key changes with every input that determines a record', () => {
    const base = {
      paper: 'p',
      method: 'm',
      config: { n: 1 },
      seed: 0,
      profile: 'smoke' as const,
      notebookHash: 'n',
      codeHash: 'l',
      code: {},
      backend: 'wasm',
    };
    const k = recordKey(base);
    for (const change of [
      { paper: 'q' },
      { method: 'x' },
      { config: { n: 2 } },
      { seed: 1 },
      { profile: 'full' as const },
      { notebookHash: 'n2' },
      { codeHash: 'l2' },
      { backend: 'cpu' },
    ]) {
      expect(recordKey({ ...base, ...change })).not.toBe(k);
    }
    expect(recordKey({ ...base, config: { n: 1 } })).toBe(k);
  });
});

describe('run records', () => {
  const rec = (): Omit<RunRecord, 'checksum'> => ({
    schema: 'rl-miniatures/run-record@1',
    key: 'k',
    paper: 'p',
    method: 'm',
    config: {},
    seed: 3,
    profile: 'smoke',
    metrics: { a: 1.5, nan: NaN },
    series: { s: [1, 2, 3] },
    provenance: {
      kitVersion: '0',
      commit: 'c',
      dirty: false,
      notebookHash: 'n',
      codeHash: 'l',
      code: {},
      backend: 'typed-arrays',
      backendPackage: null,
      node: 'v20',
      packages: {},
      platform: 'x',
      cpus: 2,
      seed: 3,
      wallTimeMs: 1,
      createdAt: 'now',
    },
  });
  const keyed = (): Omit<RunRecord, 'checksum'> => {
    const r = rec();
    return { ...r, key: recordKey(keyPartsOf(r as RunRecord)) };
  };
  it('round-trips (gzip JSON), and detects truncation and hand edits', () => {
    const dir = tmp();
    const r0 = keyed();
    const name = recordFileName(r0.method, r0.seed, r0.key);
    expect(name).toMatch(/^m\.seed3\.[0-9a-f]{32}\.json\.gz$/);
    const f = path.join(dir, name);
    writeRecord(f, r0);
    const ok = readRecord(f);
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.record.metrics.a).toBe(1.5);
    expect(ok.ok && ok.record.metrics.nan).toBe(null);
    expect(fs.readdirSync(dir)).toEqual([name]); // no temp files left behind
    const raw = fs.readFileSync(f);
    expect(raw[0]).toBe(0x1f); // gzip magic
    const text = zlib.gunzipSync(raw).toString('utf8');
    fs.writeFileSync(f, raw.subarray(0, raw.length / 2));
    const trunc = readRecord(f);
    expect(trunc.ok).toBe(false);
    expect(!trunc.ok && trunc.reason).toMatch(/corrupt record \(not valid JSON/);
    fs.writeFileSync(f, zlib.gzipSync(text.replace('"a":1.5', '"a":2.5')));
    const edited = readRecord(f);
    expect(!edited.ok && edited.reason).toMatch(/checksum mismatch/);
    expect(readRecord(path.join(dir, 'missing.json'))).toMatchObject({ ok: false, missing: true });
  });
  it('is bound to its file name and key: a copy over another seed, or a forged checksum, is rejected', () => {
    const dir = tmp();
    const r3 = keyed();
    const f3 = path.join(dir, recordFileName(r3.method, r3.seed, r3.key));
    writeRecord(f3, r3);
    // Seed 4's record, then seed 3's file copied over it: the checksum is intact, the binding is not.
    const r4raw = { ...rec(), seed: 4 };
    const r4 = { ...r4raw, key: recordKey(keyPartsOf(r4raw as RunRecord)) };
    const f4 = path.join(dir, recordFileName(r4.method, r4.seed, r4.key));
    writeRecord(f4, r4);
    expect(readRecord(f4).ok).toBe(true);
    fs.copyFileSync(f3, f4);
    const copied = readRecord(f4);
    expect(copied.ok).toBe(false);
    expect(!copied.ok && copied.reason).toMatch(/not what its file name says/);
    // Wrong numbers with a recomputed checksum keep the checksum valid but not the key: config edited.
    const forged = { ...r3, config: { n: 99 } };
    writeRecord(f3, forged); // writeRecord computes a fresh, valid checksum
    const back = readRecord(f3);
    expect(back.ok).toBe(false);
    expect(!back.ok && back.reason).toMatch(/does not match the key recomputed from its contents/);
  });
});

describe('parameters', () => {
  const spec = { seeds: { type: 'int' as const, min: 2, max: 100 }, lr: { type: 'number' as const, min: 0 } };
  const defaults = { smoke: { seeds: 3, lr: 0.1 }, full: { seeds: 10, lr: 0.1 } };
  it('fills defaults from the profile and applies overrides; null means default', () => {
    expect(resolveParameters({ notebook: 'nb', profile: 'full', spec, defaults, overrides: { seeds: null } })).toEqual({
      seeds: 10,
      lr: 0.1,
    });
    expect(resolveParameters({ notebook: 'nb', profile: 'smoke', spec, defaults, overrides: { seeds: 5 } }).seeds).toBe(
      5,
    );
  });
  it(
    'rejects unknown names, wrong types, out-of-range values and unknown profiles, ' + 'naming notebook and parameter',
    () => {
      expect(() =>
        resolveParameters({ notebook: 'notebooks/x.ipynb', profile: 'full', spec, defaults, overrides: { sedes: 3 } }),
      ).toThrow(/notebooks\/x\.ipynb: unknown parameter "sedes"\. Known parameters: profile, seeds, lr/);
      expect(() =>
        resolveParameters({ notebook: 'nb', profile: 'full', spec, defaults, overrides: { seeds: 2.5 } }),
      ).toThrow(/parameter "seeds" = 2\.5 is not allowed; expected an integer in \[2, 100\]/);
      expect(() =>
        resolveParameters({ notebook: 'nb', profile: 'full', spec, defaults, overrides: { seeds: 'ten' } }),
      ).toThrow(/"seeds" = "ten" is not allowed/);
      expect(() =>
        resolveParameters({ notebook: 'nb', profile: 'full', spec, defaults, overrides: { lr: -1 } }),
      ).toThrow(/"lr" = -1 is not allowed; expected a number in \[0, ∞\]/);
      expect(() => resolveParameters({ notebook: 'nb', profile: 'big' as never, spec, defaults })).toThrow(
        /unknown profile "big"; allowed profiles: smoke, full, large/,
      );
    },
  );
  it("the optional large profile: its defaults where declared, else an error naming the notebook's profiles", () => {
    const large = { ...defaults, large: { seeds: 40, lr: 0.05 } };
    expect(resolveParameters({ notebook: 'nb', profile: 'large', spec, defaults: large })).toEqual({
      seeds: 40,
      lr: 0.05,
    });
    expect(() => resolveParameters({ notebook: 'notebooks/y.ipynb', profile: 'large', spec, defaults })).toThrow(
      'notebooks/y.ipynb: this notebook declares no "large" profile (it has: smoke, full)',
    );
  });
  it('parses CLI overrides as JSON with a string fallback', () => {
    expect(parseOverride('seeds=5')).toEqual(['seeds', 5]);
    expect(parseOverride('xs=[1,2]')).toEqual(['xs', [1, 2]]);
    expect(parseOverride('name=abc')).toEqual(['name', 'abc']);
    expect(() => parseOverride('novalue')).toThrow(/expected name=value/);
  });
});

describe('notebooks', () => {
  it('reports invalid JSON and wrong formats with the file name and a fix', () => {
    const dir = tmp();
    const bad = path.join(dir, 'bad.ipynb');
    fs.writeFileSync(bad, '{"cells": [');
    expect(() => readNotebook(bad)).toThrow(new RegExp(`${bad}: not valid JSON .*git checkout`));
    fs.writeFileSync(bad, JSON.stringify({ cells: [], nbformat: 3 }));
    expect(() => readNotebook(bad)).toThrow(/nbformat 3 is not supported/);
  });
  it('injects parameters after the parameters cell, replacing an earlier injection', () => {
    const nb = notebook([code('a'), code('const profile = "smoke";', ['parameters']), code('b')]) as never;
    const once = injectParameters(nb, { profile: 'full' }).nb;
    const twice = injectParameters(once, { profile: 'smoke', seeds: 4 }).nb;
    expect(twice.cells.length).toBe(4);
    expect(twice.cells[2].metadata.tags).toEqual(['injected-parameters']);
    expect(twice.cells[2].source).toContain('const profile = "smoke" as const;');
    expect(twice.cells[2].source).toContain('const seeds = 4 as const;');
    expect(() => injectedSource({ 'bad name': 1 })).toThrow(/not a valid identifier/);
  });
  it('refuses a notebook whose profile is declared outside a parameters cell (it would ignore --profile)', () => {
    const untagged = notebook([code('const profile: string = "smoke";'), code('run(profile)')]) as never;
    expect(shadowedParameters(untagged, { profile: 'full' }, 'notebooks/x.ipynb')).toMatch(
      /notebooks\/x\.ipynb: declares profile in a code cell that is not tagged "parameters".*"full".*Tag that cell/,
    );
    const tagged = notebook([code('const profile: string = "smoke";', ['parameters'])]) as never;
    expect(shadowedParameters(tagged, { profile: 'full' }, 'x')).toBeNull();
    // nothing injected, or nothing declared that an injection could collide with: nothing to refuse
    expect(shadowedParameters(untagged, {}, 'x')).toBeNull();
    expect(shadowedParameters(notebook([code('run()')]) as never, { profile: 'full' }, 'x')).toBeNull();
  });
  it('the code hash ignores outputs, markdown and the parameters cells', () => {
    const a = notebook([code('const profile = "smoke";', ['parameters']), code('x()')]) as never;
    const b = notebook([
      code('const profile = "full";', ['parameters']),
      { ...code('x()'), outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi' }] },
    ]) as never;
    const c = notebook([code('const profile = "smoke";', ['parameters']), code('y()')]) as never;
    expect(notebookCodeHash(a)).toBe(notebookCodeHash(b));
    expect(notebookCodeHash(a)).not.toBe(notebookCodeHash(c));
  });
});

describe('backend selection', () => {
  it('accepts the documented overrides and rejects others with the list', () => {
    expect(forcedBackend({ RLMINI_BACKEND: 'wasm' })).toBe('wasm');
    expect(forcedBackend({})).toBeNull();
    expect(() => forcedBackend({ RLMINI_BACKEND: 'gpu' })).toThrow(
      /RLMINI_BACKEND=gpu is not a backend\. Use one of: tensorflow-gpu, tensorflow, wasm, cpu/,
    );
  });
});

describe('library hash scope', () => {
  it('covers the code that computes numbers and not the plumbing that shows them', async () => {
    const { isResultCode } = await import('../../src/core/provenance');
    for (const f of [
      'testbeds/tabular/mdp.js',
      'stats/bootstrap.js',
      'core/rng.js',
      'core/tasks.js',
      'core/params.js',
      'core/backend.js',
      'nn/gru-lm.js',
      'nn/wasm.js',
    ])
      expect(isResultCode(f)).toBe(true);
    for (const f of [
      'core/notebook.js',
      'core/display.js',
      'report/build.js',
      'runner/kernel.js',
      'cli/main.js',
      'nn/bench.js',
      'stats/bootstrap.d.ts',
      'stats/bootstrap.js.map',
    ])
      expect(isResultCode(f)).toBe(false);
  });
});
