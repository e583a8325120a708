/**
 * GRPO update and sampling on the RLVR base model's architecture (GRU, see ../nn-spec.ts
 * GruBenchSpec): V = 14 one-hot tokens, H = 64, 64 prompts × 8 = 512 sequences, prompt 8 tokens,
 * response 8 sampled tokens (no early stop). Same weights, prompts, responses and advantages on every
 * side. Agreement: the update's loss before and after one Adam step (same fixed batch), and the mean
 * log-probability of the sampled tokens (different random draws: equal up to Monte Carlo error).
 * Kit rows: the kit's tfjs GruPolicy (src/bench/tfjs-gru-policy.ts; with an identity embedding it
 * is exactly the one-hot GRU) and, when present, the kit's typed engine (src/nn/bench.ts).
 */
import { initBackend } from '../../core/backend';
import { Rng } from '../../core/rng';
import { GruPolicy } from '../tfjs-gru-policy';
import { removeBundle, writeBundle } from '../bundle';
import type { GruBenchResult, GruBenchSpec } from '../nn-spec';
import { runReference } from '../python';
import { timeReps } from '../timing';
import type { Agreement, BenchRow } from '../types';
import { failedRow, type Workload } from '../workload';
import { loadNnEngine } from './nn-engine';

const WS = 'GRU sampling 512×(8+8 tokens), H 64';
const WU = 'GRPO update GRU 512×16 tokens, H 64, Adam';

export function gruSpec(seed = 5): GruBenchSpec {
  const V = 14,
    H = 64,
    B = 64,
    G = 8,
    P = 8,
    L = 8;
  const N = B * G;
  const rng = new Rng(seed).split('bench-gru');
  const lim = 1 / Math.sqrt(H); // PyTorch's default GRU / Linear(64, ·) init range
  const u = (r: Rng, n: number) => Float32Array.from({ length: n }, () => r.range(-lim, lim));
  const base = new Int32Array(B * P);
  const rp = rng.split('prompts');
  for (let i = 0; i < base.length; i++) base[i] = rp.int(V);
  const rr = rng.split('responses');
  const responseTokens = Int32Array.from({ length: N * L }, () => rr.int(V));
  const ra = rng.split('advantages');
  const advantages = Float32Array.from({ length: N }, () => ra.normal());
  return {
    vocab: V,
    hidden: H,
    prompts: B,
    group: G,
    promptLen: P,
    responseLen: L,
    lr: 1e-3,
    reps: 5,
    promptTokens: base,
    responseTokens,
    advantages,
    wIh: u(rng.split('wIh'), 3 * H * V),
    wHh: u(rng.split('wHh'), 3 * H * H),
    bIh: u(rng.split('bIh'), 3 * H),
    bHh: u(rng.split('bHh'), 3 * H),
    wOut: u(rng.split('wOut'), V * H),
    bOut: u(rng.split('bOut'), V),
    seed,
  };
}

function transpose(a: Float32Array, rows: number, cols: number): number[] {
  const o = new Array<number>(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = a[i * cols + j];
  return o;
}

/** N × P prompts: each of the B prompts repeated G times (the group). */
export function groupPrompts(spec: GruBenchSpec): Int32Array {
  const { prompts: B, group: G, promptLen: P } = spec;
  const out = new Int32Array(B * G * P);
  for (let i = 0; i < B; i++)
    for (let g = 0; g < G; g++) out.set(spec.promptTokens.subarray(i * P, (i + 1) * P), (i * G + g) * P);
  return out;
}

/** The workload on the kit's tfjs GruPolicy (identity embedding = one-hot input). */
export async function gruTfjs(spec: GruBenchSpec): Promise<GruBenchResult> {
  const { tf, info } = await initBackend();
  const { vocab: V, hidden: H, promptLen: P, responseLen: L } = spec;
  const N = spec.prompts * spec.group;
  const prompts = groupPrompts(spec);
  const eye = new Array<number>(V * V).fill(0);
  for (let i = 0; i < V; i++) eye[i * V + i] = 1;
  const weights = {
    E: eye,
    Wx: transpose(spec.wIh, 3 * H, V),
    bx: Array.from(spec.bIh),
    Wh: transpose(spec.wHh, 3 * H, H),
    bh: Array.from(spec.bHh),
    Wo: transpose(spec.wOut, V, H),
    bo: Array.from(spec.bOut),
  };
  const policy = new GruPolicy(tf, { vocab: V, embed: V, hidden: H }, new Rng(0));
  // The update of policyGradientStep (tfjs-gru-policy.ts) without the embedding among the trained
  // variables: the identity embedding stands for the fixed one-hot input and must stay fixed.
  const trained = policy.variables().filter((v) => v !== policy.vars.E);
  const A = tf.keep(tf.tensor2d(spec.advantages, [N, 1]));
  const step = (opt: import('@tensorflow/tfjs').Optimizer): number => {
    const cost = opt.minimize(
      () =>
        tf.div(
          tf.neg(tf.sum(tf.mul(policy.sequenceLogProbs(prompts, P, spec.responseTokens, L), A))),
          N * L,
        ) as import('@tensorflow/tfjs').Scalar,
      true,
      trained,
    );
    const v = cost!.dataSync()[0];
    cost!.dispose();
    return v;
  };
  const lossAt = () =>
    tf.tidy(() => {
      const logp = policy.sequenceLogProbs(prompts, P, spec.responseTokens, L).dataSync();
      let s = 0;
      for (let i = 0; i < N; i++) for (let t = 0; t < L; t++) s += spec.advantages[i] * logp[i * L + t];
      return -s / (N * L);
    });
  const rng = new Rng(spec.seed).split('sampler');
  let opt = tf.train.adam(spec.lr, 0.9, 0.999, 1e-8);
  try {
    policy.load({ shape: policy.shape, weights });
    // Agreement pass on the given weights.
    const s0 = policy.sample(prompts, P, L, -1, 0, rng.split('agree'));
    let lp = 0;
    for (let i = 0; i < s0.logProbs.length; i++) lp += s0.logProbs[i];
    const loss0 = step(opt);
    const loss1 = lossAt();
    opt.dispose();
    opt = tf.train.adam(spec.lr, 0.9, 0.999, 1e-8);
    let k = 0;
    const sample = timeReps(() => policy.sample(prompts, P, L, -1, 0, rng.split(k++)), spec.reps);
    const update = timeReps(() => step(opt), spec.reps);
    return {
      sampleMs: sample.median,
      updateMs: update.median,
      loss0,
      loss1,
      meanSampledLogp: lp / s0.logProbs.length,
      backend: info.id,
    };
  } finally {
    opt.dispose();
    A.dispose();
    policy.dispose();
  }
}

function agreements(
  kit: GruBenchResult,
  ref: { loss0: number; loss1: number; meanSampledLogp: number },
): { update?: Agreement; sample?: Agreement } {
  if (![kit.loss0, kit.loss1, kit.meanSampledLogp].every((v) => typeof v === 'number')) return {};
  const d0 = Math.abs(kit.loss0 - ref.loss0),
    d1 = Math.abs(kit.loss1 - ref.loss1);
  const dl = Math.abs(kit.meanSampledLogp - ref.meanSampledLogp);
  return {
    update: {
      ok: d0 <= 1e-5 && d1 <= 1e-5,
      text:
        `loss before / after one Adam step: |Δ| ${d0.toExponential(1)} / ${d1.toExponential(1)} (≤ 1e-5); ` +
        `${kit.loss0.toPrecision(6)} → ${kit.loss1.toPrecision(6)}`,
    },
    sample: {
      ok: dl <= 0.02,
      text:
        `mean log π of sampled tokens ${kit.meanSampledLogp.toFixed(4)} vs ${ref.meanSampledLogp.toFixed(4)} ` +
        '(|Δ| ≤ 0.02; different draws)',
    },
  };
}

export const gruWorkload: Workload = {
  id: 'gru',
  title: 'GRPO update and sampling, GRU',
  async run(ctx) {
    const spec = gruSpec();
    const N = spec.prompts * spec.group;
    const gen = N * spec.responseLen;
    const rows: BenchRow[] = [];
    const kits: { key: string; label: string; r: GruBenchResult }[] = [];
    const addKit = (key: string, label: string, r: GruBenchResult) => {
      kits.push({ key, label, r });
      rows.push({
        id: `gru/sample/${key}`,
        workload: WS,
        impl: label,
        side: 'kit',
        ms: r.sampleMs,
        unit: 'per sampling pass',
        throughput: { value: (gen / r.sampleMs) * 1e3, unit: 'generated tokens/s' },
        backend: r.backend,
        threads: 1,
        refId: 'gru/sample/torch-1t',
        detail: `median of ${spec.reps} passes`,
      });
      rows.push({
        id: `gru/update/${key}`,
        workload: WU,
        impl: label,
        side: 'kit',
        ms: r.updateMs,
        unit: 'per update',
        throughput: { value: ((N * (spec.promptLen + spec.responseLen)) / r.updateMs) * 1e3, unit: 'trained tokens/s' },
        backend: r.backend,
        threads: 1,
        refId: 'gru/update/torch-1t',
        detail:
          `median of ${spec.reps} updates` +
          (typeof r.loss0 === 'number' && typeof r.loss1 === 'number'
            ? `; loss ${r.loss0.toPrecision(6)} → ${r.loss1.toPrecision(6)}`
            : '; no agreement values reported'),
      });
    };
    try {
      const r = await gruTfjs(spec);
      addKit('tfjs', `kit, tfjs GruPolicy (${r.backend} backend)`, r);
    } catch (e) {
      rows.push(failedRow('gru/update/tfjs', WU, 'kit, tfjs GruPolicy', 'kit', e));
    }
    const nn = loadNnEngine();
    if (nn?.benchGruGrpo) {
      try {
        const r = await nn.benchGruGrpo(gruSpec());
        addKit('kit-nn', `kit nn engine (${r.backend})`, r);
      } catch (e) {
        rows.push(failedRow('gru/update/kit-nn', WU, 'kit nn engine', 'kit', e));
      }
    }
    if (!ctx.py?.torch) return rows;
    const { vocab: V, hidden: H, promptLen: P, responseLen: L } = spec;
    const dir = writeBundle(
      'gru',
      {
        vocab: V,
        hidden: H,
        prompts: spec.prompts,
        group: spec.group,
        promptLen: P,
        responseLen: L,
        lr: spec.lr,
        reps: spec.reps,
        seed: spec.seed,
      },
      {
        prompts: { data: groupPrompts(spec), shape: [N, P] },
        responses: { data: spec.responseTokens, shape: [N, L] },
        advantages: { data: spec.advantages, shape: [N] },
        wIh: { data: spec.wIh, shape: [3 * H, V] },
        wHh: { data: spec.wHh, shape: [3 * H, H] },
        bIh: { data: spec.bIh, shape: [3 * H] },
        bHh: { data: spec.bHh, shape: [3 * H] },
        wOut: { data: spec.wOut, shape: [V, H] },
        bOut: { data: spec.bOut, shape: [V] },
      },
    );
    try {
      for (const threads of [1, 2]) {
        try {
          const out = runReference(ctx.py, 'gru_grpo.py', dir, threads);
          const t = `${threads} thread${threads > 1 ? 's' : ''}`;
          const ag = kits.length ? agreements(kits[0].r, out as any) : undefined;
          rows.push({
            id: `gru/sample/torch-${threads}t`,
            workload: WS,
            impl: `PyTorch ${out.torch} nn.GRU (${t})`,
            side: 'reference',
            ms: out.sampleMs,
            unit: 'per sampling pass',
            throughput: { value: (gen / out.sampleMs) * 1e3, unit: 'generated tokens/s' },
            backend: 'torch',
            threads,
            agreement: ag?.sample,
            detail: `median of ${spec.reps} passes`,
          });
          rows.push({
            id: `gru/update/torch-${threads}t`,
            workload: WU,
            impl: `PyTorch ${out.torch} nn.GRU + Adam (${t})`,
            side: 'reference',
            ms: out.updateMs,
            unit: 'per update',
            throughput: { value: ((N * (P + L)) / out.updateMs) * 1e3, unit: 'trained tokens/s' },
            backend: 'torch',
            threads,
            agreement: ag?.update,
            detail:
              `median of ${spec.reps} updates; ` +
              `loss ${Number(out.loss0).toPrecision(6)} → ${Number(out.loss1).toPrecision(6)}`,
          });
          if (threads === 1) {
            for (const k of kits) {
              const a = agreements(k.r, out as any);
              const rs = rows.find((r) => r.id === `gru/sample/${k.key}`);
              const ru = rows.find((r) => r.id === `gru/update/${k.key}`);
              if (rs) rs.agreement = a.sample;
              if (ru) ru.agreement = a.update;
            }
          }
        } catch (e) {
          rows.push(failedRow(`gru/update/torch-${threads}t`, WU, `PyTorch (${threads} threads)`, 'reference', e));
        }
      }
    } finally {
      removeBundle(dir);
    }
    return rows;
  },
};
