/**
 * Weighted GRPO (trainer/objectives/weighted-outcome.ts): the outcome map at its analytic values, the identity with
 * GRPO's advantage under the per-group z-score (for any weights, up to the std's ε), the rare-event magnitudes
 * ±√(G − 1)·… of one success or one failure in a group, the finite-difference gradient of the surrogate that the
 * recipe hands to the policy, and errors for bad specs and non-binary rewards.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { EOS } from '../../../src/testbeds/reasoning/tasks/vocab';
import { advantages } from '../../../src/testbeds/reasoning/trainer/advantage';
import {
  WEIGHTED_OUTCOME_DEFAULTS,
  WEIGHTED_OUTCOME_RECIPE,
  checkWeightedOutcomeSpec,
  weightedOutcomeAdvantages,
  weightedOutcomes,
  type WeightedOutcomeSpec,
} from '../../../src/testbeds/reasoning/trainer/objectives/weighted-outcome';
import type { RlPolicy, Scored } from '../../../src/testbeds/reasoning/trainer/policy';
import { policyUpdate, recipeAdvantages, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

const spec = (successWeight: number, failurePenalty: number): WeightedOutcomeSpec => ({
  kind: 'weighted-outcome',
  successWeight,
  failurePenalty,
});

/** A policy whose completion log-probabilities are free parameters (N × L): records the weights it is handed. */
class FreeLogp implements RlPolicy {
  w: Float32Array | null = null;
  constructor(readonly theta: Float32Array) {}
  sample(): never {
    throw new Error('not used');
  }
  score(): Scored {
    return { logp: this.theta };
  }
  backward(_s: Scored, w: Float32Array): void {
    this.w = Float32Array.from(w);
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return this.theta;
  }
}

/** One batch of B groups of G responses, completions of 3 tokens then EOS, log-probabilities drawn from `rng`. */
function batch(rewards: number[], B: number, G: number, rng: Rng): Rollouts {
  const P = 2,
    L = 4,
    T = P + L,
    N = B * G;
  const seq = new Int32Array(N * T);
  const lengths = new Int32Array(N).fill(4);
  const oldLogp = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    seq.set([1, 2, 3, 4, 5, EOS], i * T);
    for (let t = 0; t < L; t++) oldLogp[i * L + t] = -0.3 - rng.uniform();
  }
  return { B, G, P, L, seq, lengths, oldLogp, rewards: Float64Array.from(rewards) };
}

describe('outcome map', () => {
  it('maps a success to +w₊ and a failure to −λ₋', () => {
    expect(Array.from(weightedOutcomes([1, 0, 1, 0], spec(2, 3)))).toEqual([2, -3, 2, -3]);
  });
  it('rejects rewards that are not 0 or 1', () => {
    expect(() => weightedOutcomes([1, 0.5], spec(1, 1))).toThrow(/binary.*0\.5 at response 1/);
  });
});

describe('identity with GRPO', () => {
  it('equals GRPO’s advantages up to the std’s ε, for any weights', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const G = 2 + rng.int(15),
        B = 1 + rng.int(3);
      const r = Array.from({ length: B * G }, () => (rng.uniform() < 0.4 ? 1 : 0));
      const s = spec(0.1 + 5 * rng.uniform(), 0.1 + 10 * rng.uniform());
      const wa = weightedOutcomeAdvantages(r, B, G, s);
      const ga = advantages('grpo', r, B, G);
      for (let i = 0; i < r.length; i++) expect(Math.abs(wa[i] - ga[i])).toBeLessThan(1e-5 * (1 + Math.abs(ga[i])));
    }
  });
  it('a single success (failure) among G gets +(−)√(G − 1)·… of GRPO: the rare-event amplification', () => {
    const G = 16;
    const oneWin = [1, ...new Array(G - 1).fill(0)];
    const a = weightedOutcomeAdvantages(oneWin, 1, G, WEIGHTED_OUTCOME_DEFAULTS);
    // Unbiased std of one 1 among G: √(1/G); the success's advantage (1 − 1/G)/√(1/G) = (G − 1)/√G.
    expect(a[0]).toBeCloseTo((G - 1) / Math.sqrt(G), 4);
    expect(a[1]).toBeCloseTo(-1 / Math.sqrt(G), 4);
    const oneLoss = oneWin.map((x) => 1 - x);
    const b = weightedOutcomeAdvantages(oneLoss, 1, G, spec(1, 7));
    expect(b[0]).toBeCloseTo(-(G - 1) / Math.sqrt(G), 4);
  });
  it('a group whose outcomes all agree gets zero advantage', () => {
    const a = weightedOutcomeAdvantages([1, 1, 1, 1, 0, 0, 0, 0], 2, 4, spec(1, 3));
    for (const x of a) expect(x).toBe(0);
  });
});

describe('in the update', () => {
  it('the recipe’s advantages are the objective’s', () => {
    const r = batch([1, 0, 0, 0, 1, 1, 1, 0], 2, 4, new Rng(1));
    const { adv } = recipeAdvantages(WEIGHTED_OUTCOME_RECIPE, r, null);
    expect(Array.from(adv)).toEqual(Array.from(weightedOutcomeAdvantages(r.rewards, 2, 4, WEIGHTED_OUTCOME_DEFAULTS)));
  });
  it('token weights are the finite-difference gradient of the clipped surrogate (off-policy)', () => {
    const rng = new Rng(5);
    const r = batch([1, 0, 0, 0, 1, 1, 1, 0], 2, 4, rng);
    r.offPolicy = true;
    const N = 8,
      L = 4;
    const theta = new Float32Array(N * L);
    for (let j = 0; j < theta.length; j++) theta[j] = r.oldLogp[j] + 0.3 * (rng.uniform() - 0.5);
    const pol = new FreeLogp(theta);
    policyUpdate(pol, WEIGHTED_OUTCOME_RECIPE, r, null);
    const adv = weightedOutcomeAdvantages(r.rewards, 2, 4, WEIGHTED_OUTCOME_DEFAULTS);
    // The surrogate to maximise: mean over responses of the token mean of min(ρA, clip(ρ)A); the policy receives
    // w = −∂J/∂logπ (it descends Σ w·logπ) — compare up to that sign convention by matching magnitudes and signs.
    const J = (th: Float32Array): number => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        let t = 0;
        for (let k = 0; k < L; k++) {
          const rho = Math.exp(th[i * L + k] - r.oldLogp[i * L + k]);
          t += Math.min(rho * adv[i], Math.min(Math.max(rho, 0.8), 1.2) * adv[i]);
        }
        s += t / L;
      }
      return s / N;
    };
    const h = 1e-3;
    const w = pol.w!;
    let sign = 0;
    for (let j = 0; j < theta.length; j++) {
      const p = Float32Array.from(theta),
        m = Float32Array.from(theta);
      p[j] += h;
      m[j] -= h;
      const g = (J(p) - J(m)) / (2 * h);
      if (Math.abs(g) > 1e-4 && sign === 0) sign = Math.sign(w[j] / g);
      expect(Math.abs(Math.abs(w[j]) - Math.abs(g))).toBeLessThan(2e-3 * (1 + Math.abs(g)));
    }
    for (let j = 0; j < theta.length; j++) {
      const p = Float32Array.from(theta),
        m = Float32Array.from(theta);
      p[j] += h;
      m[j] -= h;
      const g = (J(p) - J(m)) / (2 * h);
      if (Math.abs(g) > 1e-4) expect(Math.sign(w[j] / g)).toBe(sign);
    }
  });
});

describe('spec checks', () => {
  it('names the bad field', () => {
    expect(() => checkWeightedOutcomeSpec({ kind: 'weighted-outcome', successWeight: 1 })).toThrow(/failurePenalty/);
    expect(() => checkWeightedOutcomeSpec({ kind: 'weighted-outcome', successWeight: 0, failurePenalty: 1 })).toThrow(
      /successWeight/,
    );
    expect(() => weightedOutcomeAdvantages([1, 0], 1, 2, spec(1, -1))).toThrow(/failurePenalty.*> 0/);
  });
});
