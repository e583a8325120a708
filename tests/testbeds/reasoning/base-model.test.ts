/**
 * The reasoning base model's supervised batches and cache key: the loss weights cover exactly the completion
 * tokens and sum to −1 (mean token cross-entropy), padding and prompts get weight 0, a corrupted fraction of 1
 * corrupts every trace; the cache key changes with the spec; a few steps of pre-training lower the loss.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  ADDITION_BASE,
  pretrainReasoningBase,
  reasoningBaseFile,
  sftBatch,
} from '../../../src/testbeds/reasoning/base-model';
import { additionTask } from '../../../src/testbeds/reasoning/tasks/addition';
import { ProblemStream } from '../../../src/testbeds/reasoning/tasks/splits';
import { BOS, PAD, THINK } from '../../../src/testbeds/reasoning/tasks/vocab';

describe('reasoning base model', () => {
  const spec = { ...ADDITION_BASE, batch: 12 };
  it('weights −1/(completion tokens) on completion targets only', () => {
    const b = sftBatch(spec, new Rng(1), new ProblemStream(additionTask, 0, 'train'));
    const O = b.T - 1;
    let sum = 0;
    for (let n = 0; n < b.N; n++) {
      expect(b.tokens[n * b.T]).toBe(BOS);
      const think = Array.from(b.tokens.subarray(n * b.T, (n + 1) * b.T)).indexOf(THINK);
      for (let s = 0; s < O; s++) {
        const target = b.tokens[n * b.T + s + 1];
        const w = b.w[n * O + s];
        sum += w;
        // Targets after the ':' (the completion, EOS included) are trained; the prompt and PAD are not.
        if (s + 1 <= think || target === PAD) expect(w).toBe(0);
        else expect(w).toBeLessThan(0);
      }
    }
    expect(sum).toBeCloseTo(-1, 5);
  });
  it('the level mixture is respected (a one-level mixture gives one length)', () => {
    const b = sftBatch(
      { ...spec, mixture: [{ level: 2, weight: 1 }] },
      new Rng(2),
      new ProblemStream(additionTask, 0, 'train'),
    );
    expect(b.T).toBe(additionTask.maxLength(2));
  });
  it('the cache key depends on the spec', () => {
    expect(reasoningBaseFile(ADDITION_BASE)).not.toBe(reasoningBaseFile({ ...ADDITION_BASE, steps: 601 }));
    expect(reasoningBaseFile(ADDITION_BASE)).toMatch(/addition-tf2x64-[0-9a-f]{12}\.bin$/);
  });
  it('pre-training lowers the loss and is deterministic', () => {
    const small = { ...ADDITION_BASE, steps: 30, batch: 16, model: { ...ADDITION_BASE.model, layers: 1, dModel: 32 } };
    const a = pretrainReasoningBase(small),
      b = pretrainReasoningBase(small);
    expect(a.losses[a.losses.length - 1]).toBeLessThan(a.losses[0] - 1);
    expect(Buffer.from(a.model.snapshot().buffer).equals(Buffer.from(b.model.snapshot().buffer))).toBe(true);
  });
});
