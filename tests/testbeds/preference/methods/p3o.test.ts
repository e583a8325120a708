import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  p3oLoss,
  p3oUpdate,
  pairDifferences,
  type P3oConfig,
  type P3oVariant,
  type PairBatch,
} from '../../../../src/testbeds/preference/methods/p3o';
import { makePolicyState, samplePolicy } from '../../../../src/testbeds/preference/policies/logit-model';
import { logSoftmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';

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

describe('P3O on a tabular policy', () => {
  const rng = new Rng(31);
  const logpRef = logSoftmaxRows(randomVec(rng, n), shape);
  const reward = randomVec(rng, n);
  const offsets = randomVec(rng, shape.nX, 5);

  it(
    'P3O surrogate gradients (separate and joint clipping) ' + 'match finite differences, including clipped samples',
    () => {
      const old = logSoftmaxRows(randomVec(rng, n, 0.5), shape);
      const cur = Float64Array.from(old);
      for (let i = 0; i < n; i++) cur[i] += 0.3 * rng.normal(); // ratios away from 1: some clipped
      const pb = pairBatch(rng.split('p'), old, logpRef, reward, null);
      const D = pairDifferences(pb, 0.1);
      const idx = Array.from({ length: pb.n }, (_, i) => i);
      for (const variant of ['separate', 'joint'] as P3oVariant[])
        expect(fdCheck((t) => p3oLoss(t, shape, pb, D, idx, { clip: 0.2, variant }), cur)).toBeLessThan(1e-5);
    },
  );

  it(
    'at ρ = 1 the P3O gradient is the pairwise policy ' + 'gradient −(Δ/2)·∇(log π(y1) − log π(y2)) (both variants)',
    () => {
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
    },
  );

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
});
