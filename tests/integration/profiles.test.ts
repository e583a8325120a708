/**
 * Profiles apart, through the real runner and kernel: a smoke run after a full run leaves the full
 * profile's executed notebook, summary, static figures and pages byte-identical, and switching back to
 * the full profile re-executes nothing (the skip check reads the full profile's own executed notebook).
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, notebook, workspace, cliAsync as cli } from '../helpers';

function paper(logFile: string, id = 'apart', large = false) {
  return notebook(
    [
      code('const profile: string = "smoke";', ['parameters']),
      code(
        [
          `import * as rl from '../dist';`,
          `import * as fs from 'fs';`,
          `fs.appendFileSync(${JSON.stringify(logFile)}, profile + '\\n');`,
          `const nb = rl.startNotebook({ id: '${id}', profile: profile as rl.Profile,`,
          `  spec: { seeds: { type: 'int', min: 1, max: 10 } },`,
          `  defaults: { smoke: { seeds: 2 }, full: { seeds: 4 }${large ? ', large: { seeds: 8 }' : ''} } });`,
          `fs.appendFileSync(${JSON.stringify(logFile)}, 'seeds ' + nb.params.seeds + '\\n');`,
          `const y = String(profile) === 'full' ? [4, 3] : [1, 1];`,
          `nb.figure('scores', 'Scores (' + profile + ')', rl.plots.barsWithIntervals({ title: profile, xLabel: 'm',`,
          `  yLabel: 's', groups: [{ name: 'mean', x: ['a', 'b'], y,`,
          `  lo: y.map((v) => v - 0.5), hi: y.map((v) => v + 0.5) }] }));`,
          `nb.claim(rl.stats.claimAllBelow({ claimId: 'small', claim: 'zero is small', profile: nb.profile,`,
          `  values: [0, 0], tolerance: 1 }));`,
          `nb.finish();`,
        ].join('\n'),
      ),
    ],
    {
      id,
      title: 'Profiles apart',
      authors: ['A. Author'],
      year: 2025,
      url: 'https://example.org/apart',
      bibtex: '@misc{apart2025,\n  title = {Apart},\n  year = {2025}\n}',
      claims: [{ id: 'small', quote: 'zero is small' }],
      design: 'a test',
      deviations: [],
    },
  );
}

/** Bytes of every file under dir (relative path → content). */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('profiles apart', () => {
  const ws = workspace('profiles');
  const log = path.join(ws.dir, 'executions.log');
  const runs = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('seeds '))
      : [];
  const seedsLog = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('seeds '))
      : [];
  const R = path.join(ws.dir, 'reports');
  const env = { RLMINI_COMMIT: '0123456789abcdef0123456789abcdef01234567', RLMINI_DIRTY: '0' };
  beforeAll(() => {
    ws.write('apart', paper(log));
    ws.write('dirty', paper(log, 'dirty'));
    ws.write('big', paper(log, 'big', true));
  });
  afterAll(() => ws.cleanup());

  it('smoke after full leaves every full-profile file untouched; full again re-executes nothing', async () => {
    const full = await cli(ws, ['reports', '--only', 'apart'], env);
    expect(full.status, full.out).toBe(0);
    expect(runs()).toEqual(['full']);
    const fullFiles = new Map([
      ...[...snapshot(path.join(R, 'figures', 'full'))].map(([k, v]) => [`figures/full/${k}`, v] as const),
      ...[...snapshot(path.join(R, 'notebooks', 'full'))].map(([k, v]) => [`notebooks/full/${k}`, v] as const),
      ['index.html', fs.readFileSync(path.join(R, 'index.html'))],
      ['papers/apart.html', fs.readFileSync(path.join(R, 'papers', 'apart.html'))],
      ['summary', fs.readFileSync(path.join(ws.dir, 'results', 'apart', 'full', 'summary.json'))],
    ]);
    for (const f of ['figures/full/apart/scores.svg', 'figures/full/apart/scores.png', 'notebooks/full/apart.ipynb'])
      expect(fullFiles.has(f), f).toBe(true);

    const smoke = await cli(ws, ['reports', '--profile', 'smoke', '--only', 'apart'], env);
    expect(smoke.status, smoke.out).toBe(0);
    expect(runs()).toEqual(['full', 'smoke']);
    const now = (k: string) =>
      fs.readFileSync(
        k === 'summary' ? path.join(ws.dir, 'results', 'apart', 'full', 'summary.json') : path.join(R, k),
      );
    for (const [k, bytes] of fullFiles) expect(now(k).equals(bytes), `${k} changed by the smoke run`).toBe(true);
    // The smoke run has its own notebook, figures and labelled pages.
    expect(fs.existsSync(path.join(R, 'notebooks', 'smoke', 'apart.ipynb'))).toBe(true);
    expect(fs.existsSync(path.join(R, 'figures', 'smoke', 'apart', 'scores.svg'))).toBe(true);
    expect(fs.readFileSync(path.join(R, 'smoke', 'papers', 'apart.html'), 'utf8')).toContain(
      '<p class="profile-banner">smoke profile',
    );
    expect(fs.readFileSync(path.join(R, 'figures', 'smoke', 'apart', 'scores.svg'))).not.toEqual(
      fullFiles.get('figures/full/apart/scores.svg'),
    );

    const again = await cli(ws, ['reports', '--only', 'apart'], env);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/notebooks: 1 \(0 executed, 1 unchanged\)/);
    expect(again.out).toMatch(/figures: 0 exported as SVG\/PNG\/PDF, 1 unchanged/);
    expect(runs()).toEqual(['full', 'smoke']);
    // Pages are rendered again only because they now link the smoke pages; nothing else of them changed.
    const strip = (b: Buffer) =>
      b
        .toString('utf8')
        .replace(/<meta name="rlmini-inputs" content="\w+">/, '')
        .replace(/<span class="profiles">[\s\S]*?<\/span>/, '')
        .replace(/Generated [^<]* UTC/, '');
    for (const [k, bytes] of fullFiles) {
      if (k.endsWith('.html')) expect(strip(now(k)), `${k} changed by the second full run`).toBe(strip(bytes));
      else expect(now(k).equals(bytes), `${k} changed by the second full run`).toBe(true);
    }
    expect(fs.readFileSync(path.join(R, 'index.html'), 'utf8')).toContain(
      'href="smoke/index.html">smoke (not evidence)',
    );
  }, 600_000);

  it('--profile large runs only the notebooks declaring it, on their large defaults, labelled', async () => {
    const before = runs().length;
    const named = await cli(ws, ['reports', '--profile', 'large', '--only', 'apart,big', '--no-figures'], env);
    expect(named.status).toBe(2);
    expect(named.out).toContain('--profile large: apart declares no large profile');
    expect(named.out).toContain('Notebooks with a large profile: big.');
    expect(runs().length).toBe(before);
    const all = await cli(ws, ['reports', '--profile', 'large', '--no-figures'], env);
    expect(all.status, all.out).toBe(0);
    expect(all.out).toMatch(/notebooks: 1 \(1 executed, 0 unchanged\)/);
    expect(runs().slice(before)).toEqual(['large']);
    expect(seedsLog().at(-1)).toBe('seeds 8');
    const summary = JSON.parse(fs.readFileSync(path.join(ws.dir, 'results', 'big', 'large', 'summary.json'), 'utf8'));
    expect(summary.profile).toBe('large');
    expect(summary.verdicts[0].evidence).toBe(true);
    const page = fs.readFileSync(path.join(R, 'large', 'papers', 'big.html'), 'utf8');
    expect(page).toContain('<span class="badge large">large profile: not the committed results</span>');
    // The published tree does not show the large results (it lists the notebook as not run in the full profile).
    const fullPage = path.join(R, 'papers', 'big.html');
    if (fs.existsSync(fullPage)) expect(fs.readFileSync(fullPage, 'utf8')).not.toContain('large profile');
    expect(fs.existsSync(path.join(ws.dir, 'results', 'big', 'full', 'summary.json'))).toBe(false);
  }, 600_000);

  it('a full result from a dirty tree is unpublished until `--publish` re-stamps it from a clean tree', async () => {
    const summaryFile = path.join(ws.dir, 'results', 'dirty', 'full', 'summary.json');
    const dirty = { ...env, RLMINI_DIRTY: '1' };
    const first = await cli(ws, ['reports', '--only', 'dirty', '--no-figures'], dirty);
    expect(first.status, first.out).toBe(0);
    expect(JSON.parse(fs.readFileSync(summaryFile, 'utf8')).provenance.dirty).toBe(true);
    const page = () => fs.readFileSync(path.join(R, 'papers', 'dirty.html'), 'utf8');
    expect(page()).toContain('<span class="badge unpublished">unpublished (uncommitted changes)</span>');
    expect(page()).toContain('Not citable: unpublished (uncommitted changes).');
    const n = runs().length;
    // A plain run from a clean tree does not touch it (a clean clone's CI leaves committed summaries alone).
    const plain = await cli(ws, ['reports', '--only', 'dirty', '--no-figures'], env);
    expect(plain.status, plain.out).toBe(0);
    expect(runs().length).toBe(n);
    // --publish refuses a dirty tree, and re-stamps from a clean one (its records are cache hits).
    const refused = await cli(ws, ['reports', '--only', 'dirty', '--publish'], dirty);
    expect(refused.status).toBe(2);
    expect(refused.out).toContain('--publish: refusing to publish from a working tree with uncommitted changes');
    const published = await cli(ws, ['reports', '--only', 'dirty', '--publish', '--no-figures'], env);
    expect(published.status, published.out).toBe(0);
    expect(runs().length).toBe(n + 1);
    const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    expect(s.provenance.dirty).toBe(false);
    expect(s.cached.computed).toBe(0);
    expect(page()).not.toContain('unpublished (uncommitted changes)');
    expect(page()).toContain('@misc{rlmini:dirty:scores,');
    expect(page()).toContain('commit 0123456789ab');
  }, 600_000);
});
