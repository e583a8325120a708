/**
 * The nn engine of engine-aware code (src/nn/active-engine.ts) and its wiring into the reasoning protocols:
 * - which engine the environment selects (default `auto`, which is the wasm engine on a machine without native
 *   TensorFlow — checked as a premise here), and the record key label it gives (unchanged on the wasm engine, so
 *   the committed records keep their keys; `+nn:<engine>` otherwise, only for code that can reach the module);
 * - the reasoning protocol on tfjs's wasm backend against the kit's wasm engine, the same seed: the base model's
 *   evaluation is the same (same weights; the samplers draw the same uniforms and the log-probabilities agree to
 *   float32 rounding), training draws the same batches (equal training rewards), and the trained model's held-out
 *   pass@1 is within a few samples of the wasm run's (its weights differ by float32 rounding amplified by Adam,
 *   tests/testbeds/reasoning/trainer/engines.test.ts);
 * - the methods with their own loops (CAPO, OREAL, CANON-entropy) on tfjs-wasm too, close to the wasm runs;
 * - clear errors: an engine that cannot load names the package.
 */
import * as path from 'path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { taskCode } from '../../src/core/provenance';
import { requireOptional } from '../../src/nn/engine';
import { TfjsTransformerLm } from '../../src/nn/tfjs/transformer-lm';
import { TransformerLm } from '../../src/nn/transformer-lm';
import {
  ACTIVE_ENGINE_MODULE,
  keyEngineId,
  recordBackendLabel,
  requestedEngine,
  taskEngine,
} from '../../src/nn/active-engine';
import { PROTOCOL_DEFAULTS, runRecipe, type ProtocolConfig } from '../../src/testbeds/reasoning/protocol';
import { recipe as grpo } from '../../src/testbeds/reasoning/protocol/recipes/grpo';
import { recipe as capo } from '../../src/testbeds/reasoning/protocol/recipes/capo';
import { recipe as oreal } from '../../src/testbeds/reasoning/protocol/recipes/oreal';
import { recipe as canonEntropy } from '../../src/testbeds/reasoning/protocol/recipes/canon-entropy';

const DIST = path.resolve(__dirname, '../../dist');
const saved = { engine: process.env.RLMINI_ENGINE, backend: process.env.RLMINI_BACKEND };
afterEach(() => {
  for (const [k, v] of [
    ['RLMINI_ENGINE', saved.engine],
    ['RLMINI_BACKEND', saved.backend],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

const nativeLoads = (pkg: string) => {
  try {
    requireOptional(pkg);
    return true;
  } catch {
    return false;
  }
};

describe('the engine of engine-aware code', () => {
  it('unset: auto (the wasm engine where native TensorFlow does not load); named engines are themselves', () => {
    expect(requestedEngine({})).toBe('auto');
    expect(requestedEngine({ RLMINI_ENGINE: 'tfjs-cpu' })).toBe('tfjs-cpu');
    expect(requestedEngine({ RLMINI_BACKEND: 'tensorflow-gpu' })).toBe('tensorflow-gpu');
    expect(() => requestedEngine({ RLMINI_ENGINE: 'cuda' })).toThrow(/RLMINI_ENGINE=cuda is not an engine/);
    // premise of this machine (and CI): neither native package loads, so auto is the wasm engine
    if (!nativeLoads('@tensorflow/tfjs-node-gpu') && !nativeLoads('@tensorflow/tfjs-node'))
      expect(keyEngineId({})).toBe('wasm');
    expect(keyEngineId({ RLMINI_ENGINE: 'tfjs-wasm' })).toBe('tfjs-wasm');
  });

  it('record keys: the label is unchanged on the wasm engine and for code that cannot reach the module', () => {
    const wired = { [ACTIVE_ENGINE_MODULE]: 'h', 'testbeds/x.js': 'h' };
    const other = { 'testbeds/x.js': 'h' };
    expect(recordBackendLabel('typed-arrays', wired, { RLMINI_ENGINE: 'wasm' })).toBe('typed-arrays');
    expect(recordBackendLabel('typed-arrays', wired, { RLMINI_ENGINE: 'tfjs-cpu' })).toBe('typed-arrays+nn:tfjs-cpu');
    expect(recordBackendLabel('typed-arrays', other, { RLMINI_ENGINE: 'tfjs-cpu' })).toBe('typed-arrays');
    // what is wired: the reasoning protocols' and the gates' tasks reach the module; a tabular protocol task does not
    expect(taskCode('testbeds/reasoning/protocol/recipes/grpo#run', DIST).files).toHaveProperty([ACTIVE_ENGINE_MODULE]);
    expect(taskCode('testbeds/reasoning/protocol-stale/recipes/opmd#run', DIST).files).toHaveProperty([
      ACTIVE_ENGINE_MODULE,
    ]);
    expect(taskCode('papers/testbed-reasoning/experiment#runSeed', DIST).files).toHaveProperty([ACTIVE_ENGINE_MODULE]);
    expect(taskCode('testbeds/tabular/protocol/recipes/epic#run', DIST).files).not.toHaveProperty([
      ACTIVE_ENGINE_MODULE,
    ]);
  });

  it('an engine that cannot load is an error naming the package; the loaded engine must be the keyed one', async () => {
    if (nativeLoads('@tensorflow/tfjs-node')) return; // only meaningful where it is not installed
    await expect(taskEngine('test', { RLMINI_ENGINE: 'tensorflow' })).rejects.toThrow(
      /cannot load.*npm install @tensorflow\/tfjs-node@4\.22\.0/,
    );
    const e = await taskEngine('test', { RLMINI_ENGINE: 'tfjs-cpu' });
    expect(e.id).toBe('tfjs-cpu');
    expect(e.sync).toBe(true);
  });
});

const TINY: ProtocolConfig = {
  ...PROTOCOL_DEFAULTS,
  updates: 2,
  batchPrompts: 4,
  groupSize: 4,
  evalProblems: 8,
  evalSamples: 8,
  passK: 8,
};

describe('the reasoning protocol on tfjs (wasm backend) and on the kit engine', () => {
  it('the same base evaluation and training batches; trained pass@1 within rounding of the wasm run', async () => {
    const tfSample = vi.spyOn(TfjsTransformerLm.prototype, 'sample');
    const kitSample = vi.spyOn(TransformerLm.prototype, 'sample');
    process.env.RLMINI_ENGINE = 'wasm';
    const kit = (await runRecipe(grpo, TINY, 3)).metrics;
    expect(tfSample).not.toHaveBeenCalled();
    const kitCalls = kitSample.mock.calls.length;
    expect(kitCalls).toBeGreaterThan(0);
    process.env.RLMINI_ENGINE = 'tfjs-wasm';
    const twin = (await runRecipe(grpo, TINY, 3)).metrics;
    // every sampling pass of the tfjs run ran on the twin (none on the wasm model)
    expect(tfSample.mock.calls.length).toBe(kitCalls);
    expect(kitSample.mock.calls.length).toBe(kitCalls);
    vi.restoreAllMocks();
    const T = 'addition-L3';
    expect(twin[`base/pass1@${T}`]).toBe(kit[`base/pass1@${T}`]);
    expect(twin[`base/passK@${T}`]).toBe(kit[`base/passK@${T}`]);
    expect(twin[`grpo/meanReward@${T}`]).toBe(kit[`grpo/meanReward@${T}`]);
    expect(twin[`grpo/used@${T}`]).toBe(kit[`grpo/used@${T}`]);
    // 64 held-out samples: a sample that flips changes pass@1 by 1/64; allow two
    expect(Math.abs(twin[`grpo/pass1@${T}`] - kit[`grpo/pass1@${T}`])).toBeLessThanOrEqual(2 / 64 + 1e-12);
  }, 180_000);

  it('the own-loop methods (CAPO, OREAL, CANON-entropy) run on the twin too, close to the wasm run', async () => {
    const T = 'addition-L3';
    for (const r of [capo, oreal, canonEntropy]) {
      process.env.RLMINI_ENGINE = 'wasm';
      const kit = (await runRecipe(r, TINY, 3)).metrics;
      process.env.RLMINI_ENGINE = 'tfjs-wasm';
      const kitSample = vi.spyOn(TransformerLm.prototype, 'sample');
      const tfSample = vi.spyOn(TfjsTransformerLm.prototype, 'sample');
      const twin = (await runRecipe(r, TINY, 3)).metrics;
      // every sampling pass ran on the twin (OREAL's token reward model still reads the frozen wasm base model)
      expect(kitSample, r.name).not.toHaveBeenCalled();
      expect(tfSample.mock.calls.length, r.name).toBeGreaterThan(0);
      vi.restoreAllMocks();
      expect(Object.keys(twin).sort(), r.name).toEqual(Object.keys(kit).sort());
      expect(twin[`base/pass1@${T}`], r.name).toBe(kit[`base/pass1@${T}`]);
      expect(twin[`${r.name}/meanReward@${T}`], r.name).toBe(kit[`${r.name}/meanReward@${T}`]);
      expect(Math.abs(twin[`${r.name}/pass1@${T}`] - kit[`${r.name}/pass1@${T}`]), r.name).toBeLessThanOrEqual(
        2 / 64 + 1e-12,
      );
    }
  }, 300_000);
});
