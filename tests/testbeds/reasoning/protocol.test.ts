import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  checkProtocolConfig,
  fallFromPeak,
  runRecipe,
  type ProtocolConfig,
} from '../../../src/testbeds/reasoning/protocol';
import { recipe as grpo } from '../../../src/testbeds/reasoning/protocol/recipes/grpo';
import { recipe as rft } from '../../../src/testbeds/reasoning/protocol/recipes/rft';
import { capoTrain, recipe as capo } from '../../../src/testbeds/reasoning/protocol/recipes/capo';
import { recipe as oreal } from '../../../src/testbeds/reasoning/protocol/recipes/oreal';
import {
  recipe as canonEntropy,
  trainWithEntropy,
} from '../../../src/testbeds/reasoning/protocol/recipes/canon-entropy';
import { recipe as canonLength } from '../../../src/testbeds/reasoning/protocol/recipes/canon-length';
import {
  DEFAULTS as CAPO_DEFAULTS,
  GRPO as CAPO_GRPO,
} from '../../../src/papers/stabilizing-policy-gradients-for-sample-efficient/experiment';
import { Rng } from '../../../src/core/rng';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import { reasoningBase } from '../../../src/testbeds/reasoning/base-model';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { LmPolicy } from '../../../src/testbeds/reasoning/trainer/policy';

const ROOT = path.resolve(__dirname, '../../..');
const TINY: ProtocolConfig = {
  ...PROTOCOL_DEFAULTS,
  updates: 2,
  batchPrompts: 2,
  groupSize: 2,
  evalProblems: 4,
  evalSamples: 4,
  passK: 4,
};

describe('reasoning protocol', () => {
  it('fallFromPeak: the fall of the trailing moving average after its peak', () => {
    expect(fallFromPeak([0, 1, 1, 0], 1)).toBe(1);
    expect(fallFromPeak([0, 0.5, 1], 1)).toBe(0);
    // window 2: averages 0, 0.5, 1, 0.5 → peak 1, last 0.5
    expect(fallFromPeak([0, 1, 1, 0], 2)).toBeCloseTo(0.5, 12);
    expect(fallFromPeak([], 3)).toBeNaN();
  });

  it('rejects bad configs, naming the field', () => {
    expect(() => checkProtocolConfig({ ...TINY, groupSize: 1 })).toThrow(/groupSize must be an integer ≥ 2/);
    expect(() => checkProtocolConfig({ ...TINY, passK: 8 })).toThrow(/passK \(8\) must not exceed evalSamples \(4\)/);
    expect(() => checkProtocolConfig({ ...TINY, lr: 0 })).toThrow(/lr must be positive/);
    expect(() => checkProtocolConfig({ ...TINY, tasks: ['nope' as never] })).toThrow(/unknown task "nope"/);
  });

  it('every entered method is a task module of the protocol folder whose recipe carries the row name', async () => {
    const ids = new Set(
      (
        JSON.parse(fs.readFileSync(path.join(ROOT, 'data/catalog.json'), 'utf8')) as { papers: { id: string }[] }
      ).papers.map((p) => p.id),
    );
    const names = new Set<string>();
    for (const m of PROTOCOL_METHODS) {
      expect(fs.existsSync(path.join(ROOT, m.source)), m.source).toBe(true);
      const mod = (await import(path.join(ROOT, m.source))) as { recipe: { name: string }; run: unknown };
      expect(mod.recipe.name).toBe(m.name);
      expect(typeof mod.run).toBe('function');
      for (const p of m.papers) expect(ids.has(p), `${m.name}: paper ${p}`).toBe(true);
      expect(names.has(m.name), `duplicate ${m.name}`).toBe(false);
      names.add(m.name);
    }
    for (const n of NOT_ENTERED) for (const p of n.papers) expect(ids.has(p), `${n.name}: paper ${p}`).toBe(true);
  });

  it('a tiny run: same base evaluation for every method, bit-identical reruns, the score as defined', async () => {
    const a = await runRecipe(grpo, TINY, 3);
    const b = await runRecipe(rft, TINY, 3);
    const a2 = await runRecipe(grpo, TINY, 3);
    expect(a2.metrics).toEqual(a.metrics);
    expect(a.metrics['base/pass1@addition-L3']).toBe(b.metrics['base/pass1@addition-L3']);
    expect(a.metrics['base/passK@addition-L3']).toBe(b.metrics['base/passK@addition-L3']);
    for (const k of ['score', 'pass1', 'passKGain', 'meanReward', 'fall', 'used'])
      expect(Number.isFinite(a.metrics[`grpo/${k}@addition-L3`]), k).toBe(true);
    const p1 = a.metrics['grpo/pass1@addition-L3'],
      b1 = a.metrics['base/pass1@addition-L3'];
    expect(a.metrics['grpo/score@addition-L3']).toBeCloseTo((p1 - b1) / (1 - b1), 12);
  }, 120_000);

  it("its own update (CAPO): trainRl's streams; with the mask off it is the shared loop bit for bit", async () => {
    // CAPO with infinite thresholds masks nothing: its update is GRPO's (the paper's test), so the entry's own loop
    // must draw the same problems and completions as trainRl and give the same record, metric for metric.
    const open = { name: 'capo', summary: '', trainer: CAPO_GRPO };
    const own = await runRecipe({ ...open, train: capoTrain({ tauKl: Infinity, tauObj: Infinity }) }, TINY, 4);
    const shared = await runRecipe(open, TINY, 4);
    expect(own.metrics).toEqual(shared.metrics);
    // The entry's thresholds do mask: from the same start and streams, its weights end elsewhere.
    const base = reasoningBase(TINY.base).model;
    const trained = (th: { tauKl: number; tauObj: number }) => {
      const model = new TransformerLm(base.config, new Rng(0));
      model.load(base.snapshot());
      const policy = new LmPolicy(model, { lr: TINY.lr, maxGradNorm: 1 });
      const task = getTask('addition');
      const recipe = { ...CAPO_GRPO, epochs: TINY.passes };
      const config = { ...TINY, batchPrompts: 4, groupSize: 4 }; // mixed groups, so GRPO has a gradient to mask
      capoTrain(th)({ model, policy, base, task, level: 3, config, recipe, rng: new Rng(4).split('train') });
      return model.snapshot();
    };
    const off = trained({ tauKl: Infinity, tauObj: Infinity });
    const on = trained({ tauKl: CAPO_DEFAULTS.tauKl, tauObj: CAPO_DEFAULTS.tauObj });
    expect(on.some((v, i) => v !== off[i])).toBe(true);
    expect(capo.train).toBeTypeOf('function');
  }, 120_000);

  it('OREAL: the same base evaluation; at most one pair per question; on-policy only, with a message', async () => {
    const cfg = { ...TINY, groupSize: 4 };
    const o = await runRecipe(oreal, cfg, 3);
    const g = await runRecipe(grpo, cfg, 3);
    expect((await runRecipe(oreal, cfg, 3)).metrics).toEqual(o.metrics);
    expect(o.metrics['base/pass1@addition-L3']).toBe(g.metrics['base/pass1@addition-L3']);
    for (const k of ['score', 'pass1', 'passKGain', 'meanReward', 'fall'])
      expect(Number.isFinite(o.metrics[`oreal/${k}@addition-L3`]), k).toBe(true);
    // OREAL trains on one correct and one wrong completion of each mixed question: 2 of its G responses at most.
    expect(o.metrics['oreal/used@addition-L3']).toBeLessThanOrEqual(2 / cfg.groupSize);
    await expect(runRecipe(oreal, cfg, 3, { staleness: 1 })).rejects.toThrow(
      /oreal trains with its own update, which runs on-policy only/,
    );
  }, 120_000);

  it('CANON (entropy): its loop is the shared one (with the length metric, canon-length bit for bit)', async () => {
    const cfg = { ...TINY, batchPrompts: 3, groupSize: 4 };
    const own = await runRecipe({ ...canonLength, train: trainWithEntropy }, cfg, 6);
    expect(own.metrics).toEqual((await runRecipe(canonLength, cfg, 6)).metrics);
    const h = await runRecipe(canonEntropy, cfg, 6);
    expect(h.metrics['base/pass1@addition-L3']).toBe(own.metrics['base/pass1@addition-L3']);
    for (const k of ['score', 'pass1', 'passKGain', 'meanReward', 'fall', 'used'])
      expect(Number.isFinite(h.metrics[`canon-entropy/${k}@addition-L3`]), k).toBe(true);
    // A recipe outside the loop's path is refused, naming it.
    await expect(runRecipe({ ...canonEntropy, trainer: grpo.trainer }, cfg, 6)).rejects.toThrow(
      /GRPO: trainWithEntropy runs recipes without KL, dynamic sampling or critic/,
    );
  }, 120_000);
});
