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
const nb = readJson(`${ROOT}/notebooks/entropy-mechanism.ipynb`);
const summary = readJson(`${ROOT}/data/results/entropy-mechanism/full/summary.json`);
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

describe('entropy-mechanism verdict accounting', () => {
  it('declares every decision parameter with a justification', () => {
    const d = nb.metadata.paper.decisions as Record<string, { value: number; justification: string }>;
    expect(Object.keys(d).length).toBeGreaterThanOrEqual(10);
    for (const [name, p] of Object.entries(d)) {
      expect(typeof p.value, name).toBe('number');
      expect(p.justification.length, name).toBeGreaterThan(40);
    }
  });

  it('records the bandit identities (Lemma 1, Theorems 2, 3) as checks, the empirical statements as claims', () => {
    for (const id of ['matched-exactly', 'entropy-covariance-pg', 'entropy-covariance-npg', 'gru-testbed-heldout-gain'])
      expect(byId(id).kind, id).toBe('check');
    expect(byId('tf-testbed-heldout-gain').kind).toBe('check');
    for (const id of ['covariance-positive', 'entropy-decreases-monotonically', 'entropy-law', 'tf-entropy-collapse'])
      expect(byId(id).kind, id).toBe('claim');
  });

  it('a reproduced "lower / higher than" claim has its whole interval above the ROPE', () => {
    for (const v of verdicts) {
      if (v.kind !== 'claim' || v.status !== 'reproduced' || !v.decisions) continue;
      const rope = Object.entries(v.decisions).find(([n]) => n.startsWith('rope') || n.startsWith('tfRope'));
      if (rope) expect(v.lo, v.claimId).toBeGreaterThan(rope[1].value);
    }
  });

  it('the GRU comparisons are no longer claims: only its validity check is recorded, the rest is a table', () => {
    const gru = verdicts.filter((v) => v.claimId.startsWith('gru-'));
    expect(gru.map((v) => v.claimId)).toEqual(['gru-testbed-heldout-gain']);
    const tables = (summary.tables as { name: string; rows: unknown[][] }[]).map((t) => t.name);
    expect(tables).toContain('gru-verdicts');
    expect(tables).toContain('gru-vs-transformer');
  });

  it('transformer claims depend on the local validity check and are invalid exactly when it fails', () => {
    const valid = byId('tf-testbed-heldout-gain');
    const ids = [
      'tf-entropy-collapse',
      'tf-entropy-early-drop',
      'tf-covariance-positive',
      'tf-entropy-law-fit',
      'tf-entropy-law-predict',
      'tf-clip-cov-entropy',
      'tf-kl-cov-entropy',
      'tf-clip-cov-performance',
      'tf-kl-cov-performance',
    ];
    for (const id of ids) {
      const v = byId(id);
      expect(v.kind, id).toBe('claim');
      expect(v.dependsOn).toContain('tf-testbed-heldout-gain');
      if (valid.status !== 'reproduced') expect(v.invalidatedBy, id).toContain('tf-testbed-heldout-gain');
      else expect(v.invalidatedBy ?? [], id).toEqual([]);
    }
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
