import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  ppoSurrogate,
  ppoUpdate,
  type PpoConfig,
  type SampleBatch,
} from '../../../../src/testbeds/preference/methods/rlhf';
import {
  logLinearModel,
  makePolicyState,
  samplePolicy,
} from '../../../../src/testbeds/preference/policies/logit-model';
import { logSoftmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';

const shape = { nX: 4, nY: 6 };
const n = shape.nX * shape.nY;

function randomVec(rng: Rng, len: number, s = 1): Float64Array {
  const v = new Float64Array(len);
  for (let i = 0; i < len; i++) v[i] = s * rng.normal();
  return v;
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

describe('PPO on a tabular policy', () => {
  const rng = new Rng(31);
  const logpRef = logSoftmaxRows(randomVec(rng, n), shape);
  const reward = randomVec(rng, n);
  const offsets = randomVec(rng, shape.nX, 5);

  it('the PPO surrogate gradient matches finite differences, including clipped samples', () => {
    const old = logSoftmaxRows(randomVec(rng, n, 0.5), shape);
    const cur = Float64Array.from(old);
    for (let i = 0; i < n; i++) cur[i] += 0.3 * rng.normal(); // ratios away from 1: some clipped
    const sb = singleBatch(rng.split('s'), old, logpRef, reward, null);
    const A = randomVec(rng, sb.n);
    const all = Array.from({ length: sb.n }, (_, i) => i);
    const ppo = ppoSurrogate(cur, shape, sb, A, all, 0.2);
    expect(ppo.clipFrac).toBeGreaterThan(0);
    expect(fdCheck((t) => ppoSurrogate(t, shape, sb, A, all, 0.2), cur)).toBeLessThan(1e-5);
  });

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

  it(
    'PPO with a log-linear policy: the parameter gradient ' + 'is the logit gradient pulled back through the features',
    () => {
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
    },
  );
});
