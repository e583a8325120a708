/** The paper catalog (data/catalog.json, copied from the team's shared catalog). */
import * as fs from 'fs';
import { paths } from './paths';

/**
 * Bibliographic data of a catalog paper, checked against a public page for the paper (never typed from memory).
 * Either verified fields, or `{ unverified: true, reason }` when no page for the paper could be found.
 */
export type CatalogBib =
  | {
      /** arXiv identifier, e.g. "2309.15257" (no version suffix). */
      arxiv: string;
      /** Title as on the arXiv page. */
      title: string;
      /** Full author names, in the paper's order. */
      authors: string[];
      /** Year of the cited version: the venue's year when published, else the arXiv submission year. */
      year: number;
      /** Published venue (e.g. "ICLR 2024") when a page states one, else "arXiv preprint". */
      venue: string;
      /** Always `https://arxiv.org/abs/<arxiv>`. */
      url: string;
      /** One BibTeX entry built from the fields above; key = first author's last name + year + first title word. */
      bibtex: string;
      /** Where the fields were read, and when. `venue_source` is the page the venue came from when it differs. */
      verified: { source: string; date: string; venue_source?: string };
      /** Discrepancies between sources (e.g. a proceedings title or author list that differs from arXiv). */
      note?: string;
    }
  | { unverified: true; reason: string };

export interface CatalogEntry {
  id: string;
  title: string;
  tier: 'A' | 'B' | 'C' | 'D';
  wave: number | null;
  testbed: string | null;
  family: string;
  value: number;
  core_claim: string;
  headline_numbers: string;
  mini_experiment: string;
  components: string[];
  abstract: string;
  /** Verified bibliographic data (see CatalogBib); absent where nobody has checked it yet. */
  bib?: CatalogBib;
}

export function readCatalog(file = paths.catalog()): CatalogEntry[] {
  let raw: { papers?: CatalogEntry[] };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(
      `Cannot read the paper catalog ${file}: ${(e as Error).message}. Restore it with \`git checkout -- ` +
        `data/catalog.json\`.`,
    );
  }
  if (!raw || !Array.isArray(raw.papers)) throw new Error(`${file}: expected {"papers": [...]}.`);
  return raw.papers;
}
