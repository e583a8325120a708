/**
 * The TensorFlow.js MLP (src/nn/tfjs/mlp.ts) against the kit's wasm Mlp on tfjs's `cpu` and `wasm` backends: same
 * weights and batch → outputs (|Δ| ≤ 1e-5), every layer's gradient (≤ 1e-4 of the block's largest entry), one Adam
 * step; and the comparison fails when one weight differs.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { Adam } from '../../src/nn/adam';
import { loadEngine, mlp, type EngineId } from '../../src/nn/engine';
import { Mlp, mseLoss } from '../../src/nn/mlp';
import { TfjsMlp } from '../../src/nn/tfjs/mlp';

const DIMS = [6, 20, 16, 3];

describe.each(['tfjs-cpu', 'tfjs-wasm'] as EngineId[])('tfjs MLP on %s against the wasm Mlp', (id) => {
  it('outputs, gradients of every block, one Adam step; a perturbed weight is seen', async () => {
    const e = await loadEngine(id);
    const kit = new Mlp(DIMS, new Rng(4));
    const m = mlp(e, DIMS, new Rng(4)) as TfjsMlp;
    expect(Array.from(m.params.f)).toEqual(Array.from(kit.params.f)); // same initialisation
    const r = new Rng(5);
    const N = 40;
    const x = Float32Array.from({ length: N * DIMS[0] }, () => r.normal());
    const y = Float32Array.from({ length: N * 3 }, () => r.normal());
    const ok = kit.forward(x, N),
      ot = m.forward(x, N);
    for (let i = 0; i < ok.length; i++) expect(Math.abs(ok[i] - ot[i])).toBeLessThan(1e-5);
    kit.zeroGrad();
    m.zeroGrad();
    kit.backward(mseLoss(ok, y).grad);
    m.backward(mseLoss(ot, y).grad);
    kit.offsets.forEach((o, l) => {
      for (const [a, b] of [
        [o.W, o.b],
        [o.b, o.b + DIMS[l + 1]],
      ]) {
        let d = 0,
          s = 0;
        for (let i = a; i < b; i++) {
          d = Math.max(d, Math.abs(kit.grads.f[i] - m.grads.f[i]));
          s = Math.max(s, Math.abs(kit.grads.f[i]));
        }
        expect(s).toBeGreaterThan(0);
        expect(d / s, `layer ${l} [${a}, ${b})`).toBeLessThan(1e-4);
      }
    });
    new Adam(kit.size, { lr: 1e-2 }).step(kit.params.f, kit.grads.f);
    new Adam(m.size, { lr: 1e-2 }).step(m.params.f, m.grads.f);
    let dp = 0;
    for (let i = 0; i < kit.size; i++) dp = Math.max(dp, Math.abs(kit.params.f[i] - m.params.f[i]));
    expect(dp).toBeLessThan(0.05 * 1e-2);
    m.params.f.set(kit.params.f);
    m.params.f[kit.offsets[1].W + 7] += 0.05;
    const a = kit.forward(x, N),
      b = m.forward(x, N);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(d).toBeGreaterThan(1e-4);
  });
});
