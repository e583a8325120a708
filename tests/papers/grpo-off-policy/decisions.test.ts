import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../../src/core/records';
import { metricOf } from '../../../src/core/metric-keys';

// The pre-registered decision parameters of notebooks/grpo-off-policy.ipynb are fixed fractions of scales measured on
// pilot seed 1000 (committed record): recompute the scales from that record and check the declared values.
const ROOT = path.resolve(__dirname, '../../..');
const NB = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks/grpo-off-policy.ipynb'), 'utf8'));
const DECISIONS: Record<string, { value: number; justification: string }> = NB.metadata.paper.decisions;
const RECORDS = path.join(ROOT, 'data/results/grpo-off-policy/full/records');

function pilot(method: string): RunRecord {
  const f = fs.readdirSync(RECORDS).find((x) => x.startsWith(`${method}.seed1000.`));
  if (!f) throw new Error(`no ${method} record for seed 1000 in ${RECORDS}`);
  const r = readRecord(path.join(RECORDS, f));
  if (!r.ok) throw new Error(`unreadable pilot record ${f}`);
  return r.record;
}

describe('grpo-off-policy pre-registered decisions', () => {
  it('every nb.decision(...) used by the notebook is declared with a justification naming the pilot seed', () => {
    const code = NB.cells
      .filter((c: { cell_type: string }) => c.cell_type === 'code')
      .map((c: { source: string[] }) => c.source.join(''))
      .join('\n');
    const used = [...code.matchAll(/nb\.decision\('([A-Za-z]+)'\)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) {
      expect(DECISIONS[name], name).toBeDefined();
      expect(DECISIONS[name].justification).toMatch(/pilot seed 1000/);
    }
  });

  it('bandit tolerance / ROPE / margin are 10% / 5% / 5% of the pilot on-policy gain in J', () => {
    const r = pilot('pilot');
    const gain = metricOf(r, 'REINFORCE@k=0', 'finalJ') - metricOf(r, 'init', 'J');
    expect(gain).toBeGreaterThan(0);
    expect(DECISIONS.stalenessTolerance.value).toBeCloseTo(0.1 * gain, 3);
    expect(DECISIONS.ropeJ.value).toBeCloseTo(0.05 * gain, 3);
    expect(DECISIONS.marginIs.value).toBeCloseTo(0.05 * gain, 3);
  });

  it('GRU tolerance / ROPE / margin are 10% / 5% / 5% of the pilot on-policy gain in training pass@1', () => {
    const r = pilot('gru-pilot');
    const gain = metricOf(r, 'REINFORCE@k=0', 'train:pass@1') - metricOf(r, 'base', 'train:pass@1');
    expect(gain).toBeGreaterThan(0);
    expect(Math.abs(DECISIONS.gruStalenessTolerance.value - 0.1 * gain)).toBeLessThan(5e-4);
    expect(Math.abs(DECISIONS.gruRope.value - 0.05 * gain)).toBeLessThan(2.5e-4);
    expect(Math.abs(DECISIONS.gruMarginIs.value - 0.05 * gain)).toBeLessThan(2.5e-4);
  });

  it('transformer tolerance / ROPE / margin are 10% / 5% / 5% of the pilot GRPO gain in held-out pass@1', () => {
    const r = pilot('tf-pilot');
    const gain = metricOf(r, 'GRPO@k=0', 'L3:pass@1') - metricOf(r, 'base', 'L3:pass@1');
    expect(gain).toBeGreaterThan(0);
    expect(Math.abs(DECISIONS.tfStalenessTolerance.value - 0.1 * gain)).toBeLessThan(5e-5);
    expect(Math.abs(DECISIONS.tfRope.value - 0.05 * gain)).toBeLessThan(5e-5);
    expect(Math.abs(DECISIONS.tfMarginIs.value - 0.05 * gain)).toBeLessThan(5e-5);
  });

  it('the pilot seed is not a verdict seed, and every claim names its kind and recorded checks', () => {
    const s = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/results/grpo-off-policy/full/summary.json'), 'utf8'));
    expect(s.seeds).not.toContain(1000);
    const checks = new Set(
      s.verdicts.filter((v: { kind: string }) => v.kind === 'check').map((v: { claimId: string }) => v.claimId),
    );
    expect(checks.has('gru-testbed-heldout')).toBe(true);
    expect(checks.has('tf-testbed-heldout-gain')).toBe(true);
    for (const v of s.verdicts) {
      expect(['claim', 'check']).toContain(v.kind);
      for (const d of v.dependsOn ?? []) expect(checks.has(d)).toBe(true);
    }
  });
});
