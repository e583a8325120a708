/**
 * The transformer bench workload (src/bench/workloads/transformer.ts) against its PyTorch reference
 * (bench/reference/transformer.py) on a small spec: the reference must load the kit's weights in the right
 * layouts and compute the same update (loss before and after one clipped Adam step, gradient norm) as the
 * kit's TransformerLm; skipped where /usr/bin/python3 lacks torch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeBundle } from '../../src/bench/bundle';
import { probePython, runReference } from '../../src/bench/python';
import {
  transformerAgreements,
  transformerSpec,
  writeTransformerBundle,
  type TransformerRefOut,
} from '../../src/bench/workloads/transformer';
import { benchTransformerPg } from '../../src/nn/bench';

const py = probePython();
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeBundle));

describe('transformer bench workload', () => {
  const spec = transformerSpec(5, { layers: 2, prompts: 4, group: 4, promptLen: 6, responseLen: 20, reps: 1 });

  it('the kit side reports a finite, clipped update and sampled log-probabilities', () => {
    const kit = benchTransformerPg(spec);
    expect(Number.isFinite(kit.loss0) && Number.isFinite(kit.loss1)).toBe(true);
    expect(kit.gradNorm0).toBeGreaterThan(spec.maxGradNorm); // the clipping is exercised
    expect(kit.loss1).toBeLessThan(kit.loss0); // one step on the same batch lowers the loss
    expect(kit.meanSampledLogp).toBeLessThan(0);
    expect(kit.sampledLogpSe).toBeGreaterThan(0);
  });

  it("the FMA row ('auto' GEMM) times the same update: the same loss and gradient norm to float32 rounding", () => {
    const kit = benchTransformerPg(spec);
    const fma = benchTransformerPg(spec, 'auto');
    expect(kit.backend).toContain('gemm mul-add');
    expect(fma.backend).toMatch(/gemm (fma|mul-add)/); // mul-add where relaxed SIMD does not fuse
    expect(Math.abs(fma.loss0 - kit.loss0)).toBeLessThan(1e-5);
    expect(Math.abs(fma.loss1 - kit.loss1)).toBeLessThan(1e-5);
    expect(Math.abs(fma.gradNorm0 - kit.gradNorm0) / kit.gradNorm0).toBeLessThan(1e-4);
  });

  it.skipIf(!py?.torch)('PyTorch computes the same update from the same bundle', () => {
    const kit = benchTransformerPg(spec);
    const dir = writeTransformerBundle(spec);
    dirs.push(dir);
    const ref = runReference(py!, 'transformer.py', dir, 1) as unknown as TransformerRefOut;
    expect(Math.abs(ref.loss0 - kit.loss0)).toBeLessThan(1e-5);
    expect(Math.abs(ref.loss1 - kit.loss1)).toBeLessThan(1e-5);
    expect(Math.abs(ref.gradNorm0 - kit.gradNorm0) / kit.gradNorm0).toBeLessThan(1e-4);
    const ag = transformerAgreements(kit, ref);
    expect(ag.update.ok).toBe(true);
    expect(ag.sample.ok).toBe(true);
    // The reference says what ran its products: the BLAS, and one torch thread as pinned.
    expect(ref.torchThreads).toBe(1);
    expect(ref.blas).toMatch(/\S/);
    expect(ref.blasLoaded).toMatch(/\S/);
    // the comparison can fail: a different weight spec gives a different loss
    const other = benchTransformerPg(transformerSpec(6, { layers: 2, prompts: 4, group: 4, promptLen: 6, reps: 1 }));
    expect(Math.abs(other.loss0 - ref.loss0)).toBeGreaterThan(1e-3);
  });
});
