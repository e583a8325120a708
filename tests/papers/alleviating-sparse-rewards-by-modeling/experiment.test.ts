/**
 * The experiment: a tiny run of each method gives finite metrics, the same pre-trained model for every method (same
 * seed), one series point per round, and the declared reward-query budgets (TP-GRPO, the ablation and the matched
 * Flow-GRPO spend K + 1 times Flow-GRPO's queries).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  runSeed,
  type MethodName,
} from '../../../src/papers/alleviating-sparse-rewards-by-modeling/experiment';

describe('alleviating-sparse-rewards-by-modeling experiment', () => {
  it('tiny runs: finite metrics, shared base model, query budgets', () => {
    const c = { ...DEFAULTS, K: 4, rounds: 3, groups: 1, G: 4, evalSamples: 50 };
    const out: Record<string, ReturnType<typeof runSeed>> = {};
    for (const m of ['flow-grpo', 'incremental', 'tp-grpo', 'flow-grpo-matched'] as MethodName[])
      out[m] = runSeed({ ...c, method: m }, 1);
    for (const r of Object.values(out)) {
      for (const v of Object.values(r.metrics)) expect(Number.isFinite(v)).toBe(true);
      expect(r.series!['tuned/proxy']).toHaveLength(3);
      expect(r.metrics['base/proxy']).toBe(out['flow-grpo'].metrics['base/proxy']);
    }
    const q = out['flow-grpo'].metrics['tuned/queries'];
    expect(q).toBe(3 * 4);
    expect(out['tp-grpo'].metrics['tuned/queries']).toBe(q * 5);
    expect(out['incremental'].metrics['tuned/queries']).toBe(q * 5);
    expect(out['flow-grpo-matched'].metrics['tuned/queries']).toBe(q * 5);
    expect(out['incremental'].metrics['tuned/turningFrac']).toBe(0);
  });
});
