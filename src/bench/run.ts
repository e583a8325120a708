/**
 * `npm run bench`: run the canonical workloads (kit and, when /usr/bin/python3 has them, NumPy /
 * PyTorch references on the same data), print a table with kit / reference ratios, write
 * reports/bench.json and reports/bench.html, and optionally check against or refresh
 * bench/baseline.json. See bench/README.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backendLabel } from '../core/backend';
import { paths } from '../core/paths';
import { gitState, kitVersion } from '../core/provenance';
import {
  BenchArgs,
  DEFAULT_TOLERANCE,
  compareToBaseline,
  formatCheck,
  makeBaseline,
  parseBaseline,
  parseBenchArgs,
} from './check';
import { formatMs, formatRatio, formatThroughput, renderBenchPage } from './html';
import { probePython, pythonPath, type PythonInfo } from './python';
import type { BenchReport, BenchRow } from './types';
import { attachRatios, failedRow, orderRows, type Workload } from './workload';
import { bootstrapWorkload } from './workloads/bootstrap';
import { diffusionWorkload } from './workloads/diffusion';
import { gruWorkload } from './workloads/gru';
import { mlpWorkload } from './workloads/mlp';
import { notebooksWorkload } from './workloads/notebooks';
import { preferenceWorkload } from './workloads/preference';
import { statsWorkload } from './workloads/stats';
import { valueIterationWorkload } from './workloads/value-iteration';
import { scalingWorkload } from './workloads/scaling';
import { transformerWorkload } from './workloads/transformer';
import { transformerSeedsWorkload } from './workloads/transformer-seeds';

export const WORKLOADS: readonly Workload[] = [
  valueIterationWorkload,
  bootstrapWorkload,
  preferenceWorkload,
  mlpWorkload,
  gruWorkload,
  transformerWorkload,
  transformerSeedsWorkload,
  diffusionWorkload,
  scalingWorkload,
  statsWorkload,
  notebooksWorkload,
];

export function selectWorkloads(args: BenchArgs): Workload[] {
  return WORKLOADS.filter((w) => (args.only.length ? args.only.includes(w.id) : !(args.quick && w.slow)));
}

export function baselineFile(args: BenchArgs): string {
  return args.baseline ? path.resolve(args.baseline) : path.join(paths.root(), 'bench', 'baseline.json');
}

/** The console table: one line per row. */
export function consoleTable(rows: readonly BenchRow[]): string[] {
  const out: string[] = [];
  let last = '';
  for (const r of rows) {
    if (r.workload !== last) {
      out.push(`\n${r.workload}`);
      last = r.workload;
    }
    const ms = Number.isFinite(r.ms) ? `${formatMs(r.ms)} ms`.padStart(11) : '     failed';
    const ratio = r.ratio !== undefined ? `kit/ref ${formatRatio(r.ratio)}`.padEnd(15) : ''.padEnd(15);
    const ag = r.agreement ? (r.agreement.ok ? 'agrees' : 'DIFFERS') : '';
    out.push(
      `  ${r.impl.slice(0, 52).padEnd(52)} ${ms}  ${formatThroughput(r.throughput).padEnd(34)} ${ratio} ` +
        `${ag.padEnd(7)} ${Number.isFinite(r.ms) ? '' : r.detail}`,
    );
  }
  return out;
}

export async function runBench(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const t0 = Date.now();
  const log = (s: string) => console.log(s);
  const bfile = baselineFile(args);
  if (args.check && !fs.existsSync(bfile)) {
    console.error(`bench check: no baseline at ${bfile}. Create it with npm run bench -- --update-baseline.`);
    return 1;
  }
  const py: PythonInfo | null = args.reference ? probePython() : null;
  if (args.reference) {
    if (!py)
      log(`reference: no usable ${pythonPath()} (set RLMINI_BENCH_PYTHON to another interpreter): kit rows only.`);
    else
      log(
        `reference: Python ${py.version} (${py.python}), NumPy ${py.numpy ?? 'missing'}, ` +
          `PyTorch ${py.torch ?? 'missing (apt-get install python3-torch)'}, SciPy ${py.scipy ?? 'missing'}`,
      );
  }
  const rows: BenchRow[] = [];
  for (const w of selectWorkloads(args)) {
    log(`▸ ${w.title}`);
    const tw = Date.now();
    try {
      rows.push(...(await w.run({ py, log, ...(args.seedSteps ? { seedSteps: args.seedSteps } : {}) })));
    } catch (e) {
      rows.push(failedRow(`${w.id}/all`, w.title, 'kit', 'kit', e));
    }
    log(`  (${((Date.now() - tw) / 1000).toFixed(1)} s)`);
  }
  const ordered = orderRows(attachRatios(rows));
  rows.splice(0, rows.length, ...ordered);
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
      cores: os.cpus().length,
      backend: backendLabel(),
      python: py?.version ?? null,
      numpy: py?.numpy ?? null,
      torch: py?.torch ?? null,
      referenceThreads: 1,
    },
    flags: argv.filter((a) => a.startsWith('--')),
    rows,
    totalS: (Date.now() - t0) / 1000,
  };
  for (const l of consoleTable(rows)) log(l);
  const outDir = paths.reports();
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'bench.json');
  fs.writeFileSync(json, JSON.stringify(report, null, 1));
  const g = gitState();
  const html = renderBenchPage(report, outDir, {
    generated: new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC',
    kitVersion: kitVersion(),
    commit: g.commit.slice(0, 12),
  });
  log(
    `\n→ ${path.relative(process.cwd(), json)}, ${path.relative(process.cwd(), html)} (${report.totalS.toFixed(1)} s)`,
  );
  let status = rows.some((r) => !Number.isFinite(r.ms)) ? 1 : 0;
  const disagree = rows.filter((r) => r.agreement && !r.agreement.ok);
  if (disagree.length) {
    console.error(
      `✗ results differ between the kit and a reference: ${disagree.map((r) => r.id).join(', ')} ` +
        '(see the agreement column).',
    );
    status = 1;
  }
  if (args.check) {
    const base = parseBaseline(fs.readFileSync(bfile, 'utf8'), bfile);
    const c = compareToBaseline(rows, base, args.tolerance ?? base.tolerance ?? DEFAULT_TOLERANCE);
    for (const l of formatCheck(c, path.relative(process.cwd(), bfile) || bfile, base.machine, report.machine))
      (c.ok ? console.log : console.error)(l);
    if (!c.ok) status = 1;
  }
  if (args.updateBaseline) {
    const prev = fs.existsSync(bfile) ? parseBaseline(fs.readFileSync(bfile, 'utf8'), bfile) : null;
    const b = makeBaseline(report, args.tolerance ?? prev?.tolerance ?? DEFAULT_TOLERANCE, prev);
    fs.mkdirSync(path.dirname(bfile), { recursive: true });
    fs.writeFileSync(bfile, JSON.stringify(b, null, 1) + '\n');
    log(
      `baseline: ${Object.keys(b.rows).length} kit rows → ${path.relative(process.cwd(), bfile)} ` +
        `(tolerance ${b.tolerance}×); commit it.`,
    );
  }
  return status;
}
