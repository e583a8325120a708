/**
 * Policy-gradient update and KV-cache sampling on the kit's transformer language model (src/nn/transformer-lm.ts;
 * contract: ../nn-spec.ts TransformerBenchSpec): vocab 16, context 64, 4 blocks, d = 64, 4 heads, MLP 256
 * (GELU, tanh form), ≈ 0.21 M parameters; 16 prompts × 8 samples = 128 sequences, prompt 16 tokens, response
 * 32 tokens (48 in all), per-token weights (an advantage per sequence times a mask with ~20 % zeros). Same
 * weights, prompts, responses and weights on every side. Agreement: the update's loss before and after one
 * Adam step and its gradient norm (same fixed batch), and the mean log-probability of the sampled tokens
 * (different random draws: equal within 4 standard errors, each side's from its per-sequence means).
 */
import { Rng } from '../../core/rng';
import { removeBundle, writeBundle } from '../bundle';
import type { TransformerBenchResult, TransformerBenchSpec } from '../nn-spec';
import { measurePeak, PEAK_CHAINS, PEAK_ITERS } from '../peak';
import { runReference } from '../python';
import type { Agreement, BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';
import { loadNnEngine } from './nn-engine';

const WS = 'Transformer sampling 128×(16+32 tokens), KV cache, 4×d64';
const WU = 'PG update transformer 128×48 tokens, 4×d64, Adam';
/** The GEMM of the MLP's up-projection in the update (N·(P + L − 1) rows × 256 × 64). */
const GEMM = { M: 6016, N: 256, K: 64 };
const WG = `GEMM ${GEMM.M}×${GEMM.N}×${GEMM.K} float32, one core`;

/** The workload's spec; `o` shrinks it (the bridge test runs a small one). */
export function transformerSpec(
  seed = 5,
  o: Partial<Pick<TransformerBenchSpec, 'layers' | 'prompts' | 'group' | 'promptLen' | 'responseLen' | 'reps'>> = {},
): TransformerBenchSpec {
  const V = 16,
    C = 64,
    NL = o.layers ?? 4,
    d = 64,
    H = 4,
    F = 4 * d,
    B = o.prompts ?? 16,
    G = o.group ?? 8,
    P = o.promptLen ?? 16,
    L = o.responseLen ?? 32;
  const N = B * G;
  const rng = new Rng(seed).split('bench-transformer');
  const normal = (label: string, n: number, mean: number, std: number) => {
    const r = rng.split(label);
    return Float32Array.from({ length: n }, () => r.normal(mean, std));
  };
  const rp = rng.split('prompts');
  const promptTokens = Int32Array.from({ length: B * P }, () => rp.int(V));
  const rr = rng.split('responses');
  const responseTokens = Int32Array.from({ length: N * L }, () => rr.int(V));
  const ra = rng.split('weights');
  const weights = new Float32Array(N * L);
  for (let n = 0; n < N; n++) {
    const adv = ra.normal();
    for (let t = 0; t < L; t++) weights[n * L + t] = ra.uniform() < 0.2 ? 0 : adv;
  }
  const W = 0.08; // weights wide enough that the model's distributions are far from uniform
  return {
    vocab: V,
    context: C,
    layers: NL,
    dModel: d,
    heads: H,
    mlp: F,
    prompts: B,
    group: G,
    promptLen: P,
    responseLen: L,
    lr: 1e-3,
    maxGradNorm: 0.05,
    reps: o.reps ?? 5,
    seed,
    promptTokens,
    responseTokens,
    weights,
    wte: normal('wte', V * d, 0, 0.5),
    wpe: normal('wpe', C * d, 0, 0.2),
    ln1W: normal('ln1W', NL * d, 1, 0.1),
    ln1B: normal('ln1B', NL * d, 0, 0.05),
    attnW: normal('attnW', NL * 3 * d * d, 0, W),
    attnB: normal('attnB', NL * 3 * d, 0, 0.02),
    projW: normal('projW', NL * d * d, 0, W),
    projB: normal('projB', NL * d, 0, 0.02),
    ln2W: normal('ln2W', NL * d, 1, 0.1),
    ln2B: normal('ln2B', NL * d, 0, 0.05),
    fcW: normal('fcW', NL * F * d, 0, W),
    fcB: normal('fcB', NL * F, 0, 0.02),
    mprojW: normal('mprojW', NL * d * F, 0, W / 2),
    mprojB: normal('mprojB', NL * d, 0, 0.02),
    lnfW: normal('lnfW', d, 1, 0.1),
    lnfB: normal('lnfB', d, 0, 0.05),
    headW: normal('headW', V * d, 0, 0.3),
  };
}

/** N × P prompts: each of the B prompts repeated G times. */
function groupPrompts(spec: TransformerBenchSpec): Int32Array {
  const { prompts: B, group: G, promptLen: P } = spec;
  const out = new Int32Array(B * G * P);
  for (let i = 0; i < B; i++)
    for (let g = 0; g < G; g++) out.set(spec.promptTokens.subarray(i * P, (i + 1) * P), (i * G + g) * P);
  return out;
}

/** The reference's input bundle (bench/reference/transformer.py); remove it with removeBundle. */
export function writeTransformerBundle(spec: TransformerBenchSpec): string {
  const N = spec.prompts * spec.group;
  const { promptLen: P, responseLen: L } = spec;
  return writeBundle(
    'transformer',
    {
      vocab: spec.vocab,
      context: spec.context,
      layers: spec.layers,
      dModel: spec.dModel,
      heads: spec.heads,
      mlp: spec.mlp,
      prompts: spec.prompts,
      group: spec.group,
      promptLen: P,
      responseLen: L,
      lr: spec.lr,
      maxGradNorm: spec.maxGradNorm,
      reps: spec.reps,
      seed: spec.seed,
      gemmM: GEMM.M,
      gemmN: GEMM.N,
      gemmK: GEMM.K,
    },
    {
      prompts: { data: groupPrompts(spec), shape: [N, P] },
      responses: { data: spec.responseTokens, shape: [N, L] },
      weights: { data: spec.weights, shape: [N, L] },
      wte: { data: spec.wte, shape: [spec.vocab, spec.dModel] },
      wpe: { data: spec.wpe, shape: [spec.context, spec.dModel] },
      ln1W: { data: spec.ln1W, shape: [spec.layers, spec.dModel] },
      ln1B: { data: spec.ln1B, shape: [spec.layers, spec.dModel] },
      attnW: { data: spec.attnW, shape: [spec.layers, 3 * spec.dModel, spec.dModel] },
      attnB: { data: spec.attnB, shape: [spec.layers, 3 * spec.dModel] },
      projW: { data: spec.projW, shape: [spec.layers, spec.dModel, spec.dModel] },
      projB: { data: spec.projB, shape: [spec.layers, spec.dModel] },
      ln2W: { data: spec.ln2W, shape: [spec.layers, spec.dModel] },
      ln2B: { data: spec.ln2B, shape: [spec.layers, spec.dModel] },
      fcW: { data: spec.fcW, shape: [spec.layers, spec.mlp, spec.dModel] },
      fcB: { data: spec.fcB, shape: [spec.layers, spec.mlp] },
      mprojW: { data: spec.mprojW, shape: [spec.layers, spec.dModel, spec.mlp] },
      mprojB: { data: spec.mprojB, shape: [spec.layers, spec.dModel] },
      lnfW: { data: spec.lnfW, shape: [spec.dModel] },
      lnfB: { data: spec.lnfB, shape: [spec.dModel] },
      headW: { data: spec.headW, shape: [spec.vocab, spec.dModel] },
    },
  );
}

export interface TransformerRefOut {
  torch: string;
  /** torch's BLAS (BLAS_INFO), CPU kernel level, the BLAS libraries mapped into the process, torch's threads. */
  blas?: string;
  cpuCapability?: string;
  blasLoaded?: string;
  torchThreads?: number;
  sampleMs: number;
  updateMs: number;
  gemmMs: number;
  loss0: number;
  loss1: number;
  gradNorm0: number;
  meanSampledLogp: number;
  sampledLogpSe: number;
}

export function transformerAgreements(
  kit: TransformerBenchResult,
  ref: TransformerRefOut,
): { update: Agreement; sample: Agreement } {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
  const d0 = Math.abs(kit.loss0 - ref.loss0),
    d1 = Math.abs(kit.loss1 - ref.loss1),
    dn = rel(kit.gradNorm0, ref.gradNorm0);
  const dl = Math.abs(kit.meanSampledLogp - ref.meanSampledLogp);
  const tol = 4 * Math.hypot(kit.sampledLogpSe, ref.sampledLogpSe);
  return {
    update: {
      ok: d0 <= 1e-5 && d1 <= 1e-5 && dn <= 1e-4,
      text:
        `loss before / after one Adam step: |Δ| ${d0.toExponential(1)} / ${d1.toExponential(1)} (≤ 1e-5); ` +
        `gradient norm rel. Δ ${dn.toExponential(1)} (≤ 1e-4); ` +
        `${kit.loss0.toPrecision(6)} → ${kit.loss1.toPrecision(6)}`,
    },
    sample: {
      ok: dl <= tol,
      text:
        `mean log π of sampled tokens ${kit.meanSampledLogp.toFixed(4)} vs ${ref.meanSampledLogp.toFixed(4)} ` +
        `(|Δ| ${dl.toFixed(4)} ≤ ${tol.toFixed(4)} = 4 standard errors; different draws)`,
    },
  };
}

export const transformerWorkload: Workload = {
  id: 'transformer',
  title: 'Policy-gradient update and KV-cache sampling, transformer',
  async run(ctx) {
    const spec = transformerSpec();
    const N = spec.prompts * spec.group;
    const { promptLen: P, responseLen: L } = spec;
    const gen = N * L;
    const rows: BenchRow[] = [];
    const nn = loadNnEngine();
    let kit: TransformerBenchResult | null = null;
    // The sampling and update rows of one kit run (`suffix` names the variant in the row ids).
    const pgRows = (
      r: TransformerBenchResult,
      suffix: string,
      impl: string,
      detail: { sample: string; update: string },
      agreement?: BenchRow['agreement'],
    ): BenchRow[] =>
      (
        [
          ['sample', WS, r.sampleMs, 'per sampling pass', gen / r.sampleMs, 'generated tokens/s', detail.sample],
          ['update', WU, r.updateMs, 'per update', (N * (P + L)) / r.updateMs, 'trained tokens/s', detail.update],
        ] as const
      ).map(([what, workload, ms, unit, perMs, tunit, d]) => ({
        id: `transformer/${what}/kit-nn${suffix}`,
        workload,
        impl,
        side: 'kit' as const,
        ms,
        unit,
        throughput: { value: perMs * 1e3, unit: tunit },
        backend: r.backend,
        threads: 1,
        refId: `transformer/${what}/torch-1t`,
        ...(agreement ? { agreement } : {}),
        detail: d,
      }));
    if (nn?.benchTransformerPg) {
      try {
        kit = await nn.benchTransformerPg(spec);
        rows.push(
          ...pgRows(kit, '', `kit nn TransformerLm (${kit.backend})`, {
            sample: `median of ${spec.reps} passes`,
            update: `median of ${spec.reps} updates; loss ${kit.loss0.toPrecision(6)} → ${kit.loss1.toPrecision(6)}`,
          }),
        );
      } catch (e) {
        rows.push(failedRow('transformer/update/kit-nn', WU, 'kit nn engine TransformerLm', 'kit', e));
      }
      const sameBatch = `median of ${spec.reps}; the same model, weights and batch as the default row`;
      const same = { sample: sameBatch, update: sameBatch };
      // The same model on the relaxed-SIMD fused multiply-add GEMM (TransformerLm's gemm: 'auto'), where it fuses.
      try {
        const fma = await nn.benchTransformerPg(spec, 'auto');
        if (fma.backend.includes('gemm fma'))
          rows.push(
            ...pgRows(fma, '-fma', `kit nn TransformerLm (${fma.backend}; gemm 'auto', not the default)`, same),
          );
      } catch (e) {
        rows.push(failedRow('transformer/update/kit-nn-fma', WU, 'kit nn engine TransformerLm (FMA)', 'kit', e));
      }
      // The candidate kernel (src/nn/gemm-wasm-next.ts), where one is pending, on the default path: it must give
      // the default row's numbers bit for bit (agreement), and says what switching the library would gain.
      if (nn.candidatePending?.())
        try {
          const next = await nn.benchTransformerPg(spec, 'mul-add', 'next');
          const bitSame =
            kit !== null &&
            Object.is(next.loss0, kit.loss0) &&
            Object.is(next.gradNorm0, kit.gradNorm0) &&
            Object.is(next.loss1, kit.loss1) &&
            Object.is(next.meanSampledLogp, kit.meanSampledLogp);
          const agreement = {
            ok: bitSame,
            text: bitSame
              ? 'bit-identical to the default row (loss before and after the step, gradient norm, sampled log π)'
              : `differs from the default row: loss ${next.loss0} vs ${kit?.loss0}, gradient norm ${next.gradNorm0} ` +
                `vs ${kit?.gradNorm0}`,
          };
          rows.push(
            ...pgRows(
              next,
              '-next',
              `kit nn TransformerLm (${next.backend}; candidate kernel, not used by the library yet)`,
              same,
              agreement,
            ),
          );
        } catch (e) {
          rows.push(
            failedRow('transformer/update/kit-nn-next', WU, 'kit nn TransformerLm (candidate kernel)', 'kit', e),
          );
        }
    }
    const gflop = (2 * GEMM.M * GEMM.N * GEMM.K) / 1e9;
    for (const path of ['mul-add', 'fma'] as const) {
      // The instruction mix's ceiling on this core (../peak.ts): the GEMM rows say how close they get.
      let peak: { gflops: number; ms: number } | null = null;
      try {
        peak = await measurePeak(path === 'fma');
      } catch (e) {
        rows.push(failedRow(`transformer/peak/kit-${path}`, WG, `wasm SIMD peak (${path})`, 'kit', e));
      }
      if (peak)
        rows.push({
          id: `transformer/peak/kit-${path}`,
          workload: WG,
          impl: `wasm SIMD peak, ${path === 'fma' ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add'} (no memory)`,
          side: 'kit',
          ms: peak.ms,
          unit: `per ${PEAK_ITERS / 1e6} M loop iterations`,
          throughput: { value: peak.gflops, unit: 'GFLOP/s' },
          backend: `wasm SIMD${path === 'fma' ? ' + relaxed SIMD' : ''}`,
          threads: 1,
          detail:
            `the arithmetic ceiling of the GEMM's multiply-add on one core: ${PEAK_CHAINS} independent f32x4 ` +
            'chains x ← x·m + c in registers (src/bench/peak.ts); median of 5 runs',
        });
      const g = nn?.benchGemm?.(GEMM.M, GEMM.N, GEMM.K, path);
      if (!g) continue; // no engine, or relaxed SIMD does not fuse here
      const gNext = nn?.candidatePending?.() ? nn.benchGemm?.(GEMM.M, GEMM.N, GEMM.K, path, 20, 'next') : null;
      if (gNext)
        rows.push({
          id: `transformer/gemm/kit-${path}-next`,
          workload: WG,
          impl: `kit nn GEMM, candidate kernel (wasm SIMD, ${path === 'fma' ? 'relaxed-SIMD FMA' : 'mul + add'})`,
          side: 'kit',
          ms: gNext.ms,
          unit: 'per GEMM',
          throughput: { value: gNext.gflops, unit: 'GFLOP/s' },
          backend: `wasm SIMD, gemm ${path}, candidate kernel`,
          threads: 1,
          refId: 'transformer/gemm/torch-1t',
          detail:
            `median of 20 calls${peak ? `; ${((100 * gNext.gflops) / peak.gflops).toFixed(0)} % of the peak` : ''}` +
            '; src/nn/gemm-wasm-next.ts, not used by the library yet',
        });
      rows.push({
        id: `transformer/gemm/kit-${path}`,
        workload: WG,
        impl: `kit nn GEMM (wasm SIMD, ${path === 'fma' ? 'relaxed-SIMD FMA' : 'mul + add'})`,
        side: 'kit',
        ms: g.ms,
        unit: 'per GEMM',
        throughput: { value: g.gflops, unit: 'GFLOP/s' },
        backend: `wasm SIMD, gemm ${path}`,
        threads: 1,
        refId: 'transformer/gemm/torch-1t',
        detail: `median of 20 calls${peak ? `; ${((100 * g.gflops) / peak.gflops).toFixed(0)} % of the peak row` : ''}`,
      });
    }
    if (!ctx.py?.torch) return rows;
    const dir = writeTransformerBundle(spec);
    try {
      for (const threads of [1, 2]) {
        try {
          const out = runReference(ctx.py, 'transformer.py', dir, threads) as unknown as TransformerRefOut;
          const t = `${threads} thread${threads > 1 ? 's' : ''}`;
          const ag = kit ? transformerAgreements(kit, out) : undefined;
          const blas =
            `BLAS ${out.blas ?? 'not reported'}, ${out.cpuCapability ?? '?'}; torch.get_num_threads() = ` +
            `${out.torchThreads ?? '?'}; BLAS loaded: ${out.blasLoaded ?? 'not reported'}`;
          rows.push({
            id: `transformer/sample/torch-${threads}t`,
            workload: WS,
            impl: `PyTorch ${out.torch} (${t})`,
            side: 'reference',
            ms: out.sampleMs,
            unit: 'per sampling pass',
            throughput: { value: (gen / out.sampleMs) * 1e3, unit: 'generated tokens/s' },
            backend: `torch, BLAS ${out.blas ?? 'not reported'}, ${out.cpuCapability ?? '?'}`,
            threads,
            agreement: ag?.sample,
            detail: `median of ${spec.reps} passes; ${blas}`,
          });
          rows.push({
            id: `transformer/gemm/torch-${threads}t`,
            workload: WG,
            impl: `PyTorch ${out.torch} matmul (${t})`,
            side: 'reference',
            ms: out.gemmMs,
            unit: 'per GEMM',
            throughput: { value: gflop / (out.gemmMs / 1e3), unit: 'GFLOP/s' },
            backend: `torch, BLAS ${out.blas ?? 'not reported'}, ${out.cpuCapability ?? '?'}`,
            threads,
            detail: `median of 20 calls; ${blas}`,
          });
          rows.push({
            id: `transformer/update/torch-${threads}t`,
            workload: WU,
            impl: `PyTorch ${out.torch} + Adam (${t})`,
            side: 'reference',
            ms: out.updateMs,
            unit: 'per update',
            throughput: { value: ((N * (P + L)) / out.updateMs) * 1e3, unit: 'trained tokens/s' },
            backend: `torch, BLAS ${out.blas ?? 'not reported'}, ${out.cpuCapability ?? '?'}`,
            threads,
            agreement: ag?.update,
            detail:
              `median of ${spec.reps} updates; ` +
              `loss ${Number(out.loss0).toPrecision(6)} → ${Number(out.loss1).toPrecision(6)}; ${blas}`,
          });
          if (threads === 1 && ag) {
            const rs = rows.find((r) => r.id === 'transformer/sample/kit-nn');
            const ru = rows.find((r) => r.id === 'transformer/update/kit-nn');
            if (rs) rs.agreement = ag.sample;
            if (ru) ru.agreement = ag.update;
          }
        } catch (e) {
          rows.push(
            failedRow(`transformer/update/torch-${threads}t`, WU, `PyTorch (${threads} threads)`, 'reference', e),
          );
        }
      }
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
