/**
 * The wasm engine on the canonical neural workloads of `npm run bench` (issue #8), on the contract of
 * src/bench/nn-spec.ts (weights, data and sizes come from the bench, in PyTorch's layouts, so the
 * PyTorch reference runs the same computation and the agreement values can be compared):
 *  - MLP step: batch 512, 64→256→256→4 (ReLU), MSE to fixed targets, Adam(lr 1e-3), float32;
 *  - GRPO on the RLVR base-model architecture: vocab 14 one-hot, GRU hidden 64, head 14; 64 prompts ×
 *    group 8 = 512 sequences, 8 prompt tokens, 8 response tokens.
 * Times are medians of the timed repetitions.
 */
import { Rng } from '../core/rng';
import { Adam } from './adam';
import { GruLm } from './gru-lm';
import { Mlp, mseLoss } from './mlp';
import { TransformerLm } from './transformer-lm';
import { benchBatch } from './tfjs/cross-check';
import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64 } from './gemm-wasm';
import { GEMM_NEXT_FMA_WASM_BASE64, GEMM_NEXT_WASM_BASE64 } from './gemm-wasm-next';
import { Arena, gemm, probeFma, type GemmChoice, type GemmPath } from './wasm';

import type {
  GruBenchResult as ContractGruResult,
  GruBenchSpec as ContractGruSpec,
  MlpBenchResult as ContractMlpResult,
  MlpBenchSpec as ContractMlpSpec,
  TransformerBenchResult,
  TransformerBenchSpec,
} from '../bench/nn-spec';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** out (cols × rows) = inᵀ for a row-major rows × cols matrix (PyTorch ↔ kit weight layouts). */
function t(m: Float32Array, rows: number, cols: number): Float32Array {
  const o = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = m[i * cols + j];
  return o;
}

/**
 * MLP step on the contract of src/bench/nn-spec.ts: the given weights (PyTorch layout, converted),
 * batch and targets; `warmup` untimed then `steps` timed steps of forward + backward + Adam.
 */
export function benchMlpStep(spec: ContractMlpSpec): ContractMlpResult {
  const d = spec.sizes ?? spec.dims;
  const mlp = new Mlp(d, new Rng(0));
  const p = mlp.params.f;
  for (let l = 0; l + 1 < d.length; l++) {
    p.set(t(spec.W[l], d[l + 1], d[l]), mlp.offsets[l].W);
    p.set(spec.b[l], mlp.offsets[l].b);
  }
  const opt = new Adam(mlp.size, { lr: spec.lr });
  const times: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < spec.warmup + spec.steps; i++) {
    const t0 = performance.now();
    mlp.zeroGrad();
    const l = mseLoss(mlp.forward(spec.x, spec.batch), spec.y);
    mlp.backward(l.grad);
    opt.step(mlp.params.f, mlp.grads.f);
    const t1 = performance.now();
    losses.push(l.loss);
    if (i >= spec.warmup) times.push(t1 - t0);
  }
  return { msPerStep: median(times), losses, backend: 'kit nn (wasm SIMD)' };
}

/**
 * GRPO on the RLVR base-model architecture, on the contract of src/bench/nn-spec.ts: sampling passes
 * (prompts → L sampled tokens, no early stop) and updates on the given fixed responses (one
 * teacher-forced forward over the P + L − 1 input positions, loss −Σ adv·logp/(N·L), backward, Adam).
 * Agreement values (loss before/after one step, mean sampled log-prob) are computed first on the
 * given weights; then `reps` timed passes of each after one warm-up.
 */
export function benchGruGrpo(spec: ContractGruSpec): ContractGruResult {
  const { vocab: V, hidden: H, prompts: B, group: G, promptLen: P, responseLen: L } = spec;
  const N = B * G,
    T = P + L;
  const model = new GruLm({ vocab: V, hidden: H }, new Rng(0));
  const lay = model.layout;
  const p = model.params.f;
  p.set(t(spec.wIh, 3 * H, V), lay.Wx);
  p.set(spec.bIh, lay.bx);
  p.set(t(spec.wHh, 3 * H, H), lay.Wh);
  p.set(spec.bHh, lay.bh);
  p.set(t(spec.wOut, V, H), lay.Wo);
  p.set(spec.bOut, lay.bo);
  const initial = model.snapshot();
  const prompts = new Int32Array(N * P);
  for (let i = 0; i < B; i++)
    for (let g = 0; g < G; g++) prompts.set(spec.promptTokens.subarray(i * P, (i + 1) * P), (i * G + g) * P);
  const seq = new Int32Array(N * T);
  for (let n = 0; n < N; n++) {
    seq.set(prompts.subarray(n * P, (n + 1) * P), n * T);
    seq.set(spec.responseTokens.subarray(n * L, (n + 1) * L), n * T + P);
  }
  const w = new Float32Array(N * L);
  for (let n = 0; n < N; n++) for (let k = 0; k < L; k++) w[n * L + k] = -spec.advantages[n] / (N * L);
  const rng = new Rng(spec.seed).split('bench-gru');
  let opt = new Adam(model.size, { lr: spec.lr });
  const update = (): number => {
    model.zeroGrad();
    const f = model.forward(seq, N, T, P - 1);
    let loss = 0;
    for (let i = 0; i < N * L; i++) loss += w[i] * f.logp[i];
    model.backward(f, w);
    opt.step(model.params.f, model.grads.f);
    return loss;
  };
  // Agreement pass on the given weights.
  const s0 = model.sample(prompts, N, P, L, rng.split('agreement'));
  let meanSampledLogp = 0;
  for (let i = 0; i < s0.logp.length; i++) meanSampledLogp += s0.logp[i];
  meanSampledLogp /= s0.logp.length;
  const loss0 = update();
  const f1 = model.forward(seq, N, T, P - 1);
  let loss1 = 0;
  for (let i = 0; i < N * L; i++) loss1 += w[i] * f1.logp[i];
  // Timed passes from the given weights again.
  model.load(initial);
  opt = new Adam(model.size, { lr: spec.lr });
  const sampleTimes: number[] = [],
    updateTimes: number[] = [];
  for (let r = 0; r <= spec.reps; r++) {
    const t0 = performance.now();
    model.sample(prompts, N, P, L, rng.split(`rep${r}`));
    const t1 = performance.now();
    update();
    const t2 = performance.now();
    if (r > 0) {
      sampleTimes.push(t1 - t0);
      updateTimes.push(t2 - t1);
    }
  }
  model.releaseCaches();
  return {
    sampleMs: median(sampleTimes),
    updateMs: median(updateTimes),
    loss0,
    loss1,
    meanSampledLogp,
    backend: 'kit nn (wasm SIMD)',
  };
}

/**
 * Which kernel module a bench model runs on: 'current' (src/nn/gemm-wasm.ts, what the library uses) or 'next' (the
 * candidate src/nn/gemm-wasm-next.ts, scripts/build-kernels.js NEXT: a faster kernel with bit-identical results that
 * the library does not load yet, because switching re-keys every neural record — see bench/README).
 */
export type KernelChoice = 'current' | 'next';

/** Whether a candidate kernel is pending: src/nn/gemm-wasm-next.ts differs from the library's src/nn/gemm-wasm.ts. */
export function candidatePending(): boolean {
  // Compared as strings: the generated constants have literal types, and two different literals would not compile.
  const differ = (a: string, b: string) => a !== b;
  return differ(GEMM_NEXT_WASM_BASE64, GEMM_WASM_BASE64) || differ(GEMM_NEXT_FMA_WASM_BASE64, GEMM_FMA_WASM_BASE64);
}

/**
 * An Arena on the candidate kernel: a normal Arena (its GEMM path resolved and probed as usual) whose kernel instance
 * is replaced by an instance of the candidate module before its first allocation. The two modules export the same
 * functions with the same signatures, and every buffer, GEMM and kernel call goes through its arena's instance.
 */
export function nextKernelArena(gemmChoice: GemmChoice = 'mul-add'): Arena {
  const arena = new Arena({ gemm: gemmChoice });
  const b64 = arena.gemmPath === 'fma' ? GEMM_NEXT_FMA_WASM_BASE64 : GEMM_NEXT_WASM_BASE64;
  const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {}).exports;
  Object.defineProperty(arena, 'k', { value: k });
  return arena;
}

/** A TransformerLm holding the spec's weights (PyTorch layouts converted to the kit's x·W layout). */
export function transformerFromSpec(
  spec: TransformerBenchSpec,
  gemmChoice: GemmChoice = 'mul-add',
  kernel: KernelChoice = 'current',
): TransformerLm {
  const { vocab: V, context, layers, dModel: d, heads, mlp: F } = spec;
  const arena = kernel === 'next' ? nextKernelArena(gemmChoice) : undefined;
  const model = new TransformerLm({ vocab: V, context, layers, dModel: d, heads, mlp: F }, new Rng(0), arena, {
    gemm: gemmChoice,
  });
  const p = model.params.f,
    L = model.layout;
  p.set(spec.wte, L.wte);
  p.set(spec.wpe, L.wpe);
  const block = (a: Float32Array, l: number, n: number) => a.subarray(l * n, (l + 1) * n);
  L.blocks.forEach((b, l) => {
    p.set(block(spec.ln1W, l, d), b.ln1g);
    p.set(block(spec.ln1B, l, d), b.ln1b);
    p.set(t(block(spec.attnW, l, 3 * d * d), 3 * d, d), b.Wqkv);
    p.set(block(spec.attnB, l, 3 * d), b.bqkv);
    p.set(t(block(spec.projW, l, d * d), d, d), b.Wo);
    p.set(block(spec.projB, l, d), b.bo);
    p.set(block(spec.ln2W, l, d), b.ln2g);
    p.set(block(spec.ln2B, l, d), b.ln2b);
    p.set(t(block(spec.fcW, l, F * d), F, d), b.W1);
    p.set(block(spec.fcB, l, F), b.b1);
    p.set(t(block(spec.mprojW, l, d * F), d, F), b.W2);
    p.set(block(spec.mprojB, l, d), b.b2);
  });
  p.set(spec.lnfW, L.lnfg);
  p.set(spec.lnfB, L.lnfb);
  p.set(t(spec.headW, V, d), L.Wh);
  return model;
}

/**
 * Policy-gradient update and KV-cache sampling on the contract of src/bench/nn-spec.ts (TransformerBenchSpec):
 * sampling passes (prompts → L sampled tokens, no early stop) and updates on the given fixed responses (one
 * teacher-forced forward over the P + L − 1 input positions, loss −Σ w·logp/(N·L), backward, gradient-norm
 * clipping, Adam). Agreement values first on the given weights; then `reps` timed passes of each after one
 * warm-up.
 */
/**
 * One transformer policy-gradient update and KV-cache sampling pass, timed; `gemmChoice` picks the model's GEMM path
 * ('mul-add', the default of TransformerLm; 'auto' takes the relaxed-SIMD fused multiply-add where it fuses).
 */
export function benchTransformerPg(
  spec: TransformerBenchSpec,
  gemmChoice: GemmChoice = 'mul-add',
  kernel: KernelChoice = 'current',
): TransformerBenchResult {
  const { prompts: B, group: G, promptLen: P, responseLen: L } = spec;
  const N = B * G,
    T = P + L;
  const model = transformerFromSpec(spec, gemmChoice, kernel);
  const initial = model.snapshot();
  // The batch as the tfjs cross-check builds it (prompts repeated per group, prompt + response, w = −adv/(N·L)).
  const { prompts, seq, w } = benchBatch(spec);
  const rng = new Rng(spec.seed).split('bench-transformer');
  let opt = new Adam(model.size, { lr: spec.lr });
  const lossOf = (logp: Float32Array) => {
    let loss = 0;
    for (let i = 0; i < N * L; i++) loss += w[i] * logp[i];
    return loss;
  };
  const update = (): { loss: number; norm: number } => {
    model.zeroGrad();
    const f = model.forward(seq, N, T, P - 1);
    const loss = lossOf(f.logp);
    model.backward(f, w);
    const norm = model.clipGradNorm(spec.maxGradNorm);
    opt.step(model.params.f, model.grads.f);
    return { loss, norm };
  };
  const s0 = model.sample(prompts, N, P, L, rng.split('agreement'));
  const seqMeans = Array.from({ length: N }, (_, n) => {
    let m = 0;
    for (let k = 0; k < L; k++) m += s0.logp[n * L + k] / L;
    return m;
  });
  const meanSampledLogp = seqMeans.reduce((a, b) => a + b, 0) / N;
  const sd = Math.sqrt(seqMeans.reduce((a, b) => a + (b - meanSampledLogp) ** 2, 0) / (N - 1));
  const u0 = update();
  const loss1 = lossOf(model.forward(seq, N, T, P - 1).logp);
  model.load(initial);
  opt = new Adam(model.size, { lr: spec.lr });
  const sampleTimes: number[] = [],
    updateTimes: number[] = [];
  for (let r = 0; r <= spec.reps; r++) {
    const t0 = performance.now();
    model.sample(prompts, N, P, L, rng.split(`rep${r}`));
    const t1 = performance.now();
    update();
    const t2 = performance.now();
    if (r > 0) {
      sampleTimes.push(t1 - t0);
      updateTimes.push(t2 - t1);
    }
  }
  model.releaseCaches();
  return {
    sampleMs: median(sampleTimes),
    updateMs: median(updateTimes),
    loss0: u0.loss,
    gradNorm0: u0.norm,
    loss1,
    meanSampledLogp,
    sampledLogpSe: sd / Math.sqrt(N),
    backend: `wasm SIMD, gemm ${model.gemmPath}${kernel === 'next' ? ', candidate kernel' : ''}`,
  };
}

/**
 * GEMM throughput on one core: C (M × N) = A (M × K) · B (K × N), float32, on the given multiply-add path
 * ('fma' only where the relaxed-SIMD probe fuses; null otherwise). Median wall time of `reps` calls after a
 * warm-up, and GFLOP/s (2·M·N·K per call).
 */
export function benchGemm(
  M: number,
  N: number,
  K: number,
  path: GemmPath,
  reps = 20,
  kernel: KernelChoice = 'current',
): { ms: number; gflops: number } | null {
  if (path === 'fma' && !probeFma().fused) return null;
  const arena = kernel === 'next' ? nextKernelArena(path) : new Arena({ gemm: path });
  const a = arena.alloc(M * K, 'A', false),
    b = arena.alloc(K * N, 'B', false),
    c = arena.alloc(M * N, 'C', false);
  const r = new Rng(1);
  const af = a.f,
    bf = b.f;
  for (let i = 0; i < af.length; i++) af[i] = r.range(-1, 1);
  for (let i = 0; i < bf.length; i++) bf[i] = r.range(-1, 1);
  const run = () => gemm(M, N, K, { buf: a, ld: K }, { buf: b, ld: N }, { buf: c, ld: N });
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  return { ms, gflops: (2 * M * N * K) / (ms * 1e6) };
}
