import { describe, expect, it } from 'vitest';
import {
  DIVERGED_OUTSIDE,
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  protocolReward,
  runRecipe,
  TILT_MATCH_FLOOR,
  type ProtocolRecipe,
  type ProtocolTask,
} from '../../../src/testbeds/diffusion2d/protocol';
import * as ddpoKl from '../../../src/testbeds/diffusion2d/protocol/recipes/ddpo-kl';
import * as ddpoIsKl from '../../../src/testbeds/diffusion2d/protocol/recipes/ddpo-is-kl';
import * as prdp from '../../../src/testbeds/diffusion2d/protocol/recipes/proximal-rdp';
import * as rdp from '../../../src/testbeds/diffusion2d/protocol/recipes/rdp';
import {
  REWARD_DIFFERENCE_SETTINGS,
  rewardDifferenceRecipe,
} from '../../../src/testbeds/diffusion2d/protocol/reward-difference-recipe';
import { DEFAULTS as PRDP_DEFAULTS } from '../../../src/papers/prdp/experiment';
import {
  ddpoPerPromptRound,
  perPromptNormalisedAdvantages,
} from '../../../src/testbeds/diffusion2d/methods/ddpo-per-prompt';
import { prdpRound } from '../../../src/testbeds/diffusion2d/methods/reward-difference-prediction';
import * as loopKl from '../../../src/testbeds/diffusion2d/protocol/recipes/loop-kl';
import * as reinforceKl from '../../../src/testbeds/diffusion2d/protocol/recipes/reinforce-kl';
import * as rlooKl from '../../../src/testbeds/diffusion2d/protocol/recipes/rloo-kl';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import {
  policyGradientRound,
  promptGroupAdvantages,
  type PolicyGradientRoundOptions,
} from '../../../src/testbeds/diffusion2d/methods/loop';
import { diffusion2dBase } from '../../../src/testbeds/diffusion2d/models/base-model';
import { ddpmSchedule } from '../../../src/testbeds/diffusion2d/models/schedule';

const tiny = { ...PROTOCOL_DEFAULTS, updates: 3, batch: 16, evalSamples: 2000 };

describe('the diffusion2d protocol', () => {
  it('an unchanged model scores exactly 0 (same evaluation noise as the base) on every task', () => {
    const idle: ProtocolRecipe = { name: 'idle', summary: 'no update', fineTune: () => undefined };
    const r = runRecipe(idle, tiny, 3).metrics;
    for (const t of PROTOCOL_DEFAULTS.tasks) {
      expect(r[`idle/score@${t}`]).toBe(0);
      expect(r[`idle/rewardGain@${t}`]).toBe(0);
      expect(r[`idle/klRef@${t}`]).toBe(r[`base/klRef@${t}`]);
      // the pre-trained model is close to p_ref and far from the tilted target
      expect(r[`base/klRef@${t}`]).toBeLessThan(0.5);
      expect(r[`base/klTilt@${t}`]).toBeGreaterThan(0.5);
    }
  });

  it('diverged runs: samples leaving the box or a non-finite gradient score the floor; other errors propagate', () => {
    const one = { ...tiny, tasks: ['mode' as const] };
    // weights far from any trained denoiser: the sampled chains leave the grid's box
    const blowUp: ProtocolRecipe = {
      name: 'blow-up',
      summary: 'large weights',
      fineTune: (c) => c.policy.mlp.params.f.forEach((_, i, p) => (p[i] = i % 2 ? 3 : -3)),
    };
    const r = runRecipe(blowUp, one, 3).metrics;
    expect(r['blow-up/outside@mode']).toBeGreaterThan(DIVERGED_OUTSIDE);
    expect(r['blow-up/score@mode']).toBe(TILT_MATCH_FLOOR);
    expect(r['blow-up/diverged@mode']).toBe(1);
    // training that stops on a non-finite gradient (nn.Adam refuses it): diverged, the model evaluated as it was
    const nan: ProtocolRecipe = {
      name: 'nan',
      summary: 'a NaN gradient',
      fineTune: (c) => c.opt.step(c.policy.mlp.params.f, new Float32Array(c.policy.mlp.size).fill(NaN)),
    };
    const n = runRecipe(nan, one, 3).metrics;
    expect(n['nan/score@mode']).toBe(TILT_MATCH_FLOOR);
    expect(n['nan/diverged@mode']).toBe(1);
    expect(n['nan/outside@mode']).toBe(0); // the unchanged model: evaluated, inside the box
    // any other error is not a score: it propagates
    const bug: ProtocolRecipe = {
      name: 'bug',
      summary: 'throws',
      fineTune: () => {
        throw new RangeError('a bug');
      },
    };
    expect(() => runRecipe(bug, one, 3)).toThrow('a bug');
    // an ordinary run records no diverged key, and its score is not floored
    const idle = runRecipe({ name: 'idle', summary: '', fineTune: () => undefined }, one, 3).metrics;
    expect(idle['idle/diverged@mode']).toBeUndefined();
    expect(idle['idle/score@mode']).toBe(0);
  });

  it('a recipe gets a fresh copy of the base model, its budget and the task β; records are deterministic', () => {
    const seen: { updates: number; batch: number; beta: number; same: boolean }[] = [];
    const probe: ProtocolRecipe = {
      name: 'probe',
      summary: 'records its context',
      fineTune: (c) => {
        seen.push({ updates: c.updates, batch: c.batch, beta: c.beta, same: c.policy === c.ref });
        c.policy.mlp.params.f[0] += 1; // must not leak into the next task's copy
      },
    };
    runRecipe(probe, tiny, 1);
    expect(seen).toEqual(
      PROTOCOL_DEFAULTS.tasks.map((t) => ({ updates: 3, batch: 16, beta: protocolReward(t).beta, same: false })),
    );
    const a = ddpoKl.run({ ...tiny, tasks: ['mode'] }, 2).metrics;
    const b = ddpoKl.run({ ...tiny, tasks: ['mode'] }, 2).metrics;
    expect(a).toEqual(b);
  });

  it('the table lists every recipe once with task paths that exist, and names unknown tasks', () => {
    const names = PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of PROTOCOL_METHODS)
      expect(m.task).toMatch(/^testbeds\/diffusion2d\/protocol\/recipes\/[a-z0-9-]+#run$/);
    expect(NOT_ENTERED.length).toBeGreaterThan(0);
    expect(() => protocolReward('ring' as ProtocolTask)).toThrow(/unknown task "ring"/);
  });

  it("LOOP's family on the unconditional model: each recipe is a policyGradientRound per update as documented", () => {
    const base = diffusion2dBase(PROTOCOL_DEFAULTS.base).model;
    const sched = ddpmSchedule(PROTOCOL_DEFAULTS.base.schedule);
    const { reward, beta } = protocolReward('sharp');
    const settings: [{ recipe: ProtocolRecipe }, Omit<PolicyGradientRoundOptions, 'beta'>][] = [
      [reinforceKl, { K: 1, advantage: 'none', epochs: 1, minibatches: 1, clip: null }],
      [rlooKl, { K: 4, advantage: 'leave-one-out', epochs: 1, minibatches: 1, clip: null }],
      [ddpoIsKl, { K: 1, advantage: 'batch-normalised', epochs: 2, minibatches: 2, clip: 0.2 }],
      [loopKl, { K: 4, advantage: 'leave-one-out', epochs: 2, minibatches: 2, clip: 0.2 }],
    ];
    for (const [mod, o] of settings) {
      const ctx = (policy = base.clone()) => ({
        policy,
        ref: base,
        sched,
        reward,
        beta,
        updates: 2,
        batch: 16,
        opt: new Adam(policy.mlp.size, { lr: 1e-3, maxGradNorm: 1 }),
        rng: new Rng(5),
      });
      const a = ctx();
      mod.recipe.fineTune(a);
      const b = ctx();
      for (let u = 0; u < 2; u++)
        policyGradientRound(b.policy, base, sched, reward, new Int32Array(16), { ...o, beta }, b.rng.split(u), b.opt);
      expect(Array.from(a.policy.mlp.params.f)).toEqual(Array.from(b.policy.mlp.params.f));
      expect(a.policy.mlp.params.f).not.toEqual(base.mlp.params.f);
    }
  });
});

describe("the prdp paper's methods on the diffusion2d protocol (single-prompt special case)", () => {
  const base = diffusion2dBase(PROTOCOL_DEFAULTS.base).model;
  const sched = ddpmSchedule(PROTOCOL_DEFAULTS.base.schedule);
  const { reward, beta } = protocolReward('sharp');
  const ctx = (batch = 16, b = beta, policy = base.clone()) => ({
    policy,
    ref: base,
    sched,
    reward,
    beta: b,
    updates: 2,
    batch,
    opt: new Adam(policy.mlp.size, { lr: 1e-3, maxGradNorm: 1 }),
    rng: new Rng(7),
  });

  it("keeps the prdp notebook's settings (B, epochs × minibatches, ε, DDPO's clip)", () => {
    expect(REWARD_DIFFERENCE_SETTINGS).toEqual({
      B: PRDP_DEFAULTS.K,
      epochs: PRDP_DEFAULTS.epochs,
      minibatches: PRDP_DEFAULTS.minibatches,
    });
    expect(PRDP_DEFAULTS.eps).toBe(0.2);
    expect(PRDP_DEFAULTS.clip).toBe(0.2);
    const names = PROTOCOL_METHODS.filter((m) => m.papers.includes('prdp')).map((m) => m.name);
    expect(names).toEqual(['ddpo-is-kl', 'prdp', 'rdp']);
  });

  it('PRDP and RDP: each update is a prdpRound on draws of B = 4 samples of the one prompt, bit for bit', () => {
    for (const [mod, eps] of [
      [prdp, 0.2],
      [rdp, null],
    ] as const) {
      const a = ctx();
      mod.recipe.fineTune(a);
      const b = ctx();
      const o = { B: 4, epochs: 2, minibatches: 2, beta, eps };
      for (let u = 0; u < 2; u++)
        prdpRound(b.policy, base, sched, (x, N) => reward.value(x, N), new Int32Array(16), o, b.rng.split(u), b.opt);
      expect(Array.from(a.policy.mlp.params.f)).toEqual(Array.from(b.policy.mlp.params.f));
      expect(a.policy.mlp.params.f).not.toEqual(base.mlp.params.f);
    }
    // the proximal clip changes the second and later steps of a round: PRDP and RDP part after one update
    const p = ctx(),
      r = ctx();
    prdp.recipe.fineTune(p);
    rdp.recipe.fineTune(r);
    expect(p.policy.mlp.params.f).not.toEqual(r.policy.mlp.params.f);
  });

  it('with a single prompt, per-prompt normalisation is batch normalisation (advantages and the whole round)', () => {
    const rng = new Rng(3);
    const R = Float64Array.from({ length: 24 }, () => 2 + 3 * rng.normal());
    // the one prompt's group is the batch
    expect(Array.from(perPromptNormalisedAdvantages(R, 24))).toEqual(
      Array.from(promptGroupAdvantages(R, 1, 'batch-normalised')),
    );
    // the prdp notebook's round (groups kept whole, so one minibatch) = the batch-normalised round
    const o = { beta, epochs: 2, minibatches: 1, clip: 0.2 };
    const a = ctx(),
      b = ctx();
    const prompts = new Int32Array(16);
    ddpoPerPromptRound(a.policy, base, sched, reward, prompts, { ...o, K: 16 }, a.rng, a.opt);
    policyGradientRound(
      b.policy,
      base,
      sched,
      reward,
      prompts,
      { ...o, K: 1, advantage: 'batch-normalised' },
      b.rng,
      b.opt,
    );
    const pa = a.policy.mlp.params.f,
      pb = b.policy.mlp.params.f;
    let diff = 0,
      moved = 0;
    for (let i = 0; i < pa.length; i++) {
      diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
      moved = Math.max(moved, Math.abs(pa[i] - base.mlp.params.f[i]));
    }
    expect(moved).toBeGreaterThan(1e-4);
    // float32 network: the shuffled row order of policyGradientRound's pass changes sums in the last bits only
    expect(diff).toBeLessThan(1e-3 * moved);
  });

  it('a batch that does not split into draws of B and minibatches, or β ≤ 0, is refused with a message', () => {
    expect(() => prdp.recipe.fineTune(ctx(12))).toThrow(/recipe prdp: batch = 12 must be a positive multiple of 8/);
    expect(() => rdp.recipe.fineTune(ctx(16, 0))).toThrow(/recipe rdp: the task's β = 0 must be > 0/);
    expect(() => prdp.run({ ...tiny, batch: 20, tasks: ['mode'] }, 1)).toThrow(/ProtocolConfig\.batch/);
  });
});
