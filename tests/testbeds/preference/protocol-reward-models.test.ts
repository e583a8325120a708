import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  protocolData,
  type ProtocolTask,
} from '../../../src/testbeds/preference/protocol-reward-models';
import * as btLinear from '../../../src/testbeds/preference/protocol-reward-models/recipes/bt-linear';

const agreement = (task: ProtocolTask, seed: number) => {
  const data = protocolData(task, PROTOCOL_DEFAULTS, seed);
  let a = 0,
    n = 0;
  for (const ds of data.datasets)
    for (let i = 0; i < ds.y.length; i++, n++) if ((ds.p[i] > 0.5 ? 1 : 0) === ds.y[i]) a++;
  return a / n;
};

describe('the reward-model protocol', () => {
  it('datasets are a pure function of (task, seed)', () => {
    const a = protocolData('diversified', PROTOCOL_DEFAULTS, 2),
      b = protocolData('diversified', PROTOCOL_DEFAULTS, 2);
    expect(Array.from(a.datasets[3].y)).toEqual(Array.from(b.datasets[3].y));
    expect(protocolData('diversified-small', PROTOCOL_DEFAULTS, 2).datasets[0].y.length).toBe(
      PROTOCOL_DEFAULTS.smallPairs,
    );
  });

  it('flipping 40% of the labels moves their agreement with the preferred response to 0.6a + 0.4(1 − a)', () => {
    const a = agreement('clean', 5),
      b = agreement('flipped-40', 5);
    // 10000 labels: binomial s.d. ≈ 0.005
    expect(Math.abs(b - (0.6 * a + 0.4 * (1 - a)))).toBeLessThan(0.02);
  });

  it('clean data: a linear BT reward (the gold form) nearly reaches the gold optimum; 40% flips: it does not', () => {
    const cfg = { ...PROTOCOL_DEFAULTS, tasks: ['clean', 'flipped-40'] as ProtocolTask[], pools: 50 };
    const r = btLinear.run(cfg, 1);
    expect(r.metrics['bt-linear/score@clean']).toBeGreaterThan(0.95);
    expect(r.metrics['bt-linear/score@flipped-40']).toBeLessThan(0.6);
    expect(r.metrics['bt-linear/acc@clean']).toBeGreaterThan(0.95);
  });

  it('the table lists each recipe once; unknown tasks are named', () => {
    const names = PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(NOT_ENTERED.map((m) => m.papers[0])).toContain('pal');
    expect(() => protocolData('noisy' as ProtocolTask, PROTOCOL_DEFAULTS, 0)).toThrow(/unknown task "noisy"/);
  });
});
