/**
 * The two-stage dynamic on the GRU base model (Yao et al. 2025, "The Debate on RLVR Reasoning
 * Capability Boundary"): GRPO, GRPO on positive samples only ("−P") and GRPO on negative samples only
 * ("−N") from the same base model, on the same digit-addition problems and random streams, with exact
 * pass@k on the training and held-out problems over training (testbed loop: rlvr/loops/gru-rl.ts).
 * Task entry point: `runSeed(config, seed)`, one method per record.
 */
import type { RunResult } from '../../core/records';
import { runGruRlSeed, type GruRlConfig } from '../../testbeds/rlvr/loops/gru-rl';

export type Method = 'grpo' | 'grpo-positive' | 'grpo-negative';
export const METHODS: readonly Method[] = ['grpo', 'grpo-positive', 'grpo-negative'];

/** Which sampled answers each method's update keeps. */
const SAMPLES: Record<Method, NonNullable<GruRlConfig['samples']>> = {
  grpo: 'all',
  'grpo-positive': 'positive',
  'grpo-negative': 'negative',
};

/** The GRU RL run (rlvr/loops/gru-rl.ts `GruRlConfig`, documented there) of one method. */
export interface Config extends Omit<GruRlConfig, 'samples'> {
  /** GRPO, or GRPO keeping only positive-advantage ('grpo-positive') or negative-advantage samples. */
  method: Method;
}

/** The full-profile run (the notebook varies method, steps, evalEvery and, in smoke, the problem sets). */
export const DEFAULTS: Config = {
  method: 'grpo',
  digits: [2, 3],
  nTrain: 256,
  nHeldOut: 256,
  steps: 400,
  batchPrompts: 32,
  groupSize: 8,
  lr: 1e-3,
  advantage: { kind: 'grpo' },
  aggregation: 'seq-mean-token-mean',
  evalEvery: 25,
  passKs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
};

/**
 * One seed of one method: metrics base/{train,heldout}:pass@k and <method>/{train,heldout}:pass@k,
 * series <method>/step, <method>/{train,heldout}:pass@k, base/p:train, <method>/p:train, … (see
 * `runGruRlSeed`).
 */
export function runSeed(c: Config, seed: number): RunResult {
  if (!METHODS.includes(c.method))
    throw new RangeError(`rlvr-two-stage/gru: unknown method "${c.method}"; known: ${METHODS.join(', ')}`);
  return runGruRlSeed({ ...c, samples: SAMPLES[c.method] }, seed, c.method);
}
