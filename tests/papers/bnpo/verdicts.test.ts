import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The committed full-profile summary and the notebook's pre-registered decisions (issue 14: claims vs checks,
// ROPEs from a pilot seed, validity-gated GRU claims, readings generated from data).
const ROOT = `${__dirname}/../../..`;
const readJson = (p: string) => {
  const buf = readFileSync(p);
  return JSON.parse((p.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
};
const nb = readJson(`${ROOT}/notebooks/bnpo.ipynb`);
const summary = readJson(`${ROOT}/data/results/bnpo/full/summary.json`);
type V = {
  claimId: string;
  kind?: string;
  status: string;
  lo: number;
  hi: number;
  dependsOn?: string[];
  invalidatedBy?: string[];
  decisions?: Record<string, { value: number }>;
};
const verdicts: V[] = summary.verdicts;
const byId = (id: string): V => {
  const v = verdicts.find((x) => x.claimId === id);
  if (!v) throw new Error(`no verdict ${id}`);
  return v;
};

describe('bnpo verdict accounting', () => {
  it('declares every decision parameter with a pilot-based justification', () => {
    const d = nb.metadata.paper.decisions as Record<string, { value: number; justification: string }>;
    for (const [name, p] of Object.entries(d)) {
      expect(typeof p.value, name).toBe('number');
      expect(p.justification, name).toMatch(/pilot seed 1000/);
    }
  });

  it('records the generalisation identity as a check and the paper statements as claims', () => {
    expect(byId('generalizes-reinforce-grpo').kind).toBe('check');
    expect(byId('gru-testbed-heldout-gain').kind).toBe('check');
    for (const id of ['lower-variance-vs-reinforce-baseline', 'variance-theory-vs-grpo', 'gru-sota-vs-grpo'])
      expect(byId(id).kind).toBe('claim');
  });

  it('a reproduced "lower / higher than" claim has its whole interval above the ROPE', () => {
    for (const v of verdicts) {
      if (v.kind !== 'claim' || v.status !== 'reproduced' || !v.decisions) continue;
      const rope = Object.entries(v.decisions).find(([n]) => n.startsWith('rope'));
      if (rope) expect(v.lo, v.claimId).toBeGreaterThan(rope[1].value);
    }
  });

  it('GRU held-out claims depend on the testbed-validity check and are invalid when it fails', () => {
    const valid = byId('gru-testbed-heldout-gain');
    for (const id of [
      'gru-bnpo-matches-grpo',
      'gru-sota-vs-grpo',
      'gru-sota-vs-reinforce-baseline',
      'gru-sota-vs-remax',
    ]) {
      const v = byId(id);
      expect(v.dependsOn).toContain('gru-testbed-heldout-gain');
      if (valid.status !== 'reproduced') expect(v.invalidatedBy, id).toContain('gru-testbed-heldout-gain');
    }
    // stability does not read held-out data
    expect(byId('gru-more-stable-vs-grpo').dependsOn ?? []).not.toContain('gru-testbed-heldout-gain');
  });

  it('has generated readings and no hand-typed decimals in markdown cells', () => {
    expect(summary.readings?.length ?? 0).toBeGreaterThanOrEqual(2);
    for (const c of nb.cells as { cell_type: string; source: string[] }[]) {
      if (c.cell_type !== 'markdown') continue;
      const text = c.source.join('').replace(/arxiv\.org\/abs\/\d+\.\d+|\d{4}\.\d{5}/g, '');
      expect(text).not.toMatch(/\d\.\d{2,}/);
    }
  });
});
