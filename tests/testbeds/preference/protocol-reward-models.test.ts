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
import * as crmSelf from '../../../src/testbeds/preference/protocol-reward-models/recipes/crm-self';
import { trainCrm } from '../../../src/testbeds/preference/protocol-reward-models/recipes/crm-train';
import { trainMlpReward } from '../../../src/testbeds/preference/protocol-reward-models/recipes/train';
import { BtMlpReward } from '../../../src/testbeds/preference/methods/bradley-terry-mlp';
import { rowsOf } from '../../../src/testbeds/preference/data/feature-preferences';
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
    expect(names).toEqual(
      expect.arrayContaining(['vpl', 'pal', 'strength-flip-margin', 'crm', 'crm-coteach', 'crm-self']),
    );
    expect(NOT_ENTERED.map((m) => m.papers[0])).toEqual([
      'causalrm',
      'secrets-of-rlhf-in-large',
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

describe('CRM in the reward-model protocol', () => {
  const small = { ...PROTOCOL_DEFAULTS, pairs: 400, steps: 60, nTest: 200, pools: 20 };

  it('with η = 0 RM A is plain BT on the bt-mlp batches: bit for bit in chosen/rejected form, ≈ bt-mlp itself', () => {
    const data = protocolData('clean', small, 3);
    const { d, K } = data;
    const rng = () => new Rng(11).split('init');
    // plain BT steps on bt-mlp's batches (same stream, same draws), each pair as (chosen, rejected)
    const plain = new BtMlpReward({ dIn: d, hidden: [64, 64], lr: 1e-3 }, rng().split('weights'));
    const order = rng().split('batches');
    const n = K * small.batch;
    for (let t = 0; t < small.steps; t++) {
      const xc = new Float32Array(n * d),
        xr = new Float32Array(n * d);
      for (let k = 0; k < K; k++) {
        const ds = data.datasets[k];
        const idx = Array.from({ length: small.batch }, () => order.int(ds.y.length));
        const a = rowsOf(ds.x1, idx, d),
          b = rowsOf(ds.x2, idx, d);
        idx.forEach((j, q) => {
          const row = k * small.batch + q;
          xc.set((ds.y[j] === 1 ? a : b).subarray(q * d, (q + 1) * d), row * d);
          xr.set((ds.y[j] === 1 ? b : a).subarray(q * d, (q + 1) * d), row * d);
        });
      }
      plain.step(xc, xr, new Float64Array(n).fill(1), n);
    }
    const x = responses(new Rng(5), 64, d);
    const want = Array.from(plain.reward(x, 64));
    for (const variant of ['crm', 'coteach', 'self'] as const) {
      const got = trainCrm(data, small, rng(), variant, 0);
      expect(Array.from(got.model.reward(x, 64))).toEqual(want);
      expect(got.keptWrong).toBe(got.batchWrong); // nothing dropped
    }
    // bt-mlp writes the same loss as BCE(y, σ(r(x1) − r(x2))): its gradients agree to ~1e-7, but Adam's first steps
    // (≈ lr·sign(g)) turn that rounding into ±lr on near-zero gradient components, so the rewards agree to ~1 %
    const bt = trainMlpReward(data, small, rng(), 'uniform').reward(x, 64);
    const scale = Math.max(...Array.from(bt, Math.abs));
    want.forEach((v, i) => expect(Math.abs(v - bt[i])).toBeLessThan(0.02 * scale));
  });

  it('on 40% flips: η̂ is near 0.4, and the pairs the RM steps on hold fewer wrong labels than its batches', () => {
    const cfg = { ...PROTOCOL_DEFAULTS, steps: 250, tasks: ['flipped-40'] as ProtocolTask[], nTest: 200, pools: 20 };
    const m = crmSelf.run(cfg, 2).metrics;
    expect(Math.abs(m['crm-self/etaHat@flipped-40'] - 0.4)).toBeLessThan(0.06);
    expect(m['crm-self/keptWrong@flipped-40']).toBeLessThan(m['crm-self/batchWrong@flipped-40'] - 0.1);
  });

  it('names a noise rate or a budget it cannot use', () => {
    const data = protocolData('clean', small, 0);
    expect(() => trainCrm(data, small, new Rng(0), 'crm', 0.5)).toThrow(/CRM recipe \(crm\): noise rate η = 0.5/);
    expect(() => trainCrm(data, { ...small, steps: 0 }, new Rng(0), 'self', 0)).toThrow(/steps \(0\)/);
  });
});
