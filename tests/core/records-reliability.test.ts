/**
 * Reliability of the parts that write and check: atomic writes under a full disk (ENOSPC injected
 * into fs.writeSync), detection of truncated / edited records, clean-up of temp files of killed
 * writers, `--param` checks against the parameters cell and the literal spec, tool lookup messages,
 * and the pieces of `verify` (sampling, diffs, task lookup).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  keyPartsOf,
  readRecord,
  recordFileName,
  recordKey,
  removeStaleTempFiles,
  writeFileAtomic,
  writeRecord,
  WriteError,
  type RunRecord,
} from '../../src/core/records';
import {
  checkParameterOverrides,
  declaredProfiles,
  extractSpecs,
  fitsDeclaredType,
  parseParametersCell,
} from '../../src/runner/params-check';
import { requireChromium, requireJupyter, ToolMissingError } from '../../src/runner/tools';
import { diffResult, sampleOf, tasksFromNotebook } from '../../src/runner/verify';
import { ROOT, code, notebook } from '../helpers';
import type { Notebook } from '../../src/core/ipynb';

// fs.writeSync fails with this code while set (the disk-full injection); otherwise the real one.
const inject = vi.hoisted(() => ({ code: null as string | null, after: 0 }));
vi.mock('fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('fs')>();
  const writeSync = (...args: unknown[]) => {
    if (inject.code) {
      if (inject.after > 0) {
        inject.after--;
      } else {
        throw Object.assign(new Error(`${inject.code}: injected`), { code: inject.code });
      }
    }
    return (real.writeSync as (...a: unknown[]) => number)(...args);
  };
  return { ...real, default: { ...real, writeSync }, writeSync };
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-rel-'));
afterEach(() => {
  inject.code = null;
  inject.after = 0;
});

/** A record whose key is the key of its contents (readRecord checks that binding). */
function sampleRecord(): Omit<RunRecord, 'checksum'> {
  const r = rawRecord();
  return { ...r, key: recordKey(keyPartsOf(r as RunRecord)) };
}
/** Plain-JSON file name of the sample record in `d` (the `.json.gz` form is tested in core). */
function recFile(d: string): string {
  const r = sampleRecord();
  return path.join(d, recordFileName(r.method, r.seed, r.key).replace(/\.gz$/, ''));
}

function rawRecord(): Omit<RunRecord, 'checksum'> {
  return {
    schema: 'rl-miniatures/run-record@1',
    key: 'k'.repeat(32),
    paper: 'p',
    method: 'm',
    config: { a: 1 },
    seed: 3,
    profile: 'smoke',
    metrics: { x: 0.1 + 0.2, y: -1 },
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
      cpus: 1,
      seed: 3,
      wallTimeMs: 5,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  };
}

describe('writeFileAtomic', () => {
  it('replaces the file completely and leaves no temp file', () => {
    const d = tmp();
    const f = path.join(d, 'sub', 'a.json');
    writeFileAtomic(f, 'first');
    writeFileAtomic(f, 'second, longer content');
    expect(fs.readFileSync(f, 'utf8')).toBe('second, longer content');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['a.json']);
  });

  it('on a full disk (ENOSPC) keeps the old file, removes its temp file and says what to do', () => {
    const d = tmp();
    const f = path.join(d, 'rec.json');
    writeFileAtomic(f, 'old complete content');
    inject.code = 'ENOSPC';
    let err: unknown;
    try {
      writeFileAtomic(f, 'x'.repeat(100_000));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WriteError);
    expect((err as WriteError).code).toBe('ENOSPC');
    expect((err as Error).message).toBe(
      `Disk full while writing ${f} (ENOSPC): free some space and re-run; finished records are kept.`,
    );
    expect(fs.readFileSync(f, 'utf8')).toBe('old complete content');
    expect(fs.readdirSync(d)).toEqual(['rec.json']);
  });

  it('a write that fails part-way (after a first chunk) leaves no partial file either', () => {
    const d = tmp();
    const f = path.join(d, 'new.json');
    inject.code = 'EDQUOT';
    inject.after = 0;
    expect(() => writeFileAtomic(f, 'abc')).toThrow(/Disk full while writing .*new\.json \(EDQUOT\)/);
    expect(fs.existsSync(f)).toBe(false);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a record write on a full disk fails loudly and the previous record stays valid', () => {
    const d = tmp();
    const f = recFile(d);
    const first = writeRecord(f, sampleRecord());
    inject.code = 'ENOSPC';
    expect(() => writeRecord(f, { ...sampleRecord(), metrics: { x: 2 } })).toThrow(/Disk full/);
    const back = readRecord(f);
    expect(back.ok && back.record.checksum).toBe(first.checksum);
  });
});

describe('readRecord detects damaged records', () => {
  it('accepts an intact record and rejects a truncated one, naming the file', () => {
    const d = tmp();
    const f = recFile(d);
    writeRecord(f, sampleRecord());
    expect(readRecord(f).ok).toBe(true);
    const text = fs.readFileSync(f, 'utf8');
    for (const cut of [1, Math.floor(text.length / 2), text.length - 3]) {
      fs.writeFileSync(f, text.slice(0, cut));
      const r = readRecord(f);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toMatch(
        new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt record \\(not valid JSON`),
      );
    }
  });

  it('rejects a hand edit that keeps the JSON valid (checksum), even of one digit', () => {
    const d = tmp();
    const f = recFile(d);
    writeRecord(f, sampleRecord());
    const text = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(f, text.replace('"y":-1', '"y":-2'));
    const r = readRecord(f);
    expect(!r.ok && r.reason).toBe(`${f}: checksum mismatch (file edited or damaged); it will be recomputed`);
    // Reformatting alone (same content) is not damage.
    fs.writeFileSync(f, JSON.stringify(JSON.parse(text), null, 2));
    expect(readRecord(f).ok).toBe(true);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes temp files of dead writers only', () => {
    const d = tmp();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    fs.writeFileSync(path.join(d, `a.json.tmp-${deadPid}-x1y2`), 'partial');
    fs.writeFileSync(path.join(d, `b.json.tmp-${process.pid}-abc`), 'in progress');
    fs.writeFileSync(path.join(d, 'c.json'), '{}');
    const removed = removeStaleTempFiles(d);
    expect(removed).toEqual([path.join(d, `a.json.tmp-${deadPid}-x1y2`)]);
    expect(fs.readdirSync(d).sort()).toEqual([`b.json.tmp-${process.pid}-abc`, 'c.json']);
  });
});

describe('--param checks before any kernel starts', () => {
  const cell = `const profile: string = "smoke";
const seeds: number | null = null;   // seeds
let tag: "a" | "b" = "a";
const sizes: number[] | null = null;
const label = "x";`;
  const nbFile = () => {
    const d = tmp();
    const f = path.join(d, 'demo.ipynb');
    fs.writeFileSync(
      f,
      JSON.stringify(
        notebook([
          code(cell, ['parameters']),
          code(`import * as rl from "../dist";
const SPEC = { sizes: { type: "int[]", min: 1, max: 9 } } as const;
const nb = rl.startNotebook({ id: "demo", profile: profile as rl.Profile,
  spec: { nSeeds: { type: "int", min: 2, max: 50 }, tag: { type: "string", oneOf: ["a", "b"] }, sizes: SPEC.sizes,
    other: { type: "number", min: someVar } },
  defaults: { smoke: { nSeeds: 2, tag: "a", sizes: [1], other: 1 },
    full: { nSeeds: 5, tag: "a", sizes: [1], other: 1 } },
  overrides: { nSeeds: seeds, tag: tag, sizes: sizes, other: null } });`),
        ]),
      ),
    );
    return f;
  };

  it('reads the parameters cell: names and declared types', () => {
    expect(parseParametersCell(cell)).toEqual([
      { name: 'profile', type: 'string' },
      { name: 'seeds', type: 'number | null' },
      { name: 'tag', type: '"a" | "b"' },
      { name: 'sizes', type: 'number[] | null' },
      { name: 'label', type: null },
    ]);
  });

  it('checks values against declared types', () => {
    expect(fitsDeclaredType('number | null', 3)).toBe(true);
    expect(fitsDeclaredType('number | null', null)).toBe(true);
    expect(fitsDeclaredType('number | null', '3')).toBe(false);
    expect(fitsDeclaredType('number[] | null', [1, 2])).toBe(true);
    expect(fitsDeclaredType('number[] | null', [1, 'x'])).toBe(false);
    expect(fitsDeclaredType('Array<number>', 1)).toBe(false);
    expect(fitsDeclaredType('"a" | "b"', 'b')).toBe(true);
    expect(fitsDeclaredType('"a" | "b"', 'c')).toBe(false);
    expect(fitsDeclaredType('boolean', 'true')).toBe(false);
    expect(fitsDeclaredType('SomeAlias', 1)).toBe(null); // beyond the check: left to the kernel
  });

  it('extracts literal specs, mapped to the parameters-cell variable they read', () => {
    const nb = JSON.parse(fs.readFileSync(nbFile(), 'utf8'));
    const specs = extractSpecs(nb);
    expect(specs.seeds).toEqual({ type: 'int', min: 2, max: 50 }); // spec name nSeeds, cell variable seeds
    expect(specs.tag).toEqual({ type: 'string', oneOf: ['a', 'b'] });
    expect(specs.sizes).toEqual({ type: 'int[]', min: 1, max: 9 }); // through a const
    expect(specs.other).toBeUndefined(); // not a literal: checked by startNotebook instead
  });

  it('reads the profiles a notebook declares from its startNotebook defaults, without running it', () => {
    const nbWith = (defaults: string, pre = '') =>
      notebook([
        code('const profile: string = "smoke";', ['parameters']),
        code(
          `${pre}const nb = rl.startNotebook({ id: 'x', profile: profile as rl.Profile, spec: {}, ` +
            `defaults: ${defaults} });`,
        ),
      ]) as unknown as Notebook;
    expect(declaredProfiles(nbWith('{ smoke: {}, full: {} }'))).toEqual(['smoke', 'full']);
    expect(declaredProfiles(nbWith("{ smoke: {}, full: {}, 'large': { seeds: 20 } }"))).toEqual([
      'smoke',
      'full',
      'large',
    ]);
    // Through a constant, and with a cast.
    expect(declaredProfiles(nbWith('D as never', 'const D = { smoke: {}, full: {}, large: {} };\n'))).toEqual([
      'smoke',
      'full',
      'large',
    ]);
    // Not readable without running the notebook: a spread, or a value computed at run time.
    expect(declaredProfiles(nbWith('{ ...base, large: {} }', 'const base = { smoke: {}, full: {} };\n'))).toBeNull();
    expect(declaredProfiles(nbWith('make()'))).toBeNull();
  });

  it(
    'rejects unknown names, wrong types and out-of-range values ' + 'naming notebook, parameter and what is allowed',
    () => {
      const f = nbFile();
      const check = (p: Record<string, unknown>) => () => checkParameterOverrides([f], p, 'smoke');
      expect(check({ sedes: 4 })).toThrow(
        `${f}: unknown parameter "sedes" (--param sedes=4). ` +
          'Parameters of this notebook: profile, seeds, tag, sizes, label.',
      );
      expect(check({ seeds: 'many' })).toThrow(
        `${f}: parameter "seeds" = "many" has the wrong type; the parameters cell declares \`seeds: number | null\`.`,
      );
      expect(check({ seeds: 1 })).toThrow(
        `${f}: parameter "seeds" = 1 is not allowed; expected an integer in [2, 50].`,
      );
      expect(check({ seeds: 51 })).toThrow(/parameter "seeds" = 51 is not allowed; expected an integer in \[2, 50\]/);
      expect(check({ seeds: 2.5 })).toThrow(/parameter "seeds" = 2\.5 is not allowed/);
      expect(check({ tag: 'c' })).toThrow(
        /parameter "tag" = "c" has the wrong type; the parameters cell declares `tag: "a" \| "b"`/,
      );
      expect(check({ sizes: [1, 10] })).toThrow(
        /parameter "sizes" = \[1,10\] is not allowed; expected an array of integers in \[1, 9\]/,
      );
      expect(check({ seeds: 50, tag: 'b', sizes: [3], label: 'free text' })).not.toThrow();
      expect(check({ seeds: null })).not.toThrow(); // null = the profile's default
    },
  );

  it('rejects any --param for a notebook without a parameters cell, and skips unreadable notebooks', () => {
    const d = tmp();
    const f = path.join(d, 'bare.ipynb');
    fs.writeFileSync(f, JSON.stringify(notebook([code('const x = 1;')])));
    const broken = path.join(d, 'broken.ipynb');
    fs.writeFileSync(broken, '{ not json');
    expect(() => checkParameterOverrides([broken, f], { x: 2 }, 'smoke')).toThrow(
      `${f}: has no cell tagged "parameters", so --param x cannot be applied to it. ` +
        'Select other notebooks with --only, or add a parameters cell.',
    );
    expect(() => checkParameterOverrides([broken], { x: 2 }, 'smoke')).not.toThrow();
  });
});

describe('missing programs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env.RLMINI_JUPYTER = saved.RLMINI_JUPYTER;
    process.env.RLMINI_CHROMIUM = saved.RLMINI_CHROMIUM;
    if (saved.RLMINI_JUPYTER === undefined) delete process.env.RLMINI_JUPYTER;
    if (saved.RLMINI_CHROMIUM === undefined) delete process.env.RLMINI_CHROMIUM;
  });

  it('Jupyter: one message saying what is missing, what needs it and how to install it', () => {
    process.env.RLMINI_JUPYTER = '/nonexistent/jupyter';
    expect(() => requireJupyter('`npm run kernel`')).toThrow(ToolMissingError);
    expect(() => requireJupyter('`npm run kernel`')).toThrow(
      new RegExp(
        /^Jupyter is not installed \(RLMINI_JUPYTER=\/nonexistent\/jupyter is not an executable\); /.source +
          /`npm run kernel` needs it\. Install it with `sudo apt-get install -y jupyter-notebook/.source,
      ),
    );
    process.env.RLMINI_JUPYTER = process.execPath; // any executable
    expect(requireJupyter('x')).toBe(process.execPath);
  });

  it('Chromium: the same', () => {
    process.env.RLMINI_CHROMIUM = '/nonexistent/chromium';
    expect(() => requireChromium('figure export')).toThrow(
      new RegExp(
        /^Chromium is not installed \(RLMINI_CHROMIUM=\/nonexistent\/chromium is not an executable\); /.source +
          /figure export needs it\. Install it with `sudo apt-get install -y .*chromium`/.source,
      ),
    );
  });
});

describe('verify helpers', () => {
  it('samples without replacement, reproducibly, in order', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = sampleOf(items, 5, 42);
    expect(a).toEqual(sampleOf(items, 5, 42));
    expect(new Set(a).size).toBe(5);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(sampleOf(items, 5, 43)).not.toEqual(a);
    expect(sampleOf(items, 50, 1)).toEqual(items);
  });

  it('diffResult finds a one-ulp change in a metric and in a series element, and nothing otherwise', () => {
    const rec = { ...sampleRecord(), checksum: '' } as RunRecord;
    expect(diffResult(rec, { metrics: { x: 0.1 + 0.2, y: -1 }, series: { s: [1, 2, 3] } }, 0)).toEqual([]);
    const ulp = 0.30000000000000004 + 5.551115123125783e-17;
    expect(ulp).not.toBe(0.1 + 0.2);
    const d = diffResult(rec, { metrics: { x: ulp, y: -1 }, series: { s: [1, 2.5, 3] } }, 0);
    expect(d[0]).toMatch(
      /^metrics\.x: committed 0\.30000000000000004, re-derived 0\.3000000000000001 \(Δ 5\.55e-17\)$/,
    );
    expect(d[1]).toBe('series.s: 1 of 3 values differ (first at [1]: committed 2, re-derived 2.5)');
    expect(diffResult(rec, { metrics: { x: ulp, y: -1 }, series: { s: [1, 2, 3] } }, 1e-12)).toEqual([]);
    expect(diffResult(rec, { metrics: { x: 0.1 + 0.2 }, series: { s: [1, 2, 3] } }, 0)).toEqual([
      'metrics.y: committed -1, re-derived absent',
    ]);
  });

  it('finds the task of each method in a notebook', () => {
    const m = tasksFromNotebook(path.join(ROOT, 'notebooks', 'starc.ipynb'));
    expect(m.get('all-metrics')).toBe('papers/starc/experiment#runSeed');
  });
});
