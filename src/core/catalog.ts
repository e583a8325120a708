/** The paper catalog (data/catalog.json, copied from the team's shared catalog). */
import * as fs from 'fs';
import { paths } from './paths';

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
}

export function readCatalog(file = paths.catalog()): CatalogEntry[] {
  let raw: { papers?: CatalogEntry[] };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(
      `Cannot read the paper catalog ${file}: ${(e as Error).message}. Restore it with \`git checkout -- data/catalog.json\`.`,
    );
  }
  if (!raw || !Array.isArray(raw.papers)) throw new Error(`${file}: expected {"papers": [...]}.`);
  return raw.papers;
}
