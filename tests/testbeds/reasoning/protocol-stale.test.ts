import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import {
  STALE_NOT_ENTERED,
  STALE_PROTOCOL_DEFAULTS,
  STALE_PROTOCOL_METHODS,
  checkStaleProtocolConfig,
  runStaleRecipe,
  type StaleProtocolConfig,
} from '../../../src/testbeds/reasoning/protocol-stale';
import { runRecipe } from '../../../src/testbeds/reasoning/protocol';
import { recipe as protocolGrpo } from '../../../src/testbeds/reasoning/protocol/recipes/grpo';
import { recipe as grpo } from '../../../src/testbeds/reasoning/protocol-stale/recipes/grpo';
import { recipe as grpoStale } from '../../../src/testbeds/reasoning/protocol-stale/recipes/grpo-stale';
import { recipe as opmd } from '../../../src/testbeds/reasoning/protocol-stale/recipes/opmd';
import { recipe as recOnesideIs } from '../../../src/testbeds/reasoning/protocol-stale/recipes/rec-oneside-is';
import { recipe as reinforceStale } from '../../../src/testbeds/reasoning/protocol-stale/recipes/reinforce-stale';
import { RECIPES } from '../../../src/testbeds/reasoning/trainer/recipes';
import { tfRunsAt } from '../../../src/papers/grpo-off-policy/transformer';
import { runName } from '../../../src/papers/grpo-off-policy/bandit';

const ROOT = path.resolve(__dirname, '../../..');
const TINY: StaleProtocolConfig = {
  ...STALE_PROTOCOL_DEFAULTS,
  updates: 3,
  batchPrompts: 2,
  groupSize: 2,
  evalProblems: 4,
  evalSamples: 4,
  passK: 4,
  staleness: 1,
};
const T = 'addition-L3';
/** A record's metrics without the method prefix (`score@addition-L3`, …; base metrics kept whole). */
const strip = (metrics: Record<string, number>, name: string) =>
  Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [k.startsWith(`${name}/`) ? k.slice(name.length + 1) : k, v]),
  );

describe('reasoning stale protocol', () => {
  it('defaults: the reasoning protocol budget, and the staleness of grpo-off-policy (k = 16)', () => {
    expect(STALE_PROTOCOL_DEFAULTS.staleness).toBe(16);
    expect(STALE_PROTOCOL_DEFAULTS.updates).toBe(100);
    expect(STALE_PROTOCOL_DEFAULTS.passes).toBe(2);
  });

  it('rejects bad configs, naming the field', () => {
    expect(() => checkStaleProtocolConfig({ ...TINY, staleness: -1 })).toThrow(
      /staleness must be an integer ≥ 0, got -1/,
    );
    expect(() => checkStaleProtocolConfig({ ...TINY, staleness: 1.5 })).toThrow(/staleness must be an integer/);
    expect(() => checkStaleProtocolConfig({ ...TINY, staleness: 3 })).toThrow(
      /staleness \(3\) must be below updates \(3\)/,
    );
    expect(() => checkStaleProtocolConfig({ ...TINY, groupSize: 1 })).toThrow(/groupSize must be an integer ≥ 2/);
    expect(() => checkStaleProtocolConfig({ ...TINY, lr: 0 })).toThrow(/lr must be positive/);
    expect(() => checkStaleProtocolConfig({ ...TINY, tasks: ['nope' as never] })).toThrow(/unknown task "nope"/);
    expect(() => runStaleRecipe(opmd, { ...TINY, staleness: -2 }, 1)).toThrow(/staleness/);
  });

  it('every entered method is a task module of the folder whose recipe is the kit recipe, unchanged', async () => {
    const ids = new Set(
      (
        JSON.parse(fs.readFileSync(path.join(ROOT, 'data/catalog.json'), 'utf8')) as { papers: { id: string }[] }
      ).papers.map((p) => p.id),
    );
    const names = new Set<string>();
    for (const m of STALE_PROTOCOL_METHODS) {
      expect(m.source.startsWith('src/testbeds/reasoning/protocol-stale/recipes/'), m.source).toBe(true);
      expect(fs.existsSync(path.join(ROOT, m.source)), m.source).toBe(true);
      const mod = (await import(path.join(ROOT, m.source))) as { recipe: { name: string }; run: unknown };
      expect(mod.recipe.name).toBe(m.name);
      expect(typeof mod.run).toBe('function');
      expect(m.papers.length).toBeGreaterThan(0);
      for (const p of m.papers) expect(ids.has(p), `${m.name}: paper ${p}`).toBe(true);
      expect(names.has(m.name), `duplicate ${m.name}`).toBe(false);
      names.add(m.name);
    }
    for (const n of STALE_NOT_ENTERED) for (const p of n.papers) expect(ids.has(p), `${n.name}: paper ${p}`).toBe(true);
    // The recipes are the kit's objects themselves, not copies.
    expect(grpo.trainer).toBe(protocolGrpo.trainer);
    expect(grpoStale.trainer).toBe(protocolGrpo.trainer);
    expect(opmd.trainer).toBe(RECIPES.opmd);
    // The two derived entries are grpo-off-policy's transformer recipes (names aside): a change to either side fails.
    const paper = tfRunsAt(16);
    const unnamed = ({ name: _n, ...r }: { name: string }) => r;
    expect(unnamed(reinforceStale.trainer)).toEqual(unnamed(paper[runName('REINFORCE', 16)].recipe));
    expect(unnamed(recOnesideIs.trainer)).toEqual(unnamed(paper[runName('REC-OneSide-IS', 16)].recipe));
    expect(reinforceStale.trainer.importance).toBe('none');
    expect(recOnesideIs.trainer.importance).toBe('token');
    expect(grpo.onPolicy).toBe(true);
    expect(STALE_PROTOCOL_METHODS.filter((m) => m.regime === 'on-policy').map((m) => m.name)).toEqual(['grpo']);
  });

  it('a tiny run: bit-identical reruns, the same base evaluation for every method and protocol', async () => {
    const a = await runStaleRecipe(grpoStale, TINY, 3);
    const a2 = await runStaleRecipe(grpoStale, TINY, 3);
    expect(a2.metrics).toEqual(a.metrics);
    const b = await runStaleRecipe(opmd, TINY, 3);
    const c = await runStaleRecipe(grpo, TINY, 3);
    const p = await runRecipe(protocolGrpo, TINY, 3);
    for (const k of [`base/pass1@${T}`, `base/passK@${T}`]) {
      expect(b.metrics[k]).toBe(a.metrics[k]);
      expect(c.metrics[k]).toBe(a.metrics[k]);
      expect(p.metrics[k]).toBe(a.metrics[k]);
    }
    for (const k of ['score', 'pass1', 'passKGain', 'meanReward', 'fall', 'used', 'klBehaviour'])
      expect(Number.isFinite(a.metrics[`grpo-stale/${k}@${T}`]), k).toBe(true);
    // The on-policy baseline records no behaviour KL.
    expect(c.metrics[`grpo/klBehaviour@${T}`]).toBeUndefined();
  }, 120_000);

  it('staleness 0: stale GRPO equals the on-policy baseline and the reasoning protocol GRPO bit for bit', async () => {
    const z = { ...TINY, staleness: 0 };
    const s = strip((await runStaleRecipe(grpoStale, z, 5)).metrics, 'grpo-stale');
    const o = strip((await runStaleRecipe(grpo, TINY, 5)).metrics, 'grpo');
    const p = strip((await runRecipe(protocolGrpo, TINY, 5)).metrics, 'grpo');
    expect(s).toEqual(o);
    expect(o).toEqual(p);
    // …and at staleness 1 the samples come from an older policy: a positive KL(μ‖π) to the sampling policy.
    expect((await runStaleRecipe(grpoStale, TINY, 5)).metrics[`grpo-stale/klBehaviour@${T}`]).toBeGreaterThan(0);
  }, 120_000);
});
