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
  /** A testbed's standard-protocol results (published by its protocol notebook with nb.protocol(...)). */
  protocol?: ProtocolSpec;
}

/** One method's results in a testbed's standard protocol. */
export interface ProtocolMethodResult {
  name: string;
  /** 'labels': within the protocol's oracle budget (ranked); 'exact': exact-oracle reference (not ranked). */
  budget: 'labels' | 'exact';
  /** How it uses its budget (e.g. online / offline / exact), shown next to the name. */
  regime: string;
  /** Kit papers (catalog ids) whose notebooks use the method. */
  papers: string[];
  /** Source file of the recipe, relative to the repository root. */
  source: string;
  /** One line: the recipe. */
  summary: string;
  /** scores[t][k]: the protocol's score on task t (spec.tasks order) for seed k (spec.seeds order). */
  scores: number[][];
  /** Secondary metrics: per metric name, per task, the per-seed values (same layout as scores). */
  metrics: Record<string, number[][]>;
}

/** A testbed's standard protocol and the results of every method entered. */
export interface ProtocolSpec {
  testbed: string;
  /**
   * Set when a testbed has several protocols (lowercase slug, e.g. `reward-learning`): it names the page section
   * (`#protocol-<name>`) and the figures (`compare/<testbed>/protocol-<name>-iqm`). The unnamed protocol keeps
   * `#protocol` and `compare/<testbed>/protocol-iqm`.
   */
  name?: string;
  /** Heading of a named protocol's section. */
  title?: string;
  /** What the protocol is: tasks, budget, target, tuning (markdown). */
  description: string;
  /** The score: its name, direction and definition (markdown). */
  score: { name: string; higherIsBetter: boolean; definition: string };
  tasks: string[];
  seeds: number[];
  /** What the protocol cannot show (markdown). */
  limits: string;
  methods: ProtocolMethodResult[];
  /** Methods of the testbed's papers not entered, with the reason. */
  notEntered: { name: string; papers: string[]; reason: string }[];
  /**
   * Claims of paper notebooks that this protocol bears on as a second, independent setting: "`better` beats
   * `worse`" (two ranked methods of this protocol) for claim `claim` of paper `paper`. Shown under that claim on the
   * paper's page with P(better > worse) and its interval; the paper's own verdict is never changed by it.
   */
  citations?: ProtocolCitation[];
}

export interface ProtocolCitation {
  paper: string;
  claim: string;
  better: string;
  worse: string;
  /** One line: how the protocol's setting differs from the paper's (markdown). */
  note?: string;
}
