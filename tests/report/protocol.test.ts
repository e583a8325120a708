import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProtocolMethodResult, ProtocolSpec } from '../../src/core/summary';
import { protocolBoard } from '../../src/report/protocol';
import { checkProtocol } from '../../src/report/schema';
import { PROTOCOL_DEFAULTS } from '../../src/testbeds/preference/protocol';
import { ROOT } from '../helpers';

const method = (name: string, scores: number[][], budget: 'labels' | 'exact' = 'labels'): ProtocolMethodResult => ({
  name,
  budget,
  regime: 'online',
  papers: [],
  source: `src/x/${name}.ts`,
  summary: name,
  scores,
  metrics: {},
});

const spec = (methods: ProtocolMethodResult[], higherIsBetter = true): ProtocolSpec => ({
  testbed: 'toy',
  description: '',
  score: { name: 'score', higherIsBetter, definition: '' },
  tasks: ['t1', 't2'],
  seeds: [0, 1, 2, 3],
  limits: '',
  methods,
  notEntered: [],
});

describe('protocol leaderboard', () => {
  // a: pooled scores 0..7 → IQM = mean of the middle half {2, 3, 4, 5} = 3.5 (scipy trim_mean(x, 0.25))
  const a = method('a', [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ]);
  const b = method('b', [
    [-3, -2, -1, -1],
    [-1, -1, -1, 0],
  ]);
  const ref = method(
    'exact',
    [
      [100, 100, 100, 100],
      [100, 100, 100, 100],
    ],
    'exact',
  );

  it('ranks by IQM, keeps exact-oracle references unranked, and computes IQM and P(improvement) exactly', () => {
    const board = protocolBoard(spec([b, ref, a]));
    expect(board.rows.map((r) => [r.name, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['exact', null],
    ]);
    expect(board.rows[0].iqm.estimate).toBeCloseTo(3.5, 12);
    expect(board.rows[0].mean.estimate).toBeCloseTo(3.5, 12);
    expect(board.rows[0].perTask).toEqual([1.5, 5.5]);
    expect(board.rows[1].iqm.estimate).toBeCloseTo(-1, 12); // pooled sorted: -3 -2 -1 -1 -1 -1 -1 0
    // every a-score beats every b-score in both tasks: P(a > b) = 1 in every bootstrap replicate
    expect(board.poi.names).toEqual(['a', 'b']);
    expect(board.poi.cells[0][1]).toEqual({ estimate: 1, lo: 1, hi: 1 });
    expect(board.poi.cells[1][0].estimate).toBe(0);
    expect(board.poi.cells[0][0].estimate).toBe(0.5);
    // intervals contain the estimate and stay within the data
    const r = board.rows[0].iqm;
    expect(r.lo).toBeLessThanOrEqual(3.5);
    expect(r.hi).toBeGreaterThanOrEqual(3.5);
    expect(r.lo).toBeGreaterThanOrEqual(0);
    expect(r.hi).toBeLessThanOrEqual(7);
  });

  it('P(X > Y) + P(Y > X) = 1 with ties counting ½, per task averaged', () => {
    const x = method('x', [
      [1, 2, 3, 4],
      [0, 0, 1, 1],
    ]);
    const y = method('y', [
      [2, 2, 2, 2],
      [1, 1, 0, 0],
    ]);
    const board = protocolBoard(spec([x, y]));
    const i = board.poi.names.indexOf('x'),
      j = board.poi.names.indexOf('y');
    // task 1: x beats 2 in 8/16 cases (3, 4 vs four 2s), ties 4/16 → 0.5 + 0.125 = 0.625; task 2: 0.5 by symmetry
    expect(board.poi.cells[i][j].estimate).toBeCloseTo((0.625 + 0.5) / 2, 12);
    expect(board.poi.cells[i][j].estimate + board.poi.cells[j][i].estimate).toBeCloseTo(1, 12);
  });

  it('lower-is-better scores rank the lowest first', () => {
    const board = protocolBoard(spec([a, b], false));
    expect(board.rows[0].name).toBe('b');
    expect(board.poi.cells[0][1].estimate).toBe(1); // P(b better than a)
  });

  it('draws three figures with stable ids under compare/<testbed>/', () => {
    const board = protocolBoard(spec([a, b, ref]));
    expect(Object.values(board.figures).map((f) => f.id)).toEqual([
      'compare/toy/protocol-iqm',
      'compare/toy/protocol-poi',
      'compare/toy/protocol-profile',
    ]);
    // the performance profile of a starts at 1 (all runs above the smallest threshold) and ends at 0
    const prof = (board.figures.profile.plotly.data as { name: string; y: number[] }[]).find((t) => t.name === 'a')!;
    expect(prof.y[0]).toBe(1);
    expect(prof.y[prof.y.length - 1]).toBe(0);
  });

  it('names the figures of a named protocol after it, and accepts only a slug as the name', () => {
    const board = protocolBoard({ ...spec([a, b]), name: 'reward-learning', title: 'reward learning' });
    expect(Object.values(board.figures).map((f) => f.id)).toEqual([
      'compare/toy/protocol-reward-learning-iqm',
      'compare/toy/protocol-reward-learning-poi',
      'compare/toy/protocol-reward-learning-profile',
    ]);
    expect(checkProtocol({ ...spec([a]), name: 'reward-learning' }).ok).toBe(true);
    const bad = checkProtocol({ ...spec([a]), name: 'Reward Learning' });
    expect(!bad.ok && bad.error).toMatch(/protocol\.name.*lowercase slug/);
  });

  it('attaches P(better > worse) and both IQMs to a citation, and rejects citing an unranked or unknown method', () => {
    const cited = { ...spec([a, b, ref]), citations: [{ paper: 'p', claim: 'c', better: 'b', worse: 'a' }] };
    expect(checkProtocol(cited).ok).toBe(true);
    const board = protocolBoard(cited);
    const i = board.poi.names.indexOf('b'),
      j = board.poi.names.indexOf('a');
    expect(board.citations).toHaveLength(1);
    expect(board.citations[0].poi).toEqual(board.poi.cells[i][j]);
    expect(board.citations[0].iqmBetter).toEqual(board.rows.find((r) => r.name === 'b')!.iqm);
    const toRef = checkProtocol({ ...cited, citations: [{ paper: 'p', claim: 'c', better: 'ref', worse: 'a' }] });
    expect(!toRef.ok && toRef.error).toMatch(/citations\[0\]\.better.*ranked method/);
    const self = checkProtocol({ ...cited, citations: [{ paper: 'p', claim: 'c', better: 'a', worse: 'a' }] });
    expect(!self.ok && self.error).toMatch(/citations\[0\]\.worse/);
  });

  it('rejects a malformed protocol with a message naming the field', () => {
    const bad = spec([method('a', [[1, 2, 3, 4]])]); // one task row instead of two
    const r = checkProtocol(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/protocol\.methods\[0\]\.scores.*2 rows/);
    const dup = checkProtocol(spec([a, a]));
    expect(!dup.ok && dup.error).toMatch(/distinct method names/);
    const nan = spec([
      method('a', [
        [1, 2, 3, NaN],
        [1, 2, 3, 4],
      ]),
    ]);
    expect(checkProtocol(nan).ok).toBe(false);
  });
});

describe('startNotebook recordKey', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-taskkey-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("keys task records by task code only by default (notebook edits re-run nothing), not so 'notebook'", async () => {
    process.env.RLMINI_RESULTS_DIR = path.join(tmp, 'results');
    process.env.RLMINI_NOTEBOOKS_DIR = path.join(tmp, 'notebooks');
    process.env.RLMINI_WORKERS = '1';
    fs.mkdirSync(path.join(tmp, 'notebooks'), { recursive: true });
    const dist = await import(path.join(ROOT, 'dist', 'core', 'notebook.js'));
    const task = 'testbeds/preference/protocol/recipes/exact/omd#run';
    const config = { ...PROTOCOL_DEFAULTS, nX: 3, nY: 3, iterations: 2, tasks: ['mixed'] };
    const keys = async (codeCell: string, recordKey?: 'task' | 'notebook') => {
      fs.writeFileSync(
        path.join(tmp, 'notebooks', 'tk.ipynb'),
        JSON.stringify({
          cells: [{ cell_type: 'code', source: codeCell, metadata: {}, outputs: [] }],
          metadata: {},
          nbformat: 4,
          nbformat_minor: 5,
        }),
      );
      const nb = dist.startNotebook({
        id: 'tk',
        profile: 'smoke',
        spec: { seeds: { type: 'int[]' } },
        defaults: { smoke: { seeds: [0, 1] }, full: { seeds: [0, 1] } },
        ...(recordKey ? { recordKey } : {}),
      });
      const recs: { key: string; provenance: { notebookHash: string } }[] = await nb.runSeeds({
        method: 'omd-exact',
        task,
        config,
      });
      return recs.map((r) => r.key);
    };
    const a = await keys('const x = 1;', 'task');
    const b = await keys('const x = 2; // edited', 'task');
    expect(b).toEqual(a);
    // The default is 'task': the same keys.
    expect(await keys('const x = 3; // edited again')).toEqual(a);
    const c = await keys('const x = 1;', 'notebook');
    const d = await keys('const x = 2; // edited', 'notebook');
    expect(d).not.toEqual(c);
    expect(c).not.toEqual(a);
  });
});
