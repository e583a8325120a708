/**
 * The RLVR base model: exact success probabilities agree with sampling, and the disk cache round-trips
 * (and reports corruption).
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
import {
  baseModel,
  baseModelFile,
  exactSuccess,
  pretrainBaseModel,
  randomProblems,
  type BaseModelSpec,
} from '../../../../src/testbeds/rlvr/policies/base-model';

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
      const s = model.sample(prompts, n, P, L, new Rng(10 + i), { eos: ADD_EOS, pad: ADD_PAD });
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
});
