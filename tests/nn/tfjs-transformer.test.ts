/**
 * The TensorFlow.js transformer (src/nn/tfjs/transformer-lm.ts) against the kit's wasm TransformerLm, on tfjs's
 * `cpu` and `wasm` backends: same weights, same batch → log-probabilities, entropies, loss, every gradient block,
 * the parameters after one clipped Adam step; sampling in distribution (different seeds; equal seeds are not
 * required to give equal samples across engines, and are not tested for it); the engine selection.
 *
 * Tolerances (float32, ε = 1.2e-7; both engines sum in float32 in different orders):
 *   - log-probabilities and entropies: |Δ| ≤ 2e-5 absolute (values of order 1–3; a few hundred roundings of
 *     relative size ε through 2 blocks, measured ≤ 3e-6);
 *   - gradients: per parameter block, max|Δ| ≤ 1e-4 × max|g_kit| of that block (measured ≤ 2e-6); the global
 *     norm ≤ 1e-5 relative. A block-relative bound, not an element-wise one: elements far below the block's
 *     scale carry the absolute rounding of the larger ones;
 *   - one Adam step: the first step moves each parameter by lr·g/(|g| + ε_adam), ≈ ±lr, so a gradient that is
 *     exactly 0 on one engine and ~1e-9 on the other moves by up to lr; elements with |g| ≫ 1e-8 agree to
 *     rounding. Bound: max|Δθ| ≤ 0.05·lr (measured ≤ 0.008·lr here), and the loss after the step ≤ 2e-5;
 *   - sampling: mean log-probability of the sampled tokens, different seeds, |Δ| ≤ 4 combined standard errors.
 * The comparison can fail: one weight perturbed by 1e-2 on the tfjs side breaks the log-probability and
 * gradient bounds by orders of magnitude.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { engineFromEnv, loadEngine, transformerLm, type EngineId } from '../../src/nn/engine';
import { crossCheckTransformer, type TransformerBatch } from '../../src/nn/tfjs/cross-check';
import { TfjsTransformerLm } from '../../src/nn/tfjs/transformer-lm';
import { parameterGroups, TransformerLm, type TransformerLmConfig } from '../../src/nn/transformer-lm';

const CFG: TransformerLmConfig = { vocab: 11, context: 16, layers: 2, dModel: 16, heads: 2, mlp: 32 };

/** A kit model with weights far from their initialisation (peaked distributions, LayerNorm gains ≠ 1). */
function kitModel(seed = 3): TransformerLm {
  const kit = new TransformerLm(CFG, new Rng(seed).split('model'));
  const p = kit.snapshot(),
    r = new Rng(seed).split('perturb');
  for (let i = 0; i < p.length; i++) p[i] += r.normal(0, 0.15);
  kit.load(p);
  return kit;
}

function batch(N: number, P: number, L: number, seed = 4): TransformerBatch {
  const r = new Rng(seed).split('batch');
  const T = P + L;
  const seq = Int32Array.from({ length: N * T }, () => r.int(CFG.vocab));
  const prompts = new Int32Array(N * P);
  for (let n = 0; n < N; n++) prompts.set(seq.subarray(n * T, n * T + P), n * P);
  const w = Float32Array.from({ length: N * L }, () => (r.uniform() < 0.2 ? 0 : r.normal() / (N * L)));
  return { seq, N, T, P, w, lr: 1e-3, maxGradNorm: 0.05, prompts, L, seed };
}

const engines: EngineId[] = ['tfjs-cpu', 'tfjs-wasm'];
const measured: Record<string, unknown> = {};
afterAll(() => console.log('tfjs-transformer cross-check (measured):', JSON.stringify(measured)));

describe.each(engines)('tfjs transformer on %s against the wasm TransformerLm', (id) => {
  it('same weights, same batch: log-probs, loss, gradients, one Adam step; sampling in distribution', async () => {
    const e = await loadEngine(id);
    const tf = e.tf!;
    const before = tf.memory().numTensors;
    const kit = kitModel();
    const tfm = new TfjsTransformerLm(tf, CFG);
    const r = await crossCheckTransformer(kit, tfm, batch(48, 5, 9));
    measured[id] = {
      logp: r.logpMaxAbs,
      entropy: r.entropyMaxAbs,
      loss: r.loss.absDiff,
      gradMaxRel: r.gradMaxRel,
      gradWorst: r.gradWorst,
      gradNormRel: r.gradNorm.relDiff,
      adamOverLr: r.adamParamsMaxAbsOverLr,
      loss1: r.loss1.absDiff,
      samplingZ: r.sampling.z,
      sameSeedTokens: r.sampling.sameSeedTokenAgreement,
    };
    expect(r.logpMaxAbs).toBeLessThan(2e-5);
    expect(r.entropyMaxAbs).toBeLessThan(2e-5);
    expect(r.loss.absDiff).toBeLessThan(1e-6);
    for (const g of r.groups) {
      expect(g.scale, `${g.name} has a gradient`).toBeGreaterThan(0);
      expect(g.rel, `gradient of ${g.name}`).toBeLessThan(1e-4);
    }
    expect(r.groups.length).toBe(parameterGroups(kit.config).length);
    expect(r.gradNorm.kit).toBeGreaterThan(0.05); // the clipping is exercised
    expect(r.gradNorm.relDiff).toBeLessThan(1e-5);
    expect(r.adamParamsMaxAbsOverLr).toBeLessThan(0.05);
    expect(r.loss1.absDiff).toBeLessThan(2e-5);
    expect(r.loss1.kit).toBeLessThan(r.loss.kit); // the step lowers the loss on both
    expect(r.loss1.tfjs).toBeLessThan(r.loss.tfjs);
    expect(r.sampling.z).toBeLessThan(4);
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks
  });

  it('the comparison fails when one weight differs (h1.W2[0] + 1e-2 on the tfjs side)', async () => {
    const e = await loadEngine(id);
    const kit = kitModel();
    const tfm = new TfjsTransformerLm(e.tf!, CFG);
    const off = parameterGroups(kit.config).find((g) => g.name === 'h1.W2')!.offset;
    const r = await crossCheckTransformer(kit, tfm, batch(8, 5, 9), { perturb: (p) => (p[off] += 1e-2) });
    expect(r.logpMaxAbs).toBeGreaterThan(1e-4);
    expect(r.gradMaxRel).toBeGreaterThan(1e-3);
  });

  it('entropy weights, temperature, masks and the KV-cache sampler (stop tokens, caps, padding)', async () => {
    const e = await loadEngine(id);
    const kit = kitModel(7);
    const tfm = new TfjsTransformerLm(e.tf!, CFG);
    tfm.load(kit.snapshot());
    const b = batch(6, 4, 8, 9);
    const O = b.L;
    const ew = Float32Array.from({ length: b.N * O }, (_, i) => ((i % 5) - 2) * 0.01);
    const fk = kit.forward(b.seq, b.N, b.T, b.P - 1, { temperature: 0.7 });
    const ft = tfm.forward(b.seq, b.N, b.T, b.P - 1, { temperature: 0.7 });
    for (let i = 0; i < fk.logp.length; i++) expect(Math.abs(fk.logp[i] - ft.logp[i])).toBeLessThan(2e-5);
    kit.zeroGrad();
    tfm.zeroGrad();
    kit.backward(fk, b.w, { entropy: ew });
    tfm.backward(ft, b.w, { entropy: ew });
    for (const g of parameterGroups(kit.config)) {
      let d = 0,
        s = 0;
      for (let i = g.offset; i < g.offset + g.size; i++) {
        d = Math.max(d, Math.abs(kit.grads.f[i] - tfm.grads.f[i]));
        s = Math.max(s, Math.abs(kit.grads.f[i]));
      }
      expect(d / s, g.name).toBeLessThan(1e-4);
    }
    expect(() => tfm.backward(ft, b.w)).toThrow(/stale/); // one backward per forward
    // sampler: per-row stop tokens and caps, padding; its log-probs equal a teacher-forced forward's (to rounding)
    const N = 6,
      P = 3,
      L = 10;
    const prompts = b.prompts.subarray(0, N * 4).filter((_, i) => i % 4 < P);
    const eos = [2, 3, -1, 4, 5, -1],
      maxNew = [10, 4, 10, 0, 7, 10];
    const s = tfm.sample(prompts, N, P, L, new Rng(11), { eos, maxNew, pad: 1, temperature: 0.9 });
    const sa = await tfm.sampleAsync(prompts, N, P, L, new Rng(11), { eos, maxNew, pad: 1, temperature: 0.9 });
    expect(Array.from(sa.tokens)).toEqual(Array.from(s.tokens)); // sync and async drivers run the same code
    for (let n = 0; n < N; n++) {
      const len = s.lengths[n];
      expect(len).toBeLessThanOrEqual(maxNew[n]);
      const row = Array.from(s.tokens.subarray(n * L, (n + 1) * L));
      const stop = row.slice(0, len).indexOf(eos[n]);
      if (stop >= 0) expect(stop).toBe(len - 1);
      else expect(len).toBe(maxNew[n]);
      expect(row.slice(len).every((t) => t === 1)).toBe(true);
      // teacher-forced check of this row
      if (len === 0) continue;
      const T = P + len;
      const seq = Int32Array.from([...prompts.subarray(n * P, (n + 1) * P), ...row.slice(0, len)]);
      if (T < 2) continue;
      const f = tfm.forward(seq, 1, T, P - 1, { temperature: 0.9 });
      for (let k = 0; k < len; k++) expect(Math.abs(f.logp[k] - s.logp[n * L + k])).toBeLessThan(2e-5);
    }
    // greedy draws nothing from the rng and picks the argmax on both engines (here, with no near-ties: equal)
    const gk = kit.sample(prompts, N, P, L, new Rng(1), { greedy: true });
    const gt = tfm.sample(prompts, N, P, L, new Rng(2), { greedy: true });
    expect(Array.from(gt.tokens)).toEqual(Array.from(gk.tokens));
  });
});

describe.each(engines)("the final hidden states (a value head's input) on %s", (id) => {
  it('hidden(f) and a gradient on it agree with the wasm model; the gradient term is not ignored', async () => {
    const e = await loadEngine(id);
    const kit = kitModel(11);
    const tfm = new TfjsTransformerLm(e.tf!, CFG);
    tfm.load(kit.snapshot());
    const b = batch(5, 4, 7, 12);
    const d = CFG.dModel;
    const fk = kit.forward(b.seq, b.N, b.T, b.P - 1);
    const ft = tfm.forward(b.seq, b.N, b.T, b.P - 1);
    const hk = kit.hidden(fk),
      ht = tfm.hidden(ft);
    expect(ht.length).toBe(b.N * b.L * d);
    let hd = 0;
    for (let i = 0; i < hk.length; i++) hd = Math.max(hd, Math.abs(hk[i] - ht[i]));
    expect(hd).toBeLessThan(2e-5); // LayerNorm outputs of order 1
    // a value head's gradient on the hidden states (random, some rows masked), with zero log-prob weights
    const r = new Rng(13);
    const gh = Float32Array.from({ length: b.N * b.L * d }, (_, i) =>
      Math.floor(i / d) % 3 === 0 ? 0 : r.normal() / (b.N * b.L),
    );
    const zero = new Float32Array(b.N * b.L);
    kit.zeroGrad();
    tfm.zeroGrad();
    kit.backward(fk, zero, { hidden: gh }); // hidden() did not consume the forward, on either engine
    tfm.backward(ft, zero, { hidden: gh });
    for (const g of parameterGroups(kit.config)) {
      let diff = 0,
        scale = 0;
      for (let i = g.offset; i < g.offset + g.size; i++) {
        diff = Math.max(diff, Math.abs(kit.grads.f[i] - tfm.grads.f[i]));
        scale = Math.max(scale, Math.abs(kit.grads.f[i]));
      }
      if (g.name === 'Wh') expect(scale, 'the head does not see the hidden-state term').toBe(0);
      else expect(diff / scale, `gradient of ${g.name}`).toBeLessThan(1e-4);
    }
    // without the hidden term the gradient is zero: the term is what moved it
    const f2 = tfm.forward(b.seq, b.N, b.T, b.P - 1);
    tfm.zeroGrad();
    tfm.backward(f2, zero);
    expect(tfm.grads.f.every((v) => v === 0)).toBe(true);
    const f3 = tfm.forward(b.seq, b.N, b.T, b.P - 1);
    expect(() => tfm.backward(f3, zero, { hidden: new Float32Array(3) })).toThrow(/hidden-state gradient has 3/);
    expect(() => tfm.hidden(ft)).toThrow(/stale/);
  });
});

describe('engine selection', () => {
  it('parses RLMINI_ENGINE and RLMINI_BACKEND; the default is the kit wasm engine', () => {
    expect(engineFromEnv({})).toBe('wasm');
    expect(engineFromEnv({ RLMINI_ENGINE: 'tfjs-wasm' })).toBe('tfjs-wasm');
    expect(engineFromEnv({ RLMINI_BACKEND: 'tensorflow-gpu' })).toBe('tensorflow-gpu');
    expect(engineFromEnv({ RLMINI_BACKEND: 'cpu' })).toBe('wasm'); // the bench's tfjs backend names are not engines
    expect(() => engineFromEnv({ RLMINI_ENGINE: 'cuda' })).toThrow(/not an engine.*tensorflow-gpu/);
  });

  it('a requested engine that cannot load names the package to install; auto falls back to wasm', async () => {
    let native = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      native = false;
    }
    if (!native) {
      await expect(loadEngine('tensorflow-gpu')).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
      const a = await loadEngine('auto');
      expect(a.skipped.map((s) => s.id)).toContain('tensorflow-gpu');
    }
    const w = await loadEngine('wasm');
    expect(w.tf).toBeNull();
    expect(transformerLm(w, CFG, new Rng(1))).toBeInstanceOf(TransformerLm);
  });

  it('a tfjs model starts from the wasm model weights for the same rng; snapshot/load round-trip', async () => {
    const e = await loadEngine('tfjs-cpu');
    const m = transformerLm(e, CFG, new Rng(5).split('m'));
    expect(m).toBeInstanceOf(TfjsTransformerLm);
    const k = new TransformerLm(CFG, new Rng(5).split('m'));
    expect(Array.from(m.snapshot())).toEqual(Array.from(k.snapshot()));
    const p = kitModel().snapshot();
    m.load(p);
    expect(Array.from(m.snapshot())).toEqual(Array.from(p));
    expect(() => m.load(new Float32Array(3))).toThrow(/expected \d+ parameters/);
  });
});
