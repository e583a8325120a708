/**
 * Benchmarks of the wasm engine on the canonical neural workloads of `npm run bench` (issue #8):
 *  - MLP step: batch 512, 64→256→256→4 (ReLU), MSE to fixed targets, Adam(lr 1e-3), float32;
 *  - GRPO on the RLVR base model: vocab 14 one-hot, GRU hidden 64, output 14; 64 prompts × group 8
 *    = 512 sequences, prompts of 8 tokens, 8 sampled tokens (no early stop); one update = teacher-forced
 *    forward over all 16 positions, log-softmax at the 8 response positions, loss −Σ adv·logp/(512·8),
 *    backward, Adam(lr 1e-3).
 * Inputs can be passed in (so that a reference implementation can run on the same data); otherwise
 * they are drawn from the seed. Times are medians over `reps` after `warmup` runs.
 */
import { Rng } from '../core/rng';
import { Adam } from './adam';
import { GruLm } from './gru-lm';
import { Mlp, mseLoss } from './mlp';

export interface MlpSpec {
  batch: number;
  dims: number[];
  lr: number;
  steps: number;
  warmup: number;
  seed: number;
  /** Optional inputs (batch × dims[0]) and targets (batch × dims[last]); drawn from the seed otherwise. */
  x?: Float32Array;
  y?: Float32Array;
  /** Optional initial parameters (the kit's flat layout). */
  params?: Float32Array;
}

export const MLP_SPEC: MlpSpec = { batch: 512, dims: [64, 256, 256, 4], lr: 1e-3, steps: 50, warmup: 5, seed: 0 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export interface MlpBenchResult {
  name: string;
  backend: string;
  msPerStep: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
  /** MSE after warmup + steps training steps (for agreement with a reference). */
  finalLoss: number;
  firstLoss: number;
}

export function benchMlpStep(spec: Partial<MlpSpec> = {}): MlpBenchResult {
  const s = { ...MLP_SPEC, ...spec };
  const rng = new Rng(s.seed).split('bench-mlp');
  const d = s.dims;
  const x = s.x ?? Float32Array.from(rng.split('x').normals(s.batch * d[0]));
  const y = s.y ?? Float32Array.from(rng.split('y').normals(s.batch * d[d.length - 1]));
  const mlp = new Mlp(d, rng.split('init'));
  if (s.params) mlp.params.f.set(s.params);
  const opt = new Adam(mlp.size, { lr: s.lr });
  const times: number[] = [];
  let firstLoss = NaN, loss = NaN;
  for (let i = 0; i < s.warmup + s.steps; i++) {
    const t0 = performance.now();
    mlp.zeroGrad();
    const l = mseLoss(mlp.forward(x, s.batch), y);
    mlp.backward(l.grad);
    opt.step(mlp.params.f, mlp.grads.f);
    const t1 = performance.now();
    if (i === 0) firstLoss = l.loss;
    loss = l.loss;
    if (i >= s.warmup) times.push(t1 - t0);
  }
  const ms = median(times);
  return { name: `MLP step (batch ${s.batch}, ${d.join('→')}, Adam)`, backend: 'kit nn (wasm SIMD)', msPerStep: ms, stepsPerSecond: 1000 / ms, samplesPerSecond: (1000 * s.batch) / ms, finalLoss: loss, firstLoss };
}

export interface GruSpec {
  vocab: number;
  hidden: number;
  prompts: number;
  group: number;
  promptLen: number;
  responseLen: number;
  lr: number;
  reps: number;
  warmup: number;
  seed: number;
  /** Optional prompt tokens (prompts × promptLen, repeated over the group) and advantages (N). */
  promptTokens?: Int32Array;
  advantages?: Float32Array;
  params?: Float32Array;
}

export const GRU_SPEC: GruSpec = { vocab: 14, hidden: 64, prompts: 64, group: 8, promptLen: 8, responseLen: 8, lr: 1e-3, reps: 10, warmup: 2, seed: 0 };

export interface GruBenchResult {
  name: string;
  backend: string;
  sampleMs: number;
  updateMs: number;
  /** Sampling + update. */
  totalMs: number;
  tokensPerSecond: number;
  /** Loss of the first update (for agreement with a reference on the same data and parameters). */
  firstLoss: number;
}

/** One GRPO update on the RLVR base model: sampling then a policy-gradient step (see the module comment). */
export function benchGruGrpo(spec: Partial<GruSpec> = {}): GruBenchResult {
  const s = { ...GRU_SPEC, ...spec };
  const rng = new Rng(s.seed).split('bench-gru');
  const N = s.prompts * s.group, P = s.promptLen, L = s.responseLen, T = P + L;
  const model = new GruLm({ vocab: s.vocab, hidden: s.hidden }, rng.split('init'));
  if (s.params) model.load(s.params);
  const opt = new Adam(model.size, { lr: s.lr });
  const pr = rng.split('prompts');
  const base = s.promptTokens ?? Int32Array.from({ length: s.prompts * P }, () => pr.int(s.vocab));
  const prompts = new Int32Array(N * P);
  for (let i = 0; i < s.prompts; i++) for (let g = 0; g < s.group; g++) prompts.set(base.subarray(i * P, (i + 1) * P), (i * s.group + g) * P);
  const adv = s.advantages ?? Float32Array.from(rng.split('adv').normals(N));
  const seq = new Int32Array(N * T);
  const w = new Float32Array(N * L);
  const sampleTimes: number[] = [], updateTimes: number[] = [];
  let firstLoss = NaN;
  for (let rep = 0; rep < s.warmup + s.reps; rep++) {
    const t0 = performance.now();
    const out = model.sample(prompts, N, P, L, rng.split(`sample${rep}`));
    const t1 = performance.now();
    for (let n = 0; n < N; n++) {
      seq.set(prompts.subarray(n * P, (n + 1) * P), n * T);
      seq.set(out.tokens.subarray(n * L, (n + 1) * L), n * T + P);
    }
    for (let n = 0; n < N; n++) for (let t = 0; t < L; t++) w[n * L + t] = -adv[n] / (N * L);
    model.zeroGrad();
    const f = model.forward(seq, N, T, P - 1);
    let loss = 0;
    for (let i = 0; i < N * L; i++) loss += w[i] * f.logp[i];
    model.backward(f, w);
    opt.step(model.params.f, model.grads.f);
    const t2 = performance.now();
    if (rep === 0) firstLoss = loss;
    if (rep >= s.warmup) {
      sampleTimes.push(t1 - t0);
      updateTimes.push(t2 - t1);
    }
  }
  const sampleMs = median(sampleTimes), updateMs = median(updateTimes);
  return {
    name: `GRPO update, GRU ${s.hidden} (${s.prompts} prompts × ${s.group}, ${P}+${L} tokens)`,
    backend: 'kit nn (wasm SIMD)',
    sampleMs,
    updateMs,
    totalMs: sampleMs + updateMs,
    tokensPerSecond: (N * L * 1000) / sampleMs,
    firstLoss,
  };
}
