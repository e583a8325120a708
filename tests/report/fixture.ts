/**
 * A scratch reports workspace without a kernel: a small catalog, notebooks, summaries written as the
 * notebook session writes them, and executed notebooks as the runner writes them (or forged ones).
 * `use()` points the kit's paths at it (RLMINI_* variables) for in-process builds; `restore()` undoes that.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Summary } from '../../src/core/summary';
import type { Verdict } from '../../src/stats/verdict';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    claimId: 'c1',
    claim: 'A beats B',
    check:
      'Claim: mean over 5 seeds of the paired difference (A − B) > 0. 95% expanded-percentile bootstrap CI; ' +
      'reproduced iff the whole CI is > 0; not reproduced iff it is wholly ≤ 0; otherwise inconclusive.',
    status: 'reproduced',
    estimate: 0.25,
    lo: 0.125,
    hi: 0.375,
    level: 0.95,
    nSeeds: 5,
    profile: 'full',
    evidence: true,
    kind: 'claim',
    ...over,
  };
}

export function summary(id: string, over: Partial<Summary> = {}): Summary {
  const profile = over.profile ?? 'full';
  return {
    schema: 'rl-miniatures/summary@1',
    paper: id,
    meta: {
      id,
      title: `Paper ${id}`,
      authors: ['A. Author'],
      year: 2024,
      url: 'https://example.org/paper',
      bibtex: `@article{${id.replace(/\W/g, '_')}2024,\n  title = {${id}},\n  year = {2024}\n}`,
      claims: [{ id: 'c1', quote: 'A beats B' }],
      design: 'A miniature.',
      deviations: ['smaller'],
    },
    profile,
    params: { seeds: 5 },
    seeds: [0, 1, 2, 3, 4],
    verdicts: [verdict({ profile, evidence: profile === 'full' })],
    tables: [
      {
        name: 't',
        caption: 'Results',
        columns: ['method', 'score'],
        rows: [
          ['A', 0.5],
          ['B', 0.25],
        ],
      },
    ],
    figures: [
      {
        id: `${id}/scores`,
        name: 'scores',
        caption: `Scores of ${id}`,
        plotly: { data: [{ type: 'bar', x: ['A', 'B'], y: [0.5, 0.25] }], layout: { title: { text: id } } },
      },
    ],
    records: [],
    provenance: {
      kitVersion: '0.1.0',
      commit: COMMIT,
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

export interface CatalogRow {
  id: string;
  tier?: 'A' | 'B' | 'C' | 'D';
  testbed?: string | null;
  family?: string;
}

export function reportsWorkspace(name: string, catalog: CatalogRow[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rlmini-${name}-`));
  const dirs = {
    notebooks: path.join(dir, 'notebooks'),
    results: path.join(dir, 'results'),
    reports: path.join(dir, 'reports'),
    catalog: path.join(dir, 'catalog.json'),
  };
  fs.mkdirSync(dirs.notebooks, { recursive: true });
  fs.writeFileSync(
    dirs.catalog,
    JSON.stringify({
      papers: catalog.map((c) => ({
        id: c.id,
        title: `Catalog title of ${c.id}`,
        tier: c.tier ?? 'A',
        wave: 1,
        testbed: c.testbed === undefined ? 'tabular' : c.testbed,
        family: c.family ?? 'reward-learning',
        value: 1,
        core_claim: '',
        headline_numbers: '',
        mini_experiment: c.tier === 'C' || c.tier === 'D' ? 'C: needs a real robot' : 'a miniature',
        components: [],
        abstract: '',
      })),
    }),
  );
  const env: Record<string, string> = {
    RLMINI_NOTEBOOKS_DIR: dirs.notebooks,
    RLMINI_RESULTS_DIR: dirs.results,
    RLMINI_REPORTS_DIR: dirs.reports,
    RLMINI_CATALOG: dirs.catalog,
    RLMINI_COMMIT: COMMIT,
    RLMINI_DIRTY: '0',
  };
  const saved: Record<string, string | undefined> = {};
  return {
    dir,
    dirs,
    env,
    use() {
      for (const [k, v] of Object.entries(env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
    },
    restore() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
    /** The paper's notebook (its metadata.paper) under notebooks/. */
    notebook(id: string, cells: unknown[] = []) {
      fs.writeFileSync(
        path.join(dirs.notebooks, `${id}.ipynb`),
        JSON.stringify({
          cells,
          metadata: { paper: summary(id).meta, kernelspec: { name: 'tslab' } },
          nbformat: 4,
          nbformat_minor: 5,
        }),
      );
    },
    summary(id: string, s: unknown, profile = 'full') {
      const f = path.join(dirs.results, id, profile, 'summary.json');
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, JSON.stringify(s, null, 1));
    },
    /** The executed notebook as the runner leaves it (status ok, or failed at a cell). */
    executed(
      id: string,
      cells: unknown[],
      run: { status: string; failedCell?: number | null; error?: string | null } = { status: 'ok' },
      profile = 'full',
    ) {
      const f = path.join(dirs.reports, 'notebooks', profile, `${id}.ipynb`);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(
        f,
        JSON.stringify({
          cells,
          metadata: { rlmini: { executed: '2025-03-05T00:00:00Z', failedCell: null, error: null, ...run } },
          nbformat: 4,
          nbformat_minor: 5,
        }),
      );
      return f;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function codeCell(source: string, outputs: unknown[] = [], count: unknown = 1) {
  return { cell_type: 'code', source, metadata: {}, outputs, execution_count: count };
}

export function mdCell(source: string) {
  return { cell_type: 'markdown', source, metadata: {} };
}

export function display(data: Record<string, unknown>) {
  return { output_type: 'display_data', data, metadata: {} };
}
