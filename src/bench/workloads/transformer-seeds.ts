/**
 * GRPO steps per hour on both cores (issue 15's speed target: end-to-end seeds/hour on both cores at or above
 * PyTorch's) for the `transformer` workload's model and sizes (./transformer.ts `transformerSpec`: vocab 16, context
 * 64, 4 blocks, d 64, 4 heads, MLP 256; 16 prompts × 8 samples = 128 sequences, prompt 16 + 32 sampled tokens),
 * and the same with 2 blocks (the reasoning testbed's base models): rows `transformer-seeds/2x64/…`. Each row's detail
 * gives the minutes of issue 15's second target, a 5-seed × 4-method comparison of 600 updates (≤ 30 min on 2 cores).
 * A GRPO step is one KV-cache sampling pass of the 128 sequences and one policy-gradient update (teacher-forced
 * forward over prompt + the sampled tokens, loss −Σ w·log π / (N·L) with the spec's per-token weights, backward,
 * gradient-norm clipping, Adam): both pieces of the `transformer` rows, chained.
 *
 * - kit: two seeds at once, one per worker thread of the kit's task pool (src/core/tasks.ts `runTasks`, as the runner
 *   spreads seeds), each `warmup` untimed steps, a barrier (a SharedArrayBuffer counter), then `steps` timed steps;
 *   the default GEMM path (`TransformerLm` mul + add) and the relaxed-SIMD FMA path (`gemm: 'auto'`) where it fuses.
 * - PyTorch (bench/reference/transformer.py `--steps`): the same steps (a) in two processes with 1 thread each, run
 *   concurrently and meeting at a file barrier, (b) in one process with 2 threads.
 * A seed end to end (issue 15's target is seeds per hour): each side's seeds are launched together (worker threads or
 * processes), run `warmup` steps, meet at a barrier, then run `steps` timed steps. The steady step is the union of the
 * timed windows (earliest start to latest end, epoch clock) ÷ the timed steps per seed; the start is the time from
 * launch to the barrier beyond `warmup` steady steps (thread or process start, imports, V8's tier-up of the first
 * steps); a seed of 600 updates = start + 600 steady steps, two at once on 2 cores: that gives the rows' seeds per
 * hour (`seedEstimate`). Steady steps per hour, and the process CPU time over the window (with the cores it kept busy,
 * and the rate its CPU time per step would give on 2 free cores: on a shared machine the wall-clock rate measures the
 * neighbours too), are in each row's detail.
 * The rows' kit/ref ratio is time per seed against the better PyTorch row (below 1: the kit is faster).
 * A window of one warm-up and 6 timed steps (this workload until 2026-12-07) counted V8's tier-up, which lasts 3–4
 * steps with two seeds at once, as steady time (0.82–0.89 of PyTorch's rate there; whole seeds of 600 updates on both
 * sides give 1.04–1.07, this estimate 1.05–1.11, on the machine of bench/README's "Seeds per hour end to end").
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../core/rng';
import { runTasks, type TaskJob } from '../../core/tasks';
import type { RunResult } from '../../core/records';
import { Adam } from '../../nn/adam';
import { candidatePending, transformerFromSpec, type KernelChoice } from '../../nn/bench';
import type { GemmChoice } from '../../nn/wasm';
import { removeBundle } from '../bundle';
import type { TransformerBenchSpec } from '../nn-spec';
import { referenceEnv, referenceScript, type PythonInfo } from '../python';
import { median, nowMs } from '../timing';
import type { BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';
import { transformerSpec, writeTransformerBundle } from './transformer';

/** The title for a model of `layers` blocks (4: the `transformer` rows' model; 2: the reasoning testbed's). */
const wTitle = (layers: number) =>
  `GRPO steps on 2 cores, transformer 128×(16+32 tokens), sampling + update, ${layers}×d64`;
const W = wTitle(4);
/** Issue 15's comparison: 5 seeds × 4 methods of 600 updates each. */
export const COMPARISON_SEEDS = 20;
/** Minutes of a 5-seed × 4-method comparison of 600 updates at `seedsHour` whole seeds per hour (end to end). */
export function comparisonMinutes(seedsHour: number): number {
  return (COMPARISON_SEEDS / seedsHour) * 60;
}
/** Updates of one seed of the reasoning testbed's run, for seeds per hour. */
export const UPDATES_PER_SEED = 600;
const TASK = 'bench/workloads/transformer-seeds#runThroughputSeed';

/** Sizes that shrink the spec (tests); the workload uses transformerSpec's defaults. */
export type SeedsSizes = Partial<
  Pick<TransformerBenchSpec, 'layers' | 'prompts' | 'group' | 'promptLen' | 'responseLen'>
>;

export interface ThroughputConfig {
  /** Seed of transformerSpec (weights, prompts, per-token weights); the task's seed drives only the sampler. */
  specSeed: number;
  sizes?: SeedsSizes;
  gemm: GemmChoice;
  warmup: number;
  steps: number;
  /** Int32Array over a SharedArrayBuffer [arrived, expected]: the timed windows start together. Absent: no wait. */
  barrier?: SharedArrayBuffer;
  /** 'next': the candidate kernel (src/nn/gemm-wasm-next.ts); default the library's. */
  kernel?: KernelChoice;
}

/** One process's or thread's timed window. */
export interface Window {
  startEpochMs: number;
  endEpochMs: number;
  steps: number;
}

export function stepsPerHour(steps: number, ms: number): number {
  return (steps / ms) * 3.6e6;
}

/**
 * Steps per hour that `cores` fully available cores would give at `cpuMsPerStep` of process CPU time per step: a
 * load-robust companion of the wall-clock rate on a shared machine (meaningful for one thread per seed; a process whose
 * threads spin while waiting books that spinning as CPU time too).
 */
export function cpuBoundStepsPerHour(cpuMsPerStep: number, cores = 2): number {
  return (cores * 3.6e6) / cpuMsPerStep;
}

/** Throughput of concurrent windows: all their steps over the union span (earliest start to latest end). */
export function windowThroughput(ws: readonly Window[]): { steps: number; spanMs: number; stepsHour: number } {
  if (!ws.length) throw new RangeError('windowThroughput: no windows');
  const start = Math.min(...ws.map((w) => w.startEpochMs)),
    end = Math.max(...ws.map((w) => w.endEpochMs));
  const steps = ws.reduce((a, w) => a + w.steps, 0);
  const spanMs = end - start;
  if (!(spanMs > 0)) throw new RangeError(`windowThroughput: the windows span ${spanMs} ms`);
  return { steps, spanMs, stepsHour: stepsPerHour(steps, spanMs) };
}

/** One seed's run from its launch: launched, arrived at the barrier after `warmup` steps, then its timed window. */
export interface SeedRun extends Window {
  /** Epoch ms when the seed's worker thread or process was asked to start (before it loaded anything). */
  launchEpochMs: number;
  /** Epoch ms when the seed finished its warm-up steps and arrived at the barrier (before waiting there). */
  readyEpochMs: number;
}

/**
 * End-to-end time of a seed of `updates` GRPO steps, from the seeds' concurrent runs (each launched, `warmup` steps,
 * the barrier, a timed window): the steady step is the union window ÷ the timed steps per seed (both seeds running);
 * the start is what the launch and the warm-up cost beyond `warmup` steady steps (thread or process start, module
 * loading, JIT tier-up; the mean over the seeds); a seed = start + `updates` steady steps, and the seeds run side by
 * side, so seeds per hour = seeds × 3.6e6 ÷ that.
 */
export function seedEstimate(
  runs: readonly SeedRun[],
  warmup: number,
  updates = UPDATES_PER_SEED,
): { steadyMs: number; startMs: number; seedMs: number; seedsHour: number } {
  if (!runs.length) throw new RangeError('seedEstimate: no runs');
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new RangeError(`seedEstimate: warmup ${warmup}`);
  const t = windowThroughput(runs);
  const steadyMs = t.spanMs / (t.steps / runs.length);
  const startMs = runs.reduce((a, r) => a + (r.readyEpochMs - r.launchEpochMs), 0) / runs.length - warmup * steadyMs;
  const seedMs = startMs + updates * steadyMs;
  return { steadyMs, startMs, seedMs, seedsHour: (runs.length * 3.6e6) / seedMs };
}

/** The faster of the reference rows (most seeds per hour; failed rows, NaN, ignored); null when none ran. */
export function bestRow<T extends { seedsHour: number }>(rows: readonly T[]): T | null {
  let best: T | null = null;
  for (const r of rows) if (Number.isFinite(r.seedsHour) && (!best || r.seedsHour > best.seedsHour)) best = r;
  return best;
}

const epochMs = () => performance.timeOrigin + performance.now();

/**
 * One seed's GRPO steps (a task of the kit's pool; also run inline by the tests): `warmup` steps, the barrier, then
 * `steps` timed steps. Metrics and series are deterministic (same on any thread); timings are not.
 */
export function runThroughputSeed(config: ThroughputConfig, seed: number): RunResult {
  const spec = transformerSpec(config.specSeed, { ...config.sizes, reps: 1 });
  const { prompts: B, group: G, promptLen: P, responseLen: L } = spec;
  const N = B * G,
    T = P + L;
  const model = transformerFromSpec(spec, config.gemm, config.kernel ?? 'current');
  const opt = new Adam(model.size, { lr: spec.lr });
  const prompts = new Int32Array(N * P);
  for (let i = 0; i < B; i++)
    for (let g = 0; g < G; g++) prompts.set(spec.promptTokens.subarray(i * P, (i + 1) * P), (i * G + g) * P);
  const w = Float32Array.from(spec.weights, (x) => -x / (N * L)); // backward's per-token weights of −Σ w·log π/(N·L)
  const seq = new Int32Array(N * T);
  for (let n = 0; n < N; n++) seq.set(prompts.subarray(n * P, (n + 1) * P), n * T);
  const rng = new Rng(seed).split('bench-transformer-seeds');
  const losses: number[] = [],
    norms: number[] = [],
    stepMs: number[] = [];
  const step = (k: number) => {
    const s = model.sample(prompts, N, P, L, rng.split(`step${k}`));
    for (let n = 0; n < N; n++) seq.set(s.tokens.subarray(n * L, (n + 1) * L), n * T + P);
    model.zeroGrad();
    const f = model.forward(seq, N, T, P - 1);
    let loss = 0;
    for (let i = 0; i < N * L; i++) loss += w[i] * f.logp[i];
    model.backward(f, w);
    norms.push(model.clipGradNorm(spec.maxGradNorm));
    opt.step(model.params.f, model.grads.f);
    losses.push(loss);
  };
  let k = 0;
  for (; k < config.warmup; k++) step(k);
  const ready = epochMs();
  if (config.barrier) {
    const b = new Int32Array(config.barrier);
    Atomics.add(b, 0, 1);
    Atomics.notify(b, 0);
    const deadline = Date.now() + 300_000;
    for (let n = Atomics.load(b, 0); n < b[1]; n = Atomics.load(b, 0)) {
      if (Date.now() > deadline) throw new Error(`barrier: ${n} of ${b[1]} seeds arrived in 300 s`);
      Atomics.wait(b, 0, n, 1000);
    }
  }
  const c0 = process.cpuUsage(),
    t0 = epochMs();
  for (; k < config.warmup + config.steps; k++) {
    const s0 = nowMs();
    step(k);
    stepMs.push(nowMs() - s0);
  }
  const t1 = epochMs(),
    c1 = process.cpuUsage();
  model.releaseCaches();
  let psum = 0;
  for (const x of model.params.f.subarray(0, model.size)) psum += x;
  return {
    metrics: { finalLoss: losses[losses.length - 1], paramSum: psum },
    series: { loss: losses, gradNorm: norms },
    extra: { backend: `wasm SIMD, gemm ${model.gemmPath}${config.kernel === 'next' ? ', candidate kernel' : ''}` },
    timings: {
      readyEpochMs: ready,
      startEpochMs: t0,
      endEpochMs: t1,
      // process-wide CPU time (µs, all threads) at the window's ends
      cpuStartUs: c0.user + c0.system,
      cpuEndUs: c1.user + c1.system,
      stepMsMedian: median(stepMs),
    },
  };
}

/** Both kit seeds (sampler seeds 0 and 1) on a pool of `workers` worker threads, the timed windows aligned. */
export async function kitSeeds(
  base: Omit<ThroughputConfig, 'barrier'>,
  workers = 2,
  seeds: readonly number[] = [0, 1],
): Promise<RunResult[]> {
  const barrier = new SharedArrayBuffer(8);
  new Int32Array(barrier)[1] = Math.min(workers, seeds.length);
  const config: ThroughputConfig = { ...base, ...(workers > 1 ? { barrier } : {}) };
  const jobs: TaskJob[] = seeds.map((seed) => ({ task: TASK, config, seed }));
  const launch = epochMs();
  const prev = process.env.RLMINI_WORKERS;
  process.env.RLMINI_WORKERS = String(workers);
  try {
    const res = await runTasks(jobs);
    for (const r of res) if (r.timings) r.timings.launchEpochMs = launch;
    return res;
  } finally {
    if (prev === undefined) delete process.env.RLMINI_WORKERS;
    else process.env.RLMINI_WORKERS = prev;
  }
}

export interface RefThroughputOut {
  torch: string;
  rank: number;
  steps: number;
  startEpochMs: number;
  endEpochMs: number;
  /** Epoch ms of the warm-up's end (arrival at the barrier); launchEpochMs: when the bench spawned the process. */
  readyEpochMs: number;
  launchEpochMs: number;
  cpuMs: number;
  stepMs: number[];
  losses: number[];
  blas?: string;
  cpuCapability?: string;
  blasLoaded?: string;
  torchThreads?: number;
}

/** One run of bench/reference/transformer.py in throughput mode, asynchronous (processes run concurrently). */
function runRefThroughput(
  py: PythonInfo,
  dir: string,
  threads: number,
  args: string[],
  timeoutMs = 600_000,
): Promise<RefThroughputOut> {
  const script = referenceScript('transformer.py');
  return new Promise((resolve, reject) => {
    const launchEpochMs = epochMs();
    const child = spawn(py.python, [script, dir, '--threads', String(threads), ...args], {
      env: referenceEnv(threads), // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed, as for every reference row
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0)
        return reject(
          new Error(
            `transformer.py --steps exited with ${code ?? signal}: ` +
              (err || out).trim().split('\n').slice(-4).join(' | '),
          ),
        );
      const line = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (!line) return reject(new Error(`transformer.py --steps printed no JSON (stdout: ${out.slice(-300)})`));
      resolve({ ...(JSON.parse(line) as Omit<RefThroughputOut, 'launchEpochMs'>), launchEpochMs });
    });
  });
}

/**
 * PyTorch's throughput runs on a transformer bundle: `processes` concurrent processes with `threads` threads each,
 * meeting at a file barrier after `warmup` steps.
 */
export async function referenceSeeds(
  py: PythonInfo,
  bundleDir: string,
  processes: number,
  threads: number,
  warmup: number,
  steps: number,
): Promise<RefThroughputOut[]> {
  const bar = fs.mkdtempSync(path.join(os.tmpdir(), 'rlmini-bench-barrier-'));
  try {
    return await Promise.all(
      Array.from({ length: processes }, (_, rank) =>
        runRefThroughput(py, bundleDir, threads, [
          '--steps',
          String(steps),
          '--warmup',
          String(warmup),
          '--barrier',
          bar,
          '--world',
          String(processes),
          '--rank',
          String(rank),
        ]),
      ),
    );
  } finally {
    fs.rmSync(bar, { recursive: true, force: true });
  }
}

interface Measured {
  row: BenchRow;
  /** End-to-end seeds of UPDATES_PER_SEED updates per hour on 2 cores (NaN for a failed row). */
  seedsHour: number;
}

function throughputRow(
  workload: string,
  id: string,
  impl: string,
  side: BenchRow['side'],
  backend: string,
  threads: number,
  runs: readonly SeedRun[],
  warmup: number,
  cpuMs: number,
  note: string,
): Measured {
  const t = windowThroughput(runs);
  const e = seedEstimate(runs, warmup);
  return {
    seedsHour: e.seedsHour,
    row: {
      id,
      workload,
      impl,
      side,
      ms: e.seedMs / runs.length,
      unit: `per seed of ${UPDATES_PER_SEED} updates, end to end, 2 seeds at once on 2 cores`,
      throughput: { value: e.seedsHour, unit: 'seeds/h' },
      backend,
      threads,
      detail:
        `${e.seedsHour.toFixed(2)} seeds/h of ${UPDATES_PER_SEED} updates end to end = start ` +
        `${(e.startMs / 1e3).toFixed(2)} s + ${UPDATES_PER_SEED} × ${e.steadyMs.toFixed(0)} ms per step per seed ` +
        `(a 5-seed × 4-method comparison: ${comparisonMinutes(e.seedsHour).toFixed(1)} min); steady ` +
        `${t.stepsHour.toFixed(0)} steps/h (${t.steps} timed steps in ${(t.spanMs / 1e3).toFixed(2)} s after ` +
        `${warmup} warm-up steps per seed); process CPU ${(cpuMs / t.steps).toFixed(0)} ms per step ` +
        `(${(cpuMs / t.spanMs).toFixed(2)} cores busy; ${cpuBoundStepsPerHour(cpuMs / t.steps).toFixed(0)} steps/h ` +
        `if each step's CPU time ran on 2 free cores); ` +
        note,
    },
  };
}

export const transformerSeedsWorkload: Workload = {
  id: 'transformer-seeds',
  title: W,
  async run(ctx) {
    const rows: BenchRow[] = [];
    // The `transformer` rows' model, then the reasoning testbed's (2 blocks, as its base models and gates).
    for (const layers of [4, 2]) rows.push(...(await seedsRows(ctx, layers)));
    return rows;
  },
};

/** The rows of one model size: the kit on both GEMM paths, PyTorch as 2 processes × 1 thread and 1 × 2. */
async function seedsRows(ctx: Parameters<Workload['run']>[0], layers: number): Promise<BenchRow[]> {
  // Warm-up: the first steps of a seed run slower while V8 tiers the wasm kernels and the JS up (measured: 2 steps
  // alone, 3–4 with two seeds at once, each 1.5–2× a steady step); they count in the seed's start, not its step.
  const warmup = 4,
    steps = ctx.seedSteps ?? 8,
    specSeed = 5;
  const Wl = wTitle(layers);
  const pre = layers === 4 ? 'transformer-seeds' : `transformer-seeds/${layers}x64`;
  const sizes = layers === 4 ? undefined : { layers };
  const kit: Measured[] = [],
    ref: Measured[] = [];
  const load = () => `load average ${os.loadavg()[0].toFixed(2)} at start`;
  const runs: (readonly [GemmChoice, KernelChoice])[] = [
    ['mul-add', 'current'],
    ['auto', 'current'],
  ];
  if (candidatePending()) runs.push(['mul-add', 'next']);
  for (const [gemm, kernel] of runs) {
    const id = `${pre}/kit-2w${gemm === 'auto' ? '-fma' : ''}${kernel === 'next' ? '-next' : ''}`;
    try {
      const l = load();
      ctx.log(`  ${layers}×d64: kit, 2 worker threads, gemm ${gemm}${kernel === 'next' ? ', candidate kernel' : ''} …`);
      const res = await kitSeeds({ specSeed, gemm, warmup, steps, kernel, ...(sizes ? { sizes } : {}) });
      const backend = String(res[0].extra?.backend ?? '?');
      if (gemm === 'auto' && !backend.includes('fma')) continue; // relaxed SIMD does not fuse here: same as default
      const tm = res.map((r) => r.timings!);
      const cpuMs = (Math.max(...tm.map((x) => x.cpuEndUs)) - Math.min(...tm.map((x) => x.cpuStartUs))) / 1e3;
      kit.push(
        throughputRow(
          Wl,
          id,
          `kit TransformerLm, 2 seeds on 2 worker threads (${backend}${gemm === 'auto' ? ", gemm 'auto'" : ''}` +
            `${kernel === 'next' ? '; candidate kernel, not used by the library yet' : ''})`,
          'kit',
          backend,
          2,
          tm.map((x) => ({
            launchEpochMs: x.launchEpochMs,
            readyEpochMs: x.readyEpochMs,
            startEpochMs: x.startEpochMs,
            endEpochMs: x.endEpochMs,
            steps,
          })),
          warmup,
          cpuMs,
          `median step per seed ${tm.map((x) => x.stepMsMedian.toFixed(0)).join(' / ')} ms; ${l}`,
        ),
      );
    } catch (e) {
      kit.push({
        row: failedRow(id, Wl, `kit TransformerLm, 2 worker threads, gemm ${gemm}`, 'kit', e),
        seedsHour: NaN,
      });
    }
  }
  if (ctx.py?.torch) {
    const dir = writeTransformerBundle(transformerSpec(specSeed, sizes ?? {}));
    try {
      for (const [processes, threads] of [
        [2, 1],
        [1, 2],
      ] as const) {
        const id = `${pre}/torch-${processes}p${threads}t`;
        const how = processes === 2 ? '2 processes × 1 thread' : '1 process × 2 threads';
        try {
          const l = load();
          ctx.log(`  ${layers}×d64: PyTorch, ${how} …`);
          const outs = await referenceSeeds(ctx.py, dir, processes, threads, warmup, steps);
          const o = outs[0];
          ref.push(
            throughputRow(
              Wl,
              id,
              `PyTorch ${o.torch} + Adam, ${how}`,
              'reference',
              `torch, BLAS ${o.blas ?? 'not reported'}, ${o.cpuCapability ?? '?'}`,
              processes * threads,
              outs,
              warmup,
              outs.reduce((a, x) => a + x.cpuMs, 0),
              `median step per process ${outs.map((x) => median(x.stepMs).toFixed(0)).join(' / ')} ms; ` +
                `torch.get_num_threads() = ${o.torchThreads ?? '?'}; BLAS loaded: ${o.blasLoaded ?? '?'}; ${l}`,
            ),
          );
        } catch (e) {
          ref.push({ row: failedRow(id, Wl, `PyTorch, ${how}`, 'reference', e), seedsHour: NaN });
        }
      }
    } finally {
      removeBundle(dir);
    }
  }
  const best = bestRow(ref);
  if (best)
    for (const k of kit) {
      k.row.refId = best.row.id;
      if (Number.isFinite(k.seedsHour))
        k.row.detail += `; seeds/h kit/PyTorch-best (${best.row.id}) ${(k.seedsHour / best.seedsHour).toFixed(2)}`;
    }
  return [...kit, ...ref].map((m) => m.row);
}
