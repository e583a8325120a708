import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The pre-registered decisions of notebooks/prm-clip-delta.ipynb follow from the committed pilot record
 * (seed 1000, excluded from the verdicts) by the rules stated in their justifications.
 */
const root = join(__dirname, '../../..');
const decisions = JSON.parse(readFileSync(join(root, 'notebooks/prm-clip-delta.ipynb'), 'utf8')).metadata.paper
  .decisions as Record<string, { value: number; justification: string }>;
const dir = join(root, 'data/results/prm-clip-delta/full/records');
const pilotFile = readdirSync(dir).find((f) => f.startsWith('pilot.seed1000.'));

describe('prm-clip-delta: decisions fixed on the pilot seed', () => {
  it('the pilot record exists and is not a verdict seed', () => {
    expect(pilotFile).toBeDefined();
    const seeds = readdirSync(dir)
      .filter((f) => f.startsWith('all-rewards.'))
      .map((f) => Number(f.split('.')[1].slice(4)));
    expect(seeds).not.toContain(1000);
  });
  it('checkpoint, ropeAcc and ropePadding are the values their rules give on the pilot', () => {
    const rec = JSON.parse(gunzipSync(readFileSync(join(dir, pilotFile!))).toString('utf8'));
    const iters: number[] = rec.series['all/iter'];
    const succ: number[] = rec.series['success/acc'];
    const sft: number = rec.metrics['sft/acc'];
    // Checkpoint: first evaluated update with at least half of success-only's final gain over SFT.
    const half = sft + 0.5 * (succ[succ.length - 1] - sft);
    const cp = iters[succ.findIndex((a) => a >= half)];
    expect(decisions.checkpoint.value).toBe(cp);
    // Off the ceiling there: success-only at most 0.9 at the checkpoint, at least 0.95 at the end.
    expect(succ[iters.indexOf(cp)]).toBeLessThan(0.9);
    expect(succ[succ.length - 1]).toBeGreaterThan(0.95);
    // ROPE on accuracy: 10% of success-only's gain over SFT at the checkpoint, rounded down to 0.01.
    const gain = succ[iters.indexOf(cp)] - sft;
    expect(decisions.ropeAcc.value).toBeCloseTo(Math.floor(10 * gain) / 100, 12);
    // ROPE on padding: 10% of the raw PRM's final padding effect over success-only, rounded to 0.01.
    const pad = rec.metrics['prm/unnecessary'] - rec.metrics['success/unnecessary'];
    expect(pad).toBeGreaterThan(0.3);
    expect(decisions.ropePadding.value).toBeCloseTo(Math.round(10 * pad) / 100, 12);
  });
});
