/**
 * Train and held-out problem streams. Which split a problem belongs to is a fixed function of the
 * problem itself (its task and prompt), not of the seed: a problem is held out iff a hash of its
 * prompt falls below HELD_OUT_FRACTION. A train stream never yields a held-out problem and a held-out
 * stream never yields a train one (rejection), so no held-out problem is ever seen in training, under
 * any seed; at level 1 of addition, say, 20 or so of the 100 problems are held out. The hash is the
 * kit's Rng keyed by the prompt text (`new Rng(0, ['reasoning.split', task, prompt]).uniform()`).
 */
import { Rng } from '../../../core/rng';
import type { Problem, Task } from './task';
import { decode } from './vocab';

/** The two problem streams. */
export type Split = 'train' | 'heldout';

/** Fraction of all problems (of every task and level) that are held out. */
export const HELD_OUT_FRACTION = 0.2;

/** The split a problem belongs to. */
export function splitOf(p: Problem): Split {
  const u = new Rng(0, ['reasoning.split', p.task, decode(p.prompt)]).uniform();
  return u < HELD_OUT_FRACTION ? 'heldout' : 'train';
}

/** A fresh problem of `split` at `level`: generated from `rng` until one falls in that split. */
export function draw<P extends Problem>(task: Task<P>, rng: Rng, level: number, split: Split): P {
  for (let i = 0; i < 100_000; i++) {
    const p = task.generate(rng, level);
    if (splitOf(p) === split) return p;
  }
  throw new Error(`reasoning.splits: no ${split} problem of ${task.name} level ${level} in 100000 draws`);
}

/** A seeded stream of fresh problems of one task and split (Rng path: seed → 'reasoning' → task → split). */
export class ProblemStream<P extends Problem> {
  /** The generator the problems are drawn from. */
  readonly rng: Rng;

  /**
   * @param task the task to draw from
   * @param seed the run's seed
   * @param split which split the stream yields
   */
  constructor(
    readonly task: Task<P>,
    seed: number,
    readonly split: Split,
  ) {
    this.rng = new Rng(seed, ['reasoning', task.name, split]);
  }

  /** The next problem at `level`. */
  next(level: number): P {
    return draw(this.task, this.rng, level, this.split);
  }

  /** The next `n` problems at `level`. */
  batch(level: number, n: number): P[] {
    return Array.from({ length: n }, () => this.next(level));
  }
}

/** `n` distinct problems of `split` at `level` (an evaluation set), from the stream of `seed`. */
export function distinctProblems<P extends Problem>(
  task: Task<P>,
  seed: number,
  level: number,
  split: Split,
  n: number,
): P[] {
  const stream = new ProblemStream(task, seed, split);
  const seen = new Set<string>();
  const out: P[] = [];
  for (let i = 0; out.length < n; i++) {
    if (i >= 100 * n + 1000) {
      throw new Error(
        `reasoning.splits: found only ${out.length} distinct ${split} problems of ${task.name} level ${level}, ` +
          `asked for ${n}; ask for fewer or use a higher level`,
      );
    }
    const p = stream.next(level);
    const key = decode(p.prompt);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
