import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  featureDim,
  goldReward,
  labelPairs,
  randomTokenPolicy,
  randomTokenTask,
  refLogProbs,
  samplePrompts,
  sampleResponses,
  type SequenceSet,
} from '../../../../src/testbeds/preference/data/token-sequences';
import {
  explicitRewards,
  implicitRewards,
  pairwiseLoss,
} from '../../../../src/testbeds/preference/methods/sequence-rewards';

const V = 5,
  P = 2,
  L = 3;

function setup(seed: number) {
  const rng = new Rng(seed);
  const task = randomTokenTask(rng.split('task'), { V, P, alpha: 1, rho: 0.7 });
  const ref = randomTokenPolicy(rng.split('ref'), { V, unigramScale: 1, bigramScale: 0.5, copy: 0.5 });
  const promptProbs = new Float64Array(V).fill(1 / V);
  const prompts = samplePrompts(rng.split('p'), promptProbs, 40, P);
  const a = sampleResponses(rng.split('a'), ref, prompts, P, L);
  const b = sampleResponses(rng.split('b'), ref, prompts, P, L);
  return { rng, task, ref, a, b, pairs: labelPairs(rng.split('l'), task, a, b, 'bradley-terry') };
}

/** Every response of length L for one prompt (V^L of them). */
function allResponses(prompt: number[]): SequenceSet {
  const n = V ** L;
  const prompts = new Int32Array(n * P),
    responses = new Int32Array(n * L);
  for (let i = 0; i < n; i++) {
    prompts.set(prompt, i * P);
    let k = i;
    for (let t = 0; t < L; t++) {
      responses[i * L + t] = k % V;
      k = Math.floor(k / V);
    }
  }
  return { n, P, L, prompts, responses };
}

describe('token-sequence reward models', () => {
  it('the implicit reward is exactly β·log π_φ(y|x)/π_ref(y|x): π_ref·exp(r/β) sums to 1 over all responses', () => {
    const { ref, rng } = setup(51);
    const phi = new Float64Array(featureDim(V));
    for (let i = 0; i < phi.length; i++) phi[i] = 0.3 * rng.normal();
    const beta = 0.4;
    const all = allResponses([1, 3]);
    const r = implicitRewards(phi, beta, ref, all);
    const lp = new Float64Array(V);
    let total = 0;
    for (let i = 0; i < all.n; i++) {
      let logRef = 0,
        prev = V;
      for (let t = 0; t < L; t++) {
        refLogProbs(ref, all.prompts, i * P, P, prev, lp);
        logRef += lp[all.responses[i * L + t]];
        prev = all.responses[i * L + t];
      }
      total += Math.exp(logRef + r[i] / beta);
    }
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);
    // with φ = 0 the implicit reward is 0 everywhere
    expect(Math.max(...implicitRewards(new Float64Array(featureDim(V)), beta, ref, all).map(Math.abs))).toBeLessThan(
      1e-14,
    );
  });

  it('the explicit reward model can represent the gold reward exactly', () => {
    const { task, a } = setup(52);
    const w = new Float64Array(featureDim(V));
    for (let v = 0; v < V; v++) w[v] = task.g[v];
    w[V] = task.alpha;
    w[V + 1] = -task.rho;
    const r = explicitRewards(w, V, a);
    for (let i = 0; i < a.n; i++) expect(Math.abs(r[i] - goldReward(task, a, i))).toBeLessThan(1e-12);
  });

  it('EXRM and DPO (implicit-reward) pairwise losses have exact gradients (finite differences)', () => {
    const { ref, pairs, rng } = setup(53);
    const D = featureDim(V);
    const theta = new Float64Array(D);
    for (let i = 0; i < D; i++) theta[i] = 0.2 * rng.normal();
    const fns = [
      (w: Float64Array, s: SequenceSet, c?: Float64Array, g?: Float64Array) => explicitRewards(w, V, s, c, g),
      (w: Float64Array, s: SequenceSet, c?: Float64Array, g?: Float64Array) => implicitRewards(w, 0.3, ref, s, c, g),
    ];
    for (const f of fns) {
      const { grad } = pairwiseLoss(theta, pairs, f, 0.01);
      let worst = 0;
      for (let k = 0; k < D; k++) {
        const tp = Float64Array.from(theta),
          tm = Float64Array.from(theta);
        tp[k] += 1e-6;
        tm[k] -= 1e-6;
        const g = (pairwiseLoss(tp, pairs, f, 0.01).loss - pairwiseLoss(tm, pairs, f, 0.01).loss) / 2e-6;
        worst = Math.max(worst, Math.abs(g - grad[k]) / (0.01 + Math.abs(grad[k])));
      }
      expect(worst).toBeLessThan(1e-5);
    }
  });
});
