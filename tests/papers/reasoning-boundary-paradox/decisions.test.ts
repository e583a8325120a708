import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { readRecord, type RunRecord } from '../../../src/core/records';
import { metricOf } from '../../../src/core/metric-keys';

// The ROPEs of notebooks/reasoning-boundary-paradox.ipynb are 10% of scales measured on pilot seed 1000 (committed
// records): recompute the scales from those records and check the declared values.
const ROOT = path.resolve(__dirname, '../../..');
const ID = 'reasoning-boundary-paradox';
const NB = JSON.parse(fs.readFileSync(path.join(ROOT, `notebooks/${ID}.ipynb`), 'utf8'));
const DECISIONS: Record<string, { value: number; justification: string }> = NB.metadata.paper.decisions;
const RECORDS = path.join(ROOT, `data/results/${ID}/full/records`);

function pilot(method: string): RunRecord {
  const f = fs.readdirSync(RECORDS).find((x) => x.startsWith(`${method}.seed1000.`));
  if (!f) throw new Error(`no ${method} record for seed 1000 in ${RECORDS}`);
  const r = readRecord(path.join(RECORDS, f));
  if (!r.ok) throw new Error(`unreadable pilot record ${f}`);
  return r.record;
}

/** GRPO's training pass@1 gain and mean |Δ log p_q| over training problems, as the notebook's pilot cell computes. */
function scales(r: RunRecord): { gain: number; meanAbs: number } {
  const base = r.series['base/train:logp'];
  const after = r.series['grpo/train:logp'];
  expect(after.length).toBe(base.length);
  const meanAbs = after.reduce((s, v, i) => s + Math.abs(v - base[i]), 0) / base.length;
  return { gain: metricOf(r, 'grpo', 'train:pass@1') - metricOf(r, 'base', 'train:pass@1'), meanAbs };
}

const close = (value: number, target: number) => expect(Math.abs(value - target)).toBeLessThanOrEqual(0.05 * target);

describe(`${ID} pre-registered decisions`, () => {
  it('every nb.decision(...) used by the notebook is declared with a justification naming the pilot seed', () => {
    const code = NB.cells
      .filter((c: { cell_type: string }) => c.cell_type === 'code')
      .map((c: { source: string[] }) => c.source.join(''))
      .join('\n');
    const used = [...code.matchAll(/nb\.decision\('([A-Za-z]+)'\)/g)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(Object.keys(DECISIONS)));
    for (const name of used) expect(DECISIONS[name].justification).toMatch(/pilot seed 1000/);
  });

  it('log-linear ROPEs are 10% of the pilot scales (per update: divided by the number of updates)', () => {
    const r = pilot('pilot');
    const { gain, meanAbs } = scales(r);
    expect(gain).toBeGreaterThan(0);
    close(DECISIONS.ropePass.value, 0.1 * gain);
    close(DECISIONS.ropeLogp.value, 0.1 * meanAbs);
    close(DECISIONS.ropeInterf.value, (0.1 * meanAbs) / (r.config as { steps: number }).steps);
  });

  it('GRU ROPEs are 10% of the GRU pilot scales', () => {
    const { gain, meanAbs } = scales(pilot('gru-pilot'));
    expect(gain).toBeGreaterThan(0);
    close(DECISIONS.gruRopePass.value, 0.1 * gain);
    close(DECISIONS.gruRopeLogp.value, 0.1 * meanAbs);
  });

  it('transformer ROPEs are 10% of the transformer pilot scales (per update: divided by the number of updates)', () => {
    const r = pilot('tf-pilot');
    const gain = metricOf(r, 'grpo', 'reward:last') - metricOf(r, 'grpo', 'reward:first');
    const base = r.series['base/heldout:logp'];
    const after = r.series['grpo/heldout:logp'];
    expect(after.length).toBe(base.length);
    const meanAbs = after.reduce((s, v, i) => s + Math.abs(v - base[i]), 0) / base.length;
    expect(gain).toBeGreaterThan(0);
    close(DECISIONS.tfRopePass.value, 0.1 * gain);
    close(DECISIONS.tfRopeInterf.value, (0.1 * meanAbs) / (r.config as { updates: number }).updates);
  });

  it('the GRU section is superseded: its validity check stays a check, its former claims are no verdicts', () => {
    const s = JSON.parse(fs.readFileSync(path.join(ROOT, `data/results/${ID}/full/summary.json`), 'utf8'));
    expect(s.seeds).not.toContain(1000);
    const byId = new Map<string, { kind: string; dependsOn?: string[] }>(
      s.verdicts.map((v: { claimId: string }) => [v.claimId, v]),
    );
    expect(byId.get('gru-grpo-pass1-up')?.kind).toBe('check');
    const gruClaims = [...byId.entries()].filter(([id, v]) => id.startsWith('gru-') && v.kind === 'claim');
    expect(gruClaims).toEqual([]);
  });

  it('every transformer claim depends on the transformer validity check', () => {
    const s = JSON.parse(fs.readFileSync(path.join(ROOT, `data/results/${ID}/full/summary.json`), 'utf8'));
    const tf = s.verdicts.filter((v: { claimId: string }) => v.claimId.startsWith('tf-'));
    const check = tf.filter((v: { kind: string }) => v.kind === 'check');
    expect(check.map((v: { claimId: string }) => v.claimId)).toEqual(['tf-grpo-pass1-up']);
    const claims = tf.filter((v: { kind: string }) => v.kind === 'claim');
    expect(claims.map((v: { claimId: string }) => v.claimId).sort()).toEqual(
      [
        'tf-curation-improves-passk',
        'tf-grpo-pass256-down',
        'tf-low-likelihood-suppressed',
        'tf-negative-interference',
        'tf-winner-take-all',
      ].sort(),
    );
    for (const v of claims) expect(v.dependsOn).toEqual(['tf-grpo-pass1-up']);
  });
});
