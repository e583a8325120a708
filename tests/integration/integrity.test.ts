/**
 * Nothing silently wrong: a hand-edited summary is not shown as computed, two runners in one folder
 * do the work once, an interactive (non-runner) run never replaces the published summary. Real kernel.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryLock } from '../../src/core/lock';
import { code, notebook, workspace, cliAsync as cli } from '../helpers';

/** A notebook with one verdict computed from a seed task; each execution appends a line to a log file. */
function counting(logFile: string) {
  return notebook([
    code('const profile: string = "smoke";', ['parameters']),
    code(
      [
        `import * as rl from '../dist';`,
        `import * as fs from 'fs';
import * as os from 'os';`,
        `fs.appendFileSync(${JSON.stringify(logFile)}, 'executed\\n');`,
        `await new Promise((r) => setTimeout(r, 1500));`,
        `const nb = rl.startNotebook({ id: 'counted', profile: profile as rl.Profile,`,
        `  spec: { seeds: { type: 'int', min: 1, max: 10 } }, defaults: { smoke: { seeds: 2 }, full: { seeds: 3 } } ` +
          `});`,
        `nb.check(rl.stats.claimAllBelow({ claimId: 'zero', claim: 'zero is small', profile: nb.profile,`,
        `  values: [0, 0], tolerance: 1 }));`,
        `nb.finish();`,
      ].join('\n'),
    ),
  ]);
}

describe('integrity of published results', () => {
  const ws = workspace('integrity');
  const log = path.join(ws.dir, 'executions.log');
  const summary = path.join(ws.dir, 'results', 'counted', 'smoke', 'summary.json');
  const executions = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
  beforeAll(() => ws.write('counted', counting(log)));
  afterAll(() => ws.cleanup());

  it(
    'two concurrent runners in one folder execute the ' + 'notebook once; the second waits, then finds it cached',
    async () => {
      const args = ['reports', '--profile', 'smoke', '--no-figures'];
      const [a, b] = await Promise.all([
        cli(ws, args),
        new Promise((r) => setTimeout(r, 300)).then(() => cli(ws, args)),
      ]);
      expect(a.status, a.out).toBe(0);
      expect(b.status, b.out).toBe(0);
      expect(executions()).toBe(1);
      expect(a.out + b.out).toMatch(
        /waiting: another run holds data\/results\/counted\/smoke\/\.lock|waiting: another run/,
      );
      expect(a.out + b.out).toMatch(/1 unchanged/);
    },
    240_000,
  );

  it('a hand-edited summary.json is detected and recomputed from the records, not shown as computed', async () => {
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    const original = s.verdicts[0].status;
    s.verdicts[0].status = original === 'reproduced' ? 'not reproduced' : 'reproduced';
    fs.writeFileSync(summary, JSON.stringify(s, null, 1) + '\n');
    const r = await cli(ws, ['reports', '--profile', 'smoke', '--no-figures']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/summary\.json differs from the summary its last run wrote/);
    expect(executions()).toBe(2);
    expect(JSON.parse(fs.readFileSync(summary, 'utf8')).verdicts[0].status).toBe(original);
  }, 240_000);

  it('verify --summaries re-derives the summary from the stored records and names a forged field', async () => {
    const ok = await cli(ws, ['verify', '--summaries', '--profile', 'smoke']);
    expect(ok.status, ok.out).toBe(0);
    expect(ok.out).toMatch(/✓ counted: 1 verdicts and 0 table cells identical/);
    const s = JSON.parse(fs.readFileSync(summary, 'utf8'));
    s.verdicts[0].hi = 123;
    fs.writeFileSync(summary, JSON.stringify(s, null, 1) + '\n');
    const bad = await cli(ws, ['verify', '--summaries', '--profile', 'smoke']);
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/✗ counted: DIFFERS from the stored summary/);
    expect(bad.out).toMatch(/verdict zero\.hi: stored 123, re-derived/);
  }, 240_000);

  it('a stale lock (its process is gone) is taken over; a live one is not', () => {
    const f = path.join(ws.dir, 'lock-test', '.lock');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: 'x', what: 'y' }));
    const got = tryLock(f, 'test');
    expect(got).not.toBeNull();
    expect(tryLock(f, 'second')).toBeNull(); // held by this (live) process
    got!.release();
    expect(fs.existsSync(f)).toBe(false);
  });

  it('a notebook that runs seeds but never calls nb.finish() fails the run, naming the missing call', async () => {
    const unfinished = (finish: boolean) =>
      notebook([
        code('const profile: string = "smoke";', ['parameters']),
        code(
          [
            `import * as rl from '../dist';`,
            `const nb = rl.startNotebook({ id: 'unfinished', profile: profile as rl.Profile,`,
            `  spec: { seeds: { type: 'int', min: 1, max: 10 } },`,
            `  defaults: { smoke: { seeds: 2 }, full: { seeds: 2 } } });`,
            `for (const s of nb.seeds) await nb.run({ method: 'm', seed: s, config: {} }, async (rng) =>`,
            `  ({ metrics: { x: rng.normal() } }));`,
            ...(finish ? ['nb.finish();'] : []),
          ].join('\n'),
        ),
      ]);
    ws.write('unfinished', unfinished(false));
    const args = ['reports', '--profile', 'smoke', '--only', 'unfinished', '--no-figures'];
    const bad = await cli(ws, args);
    expect(bad.status, bad.out).toBe(1);
    expect(bad.out).toMatch(/unfinished: the notebook ran without error but never called nb\.finish\(\).*missing/);
    // the records it computed are kept; with the call added the same run publishes from them
    ws.write('unfinished', unfinished(true));
    const good = await cli(ws, args);
    expect(good.status, good.out).toBe(0);
    expect(fs.existsSync(path.join(ws.dir, 'results', 'unfinished', 'smoke', 'summary.json'))).toBe(true);
  }, 240_000);
});
