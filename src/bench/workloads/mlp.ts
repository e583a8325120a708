/**
 * MLP training step, float32: batch 512, 64 → 256 → 256 → 4, ReLU, MSE (mean) to fixed random
 * targets, Adam (lr 1e-3, ε 1e-8); one step = forward + backward + Adam update. Same initial weights
 * (PyTorch's default U(±1/√fan_in)), inputs and targets on every side; 3 warm-up steps, then 20 timed
 * steps (median). Agreement: the loss sequences of the 23 steps.
 * Kit rows: tfjs on the kit's default backend (initBackend) and, when present, the kit's typed
 * neural engine (src/nn/bench.ts `benchMlpStep`). Reference: PyTorch nn.Sequential + torch.optim.Adam.
 */
import { initBackend } from '../../core/backend';
import { Rng } from '../../core/rng';
import { removeBundle, writeBundle } from '../bundle';
import type { MlpBenchResult, MlpBenchSpec } from '../nn-spec';
import { runReference } from '../python';
import { median, nowMs, relDiff } from '../timing';
import type { Agreement, BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';
import { loadNnEngine } from './nn-engine';

const W = 'MLP step 512×(64→256→256→4), Adam';

export function mlpSpec(seed = 11): MlpBenchSpec {
  const sizes = [64, 256, 256, 4];
  const batch = 512;
  const rng = new Rng(seed).split('bench-mlp');
  const W: Float32Array[] = [],
    b: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const lim = 1 / Math.sqrt(sizes[l]);
    const r = rng.split(`layer${l}`);
    W.push(Float32Array.from({ length: sizes[l + 1] * sizes[l] }, () => r.range(-lim, lim)));
    b.push(Float32Array.from({ length: sizes[l + 1] }, () => r.range(-lim, lim)));
  }
  const x = Float32Array.from(rng.split('x').normals(batch * sizes[0]));
  const y = Float32Array.from(rng.split('y').normals(batch * sizes[sizes.length - 1]));
  return { batch, sizes, dims: sizes, lr: 1e-3, warmup: 3, steps: 20, x, y, W, b };
}

/** The MLP step in tfjs on the kit's default backend. */
export async function mlpTfjs(spec: MlpBenchSpec): Promise<MlpBenchResult> {
  const { tf, info } = await initBackend();
  const { sizes, batch } = spec;
  const L = sizes.length - 1;
  const x = tf.tensor2d(spec.x, [batch, sizes[0]]);
  const y = tf.tensor2d(spec.y, [batch, sizes[L]]);
  // tfjs multiplies x·W with W as in × out: the transpose of nn.Linear.weight.
  const Ws = spec.W.map((w, l) => tf.variable(tf.tensor2d(w, [sizes[l + 1], sizes[l]]).transpose()));
  const bs = spec.b.map((v) => tf.variable(tf.tensor1d(v)));
  const opt = tf.train.adam(spec.lr, 0.9, 0.999, 1e-8);
  const losses: number[] = [];
  const times: number[] = [];
  try {
    for (let s = 0; s < spec.warmup + spec.steps; s++) {
      const t0 = nowMs();
      const cost = opt.minimize(
        () => {
          let h: import('@tensorflow/tfjs').Tensor2D = x;
          for (let l = 0; l < L; l++) {
            h = tf.add(tf.matMul(h, Ws[l]), bs[l]);
            if (l < L - 1) h = tf.relu(h);
          }
          return tf.mean(tf.square(tf.sub(h, y))) as import('@tensorflow/tfjs').Scalar;
        },
        true,
        [...Ws, ...bs],
      );
      losses.push(cost!.dataSync()[0]);
      cost!.dispose();
      if (s >= spec.warmup) times.push(nowMs() - t0);
    }
  } finally {
    opt.dispose();
    for (const v of [...Ws, ...bs, x, y]) v.dispose();
  }
  return { msPerStep: median(times), losses, backend: info.id };
}

function lossAgreement(kit: number[] | undefined, ref: number[]): Agreement | undefined {
  if (!Array.isArray(kit)) return undefined;
  const n = Math.min(kit.length, ref.length);
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, relDiff(kit[i], ref[i]));
  const ok = n === kit.length && n === ref.length && d <= 1e-3;
  return {
    ok,
    text:
      `losses of all ${n} steps: max relative |Δ| ${d.toExponential(1)} (≤ 1e-3, float32); ` +
      `last ${kit[n - 1]?.toPrecision(6)} vs ${ref[n - 1]?.toPrecision(6)}`,
  };
}

export const mlpWorkload: Workload = {
  id: 'mlp',
  title: W,
  async run(ctx) {
    const spec = mlpSpec();
    const rows: BenchRow[] = [];
    const samplesPerS = (ms: number) => ({ value: (spec.batch / ms) * 1e3, unit: 'samples/s' });
    const results: Record<string, MlpBenchResult> = {};
    try {
      const r = await mlpTfjs(spec);
      results['tfjs'] = r;
      rows.push({
        id: 'mlp/tfjs',
        workload: W,
        impl: `kit, tfjs (${r.backend} backend)`,
        side: 'kit',
        ms: r.msPerStep,
        unit: 'per step',
        throughput: samplesPerS(r.msPerStep),
        backend: r.backend,
        threads: 1,
        refId: 'mlp/torch-1t',
        detail: `median of ${spec.steps} steps after ${spec.warmup} warm-up`,
      });
    } catch (e) {
      rows.push(failedRow('mlp/tfjs', W, 'kit, tfjs', 'kit', e));
    }
    const nn = loadNnEngine();
    if (nn?.benchMlpStep) {
      try {
        const r = await nn.benchMlpStep(mlpSpec());
        results['nn'] = r;
        rows.push({
          id: 'mlp/kit-nn',
          workload: W,
          impl: `kit nn engine (${r.backend})`,
          side: 'kit',
          ms: r.msPerStep,
          unit: 'per step',
          throughput: samplesPerS(r.msPerStep),
          backend: r.backend,
          threads: 1,
          refId: 'mlp/torch-1t',
          detail: `median of ${spec.steps} steps after ${spec.warmup} warm-up`,
        });
      } catch (e) {
        rows.push(failedRow('mlp/kit-nn', W, 'kit nn engine', 'kit', e));
      }
    }
    if (!ctx.py?.torch) return rows;
    const arrays: Record<string, { data: Float32Array; shape: number[] }> = {
      x: { data: spec.x, shape: [spec.batch, spec.sizes[0]] },
      y: { data: spec.y, shape: [spec.batch, spec.sizes[spec.sizes.length - 1]] },
    };
    spec.W.forEach((w, l) => {
      arrays[`W${l}`] = { data: w, shape: [spec.sizes[l + 1], spec.sizes[l]] };
      arrays[`b${l}`] = { data: spec.b[l], shape: [spec.sizes[l + 1]] };
    });
    const dir = writeBundle(
      'mlp',
      { sizes: spec.sizes, batch: spec.batch, lr: spec.lr, warmup: spec.warmup, steps: spec.steps },
      arrays,
    );
    try {
      for (const threads of [1, 2]) {
        try {
          const out = runReference(ctx.py, 'mlp.py', dir, threads);
          const kitRef = results['tfjs'] ?? results['nn'];
          const ag = kitRef ? lossAgreement(kitRef.losses, out.losses) : undefined;
          rows.push({
            id: `mlp/torch-${threads}t`,
            workload: W,
            impl: `PyTorch ${out.torch} (${threads} thread${threads > 1 ? 's' : ''})`,
            side: 'reference',
            ms: out.msPerStep,
            unit: 'per step',
            throughput: samplesPerS(out.msPerStep),
            backend: 'torch',
            threads,
            agreement: ag,
            detail: `median of ${spec.steps} steps after ${spec.warmup} warm-up`,
          });
          if (threads === 1) {
            for (const [k, id] of [
              ['tfjs', 'mlp/tfjs'],
              ['nn', 'mlp/kit-nn'],
            ] as const) {
              const row = rows.find((r) => r.id === id);
              if (row && results[k]) row.agreement = lossAgreement(results[k].losses, out.losses);
            }
          }
        } catch (e) {
          rows.push(failedRow(`mlp/torch-${threads}t`, W, `PyTorch (${threads} threads)`, 'reference', e));
        }
      }
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
