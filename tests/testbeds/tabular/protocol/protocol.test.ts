import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { taskCode } from '../../../../src/core/provenance';
import { symmetricRegret } from '../../../../src/testbeds/tabular/solvers/exact';
import {
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  PROTOCOL_TASKS,
  runRecipe,
  taskPairs,
  type ProtocolConfig,
} from '../../../../src/testbeds/tabular/protocol';
import { recipe as starc } from '../../../../src/testbeds/tabular/protocol/recipes/starc/val';
import { recipe as l2 } from '../../../../src/testbeds/tabular/protocol/recipes/l2';
import { ROOT } from '../../../helpers';

const small: ProtocolConfig = { ...PROTOCOL_DEFAULTS, mdpsPerTask: 1, minStates: 5, maxStates: 7 };

describe('tabular reward-comparison protocol', () => {
  it('equivalent pairs have zero regret (exact VI), non-equivalent ones mostly do not', () => {
    for (const task of PROTOCOL_TASKS) {
      const pairs = taskPairs(small, task, 3);
      const eq = pairs.filter((p) => p.equivalent),
        ne = pairs.filter((p) => !p.equivalent);
      expect(eq).toHaveLength(4 * small.mdpsPerTask);
      expect(ne).toHaveLength((small.perturbationScales.length + small.interpolation.length) * small.mdpsPerTask);
      for (const p of eq) expect(symmetricRegret(p.env, p.R1, p.R2)).toBeLessThan(1e-9);
      expect(ne.filter((p) => p.regret > 1e-6).length).toBeGreaterThan(ne.length / 2);
    }
  });

  it('is a pure function of the seed; STARC is 0 on equivalent pairs, plain L2 is not', () => {
    const a = runRecipe(starc, small, 4).metrics,
      b = runRecipe(starc, small, 4).metrics;
    expect(b).toEqual(a);
    const z = runRecipe(l2, small, 4).metrics;
    for (const t of PROTOCOL_TASKS) {
      expect(a[`starc-val/maxEquivalent@${t}`]).toBeLessThan(1e-9);
      expect(z[`l2/maxEquivalent@${t}`]).toBeGreaterThan(0.01); // rescaling/shaping moves a raw reward
      expect(Math.abs(a[`starc-val/score@${t}`])).toBeLessThanOrEqual(1);
    }
  });

  it('a perfect distance (the regret itself) scores 1', () => {
    const oracle = { name: 'oracle', summary: '', distance: symmetricRegret };
    const m = runRecipe(oracle, small, 5).metrics;
    for (const t of PROTOCOL_TASKS) expect(m[`oracle/score@${t}`]).toBeCloseTo(1, 12);
  });

  it("a method's record key covers its own recipe only", () => {
    const files = Object.keys(taskCode(PROTOCOL_METHODS[0].task, path.join(ROOT, 'dist')).files);
    expect(files.some((f) => f.endsWith('recipes/starc/val.js'))).toBe(true);
    expect(files.some((f) => /recipes\/(epic|dard|l2)\.js$/.test(f))).toBe(false);
  });
});
