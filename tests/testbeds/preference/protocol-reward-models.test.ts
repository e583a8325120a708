import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  protocolData,
  runRecipe,
  type ProtocolRecipe,
  type ProtocolTask,
} from '../../../src/testbeds/preference/protocol-reward-models';
import * as btLinear from '../../../src/testbeds/preference/protocol-reward-models/recipes/bt-linear';
import { palReward } from '../../../src/testbeds/preference/protocol-reward-models/recipes/pal';
import * as vpl from '../../../src/testbeds/preference/protocol-reward-models/recipes/vpl';
import { Rng } from '../../../src/core/rng';
import { responses } from '../../../src/testbeds/preference/data/feature-preferences';
import { idealPointParamCount } from '../../../src/testbeds/preference/methods/ideal-point-mixture';

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
    expect(names).toEqual(expect.arrayContaining(['vpl', 'pal', 'strength-flip-margin']));
    expect(NOT_ENTERED.map((m) => m.papers[0])).toEqual([
      'causalrm',
      'secrets-of-rlhf-in-large',
      'two-minds-better-than-one',
      'rlbff',
      'evaluating-robustness-of-reward-models',
    ]);
    expect(() => protocolData('noisy' as ProtocolTask, PROTOCOL_DEFAULTS, 0)).toThrow(/unknown task "noisy"/);
  });

  it('plural task: the users average to the shared gold utility, and they disagree', () => {
    const data = protocolData('plural', PROTOCOL_DEFAULTS, 3);
    const x = responses(new Rng(9), 50, PROTOCOL_DEFAULTS.d);
    const K = data.userGold!.length;
    expect(K).toBe(PROTOCOL_DEFAULTS.K);
    let disagree = 0;
    for (let i = 0; i < 50; i++) {
      const u = data.userGold!.map((g) => g(x, i));
      expect(u.reduce((a, b) => a + b, 0) / K).toBeCloseTo(data.gold(x, i), 10);
      if (
        i > 0 &&
        Math.sign(u[0] - data.userGold![0](x, i - 1)) !== Math.sign(u[K - 1] - data.userGold![K - 1](x, i - 1))
      )
        disagree++;
    }
    // the two extreme users rank consecutive responses differently a sizeable share of the time
    expect(disagree).toBeGreaterThan(5);
  });

  it('plural scoring: the per-user oracle scores exactly 1 for every user; the shared-gold oracle does not', () => {
    const cfg = { ...PROTOCOL_DEFAULTS, tasks: ['plural', 'clean'] as ProtocolTask[], pools: 40, nTest: 200 };
    const perUser: ProtocolRecipe = {
      name: 'oracle',
      summary: '',
      learn: (data) => (x, n, user) =>
        Float64Array.from({ length: n }, (_, i) => (user === undefined ? data.gold : data.userGold![user])(x, i)),
    };
    const shared: ProtocolRecipe = {
      name: 'shared',
      summary: '',
      learn: (data) => (x, n) => Float64Array.from({ length: n }, (_, i) => data.gold(x, i)),
    };
    const a = runRecipe(perUser, cfg, 4).metrics,
      b = runRecipe(shared, cfg, 4).metrics;
    expect(a['oracle/score@plural']).toBeCloseTo(1, 12);
    expect(a['oracle/worst@plural']).toBeCloseTo(1, 12);
    expect(a['oracle/score@clean']).toBeCloseTo(1, 12);
    expect(b['shared/score@clean']).toBeCloseTo(1, 12);
    expect(b['shared/score@plural']).toBeLessThan(0.9);
    expect(b['shared/worst@plural']).toBeLessThan(b['shared/score@plural']);
  });

  it("PAL's shared reward is the average of its users' rewards", () => {
    const s = { D: 4, d: 2, K: 2, U: 3 };
    const rng = new Rng(2);
    const theta = Float64Array.from(rng.normals(idealPointParamCount(s)));
    const r = palReward(theta, s);
    const x = responses(rng, 7, 4);
    const avg = r(x, 7);
    for (let i = 0; i < 7; i++)
      expect(avg[i]).toBeCloseTo([0, 1, 2].map((u) => r(x, 7, u)[i]).reduce((p, q) => p + q) / 3, 10);
  });

  it('VPL recipe: names the mismatch of batch and context sizes', () => {
    const cfg = { ...PROTOCOL_DEFAULTS, batch: 12, tasks: ['plural'] as ProtocolTask[] };
    expect(() => vpl.run(cfg, 0)).toThrow(/batch \(12\) must be a multiple of the context \(8\)/);
  });
});
