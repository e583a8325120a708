import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  DEFAULTS,
  discountRule,
  makeTask,
  METHODS,
  runSeed,
} from '../../../src/papers/imitation-learning-from-observation-with/experiment';
import { trainIlfoQ } from '../../../src/testbeds/tabular/loops/ilfo-q-learning';
import { otRewards } from '../../../src/testbeds/tabular/methods/ot-proxy-reward';
import { expectWellFormed } from '../run-result';

describe('ADS miniature', () => {
  it('the control task needs fewer expert steps; each demo is its own closest demo at (near) zero cost', () => {
    const o = makeTask(DEFAULTS, 'ordered', new Rng(0));
    const c = makeTask(DEFAULTS, 'control', new Rng(0));
    expect(o.expertSteps).toBe(16);
    expect(c.expertSteps).toBe(12);
    for (let i = 0; i < o.demos.length; i++) {
      const r = otRewards(o.demos[i], o.demos, 1);
      expect(r.scores[r.demo]).toBeGreaterThan(-1e-4); // entropic smoothing among repeated states
    }
  });

  it('discounts: 0.99, α^{1/H}, α^{1/p0}, and ADS starts at α^{1/p0}', () => {
    expect(discountRule(DEFAULTS, 'ot')).toEqual({ kind: 'fixed', gamma: 0.99 });
    const f = discountRule(DEFAULTS, 'ot-final');
    const l = discountRule(DEFAULTS, 'ot-low');
    expect(f.kind === 'fixed' && f.gamma).toBeCloseTo(Math.pow(0.2, 1 / 20), 12);
    expect(l.kind === 'fixed' && l.gamma).toBeCloseTo(Math.pow(0.2, 1 / 4), 12);
  });

  it('on the OT reward the learner moves toward the expert within a tiny budget (OT score improves)', () => {
    const t = makeTask(DEFAULTS, 'control', new Rng(5));
    const r = trainIlfoQ(t.world, {
      episodes: 400,
      horizon: DEFAULTS.horizon,
      rng: new Rng(9),
      demos: t.demos,
      discount: { kind: 'fixed', gamma: 0.99 },
      epsilon: 0.1,
      seedEpisodes: 10,
      stepSize: 0.1,
      nStep: 3,
      bufferEpisodes: 100,
      updatesPerStep: 4,
      evalEvery: 10,
    });
    expect(r.evalSuccess.length).toBe(41);
    expect(r.evalSuccess[0]).toBe(0);
    // OT score of the greedy trajectory improves from the first to the last evaluation.
    expect(r.evalOtScore[r.evalOtScore.length - 1]).toBeGreaterThan(r.evalOtScore[0]);
  });

  it('runSeed is well formed and deterministic; ADS progress never decreases', () => {
    const cfg = { ...DEFAULTS, episodes: 60, evalEvery: 10, tasks: ['ordered' as const] };
    const a = runSeed(cfg, 3);
    const b = runSeed(cfg, 3);
    expectWellFormed(a);
    expect(a.metrics).toEqual(b.metrics);
    for (const m of METHODS) expect(a.metrics[`${m}/success@task=ordered`]).toBeGreaterThanOrEqual(0);
    const p = a.series!['ads/progress@task=ordered'];
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1]);
    expect(p[0]).toBeGreaterThanOrEqual(4 / 20); // starts at p0 = ⌊0.2·H⌋ = 4
  });
});
