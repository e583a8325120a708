/**
 * The reasoning trainer's loop (`trainRl`) unchanged on both engines ([gpu] issue: "every loop runs unchanged on
 * either engine"): the same `LmPolicy` drives the kit's wasm `TransformerLm` and its TensorFlow.js twin
 * (`TfjsTransformerLm`, tfjs backends `cpu` and `wasm` here; `tensorflow(-gpu)` and `webgl` take the same path), from
 * the same weights, with the same seeds.
 *
 * What must agree, and why: the sampler draws the same uniforms from the kit's Rng on both engines, and the two
 * engines' log-probabilities agree to float32 rounding (|Δ| ≤ 2e-5, tests/nn/tfjs-transformer.test.ts), so a sampled
 * token differs only if a uniform falls within ~1e-6 of a cumulative-probability boundary — which these fixed seeds
 * do not do (a deterministic test, not a flaky one). Hence every update's batch (problems, completions, rewards) is
 * the same on both engines: the reward and kept-sample curves are equal exactly, the clip fraction and KL curves to
 * 1e-4. The parameters move by Adam steps of about lr per entry and differ by the engines' rounding of the gradient,
 * which Adam's normalisation amplifies where a gradient entry is near 0 (g/√v moves by O(1) when g is rounding
 * noise): so the bound is on the bulk — 99 % of the entries within 0.01·lr (measured 0.001·lr on both backends,
 * starting from the addition base model, 2 updates) — and every entry within one lr per Adam step (measured max
 * 0.12·lr). A wrong twin (the token embeddings shifted by 0.05) breaks the rewards or the parameter bound — tested.
 * PPO runs on both engines too: its critic (`TransformerCritic`, a value head on the final hidden states) takes either
 * engine's transformer as its trunk; the batches are the same, the value losses agree to 1e-4 relative and the
 * policy's parameters within the same bounds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { loadEngine, type EngineId } from '../../../../src/nn/engine';
import { TfjsTransformerLm } from '../../../../src/nn/tfjs/transformer-lm';
import { TransformerLm, type TransformerLmConfig } from '../../../../src/nn/transformer-lm';
import { getTask } from '../../../../src/testbeds/reasoning/tasks/registry';
import { TransformerCritic } from '../../../../src/testbeds/reasoning/trainer/critic';
import { trainRl, type RlConfig } from '../../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy } from '../../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES } from '../../../../src/testbeds/reasoning/trainer/recipes';

/** The committed addition base model (any key: its weights are only a realistic start with some correct samples). */
const MODELS = path.resolve(__dirname, '../../../../data/models');
const BASE = fs.readdirSync(MODELS).find((f) => f.startsWith('addition-tf'));
const loaded = TransformerLm.loadFile(path.join(MODELS, BASE ?? 'missing'));
if (!loaded) throw new Error(`no addition transformer base model in ${MODELS}: run notebooks/testbed-reasoning.ipynb`);
const CFG: TransformerLmConfig = loaded.model.config;
const W0 = loaded.model.snapshot();
loaded.model.releaseCaches();
const LR = 1e-3;
const RUN: RlConfig = { recipe: RECIPES.grpo, level: 3, updates: 2, batchPrompts: 4, groupSize: 4, lr: LR };
/** Adam steps in the run (one per update and gradient pass). */
const STEPS = RUN.updates * RUN.recipe.epochs;

function start(): Float32Array {
  return Float32Array.from(W0);
}

function run(model: TransformerLm | TfjsTransformerLm, ref: TransformerLm | TfjsTransformerLm) {
  const w0 = start();
  model.load(w0);
  ref.load(w0);
  const policy = new LmPolicy(model, { lr: LR, maxGradNorm: 1 });
  const refPolicy = new LmPolicy(ref, { lr: LR });
  const curves = trainRl(policy, getTask('addition'), RUN, new Rng(5).split('run'), refPolicy);
  return { curves, params: model.snapshot(), moved: maxAbsDiff(model.snapshot(), w0) };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const engines: EngineId[] = ['tfjs-cpu', 'tfjs-wasm'];

describe.each(engines)('trainRl on %s and on the wasm engine', (id) => {
  it('GRPO with its KL reference: the same batches and rewards, parameters within float32 bounds', async () => {
    const tf = (await loadEngine(id)).tf!;
    const kit = run(new TransformerLm(CFG, new Rng(0)), new TransformerLm(CFG, new Rng(0)));
    const twin = run(new TfjsTransformerLm(tf, CFG), new TfjsTransformerLm(tf, CFG));
    // The batches carry signal (some but not all samples correct), and training moved the weights.
    expect(kit.curves.reward.some((r) => r > 0 && r < 1)).toBe(true);
    expect(kit.moved).toBeGreaterThan(0.5 * LR);
    expect(twin.curves.reward).toEqual(kit.curves.reward);
    expect(twin.curves.kept).toEqual(kit.curves.kept);
    for (const key of ['clipFraction', 'kl'] as const)
      twin.curves[key].forEach((v, t) => expect(Math.abs(v - kit.curves[key][t]), `${key}[${t}]`).toBeLessThan(1e-4));
    const d = Array.from(twin.params, (v, i) => Math.abs(v - kit.params[i])).sort((a, b) => a - b);
    expect(d[Math.floor(0.99 * d.length)]).toBeLessThan(0.01 * LR);
    expect(d[d.length - 1]).toBeLessThan(STEPS * LR);
  }, 120_000);

  it('PPO with its learned critic (value head on the final hidden states): same batches, value losses', async () => {
    const tf = (await loadEngine(id)).tf!;
    const ppo = (model: TransformerLm | TfjsTransformerLm, trunk: TransformerLm | TfjsTransformerLm) => {
      const w0 = start();
      model.load(w0);
      trunk.load(w0);
      const critic = new TransformerCritic(trunk, { lr: 10 * LR, maxGradNorm: 1 });
      const curves = trainRl(
        new LmPolicy(model, { lr: LR, maxGradNorm: 1 }),
        getTask('addition'),
        { ...RUN, recipe: RECIPES.ppo, critic },
        new Rng(6).split('run'),
        null,
      );
      return { curves, params: model.snapshot(), head: Float32Array.from(critic.head) };
    };
    const kit = ppo(new TransformerLm(CFG, new Rng(0)), new TransformerLm(CFG, new Rng(0)));
    const twin = ppo(new TfjsTransformerLm(tf, CFG), new TfjsTransformerLm(tf, CFG));
    expect(kit.curves.reward.some((r) => r > 0 && r < 1)).toBe(true);
    expect(twin.curves.reward).toEqual(kit.curves.reward);
    // the value loss before each critic step: the first from the same zero head (values 0: the same loss to
    // rounding), the second after one critic step on each engine
    const vk = kit.curves.valueLoss!,
      vt = twin.curves.valueLoss!;
    expect(vk.length).toBe(RUN.updates);
    vk.forEach((v, t) => expect(Math.abs(vt[t] - v), `valueLoss[${t}]`).toBeLessThan(1e-4 * Math.max(1, v)));
    // the value head moved (Adam at 10·lr), alike on both engines
    const headMoved = kit.head.some((v) => Math.abs(v) > 0.5 * 10 * LR);
    expect(headMoved).toBe(true);
    for (let i = 0; i < kit.head.length; i++)
      expect(Math.abs(twin.head[i] - kit.head[i])).toBeLessThan(10 * LR * STEPS);
    const d = Array.from(twin.params, (v, i) => Math.abs(v - kit.params[i])).sort((a, b) => a - b);
    expect(d[Math.floor(0.99 * d.length)]).toBeLessThan(0.01 * LR);
    expect(d[d.length - 1]).toBeLessThan(STEPS * LR);
  }, 180_000);

  it('can fail: a twin whose start differs in one weight group drifts past the bound', async () => {
    const tf = (await loadEngine(id)).tf!;
    const kit = run(new TransformerLm(CFG, new Rng(0)), new TransformerLm(CFG, new Rng(0)));
    const twinModel = new TfjsTransformerLm(tf, CFG);
    const ref = new TfjsTransformerLm(tf, CFG);
    const w0 = start();
    const bad = Float32Array.from(w0);
    for (let i = 0; i < CFG.vocab * CFG.dModel!; i++) bad[i] += 0.05; // the token embeddings, shifted
    twinModel.load(bad);
    ref.load(w0);
    const curves = trainRl(
      new LmPolicy(twinModel, { lr: LR, maxGradNorm: 1 }),
      getTask('addition'),
      RUN,
      new Rng(5).split('run'),
      new LmPolicy(ref, { lr: LR }),
    );
    const sameRewards = JSON.stringify(curves.reward) === JSON.stringify(kit.curves.reward);
    const far = maxAbsDiff(twinModel.snapshot(), kit.params) >= STEPS * LR;
    expect(!sameRewards || far).toBe(true);
  }, 120_000);
});
