/**
 * Citations: the kit's BibTeX, a BibTeX @misc per figure (stable id `<paper-id>/<name>`, caption,
 * provenance) and the "cite this figure" text shown on paper and comparison pages.
 */
import type { PaperMeta } from '../core/ipynb';
import type { Summary } from '../core/summary';

export const KIT_TITLE =
  'rl-miniatures: faithful miniatures of reinforcement-learning, reward-learning and preference-learning papers';
export const KIT_AUTHOR = 'rl-miniatures developers';
export const KIT_YEAR = 2026;
export const KIT_KEY = 'rl_miniatures';

export function kitBibtex(version: string): string {
  return [
    `@software{${KIT_KEY},`,
    `  title   = {${KIT_TITLE}},`,
    `  author  = {{${KIT_AUTHOR}}},`,
    `  year    = {${KIT_YEAR}},`,
    `  version = {${bibEscape(version)}},`,
    `  note    = {TypeScript notebooks on TensorFlow.js; see CITATION.cff},`,
    `}`,
  ].join('\n');
}

/**
 * Escape free text for a braced BibTeX field: LaTeX specials become commands, so a caption cannot
 * unbalance the braces or start a comment.
 */
export function bibEscape(text: unknown): string {
  return String(text ?? '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\{}$&%#_^~]/g, (c) =>
      c === '\\'
        ? '\\textbackslash{}'
        : c === '^'
          ? '\\textasciicircum{}'
          : c === '~'
            ? '\\textasciitilde{}'
            : `\\${c}`,
    );
}

/** The citation key of a BibTeX entry (`@article{key,` → key), or null. */
export function bibKey(bibtex: string | undefined | null): string | null {
  const m = /@\w+\s*\{\s*([^,\s{}]+)\s*,/.exec(bibtex ?? '');
  return m ? m[1] : null;
}

/** Stable BibTeX key of a figure id: `starc/spearman-by-metric` → `rlmini:starc:spearman-by-metric`. */
export function figureKey(id: string): string {
  return `rlmini:${id.replace(/[^A-Za-z0-9-]+/g, ':')}`;
}

/** "0–4" for consecutive seeds, else a comma list (shortened past 12). */
export function seedsText(seeds: number[]): string {
  if (seeds.length === 0) return 'none';
  const consecutive = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  if (consecutive && seeds.length > 2) return `${seeds[0]}–${seeds[seeds.length - 1]}`;
  return seeds.length > 12 ? `${seeds.slice(0, 12).join(', ')}, … (${seeds.length} seeds)` : seeds.join(', ');
}

export interface FigureCitation {
  key: string;
  bibtex: string;
  /** A one-paragraph citation in plain text. */
  text: string;
}

/** The provenance a figure's caption and citation carry. */
export function provenanceText(summary: Summary): string {
  const p = summary.provenance;
  return (
    `profile ${summary.profile}${summary.profile === 'smoke' ? ' (not evidence)' : ''}, ` +
    `${summary.seeds.length} seeds (${seedsText(summary.seeds)}), backend ${p.backend}, ` +
    `rl-miniatures ${p.kitVersion} commit ${p.commit.slice(0, 12)}${p.dirty ? ' (uncommitted changes)' : ''}, ` +
    `config hash ${summary.configHash}, notebook hash ${p.notebookHash.slice(0, 12)}`
  );
}

/** BibTeX @misc for a paper's figure, with its stable id, caption and provenance. */
export function figureCitation(
  meta: PaperMeta | null,
  summary: Summary,
  fig: { id: string; caption: string },
): FigureCitation {
  const key = figureKey(fig.id);
  const paperKey = bibKey(meta?.bibtex);
  const paperTitle = meta?.title ?? summary.paper;
  const year = /^\d{4}/.test(summary.provenance.createdAt ?? '')
    ? summary.provenance.createdAt.slice(0, 4)
    : String(KIT_YEAR);
  const prov = provenanceText(summary);
  const bibProv = prov.replace(/–/g, '--');
  const reproduces =
    `Figure of the rl-miniatures miniature reproducing ${paperTitle}` +
    `${paperKey ? ` (BibTeX key ${paperKey})` : ''}`;
  const bibtex = [
    `@misc{${key},`,
    `  title        = {{Figure ${bibEscape(fig.id)}}: ${bibEscape(fig.caption)}},`,
    `  author       = {{${KIT_AUTHOR}}},`,
    `  year         = {${year}},`,
    `  howpublished = {rl-miniatures, figure \\texttt{${bibEscape(fig.id)}}, ` +
      `reports/figures/${bibEscape(fig.id)}.pdf},`,
    `  note         = {${bibEscape(reproduces)}. ${bibEscape(bibProv)}},`,
    `}`,
  ].join('\n');
  const text = `rl-miniatures developers (${year}). Figure ${fig.id}: ${fig.caption} ${reproduces}; ${prov}.`;
  return { key, bibtex, text };
}

/** The full "cite this figure" block: plain text, the figure's @misc, the kit's and the paper's BibTeX. */
export function citeBlock(
  meta: PaperMeta | null,
  summary: Summary,
  fig: { id: string; caption: string },
  kitVersion: string,
): string {
  const c = figureCitation(meta, summary, fig);
  return [c.text, '', c.bibtex, '', kitBibtex(kitVersion), ...(meta?.bibtex ? ['', meta.bibtex.trim()] : [])].join(
    '\n',
  );
}
