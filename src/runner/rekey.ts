/**
 * `rekey`: carry committed run records across a code change that does not change their numbers, without
 * recomputing all of them.
 *
 * A record is keyed by the hash of its task's import closure (core/code-closure), so any edit to a shared file — a
 * comment, a refactor, a new optional slot that existing configs never use — re-keys every record of every paper
 * that imports it, and the next `npm run reports` recomputes them all (hours for the transformer papers). `rekey`
 * re-derives a sample of each task's stale records with the current code (from scratch, in worker threads, as
 * `verify` does) and, only when every re-derived record is bit-identical in all its metrics and series, writes each
 * stale record of that task under its new key: the same results, the current code fingerprint, and a provenance
 * entry `rekeyed` naming the old key and code hash, the files whose content changed, and the records re-derived to
 * license it. A task with any difference (or an error) is left alone and reported: its records must be recomputed.
 * Records that name no task (computed in the notebook's thread) cannot be re-derived and are reported likewise.
 *
 *   node dist/cli/main.js rekey --only <id>[,<id>...] [--profile full] [--verify N | --verify all] [--dry-run]
 *
 * N (default 1) records per task are re-derived, the cheapest first (by their recorded wall time); `--verify all`
 * re-derives every stale record, which is a full recompute with a check.
 *
 * `--task-keys` also moves records computed by a task but keyed with their notebook's hash (the scheme before
 * 2026-12-07, core/notebook.ts `recordKey`) to task keys: the notebook hash in key and provenance becomes
 * `task-keyed`. Where the task's code closure is unchanged this is a change of key scheme only — the same compiled
 * code, config and seed — so nothing is re-derived (`rekeyed.verifiedBy` is empty and `rekeyed.fromNotebookHash`
 * names the old hash); where the code changed too, N records are re-derived as above. Afterwards run
 * `npm run reports -- --only <ids>` so the summaries name the new keys (every record is then a cache hit).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Profile } from '../core/params';
import { taskCode, TASK_KEYED } from '../core/provenance';
import { backendLabel } from '../core/backend';
import { recordBackendLabel } from '../nn/active-engine';
import { readRecord, recordFileName, recordKey, keyPartsOf, type RunRecord } from '../core/records';
import { storeRecord } from '../core/record-store';
import { runTasks } from '../core/tasks';
import { committedRecordFiles, diffResult } from './verify';

export interface RekeyOptions {
  profile: Profile;
  only: string[];
  /** Records re-derived per task (the cheapest first); Infinity = all. */
  verify: number;
  /** Report what would be done; write nothing. */
  dryRun: boolean;
  /** Also carry task records keyed with their notebook's hash to task keys (see the module comment). */
  taskKeys?: boolean;
  log?: (line: string) => void;
}

/** One task's stale records and what became of them. */
export interface RekeyGroup {
  paper: string;
  task: string;
  files: string[];
  /** The compiled files whose content hash differs between the records' closure and the current one. */
  changed: string[];
  verified: { file: string; diffs: string[] }[];
  status: 'rekeyed' | 'mismatch' | 'error' | 'dry-run';
  error?: string;
}

export interface RekeyReport {
  /** Records already keyed by the current code. */
  fresh: number;
  groups: RekeyGroup[];
  /** Stale records that cannot be re-derived (no task, other backend, unreadable), with the reason. */
  skipped: { file: string; reason: string }[];
}

/** The files whose hashes differ between two closures (added, removed or edited), sorted. */
export function changedFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  const all = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...all].filter((f) => before?.[f] !== after[f]).sort();
}

interface StaleTask {
  paper: string;
  task: string;
  recs: { file: string; rec: RunRecord }[];
}

export async function rekeyRecords(o: RekeyOptions): Promise<RekeyReport> {
  const log = o.log ?? (() => {});
  if (!(o.verify >= 1)) throw new RangeError(`rekey: --verify must be at least 1 (got ${o.verify})`);
  const report: RekeyReport = { fresh: 0, groups: [], skipped: [] };
  const backend = backendLabel();
  const groups = new Map<string, StaleTask>();
  for (const file of committedRecordFiles(o.profile, o.only)) {
    const r = readRecord(file);
    if (!r.ok) {
      report.skipped.push({ file, reason: r.reason });
      continue;
    }
    const rec = r.record;
    if (!rec.task) {
      report.skipped.push({ file, reason: 'names no task (computed in the notebook thread): re-run the notebook' });
      continue;
    }
    const code = taskCode(rec.task);
    const keyScheme = !!o.taskKeys && rec.provenance.notebookHash !== TASK_KEYED;
    if (rec.provenance.codeHash === code.hash && !keyScheme) {
      report.fresh++;
      continue;
    }
    // the label the record would get today (with the nn engine where its code is engine-aware: active-engine.ts)
    const label = recordBackendLabel(backend, code.files);
    if (rec.provenance.backend !== label) {
      report.skipped.push({
        file,
        reason: `computed on backend ${rec.provenance.backend}, this process runs ${label}`,
      });
      continue;
    }
    const id = `${rec.paper}\0${rec.task}`;
    if (!groups.has(id)) groups.set(id, { paper: rec.paper, task: rec.task, recs: [] });
    groups.get(id)!.recs.push({ file, rec });
  }
  // Plan every task's sample first, then re-derive all samples in one pool (spread over the cores).
  const plans: { g: StaleTask; group: RekeyGroup; sample: { file: string; rec: RunRecord }[] }[] = [];
  for (const g of groups.values()) {
    const code = taskCode(g.task);
    const changed = new Set<string>();
    for (const { rec } of g.recs) for (const f of changedFiles(rec.provenance.code, code.files)) changed.add(f);
    // The cheapest records first (by recorded wall time; file name breaks ties), so a check costs least.
    const order = [...g.recs].sort(
      (a, b) => (a.rec.provenance.wallTimeMs ?? 0) - (b.rec.provenance.wallTimeMs ?? 0) || a.file.localeCompare(b.file),
    );
    // A key-scheme move with the code unchanged re-derives nothing: the same code, config and seed.
    const sample = changed.size === 0 ? [] : order.slice(0, Math.min(order.length, o.verify));
    const group: RekeyGroup = {
      paper: g.paper,
      task: g.task,
      files: g.recs.map((r) => r.file),
      changed: [...changed].sort(),
      verified: sample.map((s) => ({ file: s.file, diffs: [] })),
      status: 'dry-run',
    };
    report.groups.push(group);
    plans.push({ g, group, sample });
    log(
      `rekey: ${g.paper} ${g.task}: ${g.recs.length} stale record(s); ` +
        (changed.size
          ? `changed: ${group.changed.join(', ')}; re-deriving ${sample.length}`
          : 'code unchanged, notebook hash dropped from the key (--task-keys): re-deriving none') +
        (o.dryRun ? ' (dry run: skipped)' : ''),
    );
  }
  if (o.dryRun) return report;
  const jobs = plans.flatMap((p) => p.sample.map((s, j) => ({ p, s, j })));
  const done = new Set<number>();
  let poolError = '';
  try {
    await runTasks(
      jobs.map(({ p, s }) => ({ task: p.g.task, config: s.rec.config, seed: s.rec.seed })),
      (i, result) => {
        const { p, s, j } = jobs[i];
        p.group.verified[j].diffs = diffResult(s.rec, result, 0);
        done.add(i);
      },
    );
  } catch (e) {
    poolError = (e as Error).message.split('\n')[0];
  }
  jobs.forEach(({ p }, i) => {
    if (!done.has(i) && p.group.status === 'dry-run') {
      p.group.status = 'error';
      p.group.error = poolError || 'not re-derived';
    }
  });
  for (const { g, group, sample } of plans) {
    if (group.status === 'error') {
      log(`rekey: ${g.paper} ${g.task}: not re-derived (${group.error}); its records must be recomputed`);
      continue;
    }
    if (group.verified.some((v) => v.diffs.length)) {
      group.status = 'mismatch';
      for (const v of group.verified) for (const d of v.diffs.slice(0, 5)) log(`rekey: ${path.basename(v.file)}: ${d}`);
      log(`rekey: ${g.paper} ${g.task}: the current code gives different numbers; its records must be recomputed`);
      continue;
    }
    const code = taskCode(g.task);
    const verifiedKeys = sample.map((s) => s.rec.key);
    for (const { file, rec } of g.recs) {
      const keyScheme = !!o.taskKeys && rec.provenance.notebookHash !== TASK_KEYED;
      const provenance = {
        ...rec.provenance,
        codeHash: code.hash,
        code: code.files,
        ...(keyScheme ? { notebookHash: TASK_KEYED } : {}),
        rekeyed: {
          fromKey: rec.key,
          fromCodeHash: rec.provenance.codeHash,
          changed: changedFiles(rec.provenance.code, code.files),
          verifiedBy: verifiedKeys,
          at: new Date().toISOString(),
          ...(keyScheme ? { fromNotebookHash: rec.provenance.notebookHash } : {}),
          ...(rec.provenance.rekeyed ? { previous: rec.provenance.rekeyed } : {}),
        },
      };
      const next = { ...rec, provenance } as RunRecord;
      const key = recordKey(keyPartsOf(next));
      const { checksum: _c, ...rest } = { ...next, key };
      const to = path.join(path.dirname(file), recordFileName(rec.method, rec.seed, key));
      storeRecord(to, rest);
      if (to !== file) fs.unlinkSync(file);
    }
    group.status = 'rekeyed';
    log(
      `rekey: ${g.paper} ${g.task}: ${g.recs.length} record(s) re-keyed ` +
        (sample.length ? `(${sample.length} re-derived identically)` : '(key scheme only: code unchanged)'),
    );
  }
  return report;
}

/** Prints the outcome; exit status 0 when every stale task was re-keyed (or a dry run), 1 otherwise. */
export function printRekeyReport(rep: RekeyReport, log: (s: string) => void = console.log): number {
  const by = (s: RekeyGroup['status']) => rep.groups.filter((g) => g.status === s);
  const n = (gs: RekeyGroup[]) => gs.reduce((a, g) => a + g.files.length, 0);
  log(
    `rekey: ${rep.fresh} record(s) already current; ${n(by('rekeyed'))} re-keyed in ${by('rekeyed').length} task(s); ` +
      `${n(by('mismatch')) + n(by('error'))} left stale in ${by('mismatch').length + by('error').length} task(s)` +
      (by('dry-run').length ? `; dry run: ${n(by('dry-run'))} stale in ${by('dry-run').length} task(s)` : '') +
      (rep.skipped.length ? `; ${rep.skipped.length} skipped` : ''),
  );
  for (const s of rep.skipped) log(`  skipped ${path.basename(s.file)}: ${s.reason}`);
  const papers = [...new Set(by('rekeyed').map((g) => g.paper))];
  if (papers.length)
    log(`Now run \`npm run reports -- --only ${papers.join(',')}\` so the summaries name the new keys.`);
  return by('mismatch').length + by('error').length ? 1 : 0;
}
