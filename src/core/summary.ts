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

/**
 * A result published for the comparison pages (reports/compare/<testbed>.html): one method's value of
 * one metric, per seed. Papers on the same testbed that publish the same metric and method are shown
 * side by side on shared axes (mean with a 95% bootstrap interval over seeds).
 */
export interface ComparisonSpec {
  /** What is measured, e.g. "final return" (compared across papers when the names match). */
  metric: string;
  /** The method, e.g. "PPO" (matched across papers case-insensitively). */
  method: string;
  /** One value per seed. */
  values: number[];
  /** The seed of each value. */
  seeds: number[];
  higherIsBetter: boolean;
  /** Optional: the unit or scale of the metric, shown on the axis. */
  unit?: string;
  /** Optional: what differs between papers' setups (shown next to the numbers). */
  note?: string;
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  paper: string;
  meta: PaperMeta | null;
  profile: Profile;
  params: Record<string, unknown>;
  seeds: number[];
  verdicts: Verdict[];
  /** Readings of the results written by nb.reading (markdown generated from the records). */
  readings?: string[];
  tables: TableSpec[];
  figures: FigureSpec[];
  /** Record keys by method, for the comparison pages. */
  records: { key: string; method: string; seed: number; metrics: Record<string, number> }[];
  provenance: Provenance;
  configHash: string;
  wallTimeMs: number;
  cached: { hits: number; computed: number; recomputedCorrupt: number };
  /** Results published with nb.compare(...) for the comparison pages (absent in older summaries). */
  comparisons?: ComparisonSpec[];
}
