/**
 * The PACS experiment's own parts: the independent transcription of the authors' loss agrees with the objective's,
 * the identity error is ~0 for the objective's weights and O(1) for wrong ones, the critic's ranking accuracy counts
 * (correct, incorrect) pairs within prompts, and a tiny run gives every metric key, a zero first-step score (θ = θ_old)
 * and a passing identity; a schedule whose mini-batches do not divide the prompts is refused.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  criticRankAccuracy,
  DEFAULTS,
  identityError,
  METHODS,
  referencePacsLoss,
  runPpoSeed,
  runSeed,
  type Config,
} from '../../../src/papers/implicit-actor-critic-coupling-via/experiment';
import { pacsSpec, pacsTerms } from '../../../src/testbeds/reasoning/trainer/objectives/pacs';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

const B = 2,
  G = 4,
  L = 3,
  N = B * G;
const lengths = Int32Array.from([3, 1, 2, 3, 2, 2, 1, 3]);
const rewards = Float64Array.from([1, 0, 0, 1, 0, 1, 1, 1]);
const rng = new Rng(3);
const oldLogp = new Float32Array(N * L),
  logp = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    logp[i * L + t] = oldLogp[i * L + t] + rng.range(-0.5, 0.5);
  }
const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards };

describe('PACS experiment parts', () => {
  it("the reference loss is the objective's loss (β 1 and 2, balanced RLOO)", () => {
    for (const beta of [1, 2]) {
      const t = pacsTerms(pacsSpec(beta), logp, oldLogp, lengths, rewards, B, G, L);
      expect(referencePacsLoss(beta, batch, logp)).toBeCloseTo(t.loss, 12);
    }
  });

  it("identity error: ~0 for the objective's weights, O(1) when the critic term is dropped", () => {
    const t = pacsTerms(pacsSpec(1), logp, oldLogp, lengths, rewards, B, G, L);
    const w = new Float32Array(N * L),
      wrong = new Float32Array(N * L);
    for (let i = 0; i < N; i++)
      for (let k = 0; k < lengths[i]; k++) {
        w[i * L + k] = t.tokenWeight[i];
        // σ(ψ) frozen at 1/2 (the θ_old weights) where ψ ≠ 0: not the gradient.
        wrong[i * L + k] = pacsTerms(pacsSpec(1), oldLogp, oldLogp, lengths, rewards, B, G, L).tokenWeight[i];
      }
    expect(identityError(1, batch, logp, w)).toBeLessThan(1e-6);
    expect(identityError(1, batch, logp, wrong)).toBeGreaterThan(0.05);
  });

  it('critic ranking accuracy counts (correct, incorrect) pairs of one prompt', () => {
    // Group 0: correct responses 0 and 3, incorrect 1 and 2 → 4 pairs; group 1 has one incorrect (4) → 3 pairs.
    const th = Float32Array.from(oldLogp);
    th[0] += 1; // response 0 above every other of its group
    th[2 * L] += 2; // incorrect response 2 above correct 3 (which is unchanged)
    const a = criticRankAccuracy(batch, th);
    expect(a.pairs).toBe(7);
    // Group 0: ψ_0 > ψ_1, ψ_0 < ψ_2 (2 > 1 shift), ψ_3 = ψ_1 (tie, ½), ψ_3 < ψ_2 → 1.5 of 4; group 1: all ties → 1.5.
    expect(a.acc).toBeCloseTo((1.5 + 1.5) / 7, 12);
  });

  it('a tiny run gives every metric, ψ = 0 on first steps and a passing identity', () => {
    const c: Config = {
      ...DEFAULTS,
      rollouts: 2,
      batchPrompts: 2,
      groupSize: 3,
      miniBatches: 2,
      evalProblems: 2,
      evalSamples: 4,
      passKs: [1, 4],
      identityEvery: 1,
    };
    const r = runSeed(c, 7);
    for (const m of ['base', ...Object.keys(METHODS)])
      for (const k of [1, 4]) expect(r.metrics[`${m}/L3:pass@${k}`]).toBeGreaterThanOrEqual(0);
    for (const m of Object.keys(METHODS)) {
      expect(r.series![`${m}/reward`]).toHaveLength(2);
      expect(r.series![`${m}/gradNorm`]).toHaveLength(4);
      expect(r.metrics[`${m}/firstStepMaxAbsPsi`]).toBe(0);
      expect(Number.isFinite(r.metrics[`${m}/finalEntropy`])).toBe(true);
    }
    expect(r.metrics['PACS/identityMaxRelErr']).toBeLessThan(1e-4);
    expect(r.metrics['PACS-beta2/identityMaxRelErr']).toBeLessThan(1e-4);
    expect(r.metrics['GRPO/identityMaxRelErr']).toBeUndefined();
  });

  it('PPO runs as its own task on the same streams: the same base evaluation and the same first batch', () => {
    const c: Config = {
      ...DEFAULTS,
      methods: ['GRPO'],
      rollouts: 2,
      batchPrompts: 2,
      groupSize: 3,
      miniBatches: 2,
      evalProblems: 2,
      evalSamples: 4,
      passKs: [1, 4],
    };
    const a = runSeed(c, 7),
      p = runPpoSeed(c, 7);
    for (const k of [1, 4]) {
      expect(p.metrics[`base/L3:pass@${k}`]).toBe(a.metrics[`base/L3:pass@${k}`]);
      expect(p.metrics[`PPO/L3:pass@${k}`]).toBeGreaterThanOrEqual(0);
    }
    // the first rollout batch is sampled by the same base policy from the same stream: identical rewards
    expect(p.series!['PPO/reward'][0]).toBe(a.series!['GRPO/reward'][0]);
    expect(p.series!['PPO/gradNorm']).toHaveLength(4);
    expect(p.metrics['GRPO/meanReward']).toBeUndefined();
  });

  it('refuses mini-batches that do not divide the prompts, and unknown methods', () => {
    const c: Config = { ...DEFAULTS, rollouts: 1, batchPrompts: 3, miniBatches: 2, evalProblems: 1, evalSamples: 1 };
    expect(() => runSeed({ ...c, methods: ['PACS'] }, 1)).toThrow(/miniBatches \(2\) must divide batchPrompts \(3\)/);
    expect(() => runSeed({ ...c, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
  });
});
