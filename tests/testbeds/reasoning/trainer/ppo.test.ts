/**
 * PPO with a learned critic (trainer/gae.ts, critic.ts, the 'gae' advantage of update.ts and loop.ts): GAE
 * against the direct sum of its definition and its λ = 1 / λ = 0 limits; whitening; the clipped value loss's
 * derivative by central differences; per-token advantages reaching the surrogate (central differences of an
 * independent float64 loss; per-token advantages equal to a response's own give the per-response update bit
 * for bit); the critic's value-head gradient (its first Adam step moves each head entry by lr against the sign of
 * its gradient) and its fit of fixed returns; PPO in the loop; the messages when a part is missing.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { TransformerLm } from '../../../../src/nn/transformer-lm';
import { advantages } from '../../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../../src/testbeds/reasoning/trainer/clipping';
import { TransformerCritic } from '../../../../src/testbeds/reasoning/trainer/critic';
import { clippedValueLoss, gaeAdvantages, maskedWhiten } from '../../../../src/testbeds/reasoning/trainer/gae';
import { trainRl } from '../../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy } from '../../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../src/testbeds/reasoning/trainer/update';
import { additionTask } from '../../../../src/testbeds/reasoning/tasks/addition';
import { VOCAB_SIZE } from '../../../../src/testbeds/reasoning/tasks/vocab';
import { FreeLogp } from '../free-logp';

describe('GAE (gae.ts)', () => {
  const N = 3,
    L = 5;
  const lengths = [5, 2, 3];
  const r = new Rng(4);
  const rewards = Array.from({ length: N * L }, () => r.normal());
  const values = Array.from({ length: N * L }, () => r.normal());
  it.each([
    [1, 1],
    [0.9, 0.95],
    [0.7, 0],
  ])('equals Σ (γλ)^l δ_{t+l} with V = 0 after the end; returns = A + V (γ %s, λ %s)', (gamma, lambda) => {
    const g = gaeAdvantages(rewards, values, lengths, N, L, gamma, lambda);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < L; t++) {
        const j = i * L + t;
        if (t >= lengths[i]) {
          expect(g.adv[j]).toBe(0);
          continue;
        }
        let want = 0;
        for (let s = t; s < lengths[i]; s++) {
          const next = s + 1 < lengths[i] ? values[i * L + s + 1] : 0;
          const delta = rewards[i * L + s] + gamma * next - values[i * L + s];
          want += (gamma * lambda) ** (s - t) * delta;
        }
        expect(g.adv[j]).toBeCloseTo(want, 12);
        expect(g.returns[j]).toBeCloseTo(want + values[j], 12);
      }
  });
  it('γ = λ = 1: A_t = Σ_{s≥t} r_s − V_t (Monte Carlo minus the value); λ = 0: the one-step δ_t', () => {
    const one = gaeAdvantages(rewards, values, lengths, N, L, 1, 1);
    const zero = gaeAdvantages(rewards, values, lengths, N, L, 1, 0);
    for (let t = 0; t < lengths[0]; t++) {
      let tail = 0;
      for (let s = t; s < lengths[0]; s++) tail += rewards[s];
      expect(one.adv[t]).toBeCloseTo(tail - values[t], 12);
      const next = t + 1 < lengths[0] ? values[t + 1] : 0;
      expect(zero.adv[t]).toBeCloseTo(rewards[t] + next - values[t], 12);
    }
  });
  it('rejects bad shapes, lengths and coefficients with a message', () => {
    expect(() => gaeAdvantages(rewards, values, [5, 2], N, L, 1, 1)).toThrow(/expected 3·5 rewards/);
    expect(() => gaeAdvantages(rewards, values, [5, 0, 3], N, L, 1, 1)).toThrow(/row 1 has length 0/);
    expect(() => gaeAdvantages(rewards, values, lengths, N, L, 1.5, 1)).toThrow(/γ and λ must lie in \[0, 1\]/);
  });
  it('maskedWhiten: mean 0 and unbiased variance 1 over the mask, 0 elsewhere', () => {
    const x = Float64Array.from({ length: 12 }, () => 3 + 2 * r.normal());
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0]);
    const w = maskedWhiten(x, mask);
    const kept = Array.from(w).filter((_, j) => mask[j]);
    const m = kept.reduce((a, b) => a + b, 0) / kept.length;
    const v = kept.reduce((a, b) => a + (b - m) ** 2, 0) / (kept.length - 1);
    expect(m).toBeCloseTo(0, 12);
    expect(v).toBeCloseTo(1, 6);
    for (let j = 0; j < 12; j++) if (!mask[j]) expect(w[j]).toBe(0);
  });
  it('the clipped value loss’s derivative matches central differences (clip active and not, and no clip)', () => {
    const h = 1e-6;
    const cases: [number, number, number, number | null][] = [
      [0.3, 0.2, 1, 0.5], // inside the range: unclipped
      [1.2, 0.2, 1, 0.5], // v above v_old + c, R below v: the unclipped term is larger
      [0.9, 0.2, 1, 0.5], // v above the range, R above v: the clipped term is larger, gradient cut
      [-0.6, 0.2, -2, 0.5], // v below the range, R below it: clipped term larger, cut
      [0.9, 0.2, 1, null],
    ];
    for (const [v, vOld, R, c] of cases) {
      const { grad } = clippedValueLoss(v, vOld, R, c);
      const fd = (clippedValueLoss(v + h, vOld, R, c).loss - clippedValueLoss(v - h, vOld, R, c).loss) / (2 * h);
      expect(grad).toBeCloseTo(fd, 6);
    }
    expect(clippedValueLoss(0.9, 0.2, 1, 0.5).grad).toBe(0);
    expect(clippedValueLoss(0.9, 0.2, 1, 0.5).loss).toBeCloseTo(0.5 * 0.3 * 0.3, 12);
  });
});

describe("the 'gae' advantage in policyUpdate", () => {
  const B = 2,
    G = 2,
    L = 4,
    N = B * G;
  const rng = new Rng(9);
  const lengths = Int32Array.from([4, 2, 3, 1]);
  const oldLogp = new Float32Array(N * L),
    theta = new Float32Array(N * L);
  for (let i = 0; i < N; i++)
    for (let t = 0; t < lengths[i]; t++) {
      oldLogp[i * L + t] = -rng.range(0.1, 2);
      theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.6, 0.6);
    }
  const rewards = Float64Array.from([1, 0, 0, 1]);
  const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards };
  const tokenAdv = Float64Array.from({ length: N * L }, () => rng.normal());

  it('weights = ∂loss/∂log π of Σ c_it·ℓ_clip(ρ_it, A_it) with per-token A (central differences, 2 passes)', () => {
    const recipe: Recipe = { ...RECIPES.ppo, epochs: 2 };
    const p = new FreeLogp(theta);
    policyUpdate(p, recipe, batch, null, undefined, tokenAdv);
    const c = tokenWeights(recipe.aggregation, lengths, L);
    const loss = (th: Float64Array) => {
      let s = 0;
      for (let i = 0; i < N; i++)
        for (let t = 0; t < lengths[i]; t++) {
          const j = i * L + t;
          s += c[i][t] * surrogateLoss(recipe.clipping, tokenAdv[j], Math.exp(th[j] - oldLogp[j]));
        }
      return s;
    };
    const h = 1e-5;
    let cut = 0;
    for (let j = 0; j < N * L; j++) {
      const up = Float64Array.from(theta),
        dn = Float64Array.from(theta);
      up[j] += h;
      dn[j] -= h;
      expect(p.w![j]).toBeCloseTo((loss(up) - loss(dn)) / (2 * h), 5);
      if (j % L < lengths[Math.floor(j / L)] && p.w![j] === 0) cut++;
    }
    expect(cut).toBeGreaterThan(0); // some ratios are clipped
  });

  it('per-token advantages equal to each response’s own give the per-response recipe’s weights bit for bit', () => {
    const A = advantages('grpo', rewards, B, G);
    const same = Float64Array.from({ length: N * L }, (_, j) => A[Math.floor(j / L)]);
    const a = new FreeLogp(theta),
      b = new FreeLogp(theta);
    const base: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' }, epochs: 2 };
    policyUpdate(a, base, batch, null);
    policyUpdate(b, { ...base, advantage: 'gae' }, batch, null, undefined, same);
    expect(Buffer.from(a.w!.buffer).equals(Buffer.from(b.w!.buffer))).toBe(true);
  });

  it('without the per-token advantages it says what is missing', () => {
    expect(() => policyUpdate(new FreeLogp(theta), RECIPES.ppo, batch, null)).toThrow(
      /'gae' advantage needs the loop's per-token advantages/,
    );
    expect(() => advantages('gae', rewards, B, G)).toThrow(/one advantage per token from a learned critic/);
  });
});

describe('TransformerCritic', () => {
  const cfg = { vocab: 11, context: 12, layers: 1, dModel: 8, heads: 2, mlp: 16 };
  const N = 4,
    P = 3,
    T = 9,
    L = T - P;
  const tok = new Rng(2);
  const seq = Int32Array.from({ length: N * T }, () => tok.int(11));
  const mask = Uint8Array.from({ length: N * L }, (_, j) => (j % L < 2 + (Math.floor(j / L) % 3) ? 1 : 0));

  it('starts at V = 0; its first step moves each head entry by lr against the sign of the loss gradient', () => {
    const critic = new TransformerCritic(new TransformerLm(cfg, new Rng(1)), { lr: 1e-3 });
    const v0 = critic.values(seq, N, T, P);
    expect(v0.every((v) => v === 0)).toBe(true);
    const returns = Float64Array.from({ length: N * L }, (_, j) => (Math.floor(j / L) % 2 ? 1 : -0.5));
    const h = critic.model.hidden(critic.model.forward(seq, N, T, P - 1));
    // ∂ℓ/∂w_k = mean over masked tokens of (v − R)·h_k = −mean R·h_k; ∂ℓ/∂b = −mean R
    const d = cfg.dModel;
    const grad = new Float64Array(d + 1);
    let n = 0;
    for (let j = 0; j < N * L; j++)
      if (mask[j]) {
        n++;
        for (let k = 0; k < d; k++) grad[k] -= returns[j] * h[j * d + k];
        grad[d] -= returns[j];
      }
    const loss = critic.update(seq, N, T, P, returns, v0, mask, 0.5);
    let want = 0;
    for (let j = 0; j < N * L; j++) if (mask[j]) want += 0.5 * returns[j] ** 2;
    expect(loss).toBeCloseTo(want / n, 6);
    for (let k = 0; k <= d; k++) expect(critic.head[k]).toBeCloseTo(-1e-3 * Math.sign(grad[k]), 6);
  });

  it('fits fixed per-token returns (loss falls below a tenth of its start; unmasked tokens do not count)', () => {
    const critic = new TransformerCritic(new TransformerLm(cfg, new Rng(1)), { lr: 3e-3, maxGradNorm: 1 });
    const rr = new Rng(3);
    const returns = Float64Array.from({ length: N * L }, () => rr.range(-1, 1));
    let first = NaN,
      last = NaN;
    for (let s = 0; s < 300; s++) {
      const v = critic.values(seq, N, T, P);
      last = critic.update(seq, N, T, P, returns, v, mask, null);
      if (s === 0) first = last;
    }
    expect(last).toBeLessThan(first / 10);
    expect(critic.update(seq, N, T, P, returns, new Float32Array(N * L), new Uint8Array(N * L), null)).toBeNaN();
    expect(() => critic.update(seq, N, T, P, returns.subarray(1), new Float32Array(N * L), mask, null)).toThrow(
      /need N·L = 24 entries/,
    );
  });
});

describe('PPO in trainRl', () => {
  const config = { context: 48, layers: 1, dModel: 16, heads: 2, mlp: 32 };
  const make = (seed = 3) => new TransformerLm({ vocab: VOCAB_SIZE, ...config }, new Rng(seed));
  // An untrained model earns no verifier reward: a KL in the reward (to a differently initialised reference)
  // gives every token a reward, so the critic has something to learn.
  const recipe: Recipe = { ...RECIPES.ppo, kl: { kind: 'reward', estimator: 'k1', beta: 0.1 } };
  const run = (seed: number) => {
    const policy = new LmPolicy(make(), { lr: 1e-2, maxGradNorm: 1 });
    const critic = new TransformerCritic(make(), { lr: 1e-1, maxGradNorm: 1 });
    const curves = trainRl(
      policy,
      additionTask,
      { recipe, level: 1, updates: 3, batchPrompts: 4, groupSize: 4, lr: 1e-2, critic },
      new Rng(seed),
      new LmPolicy(make(4), { lr: 1 }),
    );
    return { w: policy.snapshot(), head: Float32Array.from(critic.head), curves };
  };
  it('trains policy and critic deterministically and records the value loss', () => {
    const a = run(5),
      b = run(5);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
    expect(Buffer.from(a.head.buffer).equals(Buffer.from(b.head.buffer))).toBe(true);
    expect(a.curves.valueLoss!.length).toBe(3);
    expect(a.curves.valueLoss!.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(a.head.some((x) => x !== 0)).toBe(true);
  });
  it('says that the recipe needs a critic', () => {
    const policy = new LmPolicy(make(), { lr: 1e-2 });
    expect(() =>
      trainRl(
        policy,
        additionTask,
        { recipe: RECIPES.ppo, level: 1, updates: 1, batchPrompts: 2, groupSize: 2, lr: 1e-2 },
        new Rng(1),
        null,
      ),
    ).toThrow(/'gae' advantage needs a critic \(RlConfig.critic/);
  });
});
