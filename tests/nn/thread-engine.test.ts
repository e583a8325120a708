/**
 * The engine of the task's thread (src/nn/thread-engine.ts), which the synchronous model builders of the kit use —
 * the GRU RLVR loops, the diffusion denoisers, the preference reward models, the continual classifier (classp) and the
 * reasoning papers' seed runs:
 * - on the default (wasm) engine the builders return the kit's wasm models, so nothing about the committed records
 *   changes; a tfjs engine named in RLMINI_ENGINE but not loaded is an error that says what to do; after
 *   `prepareThreadEngine` the builders return the tfjs twins; code written against wasm internals is refused;
 * - the task runner loads the engine before a task (inline and in worker threads): a GRU RLVR seed run through
 *   `runTasks` on tfjs-wasm gives the wasm run's metrics to float32 rounding (same weights, same batches);
 * - the tfjs MLP's input gradient (`backward(dy, dx)`, used by reward backpropagation) equals the wasm Mlp's, and a
 *   DRaFT gradient through an EpsMlp on tfjs equals the wasm one;
 * - the wired tasks' code closures reach `nn/active-engine.js`, so their records carry the engine in their key.
 */
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { taskCode } from '../../src/core/provenance';
import { Rng } from '../../src/core/rng';
import { ACTIVE_ENGINE_MODULE, recordBackendLabel } from '../../src/nn/active-engine';
import { GruLm } from '../../src/nn/gru-lm';
import { Mlp } from '../../src/nn/mlp';
import { TfjsGruLm } from '../../src/nn/tfjs/gru-lm';
import { TfjsTransformerLm } from '../../src/nn/tfjs/transformer-lm';
import {
  TfjsMlpWithInputGrad,
  gruLmOn,
  mlpOn,
  prepareThreadEngine,
  requireWasmEngine,
  threadEngine,
  transformerLmCopy,
} from '../../src/nn/thread-engine';
import { TransformerLm } from '../../src/nn/transformer-lm';
import { quadraticReward2d } from '../../src/testbeds/diffusion2d/env';
import { rewardBackpropGrad } from '../../src/testbeds/diffusion2d/methods';
import { EpsMlp, ddpmSample, ddpmSchedule } from '../../src/testbeds/diffusion2d/models';

const DIST = path.resolve(__dirname, '../../dist');
const saved = { engine: process.env.RLMINI_ENGINE, workers: process.env.RLMINI_WORKERS };
afterEach(async () => {
  for (const [k, v] of [
    ['RLMINI_ENGINE', saved.engine],
    ['RLMINI_WORKERS', saved.workers],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await prepareThreadEngine('reset');
});

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / Math.max(s, 1e-30);
};

describe('the engine of the task thread', () => {
  it('wasm by default; a tfjs engine must be loaded first; then the builders give tfjs twins', async () => {
    delete process.env.RLMINI_ENGINE;
    expect(threadEngine('t')).toBeNull();
    expect(gruLmOn('t', { vocab: 8, hidden: 8 }, new Rng(1))).toBeInstanceOf(GruLm);
    expect(mlpOn('t', [3, 4, 2], new Rng(1))).toBeInstanceOf(Mlp);
    const base = new TransformerLm({ vocab: 8, context: 8, layers: 1, dModel: 8, heads: 2 }, new Rng(1));
    expect(transformerLmCopy('t', base, new Rng(0))).toBeInstanceOf(TransformerLm);
    expect(() => requireWasmEngine('t', 'why')).not.toThrow();

    process.env.RLMINI_ENGINE = 'tfjs-cpu';
    await prepareThreadEngine('reset-to-none', { RLMINI_ENGINE: 'wasm' });
    expect(() => mlpOn('paper.x', [3, 4, 2], new Rng(1))).toThrow(
      /paper\.x: the record key names engine tfjs-cpu .* not loaded on this thread .* prepareThreadEngine/,
    );
    await prepareThreadEngine('test');
    expect(threadEngine('t')?.id).toBe('tfjs-cpu');
    const g = gruLmOn('t', { vocab: 8, hidden: 8 }, new Rng(1));
    expect(g).toBeInstanceOf(TfjsGruLm);
    // the same initialisation as the wasm model from the same stream
    expect(Array.from(g.snapshot())).toEqual(Array.from(new GruLm({ vocab: 8, hidden: 8 }, new Rng(1)).snapshot()));
    expect(mlpOn('t', [3, 4, 2], new Rng(1))).toBeInstanceOf(TfjsMlpWithInputGrad);
    const copy = transformerLmCopy('t', base, new Rng(0));
    expect(copy).toBeInstanceOf(TfjsTransformerLm);
    expect(Array.from(copy.snapshot())).toEqual(Array.from(base.snapshot()));
    expect(() => requireWasmEngine('capo', 'it reads f.hf')).toThrow(
      /capo runs only on the kit's wasm engine \(it reads f\.hf\); engine tfjs-cpu/,
    );
  });

  it("the tfjs MLP's input gradient equals the wasm Mlp's (and leaving dx out changes nothing else)", async () => {
    process.env.RLMINI_ENGINE = 'tfjs-cpu';
    await prepareThreadEngine('test');
    const dims = [5, 16, 16, 3],
      N = 7;
    const w = new Mlp(dims, new Rng(2));
    const t = mlpOn('t', dims, new Rng(2));
    const x = Float32Array.from(new Rng(3).normals(N * 5));
    const dy = Float32Array.from(new Rng(4).normals(N * 3));
    expect(maxRel(w.forward(x, N), t.forward(x, N))).toBeLessThan(1e-5);
    const dxW = new Float32Array(N * 5),
      dxT = new Float32Array(N * 5);
    w.zeroGrad();
    t.zeroGrad();
    w.backward(dy, dxW);
    t.backward(dy, dxT);
    expect(maxRel(dxW, dxT)).toBeLessThan(1e-5);
    expect(maxRel(w.grads.f, t.grads.f)).toBeLessThan(1e-5);
    const gWith = Float32Array.from(t.grads.f);
    t.zeroGrad();
    t.backward(dy);
    expect(maxRel(gWith, t.grads.f)).toBeLessThan(1e-6);
    // can fail: a wrong-size dx is named
    expect(() => t.backward(dy, new Float32Array(3))).toThrow(/dx must hold N·d_in = 7·5/);
  });

  it('a DRaFT gradient through an EpsMlp built on tfjs equals the wasm one', async () => {
    const sched = ddpmSchedule({ T: 6, kind: 'cosine' });
    const shape = { hidden: [16, 16], frequencies: 2, prompts: 0, T: 6 };
    const reward = quadraticReward2d([1, 0], 1);
    const N = 12;
    const grad = () => {
      const policy = new EpsMlp(shape, new Rng(4));
      const tr = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), N, new Rng(5), { record: true });
      policy.mlp.zeroGrad();
      rewardBackpropGrad(policy, sched, reward, tr.traj!, N, 6);
      return { policy, g: Float64Array.from(policy.mlp.grads.f) };
    };
    delete process.env.RLMINI_ENGINE;
    const a = grad();
    expect(a.policy.mlp).toBeInstanceOf(Mlp);
    process.env.RLMINI_ENGINE = 'tfjs-cpu';
    await prepareThreadEngine('test');
    const b = grad();
    expect(b.policy.mlp).toBeInstanceOf(TfjsMlpWithInputGrad);
    expect(maxRel(a.g, b.g)).toBeLessThan(1e-4);
    // the cached base models stay on the wasm engine
    expect(new EpsMlp(shape, new Rng(4), { wasm: true }).mlp).toBeInstanceOf(Mlp);
  });
});

describe('the runner loads the engine before a task', () => {
  const cfg = {
    digits: [2, 3],
    nTrain: 16,
    nHeldOut: 16,
    steps: 2,
    batchPrompts: 4,
    groupSize: 4,
    lr: 1e-3,
    advantage: { kind: 'grpo' },
    aggregation: 'seq-mean-token-mean',
    evalEvery: 2,
    passKs: [1, 4],
  };
  const jobs = [0, 1].map((seed) => ({ task: 'testbeds/rlvr/loops/gru-rl#runGruRlSeed', config: cfg, seed }));

  it('a GRU RLVR seed on tfjs-wasm (inline and in 2 workers) gives the wasm run to float32 rounding', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { runTasks } = require(path.join(DIST, 'core/tasks.js'));
    delete process.env.RLMINI_ENGINE;
    process.env.RLMINI_WORKERS = '2';
    const wasm = await runTasks(jobs);
    process.env.RLMINI_ENGINE = 'tfjs-wasm';
    for (const workers of ['1', '2']) {
      process.env.RLMINI_WORKERS = workers;
      const tf = await runTasks(jobs);
      for (let s = 0; s < 2; s++) {
        const keys = Object.keys(wasm[s].metrics);
        expect(Object.keys(tf[s].metrics)).toEqual(keys);
        for (const k of keys) expect(Math.abs(tf[s].metrics[k] - wasm[s].metrics[k])).toBeLessThan(2e-5);
      }
    }
  }, 120_000);

  it('the wired tasks reach nn/active-engine.js, so their records are keyed by engine', () => {
    for (const task of [
      'testbeds/rlvr/loops/gru-rl#runGruRlSeed',
      'papers/bnpo/gru#runSeed',
      'papers/bnpo/transformer#runSeed',
      'papers/copo/experiment#runSeed',
      'papers/stabilizing-policy-gradients-for-sample-efficient/experiment#runSeed',
      'papers/prdp/experiment#runSeed',
      'papers/two-minds-better-than-one/experiment#runSeed',
      'papers/classp/experiment#runSeed',
    ]) {
      const files = taskCode(task, DIST).files;
      expect(ACTIVE_ENGINE_MODULE in files, task).toBe(true);
      expect(recordBackendLabel('typed-arrays', files, { RLMINI_ENGINE: 'tensorflow-gpu' })).toBe(
        'typed-arrays+nn:tensorflow-gpu',
      );
      expect(recordBackendLabel('typed-arrays', files, { RLMINI_ENGINE: 'wasm' })).toBe('typed-arrays');
    }
  });
});
