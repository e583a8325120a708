/**
 * The pre-trained denoiser: pre-training is bit-identical for a spec, DSM loss falls, a conditional model reads its
 * prompt, the backward pass of EpsMlp matches finite differences, and the cache round-trips the weights exactly
 * (keyed by the spec).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  EpsMlp,
  RING8_DDPM_BASE,
  diffusion2dBase,
  diffusion2dBaseFile,
  dsmBatch,
  pretrainDiffusion2dBase,
} from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d base model', () => {
  const small = { ...RING8_DDPM_BASE, steps: 300, batch: 128 };

  it('pre-training is bit-identical for a spec and lowers the DSM loss', () => {
    const a = pretrainDiffusion2dBase(small);
    const b = pretrainDiffusion2dBase(small);
    expect(Buffer.from(a.model.mlp.params.f.buffer).equals(Buffer.from(b.model.mlp.params.f.buffer))).toBe(true);
    expect(a.losses[a.losses.length - 1]).toBeLessThan(0.8 * a.losses[0]);
    const c = pretrainDiffusion2dBase({ ...small, seed: 1 });
    expect(Buffer.from(a.model.mlp.params.f.buffer).equals(Buffer.from(c.model.mlp.params.f.buffer))).toBe(false);
  });

  it('conditional batches draw every prompt; the one-hot input is set', () => {
    const spec = { ...small, conditional: true };
    const b = dsmBatch(spec, new Rng(2));
    expect(new Set(b.prompt).size).toBe(4);
    const m = new EpsMlp({ hidden: [8], frequencies: 2, prompts: 4, T: 20 }, new Rng(0));
    const f = m.features([1, 2], 3, 1, 2);
    expect(Array.from(f.slice(-4))).toEqual([0, 0, 1, 0]);
    expect(f[0]).toBe(0.5);
    expect(f[2]).toBeCloseTo(3 / 20, 7);
  });

  it('EpsMlp.backward gives the gradient of a linear functional of ε_θ (finite differences)', () => {
    const m = new EpsMlp({ hidden: [16, 16], frequencies: 2, prompts: 0, T: 10 }, new Rng(4));
    const x = new Rng(5).normals(8);
    const t = Int32Array.from([1, 4, 7, 10]);
    const w = new Rng(6).normals(8);
    const L = () => m.predict(x, t, 4).reduce((s, v, i) => s + v * w[i], 0);
    m.mlp.zeroGrad();
    m.predict(x, t, 4);
    m.backward(w);
    const g = Float64Array.from(m.mlp.grads.f);
    for (const i of [0, 17, 40, 200, m.mlp.size - 1]) {
      const p0 = m.mlp.params.f[i];
      m.mlp.params.f[i] = p0 + 1e-2;
      const up = L();
      m.mlp.params.f[i] = p0 - 1e-2;
      const dn = L();
      m.mlp.params.f[i] = p0;
      expect(Math.abs((up - dn) / 2e-2 - g[i])).toBeLessThan(1e-2 * (1 + Math.abs(g[i])));
    }
  });

  it('the cache round-trips the weights and is keyed by the spec', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'd2-models-'));
    const prev = process.env.RLMINI_MODELS_DIR;
    process.env.RLMINI_MODELS_DIR = dir;
    try {
      const spec = { ...small, steps: 20 };
      const a = diffusion2dBase(spec);
      expect(a.cached).toBe(false);
      const b = diffusion2dBase(spec);
      expect(b.cached).toBe(true);
      expect(Array.from(b.model.mlp.params.f)).toEqual(Array.from(a.model.mlp.params.f));
      expect(diffusion2dBaseFile({ ...spec, seed: 3 })).not.toBe(diffusion2dBaseFile(spec));
    } finally {
      if (prev === undefined) delete process.env.RLMINI_MODELS_DIR;
      else process.env.RLMINI_MODELS_DIR = prev;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
