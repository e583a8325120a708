/**
 * Supervised training sequences: the reference chain of thought, or, with probability
 * `corruptFraction`, the reference with one corrupted step (see each task's `corrupt`), so a base
 * model can be pretrained on a fraction of wrong traces.
 */
import { Rng } from '../../../core/rng';
import { taskOf } from './registry';
import type { CorruptOptions, Problem } from './task';

/** One supervised sequence. */
export interface SftExample {
  /** Prompt followed by the completion. */
  tokens: Int32Array;
  /** 1 on completion tokens (trained on), 0 on prompt tokens. */
  lossMask: Uint8Array;
  /** The corrupted step (0-based), or null for the reference trace. */
  corruptedStep: number | null;
}

/** The reference completion of `p`, or with probability `corruptFraction` a corrupted one. */
export function sftExample(p: Problem, rng: Rng, corruptFraction = 0, options?: CorruptOptions): SftExample {
  if (!(corruptFraction >= 0 && corruptFraction <= 1)) {
    throw new RangeError(`reasoning.traces: corruptFraction must lie in [0, 1], got ${corruptFraction}`);
  }
  let completion = p.reference;
  let corruptedStep: number | null = null;
  if (rng.uniform() < corruptFraction) {
    const c = taskOf(p).corrupt(p, rng, options);
    completion = c.completion;
    corruptedStep = c.step;
  }
  const tokens = new Int32Array(p.prompt.length + completion.length);
  tokens.set(p.prompt);
  tokens.set(completion, p.prompt.length);
  const lossMask = new Uint8Array(tokens.length);
  lossMask.fill(1, p.prompt.length);
  return { tokens, lossMask, corruptedStep };
}
