/**
 * `verify`: are the committed run records re-derivable? Re-runs a sample of them from scratch (the
 * record's task on its config and seed, in worker threads, no cache involved) and compares the
 * metrics, series and extras with the committed values. Any difference is printed, value by value.
 *
 *   node dist/cli/main.js verify --sample 3 [--only starc] [--profile full] [--sample-seed S] [--tolerance 0]
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Summary } from '../core/summary';
import { canonicalJson } from '../core/hash';
import { cellSource, readNotebook } from '../core/ipynb';
import type { Profile } from '../core/params';
import { paths } from '../core/paths';
import { isRecordFile, readRecord, type RunRecord, type RunResult } from '../core/records';
import { Rng } from '../core/rng';
import { runTasks } from '../core/tasks';

export interface VerifyOptions {
  profile: Profile;
  only: string[];
  /** How many records to re-derive (all when larger than what there is). */
  sample: number;
  /** Seed of the sample; random (and printed) when omitted. */
  sampleSeed?: number;
  /** Allowed relative difference (0 = bit-identical, the default). */
  tolerance: number;
}

export interface VerifyItem {
  file: string;
  paper: string;
  method: string;
  seed: number | null;
  status: 'identical' | 'mismatch' | 'error';
  /** One line per difference (or the error). */
  diffs: string[];
  compared: { metrics: number; series: number };
}

export interface VerifyReport {
  sampleSeed: number;
  total: number;
  items: VerifyItem[];
}

export class VerifyError extends Error {
  name = 'VerifyError';
}

/** Committed record files of a profile: data/results/<id>/<profile>/records/*.json.gz, sorted. */
export function committedRecordFiles(profile: Profile, only: string[]): string[] {
  const root = paths.results();
  if (!fs.existsSync(root)) return [];
  const ids = fs
    .readdirSync(root)
    .filter((d) => fs.statSync(path.join(root, d)).isDirectory())
    .sort();
  const out: string[] = [];
  for (const id of ids) {
    if (only.length && !only.includes(id)) continue;
    const dir = path.join(root, id, profile, 'records');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) if (isRecordFile(f)) out.push(path.join(dir, f));
  }
  return out;
}

/** method → task from the notebook's `runSeeds({ method: "…", task: "…" })` calls (string literals). */
export function tasksFromNotebook(file: string): Map<string, string> {
  const map = new Map<string, string>();
  const nb = readNotebook(file);
  for (const c of nb.cells) {
    if (c.cell_type !== 'code') continue;
    const src = cellSource(c);
    let at = src.indexOf('runSeeds(');
    while (at >= 0) {
      // The call's argument text: up to the matching parenthesis.
      let depth = 0;
      let end = at + 'runSeeds'.length;
      for (; end < src.length; end++) {
        if (src[end] === '(') depth++;
        else if (src[end] === ')' && --depth === 0) break;
      }
      const args = src.slice(at, end);
      const method = /\bmethod\s*:\s*(["'`])([^"'`]+)\1/.exec(args)?.[2];
      const task = /\btask\s*:\s*(["'`])([^"'`]+)\1/.exec(args)?.[2];
      if (method && task) map.set(method, task);
      at = src.indexOf('runSeeds(', end);
    }
  }
  return map;
}

function taskOf(rec: RunRecord): string {
  if (rec.task) return rec.task;
  const nbFile = path.join(paths.notebooks(), `${rec.paper}.ipynb`);
  if (!fs.existsSync(nbFile))
    throw new VerifyError(`the record names no task and there is no notebook ${nbFile} to find it in`);
  const task = tasksFromNotebook(nbFile).get(rec.method);
  if (!task) {
    throw new VerifyError(
      `the record names no task and ${path.basename(nbFile)} has no runSeeds({ method: "${rec.method}", task: "…" }) ` +
        `call with literal strings; re-run the notebook with --fresh so its records name their task`,
    );
  }
  return task;
}

function same(a: unknown, b: unknown, tol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Object.is(a, b)) return true;
    return tol > 0 && Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return canonicalJson(a) === canonicalJson(b);
}

const fmtNum = (v: unknown) => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'absent'));

/** Differences between a committed record and a re-derived result (metrics and series), one line each. */
export function diffResult(rec: RunRecord, got: RunResult, tol: number): string[] {
  const fresh = JSON.parse(JSON.stringify(got)) as RunResult; // as writeRecord stores it (NaN → null)
  const out: string[] = [];
  const keys = (a?: object, b?: object) => [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  for (const k of keys(rec.metrics, fresh.metrics)) {
    const a = rec.metrics?.[k];
    const b = fresh.metrics?.[k];
    if (!same(a, b, tol)) {
      const delta = typeof a === 'number' && typeof b === 'number' ? ` (Δ ${(b - a).toExponential(2)})` : '';
      out.push(`metrics.${k}: committed ${fmtNum(a)}, re-derived ${fmtNum(b)}${delta}`);
    }
  }
  for (const k of keys(rec.series, fresh.series)) {
    const a = rec.series?.[k];
    const b = fresh.series?.[k];
    if (!Array.isArray(a) || !Array.isArray(b)) {
      if (!same(a, b, tol))
        out.push(
          `series.${k}: committed ${a ? `${(a as unknown[]).length} values` : 'absent'}, re-derived ` +
            `${b ? `${(b as unknown[]).length} values` : 'absent'}`,
        );
      continue;
    }
    if (a.length !== b.length) {
      out.push(`series.${k}: committed ${a.length} values, re-derived ${b.length}`);
      continue;
    }
    const bad = a.map((x, i) => (same(x, b[i], tol) ? -1 : i)).filter((i) => i >= 0);
    if (bad.length)
      out.push(
        `series.${k}: ${bad.length} of ${a.length} values differ (first at [${bad[0]}]: committed ` +
          `${fmtNum(a[bad[0]])}, re-derived ${fmtNum(b[bad[0]])})`,
      );
  }
  // `extra` and `timings` are not compared: diagnostics and wall-clock times (the numbers are metrics and series).
  return out;
}

/** Pick `n` of `items` without replacement, reproducibly from `seed`; keeps their order. */
export function sampleOf<T>(items: T[], n: number, seed: number): T[] {
  if (n >= items.length) return [...items];
  const rng = new Rng(seed).split('verify-sample');
  const idx = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

export async function verifyRecords(opts: VerifyOptions): Promise<VerifyReport> {
  const files = committedRecordFiles(opts.profile, opts.only);
  if (files.length === 0) {
    throw new VerifyError(
      `no ${opts.profile}-profile run records under ` +
        `${paths.results()}${opts.only.length ? ` for ${opts.only.join(', ')}` : ''}: nothing to verify (run \`npm ` +
        `run reports -- --profile ${opts.profile}\` and commit data/results/<id>/${opts.profile}/).`,
    );
  }
  const sampleSeed = opts.sampleSeed ?? crypto.randomInt(0, 2 ** 31);
  const chosen = sampleOf(files, Math.max(1, opts.sample), sampleSeed);
  const items: VerifyItem[] = [];
  const jobs: { item: VerifyItem; rec: RunRecord; task: string }[] = [];
  for (const file of chosen) {
    const r = readRecord(file);
    const item: VerifyItem = {
      file,
      paper: path.basename(path.dirname(path.dirname(path.dirname(file)))),
      method: '?',
      seed: null,
      status: 'error',
      diffs: [],
      compared: { metrics: 0, series: 0 },
    };
    items.push(item);
    if (!r.ok) {
      item.diffs.push(r.reason.replace(/; it will be recomputed$/, ''));
      continue;
    }
    Object.assign(item, { paper: r.record.paper, method: r.record.method, seed: r.record.seed });
    try {
      jobs.push({ item, rec: r.record, task: taskOf(r.record) });
    } catch (e) {
      item.diffs.push((e as Error).message);
    }
  }
  const done = new Set<number>();
  try {
    await runTasks(
      jobs.map((j) => ({ task: j.task, config: j.rec.config, seed: j.rec.seed })),
      (i, result) => {
        const { item, rec } = jobs[i];
        done.add(i);
        item.diffs = diffResult(rec, result, opts.tolerance);
        item.status = item.diffs.length ? 'mismatch' : 'identical';
        item.compared = {
          metrics: Object.keys(rec.metrics ?? {}).length,
          series: Object.keys(rec.series ?? {}).length,
        };
      },
    );
  } catch (e) {
    jobs.forEach((j, i) => {
      if (!done.has(i)) j.item.diffs.push(`not re-derived: ${(e as Error).message.split('\n')[0]}`);
    });
  }
  return { sampleSeed, total: files.length, items };
}

/** The report as printed by the CLI; returns the exit status (0 = every sampled record re-derived identically). */
export function printVerifyReport(
  rep: VerifyReport,
  opts: VerifyOptions,
  log: (s: string) => void = console.log,
): number {
  const rel = (f: string) => path.relative(paths.results(), f);
  log(
    `verify: re-deriving ${rep.items.length} of ${rep.total} ${opts.profile}-profile records from scratch (sample ` +
      `seed ${rep.sampleSeed}; reproduce with --sample-seed ` +
      `${rep.sampleSeed})${opts.tolerance ? `, relative tolerance ${opts.tolerance}` : ', bit-identical'}`,
  );
  for (const it of rep.items) {
    const what = `${rel(it.file)} (${it.method}, seed ${it.seed ?? '?'})`;
    if (it.status === 'identical')
      log(`  ✓ ${what}: ${it.compared.metrics} metrics and ${it.compared.series} series identical`);
    else {
      log(`  ✗ ${what}: ${it.status === 'mismatch' ? 'MISMATCH' : 'ERROR'}`);
      for (const d of it.diffs) log(`      ${d}`);
    }
  }
  const bad = rep.items.filter((i) => i.status !== 'identical');
  log(
    bad.length === 0
      ? `verify: all ${rep.items.length} sampled records are re-derivable.`
      : `verify: ${bad.length} of ${rep.items.length} sampled records are NOT re-derivable from this code ` +
          `(${bad.filter((b) => b.status === 'mismatch').length} mismatch, ` +
          `${bad.filter((b) => b.status === 'error').length} error). Re-run their notebooks with --fresh and ` +
          'commit the new records, or find what changed.',
  );
  return bad.length === 0 ? 0 : 1;
}

/** One paper's summary re-derived from its stored records only, compared with the stored summary. */
export interface SummaryCheck {
  id: string;
  status: 'identical' | 'different' | 'error';
  /** Differences (verdict fields, table cells) or the error. */
  diffs: string[];
  verdicts: number;
  cells: number;
}

/** Differences between two summaries' verdicts (status, kind, estimate, interval, seeds) and tables. */
export function diffSummaries(a: Summary, b: Summary): { diffs: string[]; verdicts: number; cells: number } {
  const diffs: string[] = [];
  const same = (x: unknown, y: unknown) => canonicalJson(x) === canonicalJson(y);
  const vb = new Map(b.verdicts.map((v) => [v.claimId, v]));
  for (const v of a.verdicts) {
    const w = vb.get(v.claimId);
    if (!w) {
      diffs.push(`verdict ${v.claimId}: stored, not re-derived`);
      continue;
    }
    for (const k of ['status', 'kind', 'estimate', 'lo', 'hi', 'nSeeds', 'level', 'invalidatedBy'] as const) {
      if (!same(v[k], w[k]))
        diffs.push(`verdict ${v.claimId}.${k}: stored ${fmtNum(v[k])}, re-derived ${fmtNum(w[k])}`);
    }
    vb.delete(v.claimId);
  }
  for (const k of vb.keys()) diffs.push(`verdict ${k}: re-derived, not stored`);
  let cells = 0;
  const tb = new Map(b.tables.map((t) => [t.name, t]));
  for (const t of a.tables) {
    const u = tb.get(t.name);
    if (!u) {
      diffs.push(`table ${t.name}: stored, not re-derived`);
      continue;
    }
    t.rows.forEach((row, i) =>
      row.forEach((cell, j) => {
        cells++;
        const other = u.rows[i]?.[j];
        if (!same(cell, other))
          diffs.push(`table ${t.name}[${i}][${j}]: stored ${fmtNum(cell)}, re-derived ${fmtNum(other)}`);
      }),
    );
  }
  return { diffs, verdicts: a.verdicts.length, cells };
}

/**
 * `verify --summaries`: re-execute each notebook from its stored records alone (a scratch copy of the
 * records, cache-only: a missing record is an error, nothing is computed) and compare the verdicts and
 * tables it produces with the stored summary.json. Catches a hand-edited summary, or one produced by
 * other code than the records'.
 */
export async function verifySummaries(opts: {
  profile: Profile;
  only: string[];
  jobs: number;
}): Promise<SummaryCheck[]> {
  const root = paths.results();
  const ids = (fs.existsSync(root) ? fs.readdirSync(root) : [])
    .filter((id) => fs.existsSync(path.join(root, id, opts.profile, 'summary.json')))
    .filter((id) => opts.only.length === 0 || opts.only.includes(id))
    .filter((id) => fs.existsSync(path.join(paths.notebooks(), `${id}.ipynb`)))
    .sort();
  if (ids.length === 0) throw new VerifyError(`no ${opts.profile}-profile summaries with a notebook under ${root}.`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-verify-'));
  const saved = { ...process.env };
  try {
    for (const id of ids) {
      const from = path.join(root, id, opts.profile, 'records');
      const to = path.join(tmp, 'results', id, opts.profile, 'records');
      fs.mkdirSync(to, { recursive: true });
      if (fs.existsSync(from))
        for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
    }
    process.env.RLMINI_RESULTS_DIR = path.join(tmp, 'results');
    process.env.RLMINI_REPORTS_DIR = path.join(tmp, 'reports');
    process.env.RLMINI_CACHE_ONLY = '1';
    const { runAll } = await import('./run-all');
    const outcomes = await runAll({
      profile: opts.profile,
      only: ids,
      fresh: false,
      jobs: opts.jobs,
      cellTimeoutS: 900,
      params: {},
    });
    return ids.map((id) => {
      const o = outcomes.find((x) => x.id === id);
      if (!o || o.status !== 'ok') {
        return { id, status: 'error', diffs: [o?.error ?? 'not run'], verdicts: 0, cells: 0 } as SummaryCheck;
      }
      const read = (dir: string) =>
        JSON.parse(fs.readFileSync(path.join(dir, id, opts.profile, 'summary.json'), 'utf8'));
      const d = diffSummaries(read(root), read(path.join(tmp, 'results')));
      return { id, status: d.diffs.length ? 'different' : 'identical', ...d } as SummaryCheck;
    });
  } finally {
    process.env = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Print the summary checks; returns the exit status (0 = every summary re-derived identically). */
export function printSummaryChecks(checks: SummaryCheck[], log: (s: string) => void = console.log): number {
  log(`verify --summaries: re-executing ${checks.length} notebook(s) from their stored records only`);
  for (const c of checks) {
    if (c.status === 'identical') log(`  ✓ ${c.id}: ${c.verdicts} verdicts and ${c.cells} table cells identical`);
    else {
      log(`  ✗ ${c.id}: ${c.status === 'error' ? 'could not be re-derived' : 'DIFFERS from the stored summary'}`);
      for (const d of c.diffs.slice(0, 20)) log(`      ${d}`);
      if (c.diffs.length > 20) log(`      … and ${c.diffs.length - 20} more`);
    }
  }
  const bad = checks.filter((c) => c.status !== 'identical').length;
  log(
    bad ? `verify --summaries FAILED: ${bad} of ${checks.length} summaries not re-derived` : 'all summaries re-derived',
  );
  return bad ? 1 : 0;
}
