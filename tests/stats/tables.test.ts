import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  RecordLike,
  aggregateFrame,
  aggregateRecords,
  aggregateTable,
  danfoLoadTime,
  displayAggregate,
  recordsFrame,
  recordsTable,
  tableFrame,
} from '../../src/stats';

/** Two methods × two learning rates × 3 seeds; return = base + seed offset, hand-chosen. */
function records(): RecordLike[] {
  const out: RecordLike[] = [];
  const values: Record<string, number[]> = {
    'ppo|0.1': [1, 2, 3],
    'ppo|0.01': [4, 6, 8],
    'dqn|0.1': [0, 0, 3],
    'dqn|0.01': [10, 10, 10],
  };
  for (const method of ['ppo', 'dqn']) {
    for (const lr of [0.1, 0.01]) {
      values[`${method}|${lr}`].forEach((v, seed) => {
        out.push({ method, seed, config: { lr, env: { size: 8 } }, metrics: { return: v, steps: 100 * (seed + 1) } });
      });
    }
  }
  return out;
}

describe('aggregateRecords', () => {
  it('groups by method: hand-computed means with intervals that contain them', () => {
    const a = aggregateRecords(records(), { metrics: 'return', rng: 1 });
    expect(a.groupColumns).toEqual(['method']);
    expect(a.interval).toBe('expanded'); // same default as the claim checks
    expect(a.rows.map((r) => r.group)).toEqual([['ppo'], ['dqn']]); // order of first appearance
    const [ppo, dqn] = a.rows;
    // ppo: 1+2+3+4+6+8 = 24 over 6 runs = 4; dqn: 0+0+3+30 = 33 over 6 = 5.5
    expect(ppo.estimate).toBeCloseTo(4, 14);
    expect(dqn.estimate).toBeCloseTo(5.5, 14);
    for (const r of a.rows) {
      expect(r.n).toBe(6);
      expect(r.seeds).toBe(3); // two configs per seed pooled
      expect(r.lo).toBeLessThan(r.estimate);
      expect(r.hi).toBeGreaterThan(r.estimate);
      // a bootstrap interval of a mean cannot leave the range of the values
      expect(r.lo).toBeGreaterThanOrEqual(r.metric === 'return' && r.group[0] === 'ppo' ? 1 : 0);
      expect(r.hi).toBeLessThanOrEqual(r.group[0] === 'ppo' ? 8 : 10);
    }
  });

  it("groups by method × config field ('config.lr', nested 'config.env.size'), IQM and median", () => {
    const a = aggregateRecords(records(), { metrics: ['return', 'steps'], by: ['method', 'config.lr'], rng: 2 });
    expect(a.rows.map((r) => [...r.group, r.metric])).toEqual([
      ['ppo', 0.1, 'return'],
      ['ppo', 0.1, 'steps'],
      ['ppo', 0.01, 'return'],
      ['ppo', 0.01, 'steps'],
      ['dqn', 0.1, 'return'],
      ['dqn', 0.1, 'steps'],
      ['dqn', 0.01, 'return'],
      ['dqn', 0.01, 'steps'],
    ]);
    const ret = a.rows.filter((r) => r.metric === 'return').map((r) => r.estimate);
    expect(ret).toEqual([2, 6, 1, 10]);
    expect(a.rows.filter((r) => r.metric === 'steps').every((r) => r.estimate === 200)).toBe(true);
    // a constant group has the degenerate interval
    const dqn01 = a.rows[6];
    expect([dqn01.lo, dqn01.hi]).toEqual([10, 10]);
    // [0, 0, 3]: the interval of the mean contains 1 and stays within [0, 3]
    const dqn1 = a.rows[4];
    expect(dqn1.lo).toBeLessThanOrEqual(1);
    expect(dqn1.hi).toBeGreaterThanOrEqual(1);
    expect(dqn1.lo).toBeGreaterThanOrEqual(0);
    expect(dqn1.hi).toBeLessThanOrEqual(3);
    const nested = aggregateRecords(records(), { metrics: 'return', by: ['config.env.size'], rng: 3 });
    expect(nested.rows).toHaveLength(1);
    expect(nested.rows[0].estimate).toBeCloseTo(57 / 12, 14);
    // IQM over the 6 ppo runs [1,2,3,4,6,8]: drop 1 at each end → mean(2,3,4,6) = 3.75; median (3+4)/2
    expect(aggregateRecords(records(), { metrics: 'return', statistic: 'iqm', rng: 4 }).rows[0].estimate).toBeCloseTo(
      3.75,
      14,
    );
    expect(aggregateRecords(records(), { metrics: 'return', statistic: 'median', rng: 4 }).rows[0].estimate).toBe(3.5);
    // custom grouping
    const custom = aggregateRecords(records(), {
      metrics: 'return',
      by: [{ name: 'high lr', key: (r) => ((r.config as { lr: number }).lr > 0.05 ? 'yes' : 'no') }],
      rng: 5,
    });
    expect(custom.rows.map((r) => [r.group[0], r.estimate])).toEqual([
      ['yes', 1.5],
      ['no', 8],
    ]);
  });

  it('each cell has its own random stream: adding a method leaves the others unchanged; same rng, same result', () => {
    const recs = records();
    const a = aggregateRecords(recs, { metrics: 'return', rng: 6 });
    const extra = recs.concat([
      { method: 'sac', seed: 0, metrics: { return: 1 } },
      { method: 'sac', seed: 1, metrics: { return: 2 } },
    ]);
    const b = aggregateRecords(extra, { metrics: 'return', rng: 6 });
    expect(b.rows.slice(0, 2)).toEqual(a.rows);
    expect(aggregateRecords(recs, { metrics: 'return', rng: 6 })).toEqual(a);
    const other = aggregateRecords(recs, { metrics: 'return', rng: 7 });
    expect(other.rows.map((r) => [r.lo, r.hi])).not.toEqual(a.rows.map((r) => [r.lo, r.hi]));
  });

  it(
    'one run: an estimate but no interval; ' + 'missing or non-finite values are an error unless dropped and counted',
    () => {
      const recs = records();
      recs.push({ method: 'solo', seed: 0, metrics: { return: 5 } });
      const a = aggregateRecords(recs, { metrics: 'return', rng: 8 });
      const solo = a.rows[2];
      expect([solo.estimate, solo.n]).toEqual([5, 1]);
      expect(solo.lo).toBeNaN();
      expect(aggregateTable(a, { name: 't' }).rows[2]).toEqual(['solo', 1, 5, null, null]);

      const bad = records();
      bad[1] = { ...bad[1], metrics: { return: NaN, steps: 1 } };
      expect(() => aggregateRecords(bad, { metrics: 'return', rng: 9 })).toThrow(
        /metric 'return' of the run \(method ppo, seed 1\) is NaN.*dropNonFinite/,
      );
      expect(() => aggregateRecords(records(), { metrics: 'retrun', rng: 9 })).toThrow(
        /is missing; check the metric name \(the record has: return, steps\)/,
      );
      const dropped = aggregateRecords(bad, { metrics: 'return', rng: 9, dropNonFinite: true });
      expect(dropped.rows[0].n).toBe(5);
      expect(dropped.rows[0].dropped).toBe(1);
      expect(dropped.rows[0].estimate).toBeCloseTo((24 - 2) / 5, 14);
      expect(aggregateTable(dropped, { name: 't' }).caption).toMatch(
        /1 run-metric value\(s\) missing or not finite were left out/,
      );
      expect(() => aggregateRecords(records(), { metrics: 'return', by: ['config.gamma'], rng: 1 })).toThrow(
        /has no config field 'gamma'/,
      );
      expect(() => aggregateRecords(records(), { metrics: 'return', by: ['lr'], rng: 1 })).toThrow(
        /unknown grouping 'lr'/,
      );
      expect(() => aggregateRecords([], { metrics: 'return', rng: 1 })).toThrow(/no records/);
    },
  );
});

describe('tables', () => {
  afterEach(() => vi.restoreAllMocks());

  it('aggregateTable: one row per group, statistic and interval per metric, caption names the interval', () => {
    const a = aggregateRecords(records(), { metrics: ['return', 'steps'], by: ['method', 'config.lr'], rng: 10 });
    const t = aggregateTable(a, { name: 'final-return' });
    expect(t.columns).toEqual([
      'method',
      'config.lr',
      'n',
      'return mean',
      'return CI low',
      'return CI high',
      'steps mean',
      'steps CI low',
      'steps CI high',
    ]);
    expect(t.rows).toHaveLength(4);
    expect(t.rows[1].slice(0, 4)).toEqual(['ppo', 0.01, 3, 6]);
    expect(t.rows[1][4]).toBe(a.rows[2].lo);
    expect(t.caption).toMatch(
      /mean over runs .* with 95% expanded-percentile bootstrap CI over runs \(2000 replicates\)/,
    );
    expect(() => aggregateTable(a, { name: 'Final Return' })).toThrow(/lowercase letters, digits and dashes/);
  });

  it('displayAggregate shows the table (as text outside a kernel)', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const a = aggregateRecords(records(), { metrics: 'return', rng: 11 });
    expect(displayAggregate(a, { name: 'by-method', caption: 'Final return' })).toBeUndefined();
    const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toMatch(/^Final return: mean over runs/);
    expect(printed).toMatch(/ppo\s+6\s+4\s/);
  });

  it('recordsTable flattens config fields and lists metrics, one row per record', () => {
    const t = recordsTable(records());
    expect(t.columns).toEqual(['method', 'seed', 'config.lr', 'config.env.size', 'return', 'steps']);
    expect(t.rows).toHaveLength(12);
    expect(t.rows[4]).toEqual(['ppo', 1, 0.01, 8, 6, 200]);
  });

  it('DataFrames (danfojs, loaded lazily) have the expected shape, columns and values', () => {
    const a = aggregateRecords(records(), { metrics: ['return', 'steps'], by: ['method', 'config.lr'], rng: 12 });
    const df = aggregateFrame(a);
    expect(danfoLoadTime()).toBeGreaterThan(0);
    console.info(`danfojs-node loaded in ${danfoLoadTime()} ms`);
    expect(df.shape).toEqual([4, 9]);
    expect(df.columns).toEqual(aggregateTable(a, { name: 'x' }).columns);
    expect(df.column('return mean').values).toEqual([2, 6, 1, 10]);
    expect(df.column('method').values).toEqual(['ppo', 'ppo', 'dqn', 'dqn']);
    const raw = recordsFrame(records(), { metrics: ['return'] });
    expect(raw.shape).toEqual([12, 5]);
    expect(raw.columns).toEqual(['method', 'seed', 'config.lr', 'config.env.size', 'return']);
    // null cells become NaN in numeric columns
    const withGap = tableFrame({
      name: 'g',
      caption: '',
      columns: ['k', 'v'],
      rows: [
        ['a', 1],
        ['b', null],
      ],
    });
    expect(withGap.column('v').values[1]).toBeNaN();
  }, 60_000);
});
