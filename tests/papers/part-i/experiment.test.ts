/**
 * part-i (src/papers/part-i/experiment.ts): each compared method hands the policy exactly the gradient of the paper's
 * objective written out independently here in float64 (eq. 1 PPO clip with the REINFORCE-style normalised advantage of
 * eq. 2/5 (group), eq. 6 (batch), eq. 7 (no std) or Lite PPO's group mean over the batch std; eq. 3 sequence-level vs
 * eq. 4 token-level aggregation; eq. 8 clip-higher; DAPO's removal of uniform groups; overlong masking), by central
 * differences on a stale batch (ratios ≠ 1, some tokens clipped); the ablations differ from Lite PPO in one slot; the
 * helpers (moving average, peak drop, length CV, the evaluation with lengths) on analytic cases; and runSeed on a tiny
 * configuration (keys, pairing, determinism).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { metricKey } from '../../../src/core/metric-keys';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import {
  DEFAULTS,
  METHODS,
  dropWindow,
  evaluateWithLengths,
  lengthCv,
  movingAverage,
  peakDrop,
  runSeed,
  type Config,
} from '../../../src/papers/part-i/experiment';
import { additionTask } from '../../../src/testbeds/reasoning/tasks/addition';
import { distinctProblems } from '../../../src/testbeds/reasoning/tasks/splits';
import { EOS, VOCAB_SIZE } from '../../../src/testbeds/reasoning/tasks/vocab';
import { evaluateCounts, passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy, type Scored } from '../../../src/testbeds/reasoning/trainer/policy';
import type { Recipe } from '../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

/** A policy whose completion log-probabilities are free parameters θ (N × L): records the weights it is handed. */
class FreeLogp implements RlPolicy {
  w: Float32Array | null = null;
  constructor(readonly theta: Float32Array) {}
  sample(): never {
    throw new Error('not used');
  }
  score(): Scored {
    return { logp: this.theta };
  }
  backward(_s: Scored, w: Float32Array): void {
    this.w = Float32Array.from(w);
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return this.theta;
  }
}

// Three groups of four: mixed, mixed, all wrong (a uniform group: DAPO drops it); response 5 is truncated.
const B = 3,
  G = 4,
  L = 5,
  P = 1,
  N = B * G,
  T = P + L;
const lengths = Int32Array.from([5, 2, 3, 4, 1, 5, 3, 2, 4, 4, 2, 3]);
const rewards = Float64Array.from([1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0]);
const TRUNCATED = 5;
const seq = new Int32Array(N * T);
for (let i = 0; i < N; i++) {
  for (let t = 0; t < lengths[i]; t++) seq[i * T + P + t] = 3; // some non-stop token
  if (i !== TRUNCATED) seq[i * T + P + lengths[i] - 1] = EOS;
}
const rng = new Rng(5);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    // Ratios spread over about [0.7, 1.4]: some tokens outside [0.8, 1.2], some in (1.2, 1.28].
    theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.35, 0.35);
  }
const batch: Rollouts = { B, G, P, L, seq, lengths, oldLogp, rewards, offPolicy: true };

/** The paper's objective for one method, written out from its equations (float64, independent of the trainer). */
interface PaperObjective {
  /** eq. 5 (group) or eq. 6 (batch) mean; 'none' for A = r. */
  mean: 'group' | 'batch';
  /** std of eq. 5 (group), of eq. 6 over the batch, or none (eq. 7). */
  std: 'group' | 'batch' | 'none';
  /** eq. 3 (1/G Σ_i 1/|o_i| Σ_t) or eq. 4 (1/Σ_i|o_i| Σ_i Σ_t), over the kept responses. */
  aggregation: 'sequence' | 'token';
  epsLow: number;
  epsHigh: number;
  dropUniformGroups?: boolean;
  dropTruncated?: boolean;
}

function unbiasedStd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function paperLoss(o: PaperObjective, th: Float64Array): number {
  const r = Array.from(rewards);
  const batchMean = r.reduce((a, b) => a + b, 0) / N;
  const batchStd = unbiasedStd(r);
  const adv = r.map((ri, i) => {
    const g = r.slice(Math.floor(i / G) * G, Math.floor(i / G) * G + G);
    const centre = o.mean === 'group' ? g.reduce((a, b) => a + b, 0) / G : batchMean;
    const s = o.std === 'group' ? unbiasedStd(g) : o.std === 'batch' ? batchStd : 0;
    return o.std === 'none' ? ri - centre : (ri - centre) / (s + 1e-6);
  });
  const kept: number[] = [];
  for (let i = 0; i < N; i++) {
    const g = r.slice(Math.floor(i / G) * G, Math.floor(i / G) * G + G);
    if (o.dropUniformGroups && g.every((x) => x === g[0])) continue;
    if (o.dropTruncated && i === TRUNCATED) continue;
    kept.push(i);
  }
  const totalTokens = kept.reduce((a, i) => a + lengths[i], 0);
  let loss = 0;
  for (const i of kept)
    for (let t = 0; t < lengths[i]; t++) {
      const j = i * L + t;
      const rho = Math.exp(th[j] - oldLogp[j]);
      const clipped = Math.min(1 + o.epsHigh, Math.max(1 - o.epsLow, rho));
      const c = o.aggregation === 'token' ? 1 / totalTokens : 1 / (kept.length * lengths[i]);
      loss -= c * Math.min(rho * adv[i], clipped * adv[i]);
    }
  return loss;
}

/** Central differences of the paper's loss in θ against the weights the update hands the policy. */
function expectPaperGradient(recipe: Recipe, o: PaperObjective): void {
  const p = new FreeLogp(theta);
  policyUpdate(p, recipe, batch, null);
  const th = Float64Array.from(theta);
  const h = 1e-6;
  let nonzero = 0;
  for (let j = 0; j < N * L; j++) {
    const up = Float64Array.from(th),
      dn = Float64Array.from(th);
    up[j] += h;
    dn[j] -= h;
    const fd = (paperLoss(o, up) - paperLoss(o, dn)) / (2 * h);
    expect(p.w![j], `${recipe.name}: token ${j}`).toBeCloseTo(fd, 5);
    if (Math.abs(fd) > 1e-6) nonzero++;
  }
  expect(nonzero, `${recipe.name}: some tokens carry gradient`).toBeGreaterThan(10);
}

const PPO = { epsLow: 0.2, epsHigh: 0.2 };

describe("part-i methods: the weights are the gradient of the paper's objective", () => {
  it('the batch has tokens clipped on both sides and in the clip-higher band (the clips differ on it)', () => {
    let low = 0,
      high = 0,
      band = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const rho = Math.exp(theta[i * L + t] - oldLogp[i * L + t]);
        if (rho < 0.8) low++;
        if (rho > 1.28) high++;
        if (rho > 1.2 && rho <= 1.28) band++;
      }
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(0);
    expect(band).toBeGreaterThan(0);
  });
  it('Lite PPO: group mean, batch std, token-level, PPO clip 0.2 (§5)', () =>
    expectPaperGradient(METHODS.LitePPO, { mean: 'group', std: 'batch', aggregation: 'token', ...PPO }));
  it('GRPO: group mean and std (eq. 2), sequence-level (eq. 3), PPO clip 0.2, no KL', () =>
    expectPaperGradient(METHODS.GRPO, { mean: 'group', std: 'group', aggregation: 'sequence', ...PPO }));
  it('DAPO: group normalisation, token-level, clip-higher (0.2, 0.28), uniform groups dropped (eq. 4, 8, 11)', () =>
    expectPaperGradient(METHODS.DAPO, {
      mean: 'group',
      std: 'group',
      aggregation: 'token',
      epsLow: 0.2,
      epsHigh: 0.28,
      dropUniformGroups: true,
    }));
  it('GroupStd-Token: eq. 5 with token-level aggregation', () =>
    expectPaperGradient(METHODS['GroupStd-Token'], { mean: 'group', std: 'group', aggregation: 'token', ...PPO }));
  it('BatchNorm-Token: eq. 6 (batch mean, batch std)', () =>
    expectPaperGradient(METHODS['BatchNorm-Token'], { mean: 'batch', std: 'batch', aggregation: 'token', ...PPO }));
  it('NoStd-Token: eq. 7 (group mean, no std)', () =>
    expectPaperGradient(METHODS['NoStd-Token'], { mean: 'group', std: 'none', aggregation: 'token', ...PPO }));
  it('LitePPO-ClipHigher: ε_high = 0.28 (eq. 8)', () =>
    expectPaperGradient(METHODS['LitePPO-ClipHigher'], {
      mean: 'group',
      std: 'batch',
      aggregation: 'token',
      epsLow: 0.2,
      epsHigh: 0.28,
    }));
  it('LitePPO-Overlong: the truncated response is masked, the normalisation still sees its reward', () =>
    expectPaperGradient(METHODS['LitePPO-Overlong'], {
      mean: 'group',
      std: 'batch',
      aggregation: 'token',
      ...PPO,
      dropTruncated: true,
    }));
  it('the independent loss tells the methods apart (Lite PPO is not GRPO, clip-higher is not clip 0.2)', () => {
    const th = Float64Array.from(theta);
    const lite = paperLoss({ mean: 'group', std: 'batch', aggregation: 'token', ...PPO }, th);
    expect(lite).not.toBeCloseTo(paperLoss({ mean: 'group', std: 'group', aggregation: 'sequence', ...PPO }, th), 6);
    expect(lite).not.toBeCloseTo(
      paperLoss({ mean: 'group', std: 'batch', aggregation: 'token', epsLow: 0.2, epsHigh: 0.28 }, th),
      6,
    );
  });
});

describe('part-i methods: the ablations change one slot of Lite PPO', () => {
  const slots = (r: Recipe) => ({
    advantage: r.advantage,
    aggregation: r.aggregation,
    clipping: r.clipping,
    kl: r.kl,
    filters: r.filters,
    dynamicSampling: r.dynamicSampling,
    epochs: r.epochs,
    entropyBonus: r.entropyBonus,
    importance: r.importance ?? 'token',
  });
  const diff = (a: Recipe, b: Recipe) => {
    const x = slots(a) as Record<string, unknown>,
      y = slots(b) as Record<string, unknown>;
    return Object.keys(x).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
  };
  it('each ablation differs from Lite PPO in exactly its slot', () => {
    const lite = METHODS.LitePPO;
    expect(diff(METHODS['GroupStd-Token'], lite)).toEqual(['advantage']);
    expect(diff(METHODS['BatchNorm-Token'], lite)).toEqual(['advantage']);
    expect(diff(METHODS['NoStd-Token'], lite)).toEqual(['advantage']);
    expect(diff(METHODS['LitePPO-ClipHigher'], lite)).toEqual(['clipping']);
    expect(diff(METHODS['LitePPO-Overlong'], lite)).toEqual(['filters']);
  });
  it('GRPO differs from GroupStd-Token only in the aggregation, and from Lite PPO in the two techniques', () => {
    expect(diff(METHODS.GRPO, METHODS['GroupStd-Token'])).toEqual(['aggregation']);
    expect(diff(METHODS.GRPO, METHODS.LitePPO)).toEqual(['advantage', 'aggregation']);
  });
  it('no method has a KL term or several passes (the unified learner: one pass, init_kl_coef 0)', () => {
    for (const [name, r] of Object.entries(METHODS)) {
      expect(r.kl.kind, name).toBe('none');
      expect(r.epochs, name).toBe(1);
    }
  });
});

describe('part-i helpers', () => {
  it('movingAverage averages the trailing window (the first entries what is there)', () => {
    expect(movingAverage([1, 3, 5, 7], 2)).toEqual([1, 2, 4, 6]);
    expect(() => movingAverage([1], 0)).toThrow(/window/);
  });
  it('peakDrop is 0 for a rising curve and the fall from the smoothed peak otherwise', () => {
    expect(peakDrop([0, 1, 2, 3, 4], 2)).toBe(0);
    // MA(2): 1, 2, 3, 2, 1 → peak 3, last 1.
    expect(peakDrop([1, 3, 3, 1, 1], 2)).toBe(2);
    expect(dropWindow(128)).toBe(13);
    expect(dropWindow(20)).toBe(4);
  });
  it('lengthCv is the population coefficient of variation', () => {
    expect(lengthCv([2, 4])).toBeCloseTo(1 / 3, 14);
    expect(lengthCv([5, 5, 5])).toBe(0);
    expect(Number.isNaN(lengthCv([]))).toBe(true);
  });
  it("evaluateWithLengths: the loop's evaluateCounts counts, and the samples' lengths and truncation flags", () => {
    const model = new TransformerLm(
      { vocab: VOCAB_SIZE, context: 64, layers: 1, dModel: 16, heads: 2, mlp: 32 },
      new Rng(3),
    );
    const policy = new LmPolicy(model, { lr: 1 });
    const problems = distinctProblems(additionTask, 7, 1, 'heldout', 5);
    const e = evaluateWithLengths(policy, additionTask, problems, 6, new Rng(9), 12);
    const c = evaluateCounts(policy, additionTask, problems, 6, new Rng(9), 12);
    expect(Array.from(e.counts)).toEqual(Array.from(c));
    expect(e.lengths.length).toBe(30);
    for (let i = 0; i < 30; i++) expect(e.lengths[i]).toBeGreaterThanOrEqual(1);
    // A random model rarely stops: most samples run to the budget and are flagged truncated.
    expect(Array.from(e.truncated).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('part-i runSeed', () => {
  const tiny: Config = {
    ...DEFAULTS,
    sections: [
      { level: 2, updates: 3, methods: ['GRPO', 'LitePPO'] },
      { level: 3, updates: 2, methods: ['DAPO', 'LitePPO-Overlong'] },
    ],
    batchPrompts: 3,
    groupSize: 4,
    evalProblems: 3,
    evalSamples: 8,
    passKs: [1, 8],
  };
  it('refuses an unknown method, naming the known ones', () => {
    expect(() => runSeed({ ...tiny, sections: [{ level: 3, updates: 1, methods: ['PPO'] }] }, 0)).toThrow(
      /unknown method "PPO".*LitePPO/,
    );
  });
  it('records every key the notebook reads, pass@k from the recorded counts, and is deterministic', () => {
    const r = runSeed(tiny, 0);
    for (const [level, methods] of [
      ['L2', ['GRPO', 'LitePPO']],
      ['L3', ['DAPO', 'LitePPO-Overlong']],
    ] as const) {
      for (const m of ['base', ...methods]) {
        const counts = r.series![metricKey(m, `${level}:counts`)];
        expect(counts.length).toBe(3);
        for (const k of [1, 8])
          expect(r.metrics[metricKey(m, `${level}:pass@${k}`)]).toBeCloseTo(passAtKFromCounts(counts, 8, k), 14);
        for (const k of ['truncated', 'lengthCv', 'uniformGroups'])
          expect(Number.isFinite(r.metrics[metricKey(m, `${level}:${k}`)]), `${m} ${level} ${k}`).toBe(true);
      }
      for (const m of methods) {
        expect(r.series![metricKey(m, `${level}:reward`)].length).toBe(level === 'L2' ? 3 : 2);
        for (const k of ['meanReward', 'lateReward', 'peakDrop', 'clippedFraction', 'keptFraction'])
          expect(Number.isFinite(r.metrics[metricKey(m, `${level}:${k}`)]), `${m} ${level} ${k}`).toBe(true);
      }
    }
    // Same problems and sampling streams for every method of a level: the first batch's rewards coincide.
    expect(r.series![metricKey('GRPO', 'L2:reward')][0]).toBe(r.series![metricKey('LitePPO', 'L2:reward')][0]);
    const again = runSeed(tiny, 0);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
});
