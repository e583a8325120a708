/** The per-notebook summary the reports are rendered from: data/results/<id>/<profile>/summary.json */
import type { PaperMeta } from './ipynb';
import type { Profile } from './params';
import type { Provenance } from './provenance';
import type { Verdict } from '../stats/verdict';

export const SUMMARY_SCHEMA = 'rl-miniatures/summary@1';

export interface TableSpec {
  name: string;
  caption: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface FigureSpec {
  /** Stable id `<paper-id>/<name>`. */
  id: string;
  name: string;
  caption: string;
  /** A plotly figure: { data, layout }. */
  plotly: { data: unknown[]; layout: Record<string, unknown> };
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  paper: string;
  meta: PaperMeta | null;
  profile: Profile;
  params: Record<string, unknown>;
  seeds: number[];
  verdicts: Verdict[];
  tables: TableSpec[];
  figures: FigureSpec[];
  /** Record keys by method, for the comparison pages. */
  records: { key: string; method: string; seed: number; metrics: Record<string, number> }[];
  provenance: Provenance;
  configHash: string;
  wallTimeMs: number;
  cached: { hits: number; computed: number; recomputedCorrupt: number };
}
