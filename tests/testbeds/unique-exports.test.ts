/**
 * Layout rules for src/testbeds/, checked on the TypeScript sources (no build needed):
 * - one name, one thing: no exported name (value or type) is defined by two modules;
 * - no paper ids in file names: a testbed holds what papers share, a paper's experiment lives in
 *   src/papers/<id>/ (see DESIGN.md, "Layout").
 * Each rule is first run on a small fixture in a temp dir (a clash must be reported, a clean tree must
 * pass), then on the real tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers';

const TESTBEDS = path.join(ROOT, 'src', 'testbeds');

/**
 * Catalog ids that are also the name of the reusable method the paper introduced: a testbed may hold
 * that method in a file named exactly after it (e.g. `methods/dno.ts`, its loss and the equation it
 * implements); any other file name containing the id (`dno-experiment.ts`, `bnpo-gru.ts`) is still
 * reported. Ids that name a paper rather than a method (`correlated-proxies`, `dpo-implicit-rm`,
 * `entropy-mechanism`, `grpo-off-policy`, `prm-clip-delta`, `reasoning-boundary-paradox`,
 * `regret-preference-model`, `rlvr-two-stage`) are not listed. Add an id here only with its method.
 */
const METHOD_NAMED_IDS: ReadonlyMap<string, string> = new Map([
  ['adora', 'ADORA, advantage dynamics via online rollout adaptation (its length-advantage reweighting)'],
  ['bapo', 'BAPO, balanced policy optimization with adaptive clipping (its objective)'],
  ['barfi', 'BARFI, behavior alignment via reward function optimization (bi-level reward learning)'],
  ['bnpo', 'BNPO, beta normalization policy optimization (its advantage normalisation)'],
  ['classp', 'CLASSP, the thresholded per-weight decaying optimiser (continual learning)'],
  ['copo', 'COPO, consistency-aware policy optimization (its global loss and entropy blend)'],
  ['cpl', 'CPL, contrastive preference learning (its loss)'],
  ['dichotomy-of-control', 'DoC, dichotomy of control (its future-conditioned learner with the MI penalty)'],
  ['dno', 'DNO, direct Nash optimization'],
  ['inpo', 'INPO, iterative Nash policy optimization'],
  ['nash-md', 'Nash-MD, Nash mirror descent'],
  ['p3o', 'P3O, pairwise proximal policy optimization'],
  ['pal', 'PAL, the pluralistic ideal-point mixture reward model (its protocol recipe)'],
  ['parl', 'PARL, policy alignment as a bilevel problem (A-PARL and its PEBBLE-style baseline)'],
  ['par', 'PAR, preference as reward (reward shaping)'],
  ['riskpo', 'RiskPO, risk-based policy optimization (its bundle MVaR advantage)'],
  ['rover', 'ROVER, random policy valuation'],
  ['rpo', 'RPO, SFT-regularised preference optimization'],
  ['starc', 'STARC, the canonicalise-normalise-measure reward metrics'],
]);

/** Every .ts source (not .d.ts) under dir, as paths relative to dir with '/' separators, sorted. */
function tsFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (fs.statSync(path.join(dir, r)).isDirectory()) out.push(...tsFiles(dir, r));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(r);
  }
  return out;
}

const IDENT = '[A-Za-z_$][\\w$]*';
/**
 * Top-level declarations:
 * `export [declare] [abstract|async] function|class|interface|type|const|let|var|enum|namespace NAME`.
 */
const DECLARATION = new RegExp(
  `^export\\s+(?:declare\\s+)?(?:abstract\\s+|async\\s+)?` +
    `(?:function\\s*\\*?|class|interface|type|const\\s+enum|const|let|var|enum|namespace)\\s+(${IDENT})`,
  'gm',
);
/** Export lists, local or re-exported: `export [type] { a, type b, c as d } [from '…']`. */
const EXPORT_LIST = /^export\s+(?:type\s+)?\{([^}]*)\}/gm;
/** Namespace re-exports: `export * as ns from '…'`. */
const EXPORT_STAR_AS = new RegExp(`^export\\s+\\*\\s+as\\s+(${IDENT})`, 'gm');

/**
 * The names a module exports, read from its source. Declarations count everywhere; export lists and
 * `export * as` count except in index.ts, whose job is to re-export its folder's modules. Top-level
 * statements only (prettier puts them at column 0); `export default` and destructuring exports are
 * not read.
 */
function exportedNames(source: string, isIndex: boolean): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(DECLARATION)) names.add(m[1]);
  if (!isIndex) {
    for (const m of source.matchAll(EXPORT_LIST)) {
      for (const item of m[1].split(',')) {
        const parts = item
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/);
        const name = parts[parts.length - 1].trim();
        if (name) names.add(name);
      }
    }
    for (const m of source.matchAll(EXPORT_STAR_AS)) names.add(m[1]);
  }
  return names;
}

/**
 * Parallel structures repeat names by design, and only these: every comparison protocol of a testbed
 * (`<tb>/protocol/` or `<tb>/protocol-<name>/`; docs/compare.md) exports the same contract from its `core.ts` and
 * `index.ts` (PROTOCOL_TASKS, ProtocolConfig, ProtocolRecipe, runRecipe, PROTOCOL_METHODS, NOT_ENTERED, …), and
 * every protocol task module (any `.ts` under a protocol folder's `recipes/`, one per method so that a record's key
 * covers one method's code) exports the task's `recipe` and `run`. The role of a (file, name) pair, or null where
 * the name must be unique.
 */
function contractRole(file: string, name: string): string | null {
  const m = /^[^/]+\/protocol(-[a-z0-9-]+)?\/(core|index)\.ts$/.exec(file);
  if (m) return `protocol/${m[2]}.ts`;
  if (/^[^/]+\/protocol(-[a-z0-9-]+)?\/recipes\/.+\.ts$/.test(file) && (name === 'recipe' || name === 'run')) {
    return `protocol task module (${name})`;
  }
  return null;
}

/**
 * Names exported by two or more modules under dir, each with the modules (relative paths); a name repeated only
 * by files of one contract role (`contractRole`, at most once per testbed for protocol/core and index) passes.
 */
function exportClashes(dir: string): { name: string; files: string[] }[] {
  const where = new Map<string, string[]>();
  for (const file of tsFiles(dir)) {
    const isIndex = path.posix.basename(file) === 'index.ts';
    for (const name of exportedNames(fs.readFileSync(path.join(dir, file), 'utf8'), isIndex)) {
      where.set(name, [...(where.get(name) ?? []), file]);
    }
  }
  const contract = (name: string, files: string[]): boolean => {
    const roles = new Set(files.map((f) => contractRole(f, name)));
    const [role] = roles;
    if (roles.size !== 1 || role === null) return false;
    // One contract module per protocol folder (`<tb>/protocol/`, `<tb>/protocol-<name>/`).
    if (role.startsWith('protocol/'))
      return new Set(files.map((f) => f.split('/').slice(0, 2).join('/'))).size === files.length;
    return true;
  };
  return [...where]
    .filter(([name, files]) => files.length > 1 && !contract(name, files))
    .map(([name, files]) => ({ name, files }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Files (and folders) under dir whose name contains a catalog id as whole dash-separated words
 * (`starc-experiment.ts` contains `starc`; `compare.ts` does not contain `par`). A name that is
 * exactly an id in `allowed` (a method named after the paper's algorithm) passes.
 */
function paperIdsInNames(
  dir: string,
  ids: readonly string[],
  allowed: ReadonlySet<string>,
): { file: string; id: string }[] {
  const out: { file: string; id: string }[] = [];
  for (const file of tsFiles(dir)) {
    const segments = file.split('/');
    segments.forEach((segment, i) => {
      const base = segment.replace(/(\.test)?\.ts$/, '').toLowerCase();
      const words = base.split(/[-_.]/);
      for (const id of ids) {
        const idWords = id.toLowerCase().split('-');
        const contains = words.some((_, k) => idWords.every((w, j) => words[k + j] === w));
        if (contains && !(allowed.has(id) && base === id.toLowerCase())) {
          const shown = segments.slice(0, i + 1).join('/') + (i < segments.length - 1 ? '/' : '');
          if (!out.some((o) => o.file === shown && o.id === id)) out.push({ file: shown, id });
        }
      }
    });
  }
  return out;
}

/** Files under dir named `*-experiment.ts` or `experiment.ts`: a paper's experiment, which belongs in src/papers/. */
function experimentFiles(dir: string): string[] {
  return tsFiles(dir).filter((f) => /(^|-)experiment$/.test(path.posix.basename(f).replace(/\.ts$/, '')));
}

function catalogIds(): string[] {
  const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'catalog.json'), 'utf8')) as {
    papers: { id: string }[];
  };
  return catalog.papers.map((p) => p.id);
}

// --- the checks on fixtures ---------------------------------------------------------------------

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temp dir holding the given files (relative path → source). */
function fixture(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-layout-'));
  tmpDirs.push(dir);
  for (const [rel, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), src);
  }
  return dir;
}

describe('layout checks on fixtures', () => {
  it('reports a name exported by two modules (value vs type, nested folders), not index re-exports', () => {
    const dir = fixture({
      'a/index.ts': "export * as x from './x';\nexport { foo } from './x';\n",
      'a/x.ts': 'export function foo(n: number): number {\n  return n;\n}\nexport const bar = 1;\n',
      'b/deep/y.ts':
        '/** foo, the type. */\nexport type foo = { n: number };\nexport interface Baz {\n  n: number;\n}\n',
      'b/z.ts':
        '// export function bar() is only a comment here\nconst local = 2;\nexport { local as Baz };\n' +
        'export class Qux {}\nexport declare const enum Mode {\n  A,\n}\n',
      'c.ts': "export * as qux from './b/z';\nexport async function* stream() {}\nexport enum Other {\n  B,\n}\n",
    });
    expect(exportClashes(dir)).toEqual([
      { name: 'Baz', files: ['b/deep/y.ts', 'b/z.ts'] },
      { name: 'foo', files: ['a/x.ts', 'b/deep/y.ts'] },
    ]);
    expect([...exportedNames(fs.readFileSync(path.join(dir, 'b/z.ts'), 'utf8'), false)].sort()).toEqual([
      'Baz',
      'Mode',
      'Qux',
    ]);
    expect([...exportedNames(fs.readFileSync(path.join(dir, 'c.ts'), 'utf8'), false)].sort()).toEqual([
      'Other',
      'qux',
      'stream',
    ]);
  });

  it('passes a tree where every exported name is defined once (overloads and merged declarations count once)', () => {
    const dir = fixture({
      'index.ts': "export * as x from './x';\nexport * as y from './y';\n",
      'x.ts':
        'export function f(a: number): number;\nexport function f(a: number, b?: number): number {\n  return a;\n}\n',
      'y.ts': 'export interface G {\n  n: number;\n}\nexport function G(): G {\n  return { n: 1 };\n}\n',
    });
    expect(exportClashes(dir)).toEqual([]);
  });

  it('allows only the protocol contract to repeat names across testbeds, and task modules their recipe and run', () => {
    const core = 'export interface ProtocolConfig {\n  n: number;\n}\nexport const PROTOCOL_TASKS = [];\n';
    const task = 'export const recipe = {};\nexport const run = () => 1;\n';
    const dir = fixture({
      'a/protocol/core.ts': core,
      'b/protocol/core.ts': core,
      'b/protocol-second/core.ts': core,
      'a/protocol/index.ts': 'export const PROTOCOL_METHODS = [];\n',
      'b/protocol/index.ts': 'export const PROTOCOL_METHODS = [];\n',
      'a/protocol/recipes/x.ts': task + 'export const SAMPLES = 8;\n',
      'a/protocol/recipes/deep/y.ts': task + 'export const SAMPLES = 8;\n',
      'b/protocol/recipes/z.ts': task,
      'b/trainer/recipes.ts': 'export interface ProtocolConfig {\n  m: number;\n}\nexport const run = 2;\n',
    });
    expect(exportClashes(dir)).toEqual([
      {
        name: 'ProtocolConfig',
        files: ['a/protocol/core.ts', 'b/protocol/core.ts', 'b/protocol-second/core.ts', 'b/trainer/recipes.ts'],
      },
      { name: 'SAMPLES', files: ['a/protocol/recipes/deep/y.ts', 'a/protocol/recipes/x.ts'] },
      {
        name: 'run',
        files: [
          'a/protocol/recipes/deep/y.ts',
          'a/protocol/recipes/x.ts',
          'b/protocol/recipes/z.ts',
          'b/trainer/recipes.ts',
        ],
      },
    ]);
    expect(exportClashes(fixture({ 'a/protocol/core.ts': core, 'a/other/core.ts': core })).map((c) => c.name)).toEqual([
      'PROTOCOL_TASKS',
      'ProtocolConfig',
    ]);
  });

  it('reports file and folder names containing a paper id, allows a listed method name, ignores substrings', () => {
    const ids = ['starc', 'cpl', 'par', 'dpo-implicit-rm', 'entropy-mechanism'];
    const dir = fixture({
      'tabular/starc-experiment.ts': '',
      'tabular/methods/cpl.ts': '',
      'tabular/methods/cpl-gru.ts': '',
      'tabular/compare.ts': '',
      'preference/dpo-implicit-rm/run.ts': '',
      'preference/dpo.ts': '',
      'preference/par.ts': '',
      'rlvr/entropy-gru.ts': '',
    });
    expect(paperIdsInNames(dir, ids, new Set(['cpl']))).toEqual([
      { file: 'preference/dpo-implicit-rm/', id: 'dpo-implicit-rm' },
      { file: 'preference/par.ts', id: 'par' },
      { file: 'tabular/methods/cpl-gru.ts', id: 'cpl' },
      { file: 'tabular/starc-experiment.ts', id: 'starc' },
    ]);
    expect(paperIdsInNames(fixture({ 'env/gridworld.ts': '', 'methods/cpl.ts': '' }), ids, new Set(['cpl']))).toEqual(
      [],
    );
    expect(experimentFiles(dir)).toEqual(['tabular/starc-experiment.ts']);
  });
});

// --- the checks on src/testbeds -----------------------------------------------------------------

describe('src/testbeds layout', () => {
  it('every allow-listed method name is a catalog id', () => {
    const ids = new Set(catalogIds());
    expect([...METHOD_NAMED_IDS.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });

  it('no exported name (value or type) is defined in two modules', () => {
    const clashes = exportClashes(TESTBEDS).map((c) => `${c.name}: ${c.files.join(', ')}`);
    expect(clashes, `exported by more than one module under src/testbeds/:\n${clashes.join('\n')}`).toEqual([]);
  });

  it('no file or folder name contains a catalog paper id (except a method named after its paper)', () => {
    const found = paperIdsInNames(TESTBEDS, catalogIds(), new Set(METHOD_NAMED_IDS.keys())).map(
      (f) => `${f.file} (paper id '${f.id}')`,
    );
    expect(
      found,
      `paper ids in src/testbeds/ names (move the experiment to src/papers/<id>/):\n${found.join('\n')}`,
    ).toEqual([]);
  });

  it("no paper's experiment module (*-experiment.ts) is left in a testbed", () => {
    const found = experimentFiles(TESTBEDS);
    expect(found, `experiments under src/testbeds/ (move them to src/papers/<id>/):\n${found.join('\n')}`).toEqual([]);
  });
});
