/**
 * One fine-tuning step of the 2-D diffusion testbed: DDPO with a KL anchor (src/testbeds/diffusion2d/methods/ddpo.ts
 * `ddpoKlStep`, the protocol's `ddpo-kl` recipe) on the testbed's denoiser, ε_θ a 3 × 128 ReLU MLP (11 inputs, 2
 * outputs, 34.7 k parameters), batch N = 256 chains × T = 20 steps (cosine schedule): ancestral sampling (20 forward
 * passes of 256 rows), the frozen reference's log-probabilities (one forward pass of 5,120 rows), the
 * KL-regularised normalised advantages, one forward/backward pass of the 5,120 rows for the surrogate
 * −(1/N) Σ_n A_n Σ_t log p_θ(x_{t−1} | x_t), global-norm clip 1 and Adam (lr 3e-4). The protocol's `mode` task: r(x) =
 * −|x − (3, 0)|²/8, β = 1.
 *
 * Same data on both sides: the weights (the cached pre-trained RING8 base model when data/models holds it, else a
 * seeded initialisation; the row says which) and the noise of every step (x_T and z_t, drawn from the same Rng splits
 * that `ddpmSample` draws from) go to bench/reference/diffusion.py, which runs the same step in PyTorch. Agreement:
 * per step, the mean reward, the mean path log-ratio, the mean return (relative 1e-4) and the gradient norm
 * (relative 1e-3), over all warm-up and timed steps (float32 networks on both sides; the chains are float64).
 */
import * as fs from 'fs';
import { Rng } from '../../core/rng';
import { Adam } from '../../nn/adam';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { ddpoKlStep, type DdpoStepStats } from '../../testbeds/diffusion2d/methods/ddpo';
import {
  baseNetworkShape,
  diffusion2dBase,
  diffusion2dBaseFile,
  RING8_DDPM_BASE,
} from '../../testbeds/diffusion2d/models/base-model';
import { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';
import { removeBundle, writeBundle } from '../bundle';
import { runReference } from '../python';
import { median, nowMs, relDiff } from '../timing';
import type { Agreement, BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';

const W = 'DDPO-KL step, diffusion2d: 256 chains × T 20, 3×128 MLP, Adam';

export interface DiffusionBenchSpec {
  /** Chains per step and diffusion steps. */
  N: number;
  T: number;
  beta: number;
  center: [number, number];
  scale: number;
  lr: number;
  maxGradNorm: number;
  warmup: number;
  steps: number;
  /** Root of the per-step generators: step i uses rng.split(i), as the protocol's loop does. */
  seed: number;
  /** 'pre-trained' (the cached base model) or 'init' (seeded initialisation). */
  weights: 'pre-trained' | 'init';
  model: EpsMlp;
}

/** The workload's spec; `o` shrinks it (the tests run a small one). */
export function diffusionSpec(
  o: Partial<Pick<DiffusionBenchSpec, 'N' | 'warmup' | 'steps' | 'weights'>> = {},
): DiffusionBenchSpec {
  const cached = fs.existsSync(diffusion2dBaseFile(RING8_DDPM_BASE));
  const weights = o.weights ?? (cached ? 'pre-trained' : 'init');
  const model =
    weights === 'pre-trained'
      ? diffusion2dBase(RING8_DDPM_BASE).model
      : new EpsMlp(baseNetworkShape(RING8_DDPM_BASE), new Rng(17).split('bench-diffusion-init'));
  return {
    N: o.N ?? 256,
    T: RING8_DDPM_BASE.schedule.T,
    beta: 1,
    center: [3, 0],
    scale: 2,
    lr: 3e-4,
    maxGradNorm: 1,
    warmup: o.warmup ?? 2,
    steps: o.steps ?? 10,
    seed: 23,
    weights,
    model,
  };
}

/** The generator of step i (what `ddpoKlStep` gets, and what `ddpmSample` splits x_T and z_t from). */
export function diffusionStepRng(spec: DiffusionBenchSpec, i: number): Rng {
  return new Rng(spec.seed).split('bench-diffusion').split(i);
}

/** The kit side: warm-up + timed `ddpoKlStep`s on a fresh copy of the model; every step's statistics. */
export function diffusionKit(spec: DiffusionBenchSpec): {
  msPerStep: number;
  /** Median process CPU time per timed step (less distorted than wall time on a busy machine). */
  cpuMsPerStep: number;
  stats: DdpoStepStats[];
  policy: EpsMlp;
} {
  const sched = ddpmSchedule(RING8_DDPM_BASE.schedule);
  const reward = quadraticReward2d(spec.center, spec.scale);
  const policy = spec.model.clone(),
    ref = spec.model.clone();
  const opt = new Adam(policy.mlp.size, { lr: spec.lr, maxGradNorm: spec.maxGradNorm });
  const stats: DdpoStepStats[] = [],
    times: number[] = [],
    cpu: number[] = [];
  for (let i = 0; i < spec.warmup + spec.steps; i++) {
    const t0 = nowMs(),
      c0 = process.cpuUsage();
    stats.push(ddpoKlStep(policy, ref, sched, reward, spec.beta, spec.N, diffusionStepRng(spec, i), opt));
    const c = process.cpuUsage(c0);
    if (i >= spec.warmup) {
      times.push(nowMs() - t0);
      cpu.push((c.user + c.system) / 1e3);
    }
  }
  return { msPerStep: median(times), cpuMsPerStep: median(cpu), stats, policy };
}

/** The bundle for bench/reference/diffusion.py: weights, schedule, and the noise `ddpmSample` draws at each step. */
export function writeDiffusionBundle(spec: DiffusionBenchSpec): string {
  const sched = ddpmSchedule(RING8_DDPM_BASE.schedule);
  const S = spec.warmup + spec.steps,
    N = spec.N,
    T = spec.T;
  const xT = new Float64Array(S * 2 * N),
    z = new Float64Array(S * T * 2 * N);
  for (let i = 0; i < S; i++) {
    const r = diffusionStepRng(spec, i);
    xT.set(r.split('xT').normals(2 * N), i * 2 * N);
    for (let t = 1; t <= T; t++) z.set(r.split(`z${t}`).normals(2 * N), (i * T + t - 1) * 2 * N);
  }
  const shape = spec.model.shape;
  return writeBundle(
    'diffusion',
    {
      dims: spec.model.mlp.dims,
      T,
      N,
      frequencies: shape.frequencies,
      beta: spec.beta,
      center: spec.center,
      scale: spec.scale,
      lr: spec.lr,
      maxGradNorm: spec.maxGradNorm,
      warmup: spec.warmup,
      steps: spec.steps,
    },
    {
      params: { data: Float32Array.from(spec.model.mlp.params.f), shape: [spec.model.mlp.size] },
      alpha: { data: sched.alpha, shape: [T + 1] },
      alphaBar: { data: sched.alphaBar, shape: [T + 1] },
      beta: { data: sched.beta, shape: [T + 1] },
      sigma2: { data: sched.sigma2, shape: [T + 1] },
      xT: { data: xT, shape: [S, 2 * N] },
      z: { data: z, shape: [S, T, 2 * N] },
    },
  );
}

export interface DiffusionRefOut {
  threads: number;
  torchThreads: number;
  torch: string;
  blas: string;
  /** The BLAS shared objects mapped into the reference's process (resolved paths), as it ran. */
  blasLoaded?: string;
  cpuCapability: string;
  msPerStep: number;
  cpuMsPerStep: number;
  stats: (DdpoStepStats & { loss: number })[];
}

/** Per step: reward, path KL and objective within relative 1e-4 (or 1e-6 absolute), gradient norm within 1e-3. */
export function diffusionAgreement(kit: readonly DdpoStepStats[], ref: readonly DdpoStepStats[]): Agreement {
  let dv = 0,
    dg = 0;
  const close = (a: number, b: number) => Math.min(relDiff(a, b), Math.abs(a - b) / 1e-2);
  for (let i = 0; i < Math.min(kit.length, ref.length); i++) {
    for (const k of ['reward', 'kl', 'objective'] as const) dv = Math.max(dv, close(kit[i][k], ref[i][k]));
    dg = Math.max(dg, relDiff(kit[i].gradNorm, ref[i].gradNorm));
  }
  const ok = kit.length === ref.length && dv <= 1e-4 && dg <= 1e-3;
  const last = kit.length - 1;
  return {
    ok,
    text:
      `all ${kit.length} steps: reward, path KL, objective max relative |Δ| ${dv.toExponential(1)} (≤ 1e-4); ` +
      `gradient norm ${dg.toExponential(1)} (≤ 1e-3); last gradient norm ${kit[last]?.gradNorm.toPrecision(6)} vs ` +
      `${ref[last]?.gradNorm.toPrecision(6)}`,
  };
}

export const diffusionWorkload: Workload = {
  id: 'diffusion',
  title: W,
  async run(ctx) {
    const rows: BenchRow[] = [];
    let spec: DiffusionBenchSpec;
    try {
      spec = diffusionSpec();
    } catch (e) {
      return [failedRow('diffusion/kit', W, 'kit ddpoKlStep', 'kit', e)];
    }
    const per = (ms: number) => ({ value: ((spec.N * spec.T) / ms) * 1e3, unit: 'transitions/s' });
    const detail = `median of ${spec.steps} steps after ${spec.warmup} warm-up; ${spec.weights} weights`;
    let kit: ReturnType<typeof diffusionKit> | null = null;
    try {
      kit = diffusionKit(spec);
      rows.push({
        id: 'diffusion/kit',
        workload: W,
        impl: 'kit ddpoKlStep (src/nn Mlp, wasm SIMD)',
        side: 'kit',
        ms: kit.msPerStep,
        unit: 'per step',
        throughput: per(kit.msPerStep),
        backend: 'wasm SIMD',
        threads: 1,
        refId: 'diffusion/torch-1t',
        detail: `${detail}; CPU time ${kit.cpuMsPerStep.toPrecision(3)} ms per step`,
      });
    } catch (e) {
      rows.push(failedRow('diffusion/kit', W, 'kit ddpoKlStep', 'kit', e));
    }
    if (!ctx.py?.torch) return rows;
    const dir = writeDiffusionBundle(spec);
    try {
      for (const threads of [1, 2]) {
        try {
          const out = runReference(ctx.py, 'diffusion.py', dir, threads) as unknown as DiffusionRefOut;
          const ag = kit ? diffusionAgreement(kit.stats, out.stats) : undefined;
          rows.push({
            id: `diffusion/torch-${threads}t`,
            workload: W,
            impl: `PyTorch ${out.torch} (${threads} thread${threads > 1 ? 's' : ''}, BLAS ${out.blas})`,
            side: 'reference',
            ms: out.msPerStep,
            unit: 'per step',
            throughput: per(out.msPerStep),
            backend: `torch, BLAS ${out.blas}, ${out.cpuCapability}`,
            threads,
            agreement: ag,
            detail:
              `${detail}; CPU time ${Number(out.cpuMsPerStep).toPrecision(3)} ms per step (all threads); ` +
              `torch.get_num_threads() = ${out.torchThreads}; BLAS loaded: ${out.blasLoaded ?? 'not reported'}`,
          });
          if (threads === 1 && ag) {
            const k = rows.find((r) => r.id === 'diffusion/kit');
            if (k) k.agreement = ag;
          }
        } catch (e) {
          rows.push(failedRow(`diffusion/torch-${threads}t`, W, `PyTorch (${threads} threads)`, 'reference', e));
        }
      }
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
