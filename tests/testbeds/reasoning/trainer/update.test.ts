/**
 * The reasoning trainer's update and loop: the per-token weights handed to the policy are the gradient of the
 * recipe's loss in the log-probabilities (central differences of an independent float64 loss, with ratios ≠ 1,
 * KL in the loss, an entropy bonus); RFT is supervised learning on the accepted samples; the GRPO recipe with
 * the GRU policy reproduces the GRU testbed's GRPO update (loops/gru-rl.ts) bit for bit on one batch; the
 * loop is deterministic (same seed → identical weights) and fresh problems differ between seeds.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { TransformerLm } from '../../../../src/nn/transformer-lm';
import {
  trainGruRl,
  startGruRun,
  sampleGroupBatch,
  type GruRlConfig,
} from '../../../../src/testbeds/rlvr/loops/gru-rl';
import { advantages } from '../../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../../src/testbeds/reasoning/trainer/clipping';
import { klEstimate } from '../../../../src/testbeds/reasoning/trainer/kl';
import { trainRl, passAtKFromCounts } from '../../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy, type Scored } from '../../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../src/testbeds/reasoning/trainer/update';
import { additionTask } from '../../../../src/testbeds/reasoning/tasks/addition';
import { VOCAB_SIZE } from '../../../../src/testbeds/reasoning/tasks/vocab';

/** A policy whose completion log-probabilities are free parameters θ (N × L): records what it is given. */
class FreeLogp implements RlPolicy {
  w: Float32Array | null = null;
  e: Float32Array | null = null;
  steps = 0;
  constructor(readonly theta: Float32Array) {}
  sample(): never {
    throw new Error('not used');
  }
  score(): Scored {
    return { logp: this.theta, entropy: new Float32Array(this.theta.length) };
  }
  backward(_s: Scored, w: Float32Array, e?: Float32Array): void {
    if (!this.w) this.w = Float32Array.from(w);
    if (e && !this.e) this.e = Float32Array.from(e);
  }
  step(): number {
    this.steps++;
    return 0;
  }
  snapshot(): Float32Array {
    return this.theta;
  }
}

describe('policyUpdate', () => {
  // B = 2 groups of G = 3, L = 4 (lengths vary), old log-probs and reference log-probs fixed.
  const B = 2,
    G = 3,
    L = 4,
    N = B * G;
  const rng = new Rng(7);
  const lengths = Int32Array.from([4, 2, 3, 1, 4, 2]);
  const oldLogp = new Float32Array(N * L),
    refLogp = new Float32Array(N * L),
    theta = new Float32Array(N * L);
  for (let i = 0; i < N; i++)
    for (let t = 0; t < lengths[i]; t++) {
      const j = i * L + t;
      oldLogp[j] = -rng.range(0.1, 2);
      refLogp[j] = -rng.range(0.1, 2);
      theta[j] = oldLogp[j] + rng.range(-0.4, 0.4); // ratios in [e^−0.4, e^0.4]: some clipped
    }
  const rewards = Float64Array.from([1, 0, 1, 0, 0, 1]);
  const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards };

  /** The recipe's loss, written independently in float64 from the parts' formulas. */
  function loss(recipe: Recipe, th: Float64Array): number {
    const adv = advantages(recipe.advantage, rewards, B, G);
    const c = tokenWeights(recipe.aggregation, lengths, L);
    let s = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const j = i * L + t;
        s += c[i][t] * surrogateLoss(recipe.clipping, adv[i], Math.exp(th[j] - oldLogp[j]));
        if (recipe.kl.kind === 'loss')
          s += c[i][t] * recipe.kl.beta * klEstimate(recipe.kl.estimator, th[j] - refLogp[j]);
      }
    return s;
  }

  for (const [label, recipe] of [
    ['GRPO (k3 in the loss), 2 passes', { ...RECIPES.grpo, epochs: 2 }],
    [
      'DAPO-style clip-higher, k2 in the loss, token-mean',
      {
        ...RECIPES.dapo,
        filters: [],
        dynamicSampling: null,
        epochs: 2,
        kl: { kind: 'loss', estimator: 'k2', beta: 0.3 },
      },
    ],
    [
      'Dr. GRPO, dual-clip, k1',
      {
        ...RECIPES['dr-grpo'],
        epochs: 2,
        clipping: { kind: 'dual-clip', eps: 0.1, c: 1.2 },
        kl: { kind: 'loss', estimator: 'k1', beta: 0.1 },
      },
    ],
  ] as [string, Recipe][]) {
    it(`weights = ∂loss/∂log π by central differences: ${label}`, () => {
      const p = new FreeLogp(theta);
      policyUpdate(p, recipe, batch, refLogp);
      expect(p.steps).toBe(2);
      const th = Float64Array.from(theta);
      const h = 1e-5;
      let cut = 0;
      for (let i = 0; i < N; i++)
        for (let t = 0; t < L; t++) {
          const j = i * L + t;
          const up = Float64Array.from(th),
            dn = Float64Array.from(th);
          up[j] += h;
          dn[j] -= h;
          const fd = (loss(recipe, up) - loss(recipe, dn)) / (2 * h);
          expect(p.w![j]).toBeCloseTo(fd, 5);
          if (t < lengths[i] && p.w![j] === 0) cut++;
        }
      if (recipe.kl.kind === 'none') expect(cut).toBeGreaterThan(0);
    });
  }

  it('an entropy bonus α gives entropy weights −α·c', () => {
    const p = new FreeLogp(theta);
    policyUpdate(p, { ...RECIPES.reinforce, entropyBonus: 0.5 }, batch, null);
    const c = tokenWeights('sequence-mean', lengths, L);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < L; t++) expect(p.e![i * L + t]).toBeCloseTo(t < lengths[i] ? -0.5 * c[i][t] : 0, 7);
  });

  it('RFT is the cross-entropy of the correct samples, token-mean over their tokens', () => {
    const p = new FreeLogp(theta);
    const s = policyUpdate(p, RECIPES.rft, batch, null);
    expect(s.kept).toBe(3);
    const tokens = 4 + 3 + 2; // rows 0, 2, 5 are correct
    for (let i = 0; i < N; i++)
      for (let t = 0; t < L; t++)
        expect(p.w![i * L + t]).toBeCloseTo(rewards[i] === 1 && t < lengths[i] ? -1 / tokens : 0, 7);
  });

  it('takes no step when the filters keep nothing', () => {
    const p = new FreeLogp(theta);
    const s = policyUpdate(p, RECIPES.rft, { ...batch, rewards: new Float64Array(N) }, null);
    expect(s.kept).toBe(0);
    expect(p.steps).toBe(0);
  });

  it('requires the reference log-probabilities for a KL part', () => {
    expect(() => policyUpdate(new FreeLogp(theta), RECIPES.grpo, batch, null)).toThrow(/reference/);
  });
});

describe('the GRPO recipe on the GRU policy', () => {
  it('reproduces one GRPO update of loops/gru-rl.ts bit for bit (KL k3 β = 0.04 in the loss)', () => {
    const c: GruRlConfig = {
      digits: [1, 2],
      nTrain: 32,
      nHeldOut: 8,
      steps: 1,
      batchPrompts: 8,
      groupSize: 6,
      lr: 3e-3,
      advantage: { kind: 'grpo' },
      aggregation: 'seq-mean-token-mean',
      klBeta: 0.04,
      evalEvery: 1,
      passKs: [1],
    };
    const seed = 11;
    let trained: Float32Array | null = null;
    trainGruRl(c, seed, (s, model) => {
      if (s.step === 1) trained = model.snapshot();
    });
    const run = startGruRun(c, seed, 'test');
    const idx = Array.from({ length: c.batchPrompts }, () => run.order.int(c.nTrain));
    const batch = sampleGroupBatch(
      run.model,
      idx.map((i) => run.train[i]),
      run.P,
      run.L,
      c.groupSize,
      run.root.split('sample1'),
    );
    const r: Rollouts = {
      B: c.batchPrompts,
      G: c.groupSize,
      P: run.P,
      L: run.L,
      seq: batch.seq,
      lengths: Int32Array.from(batch.sample.lengths, (l) => Math.max(1, l)),
      oldLogp: batch.sample.logp,
      rewards: batch.rewards,
    };
    const ref = new LmPolicy(run.base, { lr: 1 });
    const refLogp = Float32Array.from(ref.score(r.seq, batch.N, run.T, run.P).logp);
    const policy = new LmPolicy(run.model, { lr: c.lr, maxGradNorm: 1 });
    policyUpdate(policy, RECIPES.grpo, r, refLogp);
    const mine = policy.snapshot();
    expect(trained).not.toBeNull();
    expect(Buffer.from(mine.buffer).equals(Buffer.from(trained!.buffer))).toBe(true);
    // and the update changed the weights
    expect(Buffer.from(mine.buffer).equals(Buffer.from(run.base.snapshot().buffer))).toBe(false);
  });
});

describe('trainRl', () => {
  const config = { context: 48, layers: 1, dModel: 16, heads: 2, mlp: 32 };
  const run = (seed: number, recipe: Recipe) => {
    const model = new TransformerLm({ vocab: VOCAB_SIZE, ...config }, new Rng(3));
    const policy = new LmPolicy(model, { lr: 1e-2, maxGradNorm: 1 });
    const ref = new LmPolicy(new TransformerLm({ vocab: VOCAB_SIZE, ...config }, new Rng(3)), { lr: 1 });
    const curves = trainRl(
      policy,
      additionTask,
      { recipe, level: 1, updates: 3, batchPrompts: 4, groupSize: 4, lr: 1e-2 },
      new Rng(seed),
      ref,
    );
    return { w: policy.snapshot(), curves };
  };
  it('is deterministic: the same seed gives bit-identical weights; another seed differs', () => {
    // An untrained model earns no reward: the entropy bonus makes the gradient depend on the samples.
    const recipe = { ...RECIPES.grpo, entropyBonus: 0.01 };
    const a = run(5, recipe),
      b = run(5, recipe),
      c = run(6, recipe);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(c.w.buffer))).toBe(false);
    expect(a.curves.ms.length).toBe(3);
  });
  it('runs the DAPO recipe (dynamic sampling) and REINFORCE without errors', () => {
    expect(run(1, RECIPES.dapo).curves.kept.length).toBe(3);
    expect(run(1, RECIPES.reinforce).curves.reward.every((x) => x >= 0 && x <= 1)).toBe(true);
  });
  it('pass@k from counts is the mean of the unbiased estimator', () => {
    expect(passAtKFromCounts([0, 4, 2], 4, 1)).toBeCloseTo((0 + 1 + 0.5) / 3, 12);
    expect(passAtKFromCounts([0, 4, 2], 4, 4)).toBeCloseTo((0 + 1 + 1) / 3, 12);
  });
});
