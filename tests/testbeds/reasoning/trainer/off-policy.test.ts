/**
 * The reasoning trainer's off-policy and token-level parts: the weights handed to the policy are the gradient of
 * each part's loss in the log-probabilities (central differences of independent float64 losses) for GSPO's
 * sequence ratio, the no-IS REINFORCE family (OPMD, AsymRE, RED-Weight), KL-Cov's penalty on the top-covariance
 * tokens; Clip-Cov detaches exactly its quota of in-band, unclipped tokens; the overlong filter drops truncated
 * responses; the loop's staleness samples from the policy of update t − 1 − k (θ₀ while t ≤ k) and refuses to
 * run without a behaviour policy.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { TransformerLm } from '../../../../src/nn/transformer-lm';
import { advantages } from '../../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../../src/testbeds/reasoning/trainer/clipping';
import { sequenceRatio } from '../../../../src/testbeds/reasoning/trainer/importance';
import { trainRl } from '../../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy, type Scored } from '../../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, truncatedResponses, type Rollouts } from '../../../../src/testbeds/reasoning/trainer/update';
import { additionTask } from '../../../../src/testbeds/reasoning/tasks/addition';
import { EOS, VOCAB_SIZE } from '../../../../src/testbeds/reasoning/tasks/vocab';

/** A policy whose completion log-probabilities are free parameters θ (N × L): records the first pass's weights. */
class FreeLogp implements RlPolicy {
  w: Float32Array | null = null;
  steps = 0;
  constructor(readonly theta: Float32Array) {}
  sample(): never {
    throw new Error('not used');
  }
  score(): Scored {
    return { logp: this.theta };
  }
  backward(_s: Scored, w: Float32Array): void {
    if (!this.w) this.w = Float32Array.from(w);
  }
  step(): number {
    this.steps++;
    return 0;
  }
  snapshot(): Float32Array {
    return this.theta;
  }
}

const B = 2,
  G = 3,
  L = 4,
  N = B * G;
const lengths = Int32Array.from([4, 2, 3, 1, 4, 2]);
const rewards = Float64Array.from([1, 0, 1, 0, 0, 1]);
const rng = new Rng(11);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.3, 0.3);
  }
const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards, offPolicy: true };

/** Central differences of `loss` in θ against the weights the update handed to the policy. */
function expectGradient(recipe: Recipe, loss: (th: Float64Array) => number, digits = 6): FreeLogp {
  const p = new FreeLogp(theta);
  policyUpdate(p, recipe, batch, null);
  const th = Float64Array.from(theta);
  const h = 1e-6;
  for (let j = 0; j < N * L; j++) {
    const up = Float64Array.from(th),
      dn = Float64Array.from(th);
    up[j] += h;
    dn[j] -= h;
    expect(p.w![j], `token ${j}`).toBeCloseTo((loss(up) - loss(dn)) / (2 * h), digits);
  }
  return p;
}

describe('importance parts', () => {
  it("GSPO's sequence ratio is the geometric mean of the token ratios", () => {
    const s = sequenceRatio(theta, oldLogp, 0, 4);
    let prod = 1;
    for (let t = 0; t < 4; t++) prod *= Math.exp(theta[t] - oldLogp[t]);
    expect(s).toBeCloseTo(prod ** (1 / 4), 12);
    expect(() => sequenceRatio(theta, oldLogp, 0, 0)).toThrow(/at least one token/);
  });

  it('GSPO: weights = ∂/∂log π of Σ_i (1/N)·ℓ_clip(s_i, A_i) (sequence-level clip; some sequences clipped)', () => {
    const recipe: Recipe = { ...RECIPES.gspo, clipping: { kind: 'clip-higher', epsLow: 0.05, epsHigh: 0.05 } };
    const adv = advantages('grpo', rewards, B, G);
    const loss = (th: Float64Array) => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        let d = 0;
        for (let t = 0; t < lengths[i]; t++) d += th[i * L + t] - oldLogp[i * L + t];
        s += (1 / N) * surrogateLoss(recipe.clipping, adv[i], Math.exp(d / lengths[i]));
      }
      return s;
    };
    const p = expectGradient(recipe, loss);
    // some whole sequences are clipped (all their tokens 0), others not
    let zeroRows = 0;
    for (let i = 0; i < N; i++)
      if (adv[i] !== 0 && p.w!.subarray(i * L, i * L + lengths[i]).every((x) => x === 0)) zeroRows++;
    expect(zeroRows).toBeGreaterThan(0);
    expect(zeroRows).toBeLessThan(N);
  });

  it("no importance weight (REC-OneSide-NoIS): −c·A where the token ratio is inside PPO's band, else 0", () => {
    const recipe: Recipe = { ...RECIPES['rec-oneside-nois'], clipping: { kind: 'symmetric', eps: 0.1 } };
    const p = new FreeLogp(theta);
    policyUpdate(p, recipe, batch, null);
    const adv = advantages('baseline', rewards, B, G);
    const c = tokenWeights('sequence-mean', lengths, L);
    let cut = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const rho = Math.exp(theta[i * L + t] - oldLogp[i * L + t]);
        const clipped = (adv[i] > 0 && rho > 1.1) || (adv[i] < 0 && rho < 0.9);
        if (clipped) cut++;
        expect(p.w![i * L + t]).toBeCloseTo(clipped ? 0 : -c[i][t] * adv[i], 7);
      }
    expect(cut).toBeGreaterThan(0);
  });
});

describe('batch-level normalisations', () => {
  it('batch-norm and group-mean-batch-std on a hand case (batch std unbiased, ε = 1e-6)', () => {
    const r = [1, 0, 0, 1, 1, 1]; // groups (1,0,0) and (1,1,1); batch mean 2/3, unbiased std √(4/15)
    const S = Math.sqrt(4 / 15) + 1e-6;
    const a = advantages('batch-norm', r, 2, 3);
    r.forEach((x, i) => expect(a[i]).toBeCloseTo((x - 2 / 3) / S, 12));
    const g = advantages('group-mean-batch-std', r, 2, 3);
    [1 - 1 / 3, -1 / 3, -1 / 3, 0, 0, 0].forEach((x, i) => expect(g[i]).toBeCloseTo(x / S, 12));
    // an all-equal batch gets zero advantages, not NaN
    expect(Array.from(advantages('batch-norm', [1, 1, 1, 1], 2, 2))).toEqual([0, 0, 0, 0]);
  });
});

describe('off-policy REINFORCE terms', () => {
  const adv = advantages('baseline', rewards, B, G);
  const c = tokenWeights('sequence-mean', lengths, L);
  /** Σ_t c_t·[−v(A)·A·log π + τ₂(log π − log μ)² − τ_a·log π] (no importance weight, no clip). */
  const loss = (k2: number, asym: number, temp: number | null) => (th: Float64Array) => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      const v = temp === null ? 1 : Math.exp(adv[i] / temp);
      for (let t = 0; t < lengths[i]; t++) {
        const j = i * L + t;
        s += c[i][t] * (-v * adv[i] * th[j] + k2 * (th[j] - oldLogp[j]) ** 2 - asym * th[j]);
      }
    }
    return s;
  };
  it('OPMD: τ(log π − log μ)² with τ = 0.1', () => expectGradient(RECIPES.opmd, loss(0.1, 0, null)));
  it('AsymRE: the baseline lowered by τ = 0.1', () => expectGradient(RECIPES.asymre, loss(0, 0.1, null)));
  it('RED-Weight: the advantage weighted by exp(A/T), T = 1', () =>
    expectGradient(RECIPES['red-weight'], loss(0, 0, 1)));
  it('all three together add up', () =>
    expectGradient(
      { ...RECIPES.opmd, offPolicyTerms: { k2Behaviour: 0.3, asymRe: 0.2, advantageWeightTemp: 2 } },
      loss(0.3, 0.2, 2),
    ));
});

describe('token controls', () => {
  const adv = advantages('grpo', rewards, B, G);
  /** The kept tokens' centred covariances (A − Ā)(log π − mean log π), written out independently. */
  function covariances(): { j: number; cov: number }[] {
    const toks: { j: number; a: number; lp: number }[] = [];
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) toks.push({ j: i * L + t, a: adv[i], lp: theta[i * L + t] });
    const ma = toks.reduce((s, x) => s + x.a, 0) / toks.length,
      ml = toks.reduce((s, x) => s + x.lp, 0) / toks.length;
    return toks.map((x) => ({ j: x.j, cov: (x.a - ma) * (x.lp - ml) }));
  }

  it('KL-Cov: the top-k covariance tokens get β·c·sign(log π − log μ) on top of the unclipped −c·A·ρ', () => {
    const recipe: Recipe = {
      ...RECIPES['kl-cov'],
      epochs: 1,
      tokenControl: { kind: 'kl-cov', ratio: 0.25, beta: 0.7 },
    };
    const covs = covariances();
    const k = Math.floor(0.25 * covs.length);
    const top = new Set(
      [...covs]
        .sort((a, b) => b.cov - a.cov || a.j - b.j)
        .slice(0, k)
        .map((x) => x.j),
    );
    const c = tokenWeights('sequence-mean', lengths, L);
    const loss = (th: Float64Array) => {
      let s = 0;
      for (let i = 0; i < N; i++)
        for (let t = 0; t < lengths[i]; t++) {
          const j = i * L + t;
          s += c[i][t] * (-adv[i] * Math.exp(th[j] - oldLogp[j]));
          if (top.has(j)) s += c[i][t] * 0.7 * Math.abs(th[j] - oldLogp[j]);
        }
      return s;
    };
    expectGradient(recipe, loss);
    const stats = policyUpdate(new FreeLogp(theta), recipe, batch, null);
    expect(stats.controlled).toBe(k);
  });

  it('Clip-Cov: detaches exactly max(1, ⌊r·n⌋) in-band tokens the ratio clip left alone; the rest is PPO', () => {
    const recipe: Recipe = {
      ...RECIPES['clip-cov'],
      epochs: 1,
      clipping: { kind: 'symmetric', eps: 0.2 },
      tokenControl: { kind: 'clip-cov', ratio: 0.2, lb: -10, ub: 10 },
    };
    const p = new FreeLogp(theta);
    const stats = policyUpdate(p, recipe, batch, null, new Rng(3));
    const covs = covariances();
    const c = tokenWeights('sequence-mean', lengths, L);
    let detached = 0;
    for (const { j } of covs) {
      const i = Math.floor(j / L),
        t = j % L;
      const rho = Math.exp(theta[j] - oldLogp[j]);
      const clipped = (adv[i] > 0 && rho > 1.2) || (adv[i] < 0 && rho < 0.8);
      const ppo = clipped ? 0 : -c[i][t] * adv[i] * rho;
      if (p.w![j] === 0 && ppo !== 0) detached++;
      else expect(p.w![j]).toBeCloseTo(ppo, 7);
    }
    expect(detached).toBe(Math.floor(0.2 * covs.length));
    expect(stats.controlled).toBe(detached);
    // a different rng picks other tokens; a narrow band leaves no candidate, so nothing is detached
    const q = new FreeLogp(theta);
    policyUpdate(q, recipe, batch, null, new Rng(4));
    expect(Array.from(q.w!)).not.toEqual(Array.from(p.w!));
    const none = policyUpdate(
      new FreeLogp(theta),
      { ...recipe, tokenControl: { kind: 'clip-cov', ratio: 0.2, lb: 50, ub: 60 } },
      batch,
      null,
      new Rng(3),
    );
    expect(none.controlled).toBe(0);
  });

  it('refuses bad settings and a Clip-Cov without an rng', () => {
    expect(() => policyUpdate(new FreeLogp(theta), RECIPES['clip-cov'], batch, null)).toThrow(/pass an rng/);
    expect(() =>
      policyUpdate(
        new FreeLogp(theta),
        { ...RECIPES['kl-cov'], tokenControl: { kind: 'kl-cov', ratio: 0, beta: 1 } },
        batch,
        null,
      ),
    ).toThrow(/ratio must be in \(0, 1\]/);
  });
});

describe('overlong filter', () => {
  it('drops exactly the responses that end without the stop token', () => {
    const T = 1 + L;
    const seq = new Int32Array(N * T).fill(3);
    // rows 0, 2, 4 end with EOS at their last token; 1, 3, 5 are truncated
    for (const i of [0, 2, 4]) seq[i * T + 1 + lengths[i] - 1] = EOS;
    const r: Rollouts = { ...batch, seq, offPolicy: false };
    expect(Array.from(truncatedResponses(r))).toEqual([0, 1, 0, 1, 0, 1]);
    const p = new FreeLogp(theta);
    const s = policyUpdate(p, { ...RECIPES.reinforce, filters: ['overlong'] }, r, null);
    expect(s.kept).toBe(3);
    for (const i of [1, 3, 5]) expect(p.w!.subarray(i * L, (i + 1) * L).every((x) => x === 0)).toBe(true);
  });
});

describe('staleness in the loop', () => {
  const config = { context: 48, layers: 1, dModel: 16, heads: 2, mlp: 32 };
  const lm = () => new LmPolicy(new TransformerLm({ vocab: VOCAB_SIZE, ...config }, new Rng(3)), { lr: 1e-2 });
  const key = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');

  it('update t samples from the policy after update t − 1 − k (the start while t ≤ k)', () => {
    const policy = lm();
    const behaviour = lm();
    const sampledWith: string[] = [];
    const recording: RlPolicy = {
      sample: (...a) => {
        sampledWith.push(key(behaviour.snapshot()));
        return behaviour.sample(...a);
      },
      score: (...a) => behaviour.score(...a),
      backward: (...a) => behaviour.backward(...a),
      step: () => behaviour.step(),
      snapshot: () => behaviour.snapshot(),
      load: (v) => behaviour.load(v),
    };
    const after: string[] = [key(policy.snapshot())];
    const curves = trainRl(
      policy,
      additionTask,
      {
        recipe: { ...RECIPES.reinforce, entropyBonus: 0.05 },
        level: 1,
        updates: 5,
        batchPrompts: 2,
        groupSize: 2,
        lr: 1e-2,
        staleness: 2,
      },
      new Rng(9),
      null,
      () => after.push(key(policy.snapshot())),
      recording,
    );
    // θ_0 for t = 1, 2, 3; θ_1 for t = 4; θ_2 for t = 5
    expect(sampledWith).toEqual([after[0], after[0], after[0], after[1], after[2]]);
    expect(new Set(after).size).toBe(6); // every update moved the weights
    expect(curves.klBehaviour.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expect(curves.klBehaviour[3]).toBeGreaterThan(0);
  });

  it('without staleness the ratios are 1 (no behaviour KL estimated); with it a behaviour policy is required', () => {
    const on = trainRl(
      lm(),
      additionTask,
      { recipe: RECIPES.reinforce, level: 1, updates: 1, batchPrompts: 2, groupSize: 2, lr: 1e-2 },
      new Rng(1),
      null,
    );
    expect(on.klBehaviour[0]).toBeNaN();
    expect(() =>
      trainRl(
        lm(),
        additionTask,
        { recipe: RECIPES.reinforce, level: 1, updates: 1, batchPrompts: 2, groupSize: 2, lr: 1e-2, staleness: 1 },
        new Rng(1),
        null,
      ),
    ).toThrow(/pass a behaviour policy/);
    expect(() =>
      trainRl(
        lm(),
        additionTask,
        { recipe: RECIPES.reinforce, level: 1, updates: 1, batchPrompts: 2, groupSize: 2, lr: 1e-2, staleness: 0.5 },
        new Rng(1),
        null,
      ),
    ).toThrow(/non-negative integer/);
  });
});
