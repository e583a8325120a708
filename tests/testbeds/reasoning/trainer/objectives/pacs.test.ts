/**
 * PACS (objectives/pacs.ts): the weights the update hands the policy are the gradient of the authors' loss in the
 * log-probabilities (central differences of an independent float64 transcription of compute_pacs_loss), for both
 * scores, both weightings and two β; at θ = θ_old without class weights they are β·L_max times the RLOO recipe's
 * (REINFORCE with the leave-one-out baseline, constant aggregation); the implicit critic's σ(ψ) shrinks the update of
 * a response whose outcome it already predicts; the balanced weights are sklearn's per prompt; bad parameters and
 * filters that break groups are refused.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../../src/core/rng';
import {
  PACS_RECIPE,
  pacsSpec,
  pacsTerms,
  pacsWeights,
  type PacsSpec,
} from '../../../../../src/testbeds/reasoning/trainer/objectives/pacs';
import { RECIPES, type Recipe } from '../../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../free-logp';

// Three groups of four: mixed (1 of 4 right), mixed (3 of 4 right), uniform (all wrong).
const B = 3,
  G = 4,
  L = 5,
  N = B * G;
const lengths = Int32Array.from([5, 2, 3, 1, 4, 5, 2, 3, 1, 5, 4, 2]);
const rewards = Float64Array.from([1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0]);
const rng = new Rng(29);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.3, 0.3);
  }
const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards, offPolicy: true };

/**
 * The authors' loss, transcribed independently in float64 (pacs_core_algos.py): reward = β·Σ(log_prob − old_log_prob),
 * RLOO (or naive) advantage per group of rollout_n, BCEWithLogitsLoss(weight)(advantage, score) with the mean over the
 * batch, weight = sklearn's 'balanced' class weights per prompt when it has both labels, else 1.
 */
function referenceLoss(spec: PacsSpec, th: Float64Array): number {
  const reward: number[] = [];
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let t = 0; t < L; t++) if (t < lengths[i]) s += th[i * L + t] - oldLogp[i * L + t];
    reward.push(spec.beta * s);
  }
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const rs = reward.slice(b * G, (b + 1) * G);
    const ys = Array.from(rewards.slice(b * G, (b + 1) * G));
    const total = rs.reduce((a, x) => a + x, 0);
    const classes = [...new Set(ys)];
    for (let g = 0; g < G; g++) {
      const adv = spec.score === 'rloo' ? rs[g] - (total - rs[g]) / (G - 1) : rs[g];
      const count = ys.filter((y) => y === ys[g]).length;
      const wt = spec.weighting === 'balanced' && classes.length > 1 ? G / (classes.length * count) : 1;
      const p = 1 / (1 + Math.exp(-adv));
      loss += wt * -(ys[g] * Math.log(p) + (1 - ys[g]) * Math.log(1 - p));
    }
  }
  return loss / N;
}

function weightsOf(recipe: Recipe, th: Float32Array): Float32Array {
  const p = new FreeLogp(th);
  policyUpdate(p, recipe, batch, null);
  return p.w!;
}

const withSpec = (spec: PacsSpec): Recipe => ({ ...PACS_RECIPE, objective: spec });

describe('PACS objective', () => {
  it.each([
    ['β 1, RLOO, balanced (the authors’ default script)', pacsSpec(1, 'rloo', 'balanced')],
    ['β 2, RLOO, unweighted', pacsSpec(2, 'rloo', 'none')],
    ['β 0.5, naive score, balanced', pacsSpec(0.5, 'naive', 'balanced')],
  ])('%s: the weights handed to the policy are ∂loss/∂log π (central differences)', (_name, spec) => {
    const w = weightsOf(withSpec(spec), theta);
    const th = Float64Array.from(theta);
    const h = 1e-5;
    let nonzero = 0;
    for (let j = 0; j < N * L; j++) {
      const up = Float64Array.from(th),
        dn = Float64Array.from(th);
      up[j] += h;
      dn[j] -= h;
      const fd = (referenceLoss(spec, up) - referenceLoss(spec, dn)) / (2 * h);
      expect(w[j], `token ${j}`).toBeCloseTo(fd, 6);
      if (Math.abs(fd) > 1e-4) nonzero++;
    }
    // Every token of the two mixed groups carries gradient (the uniform group too once ψ ≠ 0 under the naive score).
    expect(nonzero).toBeGreaterThanOrEqual(lengths.slice(0, 8).reduce((a, b) => a + b, 0));
  });

  it('at θ = θ_old, unweighted PACS is REINFORCE with the leave-one-out baseline: β·L_max × the RLOO recipe', () => {
    const rloo: Recipe = { ...RECIPES.rloo, aggregation: 'constant' };
    for (const beta of [1, 2]) {
      const pacs = weightsOf(withSpec(pacsSpec(beta, 'rloo', 'none')), oldLogp);
      const ref = weightsOf(rloo, oldLogp);
      for (let j = 0; j < N * L; j++) expect(pacs[j]).toBeCloseTo(beta * L * ref[j], 6);
    }
    // The uniform group gets no gradient at θ_old (every label equal, every σ(ψ) = 1/2).
    const w = weightsOf(PACS_RECIPE, oldLogp);
    for (let j = 8 * L; j < N * L; j++) expect(Math.abs(w[j])).toBe(0);
  });

  it('the implicit critic: a response whose outcome σ(ψ) already predicts gets a smaller update', () => {
    // Raise the log-probability of the lone correct answer of group 0 (ψ_0 ≫ 0, σ(ψ_0) → 1): its weight shrinks.
    const spec = pacsSpec(1, 'rloo', 'none');
    const at = (shift: number) => {
      const th = Float32Array.from(oldLogp);
      th[0] += shift;
      return pacsTerms(spec, th, oldLogp, lengths, rewards, B, G, L);
    };
    const start = at(0),
      learned = at(4);
    expect(start.critic[0]).toBeCloseTo(0.5, 12);
    expect(learned.critic[0]).toBeGreaterThan(0.95);
    expect(Math.abs(learned.tokenWeight[0])).toBeLessThan(0.5 * Math.abs(start.tokenWeight[0]));
    expect(start.tokenWeight[0]).toBeLessThan(0); // descent raises log π of the correct answer
    expect(learned.loss).toBeLessThan(start.loss);
  });

  it("balanced weights are sklearn's class_weight='balanced' within each prompt that has both labels", () => {
    const w = pacsWeights(rewards, B, G, 'balanced');
    // 1 right of 4: 4/(2·1) = 2 and 4/(2·3) = 2/3; 3 right of 4: 2/3 and 2; all wrong: 1.
    const want = [2, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2, 2 / 3, 1, 1, 1, 1];
    want.forEach((x, i) => expect(w[i]).toBeCloseTo(x, 14));
    expect(Array.from(pacsWeights(rewards, B, G, 'none'))).toEqual(new Array(N).fill(1));
  });

  it('refuses bad parameters and filters that break the groups', () => {
    expect(() => pacsSpec(0)).toThrow(/beta must be a positive number/);
    expect(() => weightsOf(withSpec({ ...pacsSpec(1), score: 'grpo' } as unknown as PacsSpec), theta)).toThrow(
      /score must be 'rloo' or 'naive'/,
    );
    expect(() => weightsOf({ ...PACS_RECIPE, filters: ['correct-only'] }, theta)).toThrow(/needs whole groups/);
  });
});
