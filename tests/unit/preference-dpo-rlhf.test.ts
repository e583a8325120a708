import { fdCheck, maxAbsDiff } from '../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  logLinearModel,
  makePolicyState,
  ppoSurrogate,
  ppoUpdate,
  samplePolicy,
  type PpoConfig,
  type SampleBatch,
} from '../../src/testbeds/preference/rlhf';
import {
  p3oLoss,
  p3oUpdate,
  pairDifferences,
  type P3oConfig,
  type P3oVariant,
  type PairBatch,
} from '../../src/testbeds/preference/p3o';
import { RewardShaper, RunningMeanStd, parReward, reference85 } from '../../src/testbeds/preference/par';
import { logSoftmaxRows } from '../../src/testbeds/preference/tabular-policy';

const shape = { nX: 4, nY: 6 };
const n = shape.nX * shape.nY;

function randomVec(rng: Rng, len: number, s = 1): Float64Array {
  const v = new Float64Array(len);
  for (let i = 0; i < len; i++) v[i] = s * rng.normal();
  return v;
}

/** A fixed pair batch drawn from π_old = softmax(logits). */
function pairBatch(
  rng: Rng,
  logits: Float64Array,
  logpRef: Float64Array,
  reward: Float64Array,
  offsets: Float64Array | null,
): PairBatch {
  const s = samplePolicy(rng, logits, shape, [0, 1, 2, 3, 0, 1, 2, 3], 2);
  const m = s.x.length / 2;
  const b: PairBatch = {
    n: m,
    x: new Int32Array(m),
    y1: new Int32Array(m),
    y2: new Int32Array(m),
    score1: new Float64Array(m),
    score2: new Float64Array(m),
    logpOld1: new Float64Array(m),
    logpOld2: new Float64Array(m),
    logpRef1: new Float64Array(m),
    logpRef2: new Float64Array(m),
  };
  for (let i = 0; i < m; i++) {
    const x = s.x[2 * i],
      y1 = s.y[2 * i],
      y2 = s.y[2 * i + 1];
    b.x[i] = x;
    b.y1[i] = y1;
    b.y2[i] = y2;
    b.score1[i] = reward[x * shape.nY + y1] + (offsets ? offsets[x] : 0);
    b.score2[i] = reward[x * shape.nY + y2] + (offsets ? offsets[x] : 0);
    b.logpOld1[i] = s.logp[x * shape.nY + y1];
    b.logpOld2[i] = s.logp[x * shape.nY + y2];
    b.logpRef1[i] = logpRef[x * shape.nY + y1];
    b.logpRef2[i] = logpRef[x * shape.nY + y2];
  }
  return b;
}

function singleBatch(
  rng: Rng,
  logits: Float64Array,
  logpRef: Float64Array,
  reward: Float64Array,
  offsets: Float64Array | null,
): SampleBatch {
  const s = samplePolicy(rng, logits, shape, [0, 1, 2, 3, 0, 1, 2, 3], 2);
  const m = s.x.length;
  const b: SampleBatch = {
    n: m,
    x: s.x,
    y: s.y,
    score: new Float64Array(m),
    logpOld: new Float64Array(m),
    logpRef: new Float64Array(m),
  };
  for (let i = 0; i < m; i++) {
    const x = s.x[i],
      y = s.y[i];
    b.score[i] = reward[x * shape.nY + y] + (offsets ? offsets[x] : 0);
    b.logpOld[i] = s.logp[x * shape.nY + y];
    b.logpRef[i] = logpRef[x * shape.nY + y];
  }
  return b;
}

describe('PPO and P3O on a tabular policy', () => {
  const rng = new Rng(31);
  const logpRef = logSoftmaxRows(randomVec(rng, n), shape);
  const reward = randomVec(rng, n);
  const offsets = randomVec(rng, shape.nX, 5);

  it('surrogate gradients match finite differences (PPO; P3O separate and joint), including clipped samples', () => {
    const old = logSoftmaxRows(randomVec(rng, n, 0.5), shape);
    const cur = Float64Array.from(old);
    for (let i = 0; i < n; i++) cur[i] += 0.3 * rng.normal(); // ratios away from 1: some clipped
    const sb = singleBatch(rng.split('s'), old, logpRef, reward, null);
    const A = randomVec(rng, sb.n);
    const all = Array.from({ length: sb.n }, (_, i) => i);
    const ppo = ppoSurrogate(cur, shape, sb, A, all, 0.2);
    expect(ppo.clipFrac).toBeGreaterThan(0);
    expect(fdCheck((t) => ppoSurrogate(t, shape, sb, A, all, 0.2), cur)).toBeLessThan(1e-5);
    const pb = pairBatch(rng.split('p'), old, logpRef, reward, null);
    const D = pairDifferences(pb, 0.1);
    const idx = Array.from({ length: pb.n }, (_, i) => i);
    for (const variant of ['separate', 'joint'] as P3oVariant[])
      expect(fdCheck((t) => p3oLoss(t, shape, pb, D, idx, { clip: 0.2, variant }), cur)).toBeLessThan(1e-5);
  });

  it('at ρ = 1 the P3O gradient is the pairwise policy gradient −(Δ/2)·∇(log π(y1) − log π(y2)) (both variants)', () => {
    const old = logSoftmaxRows(randomVec(rng, n), shape);
    const pb = pairBatch(rng.split('pg'), old, logpRef, reward, null);
    const D = pairDifferences(pb, 0.1);
    const idx = Array.from({ length: pb.n }, (_, i) => i);
    const expected = new Float64Array(n);
    for (let i = 0; i < pb.n; i++) {
      const x = pb.x[i];
      const h = D[i] / 2 / pb.n;
      expected[x * shape.nY + pb.y1[i]] -= h;
      expected[x * shape.nY + pb.y2[i]] += h;
    }
    for (const variant of ['separate', 'joint'] as P3oVariant[])
      expect(maxAbsDiff(p3oLoss(old, shape, pb, D, idx, { clip: 0.2, variant }).grad, expected)).toBeLessThan(1e-14);
  });

  for (const variant of ['separate', 'joint'] as P3oVariant[]) {
    it(`P3O (${variant} clipping) is invariant to per-prompt reward offsets: identical updates`, () => {
      const cfg: P3oConfig = { beta: 0.1, clip: 0.2, epochs: 3, minibatches: 2, variant };
      const run = (off: Float64Array | null) => {
        const st = makePolicyState(shape, logpRef, { optimiser: 'adam', lr: 0.05, criticLr: 0.1 });
        const r = new Rng(32);
        for (let it = 0; it < 5; it++)
          p3oUpdate(st, pairBatch(r.split(it), st.logits, logpRef, reward, off), cfg, r.split(`shuffle${it}`));
        return st.logits;
      };
      const a = run(null),
        b = run(offsets);
      expect(maxAbsDiff(a, logpRef)).toBeGreaterThan(0.05); // it did learn something
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
    });
  }

  it('PPO is not invariant to per-prompt reward offsets: its updates change', () => {
    const cfg: PpoConfig = {
      beta: 0.1,
      clip: 0.2,
      epochs: 3,
      minibatches: 2,
      optimiser: 'sgd',
      lr: 0.5,
      criticLr: 0.1,
      whiten: false,
    };
    const run = (off: Float64Array | null) => {
      const st = makePolicyState(shape, logpRef, { optimiser: 'sgd', lr: 0.5, criticLr: 0.1 });
      ppoUpdate(st, singleBatch(new Rng(33), st.logits, logpRef, reward, off), cfg, new Rng(34));
      return st.logits;
    };
    expect(maxAbsDiff(run(null), run(offsets))).toBeGreaterThan(1e-2);
    // with whitened advantages as well
    const cfgW = { ...cfg, whiten: true };
    const runW = (off: Float64Array | null) => {
      const st = makePolicyState(shape, logpRef, { optimiser: 'sgd', lr: 0.5, criticLr: 0.1 });
      ppoUpdate(st, singleBatch(new Rng(33), st.logits, logpRef, reward, off), cfgW, new Rng(34));
      return st.logits;
    };
    expect(maxAbsDiff(runW(null), runW(offsets))).toBeGreaterThan(1e-2);
  });

  it('PPO with a log-linear policy: the parameter gradient is the logit gradient pulled back through the features', () => {
    const d = 3;
    const features = randomVec(rng, n * d);
    const model = logLinearModel(logpRef, features, d);
    const sb = singleBatch(rng.split('ll'), logpRef, logpRef, reward, null);
    const A = randomVec(rng, sb.n);
    const all = Array.from({ length: sb.n }, (_, i) => i);
    const f = (th: Float64Array) => {
      const r = ppoSurrogate(model.logits(th), shape, sb, A, all, 0.2);
      return { loss: r.loss, grad: model.backprop(r.grad) };
    };
    expect(fdCheck(f, randomVec(rng, d, 0.2))).toBeLessThan(1e-5);
  });
});

describe('PAR and the reward shapings it compares', () => {
  it('PAR is the mean sigmoid of the centred reward; bounded in (0, 1); ½ at a single reference equal to r', () => {
    expect(parReward(1.3, [1.3])).toBe(0.5);
    const refs = [0.2, -1, 3];
    const expected = refs.reduce((s, r) => s + 1 / (1 + Math.exp(-(2 - r))), 0) / 3;
    expect(Math.abs(parReward(2, refs) - expected)).toBeLessThan(1e-15);
    expect(parReward(1e6, refs)).toBeLessThanOrEqual(1);
    expect(parReward(-1e6, refs)).toBeGreaterThanOrEqual(0);
    // invariant to a common offset of the reward and its references (a function of the centred reward)
    expect(
      Math.abs(
        parReward(
          2 + 7,
          refs.map((r) => r + 7),
        ) - parReward(2, refs),
      ),
    ).toBeLessThan(1e-12);
  });

  it('LSC centres at the normal 85th percentile of the references', () => {
    const refs = [1, 2, 3, 4];
    const m = 2.5,
      sd = Math.sqrt(1.25);
    expect(Math.abs(reference85(refs) - (m + 1.0364333894937898 * sd))).toBeLessThan(1e-12);
    const sh = new RewardShaper('lsc');
    const out = sh.shape(Float64Array.of(reference85(refs)), [0], () => refs);
    expect(Math.abs(out[0] - Math.log(0.5))).toBeLessThan(1e-12);
  });

  it('running statistics equal the statistics of everything seen so far', () => {
    const rng = new Rng(41);
    const all: number[] = [];
    const rs = new RunningMeanStd();
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 7 + b }, () => 3 + 2 * rng.normal());
      rs.update(batch);
      all.push(...batch);
    }
    const m = all.reduce((s, v) => s + v, 0) / all.length;
    const sd = Math.sqrt(all.reduce((s, v) => s + (v - m) * (v - m), 0) / all.length);
    expect(Math.abs(rs.mean - m)).toBeLessThan(1e-12);
    expect(Math.abs(rs.std - sd)).toBeLessThan(1e-12);
    const sh = new RewardShaper('minmax');
    sh.shape(Float64Array.of(-1, 5), [0, 0], () => []);
    const out = sh.shape(Float64Array.of(2), [0], () => []);
    expect(out[0]).toBe(0.5);
  });

  it('rejects unknown shapings and prompts without references', () => {
    expect(() => new RewardShaper('nope' as never)).toThrow(/unknown shaping/);
    expect(() => new RewardShaper('par').shape(Float64Array.of(1), [0], () => [])).toThrow(/no reference rewards/);
  });
});
