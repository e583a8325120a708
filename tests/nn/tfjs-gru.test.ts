/**
 * The TensorFlow.js GRU language model (src/nn/tfjs/gru-lm.ts) against the kit's wasm GruLm on tfjs's `cpu` and
 * `wasm` backends: same weights, same batch → log-probabilities, entropies, the gradient of every parameter
 * block, one Adam step; sampling in distribution (different seeds) and its stop/pad rule. Tolerances as in
 * tests/nn/tfjs-transformer.test.ts: |Δ logp| ≤ 2e-5, gradients ≤ 1e-4 of each block's largest entry.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { Adam } from '../../src/nn/adam';
import { gruLm, loadEngine, type EngineId } from '../../src/nn/engine';
import { GruLm, paramLayout } from '../../src/nn/gru-lm';
import { TfjsGruLm } from '../../src/nn/tfjs/gru-lm';

const SHAPE = { vocab: 9, hidden: 12 };

function setup(seed: number) {
  const kit = new GruLm(SHAPE, new Rng(seed).split('m'));
  const p = kit.snapshot(),
    r = new Rng(seed).split('perturb');
  for (let i = 0; i < p.length; i++) p[i] += r.normal(0, 0.3);
  kit.load(p);
  const N = 24,
    T = 10,
    outFrom = 3,
    O = T - 1 - outFrom;
  const tokens = Int32Array.from({ length: N * T }, () => r.int(SHAPE.vocab));
  const w = Float32Array.from({ length: N * O }, () => r.normal() / (N * O));
  return { kit, p, N, T, outFrom, O, tokens, w };
}

describe.each(['tfjs-cpu', 'tfjs-wasm'] as EngineId[])('tfjs GRU on %s against the wasm GruLm', (id) => {
  it('same weights, same batch: log-probs, entropies, every gradient block, one Adam step', async () => {
    const e = await loadEngine(id);
    const before = e.tf!.memory().numTensors;
    const { kit, p, N, T, outFrom, tokens, w } = setup(2);
    const m = gruLm(e, SHAPE, new Rng(0)) as TfjsGruLm;
    m.load(p);
    const fk = kit.forward(tokens, N, T, outFrom);
    const ft = m.forward(tokens, N, T, outFrom);
    for (let i = 0; i < fk.logp.length; i++) {
      expect(Math.abs(fk.logp[i] - ft.logp[i])).toBeLessThan(2e-5);
      expect(Math.abs(fk.entropy[i] - ft.entropy[i])).toBeLessThan(2e-5);
    }
    kit.zeroGrad();
    m.zeroGrad();
    kit.backward(fk, w);
    await m.backwardAsync(ft, w);
    const L = paramLayout(SHAPE);
    const blocks: [string, number, number][] = [
      ['Wx', L.Wx, L.bx],
      ['bx', L.bx, L.Wh],
      ['Wh', L.Wh, L.bh],
      ['bh', L.bh, L.Wo],
      ['Wo', L.Wo, L.bo],
      ['bo', L.bo, L.size],
    ];
    for (const [name, a, b] of blocks) {
      let d = 0,
        s = 0;
      for (let i = a; i < b; i++) {
        d = Math.max(d, Math.abs(kit.grads.f[i] - m.grads.f[i]));
        s = Math.max(s, Math.abs(kit.grads.f[i]));
      }
      expect(s, name).toBeGreaterThan(0);
      expect(d / s, name).toBeLessThan(1e-4);
    }
    new Adam(kit.size, { lr: 1e-2 }).step(kit.params.f, kit.grads.f);
    new Adam(m.size, { lr: 1e-2 }).step(m.params.f, m.grads.f);
    let dp = 0;
    for (let i = 0; i < kit.size; i++) dp = Math.max(dp, Math.abs(kit.params.f[i] - m.params.f[i]));
    expect(dp).toBeLessThan(0.05 * 1e-2);
    kit.releaseCaches();
    expect(e.tf!.memory().numTensors).toBe(before);
  });

  it('samples agree in distribution (different seeds), stop and pad; a perturbed weight is seen', async () => {
    const e = await loadEngine(id);
    const { kit, p, N, tokens } = setup(5);
    const m = new TfjsGruLm(e.tf!, SHAPE);
    m.load(p);
    const P = 3,
      L = 8,
      Ns = 96;
    const prompts = Int32Array.from({ length: Ns * P }, (_, i) => tokens[i % (N * P)]);
    const mean = (s: { logp: Float32Array; lengths: Int32Array }) => {
      const ms: number[] = [];
      for (let n = 0; n < Ns; n++) {
        let t = 0;
        for (let k = 0; k < s.lengths[n]; k++) t += s.logp[n * L + k];
        ms.push(t / s.lengths[n]);
      }
      const mu = ms.reduce((a, b) => a + b, 0) / Ns;
      const sd = Math.sqrt(ms.reduce((a, b) => a + (b - mu) ** 2, 0) / (Ns - 1));
      return { mu, se: sd / Math.sqrt(Ns) };
    };
    const a = mean(kit.sample(prompts, Ns, P, L, new Rng(1), { eos: 0, pad: 8 }));
    const st = m.sample(prompts, Ns, P, L, new Rng(2), { eos: 0, pad: 8 });
    const b = mean(st);
    expect(Math.abs(a.mu - b.mu)).toBeLessThan(4 * Math.hypot(a.se, b.se));
    for (let n = 0; n < Ns; n++) {
      const row = Array.from(st.tokens.subarray(n * L, (n + 1) * L));
      const len = st.lengths[n];
      if (len < L) expect(row[len - 1]).toBe(0);
      expect(row.slice(len).every((t) => t === 8)).toBe(true);
    }
    // the comparison can fail: one recurrent weight moved by 0.05
    const q = Float32Array.from(p);
    q[paramLayout(SHAPE).Wh + 3] += 0.05;
    m.load(q);
    const seq = tokens.subarray(0, 4 * 10);
    const fk = kit.forward(seq, 4, 10, 3),
      ft = m.forward(seq, 4, 10, 3);
    let d = 0;
    for (let i = 0; i < fk.logp.length; i++) d = Math.max(d, Math.abs(fk.logp[i] - ft.logp[i]));
    expect(d).toBeGreaterThan(1e-4);
  });
});
