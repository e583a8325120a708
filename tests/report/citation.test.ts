/**
 * Citations name a clean commit and a stable URL of a configurable repository, never a local path; a
 * full-profile result from a dirty tree (or outside git) is labelled unpublished and gets no citation.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { citeBlock, figureCitation, kitBibtex } from '../../src/report/cite';
import { normaliseRepoUrl, publicationOf, repositoryUrl } from '../../src/report/publication';
import { COMMIT, summary } from './fixture';

const fig = { id: 'p/scores', caption: 'Scores' };
const dirty = () => summary('p', { provenance: { ...summary('p').provenance, dirty: true } });

afterEach(() => {
  delete process.env.RLMINI_REPO_URL;
});

function howpublished(bibtex: string): string {
  const m = /howpublished\s*=\s*\{(.*)\},$/m.exec(bibtex);
  expect(m, bibtex).not.toBeNull();
  return m![1];
}

describe('publication state', () => {
  it('full + clean commit: published and citable; dirty or no commit: unpublished; smoke: not evidence', () => {
    expect(publicationOf(summary('p'))).toMatchObject({
      state: 'published',
      citable: true,
      commit: COMMIT.slice(0, 12),
      label: `published (commit ${COMMIT.slice(0, 12)})`,
    });
    const d = publicationOf(dirty());
    expect(d).toMatchObject({ state: 'unpublished', citable: false, label: 'unpublished (uncommitted changes)' });
    expect(d.why).toContain('`npm run reports -- --publish --only p`');
    const none = publicationOf(summary('p', { provenance: { ...summary('p').provenance, commit: 'unknown' } }));
    expect(none).toMatchObject({ state: 'unpublished', citable: false, label: 'unpublished (no commit)' });
    expect(publicationOf(summary('p', { profile: 'smoke' }))).toMatchObject({ state: 'smoke', citable: false });
    const large = publicationOf(summary('p', { profile: 'large' }));
    expect(large).toMatchObject({ state: 'large', citable: false, label: 'large profile: not the committed results' });
    expect(large.why).toContain('their records are not committed');
  });

  it('an unpublished or smoke result gets the reason instead of a citation', () => {
    const block = citeBlock(null, dirty(), fig, '0.1.0', { repoUrl: 'https://github.com/o/r' });
    expect(
      block.startsWith('Not citable: unpublished (uncommitted changes). This result was computed at commit '),
    ).toBe(true);
    expect(block).not.toContain('@misc');
    expect(citeBlock(null, summary('p', { profile: 'smoke' }), fig, '0.1.0')).toMatch(
      /^Not citable: smoke profile: not evidence\./,
    );
  });
});

describe('repository URL', () => {
  it('normalises the usual forms to https and refuses local paths', () => {
    const ok: [string, string][] = [
      ['https://github.com/o/r', 'https://github.com/o/r'],
      ['git+https://github.com/o/r.git', 'https://github.com/o/r'],
      ['git@github.com:o/r.git', 'https://github.com/o/r'],
      ['ssh://git@gitlab.com/g/sub/r.git', 'https://gitlab.com/g/sub/r'],
      ['github:o/r', 'https://github.com/o/r'],
      ['o/r', 'https://github.com/o/r'],
      ['https://git.example.org/o/r/', 'https://git.example.org/o/r'],
    ];
    for (const [raw, want] of ok) expect(normaliseRepoUrl(raw), raw).toBe(want);
    for (const bad of ['/home/me/rl-miniatures', './repo', '../repo', 'file:///home/me/repo', 'C:\\repo', 'https://x'])
      expect(normaliseRepoUrl(bad), bad).toBeNull();
  });

  it('comes from RLMINI_REPO_URL, else package.json repository (string or { url }), else none', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-repo-'));
    try {
      const pkg = (repository: unknown) =>
        fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', repository }));
      pkg({ type: 'git', url: 'git+https://github.com/acme/rl-miniatures.git' });
      expect(repositoryUrl(root)).toEqual({
        url: 'https://github.com/acme/rl-miniatures',
        note: 'from package.json repository.url',
      });
      pkg('github:acme/other');
      expect(repositoryUrl(root).url).toBe('https://github.com/acme/other');
      process.env.RLMINI_REPO_URL = 'https://gitlab.com/lab/fork';
      expect(repositoryUrl(root)).toEqual({ url: 'https://gitlab.com/lab/fork', note: 'from RLMINI_REPO_URL' });
      process.env.RLMINI_REPO_URL = root; // a local path is never used
      expect(repositoryUrl(root).url).toBeNull();
      expect(repositoryUrl(root).note).toMatch(/not a remote repository URL/);
      delete process.env.RLMINI_REPO_URL;
      pkg(undefined);
      expect(repositoryUrl(root)).toEqual({
        url: null,
        note: expect.stringMatching(/^no repository URL configured \(set package.json "repository"/),
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a figure citation', () => {
  it('names the clean commit and a stable URL of the notebook at that commit', () => {
    const c = figureCitation(summary('p').meta, summary('p'), fig, {
      repoUrl: 'https://github.com/acme/rl-miniatures',
    });
    const url = `https://github.com/acme/rl-miniatures/blob/${COMMIT}/notebooks/p.ipynb`;
    expect(howpublished(c.bibtex)).toBe(`\\url{${url}}, figure \\texttt{p/scores}`);
    expect(c.text).toContain(`Source: ${url}.`);
    expect(c.bibtex).toContain(`commit ${COMMIT.slice(0, 12)}, config hash c0ffee`);
    expect(c.bibtex).not.toContain('uncommitted');
    expect(kitBibtex('0.1.0', { repoUrl: 'https://github.com/acme/rl-miniatures' })).toContain(
      'url     = {https://github.com/acme/rl-miniatures},',
    );
  });

  it('without a repository URL names the commit, and never a local path', () => {
    const c = figureCitation(null, summary('p'), fig);
    const h = howpublished(c.bibtex);
    expect(h).toBe(
      `rl-miniatures, figure \\texttt{p/scores}, rl-miniatures commit ${COMMIT.slice(0, 12)}, notebooks/p.ipynb`,
    );
    for (const local of [/reports\//, /file:/, /(^|[\s{,])\//, /\/tmp\//, /\/work\//]) expect(h).not.toMatch(local);
  });
});
