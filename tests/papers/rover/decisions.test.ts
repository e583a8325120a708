import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The pre-registered decisions of notebooks/rover.ipynb follow from the committed pilot records (seed 1000,
 * excluded from the verdicts; one record per step of the grid) by the rules stated in their justifications.
 */
const root = join(__dirname, '../../..');
const decisions = JSON.parse(readFileSync(join(root, 'notebooks/rover.ipynb'), 'utf8')).metadata.paper
  .decisions as Record<string, { value: number | number[]; justification: string }>;
const dir = join(root, 'data/results/rover/full/records');
const files = readdirSync(dir);
const METHODS = ['rover', 'grpo', 'ppo', 'reinforce'];
const grid = decisions.lrGrid.value as number[];
const pilot = (lr: number) => {
  const f = files.find((x) => x.startsWith(`pilot-lr${lr}.seed1000.`));
  if (!f) throw new Error(`no pilot record for step ${lr}`);
  return JSON.parse(gunzipSync(readFileSync(join(dir, f))).toString('utf8')) as { metrics: Record<string, number> };
};
const floor2 = (x: number) => {
  const e = Math.floor(Math.log10(x)) - 1;
  return Math.floor(x / 10 ** e + 1e-9) * 10 ** e;
};

describe('rover: decisions fixed on the pilot seed', () => {
  it('the grid has at most 4 steps and the verdict seeds exclude the pilot seed', () => {
    expect(grid.length).toBeLessThanOrEqual(4);
    const seeds = files.filter((f) => f.startsWith('learning.')).map((f) => Number(f.split('.')[1].slice(4)));
    expect(seeds.length).toBeGreaterThan(0);
    expect(seeds).not.toContain(1000);
  });

  it('lrs: each method gets the grid step with the best exact pass@1 on the pilot', () => {
    const recs = grid.map(pilot);
    const lrs = METHODS.map((m) => {
      const p = recs.map((r) => r.metrics[`${m}/exactPass1`]);
      return grid[p.indexOf(Math.max(...p))];
    });
    expect(decisions.lrs.value).toEqual(lrs);
  });

  it('the ROPEs are 10% of the pilot scales at the chosen steps, rounded down to two significant digits', () => {
    const lrs = decisions.lrs.value as number[];
    const at = (m: string, k: string) => pilot(lrs[METHODS.indexOf(m)]).metrics[`${m}/${k}`];
    const meanOver = (k: string) => METHODS.reduce((s, m) => s + at(m, k), 0) / METHODS.length;
    const base = (k: string) => pilot(grid[0]).metrics[`base/${k}`];
    expect(decisions.ropePass1.value).toBeCloseTo(floor2(0.1 * (meanOver('pass@1') - base('pass@1'))), 12);
    expect(decisions.ropePass256.value).toBeCloseTo(floor2(0.1 * (meanOver('pass@256') - base('pass@256'))), 12);
    const loss = base('distinctCorrect') - meanOver('distinctCorrect');
    expect(loss).toBeGreaterThan(0);
    expect(decisions.ropeDistinct.value).toBeCloseTo(floor2(0.1 * loss), 12);
  });
});
