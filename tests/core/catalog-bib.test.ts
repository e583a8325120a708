/**
 * Bibliographic data in the catalog: every entry with a verified `bib` has a well-formed arXiv id, the canonical
 * arXiv URL, a year no earlier than the id's YYMM, authors, and a single BibTeX entry carrying its title and year.
 * Every built paper (a notebook in notebooks/) has a verified `bib`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { readCatalog, type CatalogBib, type CatalogEntry } from '../../src/core/catalog';
import { ROOT } from '../helpers';

type VerifiedBib = Exclude<CatalogBib, { unverified: true }>;

const catalog: CatalogEntry[] = readCatalog(path.join(ROOT, 'data', 'catalog.json'));
const verified = catalog.filter((e): e is CatalogEntry & { bib: VerifiedBib } => !!e.bib && !('unverified' in e.bib));
const built = fs
  .readdirSync(path.join(ROOT, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .map((f) => f.replace(/\.ipynb$/, ''))
  // testbed-<tb> notebooks are validity gates of a testbed (DESIGN.md, Layout) and protocol-<tb> notebooks its
  // comparison protocol (docs/compare.md), not papers: no catalog entry.
  .filter((id) => !id.startsWith('testbed-') && !id.startsWith('protocol-'))
  .sort();

describe('catalog bib', () => {
  it('has verified entries to check', () => {
    expect(verified.length).toBeGreaterThanOrEqual(built.length);
  });

  it.each(verified.map((e) => [e.id, e.bib] as const))('%s: fields are well formed', (_id, bib) => {
    expect(bib.arxiv).toMatch(/^\d{4}\.\d{4,5}$/);
    expect(bib.url).toBe(`https://arxiv.org/abs/${bib.arxiv}`);
    const yy = Number(bib.arxiv.slice(0, 2));
    expect(Number.isInteger(bib.year)).toBe(true);
    expect(bib.year).toBeGreaterThanOrEqual(2000 + yy);
    expect(bib.title.trim()).not.toBe('');
    expect(bib.venue.trim()).not.toBe('');
    expect(bib.authors.length).toBeGreaterThan(0);
    for (const a of bib.authors) expect(a.trim()).not.toBe('');
    expect(bib.verified.source).toMatch(/^https?:\/\//);
    expect(bib.verified.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(verified.map((e) => [e.id, e.bib] as const))('%s: bibtex is one entry with title and year', (_id, bib) => {
    const text = bib.bibtex.trim();
    expect(text.match(/@\w+\s*\{/g)).toHaveLength(1);
    expect(text).toMatch(/^@(article|inproceedings|misc)\{[a-z0-9]+,\n/);
    expect(text.endsWith('}')).toBe(true);
    let depth = 0;
    for (const ch of text) {
      depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(text.replace(/\\&/g, '&')).toContain(bib.title);
    expect(text).toMatch(new RegExp(`\\byear\\s*=\\s*\\{${bib.year}\\}`));
    expect(text).toContain(bib.arxiv);
  });

  it('every built paper has a verified bib', () => {
    const byId = new Map(catalog.map((e) => [e.id, e]));
    const missing = built.filter((id) => {
      const bib = byId.get(id)?.bib;
      return !bib || 'unverified' in bib;
    });
    expect(missing).toEqual([]);
  });
});
