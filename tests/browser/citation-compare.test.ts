/**
 * The data behind the citable, comparable reports (no browser needed): CITATION.cff against the CFF
 * 1.2.0 schema, BibTeX that stays well-formed whatever a caption holds, the comparison aggregation
 * (means, intervals, shared methods) and the notebook API that publishes comparable results.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { bibEscape, bibKey, citeBlock, figureCitation, figureKey, KIT_TITLE } from '../../src/report/cite';
import { compareTestbed, meanInterval, slugify } from '../../src/report/compare';
import { exportHash, safeFigureId } from '../../src/report/export';
import type { ComparisonSpec, Summary } from '../../src/core/summary';
import { ROOT } from '../helpers';

const PY = '/usr/bin/python3';

/** The parts of the official CFF 1.2.0 schema (schema.json) that a software CITATION.cff uses. */
const CFF_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema',
  type: 'object',
  additionalProperties: false,
  required: ['authors', 'cff-version', 'message', 'title'],
  properties: {
    abstract: { type: 'string', minLength: 1 },
    authors: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { anyOf: [{ $ref: '#/definitions/person' }, { $ref: '#/definitions/entity' }] },
    },
    'cff-version': { type: 'string', pattern: '^1\\.2\\.0$' },
    commit: { type: 'string', minLength: 1 },
    contact: { type: 'array' },
    'date-released': { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$' },
    doi: { type: 'string' },
    identifiers: { type: 'array' },
    keywords: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    license: { type: 'string', minLength: 1 },
    'license-url': { type: 'string', pattern: '^(https|http|ftp|sftp)://.+' },
    message: { type: 'string', minLength: 1 },
    'preferred-citation': { type: 'object' },
    references: { type: 'array' },
    repository: { type: 'string', pattern: '^(https|http|ftp|sftp)://.+' },
    'repository-artifact': { type: 'string', pattern: '^(https|http|ftp|sftp)://.+' },
    'repository-code': { type: 'string', pattern: '^(https|http|ftp|sftp)://.+' },
    title: { type: 'string', minLength: 1 },
    type: { type: 'string', enum: ['dataset', 'software'] },
    url: { type: 'string', pattern: '^(https|http|ftp|sftp)://.+' },
    version: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'number' }] },
  },
  definitions: {
    entity: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: Object.fromEntries(
        [
          'address',
          'alias',
          'city',
          'country',
          'date-end',
          'date-start',
          'email',
          'fax',
          'location',
          'name',
          'orcid',
          'post-code',
          'region',
          'tel',
          'website',
        ].map((k) => [k, { type: 'string', minLength: 1 }]),
      ),
    },
    person: {
      type: 'object',
      additionalProperties: false,
      required: ['family-names'],
      properties: Object.fromEntries(
        [
          'address',
          'affiliation',
          'alias',
          'city',
          'country',
          'email',
          'family-names',
          'fax',
          'given-names',
          'name-particle',
          'name-suffix',
          'orcid',
          'post-code',
          'region',
          'tel',
          'website',
        ].map((k) => [k, { type: 'string', minLength: 1 }]),
      ),
    },
  },
};

describe('CITATION.cff', () => {
  it('is valid YAML and valid against the CFF 1.2.0 schema, and matches the package', () => {
    const script =
      'import json,sys,yaml,jsonschema\nd=yaml.safe_load(open(sys.argv[1]))\n' +
      'jsonschema.validate(d, json.loads(sys.argv[2]))\nprint(json.dumps(d))';
    const r = spawnSync(PY, ['-c', script, path.join(ROOT, 'CITATION.cff'), JSON.stringify(CFF_SCHEMA)], {
      encoding: 'utf8',
    });
    if (r.status !== 0 && /No module named/.test(r.stderr))
      throw new Error(
        'python3-yaml and python3-jsonschema are needed to validate CITATION.cff ' +
          `(sudo apt-get install -y python3-yaml python3-jsonschema):\n${r.stderr}`,
      );
    expect(r.status, r.stderr).toBe(0);
    const cff = JSON.parse(r.stdout);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(cff['cff-version']).toBe('1.2.0');
    expect(String(cff.version)).toBe(pkg.version);
    expect(cff.license).toBe(pkg.license);
    expect(cff.type).toBe('software');
    expect(cff.title).toBe(KIT_TITLE);
    // The schema check must be able to fail: an unknown key and a person without family-names are rejected.
    const bad = spawnSync(
      PY,
      [
        '-c',
        'import json,sys,jsonschema\njsonschema.validate(json.loads(sys.argv[1]), json.loads(sys.argv[2]))',
        JSON.stringify({ ...cff, authors: [{ 'given-names': 'X' }], colour: 'red' }),
        JSON.stringify(CFF_SCHEMA),
      ],
      { encoding: 'utf8' },
    );
    expect(bad.status).not.toBe(0);
  });
});

function summary(over: Partial<Summary> = {}): Summary {
  return {
    schema: 'rl-miniatures/summary@1',
    paper: 'p',
    meta: null,
    profile: 'full',
    params: {},
    seeds: [0, 1, 2, 3, 4],
    verdicts: [],
    tables: [],
    figures: [],
    records: [],
    provenance: {
      kitVersion: '0.1.0',
      commit: 'abcdef0123456789',
      dirty: false,
      notebookHash: 'n'.repeat(64),
      codeHash: 'l'.repeat(64),
      code: {},
      backend: 'typed-arrays',
      backendPackage: null,
      node: 'v20',
      packages: {},
      platform: 'linux-x64',
      cpus: 2,
      seed: null,
      wallTimeMs: 1,
      createdAt: '2025-03-04T00:00:00Z',
    },
    configHash: 'c0ffee',
    wallTimeMs: 1,
    cached: { hits: 0, computed: 0, recomputedCorrupt: 0 },
    ...over,
  };
}

/** Braces balance (escaped braces aside) and never go negative. */
function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s.replace(/\\[{}]/g, '')) {
    d += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    if (d < 0) return false;
  }
  return d === 0;
}

describe('citations', () => {
  it('escapes LaTeX specials so that a caption cannot break the entry', () => {
    expect(bibEscape('50% of {a}_b & c#d $x$ ~ ^ \\cmd')).toBe(
      '50\\% of \\{a\\}\\_b \\& c\\#d \\$x\\$ \\textasciitilde{} \\textasciicircum{} \\textbackslash{}cmd',
    );
    expect(bibEscape('line\nbreak')).toBe('line break');
  });

  it('a figure entry: stable key, id, caption and provenance; the block adds the kit and the paper', () => {
    const meta = {
      id: 'p',
      title: 'A } paper',
      authors: [],
      year: 2024,
      url: '',
      bibtex: '@article{smith2024p,\n  title = {P},\n}',
      claims: [],
    };
    const caption = 'Unbalanced } brace, 100% sure, x_1 and a % comment';
    const c = figureCitation(meta, summary(), { id: 'p/fig-one', caption });
    expect(c.key).toBe('rlmini:p:fig-one');
    expect(figureKey('starc/spearman-by-metric')).toBe('rlmini:starc:spearman-by-metric');
    expect(c.bibtex.startsWith('@misc{rlmini:p:fig-one,\n')).toBe(true);
    expect(c.bibtex).toContain('Unbalanced \\} brace, 100\\% sure, x\\_1 and a \\% comment');
    expect(c.bibtex).toContain('(BibTeX key smith2024p)');
    expect(c.bibtex).toMatch(
      new RegExp(
        /profile full, 5 seeds \(0--4\), backend typed-arrays, /.source +
          /rl-miniatures 0\.1\.0 commit abcdef012345, config hash c0ffee/.source,
      ),
    );
    expect(c.bibtex).toContain('year         = {2025}');
    expect(balanced(c.bibtex)).toBe(true);
    expect(c.bibtex.split('\n').every((l) => !/(^|[^\\])%/.test(l))).toBe(true); // no raw % (a comment in BibTeX)
    const block = citeBlock(meta, summary(), { id: 'p/fig-one', caption }, '9.9.9');
    expect(block).toContain('@software{rl_miniatures,');
    expect(block).toContain('version = {9.9.9}');
    expect(block.trimEnd().endsWith(meta.bibtex)).toBe(true);
    expect(bibKey(meta.bibtex)).toBe('smith2024p');
    expect(bibKey('no entry')).toBeNull();
  });
});

describe('comparison pages: aggregation', () => {
  const spec = (metric: string, method: string, values: number[], higherIsBetter = true): ComparisonSpec => ({
    metric,
    method,
    values,
    seeds: values.map((_, i) => i),
    higherIsBetter,
  });
  const paper = (id: string, comparisons: ComparisonSpec[] | undefined) => ({
    id,
    title: `Paper ${id}`,
    page: true,
    summary: summary({ paper: id, comparisons }),
  });

  it('groups by metric, matches methods across papers, and gives mean and bootstrap interval per paper', () => {
    const c = compareTestbed('tabular', [
      paper('b', [
        spec('Return', 'ppo', [1, 2, 3, 4]),
        spec('Return', 'SAC', [5, 5, 5, 5]),
        spec('steps', 'PPO', [10, 20], false),
      ]),
      paper('a', [spec('return', 'PPO', [10, 12, 14, 16]), spec('return', 'DQN', [0, 1])]),
      paper('c', undefined), // built, publishes nothing (older summary)
    ]);
    expect(c.slug).toBe('tabular');
    expect(c.papers.map((p) => [p.id, p.published])).toEqual([
      ['b', 3],
      ['a', 2],
      ['c', 0],
    ]);
    expect(c.groups.map((g) => g.metric)).toEqual(['Return', 'steps']); // the group with a shared method first
    const g = c.groups[0];
    expect(g.slug).toBe('return');
    expect(g.papers.map((p) => p.id)).toEqual(['a', 'b']);
    expect(g.rows.map((r) => [r.method, r.shared])).toEqual([
      ['ppo', true],
      ['DQN', false],
      ['SAC', false],
    ]);
    const [a, b] = g.rows[0].cells;
    expect(a!.mean).toBe(13);
    expect(b!.mean).toBe(2.5);
    for (const cell of [a!, b!]) {
      expect(cell.lo).toBeLessThan(cell.mean);
      expect(cell.hi).toBeGreaterThan(cell.mean);
    }
    expect(a!.lo).toBeGreaterThanOrEqual(10);
    expect(a!.hi).toBeLessThanOrEqual(16);
    expect(g.rows[1].cells[1]).toBeNull(); // DQN is not in paper b
    const sac = g.rows[2].cells[1]!;
    expect([sac.mean, sac.lo, sac.hi]).toEqual([5, 5, 5]); // no spread, no interval width
    expect(g.higherIsBetter).toBe(true);
    expect(c.groups[1].higherIsBetter).toBe(false);
    expect(c.nShared).toBe(1);
    // The figure: one trace per paper on one shared pair of axes, error bars = the intervals.
    const data = g.figure.plotly.data as {
      name: string;
      x: string[];
      y: number[];
      error_y: { array: number[]; arrayminus: number[] };
    }[];
    expect(g.figure.id).toBe('compare/tabular/return');
    expect(data.map((t) => t.name)).toEqual(['a', 'b']);
    expect(data[0].x).toEqual(['ppo', 'DQN']);
    expect(data[0].y[0]).toBe(13);
    expect(data[0].error_y.array[0]).toBeCloseTo(a!.hi - 13, 12);
    expect(data[0].error_y.arrayminus[0]).toBeCloseTo(13 - a!.lo, 12);
    expect(
      Object.keys(g.figure.plotly.layout)
        .filter((k) => /^[xy]axis\d*$/.test(k))
        .sort(),
    ).toEqual(['xaxis', 'yaxis']);
  });

  it('flags papers that disagree on the direction, and ignores malformed entries', () => {
    const c = compareTestbed('bandits', [
      paper('a', [spec('regret', 'UCB', [1, 2, 3], false)]),
      paper('b', [
        spec('regret', 'UCB', [2, 3, 4], true),
        { metric: 'regret', method: 'bad', values: [NaN], seeds: [0], higherIsBetter: true } as ComparisonSpec,
      ]),
    ]);
    expect(c.groups[0].higherIsBetter).toBeNull();
    expect(c.groups[0].rows.map((r) => r.method)).toEqual(['UCB']);
  });

  it('meanInterval is deterministic and degenerate for one seed', () => {
    expect(meanInterval([3], 'x')).toEqual({ mean: 3, lo: 3, hi: 3 });
    expect(meanInterval([1, 2, 3, 4, 5], 'k')).toEqual(meanInterval([1, 2, 3, 4, 5], 'k'));
    expect(slugify(' Final Return (%) ')).toBe('final-return');
  });

  it('plotly text from notebooks is entity-escaped', () => {
    const c = compareTestbed('t', [paper('a', [spec('m', '<b onmouseover=x>', [1, 2])])]);
    const t = (c.groups[0].figure.plotly.data as { x: string[] }[])[0];
    expect(t.x[0]).toBe('&lt;b onmouseover=x&gt;');
  });
});

describe('static export bookkeeping', () => {
  it('the export hash follows the figure data and only plain ids map to files', () => {
    const f = { id: 'p/a', plotly: { data: [{ type: 'bar', y: [1, 2] }], layout: {} } };
    expect(exportHash(f)).toBe(exportHash(JSON.parse(JSON.stringify(f))));
    expect(exportHash(f)).not.toBe(exportHash({ ...f, plotly: { ...f.plotly, data: [{ type: 'bar', y: [1, 3] }] } }));
    expect(exportHash(f)).not.toBe(exportHash({ ...f, plotly: { ...f.plotly, layout: { width: 900 } } }));
    for (const ok of ['starc/spearman-by-metric', 'compare/tabular/success-rate'])
      expect(safeFigureId(ok), ok).toBe(true);
    for (const bad of ['../x', 'a/../../b', '/abs', 'a//b', 'a b', 'a/.']) expect(safeFigureId(bad), bad).toBe(false);
  });
});

describe('nb.compare', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-compare-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('validates its input, keeps the latest value per metric and method, and writes them to the summary', async () => {
    process.env.RLMINI_RESULTS_DIR = path.join(tmp, 'results');
    process.env.RLMINI_PUBLISH = '1';
    process.env.RLMINI_NOTEBOOKS_DIR = path.join(tmp, 'notebooks');
    const { startNotebook } = await import('../../src/core/notebook');
    const nb = startNotebook({
      id: 'cmp-test',
      profile: 'smoke',
      spec: { seeds: { type: 'int[]' } },
      defaults: { smoke: { seeds: [0, 1, 2] }, full: { seeds: [0, 1, 2] } },
    });
    expect(() => nb.compare({ metric: '', method: 'PPO', values: [1, 2, 3], higherIsBetter: true })).toThrow(
      /cmp-test: nb\.compare: metric must be a non-empty string/,
    );
    expect(() => nb.compare({ metric: 'ret', method: 'PPO', values: [1, 2], higherIsBetter: true })).toThrow(
      /2 values but the notebook has 3 seeds; pass seeds/,
    );
    expect(() => nb.compare({ metric: 'ret', method: 'PPO', values: [1, NaN, 2], higherIsBetter: true })).toThrow(
      /values\[1\] = NaN is not a finite number/,
    );
    expect(() =>
      nb.compare({ metric: 'ret', method: 'PPO', values: [1, 2], seeds: [0], higherIsBetter: true }),
    ).toThrow(/2 values but 1 seeds/);
    expect(() =>
      nb.compare({ metric: 'ret', method: 'PPO', values: [1, 2, 3], higherIsBetter: 'yes' as unknown as boolean }),
    ).toThrow(/higherIsBetter must be true or false/);
    nb.compare({ metric: 'ret', method: 'PPO', values: [1, 2, 3], higherIsBetter: true });
    nb.compare({
      metric: 'Ret',
      method: 'ppo',
      values: new Float64Array([4, 5, 6]),
      higherIsBetter: true,
      unit: 'reward',
    }); // replaces the first
    nb.compare({
      metric: 'ret',
      method: 'SAC',
      values: [7, 8],
      seeds: [5, 9],
      higherIsBetter: true,
      note: 'two seeds',
    });
    nb.finish();
    const s = JSON.parse(
      fs.readFileSync(path.join(tmp, 'results', 'cmp-test', 'smoke', 'summary.json'), 'utf8'),
    ) as Summary;
    expect(s.comparisons).toEqual([
      { metric: 'Ret', method: 'ppo', values: [4, 5, 6], seeds: [0, 1, 2], higherIsBetter: true, unit: 'reward' },
      { metric: 'ret', method: 'SAC', values: [7, 8], seeds: [5, 9], higherIsBetter: true, note: 'two seeds' },
    ]);
  });
});
