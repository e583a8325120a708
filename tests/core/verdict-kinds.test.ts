/**
 * Claims vs checks, dependencies and pre-registered decisions in the notebook session: a failed check
 * makes the claims that rely on it `inconclusive (testbed invalid)`; decision parameters must be
 * declared with a justification; readings land in the summary.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusLabel, verdictHtml, verdictText } from '../../src/core/display';
import { startNotebook } from '../../src/core/notebook';
import { claimAllBelow } from '../../src/stats/verdict';
import { notebook } from '../helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-kinds-'));
const saved = { ...process.env };
beforeAll(() => {
  const nbFile = path.join(dir, 'kinds.ipynb');
  fs.writeFileSync(
    nbFile,
    JSON.stringify(
      notebook([], {
        id: 'kinds',
        decisions: {
          tol: { value: 0.5, justification: 'half the baseline-vs-naive gap measured on pilot seed 100' },
          vague: { value: 1, justification: 'ok' },
        },
      }),
    ),
  );
  process.env.RLMINI_NOTEBOOK = nbFile;
  process.env.RLMINI_RESULTS_DIR = path.join(dir, 'results');
  process.env.RLMINI_PUBLISH = '1';
});
afterAll(() => {
  process.env = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

const spec = { seeds: { type: 'int' as const, min: 1, max: 10 } };
const defaults = { smoke: { seeds: 2 }, full: { seeds: 3 } };
const session = () => startNotebook({ id: 'kinds', profile: 'full', spec, defaults });
/** An exact check that passes (all values ≤ tol) or fails. */
const exact = (claimId: string, pass: boolean) =>
  claimAllBelow({ claimId, claim: claimId, profile: 'full', values: pass ? [0, 0.1] : [0, 2], tolerance: 0.5 });

describe('claims and checks', () => {
  it('a check that fails makes the claims relying on it inconclusive (testbed invalid), in either order', () => {
    const nb = session();
    const early = nb.claim(exact('claim-before-check', true), { dependsOn: ['baseline-learns'] });
    expect(early.status).toBe('reproduced'); // the check is not known yet
    nb.check(exact('baseline-learns', false));
    const late = nb.claim(exact('claim-after-check', true), { dependsOn: ['baseline-learns'] });
    expect(late.status).toBe('inconclusive');
    expect(late.invalidatedBy).toEqual(['baseline-learns']);
    expect(statusLabel(late)).toBe('inconclusive (testbed invalid)');
    const free = nb.claim(exact('independent', true));
    nb.finish();
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'kinds', 'full', 'summary.json'), 'utf8'));
    const by = (id: string) => s.verdicts.find((v: { claimId: string }) => v.claimId === id);
    expect(by('claim-before-check').status).toBe('inconclusive');
    expect(by('claim-before-check').details.statusFromData).toBe('reproduced');
    expect(by('claim-after-check').status).toBe('inconclusive');
    // finish() resolves the dependencies again: what the data said survives it.
    expect(by('claim-after-check').details.statusFromData).toBe('reproduced');
    const failing = nb.claim(exact('failing-claim', false), { dependsOn: ['baseline-learns'] });
    expect(failing.details?.statusFromData).toBe('not reproduced');
    nb.finish();
    const s2 = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'kinds', 'full', 'summary.json'), 'utf8'));
    const f2 = s2.verdicts.find((v: { claimId: string }) => v.claimId === 'failing-claim');
    expect([f2.status, f2.details.statusFromData]).toEqual(['inconclusive', 'not reproduced']);
    // The check recorded again, now passing: the claims are what their data say.
    nb.check(exact('baseline-learns', true));
    nb.finish();
    const s3 = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'kinds', 'full', 'summary.json'), 'utf8'));
    const f3 = s3.verdicts.find((v: { claimId: string }) => v.claimId === 'failing-claim');
    expect([f3.status, f3.invalidatedBy, f3.details.statusFromData]).toEqual(['not reproduced', undefined, undefined]);
    expect(by('baseline-learns').kind).toBe('check');
    expect(statusLabel(by('baseline-learns'))).toBe('failed');
    expect(by('independent').status).toBe(free.status);
    expect(by('independent').kind).toBe('claim');
  });

  it('a passing check leaves the claim as its data say', () => {
    const nb = session();
    nb.check(exact('premise', true));
    expect(statusLabel(nb.getVerdicts()[0])).toBe('passed');
    expect(nb.claim(exact('c', false), { dependsOn: ['premise'] }).status).toBe('not reproduced');
  });

  it('a dependency that is never recorded is an error at finish, naming it', () => {
    const nb = session();
    nb.claim(exact('c', true), { dependsOn: ['never-recorded'] });
    expect(() => nb.finish()).toThrow(/claim c depends on never-recorded.*nb\.check/);
  });

  it('checks cannot depend on checks', () => {
    const nb = session();
    expect(() => nb.verdict(exact('x', true), { kind: 'check', dependsOn: ['y'] })).toThrow(/only claims depend/);
  });
});

describe('pre-registered decisions', () => {
  it('reads a declared value and records it, with its justification, on the verdict', () => {
    const nb = session();
    expect(nb.decision('tol')).toBe(0.5);
    const v = nb.claim(exact('c', true), { decisions: ['tol'] });
    expect(v.decisions).toEqual({
      tol: { value: 0.5, justification: 'half the baseline-vs-naive gap measured on pilot seed 100' },
    });
    expect(verdictText(v)).toContain('pre-registered: tol = 0.5 (half the baseline-vs-naive gap');
  });
  it('refuses an undeclared parameter or one without a real justification', () => {
    const nb = session();
    expect(() => nb.decision('margin')).toThrow(/does not declare.*metadata\.paper\.decisions.*declared: tol, vague/);
    expect(() => nb.decision('vague')).toThrow(/needs a justification tied to a measured scale/);
  });
});

describe('readings and display', () => {
  it('keeps readings in the summary', () => {
    const nb = session();
    nb.check(exact('p', true));
    nb.reading(`The gap is ${(0.25).toFixed(2)}.`);
    nb.finish();
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'kinds', 'full', 'summary.json'), 'utf8'));
    expect(s.readings).toEqual(['The gap is 0.25.']);
  });
  it('escapes every field of a forged verdict in HTML', () => {
    const v = { ...exact('a', true), nSeeds: '<img src=x onerror=alert(1)>' as unknown as number };
    v.details = { ...v.details, nCases: '<script>x</script>' };
    v.decisions = { '<em>': { value: '<s>', justification: '<u>' } };
    const html = verdictHtml(v);
    expect(html).not.toMatch(/<img|<script|<em>|<s>|<u>/);
    expect(html).toContain('&lt;em&gt;');
  });

  describe('summary record order', () => {
    it('follows the order the notebook asked for records, not the order concurrent runs finished in', async () => {
      const publish = async (delays: number[]) => {
        fs.rmSync(path.join(dir, 'results', 'kinds'), { recursive: true, force: true });
        const nb = session();
        // three methods started together; the first asked finishes last
        await Promise.all(
          ['a', 'b', 'c'].map((method, i) =>
            nb.run({ method, seed: 1, config: {} }, async () => {
              await new Promise((r) => setTimeout(r, delays[i]));
              return { metrics: { x: i } };
            }),
          ),
        );
        nb.finish();
        const s = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'kinds', 'full', 'summary.json'), 'utf8'));
        return s.records.map((r: { method: string }) => r.method);
      };
      expect(await publish([60, 30, 0])).toEqual(['a', 'b', 'c']);
      expect(await publish([0, 30, 60])).toEqual(['a', 'b', 'c']);
    });
  });
});
