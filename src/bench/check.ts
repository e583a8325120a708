/**
 * Arguments of `npm run bench` and the regression guard: `--check` compares the kit rows of a run
 * against the committed bench/baseline.json and fails when one is more than `tolerance` times slower.
 */
import type { BenchReport, BenchRow, MachineInfo } from './types';

export const BENCH_USAGE = `usage: npm run bench [-- options]
  --quick              skip the notebook workloads (smoke profile of all notebooks, cached rebuild: ~1.5 min)
  --only a,b           run only these workloads: vi, bootstrap, pref, mlp, gru, scaling, stats, notebooks,
                       transformer, transformer-seeds, diffusion
  --no-reference       skip the Python reference rows (NumPy / PyTorch)
  --check              compare the kit rows with bench/baseline.json; exit 1 if one is slower than tolerance × baseline
  --tolerance X        slow-down factor --check allows (default: the baseline's, else 1.5)
  --update-baseline    write this run's kit timings into bench/baseline.json
  --baseline FILE      use another baseline file (default bench/baseline.json)
  --seed-steps N       transformer-seeds: timed GRPO steps per seed after 4 warm-up steps (default 8; 596 times
                       whole seeds of 600 updates, ~5 min per row on the 2-block model)`;

export const WORKLOAD_IDS = [
  'vi',
  'bootstrap',
  'pref',
  'mlp',
  'gru',
  'scaling',
  'stats',
  'notebooks',
  'transformer',
  'transformer-seeds',
  'diffusion',
] as const;
export const DEFAULT_TOLERANCE = 1.5;

export class BenchUsageError extends Error {
  name = 'UsageError';
}

export interface BenchArgs {
  quick: boolean;
  only: string[];
  reference: boolean;
  check: boolean;
  updateBaseline: boolean;
  tolerance: number | null;
  baseline: string | null;
  /** transformer-seeds: timed steps per seed (null: the workload's default). */
  seedSteps: number | null;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = {
    quick: false,
    only: [],
    reference: true,
    check: false,
    updateBaseline: false,
    tolerance: null,
    baseline: null,
    seedSteps: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--'))
        throw new BenchUsageError(`bench: ${flag} needs a value.\n${BENCH_USAGE}`);
      return v;
    };
    switch (flag) {
      case '--quick':
        a.quick = true;
        break;
      case '--no-reference':
        a.reference = false;
        break;
      case '--check':
        a.check = true;
        break;
      case '--update-baseline':
        a.updateBaseline = true;
        break;
      case '--only':
        for (const id of value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          if (!(WORKLOAD_IDS as readonly string[]).includes(id))
            throw new BenchUsageError(`bench: --only ${id}: unknown workload. Workloads: ${WORKLOAD_IDS.join(', ')}.`);
          a.only.push(id);
        }
        break;
      case '--tolerance': {
        const v = value();
        const n = Number(v);
        if (!(n > 1) || !Number.isFinite(n))
          throw new BenchUsageError(
            `bench: --tolerance ${v}: must be a number > 1 (the slow-down factor allowed, e.g. 1.5).`,
          );
        a.tolerance = n;
        break;
      }
      case '--baseline':
        a.baseline = value();
        break;
      case '--seed-steps': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 2)
          throw new BenchUsageError(`bench: --seed-steps ${v}: must be an integer ≥ 2 (timed steps per seed).`);
        a.seedSteps = n;
        break;
      }
      default:
        throw new BenchUsageError(`bench: unknown option ${arg}.\n${BENCH_USAGE}`);
    }
  }
  if (a.check && a.updateBaseline)
    throw new BenchUsageError(
      'bench: --check and --update-baseline exclude each other ' +
        '(check against the old baseline first, then refresh it).',
    );
  return a;
}

export interface BaselineRow {
  ms: number;
  workload: string;
  impl: string;
}

export interface Baseline {
  created: string;
  machine: MachineInfo;
  tolerance: number;
  /** Kit rows only, by row id. */
  rows: Record<string, BaselineRow>;
}

export interface CheckFinding {
  id: string;
  impl: string;
  baseMs: number;
  ms: number;
  /** ms / baseMs. */
  factor: number;
}

export interface CheckResult {
  ok: boolean;
  tolerance: number;
  regressions: CheckFinding[];
  /** Baseline rows that ran and failed (NaN time). */
  failed: string[];
  /** Within tolerance. */
  passed: CheckFinding[];
  /** Baseline rows that this run did not include (--quick, --only). */
  notRun: string[];
  /** Kit rows of this run without a baseline entry. */
  unbaselined: string[];
}

export function compareToBaseline(rows: readonly BenchRow[], baseline: Baseline, tolerance: number): CheckResult {
  if (!(tolerance > 1)) throw new RangeError(`compareToBaseline: tolerance must be > 1, got ${tolerance}`);
  const res: CheckResult = {
    ok: true,
    tolerance,
    regressions: [],
    failed: [],
    passed: [],
    notRun: [],
    unbaselined: [],
  };
  const kit = new Map(rows.filter((r) => r.side === 'kit').map((r) => [r.id, r]));
  for (const [id, b] of Object.entries(baseline.rows)) {
    const r = kit.get(id);
    if (!r) {
      res.notRun.push(id);
      continue;
    }
    if (!Number.isFinite(r.ms)) {
      res.failed.push(id);
      continue;
    }
    const f: CheckFinding = { id, impl: r.impl, baseMs: b.ms, ms: r.ms, factor: r.ms / b.ms };
    (f.factor > tolerance ? res.regressions : res.passed).push(f);
  }
  for (const id of kit.keys()) if (!(id in baseline.rows)) res.unbaselined.push(id);
  res.ok = res.regressions.length === 0 && res.failed.length === 0;
  return res;
}

/** Human-readable lines of a check, ending with how to refresh the baseline when it failed. */
export function formatCheck(
  c: CheckResult,
  baselineFile: string,
  baseMachine?: MachineInfo,
  machine?: MachineInfo,
): string[] {
  const out: string[] = [];
  if (baseMachine && machine && (baseMachine.cpu !== machine.cpu || baseMachine.cores !== machine.cores)) {
    out.push(
      `! the baseline was measured on another machine (${baseMachine.cpu}, ${baseMachine.cores} cores; ` +
        `this one: ${machine.cpu}, ${machine.cores} cores): the comparison is indicative only.`,
    );
  }
  for (const f of c.regressions)
    out.push(
      `✗ ${f.id} (${f.impl}): ${f.ms.toFixed(2)} ms vs baseline ${f.baseMs.toFixed(2)} ms — ` +
        `${f.factor.toFixed(2)}× slower (tolerance ${c.tolerance}×)`,
    );
  for (const id of c.failed) out.push(`✗ ${id}: failed to run (it has a baseline of ${baselineFile})`);
  for (const f of c.passed)
    out.push(`✓ ${f.id}: ${f.ms.toFixed(2)} ms vs ${f.baseMs.toFixed(2)} ms (${f.factor.toFixed(2)}×)`);
  if (c.notRun.length) out.push(`  not run here (skipped by --quick / --only): ${c.notRun.join(', ')}`);
  if (c.unbaselined.length) out.push(`  no baseline yet: ${c.unbaselined.join(', ')}`);
  out.push(
    c.ok
      ? `bench check passed: ${c.passed.length} kit workloads within ${c.tolerance}× of ${baselineFile}.`
      : `bench check FAILED: ${c.regressions.length} slower than ${c.tolerance}× the baseline, ` +
          `${c.failed.length} failed. If the change is expected (another machine, a deliberate trade-off), ` +
          `refresh the baseline: npm run bench -- --update-baseline (and commit ${baselineFile}).`,
  );
  return out;
}

/** A baseline from a run's kit rows; rows of `previous` that this run did not include are kept. */
export function makeBaseline(report: BenchReport, tolerance: number, previous?: Baseline | null): Baseline {
  const rows: Record<string, BaselineRow> = { ...(previous?.rows ?? {}) };
  for (const r of report.rows)
    if (r.side === 'kit' && Number.isFinite(r.ms))
      rows[r.id] = { ms: Math.round(r.ms * 1000) / 1000, workload: r.workload, impl: r.impl };
  return { created: report.date, machine: report.machine, tolerance, rows };
}

export function parseBaseline(text: string, file: string): Baseline {
  let j: Baseline;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${file} is not valid JSON (${(e as Error).message}); refresh it with npm run bench -- --update-baseline`,
    );
  }
  if (!j || typeof j !== 'object' || !j.rows || typeof j.rows !== 'object')
    throw new Error(`${file} has no "rows" object; refresh it with npm run bench -- --update-baseline`);
  for (const [id, r] of Object.entries(j.rows))
    if (!(typeof r?.ms === 'number' && r.ms > 0))
      throw new Error(`${file}: row ${id} has no positive "ms"; refresh it with npm run bench -- --update-baseline`);
  return j;
}
