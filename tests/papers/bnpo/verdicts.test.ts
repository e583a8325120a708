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
    expect(byId('tf-testbed-heldout-gain').kind).toBe('check');
    for (const id of ['lower-variance-vs-reinforce-baseline', 'variance-theory-vs-grpo', 'tf-sota-vs-grpo'])
      expect(byId(id).kind).toBe('claim');
  });

  it('the GRU comparisons are no longer claims: only its validity check is recorded, the rest is a table', () => {
    const gru = verdicts.filter((v) => v.claimId.startsWith('gru-'));
    expect(gru.map((v) => v.claimId)).toEqual(['gru-testbed-heldout-gain']);
    const tables = (summary.tables as { name: string; rows: unknown[][] }[]).map((t) => t.name);
    expect(tables).toContain('gru-verdicts');
    expect(tables).toContain('gru-vs-transformer');
  });

  it('a reproduced "lower / higher than" claim has its whole interval above the ROPE', () => {
    for (const v of verdicts) {
      if (v.kind !== 'claim' || v.status !== 'reproduced' || !v.decisions) continue;
      const rope = Object.entries(v.decisions).find(([n]) => n.startsWith('rope'));
      if (rope) expect(v.lo, v.claimId).toBeGreaterThan(rope[1].value);
    }
  });

  it('transformer claims depend on the local validity check and are invalid exactly when it fails', () => {
    const valid = byId('tf-testbed-heldout-gain');
    const ids = [
      'tf-bnpo-matches-grpo',
      'tf-sota-vs-grpo',
      'tf-sota-vs-reinforce-baseline',
      'tf-sota-vs-remax',
      'tf-more-stable-vs-grpo',
      'tf-more-stable-vs-reinforce-baseline',
    ];
    for (const id of ids) {
      const v = byId(id);
      expect(v.kind, id).toBe('claim');
      expect(v.dependsOn).toContain('tf-testbed-heldout-gain');
      if (valid.status !== 'reproduced') expect(v.invalidatedBy, id).toContain('tf-testbed-heldout-gain');
      else expect(v.invalidatedBy ?? [], id).toEqual([]);
    }
    // the bandit's 7 verdicts (1 check, 6 claims) and the transformer's 7 (1 check, 6 claims), plus the GRU check
    expect(verdicts.filter((v) => v.kind === 'claim').length).toBe(12);
    expect(verdicts.filter((v) => v.kind === 'check').length).toBe(3);
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
