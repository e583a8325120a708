/**
 * One source of truth per paper: the header and deviations cells are generated from metadata.paper, the
 * first sync keeps what else those cells held, a sync is idempotent, and every committed notebook is in
 * sync (so metadata and markdown cannot drift apart).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import type { Notebook, PaperMeta } from '../../src/core/ipynb';
import {
  DEVIATIONS_TAG,
  HEADER_TAG,
  deviationsMarkdown,
  headerMarkdown,
  syncPaperCells,
  wrap,
} from '../../src/report/paper-cells';
import { ROOT } from '../helpers';

const meta: PaperMeta = {
  id: 'toy',
  title: 'A Toy Paper',
  authors: ['Ada Lovelace', 'Alan Turing'],
  year: 2024,
  venue: 'NeurIPS',
  url: 'https://arxiv.org/abs/2401.01234',
  bibtex: '@article{toy}',
  claims: [
    { id: 'fast', quote: 'our method is ' + 'very '.repeat(40) + 'fast' },
    { id: 'good', quote: 'and good' },
  ],
  design: 'A bandit with 3 arms.\n\nTen seeds.',
  deviations: ['No neural network.', 'Smaller.'],
};
const src = (c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join('') : c.source);
const tagsOf = (c: { metadata?: unknown }) => ((c.metadata as { tags?: string[] })?.tags ?? []) as string[];
const unwrap = (s: string) => s.replace(/\n\s*/g, ' ');

function notebookWith(cells: { cell_type: string; source: string; metadata?: object }[]): Notebook {
  return {
    cells: cells.map((c) => ({ metadata: {}, ...c, ...(c.cell_type === 'code' ? { outputs: [] } : {}) })),
    metadata: { paper: structuredClone(meta) },
    nbformat: 4,
    nbformat_minor: 5,
  } as unknown as Notebook;
}

describe('wrap', () => {
  it('keeps every word in order, no line over the width unless one word is longer, indents continuations', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu '.repeat(9) + 'x'.repeat(130);
    const lines = wrap(text, 40, '- ', '  ');
    expect(lines.join(' ').replace(/\s+/g, ' ').replace(/^- /, '')).toBe(text.trim().replace(/\s+/g, ' '));
    for (const l of lines.slice(0, -1)) expect([...l].length).toBeLessThanOrEqual(40);
    expect(lines[lines.length - 1]).toBe('  ' + 'x'.repeat(130));
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
  });
});

describe('generated cells', () => {
  it('the header holds title, authors, venue and year once, the link, every claim quoted, and the design', () => {
    const h = headerMarkdown(meta);
    expect(h.startsWith('# A Toy Paper\n')).toBe(true);
    expect(h).toContain(
      'Ada Lovelace, Alan Turing — NeurIPS 2024 — [arXiv:2401.01234](https://arxiv.org/abs/2401.01234)',
    );
    expect(headerMarkdown({ ...meta, venue: 'ICLR 2024' })).toContain('— ICLR 2024 —');
    for (const c of meta.claims) expect(unwrap(h)).toContain(`- *${c.id}*: "${c.quote}"`);
    expect(h).toContain('**The miniature.** A bandit with 3 arms.\n\nTen seeds.');
    for (const l of h.split('\n')) expect([...l].length).toBeLessThanOrEqual(120);
    expect(deviationsMarkdown(meta)).toBe('## Deviations from the paper\n\n- No neural network.\n- Smaller.');
  });

  it('first sync tags the cells and keeps what else they held; a second sync changes nothing', () => {
    const nb = notebookWith([
      { cell_type: 'markdown', source: '# Old title\n\nOld authors\n\n**Claims.**\n- x\n\n**The method.** Keep me.' },
      { cell_type: 'code', source: 'const profile = "smoke";' },
      { cell_type: 'markdown', source: '## Reading\nKeep this.\n\n## Deviations from the paper\n- old one\n- old two' },
    ]);
    const { notebook, changes } = syncPaperCells(nb, 'toy.ipynb');
    expect(changes).toEqual([`${HEADER_TAG}: tagged and generated`, `${DEVIATIONS_TAG}: tagged and generated`]);
    const md = notebook.cells.map((c) => [tagsOf(c).join(','), src(c as { source: string })]);
    expect(md[0]).toEqual([HEADER_TAG, headerMarkdown(meta)]);
    expect(md[1]).toEqual(['', '**The method.** Keep me.']);
    expect(md[2][1]).toBe('const profile = "smoke";');
    expect(md[3]).toEqual(['', '## Reading\nKeep this.']);
    expect(md[4]).toEqual([DEVIATIONS_TAG, deviationsMarkdown(meta)]);
    expect(notebook.cells.length).toBe(5);
    expect(syncPaperCells(notebook, 'toy.ipynb').changes).toEqual([]);
    // The input notebook is not modified.
    expect(src(nb.cells[0] as { source: string })).toMatch(/^# Old title/);
  });

  it('an edited claim in the metadata regenerates the header; a hand-edited generated cell is put back', () => {
    const first = syncPaperCells(notebookWith([{ cell_type: 'markdown', source: '# T' }]), 'toy.ipynb').notebook;
    expect(first.cells.map((c) => tagsOf(c))).toEqual([[HEADER_TAG], [DEVIATIONS_TAG]]);
    const edited = structuredClone(first);
    edited.metadata.paper!.claims[1].quote = 'and better than before';
    const r = syncPaperCells(edited, 'toy.ipynb');
    expect(r.changes).toEqual([`${HEADER_TAG}: regenerated from the metadata`]);
    expect(src(r.notebook.cells[0] as { source: string })).toContain('"and better than before"');
    const hand = structuredClone(first);
    (hand.cells[1] as { source: string[] }).source = ['## Deviations from the paper\n', '\n', '- typed by hand'];
    const back = syncPaperCells(hand, 'toy.ipynb');
    expect(back.changes).toEqual([`${DEVIATIONS_TAG}: regenerated from the metadata`]);
    expect(src(back.notebook.cells[1] as { source: string })).toBe(deviationsMarkdown(meta));
  });

  it('a notebook without metadata.paper is named', () => {
    const nb = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } as Notebook;
    expect(() => syncPaperCells(nb, 'notebooks/x.ipynb')).toThrow(/notebooks\/x\.ipynb: no metadata\.paper/);
  });
});

describe('npm run sync-notebooks', () => {
  it('--check fails on a notebook out of sync and names it; the sync fixes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-sync-'));
    try {
      const nb = notebookWith([{ cell_type: 'markdown', source: '# T' }]);
      fs.writeFileSync(path.join(dir, 'toy.ipynb'), JSON.stringify(nb));
      const run = (...a: string[]) =>
        spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'sync-notebooks.js'), ...a], {
          env: { ...process.env, RLMINI_NOTEBOOKS_DIR: dir },
          encoding: 'utf8',
        });
      const bad = run('--check');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/toy\.ipynb: out of sync with its metadata\.paper/);
      expect(run().status).toBe(0);
      expect(run('--check').status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every committed notebook is in sync with its metadata.paper', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'sync-notebooks.js'), '--check'], {
      encoding: 'utf8',
      env: { ...process.env, RLMINI_NOTEBOOKS_DIR: path.join(ROOT, 'notebooks') },
    });
    expect(r.status, r.stderr).toBe(0);
  });
});
