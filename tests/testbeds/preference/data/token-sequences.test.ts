import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  goldReward,
  labelPairs,
  randomTokenPolicy,
  randomTokenTask,
  samplePrompts,
  sampleResponses,
} from '../../../../src/testbeds/preference/data/token-sequences';

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

describe('token-sequence data', () => {
  it('deterministic labels put the higher-gold response first and drop ties', () => {
    const { task, a, b, rng } = setup(54);
    const p = labelPairs(rng, task, a, b, 'deterministic');
    for (let i = 0; i < p.chosen.n; i++)
      expect(goldReward(task, p.chosen, i)).toBeGreaterThan(goldReward(task, p.rejected, i));
  });
});
