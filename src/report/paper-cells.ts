/**
 * One source of truth per paper: the notebook's `metadata.paper` (title, authors, venue, year, link,
 * claims quoted from the paper, design, deviations) is what the reports read, and the two markdown cells
 * a reader sees it in are generated from it:
 *
 * - the header cell (tag `paper-header`): title, authors, venue and year, link, the claims as quoted,
 *   and the miniature's design;
 * - the deviations cell (tag `paper-deviations`): one bullet per deviation.
 *
 * `npm run sync-notebooks` rewrites those cells from the metadata. The first time, the notebook's title
 * cell and its "## Deviations from the paper" section take the tags, and whatever else those cells held
 * (the method, equations, readings) moves to a cell of its own beside them. A test fails when a notebook
 * is out of sync, so they cannot drift apart: edit the metadata, then sync.
 */
import type { Notebook, NotebookCell, PaperMeta } from '../core/ipynb';

export const HEADER_TAG = 'paper-header';
export const DEVIATIONS_TAG = 'paper-deviations';
export const DEVIATIONS_HEADING = '## Deviations from the paper';
/** The kit's line limit (check:format), notebooks included. */
export const MAX_LINE = 120;

/** Greedy word wrap at `width` characters; continuation lines start with `indent`. Words are never split. */
export function wrap(text: string, width = MAX_LINE, first = '', indent = ''): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    const cand = empty ? line + w : `${line} ${w}`;
    if (!empty && [...cand].length > width) {
      lines.push(line);
      line = indent + w;
    } else line = cand;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** A paragraph of markdown (blank lines in the text separate paragraphs), wrapped. */
function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p, i) => [...(i ? [''] : []), ...wrap(p)]);
}

function linkLabel(url: string): string {
  const m = /arxiv\.org\/(?:abs|pdf)\/([0-9]{4}\.[0-9]{4,5})/.exec(url);
  return m ? `arXiv:${m[1]}` : url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/** The header cell's markdown, from the metadata. */
export function headerMarkdown(p: PaperMeta): string {
  const venue = p.venue && p.venue.includes(String(p.year)) ? p.venue : [p.venue, p.year].filter(Boolean).join(' ');
  const lines = [
    `# ${p.title}`,
    '',
    ...wrap(`${p.authors.join(', ')} — ${venue} — [${linkLabel(p.url)}](${p.url})`),
    '',
    '**Claims (quoted from the paper).**',
    ...p.claims.flatMap((c) => wrap(`- *${c.id}*: "${c.quote}"`, MAX_LINE, '', '  ')),
  ];
  if (p.design?.trim()) {
    const [first, ...rest] = paragraphs(`**The miniature.** ${p.design.trim()}`);
    lines.push('', first, ...rest);
  }
  return lines.join('\n');
}

/** The deviations cell's markdown, from the metadata. */
export function deviationsMarkdown(p: PaperMeta): string {
  const items = (p.deviations ?? []).flatMap((d) => wrap(`- ${d}`, MAX_LINE, '', '  '));
  return [DEVIATIONS_HEADING, '', ...(items.length ? items : ['None declared.'])].join('\n');
}

/** nbformat's list-of-lines form of a cell source. */
function toSource(text: string): string[] {
  const parts = text.split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l)).filter((l) => l !== '');
}

function sourceText(c: NotebookCell): string {
  return Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '');
}

function tags(c: NotebookCell): string[] {
  const t = (c.metadata as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(t) ? (t as string[]) : [];
}

function markdownCell(text: string, tag: string): NotebookCell {
  return { cell_type: 'markdown', metadata: { tags: [tag] }, source: toSource(text) } as NotebookCell;
}

export interface SyncResult {
  /** The notebook with its generated cells as the metadata says. */
  notebook: Notebook;
  /** What differed (empty: in sync). */
  changes: string[];
}

/**
 * The notebook with its `paper-header` and `paper-deviations` cells generated from `metadata.paper`.
 * Untagged notebooks: the first markdown cell (it must start with `# `) becomes the header and the
 * "## Deviations from the paper" cell the deviations cell (appended at the end when there is none).
 * Throws, naming the notebook, when there is no metadata.paper.
 */
export function syncPaperCells(nb: Notebook, where: string): SyncResult {
  const p = nb.metadata.paper;
  if (!p) throw new Error(`${where}: no metadata.paper to generate the paper cells from.`);
  const cells = nb.cells.map((c) => ({ ...c }));
  const changes: string[] = [];
  const generated = (tag: string) => cells.findIndex((c) => tags(c).includes(tag));
  const untagged = (i: number, tag: string, text: string, keep: string[]) => {
    // First sync: the cell takes the tag; what it held besides the generated content stays, in a cell
    // of its own next to it.
    const old = cells[i];
    const metadata = { ...(old.metadata ?? {}), tags: [...tags(old), tag] };
    const rest = keep.map((t) => t.trim());
    cells.splice(i, 1, { ...markdownCell(text, tag), metadata } as NotebookCell);
    if (rest[0])
      cells.splice(i + 1, 0, { cell_type: 'markdown', metadata: {}, source: toSource(rest[0]) } as NotebookCell);
    if (rest[1]) cells.splice(i, 0, { cell_type: 'markdown', metadata: {}, source: toSource(rest[1]) } as NotebookCell);
    changes.push(`${tag}: tagged and generated`);
  };
  const regenerate = (i: number, tag: string, text: string) => {
    if (cells[i].cell_type === 'markdown' && sourceText(cells[i]) === text) return;
    cells[i] = { ...markdownCell(text, tag), metadata: cells[i].metadata ?? { tags: [tag] } } as NotebookCell;
    changes.push(`${tag}: regenerated from the metadata`);
  };

  const header = headerMarkdown(p);
  let h = generated(HEADER_TAG);
  if (h >= 0) regenerate(h, HEADER_TAG, header);
  else {
    h = cells.findIndex((c) => c.cell_type === 'markdown' && sourceText(c).startsWith('# '));
    if (h < 0) {
      cells.unshift(markdownCell(header, HEADER_TAG));
      changes.push(`${HEADER_TAG}: added`);
    } else {
      // Title, authors line, claims and the miniature's summary are generated; other paragraphs (the
      // method, its equations, a headline) are the author's and stay.
      const paras = sourceText(cells[h]).split(/\n\s*\n/);
      const own = paras.filter(
        (q, k) => k > 1 && !/^\*\*Claims\b/.test(q.trim()) && !/^\*\*The miniature\.\*\*/.test(q.trim()),
      );
      untagged(h, HEADER_TAG, header, [own.join('\n\n')]);
    }
  }

  const deviations = deviationsMarkdown(p);
  const d = generated(DEVIATIONS_TAG);
  if (d >= 0) regenerate(d, DEVIATIONS_TAG, deviations);
  else {
    const at = cells.findIndex(
      (c) =>
        c.cell_type === 'markdown' &&
        sourceText(c)
          .split('\n')
          .some((l) => l.trim() === DEVIATIONS_HEADING),
    );
    if (at < 0) {
      cells.push(markdownCell(deviations, DEVIATIONS_TAG));
      changes.push(`${DEVIATIONS_TAG}: added`);
    } else {
      // The old list runs from the heading to the next heading; text before and after it stays.
      const lines = sourceText(cells[at]).split('\n');
      const k = lines.findIndex((l) => l.trim() === DEVIATIONS_HEADING);
      let end = lines.findIndex((l, j) => j > k && /^#{1,6} /.test(l));
      if (end < 0) end = lines.length;
      untagged(at, DEVIATIONS_TAG, deviations, [lines.slice(end).join('\n'), lines.slice(0, k).join('\n')]);
    }
  }
  return { notebook: { ...nb, cells }, changes };
}

/** A notebook as Jupyter writes it (one-space indent, non-ASCII kept, trailing newline). */
export function serialiseNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + '\n';
}
