/**
 * BNPO (Xiao et al. 2025) part (b): RL on the GRU base model with each advantage estimator of the
 * paper's comparison, from the same base model, problems and random streams (paired by seed):
 *   REINFORCE with baseline  A = r − r̄ (group mean)
 *   ReMax                    A = r − r(greedy answer)            (Li et al. 2024; a baseline of the paper)
 *   GRPO                     A = (r − r̄)/(std + ε)
 *   BNPO                     A = (r − r̄)/f_N(r̄; α, β), (α, β) re-fitted to every batch (rlvr/methods/bnpo.ts)
 * On-policy, one gradient pass per batch, GRPO's token aggregation, Adam with the kit's global-norm
 * clip at 1 (as trainGruRl). The loop is the testbed's `trainGruPg` (rlvr/loops/gru-pg.ts), which
 * records the gradient norm before the clip at every update. Task entry point: `runSeed(config, seed)`.
 */
import type { RunResult } from '../../core/records';
import { runGruPgSweepSeed, type GruPgConfig, type GruPgMethod } from '../../testbeds/rlvr/loops/gru-pg';

/** The compared methods by record-key name (the labels in the notebook: REINFORCE-baseline is "REINFORCE+baseline"). */
export const METHODS: Record<string, GruPgMethod> = {
  'REINFORCE-baseline': { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' },
  ReMax: { advantage: { kind: 'baseline' }, remax: true, importanceWeight: false, clip: 'none' },
  GRPO: { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none' },
  BNPO: { advantage: { kind: 'bnpo', bnpo: 'adaptive' }, importanceWeight: false, clip: 'none' },
};

/** The run shared by every method (rlvr/loops/gru-pg.ts `GruPgConfig`, documented there), and the methods. */
export interface Config extends GruPgConfig {
  /** Names from `METHODS`, each trained from the same base model on the same problems. */
  methods: string[];
}

/** The full-profile run (the notebook varies steps and, in smoke, the problem sets and evalEvery). */
export const DEFAULTS: Config = {
  digits: [2, 3],
  nTrain: 256,
  nHeldOut: 256,
  steps: 240,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-3,
  aggregation: 'seq-mean-token-mean',
  evalEvery: 20,
  passKs: [1, 4, 16, 64],
  methods: Object.keys(METHODS),
};

/** One seed, every listed method; keys as `runGruPgSweepSeed` (M/heldout:pass@1, M/gradNormCv, base/…). */
export function runSeed(c: Config, seed: number): RunResult {
  const methods: Record<string, GruPgMethod> = {};
  for (const name of c.methods) {
    const m = METHODS[name];
    if (!m) throw new RangeError(`bnpo: unknown GRU method "${name}"; known: ${Object.keys(METHODS).join(', ')}`);
    methods[name] = m;
  }
  return runGruPgSweepSeed({ ...c, methods }, seed);
}
