/**
 * The RLVR base model and GRU RL loop: exact success probabilities agree with sampling, the disk
 * cache round-trips (and reports corruption), pass@k from probabilities matches its closed form,
 * greedy curation keeps exactly the unsolved problems, a seed reproduces a run bit for bit, and a
 * policy-gradient run raises the training reward.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../../src/core/rng';
import { additionReward, answerLength, EOS, PAD, encodePrompt, promptLength } from '../../src/testbeds/rlvr/addition';
import {
  baseModel,
  baseModelFile,
  exactSuccess,
  pretrainBaseModel,
  randomProblems,
  type BaseModelSpec,
} from '../../src/testbeds/rlvr/base-model';
import { dropGreedySolved, meanPassAtK, runGruRlSeed, type GruRlConfig } from '../../src/testbeds/rlvr/gru-rl';

const tiny: BaseModelSpec = { hidden: 16, digits: [1], steps: 300, batch: 128, lr: 1e-2, seed: 3 };

describe('rlvr base model', () => {
  it('exact success equals the sampled success frequency (teacher forcing vs the sampler and the verifier)', () => {
    const { model } = pretrainBaseModel(tiny);
    const problems = randomProblems(new Rng(1), 6, [1]);
    const P = promptLength(1),
      L = answerLength(1);
    const p = exactSuccess(model, problems, P);
    expect(Math.max(...p)).toBeGreaterThan(0.2); // it learned something, so the check has teeth
    const n = 4000;
    for (let i = 0; i < problems.length; i++) {
      const prompts = new Int32Array(n * P);
      const row = encodePrompt(problems[i], P);
      for (let r = 0; r < n; r++) prompts.set(row, r * P);
      const s = model.sample(prompts, n, P, L, new Rng(10 + i), { eos: EOS, pad: PAD });
      let hits = 0;
      for (let r = 0; r < n; r++) hits += additionReward(problems[i], s.tokens, r * L, s.lengths[r]);
      const se = Math.sqrt((p[i] * (1 - p[i])) / n);
      expect(Math.abs(hits / n - p[i])).toBeLessThan(4 * se + 2e-3);
    }
  });

  it('caches to disk: the second call loads identical weights; a corrupt file names itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
    const prev = process.env.RLMINI_MODELS_DIR;
    process.env.RLMINI_MODELS_DIR = dir;
    try {
      const spec = { ...tiny, steps: 20 };
      const a = baseModel(spec);
      expect(a.cached).toBe(false);
      expect(fs.existsSync(baseModelFile(spec))).toBe(true);
      const b = baseModel(spec);
      expect(b.cached).toBe(true);
      expect(Array.from(b.model.params.f)).toEqual(Array.from(a.model.params.f));
      expect(b.losses).toEqual(a.losses);
      fs.writeFileSync(
        baseModelFile(spec),
        '{"format":"rlmini-gru-lm/1","shape":{"vocab":14,"hidden":16},"size":5}\n123',
      );
      expect(() => baseModel(spec)).toThrow(new RegExp(`${path.basename(baseModelFile(spec))}.*delete it to retrain`));
    } finally {
      if (prev === undefined) delete process.env.RLMINI_MODELS_DIR;
      else process.env.RLMINI_MODELS_DIR = prev;
    }
  });

  it('meanPassAtK is 1 − (1 − p)^k averaged over problems', () => {
    expect(meanPassAtK([0, 1, 0.5], 1)).toBeCloseTo(0.5, 12);
    expect(meanPassAtK([0.5, 0.1], 3)).toBeCloseTo((1 - 0.125 + 1 - 0.729) / 2, 12);
  });
});

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
    expect(a.metrics['final:train:pass@1']).toBeGreaterThan(a.metrics['base:train:pass@1'] + 0.02);
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
      { eos: EOS, pad: PAD, greedy: true },
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
