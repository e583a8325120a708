/**
 * Cross-check of the tfjs transformer (./transformer-lm.ts) against the kit's wasm TransformerLm on the same
 * weights and the same batch (used by tests/nn/tfjs-transformer.test.ts and scripts/gpu/engines.js):
 *   - teacher-forced log-probabilities and entropies of the scored tokens;
 *   - the policy-gradient loss −Σ w·logp/(N·L) style value Σ w·logp, its gradient on every parameter group and
 *     its global norm (before clipping);
 *   - the parameters after one clipped Adam step (the kit's Adam on both sides, as LmPolicy steps them) and the
 *     loss there;
 *   - sampling in distribution: the mean log-probability of the sampled tokens with its standard error on each
 *     engine, from different seeds (z = difference / combined standard error); and, from the same seed, the
 *     fraction of identical tokens (informative only: equal seeds need not give equal samples across engines).
 * Every difference is reported, none is judged here: the callers state their tolerances.
 */
import { Rng } from '../../core/rng';
import { Adam } from '../adam';
import { parameterGroups, type TransformerLm } from '../transformer-lm';
import type { TfjsTransformerLm } from './transformer-lm';

export interface TransformerBatch {
  /** N × T tokens: prompt (P) + response (T − P). */
  seq: Int32Array;
  N: number;
  T: number;
  /** Prompt length; tokens P … T − 1 are scored (outFrom = P − 1). */
  P: number;
  /** N × (T − P) weights of Σ w·logp (∂loss/∂logp). */
  w: Float32Array;
  lr: number;
  maxGradNorm: number;
  /** Sampling: N × P prompts, L new tokens, seed. */
  prompts: Int32Array;
  L: number;
  seed: number;
}

export interface GroupDiff {
  name: string;
  /** max |g_tfjs − g_kit| over the group. */
  maxAbs: number;
  /** max |g_kit| over the group. */
  scale: number;
  /** maxAbs / scale (0 when both are 0). */
  rel: number;
}

export interface TransformerCrossCheck {
  logpMaxAbs: number;
  entropyMaxAbs: number;
  loss: { kit: number; tfjs: number; absDiff: number };
  gradNorm: { kit: number; tfjs: number; relDiff: number };
  groups: GroupDiff[];
  /** Max over groups of the group-relative gradient difference. */
  gradMaxRel: number;
  /** The group with the largest relative difference. */
  gradWorst: string;
  /** max |θ_tfjs − θ_kit| after one clipped Adam step (both from the same θ), and in units of lr. */
  adamParamsMaxAbs: number;
  adamParamsMaxAbsOverLr: number;
  loss1: { kit: number; tfjs: number; absDiff: number };
  sampling: {
    kitMean: number;
    kitSe: number;
    tfjsMean: number;
    tfjsSe: number;
    /** |tfjs − kit| / √(se_kit² + se_tfjs²), different seeds. */
    z: number;
    /** Fraction of equal tokens from the same seed (not required to be 1). */
    sameSeedTokenAgreement: number;
  };
}

function meanSe(logp: Float32Array, lengths: Int32Array, N: number, L: number): { mean: number; se: number } {
  const means: number[] = [];
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < lengths[n]; k++) s += logp[n * L + k];
    if (lengths[n] > 0) means.push(s / lengths[n]);
  }
  const m = means.reduce((a, b) => a + b, 0) / means.length;
  const sd = Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, means.length - 1));
  return { mean: m, se: sd / Math.sqrt(means.length) };
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Runs the comparison. `tfm` is loaded with `kit`'s parameters first (then `o.perturb`, if given, edits them);
 * both models are left at the parameters after the Adam step, gradients zeroed. Uses the tfjs model's async
 * methods (so webgpu works too).
 */
export async function crossCheckTransformer(
  kit: TransformerLm,
  tfm: TfjsTransformerLm,
  b: TransformerBatch,
  o: { perturb?: (params: Float32Array) => void } = {},
): Promise<TransformerCrossCheck> {
  const { seq, N, T, P, w, L } = b;
  const outFrom = P - 1;
  tfm.load(kit.snapshot());
  o.perturb?.(tfm.params.f); // (tests: a deliberate difference the comparison must see)
  kit.zeroGrad();
  tfm.zeroGrad();
  // forward + gradient
  const fk = kit.forward(seq, N, T, outFrom);
  const lossK = dot(w, fk.logp);
  let logpMaxAbs = 0,
    entropyMaxAbs = 0;
  const kitLogp = Float32Array.from(fk.logp),
    kitEnt = Float32Array.from(fk.entropy);
  kit.backward(fk, w);
  const ft = await tfm.forwardAsync(seq, N, T, outFrom);
  const lossT = dot(w, ft.logp);
  for (let i = 0; i < kitLogp.length; i++) {
    logpMaxAbs = Math.max(logpMaxAbs, Math.abs(kitLogp[i] - ft.logp[i]));
    entropyMaxAbs = Math.max(entropyMaxAbs, Math.abs(kitEnt[i] - ft.entropy[i]));
  }
  await tfm.backwardAsync(ft, w);
  const gk = kit.grads.f,
    gt = tfm.grads.f;
  const groups: GroupDiff[] = parameterGroups(kit.config).map((g) => {
    let maxAbs = 0,
      scale = 0;
    for (let i = g.offset; i < g.offset + g.size; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(gt[i] - gk[i]));
      scale = Math.max(scale, Math.abs(gk[i]));
    }
    return { name: g.name, maxAbs, scale, rel: scale > 0 ? maxAbs / scale : maxAbs > 0 ? Infinity : 0 };
  });
  const worst = groups.reduce((a, c) => (c.rel > a.rel ? c : a), groups[0]);
  const normK = kit.clipGradNorm(b.maxGradNorm),
    normT = tfm.clipGradNorm(b.maxGradNorm);
  // one Adam step each (the kit's Adam, as LmPolicy steps either model)
  new Adam(kit.size, { lr: b.lr }).step(kit.params.f, kit.grads.f);
  new Adam(tfm.size, { lr: b.lr }).step(tfm.params.f, tfm.grads.f);
  kit.zeroGrad();
  tfm.zeroGrad();
  let adam = 0;
  for (let i = 0; i < kit.size; i++) adam = Math.max(adam, Math.abs(kit.params.f[i] - tfm.params.f[i]));
  const loss1K = dot(w, kit.forward(seq, N, T, outFrom).logp);
  const loss1T = dot(w, (await tfm.forwardAsync(seq, N, T, outFrom)).logp);
  kit.releaseCaches();
  // sampling, at the stepped parameters: different seeds for the distribution check, the same seed for agreement
  const rng = new Rng(b.seed).split('cross-check-sampling');
  const sk = kit.sample(b.prompts, N, P, L, rng.split('kit'));
  const st = await tfm.sampleAsync(b.prompts, N, P, L, rng.split('tfjs'));
  const sSame = await tfm.sampleAsync(b.prompts, N, P, L, rng.split('kit'));
  let same = 0;
  for (let i = 0; i < sk.tokens.length; i++) if (sk.tokens[i] === sSame.tokens[i]) same++;
  const a = meanSe(sk.logp, sk.lengths, N, L),
    c = meanSe(st.logp, st.lengths, N, L);
  return {
    logpMaxAbs,
    entropyMaxAbs,
    loss: { kit: lossK, tfjs: lossT, absDiff: Math.abs(lossK - lossT) },
    gradNorm: { kit: normK, tfjs: normT, relDiff: Math.abs(normK - normT) / Math.max(normK, 1e-30) },
    groups,
    gradMaxRel: worst.rel,
    gradWorst: worst.name,
    adamParamsMaxAbs: adam,
    adamParamsMaxAbsOverLr: adam / b.lr,
    loss1: { kit: loss1K, tfjs: loss1T, absDiff: Math.abs(loss1K - loss1T) },
    sampling: {
      kitMean: a.mean,
      kitSe: a.se,
      tfjsMean: c.mean,
      tfjsSe: c.se,
      z: Math.abs(a.mean - c.mean) / Math.hypot(a.se, c.se),
      sameSeedTokenAgreement: same / sk.tokens.length,
    },
  };
}

/** The bench's policy-gradient batch (TransformerBenchSpec shape): prompts repeated G times, loss −Σ w·logp/(N·L). */
export function benchBatch(spec: {
  prompts: number;
  group: number;
  promptLen: number;
  responseLen: number;
  promptTokens: Int32Array;
  responseTokens: Int32Array;
  weights: Float32Array;
  lr: number;
  maxGradNorm: number;
  seed: number;
}): TransformerBatch {
  const { prompts: B, group: G, promptLen: P, responseLen: L } = spec;
  const N = B * G,
    T = P + L;
  const prompts = new Int32Array(N * P);
  for (let i = 0; i < B; i++)
    for (let g = 0; g < G; g++) prompts.set(spec.promptTokens.subarray(i * P, (i + 1) * P), (i * G + g) * P);
  const seq = new Int32Array(N * T);
  for (let n = 0; n < N; n++) {
    seq.set(prompts.subarray(n * P, (n + 1) * P), n * T);
    seq.set(spec.responseTokens.subarray(n * L, (n + 1) * L), n * T + P);
  }
  const w = Float32Array.from(spec.weights, (x) => -x / (N * L));
  return { seq, N, T, P, w, lr: spec.lr, maxGradNorm: spec.maxGradNorm, prompts, L, seed: spec.seed };
}
