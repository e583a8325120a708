import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../../src/core/records';
import { DEFAULTS } from '../../../src/papers/rlvr-two-stage/bandit';

// The decision parameters of notebooks/rlvr-two-stage.ipynb are fixed fractions of scales measured on pilot seed 1000
// (committed records): recompute the scales from those records and check the declared values and the sweep grid.
const ROOT = path.resolve(__dirname, '../../..');
const ID = 'rlvr-two-stage';
const NB = JSON.parse(fs.readFileSync(path.join(ROOT, `notebooks/${ID}.ipynb`), 'utf8'));
const D: Record<string, { value: number | number[]; justification: string }> = NB.metadata.paper.decisions;
const RECORDS = path.join(ROOT, `data/results/${ID}/full/records`);

function pilot(method: string): RunRecord {
  const f = fs.readdirSync(RECORDS).find((x) => x.startsWith(`${method}.seed1000.`));
  if (!f) throw new Error(`no ${method} record for seed 1000 in ${RECORDS}`);
  const r = readRecord(path.join(RECORDS, f));
  if (!r.ok) throw new Error(`unreadable pilot record ${f}`);
  return r.record;
}
const num = (name: string) => D[name].value as number;
const close = (value: number, target: number) => expect(Math.abs(value - target)).toBeLessThanOrEqual(0.05 * target);

describe(`${ID} pre-registered decisions`, () => {
  it('every nb.decision(...) used by the notebook is declared with a justification naming the pilot seed', () => {
    const code = NB.cells
      .filter((c: { cell_type: string }) => c.cell_type === 'code')
      .map((c: { source: string[] }) => c.source.join(''))
      .join('\n');
    const used = new Set([...code.matchAll(/nb\.decision(?:<[^>]+>)?\('([A-Za-z0-9]+)'\)/g)].map((m) => m[1]));
    for (const name of Object.keys(D)) expect(used.has(name) || code.includes(`'${name}'`), name).toBe(true);
    for (const name of used) expect(D[name].justification, name).toMatch(/pilot seed 1000/);
  });

  it('the exploitation tolerance is 10% of the share of mass the low-reward tokens lose on the pilot', () => {
    const r = pilot('pilot');
    const low = r.series['grpo/pLow'];
    const t1 = low.findIndex((v) => v < 0.01);
    expect(t1).toBeGreaterThan(0);
    const lowLoss = 1 - low[t1] / low[0];
    expect(lowLoss).toBeGreaterThan(0.9);
    close(num('exploitationLossTolerance'), 0.1 * lowLoss);
    close(num('ropePass256'), 0.05 * r.series['grpo/pass@256'][0]);
    // pass@256 of the optimal token at the start is 1 − (1 − p)^256 exactly
    expect(r.series['grpo/pass@256'][0]).toBeCloseTo(1 - Math.pow(1 - DEFAULTS.optimalProb, 256), 10);
  });

  it("the GRU ROPE is 10% of GRPO's training pass@1 gain on the GRU pilot", () => {
    const s = pilot('gru-pilot-grpo').series['grpo/train:pass@1'];
    const gain = s[s.length - 1] - s[0];
    expect(gain).toBeGreaterThan(0);
    close(num('gruRopePass256'), 0.1 * gain);
  });

  it('the sweep grid contains the main configuration and every cell was run on 5 seeds', () => {
    const P = D.sweepOptimalProb.value as number[];
    const G = D.sweepGroupSize.value as number[];
    const L = D.sweepLr.value as number[];
    expect(P).toContain(DEFAULTS.optimalProb);
    expect(G).toContain(DEFAULTS.groupSize);
    expect(L).toContain(DEFAULTS.lr);
    const files = fs.readdirSync(RECORDS).filter((f) => f.startsWith('sweep-'));
    for (const p of P)
      for (const g of G)
        for (const lr of L)
          expect(files.filter((f) => f.startsWith(`sweep-p${p}-g${g}-lr${lr}.seed`)).length, `${p} ${g} ${lr}`).toBe(5);
  });

  it("the exploration-stage ROPE is 10% of the optimal token's probability lost in the pilot's exploitation", () => {
    const r = pilot('pilot');
    const t1 = r.series['grpo/pLow'].findIndex((v) => v < 0.01);
    const po = r.series['grpo/pOptimal'];
    const lost = po[0] - po[t1];
    expect(lost).toBeGreaterThan(0);
    close(num('ropeExploration'), 0.1 * lost);
  });

  it("the transformer ROPE is 10% of GRPO's held-out pass@1 gain on the transformer pilot", () => {
    const m = pilot('tf-pilot-grpo').metrics;
    const gain = m['grpo/L3:pass@1'] - m['base/L3:pass@1'];
    expect(gain).toBeGreaterThan(0);
    close(num('tfRope'), 0.1 * gain);
  });

  it('the transformer claims depend on the local validity check; the GRU readings are no claims; no pilot seed', () => {
    const s = JSON.parse(fs.readFileSync(path.join(ROOT, `data/results/${ID}/full/summary.json`), 'utf8'));
    expect(s.seeds).not.toContain(1000);
    type V = { claimId: string; kind: string; dependsOn?: string[]; nSeeds: number };
    const vs: V[] = s.verdicts;
    const byId = new Map(vs.map((v) => [v.claimId, v]));
    expect(byId.get('gru-testbed-heldout')!.kind).toBe('check');
    expect(byId.get('tf-testbed-heldout')!.kind).toBe('check');
    expect(vs.filter((v) => v.claimId.startsWith('gru-') && v.kind === 'claim')).toEqual([]);
    const tf = vs.filter((v) => v.claimId.startsWith('tf-') && v.kind === 'claim');
    expect(tf.map((v) => v.claimId).sort()).toEqual(
      [
        'tf-exploitation',
        'tf-shrinkage',
        'tf-exploration',
        'tf-expansion',
        'tf-negative-vs-grpo',
        'tf-negative-expansion',
        'tf-positive-expansion',
      ].sort(),
    );
    for (const v of tf) {
      expect(v.dependsOn).toEqual(['tf-testbed-heldout']);
      expect(v.nSeeds).toBe(4);
    }
    // 7 bandit claims + 7 transformer claims; 2 checks
    expect(vs.filter((v) => v.kind === 'claim').length).toBe(14);
    expect(vs.filter((v) => v.kind === 'check').length).toBe(2);
  });
});
