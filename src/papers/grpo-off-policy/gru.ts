/**
 * "Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm" (Yao et al. 2025), part (ii) on the GRU
 * base model: the paper's methods (as instantiated in the authors' rec_gsm8k configurations, the same
 * coefficients as the bandit part, bandit.ts) on data `staleness` updates stale, next to on-policy
 * references, all from the same base model on the same problems and random streams (paired by seed).
 * The loop is the testbed's `trainGruPg` (rlvr/loops/gru-pg.ts). Task entry point: `runSeed(config, seed)`.
 */
import type { RunResult } from '../../core/records';
import { runGruPgSweepSeed, type GruPgConfig, type GruPgMethod } from '../../testbeds/rlvr/loops/gru-pg';
import { runName } from './bandit';

/**
 * The runs at staleness k by record-key name (`runName`: `REINFORCE@k=0`, …): on-policy REINFORCE and
 * GRPO, and every method on data k updates stale.
 */
export function methodsAt(k: number): Record<string, GruPgMethod> {
  const clip = { clip: 'ppo' as const, clipLow: 0.2, clipHigh: 0.2 };
  const reinforce = { advantage: { kind: 'baseline' as const }, importanceWeight: false, clip: 'none' as const };
  return {
    [runName('REINFORCE', 0)]: reinforce,
    [runName('GRPO', 0)]: { advantage: { kind: 'grpo' }, importanceWeight: true, ...clip },
    [runName('REINFORCE', k)]: { ...reinforce, staleness: k },
    [runName('GRPO', k)]: { advantage: { kind: 'grpo' }, importanceWeight: true, ...clip, staleness: k },
    [runName('REC-OneSide-IS', k)]: { advantage: { kind: 'baseline' }, importanceWeight: true, ...clip, staleness: k },
    [runName('REC-OneSide-NoIS', k)]: {
      advantage: { kind: 'baseline' },
      importanceWeight: false,
      ...clip,
      staleness: k,
    },
    [runName('OPMD', k)]: { ...reinforce, k2Coef: 0.1, staleness: k },
    [runName('AsymRE', k)]: { ...reinforce, asymShift: 0.1, staleness: k },
    [runName('RED-Weight', k)]: { ...reinforce, advantageWeightTemp: 1, staleness: k },
  };
}

/** The notebook's label of a run: `REINFORCE@k=16` → `REINFORCE|k=16` (method | staleness). */
export function runLabel(name: string): string {
  return name.replace('@k=', '|k=');
}

/** The run shared by every method (rlvr/loops/gru-pg.ts `GruPgConfig`, documented there). */
export interface Config extends GruPgConfig {
  /** Staleness k of the off-policy runs (the behaviour policy is the policy of k updates ago). */
  staleness: number;
}

/** The full-profile run (the notebook varies steps and, in smoke, the problem sets and evalEvery). */
export const DEFAULTS: Config = {
  digits: [2, 3],
  nTrain: 256,
  nHeldOut: 128,
  steps: 150,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-3,
  aggregation: 'seq-mean-token-mean',
  evalEvery: 25,
  passKs: [1, 16],
  staleness: 16,
};

/** One seed, every run of `methodsAt(staleness)`; keys as `runGruPgSweepSeed` (R/train:pass@1, base/…). */
export function runSeed(c: Config, seed: number): RunResult {
  if (!(Number.isInteger(c.staleness) && c.staleness >= 1))
    throw new RangeError(`grpo-off-policy/gru: staleness must be an integer ≥ 1, got ${c.staleness}`);
  return runGruPgSweepSeed({ ...c, methods: methodsAt(c.staleness) }, seed);
}
