/**
 * BNPO (Xiao et al. 2025) part (b): RL on the GRU base model with each advantage estimator of the
 * paper's comparison, from the same base model, problems and random streams (paired by seed):
 *   REINFORCE with baseline  A = r − r̄ (group mean)
 *   ReMax                    A = r − r(greedy answer)            (Li et al. 2024; a baseline of the paper)
 *   GRPO                     A = (r − r̄)/(std + ε)
 *   BNPO                     A = (r − r̄)/f_N(r̄; α, β), (α, β) re-fitted to every batch (pg.ts)
 * On-policy, one gradient pass per batch, GRPO's token aggregation, Adam with the kit's global-norm
 * clip at 1 (as trainGruRl). The loop is `trainGruPg` (off-policy-gru.ts), which records the gradient
 * norm before the clip at every update. Task entry point: `runBnpoGruSeed(config, seed)`.
 */
import type { RunResult } from '../../core/records';
import { runGruPgSweepSeed, type GruPgConfig, type GruPgMethod } from './off-policy-gru';

export const BNPO_GRU_METHODS: Record<string, GruPgMethod> = {
  'REINFORCE+baseline': { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' },
  ReMax: { advantage: { kind: 'baseline' }, remax: true, importanceWeight: false, clip: 'none' },
  GRPO: { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none' },
  BNPO: { advantage: { kind: 'bnpo', bnpo: 'adaptive' }, importanceWeight: false, clip: 'none' },
};

export interface BnpoGruConfig extends GruPgConfig {
  /** Names from BNPO_GRU_METHODS. */
  methods: string[];
}

export function runBnpoGruSeed(c: BnpoGruConfig, seed: number): RunResult {
  const methods: Record<string, GruPgMethod> = {};
  for (const name of c.methods) {
    const m = BNPO_GRU_METHODS[name];
    if (!m)
      throw new RangeError(`bnpo: unknown GRU method "${name}"; known: ${Object.keys(BNPO_GRU_METHODS).join(', ')}`);
    methods[name] = m;
  }
  return runGruPgSweepSeed({ ...c, methods }, seed);
}
