/**
 * The notebook session: what a paper notebook uses to resolve its parameters, run (cached) seeds,
 * record verdicts, tables and figures, and write the summary the reports are rendered from.
 *
 *   const nb = rl.startNotebook({ id: 'starc', profile, spec, defaults, overrides: { seeds, nMdps } });
 *   const recs = await nb.runSeeds({ method: 'all', task: 'testbeds/tabular/starc-experiment#runStarcSeed', config });
 *   nb.verdict(...); nb.table(...); nb.figure(...);
 *   nb.finish();
 */
import * as fs from 'fs';
import * as path from 'path';
import { storeRecord } from './record-store';
import { hashValue } from './hash';
import { cellSource, notebookCodeHash, parseNotebook, readNotebook, type Notebook, type PaperMeta } from './ipynb';
import { resolveParameters, type ParamSpec, type ParamValues, type Profile, type ProfileDefaults } from './params';
import { paths } from './paths';
import type { CodeFingerprint } from './code-closure';
import { makeProvenance, notebookCode, paperCode, taskCode, TASK_KEYED } from './provenance';
import {
  isRecordFile,
  readRecord,
  recordFileName,
  recordKey,
  removeStaleTempFiles,
  writeFileAtomic,
  type RunRecord,
  type RunResult,
} from './records';
import { Rng } from './rng';
import {
  SUMMARY_SCHEMA,
  type ComparisonSpec,
  type FigureSpec,
  type ProtocolSpec,
  type Summary,
  type TableSpec,
} from './summary';
import { checkProtocol } from '../report/schema';
import { runTasks } from './tasks';
import { backendLabel } from './backend';
import { recordBackendLabel } from '../nn/active-engine';
import { displayComparison, displayFigure, displayMarkdown, displayTable, displayVerdict } from './display';
import type { PreRegistered, Verdict, VerdictKind } from '../stats/verdict';

/** How a verdict is recorded: its kind, the checks it relies on, its pre-registered parameters. */
export interface VerdictOptions {
  /** Independent units behind it when not the notebook's seeds. */
  seeds?: number;
  kind?: VerdictKind;
  /** Ids of checks this claim relies on: if one does not pass, the claim is inconclusive (testbed invalid). */
  dependsOn?: string[];
  /** Names of the pre-registered decision parameters (metadata.paper.decisions) the verdict used. */
  decisions?: string[];
  /** Name of the figure (of this notebook) that shows the evidence. */
  figure?: string;
}

export interface NotebookSessionOptions<Spec extends Record<string, ParamSpec>> {
  /** Catalog id = notebook file name without .ipynb. */
  id: string;
  profile: Profile;
  spec: Spec;
  /** Per profile: `smoke` and `full` always; `large` (optional) for the bigger runs meant for a GPU or a cluster. */
  defaults: ProfileDefaults<ParamValues<Spec>>;
  /** Values from the parameters cell; null means "the profile's default". */
  overrides?: Partial<Record<keyof Spec, unknown>>;
  /** Seeds of the run: a parameter name in spec holding number[] or a count (int). Default 'seeds'. */
  seedsParam?: keyof Spec & string;
  /**
   * What the key of a record computed by a task covers. 'task' (the default): the task's import closure, config and
   * seed only, so that editing the notebook's prose or analysis, or adding a method with its own task module, re-runs
   * nothing else (a task runs module code on its config and seed; the notebook reaches it only through the config).
   * 'notebook': the notebook's code cells too (the scheme of records computed before 2026-12-07; `rekey --task-keys`
   * carries them). Records of `nb.run` (code in the notebook) always include the notebook.
   */
  recordKey?: 'notebook' | 'task';
}

/** Locate the notebook file: the runner says where; in Jupyter, the kernel runs in notebooks/. */
export function locateNotebook(id: string): string | null {
  const candidates = [
    process.env.RLMINI_NOTEBOOK,
    path.join(process.cwd(), `${id}.ipynb`),
    path.join(paths.notebooks(), `${id}.ipynb`),
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (fs.existsSync(c) && path.basename(c) === `${id}.ipynb`) return c;
  return null;
}

/**
 * The notebook as the session must see it. Under the runner (`npm run reports`), the content the
 * runner read, hashed and is executing: its snapshot (RLMINI_NOTEBOOK_SNAPSHOT) with its code hash
 * (RLMINI_NOTEBOOK_HASH), never the file again, which may have been saved since (Jupyter saves while
 * a run goes on). Interactively (Jupyter), the file.
 */
export function sessionNotebook(file: string): { nb: Notebook; hash: string } {
  const runnerFile = process.env.RLMINI_NOTEBOOK;
  const snapshot = process.env.RLMINI_NOTEBOOK_SNAPSHOT;
  const expected = process.env.RLMINI_NOTEBOOK_HASH;
  if (runnerFile && expected && path.resolve(runnerFile) === path.resolve(file)) {
    let text: string;
    try {
      text = fs.readFileSync(snapshot ?? '', 'utf8');
    } catch (e) {
      throw new Error(
        `${file}: the runner's snapshot of this notebook (RLMINI_NOTEBOOK_SNAPSHOT=${snapshot ?? ''}) cannot be ` +
          `read (${(e as Error).message}); records cannot be keyed by the code being run. Re-run the notebook.`,
      );
    }
    const nb = parseNotebook(text, file);
    const hash = notebookCodeHash(nb);
    if (hash !== expected)
      throw new Error(
        `${file}: the runner's snapshot has code hash ${hash}, but the runner executes code with hash ` +
          `${expected}; records cannot be keyed by the code being run (internal error). Re-run the notebook.`,
      );
    return { nb, hash };
  }
  const nb = readNotebook(file);
  return { nb, hash: notebookCodeHash(nb) };
}

export class NotebookSession<Spec extends Record<string, ParamSpec>> {
  readonly id: string;
  readonly profile: Profile;
  readonly params: ParamValues<Spec>;
  readonly seeds: number[];
  readonly notebookFile: string | null;
  readonly meta: PaperMeta | null;
  readonly notebookHash: string;
  /** The notebook's code cells, joined (to find the testbed namespaces it names). */
  private readonly codeSource: string;
  readonly resultsDir: string;
  private readonly started = Date.now();
  private verdicts: Verdict[] = [];
  private readings: string[] = [];
  private tables: TableSpec[] = [];
  private figures: FigureSpec[] = [];
  private comparisons: ComparisonSpec[] = [];
  private protocolSpec: ProtocolSpec | null = null;
  private readonly keyByTask: boolean;
  private records = new Map<string, RunRecord>();
  /**
   * Each record's place in the summary: the order in which the notebook asked for it (`run` / `runSeeds` calls,
   * seeds in order), fixed when asked, not when finished — so notebooks that run methods concurrently
   * (Promise.all over `runSeeds`) publish the same summary however the workers' timings fall.
   */
  private asked = new Map<string, number>();
  private ask(key: string): void {
    if (!this.asked.has(key)) this.asked.set(key, this.asked.size);
  }
  private stats = { hits: 0, computed: 0, recomputedCorrupt: 0 };
  private fresh: boolean;

  constructor(opts: NotebookSessionOptions<Spec>) {
    this.id = opts.id;
    this.profile = opts.profile;
    this.notebookFile = locateNotebook(opts.id);
    const where = this.notebookFile
      ? path.relative(process.cwd(), this.notebookFile) || this.notebookFile
      : `notebook ${opts.id}`;
    this.params = resolveParameters({
      notebook: where,
      profile: opts.profile,
      spec: opts.spec,
      defaults: opts.defaults,
      overrides: opts.overrides as Record<string, unknown>,
    });
    const seedsName = opts.seedsParam ?? 'seeds';
    const s = (this.params as Record<string, unknown>)[seedsName];
    this.seeds = Array.isArray(s)
      ? (s as number[])
      : typeof s === 'number'
        ? Array.from({ length: s }, (_, i) => i)
        : [0];
    let nb: Notebook | null = null;
    let hash = 'no-notebook-file';
    if (this.notebookFile) ({ nb, hash } = sessionNotebook(this.notebookFile));
    this.meta = (nb?.metadata.paper as PaperMeta | undefined) ?? null;
    this.notebookHash = hash;
    this.codeSource = nb
      ? nb.cells
          .filter((c) => c.cell_type === 'code')
          .map(cellSource)
          .join('\n')
      : '';
    this.resultsDir = path.join(paths.results(), this.id, this.profile);
    this.fresh = process.env.RLMINI_FRESH === '1';
    this.keyByTask = opts.recordKey !== 'notebook';
  }

  /** The root generator of one seed (split it for every source of randomness). */
  rng(seed: number): Rng {
    return new Rng(seed);
  }

  /** The code that determines a record: its task's import closure, or the paper's code for `run`. */
  private codeFor(task?: string): CodeFingerprint {
    return task ? taskCode(task) : paperCode(this.id);
  }

  /** The notebook hash a record's key (and provenance) carries: none for task-keyed records of a task. */
  private recordNotebookHash(task?: string): string {
    return this.keyByTask && task ? TASK_KEYED : this.notebookHash;
  }

  private keyFor(method: string, config: unknown, seed: number, task?: string): string {
    return recordKey({
      paper: this.id,
      method,
      config,
      seed,
      profile: this.profile,
      notebookHash: this.recordNotebookHash(task),
      codeHash: this.codeFor(task).hash,
      backend: recordBackendLabel(backendLabel(), this.codeFor(task).files),
    });
  }

  private fileFor(key: string, method: string, seed: number): string {
    return path.join(this.resultsDir, 'records', recordFileName(method, seed, key));
  }

  /** A cached record if present and intact; reports corrupt files (they are then recomputed). */
  private lookup(
    method: string,
    config: unknown,
    seed: number,
    task?: string,
  ): { key: string; file: string; record: RunRecord | null } {
    const key = this.keyFor(method, config, seed, task);
    const file = this.fileFor(key, method, seed);
    if (this.fresh) return { key, file, record: null };
    const r = readRecord(file);
    if (r.ok && r.record.key === key) return { key, file, record: r.record };
    if (r.ok) {
      console.warn(
        `rl-miniatures: ${file}: holds a record with key ${r.record.key}, expected ${key}; it will be recomputed`,
      );
      this.stats.recomputedCorrupt++;
      return { key, file, record: null };
    }
    if (!('missing' in r)) {
      console.warn(`rl-miniatures: ${r.reason}`);
      this.stats.recomputedCorrupt++;
    }
    return { key, file, record: null };
  }

  private store(
    key: string,
    file: string,
    method: string,
    config: unknown,
    seed: number,
    result: RunResult,
    wallTimeMs: number,
    task?: string,
  ): RunRecord {
    // Create-if-absent: a concurrent writer of the same key (another shard) may have stored it first; adopt it.
    const { record: rec } = storeRecord(
      file,
      {
        schema: 'rl-miniatures/run-record@1',
        key,
        paper: this.id,
        method,
        config,
        seed,
        profile: this.profile,
        metrics: result.metrics,
        series: result.series ?? {},
        extra: result.extra,
        ...(result.timings ? { timings: result.timings } : {}),
        ...(task ? { task } : {}),
        provenance: makeProvenance({
          notebookHash: this.recordNotebookHash(task),
          code: this.codeFor(task),
          seed,
          wallTimeMs,
        }),
      },
      { replace: this.fresh },
    );
    this.stats.computed++;
    return rec;
  }

  /** Run (or load from cache) one method × config × seed, in this thread. */
  async run(
    args: { method: string; seed: number; config: unknown },
    fn: (rng: Rng) => RunResult | Promise<RunResult>,
  ): Promise<RunRecord> {
    const { key, file, record } = this.lookup(args.method, args.config, args.seed);
    this.ask(key);
    if (record) {
      this.stats.hits++;
      this.records.set(key, record);
      return record;
    }
    if (process.env.RLMINI_CACHE_ONLY === '1')
      throw new Error(
        `${this.id}: the record of ${args.method} seed ${args.seed} is not stored: the results cannot be rebuilt ` +
          `from the stored records alone (cache-only run).`,
      );
    const t0 = Date.now();
    const result = await fn(this.rng(args.seed));
    const rec = this.store(key, file, args.method, args.config, args.seed, result, Date.now() - t0);
    this.records.set(key, rec);
    return rec;
  }

  /**
   * Run a library task for every seed (default: the notebook's seeds), spread across cores in
   * worker threads; cached seeds are loaded, the rest computed. Each finished seed is written at once.
   */
  async runSeeds(args: { method: string; task: string; config: unknown; seeds?: number[] }): Promise<RunRecord[]> {
    const seeds = args.seeds ?? this.seeds;
    const out: (RunRecord | null)[] = seeds.map(() => null);
    const todo: { i: number; key: string; file: string }[] = [];
    seeds.forEach((seed, i) => {
      const l = this.lookup(args.method, args.config, seed, args.task);
      this.ask(l.key);
      if (l.record) {
        this.stats.hits++;
        out[i] = l.record;
      } else todo.push({ i, key: l.key, file: l.file });
    });
    if (todo.length && process.env.RLMINI_CACHE_ONLY === '1') {
      throw new Error(
        `${this.id}: ${todo.length} record(s) of ${args.method} (seeds ${todo.map((t) => seeds[t.i]).join(', ')}) ` +
          `are not in ${path.relative(paths.root(), this.resultsDir)}/records: the results cannot be rebuilt from ` +
          `the stored records alone (cache-only run). Re-run \`npm run reports -- --only ${this.id}\` to compute them.`,
      );
    }
    const t0 = Date.now();
    await runTasks(
      todo.map((t) => ({ task: args.task, config: args.config, seed: seeds[t.i] })),
      (j, result) => {
        const t = todo[j];
        out[t.i] = this.store(t.key, t.file, args.method, args.config, seeds[t.i], result, Date.now() - t0, args.task);
      },
    );
    const recs = out as RunRecord[];
    for (const r of recs) this.records.set(r.key, r);
    return recs;
  }

  /**
   * Record and show a verdict. `nSeeds` is set to the notebook's number of seeds, or to `o.seeds` when
   * the check ran on another set of seeds (e.g. a section with its own seed list); when the check ran
   * over other units (pairs, cases), their count is kept in details.nCases. Prefer `claim` / `check`,
   * which say what kind of verdict it is; a bare `verdict` is recorded as a claim.
   */
  verdict(v: Verdict, o: VerdictOptions = {}): Verdict {
    if (v.profile !== this.profile)
      throw new Error(
        `${this.id}: verdict ${v.claimId} was computed with profile ${v.profile} but the notebook runs ` +
          `profile ${this.profile}.`,
      );
    const n = o.seeds ?? this.seeds.length;
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`${this.id}: verdict ${v.claimId}: seeds must be a positive integer, got ${o.seeds}`);
    let rec: Verdict =
      v.nSeeds === n ? { ...v } : { ...v, nSeeds: n, details: { ...(v.details ?? {}), nCases: v.nSeeds } };
    rec.kind = o.kind ?? v.kind ?? 'claim';
    if (o.dependsOn?.length) {
      if (rec.kind !== 'claim') throw new Error(`${this.id}: check ${v.claimId}: only claims depend on checks.`);
      rec.dependsOn = [...o.dependsOn];
    }
    if (o.decisions?.length) {
      rec.decisions = {};
      for (const name of o.decisions) rec.decisions[name] = this.preRegistered(name, `verdict ${v.claimId}`);
    }
    if (o.figure) {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(o.figure))
        throw new Error(
          `${this.id}: verdict ${v.claimId}: figure "${o.figure}" must be a figure name of this notebook.`,
        );
      rec.figure = `${this.id}/${o.figure}`;
    }
    rec = this.applyDependencies(rec);
    this.verdicts = this.verdicts.filter((x) => x.claimId !== v.claimId).concat([rec]);
    displayVerdict(rec);
    return rec;
  }

  /** A claim of the paper, tested on the miniature (counts as a reproduction when reproduced). */
  claim(v: Verdict, o: Omit<VerdictOptions, 'kind'> = {}): Verdict {
    return this.verdict(v, { ...o, kind: 'claim' });
  }

  /**
   * A check: an identity, a premise built into the setup, an implementation or testbed-validity check.
   * Shown apart from the claims and never counted as a reproduction. A claim that lists it in
   * `dependsOn` becomes `inconclusive (testbed invalid)` unless the check passes.
   */
  check(v: Verdict, o: Omit<VerdictOptions, 'kind' | 'dependsOn'> = {}): Verdict {
    return this.verdict(v, { ...o, kind: 'check' });
  }

  /** A claim whose dependencies did not all pass is inconclusive (testbed invalid), whatever its data say. */
  private applyDependencies(v: Verdict): Verdict {
    if (v.kind !== 'claim' || !v.dependsOn?.length) return v;
    // Applied again at finish(): what the data say is kept from the first time, never overwritten.
    const fromData = v.invalidatedBy ? ((v.details?.statusFromData as Verdict['status']) ?? v.status) : v.status;
    const failed = v.dependsOn.filter((id) => {
      const c = this.verdicts.find((x) => x.claimId === id);
      return c !== undefined && c.status !== 'reproduced';
    });
    if (failed.length === 0) {
      if (!v.invalidatedBy) return v;
      // The check was recorded again and now passes: the claim is what its data say.
      const { invalidatedBy: _gone, ...rest } = v;
      const { statusFromData: _dropped, ...details } = v.details ?? {};
      return { ...rest, status: fromData, details };
    }
    return {
      ...v,
      status: 'inconclusive',
      invalidatedBy: failed,
      details: { ...(v.details ?? {}), statusFromData: fromData },
    };
  }

  /** A pre-registered decision parameter (metadata.paper.decisions), with its justification. */
  private preRegistered(name: string, where: string): PreRegistered {
    const d = this.meta?.decisions?.[name];
    const file = this.notebookFile ? path.basename(this.notebookFile) : `${this.id}.ipynb`;
    if (!d) {
      const known = Object.keys(this.meta?.decisions ?? {});
      throw new Error(
        `${this.id}: ${where} uses decision parameter "${name}", which ${file} does not declare. Add it to ` +
          `metadata.paper.decisions as { "value": …, "justification": "…" } before the full run` +
          `${known.length ? ` (declared: ${known.join(', ')})` : ''}.`,
      );
    }
    if (typeof d.justification !== 'string' || d.justification.trim().length < 10)
      throw new Error(
        `${this.id}: decision parameter "${name}" in ${file} needs a justification tied to a measured scale ` +
          `(metadata.paper.decisions.${name}.justification).`,
      );
    return { value: d.value, justification: d.justification };
  }

  /**
   * The value of a pre-registered decision parameter (margin, ROPE, threshold, grid) declared in the
   * notebook's metadata.paper.decisions with its justification; throws if it is not declared.
   */
  decision<T extends PreRegistered['value'] = number>(name: string): T {
    return this.preRegistered(name, 'nb.decision').value as T;
  }

  /**
   * Show a reading of the results as markdown and keep it in the summary. Build the text from the
   * records (template literals over computed values), never by typing numbers: it then cannot
   * disagree with the verdicts.
   */
  reading(markdown: string): void {
    if (typeof markdown !== 'string' || !markdown.trim())
      throw new Error(`${this.id}: nb.reading needs markdown text.`);
    this.readings.push(markdown);
    displayMarkdown(markdown);
  }

  /** Verdicts recorded so far. */
  getVerdicts(): Verdict[] {
    return [...this.verdicts];
  }

  table(t: TableSpec): void {
    this.tables = this.tables.filter((x) => x.name !== t.name).concat([t]);
    displayTable(t);
  }

  figure(name: string, caption: string, plotly: FigureSpec['plotly']): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      throw new Error(
        `${this.id}: figure name "${name}" must be lowercase letters, digits and dashes (it becomes the stable id ` +
          `${this.id}/<name>).`,
      );
    const f: FigureSpec = { id: `${this.id}/${name}`, name, caption, plotly };
    this.figures = this.figures.filter((x) => x.name !== name).concat([f]);
    displayFigure(f);
  }

  /**
   * Publish one method's per-seed values of a metric for the testbed's comparison page
   * (reports/compare/<testbed>.html), where papers on the same testbed reporting the same metric and
   * method are drawn side by side on shared axes, with 95% bootstrap intervals over seeds:
   *
   *   nb.compare({ metric: "final return", method: "PPO", values: recs.map((r) => r.metrics.ret), higherIsBetter: true
   *   });
   *
   * `seeds` defaults to the notebook's seeds (then `values` must have one entry per seed).
   */
  compare(c: {
    metric: string;
    method: string;
    values: ArrayLike<number>;
    higherIsBetter: boolean;
    seeds?: number[];
    unit?: string;
    note?: string;
  }): void {
    const where = `${this.id}: nb.compare`;
    const metric = typeof c.metric === 'string' ? c.metric.trim() : '';
    const method = typeof c.method === 'string' ? c.method.trim() : '';
    if (!metric) throw new Error(`${where}: metric must be a non-empty string (e.g. "final return").`);
    if (!method)
      throw new Error(
        `${where}({ metric: ${JSON.stringify(metric)} }): method must be a non-empty string (e.g. "PPO").`,
      );
    if (typeof c.higherIsBetter !== 'boolean')
      throw new Error(`${where}(${metric}, ${method}): higherIsBetter must be true or false.`);
    const values = Array.from(c.values ?? [], Number);
    if (values.length === 0)
      throw new Error(`${where}(${metric}, ${method}): values is empty; pass one value per seed.`);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new Error(
        `${where}(${metric}, ${method}): values[${bad}] = ${String(values[bad])} is not a finite number.`,
      );
    const seeds = c.seeds ?? (values.length === this.seeds.length ? this.seeds : null);
    if (!seeds)
      throw new Error(
        `${where}(${metric}, ${method}): ${values.length} values but the notebook has ${this.seeds.length} seeds; ` +
          `pass seeds: [...] (one per value).`,
      );
    if (seeds.length !== values.length)
      throw new Error(
        `${where}(${metric}, ${method}): ${values.length} values but ${seeds.length} seeds; pass one seed per value.`,
      );
    const spec: ComparisonSpec = { metric, method, values, seeds: [...seeds], higherIsBetter: c.higherIsBetter };
    if (c.unit) spec.unit = String(c.unit);
    if (c.note) spec.note = String(c.note);
    const same = (x: ComparisonSpec) =>
      x.metric.toLowerCase() === metric.toLowerCase() && x.method.toLowerCase() === method.toLowerCase();
    this.comparisons = this.comparisons.filter((x) => !same(x)).concat([spec]);
    displayComparison(spec);
  }

  /**
   * Publish a testbed's standard-protocol results (a protocol notebook calls it once): every method's score per
   * task and seed, rendered as the rliable-style leaderboard of reports/compare/<testbed>.html.
   */
  protocol(spec: ProtocolSpec): void {
    const where = `${this.id}: nb.protocol`;
    const checked = checkProtocol(spec, where);
    if (!checked.ok) throw new Error(`${checked.error}. Pass scores[task][seed] for every method (tasks × seeds).`);
    this.protocolSpec = checked.value;
    const rows = checked.value.methods.map((m) => {
      const all = m.scores.flat();
      return [m.name, m.budget, all.reduce((a, b) => a + b, 0) / all.length];
    });
    displayTable({
      name: 'protocol',
      caption: `Protocol ${checked.value.testbed}: mean ${checked.value.score.name} over tasks × seeds`,
      columns: ['method', 'budget', `mean ${checked.value.score.name}`],
      rows,
    });
  }

  /** The protocol results published with protocol(), if any. */
  getProtocol(): ProtocolSpec | null {
    return this.protocolSpec;
  }

  /** Results published with compare() so far. */
  getComparisons(): ComparisonSpec[] {
    return this.comparisons.map((c) => ({ ...c, values: [...c.values], seeds: [...c.seeds] }));
  }

  private last: Summary | null = null;

  /**
   * Remove stale record files of this notebook and profile: those written by other notebook code or
   * library code (they can never be hit again). Records of other seeds or configs of the same code stay.
   */
  private pruneStale(): void {
    const dir = path.join(this.resultsDir, 'records');
    if (!fs.existsSync(dir)) return;
    removeStaleTempFiles(dir); // left by a writer killed mid-write
    const keep = new Set([...this.records.values()].map((r) => path.basename(this.fileFor(r.key, r.method, r.seed))));
    for (const f of fs.readdirSync(dir)) {
      if (!isRecordFile(f) || keep.has(f)) continue;
      const r = readRecord(path.join(dir, f));
      // Current = today's notebook and code would give it this very key (another seed or config of it).
      let current = false;
      try {
        current = r.ok && this.keyFor(r.record.method, r.record.config, r.record.seed, r.record.task) === r.record.key;
      } catch {
        current = false; // its task module no longer exists: it can never be hit again
      }
      if (!current) fs.rmSync(path.join(dir, f), { force: true });
    }
  }

  /** The summary written by finish(), if any. */
  summary(): Summary | null {
    return this.last;
  }

  /** Write summary.json (atomically). */
  finish(): void {
    // Claims recorded before the checks they rely on: resolve now; a dependency never recorded is an error.
    for (const v of this.verdicts) {
      const missing = (v.dependsOn ?? []).filter(
        (id) => !this.verdicts.some((x) => x.claimId === id && x.kind === 'check'),
      );
      if (missing.length)
        throw new Error(
          `${this.id}: claim ${v.claimId} depends on ${missing.join(', ')}, which the notebook never recorded with ` +
            `nb.check(...). Record the check, or remove it from dependsOn.`,
        );
    }
    this.verdicts = this.verdicts.map((v) => this.applyDependencies(v));
    const summary: Summary = {
      schema: SUMMARY_SCHEMA,
      paper: this.id,
      meta: this.meta,
      profile: this.profile,
      params: this.params as Record<string, unknown>,
      seeds: this.seeds,
      verdicts: this.verdicts,
      ...(this.readings.length ? { readings: [...this.readings] } : {}),
      tables: this.tables,
      figures: this.figures,
      records: [...this.records.values()]
        .sort((a, b) => (this.asked.get(a.key) ?? Infinity) - (this.asked.get(b.key) ?? Infinity))
        .map((r) => ({
          key: r.key,
          method: r.method,
          seed: r.seed,
          metrics: r.metrics,
        })),
      provenance: makeProvenance({
        notebookHash: this.notebookHash,
        code: notebookCode(this.id, this.codeSource),
        seed: null,
        wallTimeMs: Date.now() - this.started,
      }),
      configHash: hashValue({ params: this.params, profile: this.profile }).slice(0, 16),
      wallTimeMs: Date.now() - this.started,
      cached: { ...this.stats },
      comparisons: this.getComparisons(),
      ...(this.protocolSpec ? { protocol: this.protocolSpec } : {}),
    };
    // Published results change only through the runner's own run (`npm run reports`, which sets
    // RLMINI_PUBLISH=1). An interactive run (Jupyter) writes its records as always but its summary goes to
    // interactive/summary.json (untracked), never over the published one.
    const publish = process.env.RLMINI_PUBLISH === '1';
    if (!publish) {
      const file = path.join(this.resultsDir, 'interactive', 'summary.json');
      writeFileAtomic(file, JSON.stringify(summary, null, 1) + '\n');
      this.pruneStale();
      this.last = summary;
      const msg =
        `${this.id}: interactive run — ${this.verdicts.length} verdicts; records ${this.stats.hits} cached, ` +
        `${this.stats.computed} computed. Not published: the summary went to ` +
        `${path.relative(paths.root(), file)}; the published results change only with ` +
        `\`npm run reports -- --only ${this.id}${this.profile === 'full' ? '' : ` --profile ${this.profile}`}\`.`;
      console.log(msg);
      return;
    }
    // Rewrite only when the results changed: a cached re-run (new timestamps, same numbers) leaves the
    // committed summary untouched, so rebuilding the reports does not dirty the working tree.
    const file = path.join(this.resultsDir, 'summary.json');
    const stable = (x: Summary) => JSON.stringify({ ...x, provenance: null, wallTimeMs: null, cached: null });
    let same = false;
    try {
      const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as Summary;
      // `npm run reports -- --publish` (clean tree) re-stamps a result computed from a dirty tree.
      const restamp = process.env.RLMINI_REPUBLISH === '1' && prev.provenance?.dirty && !summary.provenance.dirty;
      same = !restamp && stable(prev) === stable(JSON.parse(JSON.stringify(summary)) as Summary);
    } catch {
      same = false;
    }
    if (!same) writeFileAtomic(file, JSON.stringify(summary, null, 1) + '\n');
    // What this run did (cache hits, wall time) goes to an untracked sidecar, written every time.
    writeFileAtomic(
      path.join(this.resultsDir, 'last-run.json'),
      JSON.stringify(
        {
          createdAt: new Date().toISOString(),
          wallTimeMs: summary.wallTimeMs,
          cached: summary.cached,
          summaryRewritten: !same,
        },
        null,
        1,
      ) + '\n',
    );
    this.pruneStale();
    this.last = summary;
    console.log(
      `${this.id}: ${this.verdicts.length} verdicts, ${this.tables.length} tables, ${this.figures.length} figures; ` +
        `records ${this.stats.hits} cached, ${this.stats.computed} computed → ` +
        `${path.relative(paths.root(), this.resultsDir)}/summary.json`,
    );
  }
}

export function startNotebook<Spec extends Record<string, ParamSpec>>(
  opts: NotebookSessionOptions<Spec>,
): NotebookSession<Spec> {
  return new NotebookSession(opts);
}
