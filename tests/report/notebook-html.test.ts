/**
 * The executed notebook on a paper page: display outputs forged straight into the notebook (what a cell,
 * or anyone editing the file, can put there) are type-checked against the kit's schemas and escaped;
 * huge outputs are cut with a link to the full .ipynb, so the page stays bounded.
 */
import { describe, expect, it } from 'vitest';
import type { Notebook } from '../../src/core/ipynb';
import { IMAGE_CAP_CHARS, NOTEBOOK_CAP_CHARS, notebookHtml, OUTPUT_CAP_CHARS } from '../../src/report/notebook-html';
import { checkComparison, checkFigure, checkSummary, checkTable, checkVerdict } from '../../src/report/schema';
import { codeCell, display, mdCell, summary, verdict } from './fixture';

const EVIL = '<img src=x onerror="window.__pwned=1">';
const nb = (cells: unknown[]): Notebook => ({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }) as Notebook;

/** No tag or attribute from the forged text reaches the HTML. */
function noInjection(html: string): void {
  expect(html).not.toMatch(/<img src=x/i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+="/i);
}

describe('schemas of the display types', () => {
  it('a verdict: every field is type-checked (a string for nSeeds, an unknown status, an object claim)', () => {
    expect(checkVerdict(verdict()).ok).toBe(true);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ nSeeds: EVIL }, /verdict\.nSeeds: expected a whole number ≥ 0, got string/],
      [{ nSeeds: 2.5 }, /nSeeds/],
      [{ status: 'reproduced<b>' }, /verdict\.status: expected one of "reproduced"/],
      [{ claim: { toString: 'x' } }, /verdict\.claim: expected text, got object/],
      [{ estimate: '0.5' }, /verdict\.estimate: expected a number, got string/],
      [{ level: [0.95] }, /verdict\.level: expected a number, got an array/],
      [{ kind: 'reproduction' }, /verdict\.kind/],
      [{ profile: 'huge' }, /verdict\.profile/],
      [{ evidence: 'yes' }, /verdict\.evidence/],
      [{ decisions: { margin: { value: { a: 1 }, justification: 'x' } } }, /decisions\.margin\.value/],
      [{ decisions: { margin: { value: 0.1 } } }, /decisions\.margin\.justification: expected text/],
      [{ figure: '<script>' }, /verdict\.figure: expected a figure id/],
      [{ invalidatedBy: [1] }, /invalidatedBy\[0\]/],
    ];
    for (const [over, re] of cases) {
      const r = checkVerdict({ ...verdict(), ...over });
      expect(r.ok, JSON.stringify(over)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(re);
    }
    // JSON writes NaN as null: it reads back as NaN, not as an error.
    const nan = checkVerdict({ ...verdict(), estimate: null, lo: null, hi: null });
    expect(nan.ok && Number.isNaN(nan.value.estimate)).toBe(true);
  });

  it('a table cell must be a number, text or null; a figure needs an id, a caption and plotly data', () => {
    const t = { name: 't', caption: 'c', columns: ['a'], rows: [[1], ['x'], [null]] };
    expect(checkTable(t).ok).toBe(true);
    const bad = checkTable({ ...t, rows: [[1], [{ toString: EVIL }]] });
    expect(bad.ok ? '' : bad.error).toBe('table.rows[1][0]: expected a number, text or null, got object');
    const f = { id: 'p/x', name: 'x', caption: 'c', plotly: { data: [], layout: {} } };
    expect(checkFigure(f).ok).toBe(true);
    expect(checkFigure({ ...f, caption: ['a'] }).ok).toBe(false);
    expect(checkFigure({ ...f, plotly: { data: 'x' } }).ok).toBe(false);
    expect(checkFigure({ ...f, id: 'no-slash' }).ok).toBe(false);
    expect(checkComparison({ metric: 'm', method: 'a', values: [1, 'x'], higherIsBetter: true }).ok).toBe(false);
    expect(checkComparison({ metric: 'm', method: 'a', values: [1], higherIsBetter: true }).ok).toBe(true);
  });

  it('a summary keeps what fits and lists the rest', () => {
    const s = summary('p');
    const forged = {
      ...s,
      verdicts: [verdict({ claimId: 'ok' }), { ...verdict({ claimId: 'bad' }), nSeeds: EVIL }],
      tables: [{ ...s.tables[0], rows: [[{ x: 1 }]] }],
    };
    const r = checkSummary(JSON.parse(JSON.stringify(forged)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.summary.verdicts.map((v) => v.claimId)).toEqual(['ok']);
    expect(r.value.summary.tables).toEqual([]);
    expect(r.value.problems).toEqual([
      'summary.verdicts[1].nSeeds: expected a whole number ≥ 0, got string',
      'summary.tables[0].rows[0][0]: expected a number, text or null, got object',
    ]);
    expect(checkSummary({ ...s, profile: 'huge' }).ok).toBe(false);
    expect(checkSummary([]).ok).toBe(false);
  });
});

describe('forged display outputs in an executed notebook', () => {
  it('are rejected or escaped: nothing from the notebook becomes markup', () => {
    const html = notebookHtml(
      nb([
        codeCell(
          'x',
          [
            display({ 'application/vnd.rlmini.verdict+json': { ...verdict(), nSeeds: EVIL } }),
            display({ 'application/vnd.rlmini.verdict+json': { ...verdict(), claim: EVIL, claimId: EVIL } }),
            display({
              'application/vnd.rlmini.figure+json': {
                id: 'p/f',
                name: 'f" onmouseover="x',
                caption: `<script>window.__pwned=2</script>${EVIL}`,
                plotly: { data: [], layout: {} },
              },
            }),
            display({
              'application/vnd.rlmini.table+json': { caption: 'c', columns: ['a'], rows: [[{ html: EVIL }]] },
            }),
            display({ 'application/vnd.rlmini.table+json': { caption: EVIL, columns: [EVIL], rows: [[EVIL, 1]] } }),
            display({
              'application/vnd.rlmini.comparison+json': {
                metric: EVIL,
                method: 'a',
                values: [1],
                higherIsBetter: true,
              },
            }),
            display({ 'text/markdown': `# hi ${EVIL}\n\n<script>window.__pwned=3</script>` }),
            display({ 'text/html': EVIL, 'text/plain': 'plain' }),
            display({ 'image/png': `AAAA" onerror="x` }),
            { output_type: 'stream', name: 'stdout" onmouseover="x', text: EVIL },
            { output_type: 'error', ename: EVIL, evalue: EVIL, traceback: [EVIL] },
          ],
          `<img src=x onerror=1>`,
        ),
        { ...codeCell('y'), execution_count: EVIL, metadata: { tags: [EVIL] } },
        mdCell(`**bold** ${EVIL} [x](javascript:alert(1))`),
      ]),
      { figureIds: new Set(['p/f']) },
    );
    noInjection(html);
    expect(html).not.toContain('javascript:');
    // The forged verdict is named, not shown; the valid one with hostile text is shown as text.
    expect(html).toContain(
      "Not shown: this verdict output does not fit the kit's schema " +
        '(verdict.nSeeds: expected a whole number ≥ 0, got string).',
    );
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;');
    expect(html).toContain('Not shown: this table output does not fit');
    expect(html).toContain('table.rows[0][0]: expected a number, text or null, got object');
    // The figure's name goes into an attribute only as escaped text.
    expect(html).toContain('href="#fig-f&quot; onmouseover=&quot;x"');
    expect(html).toContain('&lt;script&gt;window.__pwned=2&lt;/script&gt;');
    expect(html).toContain('<pre class="stdout">'); // an unknown stream name is not used as a class
    expect(html).toContain('In [ ]'); // a forged execution count is not printed
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toContain('data:image/png;base64,AAAA"');
  });
});

describe('output caps', () => {
  it('a 50 MB output shows a bounded head and tail with a link to the full .ipynb', () => {
    const big = 'line of output\n'.repeat(Math.ceil(50e6 / 15));
    const html = notebookHtml(nb([codeCell('spam()', [{ output_type: 'stream', name: 'stdout', text: [big] }])]), {
      ipynbHref: '../notebooks/full/p.ipynb',
    });
    expect(html.length).toBeLessThan(OUTPUT_CAP_CHARS * 1.5 + 2000);
    expect(html).toMatch(/Output truncated: the page shows the first 16 kB and the last 4 kB of 50\.0 MB\./);
    expect(html).toContain('<a href="../notebooks/full/p.ipynb">download the .ipynb</a>');
    expect(html.split('line of output').length - 1).toBeGreaterThan(1000); // head and tail are there
  });

  it('many outputs, many cells, a huge image and a long table stay within the page budget', () => {
    const chunk = 'x'.repeat(OUTPUT_CAP_CHARS - 10);
    const cells = Array.from({ length: 40 }, (_, i) =>
      codeCell(
        `cell ${i}`,
        Array.from({ length: 20 }, () => ({ output_type: 'stream', name: 'stdout', text: chunk })),
      ),
    );
    cells.push(codeCell('img', [display({ 'image/png': 'A'.repeat(IMAGE_CAP_CHARS + 4) })]));
    const html = notebookHtml(nb(cells), { ipynbHref: 'p.ipynb' });
    expect(html.length).toBeLessThan(NOTEBOOK_CAP_CHARS + 2 * OUTPUT_CAP_CHARS + 5000);
    expect(html).toMatch(/Outputs \d+–20 of this cell are not shown/);
    expect(html).toMatch(/The notebook is cut here: .* cells \d+–41 are not shown/);
    const img = notebookHtml(nb([cells[40]]), {});
    expect(img).toMatch(/Image not shown \(2\.0 MB of base64\)/);
    const rows = Array.from({ length: 1000 }, (_, i) => [i, `r${i}`]);
    const table = notebookHtml(
      nb([
        codeCell('t', [display({ 'application/vnd.rlmini.table+json': { caption: 'c', columns: ['a', 'b'], rows } })]),
      ]),
      { ipynbHref: 'p.ipynb' },
    );
    expect(table).toContain('Table truncated: 800 of 1000 rows not shown.');
    expect(table.split('<tr>').length - 1).toBe(201); // header + 200 rows
  });
});
