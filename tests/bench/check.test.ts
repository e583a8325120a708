import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  BenchUsageError,
  compareToBaseline,
  formatCheck,
  makeBaseline,
  parseBaseline,
  parseBenchArgs,
  type Baseline,
} from '../../src/bench/check';
import type { BenchReport, BenchRow, MachineInfo } from '../../src/bench/types';
import { attachRatios, orderRows } from '../../src/bench/workload';
import { CLI } from '../helpers';

const machine: MachineInfo = {
  node: 'v20',
  platform: 'linux x64',
  cpu: 'Test CPU',
  cores: 2,
  backend: 'wasm',
  python: '3.11',
  numpy: '1.24',
  torch: null,
  referenceThreads: 1,
};

function row(id: string, ms: number, side: BenchRow['side'] = 'kit', extra: Partial<BenchRow> = {}): BenchRow {
  return {
    id,
    workload: id.split('/')[0],
    impl: `impl ${id}`,
    side,
    ms,
    unit: 'per run',
    backend: 'typed-arrays',
    threads: 1,
    detail: '',
    ...extra,
  };
}

function baseline(rows: Record<string, number>, tolerance = 1.5): Baseline {
  return {
    created: '2024-01-01',
    machine,
    tolerance,
    rows: Object.fromEntries(Object.entries(rows).map(([id, ms]) => [id, { ms, workload: 'w', impl: 'i' }])),
  };
}

describe('bench arguments', () => {
  it('parses every flag, inline values included', () => {
    const a = parseBenchArgs([
      '--quick',
      '--only',
      'vi,mlp',
      '--no-reference',
      '--check',
      '--tolerance=2',
      '--baseline',
      'b.json',
      '--seed-steps=596',
    ]);
    expect(a).toEqual({
      quick: true,
      only: ['vi', 'mlp'],
      reference: false,
      check: true,
      updateBaseline: false,
      tolerance: 2,
      baseline: 'b.json',
      seedSteps: 596,
    });
    expect(parseBenchArgs([])).toMatchObject({
      quick: false,
      only: [],
      reference: true,
      check: false,
      tolerance: null,
      seedSteps: null,
    });
  });

  it(
    'rejects an unknown flag, an unknown workload, a bad tolerance, a missing value ' +
      'and --check with --update-baseline',
    () => {
      expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option --fast[\s\S]*usage: npm run bench/);
      expect(() => parseBenchArgs(['--only', 'vi,lstm'])).toThrow(
        /--only lstm: unknown workload\. Workloads: vi, bootstrap, pref, mlp, gru, scaling, stats, notebooks/,
      );
      expect(() => parseBenchArgs(['--tolerance', '0.9'])).toThrow(/--tolerance 0\.9: must be a number > 1/);
      expect(() => parseBenchArgs(['--tolerance', 'abc'])).toThrow(/must be a number > 1/);
      expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs a value/);
      expect(() => parseBenchArgs(['--baseline', '--check'])).toThrow(/--baseline needs a value/);
      expect(() => parseBenchArgs(['--check', '--update-baseline'])).toThrow(/exclude each other/);
      expect(() => parseBenchArgs(['--seed-steps', '1'])).toThrow(/--seed-steps 1: must be an integer ≥ 2/);
      expect(() => parseBenchArgs(['--seed-steps', '8.5'])).toThrow(/must be an integer ≥ 2/);
      try {
        parseBenchArgs(['--nope']);
      } catch (e) {
        expect(e).toBeInstanceOf(BenchUsageError);
        expect((e as Error).name).toBe('UsageError');
      }
    },
  );

  it('the CLI exits with status 2 and the usage on an unknown flag, before running anything', () => {
    const r = spawnSync(process.execPath, [CLI, 'bench', '--frobnicate'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --frobnicate/);
    expect(r.stderr).toMatch(/--update-baseline/);
    expect(r.stdout).not.toMatch(/value iteration/);
  });
});

describe('bench regression check', () => {
  it('flags exactly the kit rows slower than tolerance × baseline, with the factor', () => {
    const rows = [row('vi/kit', 10), row('mlp/kit', 16), row('gru/kit', 29.9), row('mlp/torch', 100, 'reference')];
    const c = compareToBaseline(rows, baseline({ 'vi/kit': 10, 'mlp/kit': 10, 'gru/kit': 20 }), 1.5);
    expect(c.ok).toBe(false);
    expect(c.regressions.map((f) => f.id)).toEqual(['mlp/kit']);
    expect(c.regressions[0].factor).toBeCloseTo(1.6, 12);
    expect(c.passed.map((f) => f.id).sort()).toEqual(['gru/kit', 'vi/kit']);
    // At the boundary: 1.5× exactly passes, just above fails.
    expect(compareToBaseline([row('a/kit', 15)], baseline({ 'a/kit': 10 }), 1.5).ok).toBe(true);
    expect(compareToBaseline([row('a/kit', 15.001)], baseline({ 'a/kit': 10 }), 1.5).ok).toBe(false);
  });

  it('ignores reference rows, reports rows not run and rows without a baseline, and fails on a failed row', () => {
    const c = compareToBaseline(
      [row('vi/kit', 1), row('new/kit', 5), row('ref/x', 1000, 'reference'), row('gru/kit', NaN)],
      baseline({ 'vi/kit': 1, 'ref/x': 1, 'notebooks/smoke': 9e4, 'gru/kit': 2 }),
      1.5,
    );
    expect(c.notRun).toEqual(['ref/x', 'notebooks/smoke']); // a reference row is never compared
    expect(c.unbaselined).toEqual(['new/kit']);
    expect(c.failed).toEqual(['gru/kit']);
    expect(c.ok).toBe(false);
    const ok = compareToBaseline([row('vi/kit', 1)], baseline({ 'vi/kit': 1, 'notebooks/smoke': 9e4 }), 1.5);
    expect(ok.ok).toBe(true); // skipped by --quick: not a failure
  });

  it('says which row, by how much, and how to refresh the baseline', () => {
    const c = compareToBaseline([row('mlp/kit', 20)], baseline({ 'mlp/kit': 10 }), 1.5);
    const text = formatCheck(c, 'bench/baseline.json', machine, { ...machine, cpu: 'Other CPU' }).join('\n');
    expect(text).toMatch(
      /✗ mlp\/kit \(impl mlp\/kit\): 20\.00 ms vs baseline 10\.00 ms — 2\.00× slower \(tolerance 1\.5×\)/,
    );
    expect(text).toMatch(/npm run bench -- --update-baseline/);
    expect(text).toMatch(/measured on another machine \(Test CPU/);
    const good = formatCheck(
      compareToBaseline([row('mlp/kit', 11)], baseline({ 'mlp/kit': 10 }), 1.5),
      'bench/baseline.json',
    ).join('\n');
    expect(good).toMatch(/bench check passed: 1 kit workloads within 1\.5×/);
    expect(() => compareToBaseline([], baseline({}), 1)).toThrow(/tolerance must be > 1/);
  });

  it('a refreshed baseline holds the kit rows of the run and keeps rows the run skipped', () => {
    const report: BenchReport = {
      date: 'd',
      machine,
      flags: ['--quick'],
      totalS: 1,
      rows: [row('vi/kit', 12.34567), row('vi/numpy', 5, 'reference'), row('gru/kit', NaN)],
    };
    const b = makeBaseline(report, 1.5, baseline({ 'vi/kit': 99, 'notebooks/smoke': 90000 }));
    expect(Object.keys(b.rows).sort()).toEqual(['notebooks/smoke', 'vi/kit']);
    expect(b.rows['vi/kit'].ms).toBe(12.346);
    expect(b.rows['notebooks/smoke'].ms).toBe(90000);
    const round = parseBaseline(JSON.stringify(b), 'b.json');
    expect(compareToBaseline(report.rows, round, 1.5).passed.map((f) => f.id)).toEqual(['vi/kit']);
  });

  it('rejects a malformed baseline with a message naming the file and the fix', () => {
    expect(() => parseBaseline('{', 'bench/baseline.json')).toThrow(
      /bench\/baseline\.json is not valid JSON.*--update-baseline/,
    );
    expect(() => parseBaseline('{"tolerance": 1.5}', 'b.json')).toThrow(/b\.json has no "rows"/);
    expect(() => parseBaseline('{"rows": {"vi/kit": {"ms": -1}}}', 'b.json')).toThrow(
      /row vi\/kit has no positive "ms"/,
    );
  });

  it('the committed baseline parses and covers the canonical kit workloads', () => {
    const file = path.join(__dirname, '..', '..', 'bench', 'baseline.json');
    const b = parseBaseline(fs.readFileSync(file, 'utf8'), file);
    for (const id of [
      'vi/jacobi/kit',
      'vi/gauss-seidel/kit',
      'bootstrap/kit',
      'pref/dpo/kit',
      'pref/nash-md/kit',
      'mlp/tfjs',
      'gru/sample/tfjs',
      'gru/update/tfjs',
    ])
      expect(b.rows[id]?.ms, id).toBeGreaterThan(0);
    expect(b.tolerance).toBeGreaterThan(1);
  });
});

describe('bench rows', () => {
  it('ratios are kit ms / reference ms, undefined when the reference failed or is absent', () => {
    const rows = attachRatios([
      row('a/kit', 30, 'kit', { refId: 'a/ref' }),
      row('a/ref', 10, 'reference'),
      row('b/kit', 5, 'kit', { refId: 'b/ref' }),
      row('b/ref', NaN, 'reference'),
      row('c/kit', 5, 'kit', { refId: 'c/none' }),
    ]);
    expect(rows[0].ratio).toBe(3);
    expect(rows[1].ratio).toBeUndefined();
    expect(rows[2].ratio).toBeUndefined();
    expect(rows[4].ratio).toBeUndefined();
  });

  it('orders rows by workload of first appearance, kit before reference, otherwise stably', () => {
    const rows = [
      row('x/kit1', 1),
      row('y/kit', 1),
      row('x/ref', 1, 'reference'),
      row('x/kit2', 1),
      row('y/ref', 1, 'reference'),
    ];
    expect(orderRows(rows).map((r) => r.id)).toEqual(['x/kit1', 'x/kit2', 'x/ref', 'y/kit', 'y/ref']);
  });
});

describe('bench baseline file handling through the CLI', () => {
  it('--check without a baseline file fails at once with the command that creates one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-check-'));
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, 'bench', '--only', 'vi', '--no-reference', '--check', '--baseline', path.join(dir, 'none.json')],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, RLMINI_REPORTS_DIR: dir } },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no baseline at .*none\.json\. Create it with npm run bench -- --update-baseline/);
      expect(fs.existsSync(path.join(dir, 'bench.json'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    '--check fails on a real run against an impossible baseline, names the row, ' +
      'and writes bench.json / bench.html',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-check-'));
      try {
        const b = path.join(dir, 'baseline.json');
        fs.writeFileSync(b, JSON.stringify(baseline({ 'vi/jacobi/kit': 1e-6, 'vi/gauss-seidel/kit': 1e9 })));
        const r = spawnSync(
          process.execPath,
          [CLI, 'bench', '--only', 'vi', '--no-reference', '--check', '--baseline', b],
          { encoding: 'utf8', timeout: 120_000, env: { ...process.env, RLMINI_REPORTS_DIR: dir } },
        );
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
          new RegExp(
            /✗ vi\/jacobi\/kit \(kit, Jacobi sweep \(typed arrays\)\): [\d.]+ ms vs baseline 0\.00 ms — /.source +
              /\d+\.\d\d× slower \(tolerance 1\.5×\)/.source,
          ),
        );
        expect(r.stderr).toMatch(/bench check FAILED: 1 slower/);
        expect(r.stdout + r.stderr).toMatch(/✓ vi\/gauss-seidel\/kit/);
        const report = JSON.parse(fs.readFileSync(path.join(dir, 'bench.json'), 'utf8')) as BenchReport;
        expect(report.rows.map((x) => x.id)).toEqual(['vi/jacobi/kit', 'vi/gauss-seidel/kit']);
        expect(report.flags).toContain('--check');
        expect(fs.readFileSync(path.join(dir, 'bench.html'), 'utf8')).toMatch(/data-row="vi\/jacobi\/kit"/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
