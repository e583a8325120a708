/**
 * Schemas of the kit's display types (verdict, table, figure, comparison, markdown) and of the
 * summary the pages are rendered from. Everything a page shows comes from files that anyone can edit
 * (an executed notebook, summary.json), so each value is type-checked here before it reaches a
 * template: a value that does not fit is not rendered, and the page says which field was wrong.
 * Strings are still escaped by the templates; these checks make sure a "number" is a number, a
 * status is one of the statuses, an id is a plain id, and no object sits where text is expected.
 */
import { PROFILES } from '../core/params';
import type { PaperMeta } from '../core/ipynb';
import type {
  ComparisonSpec,
  FigureSpec,
  ProtocolMethodResult,
  ProtocolSpec,
  Summary,
  TableSpec,
} from '../core/summary';
import type { PreRegistered, Verdict } from '../stats/verdict';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Longest text accepted in one field (a claim, a caption, a table cell). */
export const MAX_FIELD_CHARS = 20_000;
/** Longest id (claim id, figure name). */
const MAX_ID_CHARS = 200;

class SchemaError extends Error {}

function fail(where: string, what: string, got: unknown): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  throw new SchemaError(`${where}: expected ${what}, got ${kind}`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown, where: string, max = MAX_FIELD_CHARS): string {
  if (typeof x !== 'string') fail(where, 'text', x);
  if (x.length > max) throw new SchemaError(`${where}: text longer than ${max} characters`);
  return x;
}

function optStr(x: unknown, where: string, max = MAX_FIELD_CHARS): string | undefined {
  return x === undefined ? undefined : str(x, where, max);
}

/** A number; JSON writes NaN and ±Infinity as null, so null reads back as NaN. */
function num(x: unknown, where: string): number {
  if (x === null) return NaN;
  if (typeof x !== 'number') fail(where, 'a number', x);
  return x;
}

function int(x: unknown, where: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) fail(where, 'a whole number ≥ 0', x);
  return x;
}

function bool(x: unknown, where: string): boolean {
  if (typeof x !== 'boolean') fail(where, 'true or false', x);
  return x;
}

function oneOf<T extends string>(x: unknown, allowed: readonly T[], where: string): T {
  if (typeof x !== 'string' || !(allowed as readonly string[]).includes(x))
    fail(where, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, x);
  return x as T;
}

function strList(x: unknown, where: string, max = MAX_FIELD_CHARS): string[] {
  if (!Array.isArray(x)) fail(where, 'a list of text', x);
  return x.map((s, i) => str(s, `${where}[${i}]`, max));
}

function record<T>(x: unknown, where: string, each: (v: unknown, where: string) => T): Record<string, T> {
  if (!isObject(x)) fail(where, 'an object', x);
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(x)) out[str(k, `${where} key`, MAX_ID_CHARS)] = each(v, `${where}.${k}`);
  return out;
}

function guard<T>(f: () => T): Checked<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof SchemaError) return { ok: false, error: e.message };
    throw e;
  }
}

const STATUSES = ['reproduced', 'not reproduced', 'inconclusive'] as const;
const KINDS = ['claim', 'check'] as const;
/** A figure id as the notebook API makes it: `<paper>/<name>` (or `compare/<testbed>/<metric>`). */
const FIGURE_ID = /^[^\s/][^/]*(\/[^\s/][^/]*)+$/;

function preRegistered(x: unknown, where: string): PreRegistered {
  if (!isObject(x)) fail(where, 'an object { value, justification }', x);
  const v = x.value;
  let value: PreRegistered['value'];
  if (typeof v === 'number' || typeof v === 'boolean') value = v;
  else if (typeof v === 'string') value = str(v, `${where}.value`, 2000);
  else if (Array.isArray(v)) value = v.map((n, i) => num(n, `${where}.value[${i}]`));
  else fail(`${where}.value`, 'a number, text, true/false or a list of numbers', v);
  return { value, justification: str(x.justification, `${where}.justification`, 4000) };
}

/** A verdict (application/vnd.rlmini.verdict+json, or one of summary.verdicts). */
export function checkVerdict(x: unknown, where = 'verdict'): Checked<Verdict> {
  return guard(() => {
    if (!isObject(x)) fail(where, 'an object', x);
    const v: Verdict = {
      claimId: str(x.claimId, `${where}.claimId`, MAX_ID_CHARS),
      claim: str(x.claim, `${where}.claim`),
      check: str(x.check, `${where}.check`),
      status: oneOf(x.status, STATUSES, `${where}.status`),
      estimate: num(x.estimate, `${where}.estimate`),
      lo: num(x.lo, `${where}.lo`),
      hi: num(x.hi, `${where}.hi`),
      level: num(x.level, `${where}.level`),
      nSeeds: int(x.nSeeds, `${where}.nSeeds`),
      profile: oneOf(x.profile, PROFILES, `${where}.profile`),
      evidence: bool(x.evidence, `${where}.evidence`),
    };
    if (x.details !== undefined)
      v.details = record(x.details, `${where}.details`, (d, w) =>
        typeof d === 'number' ? d : str(d, w, MAX_FIELD_CHARS),
      );
    if (x.kind !== undefined) v.kind = oneOf(x.kind, KINDS, `${where}.kind`);
    if (x.dependsOn !== undefined) v.dependsOn = strList(x.dependsOn, `${where}.dependsOn`, MAX_ID_CHARS);
    if (x.invalidatedBy !== undefined)
      v.invalidatedBy = strList(x.invalidatedBy, `${where}.invalidatedBy`, MAX_ID_CHARS);
    if (x.decisions !== undefined) v.decisions = record(x.decisions, `${where}.decisions`, preRegistered);
    if (x.figure !== undefined) {
      const f = str(x.figure, `${where}.figure`, MAX_ID_CHARS);
      if (!FIGURE_ID.test(f)) fail(`${where}.figure`, 'a figure id "<paper>/<name>"', f);
      v.figure = f;
    }
    return v;
  });
}

/** Rows of a table beyond this are not rendered (the page says how many were left out). */
export const MAX_TABLE_ROWS = 2000;

/** A table (application/vnd.rlmini.table+json, or one of summary.tables). */
export function checkTable(x: unknown, where = 'table'): Checked<TableSpec> {
  return guard(() => {
    if (!isObject(x)) fail(where, 'an object', x);
    const columns = strList(x.columns, `${where}.columns`, 2000);
    if (!Array.isArray(x.rows)) fail(`${where}.rows`, 'a list of rows', x.rows);
    const rows = x.rows.map((r, i) => {
      if (!Array.isArray(r)) fail(`${where}.rows[${i}]`, 'a list of cells', r);
      return r.map((c, j) => {
        if (c === null || typeof c === 'number' || typeof c === 'string') {
          if (typeof c === 'string') str(c, `${where}.rows[${i}][${j}]`);
          return c;
        }
        return fail(`${where}.rows[${i}][${j}]`, 'a number, text or null', c);
      });
    });
    return {
      name: x.name === undefined ? '' : str(x.name, `${where}.name`, MAX_ID_CHARS),
      caption: x.caption === undefined ? '' : str(x.caption, `${where}.caption`),
      columns,
      rows,
    };
  });
}

/** A figure (application/vnd.rlmini.figure+json, or one of summary.figures). */
export function checkFigure(x: unknown, where = 'figure'): Checked<FigureSpec> {
  return guard(() => {
    if (!isObject(x)) fail(where, 'an object', x);
    const id = str(x.id, `${where}.id`, MAX_ID_CHARS);
    if (!FIGURE_ID.test(id)) fail(`${where}.id`, 'a figure id "<paper>/<name>"', id);
    const p = x.plotly;
    if (!isObject(p)) fail(`${where}.plotly`, 'an object { data, layout }', p);
    if (!Array.isArray(p.data)) fail(`${where}.plotly.data`, 'a list of traces', p.data);
    p.data.forEach((t, i) => isObject(t) || fail(`${where}.plotly.data[${i}]`, 'a trace object', t));
    const layout = p.layout === undefined ? {} : p.layout;
    if (!isObject(layout)) fail(`${where}.plotly.layout`, 'an object', layout);
    return {
      id,
      name: str(x.name, `${where}.name`, MAX_ID_CHARS),
      caption: str(x.caption, `${where}.caption`),
      plotly: { data: p.data, layout },
    };
  });
}

/** A result published for the comparison pages (application/vnd.rlmini.comparison+json). */
export function checkComparison(x: unknown, where = 'comparison'): Checked<ComparisonSpec> {
  return guard(() => {
    if (!isObject(x)) fail(where, 'an object', x);
    if (!Array.isArray(x.values) || x.values.length === 0) fail(`${where}.values`, 'a non-empty list', x.values);
    const values = x.values.map((v, i) => {
      const n = num(v, `${where}.values[${i}]`);
      if (!Number.isFinite(n)) fail(`${where}.values[${i}]`, 'a finite number', v);
      return n;
    });
    const c: ComparisonSpec = {
      metric: str(x.metric, `${where}.metric`, 2000),
      method: str(x.method, `${where}.method`, 2000),
      values,
      seeds:
        x.seeds === undefined
          ? []
          : (Array.isArray(x.seeds) ? x.seeds : fail(`${where}.seeds`, 'a list', x.seeds)).map((s, i) =>
              int(s, `${where}.seeds[${i}]`),
            ),
      higherIsBetter: bool(x.higherIsBetter, `${where}.higherIsBetter`),
    };
    const unit = optStr(x.unit, `${where}.unit`, 2000);
    const note = optStr(x.note, `${where}.note`, 2000);
    if (unit !== undefined) c.unit = unit;
    if (note !== undefined) c.note = note;
    return c;
  });
}

/** A matrix of finite numbers with `rows` rows of `cols` columns (tasks × seeds). */
function matrix(x: unknown, rows: number, cols: number, where: string): number[][] {
  if (!Array.isArray(x) || x.length !== rows) fail(where, `a list of ${rows} rows (one per task)`, x);
  return x.map((row, t) => {
    if (!Array.isArray(row) || row.length !== cols)
      fail(`${where}[${t}]`, `a list of ${cols} values (one per seed)`, row);
    return row.map((v, k) => {
      const n = num(v, `${where}[${t}][${k}]`);
      if (!Number.isFinite(n)) fail(`${where}[${t}][${k}]`, 'a finite number', v);
      return n;
    });
  });
}

/** A testbed's protocol results (summary.protocol). */
export function checkProtocol(x: unknown, where = 'protocol'): Checked<ProtocolSpec> {
  return guard(() => {
    if (!isObject(x)) fail(where, 'an object', x);
    const tasks = strList(x.tasks, `${where}.tasks`, MAX_ID_CHARS);
    if (tasks.length === 0) fail(`${where}.tasks`, 'a non-empty list', x.tasks);
    if (!Array.isArray(x.seeds) || x.seeds.length === 0) fail(`${where}.seeds`, 'a non-empty list', x.seeds);
    const seeds = x.seeds.map((v, i) => int(v, `${where}.seeds[${i}]`));
    if (!isObject(x.score)) fail(`${where}.score`, 'an object', x.score);
    if (!Array.isArray(x.methods) || x.methods.length === 0) fail(`${where}.methods`, 'a non-empty list', x.methods);
    const methods = x.methods.map((m, i): ProtocolMethodResult => {
      const w = `${where}.methods[${i}]`;
      if (!isObject(m)) fail(w, 'an object', m);
      return {
        name: str(m.name, `${w}.name`, MAX_ID_CHARS),
        budget: oneOf(m.budget, ['labels', 'exact'] as const, `${w}.budget`),
        regime: str(m.regime ?? '', `${w}.regime`, MAX_ID_CHARS),
        papers: strList(m.papers ?? [], `${w}.papers`, MAX_ID_CHARS),
        source: str(m.source ?? '', `${w}.source`, 2000),
        summary: str(m.summary ?? '', `${w}.summary`, 2000),
        scores: matrix(m.scores, tasks.length, seeds.length, `${w}.scores`),
        metrics: record(m.metrics ?? {}, `${w}.metrics`, (v, wm) => matrix(v, tasks.length, seeds.length, wm)),
      };
    });
    const names = methods.map((m) => m.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) fail(`${where}.methods`, 'distinct method names', dup);
    const notEntered = (Array.isArray(x.notEntered) ? x.notEntered : []).map((n, i) => {
      const w = `${where}.notEntered[${i}]`;
      if (!isObject(n)) fail(w, 'an object', n);
      return {
        name: str(n.name, `${w}.name`, MAX_ID_CHARS),
        papers: strList(n.papers ?? [], `${w}.papers`, MAX_ID_CHARS),
        reason: str(n.reason, `${w}.reason`, 2000),
      };
    });
    const ranked = new Set(methods.filter((m) => m.budget !== 'exact').map((m) => m.name));
    const citations = (Array.isArray(x.citations) ? x.citations : []).map((c, i) => {
      const w = `${where}.citations[${i}]`;
      if (!isObject(c)) fail(w, 'an object', c);
      const out = {
        paper: str(c.paper, `${w}.paper`, MAX_ID_CHARS),
        claim: str(c.claim, `${w}.claim`, MAX_ID_CHARS),
        better: str(c.better, `${w}.better`, MAX_ID_CHARS),
        worse: str(c.worse, `${w}.worse`, MAX_ID_CHARS),
        ...(c.note !== undefined ? { note: str(c.note, `${w}.note`, 2000) } : {}),
      };
      for (const k of ['better', 'worse'] as const)
        if (!ranked.has(out[k]))
          fail(`${w}.${k}`, `a ranked method of the protocol (${[...ranked].join(', ')})`, out[k]);
      if (out.better === out.worse) fail(`${w}.worse`, 'a method other than `better`', out.worse);
      return out;
    });
    const name = x.name === undefined ? undefined : str(x.name, `${where}.name`, MAX_ID_CHARS);
    if (name !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
      fail(`${where}.name`, 'a lowercase slug (letters, digits, single dashes)', name);
    return {
      testbed: str(x.testbed, `${where}.testbed`, MAX_ID_CHARS),
      ...(name !== undefined ? { name } : {}),
      ...(x.title !== undefined ? { title: str(x.title, `${where}.title`, 200) } : {}),
      ...(citations.length ? { citations } : {}),
      description: str(x.description ?? '', `${where}.description`),
      score: {
        name: str(x.score.name, `${where}.score.name`, MAX_ID_CHARS),
        higherIsBetter: bool(x.score.higherIsBetter, `${where}.score.higherIsBetter`),
        definition: str(x.score.definition ?? '', `${where}.score.definition`),
      },
      tasks,
      seeds,
      limits: str(x.limits ?? '', `${where}.limits`),
      methods,
      notEntered,
    };
  });
}

/** Markdown text (text/markdown: a string or a list of lines). */
export function checkMarkdown(x: unknown, where = 'markdown'): Checked<string> {
  return guard(() => (Array.isArray(x) ? strList(x, where, Infinity).join('') : str(x, where, Infinity)));
}

/** A summary with every entry checked: what does not fit the schema is left out and listed in `problems`. */
export interface CheckedSummary {
  summary: Summary;
  problems: string[];
}

function keepValid<T>(xs: unknown, where: string, check: (x: unknown, w: string) => Checked<T>, problems: string[]) {
  if (xs === undefined) return [];
  if (!Array.isArray(xs)) {
    problems.push(`${where}: expected a list, got ${typeof xs}`);
    return [];
  }
  const out: T[] = [];
  xs.forEach((x, i) => {
    const r = check(x, `${where}[${i}]`);
    if (r.ok) out.push(r.value);
    else problems.push(r.error);
  });
  return out;
}

/**
 * Check a parsed summary.json. Returns null (with the reason) when the summary as a whole is not one;
 * otherwise the summary with only the entries that fit the schema.
 */
export function checkSummary(x: unknown): { ok: true; value: CheckedSummary } | { ok: false; error: string } {
  const problems: string[] = [];
  const head = guard(() => {
    if (!isObject(x)) fail('summary', 'an object', x);
    const profile = oneOf(x.profile, PROFILES, 'summary.profile');
    const paper = str(x.paper, 'summary.paper', MAX_ID_CHARS);
    if (!isObject(x.provenance)) fail('summary.provenance', 'an object', x.provenance);
    const p = x.provenance;
    const provenance = {
      ...p,
      kitVersion: str(p.kitVersion ?? '', 'summary.provenance.kitVersion', 200),
      commit: str(p.commit ?? 'unknown', 'summary.provenance.commit', 200),
      dirty: p.dirty === undefined ? false : bool(p.dirty, 'summary.provenance.dirty'),
      notebookHash: str(p.notebookHash ?? '', 'summary.provenance.notebookHash', 200),
      codeHash: str(p.codeHash ?? '', 'summary.provenance.codeHash', 200),
      backend: str(p.backend ?? '', 'summary.provenance.backend', 200),
      node: str(p.node ?? '', 'summary.provenance.node', 200),
      platform: str(p.platform ?? '', 'summary.provenance.platform', 200),
      createdAt: str(p.createdAt ?? '', 'summary.provenance.createdAt', 200),
      cpus: p.cpus === undefined ? 0 : int(p.cpus, 'summary.provenance.cpus'),
      code: p.code === undefined ? {} : record(p.code, 'summary.provenance.code', (v, w) => str(v, w, 200)),
    } as Summary['provenance'];
    const seeds = (Array.isArray(x.seeds) ? x.seeds : fail('summary.seeds', 'a list', x.seeds)).map((s, i) =>
      int(s, `summary.seeds[${i}]`),
    );
    const params =
      x.params === undefined ? {} : isObject(x.params) ? x.params : fail('summary.params', 'an object', x.params);
    const cached = isObject(x.cached) ? x.cached : {};
    return {
      profile,
      paper,
      provenance,
      seeds,
      params,
      configHash: str(x.configHash ?? '', 'summary.configHash', 200),
      wallTimeMs: typeof x.wallTimeMs === 'number' ? x.wallTimeMs : 0,
      cached: {
        hits: typeof cached.hits === 'number' ? cached.hits : 0,
        computed: typeof cached.computed === 'number' ? cached.computed : 0,
        recomputedCorrupt: typeof cached.recomputedCorrupt === 'number' ? cached.recomputedCorrupt : 0,
      },
    };
  });
  if (!head.ok) return head;
  const s = x as Record<string, unknown>;
  const records = Array.isArray(s.records) ? (s.records as Summary['records']) : [];
  const summary: Summary = {
    schema: 'rl-miniatures/summary@1',
    ...head.value,
    meta: checkMeta(s.meta, problems, 'summary.meta'),
    verdicts: keepValid(s.verdicts, 'summary.verdicts', checkVerdict, problems),
    tables: keepValid(s.tables, 'summary.tables', checkTable, problems),
    figures: keepValid(s.figures, 'summary.figures', checkFigure, problems),
    records,
    comparisons: keepValid(s.comparisons, 'summary.comparisons', checkComparison, problems),
  };
  if (s.protocol !== undefined) {
    const pr = checkProtocol(s.protocol, 'summary.protocol');
    if (pr.ok) summary.protocol = pr.value;
    else problems.push(pr.error);
  }
  if (s.readings !== undefined) summary.readings = keepValid(s.readings, 'summary.readings', checkMarkdown, problems);
  return { ok: true, value: { summary, problems } };
}

/**
 * The paper metadata (metadata.paper of a notebook, or summary.meta). A field that does not fit is
 * replaced by its empty value and listed in `problems`; the rest of the metadata is still shown.
 */
export function checkMeta(x: unknown, problems: string[], where = 'metadata.paper'): PaperMeta | null {
  if (x === null || x === undefined) return null;
  if (!isObject(x)) {
    problems.push(`${where}: expected an object, got ${typeof x}`);
    return null;
  }
  const field = <T>(name: string, f: () => T, empty: T): T => {
    if (x[name] === undefined) return empty;
    const r = guard(f);
    if (r.ok) return r.value;
    problems.push(r.error);
    return empty;
  };
  const meta: PaperMeta = {
    id: field('id', () => str(x.id, `${where}.id`, MAX_ID_CHARS), ''),
    title: field('title', () => str(x.title, `${where}.title`), ''),
    authors: field('authors', () => strList(x.authors, `${where}.authors`, 2000), [] as string[]),
    year: field('year', () => int(x.year, `${where}.year`), 0),
    url: field('url', () => str(x.url, `${where}.url`, 2000), ''),
    bibtex: field('bibtex', () => str(x.bibtex, `${where}.bibtex`), ''),
    claims: field(
      'claims',
      () => {
        if (!Array.isArray(x.claims)) fail(`${where}.claims`, 'a list', x.claims);
        return x.claims.map((c, i) => {
          if (!isObject(c)) fail(`${where}.claims[${i}]`, 'an object { id, quote }', c);
          return {
            id: str(c.id, `${where}.claims[${i}].id`, MAX_ID_CHARS),
            quote: str(c.quote, `${where}.claims[${i}].quote`),
          };
        });
      },
      [] as PaperMeta['claims'],
    ),
    design: field('design', () => str(x.design, `${where}.design`), ''),
    deviations: field('deviations', () => strList(x.deviations, `${where}.deviations`), [] as string[]),
  };
  const venue = field('venue', () => str(x.venue, `${where}.venue`, 2000), '');
  if (venue) meta.venue = venue;
  const decisions = field('decisions', () => record(x.decisions, `${where}.decisions`, preRegistered), undefined);
  if (decisions) meta.decisions = decisions;
  return meta;
}
