/**
 * The rendered pages, built in-process from summaries and executed notebooks written as the kit writes
 * them (or forged): claim-only counts, checks apart, one decision rule per page, pre-registered
 * parameters and figure links; stale verdicts after a failed run; one tree per profile; pages
 * re-rendered only when their inputs change; bounded pages; leftover temp files removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/core/escape';
import { buildReports, reportFigures } from '../../src/report/build';
import { figureFileId, safeFigureId } from '../../src/report/export';
import { DECISION_RULE } from '../../src/stats/verdict';
import { codeCell, display, mdCell, reportsWorkspace, summary, verdict } from './fixture';

const ws = reportsWorkspace('build', [
  { id: 'alpha' },
  { id: 'beta' },
  { id: 'gamma' },
  { id: 'old' },
  { id: 'big', testbed: 'My testbed/v2 (β)' },
  { id: 'later' },
  { id: 'robot', tier: 'C' },
]);
const R = ws.dirs.reports;
const read = (rel: string) => fs.readFileSync(path.join(R, rel), 'utf8');
const count = (s: string, sub: string) => s.split(sub).length - 1;
const RULE = escapeHtml(DECISION_RULE).slice(0, 80);

beforeAll(() => {
  ws.use();
  for (const id of ['alpha', 'beta', 'gamma', 'old', 'big']) ws.notebook(id);
  // alpha: two claims (one reproduced, one not) and three checks that passed; pre-registered margin; readings.
  const a = summary('alpha', {
    verdicts: [
      verdict({
        claimId: 'beats',
        figure: 'alpha/scores',
        decisions: { margin: { value: 0.05, justification: '¼ of the baseline-vs-naive gap on pilot seed 100' } },
      }),
      verdict({ claimId: 'faster', status: 'not reproduced', estimate: -0.1, lo: -0.2, hi: -0.05 }),
      verdict({ claimId: 'identity', kind: 'check' }),
      verdict({ claimId: 'premise', kind: 'check' }),
      verdict({ claimId: 'valid', kind: 'check' }),
    ],
    readings: ['The gap is **0.25** on average, i.e. $\\Delta = 0.25$.'],
  });
  ws.summary('alpha', a);
  ws.executed('alpha', [mdCell('# Alpha\nwith $x^2$'), codeCell('1', [display({ 'text/plain': 'ok' })])]);
  // beta: a claim on an invalid testbed (its check failed), and an older summary's verdict without a kind.
  ws.summary(
    'beta',
    summary('beta', {
      verdicts: [
        verdict({ claimId: 'gate', kind: 'check', status: 'not reproduced' }),
        verdict({ claimId: 'depends', status: 'inconclusive', dependsOn: ['gate'], invalidatedBy: ['gate'] }),
        { ...verdict({ claimId: 'legacy', status: 'inconclusive' }), kind: undefined },
      ],
    }),
  );
  // gamma: its last run failed; the summary on disk is from the run before.
  ws.summary('gamma', summary('gamma', { verdicts: [verdict({ claimId: 'g1' }), verdict({ claimId: 'g2' })] }));
  ws.executed(
    'gamma',
    [codeCell('boom()', [{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: [] }])],
    {
      status: 'error',
      failedCell: 3,
      error: 'Error: boom',
    },
  );
  // old: a full result computed from a dirty tree.
  ws.summary('old', summary('old', { provenance: { ...summary('old').provenance, dirty: true } }));
  // big: one cell printed 50 MB; a testbed name outside [A-Za-z0-9_.-]; a comparison for its testbed page.
  ws.summary(
    'big',
    summary('big', {
      comparisons: [
        { metric: 'final return', method: 'PPO', values: [1, 2, 3], seeds: [0, 1, 2], higherIsBetter: true },
      ],
    }),
  );
  ws.executed('big', [codeCell('spam()', [{ output_type: 'stream', name: 'stdout', text: 'x'.repeat(50e6) }])]);
});
afterAll(() => {
  ws.restore();
  ws.cleanup();
});

describe('the full profile: the published pages', () => {
  let first: ReturnType<typeof buildReports>;
  beforeAll(() => {
    first = buildReports({ profile: 'full' });
  });

  it('the scoreboard counts claims only, lists built papers first and defaults its filter to them', () => {
    const index = read('index.html');
    // Claims of current results: alpha 1 reproduced + 1 not; beta 2 inconclusive (1 testbed invalid); old 1;
    // big 1. gamma's 2 claims are stale (its last run failed) and not counted; checks never are.
    const counts = /<div class="counts" id="counts">([\s\S]*?)<\/div>/.exec(index)![1];
    expect(counts).toContain('<span class="badge reproduced">3 reproduced</span>');
    expect(counts).toContain('<span class="badge not-reproduced">1 not reproduced</span>');
    expect(counts).toContain('<span class="badge inconclusive">2 inconclusive (1 testbed invalid)</span>');
    expect(counts).toMatch(/6 claims; checks are not counted:\s+3 passed, 1 failed, 0 inconclusive/);
    expect(counts).toContain('2 stale claims\nof failed runs, not counted');
    const order = [...index.matchAll(/<tr class="paper( built)?" data-built="(\d)"[\s\S]*?<code>([^<]+)<\/code>/g)].map(
      (m) => `${m[3]}:${m[2]}`,
    );
    expect(order).toEqual(['big:1', 'alpha:1', 'beta:1', 'gamma:1', 'old:1', 'later:0', 'robot:0']);
    expect(index).toContain('<option value="built" selected>built papers</option>');
    // One chip per claim, with its claim, estimate and interval on hover.
    const alphaRow = /<tr class="paper built"[^>]*data-text="alpha[\s\S]*?<\/tr>/.exec(index)![0];
    expect(count(alphaRow, 'class="chip ')).toBe(2);
    expect(alphaRow).toContain('title="beats: A beats B\nreproduced — estimate 0.2500 [0.1250, 0.3750] (95% interval)');
    expect(alphaRow).toContain('checks: 3/3 passed');
    // The decision rule once on the page, not per row.
    expect(count(index, RULE)).toBe(1);
  });

  it('a paper page: claims and checks apart, the rule once, estimate [interval], seeds, decisions, figure link', () => {
    const page = read('papers/alpha.html');
    expect(page).toMatch(/<b>Claims:<\/b>\s*<span class="badge reproduced">1 reproduced<\/span>/);
    expect(page).toContain('<span class="badge not-reproduced">1 not reproduced</span>');
    expect(page).toMatch(/checks \(not counted\): 3 passed,\s+0 failed/);
    expect(count(page, RULE)).toBe(1);
    const claims = /<table class="verdicts claims">([\s\S]*?)<\/table>/.exec(page)![1];
    const checks = /<table class="verdicts checks">([\s\S]*?)<\/table>/.exec(page)![1];
    expect(count(claims, '<tr id="v-')).toBe(2);
    expect(count(checks, '<tr id="v-')).toBe(3);
    expect(checks).toContain('<span class="badge reproduced">passed</span>');
    expect(claims).toContain('0.2500 [0.1250, 0.3750]');
    expect(claims).toMatch(/<td class="num">5<\/td>/);
    expect(claims).toContain(
      '<code>margin</code> =\n0.05 <small>— ¼ of the baseline-vs-naive gap on pilot seed 100</small>',
    );
    expect(claims).toContain('<a href="#fig-scores"><code>alpha/scores</code></a>');
    expect(page).toContain('<figure id="fig-scores">');
    // The rule's wording is not repeated in the rows: only the test.
    expect(claims).not.toContain('reproduced iff');
    expect(claims).toContain('test: mean over 5 seeds of the paired difference (A − B) &gt; 0.');
    // Readings and notebook markdown: markdown with math typeset offline.
    expect(page).toMatch(/<div class="reading md"><p>The gap is <strong>0.25<\/strong>[\s\S]*class="katex"/);
    expect(page).toContain('<link rel="stylesheet" href="../assets/katex/katex.min.css">');
    expect(fs.existsSync(path.join(R, 'assets', 'katex', 'katex.min.css'))).toBe(true);
    // Figures of the full profile are linked under figures/full/ (once exported); the notebook per profile.
    expect(page).toContain('href="../notebooks/full/alpha.ipynb"');
    // Published (clean commit): citable.
    expect(page).toContain('@misc{rlmini:alpha:scores,');
  });

  it('a claim whose check failed is "inconclusive (testbed invalid)"; a verdict without kind is a claim', () => {
    const page = read('papers/beta.html');
    const claims = /<table class="verdicts claims">([\s\S]*?)<\/table>/.exec(page)![1];
    expect(count(claims, '<tr id="v-')).toBe(2);
    expect(claims).toContain('<span class="badge inconclusive invalid">inconclusive (testbed invalid)</span>');
    expect(claims).toMatch(/relies on gate — <b>gate did not pass<\/b>/);
    expect(/<table class="verdicts checks">[\s\S]*?<\/table>/.exec(page)![0]).toContain(
      '<span class="badge not-reproduced">failed</span>',
    );
  });

  it('a failed last run: shown as failed, its previous verdicts marked stale with their commit', () => {
    const page = read('papers/gamma.html');
    expect(page).toContain('<span class="badge failed">run failed</span>');
    expect(page).toMatch(/The last run of this notebook failed at cell 3 \(2025-03-05T00:00:00Z\):\s+Error: boom/);
    expect(page).toMatch(
      new RegExp(
        /The results below are stale<\/b>: they come from the last successful run, /.source +
          /at commit\s+<code>0123456789ab<\/code>/.source,
      ),
    );
    const claims = /<table class="verdicts claims">([\s\S]*?)<\/table>/.exec(page)![1];
    expect(count(claims, '<tr id="v-g')).toBe(2);
    expect(count(claims, '<tr id="v-g1" class="stale">')).toBe(1);
    expect(count(claims, '<span class="badge stale">stale</span>')).toBe(2);
    const row = /<tr class="paper built"[^>]*data-text="gamma[\s\S]*?<\/tr>/.exec(read('index.html'))![0];
    expect(row).toContain('<span class="badge failed">run failed</span>');
    expect(row).toContain('verdicts stale\n(commit 0123456789ab)');
    expect(count(row, 'class="chip reproduced stale"')).toBe(2);
    expect(row).toMatch(/title="STALE \(the last run failed; from commit 0123456789ab, 2025-03-04\) — g1: /);
  });

  it('a full result from a dirty tree is labelled unpublished and has no citation', () => {
    const page = read('papers/old.html');
    expect(page).toContain('<span class="badge unpublished">unpublished (uncommitted changes)</span>');
    expect(page).toContain('<p class="warn unpublished" id="unpublished">');
    expect(page).not.toContain('@misc{rlmini:old:scores');
    expect(page).toContain('Not citable: unpublished (uncommitted changes).');
    const bib = read('references.bib');
    expect(bib).toContain('@misc{rlmini:alpha:scores,');
    expect(bib).not.toContain('@misc{rlmini:old:scores');
    expect(bib).toContain('% rlmini:old:scores: not citable — unpublished (uncommitted changes) (old)');
    expect(read('index.html')).toMatch(/data-text="old[\s\S]*?<span class="badge unpublished">unpublished/);
  });

  it('a cell with 50 MB of output gives a bounded page that links the full notebook', () => {
    const size = fs.statSync(path.join(R, 'papers', 'big.html')).size;
    expect(size).toBeLessThan(200_000);
    expect(read('papers/big.html')).toMatch(
      new RegExp(
        /Output truncated: the page shows the first 16 kB and the last 4 kB of 50\.0 MB\./.source +
          /[\s\S]*<a href="\.\.\/notebooks\/full\/big\.ipynb">/.source,
      ),
    );
  });

  it('a testbed name outside [A-Za-z0-9_.-] gives plain figure ids and file names', () => {
    const ids = reportFigures({ profile: 'full' }).map((f) => f.id);
    expect(ids).toContain('compare/my-testbed-v2/final-return');
    for (const id of ids) expect(safeFigureId(figureFileId(id)), id).toBe(true);
    expect(fs.existsSync(path.join(R, 'compare', 'my-testbed-v2.html'))).toBe(true);
    for (const odd of ['p q/fig', '../../etc/passwd', 'a/b c/ü', 'x/..', '/abs/x'])
      expect(safeFigureId(figureFileId(odd)), odd).toBe(true);
    expect(figureFileId('p q/fig')).not.toBe(figureFileId('p-q/fig')); // no two ids share files
    expect(figureFileId('starc/spearman-by-metric')).toBe('starc/spearman-by-metric');
    expect(first.pages.length).toBe(5);
  });

  it('pages are re-rendered only when their inputs changed', () => {
    const again = buildReports({ profile: 'full' });
    expect(again.rendered).toEqual([]);
    expect(again.unchanged.length).toBe(first.rendered.length);
    // One summary changes: its page and the pages that show it (the index) are rendered, nothing else.
    ws.summary('alpha', { ...summary('alpha'), verdicts: [verdict({ claimId: 'beats', estimate: 0.3 })] });
    const third = buildReports({ profile: 'full' });
    expect(third.rendered.map((f) => path.relative(R, f)).sort()).toEqual(['index.html', 'papers/alpha.html']);
    // The executed notebook changes: only its page.
    ws.executed('alpha', [mdCell('# Alpha, run again')]);
    const fourth = buildReports({ profile: 'full' });
    expect(fourth.rendered.map((f) => path.relative(R, f))).toEqual(['papers/alpha.html']);
    expect(read('papers/alpha.html')).toContain('Alpha, run again');
  });

  it("temp files of killed writers are removed; a live writer's are kept", () => {
    const dead = path.join(R, 'figures', 'full', 'alpha', 'scores.svg.tmp-999999-abc');
    const deadPage = path.join(R, 'papers', 'alpha.html.tmp-999998-x1');
    const live = path.join(R, 'figures', 'full', 'alpha', 'scores.png.tmp-1-abc'); // pid 1 is alive
    for (const f of [dead, deadPage, live]) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, 'partial');
    }
    buildReports({ profile: 'full' });
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(deadPage)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    fs.rmSync(live);
  });
});

describe('profiles apart', () => {
  it('a smoke build writes its own labelled tree and leaves the full pages byte-identical', () => {
    const before = new Map(
      ['index.html', 'papers/alpha.html', 'references.bib'].map((f) => [f, fs.readFileSync(path.join(R, f))]),
    );
    ws.summary('alpha', summary('alpha', { profile: 'smoke', seeds: [0] }), 'smoke');
    ws.executed('alpha', [mdCell('# Alpha smoke')], { status: 'ok' }, 'smoke');
    const smoke = buildReports({ profile: 'smoke' });
    expect(path.relative(R, smoke.index)).toBe(path.join('smoke', 'index.html'));
    for (const [f, bytes] of before) expect(fs.readFileSync(path.join(R, f)).equals(bytes), f).toBe(true);
    const page = read('smoke/papers/alpha.html');
    expect(page).toMatch(/<p class="profile-banner">smoke profile: a short run that checks the\s+code runs/);
    expect(page).toContain('href="../../notebooks/smoke/alpha.ipynb"');
    expect(page).toContain('href="../../assets/style.css"');
    expect(page).toContain('Not citable: smoke profile: not evidence.');
    // The smoke tree shows only smoke results: papers without any are "no results yet", not the full ones.
    expect(read('smoke/papers/beta.html')).toContain('No smoke-profile results recorded yet');
    expect(read('smoke/index.html')).toContain('Scoreboard <small>(smoke profile: not evidence)</small>');
    // Each tree links the other.
    expect(page).toContain('<a href="../../index.html">full (published)</a>');
    expect(reportFigures({ profile: 'smoke' }).map((f) => f.id)).toContain('alpha/scores');
  });
});
