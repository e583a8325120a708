/**
 * The GRU RL loop: greedy curation keeps exactly the unsolved problems, a seed reproduces a run bit for
 * bit, and a policy-gradient run raises the training reward.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../../../src/core/rng';
import {
  additionReward,
  answerLength,
  ADD_EOS,
  ADD_PAD,
  encodePrompt,
  promptLength,
} from '../../../../src/testbeds/rlvr/env/addition';
import { runGruRlSeed, type GruRlConfig } from '../../../../src/testbeds/rlvr/loops/gru-rl';
import { dropGreedySolved } from '../../../../src/testbeds/rlvr/methods/self-curation';
import { baseModel, randomProblems, type BaseModelSpec } from '../../../../src/testbeds/rlvr/policies/base-model';

const tiny: BaseModelSpec = { hidden: 16, digits: [1], steps: 300, batch: 128, lr: 1e-2, seed: 3 };

describe('rlvr GRU RL loop', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-rl-'));
  const cfg = (o: Partial<GruRlConfig> = {}): GruRlConfig => ({
    base: tiny,
    digits: [1],
    nTrain: 32,
    nHeldOut: 16,
    steps: 30,
    batchPrompts: 8,
    groupSize: 8,
    lr: 3e-3,
    advantage: { kind: 'grpo' },
    aggregation: 'seq-mean-token-mean',
    evalEvery: 10,
    passKs: [1, 16],
    ...o,
  });
  const withDir = <T>(f: () => T): T => {
    const prev = process.env.RLMINI_MODELS_DIR;
    process.env.RLMINI_MODELS_DIR = dir;
    try {
      return f();
    } finally {
      if (prev === undefined) delete process.env.RLMINI_MODELS_DIR;
      else process.env.RLMINI_MODELS_DIR = prev;
    }
  };

  it('a seed reproduces its run bit for bit, and GRPO raises training pass@1', () => {
    const a = withDir(() => runGruRlSeed(cfg(), 5));
    const b = withDir(() => runGruRlSeed(cfg(), 5));
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    expect(a.metrics['rl/train:pass@1']).toBeGreaterThan(a.metrics['base/train:pass@1'] + 0.02);
  });

  it('SELF curation keeps exactly the problems whose greedy answer is wrong', () => {
    const { model } = withDir(() => baseModel(tiny));
    const P = promptLength(1),
      L = answerLength(1);
    const problems = randomProblems(new Rng(4), 40, [1]);
    const kept = dropGreedySolved(model, problems, P, L);
    const g = model.sample(
      Int32Array.from(problems.flatMap((p) => Array.from(encodePrompt(p, P)))),
      problems.length,
      P,
      L,
      new Rng(9),
      { eos: ADD_EOS, pad: ADD_PAD, greedy: true },
    );
    const unsolved = problems.filter((p, i) => additionReward(p, g.tokens, i * L, g.lengths[i]) === 0);
    expect(kept).toEqual(unsolved);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(problems.length);
  });

  it('rejects training digits beyond the base model', () => {
    expect(() => withDir(() => runGruRlSeed(cfg({ digits: [2] }), 1))).toThrow(
      /exceed the base model's largest operand size 1/,
    );
  });
});
