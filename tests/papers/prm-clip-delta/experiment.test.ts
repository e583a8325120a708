import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { auc, checkConfig, fitRewardModels, type Config } from '../../../src/papers/prm-clip-delta/experiment';
import {
  A_REPEAT,
  referenceProbs,
  rollout,
  sampleProblem,
  type ArithmeticTask,
  type ReferencePolicy,
} from '../../../src/testbeds/rlvr/env/step-arithmetic';
import { prmScores } from '../../../src/testbeds/rlvr/methods/process-rewards';

const task: ArithmeticTask = { minTerms: 3, maxTerms: 5, maxSteps: 10 };
const ref: ReferencePolicy = {
  slip: [0.04, 0.16],
  repeat: [0.08, 0.12],
  wrongOperand: 0.04,
  earlyAnswer: 0.03,
  extraLine: 0.04,
};
const sum = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0);

describe('prm-clip-delta: the learned reward models of the experiment', () => {
  it(
    'on the task, the PRM separates correct from incorrect ' +
      'prefixes but scores a repeated correct line high (hackable)',
    () => {
      const rng = new Rng(6);
      const P = referenceProbs(task, ref);
      const sols = Array.from({ length: 1500 }, () => rollout(task, sampleProblem(task, rng), P, rng));
      const fit = fitRewardModels(task, sols, 1e-3);
      const scores: number[] = [];
      const labels: number[] = [];
      const rep: number[] = [];
      for (const s of sols) {
        const sc = prmScores(fit.prm, s);
        for (let k = 0; k < s.len; k++) {
          scores.push(sc[k]);
          labels.push(s.prefixCorrect[k]);
          if (s.actions[k] === A_REPEAT && s.prefixCorrect[k] === 1) rep.push(sc[k]);
        }
      }
      expect(auc(scores, labels)).toBeGreaterThan(0.8);
      expect(sum(rep) / rep.length).toBeGreaterThan(0.8);
      expect(fit.meanScore).toBeGreaterThan(0.3);
      expect(fit.meanScore).toBeLessThan(0.95);
    },
  );
  it('auc on a hand case (ties count one half)', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5], [0, 1])).toBeCloseTo(0.5, 12);
  });
});

describe('prm-clip-delta: config errors', () => {
  it('rejects a bad experiment config with what was wrong', () => {
    const cfg: Config = {
      task,
      reference: ref,
      refSamples: 100,
      heldOutSamples: 10,
      l2: 1e-3,
      alpha: 1,
      eta: 'mean',
      methods: ['success'],
      iterations: 1,
      batchPrompts: 1,
      groupSize: 4,
      lr: 1,
      testProblems: 1,
      evalSamples: 1,
      logEvery: 1,
      bestOfN: 1,
    };
    expect(() => checkConfig({ ...cfg, groupSize: 1 })).toThrow(/groupSize must be an integer ≥ 2, got 1/);
    expect(() => checkConfig({ ...cfg, methods: ['ppo' as never] })).toThrow(/unknown method ppo/);
    expect(() => checkConfig({ ...cfg, eta: 'median' as never })).toThrow(/eta must be 'mean' or a finite number/);
  });
});
