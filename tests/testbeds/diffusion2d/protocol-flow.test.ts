import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  checkFlowProtocolConfig,
  FLOW_NOT_ENTERED,
  FLOW_PROTOCOL_DEFAULTS,
  FLOW_PROTOCOL_METHODS,
  runFlowRecipe,
  type FlowProtocolConfig,
  type FlowProtocolRecipe,
} from '../../../src/testbeds/diffusion2d/protocol-flow';
import { PROTOCOL_DEFAULTS, protocolReward } from '../../../src/testbeds/diffusion2d/protocol/core';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { promptMixture, RING8 } from '../../../src/testbeds/diffusion2d/env/targets';
import { crdRound } from '../../../src/testbeds/diffusion2d/methods/crd';
import { emptyFlowRatioStats, flowGrpoRound } from '../../../src/testbeds/diffusion2d/methods/flow-grpo';
import { exactVelocity } from '../../../src/testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp } from '../../../src/testbeds/diffusion2d/models/flow-policy';
import * as flowGrpo from '../../../src/testbeds/diffusion2d/protocol-flow/recipes/flow-grpo';
import * as crd from '../../../src/testbeds/diffusion2d/protocol-flow/recipes/crd';
import { ROOT } from '../../helpers';

const tiny: FlowProtocolConfig = {
  ...FLOW_PROTOCOL_DEFAULTS,
  updates: 2,
  groups: 2,
  G: 4,
  minibatches: 2,
  evalSamples: 2000,
};

describe('the diffusion2d flow protocol', () => {
  it('config errors name the field', () => {
    const bad: [Partial<FlowProtocolConfig>, RegExp][] = [
      [{ K: 1 }, /K must be an integer ≥ 2, got 1/],
      [{ G: 1 }, /G must be an integer ≥ 2/],
      [{ updates: 1.5 }, /updates must be an integer/],
      [{ groups: 3, minibatches: 2 }, /groups \(3\) must be a multiple of minibatches \(2\)/],
      [{ gridN: 130 }, /gridN \(130\) must be a multiple of coarsen \(4\)/],
      [{ hidden: [] }, /hidden must be a non-empty list/],
      [{ noise: 0 }, /noise must be positive/],
      [{ lr: -1 }, /lr must be positive/],
      [{ gridHi: -6 }, /gridHi \(-6\) must exceed gridLo \(-5\)/],
      [{ tasks: [] }, /tasks is empty; the tasks are mode, sharp/],
      [{ tasks: ['ring' as never] }, /unknown task "ring"/],
    ];
    for (const [patch, msg] of bad) {
      expect(() => checkFlowProtocolConfig({ ...tiny, ...patch })).toThrow(msg);
      expect(() => runFlowRecipe(flowGrpo.recipe, { ...tiny, ...patch }, 1)).toThrow(msg);
    }
    expect(() => checkFlowProtocolConfig(FLOW_PROTOCOL_DEFAULTS)).not.toThrow();
  });

  it("the DDPM protocol's tasks, grid, evaluation size, reward queries and Adam learning rate", () => {
    const D = FLOW_PROTOCOL_DEFAULTS;
    expect(D.tasks).toEqual(PROTOCOL_DEFAULTS.tasks);
    expect([D.gridN, D.gridLo, D.gridHi, D.coarsen, D.evalSamples]).toEqual([
      PROTOCOL_DEFAULTS.gridN,
      PROTOCOL_DEFAULTS.gridLo,
      PROTOCOL_DEFAULTS.gridHi,
      PROTOCOL_DEFAULTS.coarsen,
      PROTOCOL_DEFAULTS.evalSamples,
    ]);
    expect([D.updates, D.groups * D.G, D.lr]).toEqual([
      PROTOCOL_DEFAULTS.updates,
      PROTOCOL_DEFAULTS.batch,
      PROTOCOL_DEFAULTS.lr,
    ]);
  });

  it("recipes are the method files' rounds, unchanged: flow-grpo is flowGrpoRound, crd is crdRound per update", () => {
    const { reward, beta } = protocolReward('sharp');
    const ctx = () => {
      const policy = new ResidualVelocityMlp(exactVelocity(promptMixture(RING8, 'all')), 10, [16], new Rng(1));
      return {
        policy,
        reward,
        beta,
        K: 10,
        noise: 0.7,
        updates: 2,
        groups: 2,
        G: 4,
        epochs: 1,
        minibatches: 2,
        advClipMax: 5,
        opt: new Adam(policy.size, { lr: 1e-3, maxGradNorm: 1 }),
        rng: new Rng(7),
      };
    };
    const a = ctx(),
      b = ctx();
    flowGrpo.recipe.fineTune(a);
    const stats = emptyFlowRatioStats(10);
    for (let u = 0; u < 2; u++)
      flowGrpoRound(
        b.policy,
        reward,
        {
          kind: 'flow-grpo',
          K: 10,
          noise: 0.7,
          groups: 2,
          G: 4,
          epochs: 1,
          minibatches: 2,
          clip: 0.2,
          beta: 0,
          advClipMax: 5,
        },
        b.rng.split(u),
        b.opt,
        stats,
      );
    expect(Array.from(a.policy.params)).toEqual(Array.from(b.policy.params));
    expect(Array.from(a.policy.params)).not.toEqual(Array.from(ctx().policy.params));
    const c = ctx(),
      d = ctx();
    crd.recipe.fineTune(c);
    for (let u = 0; u < 2; u++)
      crdRound(
        d.policy,
        reward,
        {
          noise: 0.7,
          groups: 2,
          G: 4,
          epochs: 1,
          minibatches: 2,
          beta,
          centered: true,
          weighting: 'elbo',
          klWeight: 0,
        },
        d.rng.split(u),
        d.opt,
      );
    expect(Array.from(c.policy.params)).toEqual(Array.from(d.policy.params));
  });

  it('an unchanged model scores exactly 0 (same evaluation noise as the base) on every task', () => {
    const idle: FlowProtocolRecipe = { name: 'idle', summary: 'no update', fineTune: () => undefined };
    const r = runFlowRecipe(idle, tiny, 3).metrics;
    for (const t of FLOW_PROTOCOL_DEFAULTS.tasks) {
      expect(r[`idle/score@${t}`]).toBe(0);
      expect(r[`idle/rewardGain@${t}`]).toBe(0);
      expect(r[`idle/klRef@${t}`]).toBe(r[`base/klRef@${t}`]);
      // the pre-trained flow is close to p_ref and far from the tilted target
      expect(r[`base/klRef@${t}`]).toBeLessThan(0.5);
      expect(r[`base/klTilt@${t}`]).toBeGreaterThan(0.5);
    }
  });

  it('every method gets the same base evaluation, budget and first-round rollouts; the task β', () => {
    const seen: string[] = [];
    const probe: FlowProtocolRecipe = {
      name: 'probe',
      summary: 'records its context',
      fineTune: (c) => {
        const x = c.policy.sampleOde(3, c.rng.split(0));
        seen.push(JSON.stringify([c.beta, c.updates, c.groups, c.G, c.epochs, c.minibatches, Array.from(x)]));
        c.policy.params[0] += 1; // must not leak into the next task's copy
      },
    };
    runFlowRecipe(probe, tiny, 1);
    expect(seen.map((s) => JSON.parse(s)[0])).toEqual([1, 0.25]);
    const again = seen.slice();
    seen.length = 0;
    runFlowRecipe(probe, tiny, 1);
    expect(seen).toEqual(again);
    const base = (r: Record<string, number>) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith('base/')));
    const a = flowGrpo.run(tiny, 2).metrics,
      b = crd.run(tiny, 2).metrics;
    expect(Object.keys(base(a))).toHaveLength(4);
    expect(base(a)).toEqual(base(b));
    expect(a['flow-grpo/score@mode']).not.toBe(0);
  });

  it('a tiny run is bit-identical on rerun', () => {
    for (const mod of [flowGrpo, crd]) {
      const a = mod.run({ ...tiny, tasks: ['sharp'] }, 4).metrics;
      const b = mod.run({ ...tiny, tasks: ['sharp'] }, 4).metrics;
      expect(a).toEqual(b);
    }
  });

  it('every recipe row names an existing module and catalog paper; names are unique', () => {
    const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'catalog.json'), 'utf8'));
    const ids = new Set<string>((catalog.papers as { id: string }[]).map((p) => p.id));
    const names = FLOW_PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of FLOW_PROTOCOL_METHODS) {
      expect(m.task).toMatch(/^testbeds\/diffusion2d\/protocol-flow\/recipes\/[a-z0-9-]+#run$/);
      expect(fs.existsSync(path.join(ROOT, m.source))).toBe(true);
      expect(m.papers.length).toBeGreaterThan(0);
      for (const p of m.papers) expect(ids.has(p), `${m.name}: ${p}`).toBe(true);
    }
    for (const n of FLOW_NOT_ENTERED) for (const p of n.papers) expect(ids.has(p), `${n.name}: ${p}`).toBe(true);
  });
});
