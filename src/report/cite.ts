/**
 * Citations: the kit's BibTeX, a BibTeX @misc per figure (stable id `<paper-id>/<name>`, caption,
 * provenance) and the "cite this figure" text shown on paper and comparison pages.
 */
import type { PaperMeta } from '../core/ipynb';
import type { Summary } from '../core/summary';
import { publicationOf, sourceUrl } from './publication';

export const KIT_TITLE =
  'rl-miniatures: faithful miniatures of reinforcement-learning, reward-learning and preference-learning papers';
export const KIT_AUTHOR = 'rl-miniatures developers';
export const KIT_YEAR = 2026;
export const KIT_KEY = 'rl_miniatures';

/** Where citations point: the configured repository URL (see ./publication), or null (commit only). */
export interface CiteOptions {
  repoUrl?: string | null;
}

export function kitBibtex(version: string, opts: CiteOptions = {}): string {
  return [
    `@software{${KIT_KEY},`,
    `  title   = {${KIT_TITLE}},`,
    `  author  = {{${KIT_AUTHOR}}},`,
    `  year    = {${KIT_YEAR}},`,
    `  version = {${bibEscape(version)}},`,
    ...(opts.repoUrl ? [`  url     = {${bibUrl(opts.repoUrl)}},`] : []),
    `  note    = {TypeScript notebooks on TensorFlow.js; see CITATION.cff},`,
    `}`,
  ].join('\n');
}

/** A URL inside a BibTeX field: only the characters that would break the entry are escaped. */
export function bibUrl(url: string): string {
  return url
    .replace(/[{}\\\s]/g, (c) => encodeURIComponent(c))
    .replace(/%/g, '\\%')
    .replace(/#/g, '\\#');
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

/**
 * Where a figure can be found again: the notebook at the commit its result was computed at, as a stable
 * URL of the configured repository (or the commit alone when no repository URL is configured); never a
 * local path.
 */
export function figureSource(summary: Summary, opts: CiteOptions = {}): { text: string; url: string | null } {
  const pub = publicationOf(summary);
  const file = `notebooks/${summary.paper}.ipynb`;
  if (opts.repoUrl && pub.fullCommit !== 'unknown') {
    const url = sourceUrl(opts.repoUrl, pub.fullCommit, file);
    return { text: url, url };
  }
  return { text: `rl-miniatures commit ${pub.commit}, ${file}`, url: null };
}

/** BibTeX @misc for a paper's figure, with its stable id, caption and provenance. */
export function figureCitation(
  meta: PaperMeta | null,
  summary: Summary,
  fig: { id: string; caption: string },
  opts: CiteOptions = {},
): FigureCitation {
  const key = figureKey(fig.id);
  const paperKey = bibKey(meta?.bibtex);
  const paperTitle = meta?.title || summary.paper;
  const year = /^\d{4}/.test(summary.provenance.createdAt ?? '')
    ? summary.provenance.createdAt.slice(0, 4)
    : String(KIT_YEAR);
  const prov = provenanceText(summary);
  const bibProv = prov.replace(/–/g, '--');
  const src = figureSource(summary, opts);
  const reproduces =
    `Figure of the rl-miniatures miniature reproducing ${paperTitle}` +
    `${paperKey ? ` (BibTeX key ${paperKey})` : ''}`;
  const howpublished = src.url
    ? `\\url{${bibUrl(src.url)}}, figure \\texttt{${bibEscape(fig.id)}}`
    : `rl-miniatures, figure \\texttt{${bibEscape(fig.id)}}, ${bibEscape(src.text)}`;
  const bibtex = [
    `@misc{${key},`,
    `  title        = {{Figure ${bibEscape(fig.id)}}: ${bibEscape(fig.caption)}},`,
    `  author       = {{${KIT_AUTHOR}}},`,
    `  year         = {${year}},`,
    `  howpublished = {${howpublished}},`,
    `  note         = {${bibEscape(reproduces)}. ${bibEscape(bibProv)}},`,
    `}`,
  ].join('\n');
  const text =
    `rl-miniatures developers (${year}). Figure ${fig.id}: ${fig.caption} ${reproduces}; ${prov}. ` +
    `${src.url ? `Source: ${src.url}` : src.text}.`;
  return { key, bibtex, text };
}

/**
 * The full "cite this figure" block: plain text, the figure's @misc, the kit's and the paper's BibTeX.
 * A result that is not citable (smoke profile, unpublished) gets the reason and what to do instead.
 */
export function citeBlock(
  meta: PaperMeta | null,
  summary: Summary,
  fig: { id: string; caption: string },
  kitVersion: string,
  opts: CiteOptions = {},
): string {
  const pub = publicationOf(summary);
  if (!pub.citable) return `Not citable: ${pub.label}. ${pub.why}`;
  const c = figureCitation(meta, summary, fig, opts);
  return [
    c.text,
    '',
    c.bibtex,
    '',
    kitBibtex(kitVersion, opts),
    ...(meta?.bibtex ? ['', meta.bibtex.trim()] : []),
  ].join('\n');
}
