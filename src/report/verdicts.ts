/**
 * Verdicts as the pages show them. Only claims (the paper's claims, tested) count as reproductions;
 * checks (identities, premises, implementation and testbed validity) are shown apart and never counted.
 * A verdict without a kind (older summaries) is a claim. A claim whose checks failed reads
 * "inconclusive (testbed invalid)" (core/display statusLabel).
 */
import { fmt } from '../core/escape';
import { statusLabel } from '../core/display';
import type { Verdict } from '../stats/verdict';

export type VerdictKind = 'claim' | 'check';

export function kindOf(v: Verdict): VerdictKind {
  return v.kind === 'check' ? 'check' : 'claim';
}

/** CSS class of a status label (chips and badges). */
export function labelClass(label: string): string {
  switch (label) {
    case 'reproduced':
    case 'passed':
      return 'reproduced';
    case 'not reproduced':
    case 'failed':
      return 'not-reproduced';
    case 'inconclusive (testbed invalid)':
      return 'inconclusive invalid';
    default:
      return 'inconclusive';
  }
}

const SYMBOL: Record<string, string> = {
  reproduced: '✓',
  passed: '✓',
  'not reproduced': '✗',
  failed: '✗',
  inconclusive: '?',
  'inconclusive (testbed invalid)': '!',
};

/** The test a verdict applied, without the decision rule's wording (stated once per page). */
export function testText(check: string): string {
  const cut = check.search(/[;.]\s*(?:reproduced|passed) iff/);
  const t = (cut > 0 ? check.slice(0, cut + 1) : check).trim();
  return t.replace(/^Claim:\s*/, '').replace(/;$/, '.');
}

/** A pre-registered value as declared (numbers as written, not rounded). */
function valueText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.slice(0, 20).map(String).join(', ')}${v.length > 20 ? ', …' : ''}]`;
  return String(v);
}

export interface StaleInfo {
  /** The commit (12 hex digits) the verdicts were computed at. */
  commit: string;
  dirty: boolean;
  /** When the summary was written (ISO date), '' when unknown. */
  date: string;
}

export interface VerdictRow {
  claimId: string;
  kind: VerdictKind;
  claim: string;
  /** The statistic and threshold tested (short), and the full check text (for a title). */
  test: string;
  checkText: string;
  label: string;
  cls: string;
  symbol: string;
  estimate: string;
  interval: string;
  levelPct: string;
  seeds: string;
  evidence: boolean;
  decisions: { name: string; value: string; justification: string }[];
  /** The figure behind the verdict: its id, and the anchor on the page when the page draws it. */
  figure: { id: string; href: string | null } | null;
  dependsOn: string[];
  invalidatedBy: string[];
  /** Hover text of a chip: claim, verdict, estimate and interval. */
  title: string;
  stale: boolean;
}

function seedsOf(v: Verdict): string {
  const cases = v.details?.nCases;
  return `${v.nSeeds}${cases !== undefined && Number.isFinite(Number(cases)) ? ` (${Number(cases)} cases)` : ''}`;
}

/** Rows of verdicts for a page; `figureAnchors` maps a figure id drawn on the page to its anchor. */
export function verdictRows(
  verdicts: Verdict[],
  figureAnchors: Map<string, string> = new Map(),
  stale: StaleInfo | null = null,
): VerdictRow[] {
  return verdicts.map((v) => {
    const label = statusLabel(v);
    const level = Number.isFinite(v.level) ? Math.round(v.level * 100) : NaN;
    const interval = `[${fmt(v.lo)}, ${fmt(v.hi)}]`;
    const levelPct = Number.isFinite(level) ? (v.level === 1 && v.lo === v.hi ? 'exact' : `${level}%`) : '?';
    const staleNote = stale
      ? `STALE (the last run failed; from commit ${stale.commit}${stale.dirty ? ' with uncommitted changes' : ''}` +
        `${stale.date ? `, ${stale.date}` : ''}) — `
      : '';
    return {
      claimId: v.claimId,
      kind: kindOf(v),
      claim: v.claim,
      test: testText(v.check),
      checkText: v.check,
      label,
      cls: labelClass(label),
      symbol: SYMBOL[label] ?? '?',
      estimate: fmt(v.estimate),
      interval,
      levelPct,
      seeds: seedsOf(v),
      evidence: v.evidence,
      decisions: Object.entries(v.decisions ?? {}).map(([name, d]) => ({
        name,
        value: valueText(d.value),
        justification: d.justification,
      })),
      figure: v.figure ? { id: v.figure, href: figureAnchors.get(v.figure) ?? null } : null,
      dependsOn: v.dependsOn ?? [],
      invalidatedBy: v.invalidatedBy ?? [],
      title:
        `${staleNote}${v.claimId}: ${v.claim}\n${label} — estimate ${fmt(v.estimate)} ${interval} ` +
        `(${levelPct === 'exact' ? 'exact' : `${levelPct} interval`}), ${seedsOf(v)} seeds` +
        `${v.evidence ? '' : ' — smoke profile, not evidence'}`,
      stale: stale !== null,
    };
  });
}

export interface ClaimCounts {
  reproduced: number;
  notReproduced: number;
  inconclusive: number;
  /** Of the inconclusive: claims whose testbed checks failed. */
  invalid: number;
  total: number;
}

/** Counts of claims (never checks) by verdict. */
export function countClaims(verdicts: Verdict[]): ClaimCounts {
  const c: ClaimCounts = { reproduced: 0, notReproduced: 0, inconclusive: 0, invalid: 0, total: 0 };
  for (const v of verdicts) {
    if (kindOf(v) !== 'claim') continue;
    c.total++;
    const label = statusLabel(v);
    if (label === 'reproduced') c.reproduced++;
    else if (label === 'not reproduced') c.notReproduced++;
    else {
      c.inconclusive++;
      if (label === 'inconclusive (testbed invalid)') c.invalid++;
    }
  }
  return c;
}

export interface CheckCounts {
  passed: number;
  failed: number;
  inconclusive: number;
  total: number;
}

export function countChecks(verdicts: Verdict[]): CheckCounts {
  const c: CheckCounts = { passed: 0, failed: 0, inconclusive: 0, total: 0 };
  for (const v of verdicts) {
    if (kindOf(v) !== 'check') continue;
    c.total++;
    if (v.status === 'reproduced') c.passed++;
    else if (v.status === 'not reproduced') c.failed++;
    else c.inconclusive++;
  }
  return c;
}

export function addCounts<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, number>;
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + (v as number);
  return out as T;
}

/** "3 reproduced · 1 not reproduced · 2 inconclusive (1 testbed invalid)" as badge data. */
export function claimBadges(c: ClaimCounts): { label: string; cls: string; n: number }[] {
  return [
    { label: 'reproduced', cls: 'reproduced', n: c.reproduced },
    { label: 'not reproduced', cls: 'not-reproduced', n: c.notReproduced },
    {
      label: c.invalid ? `inconclusive (${c.invalid} testbed invalid)` : 'inconclusive',
      cls: 'inconclusive',
      n: c.inconclusive,
    },
  ].filter((b) => b.n > 0);
}
