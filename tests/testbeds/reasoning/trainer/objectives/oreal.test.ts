/**
 * OREAL's objective (src/testbeds/reasoning/trainer/objectives/oreal.ts): the shaped rewards against a direct RLOO/GRPO
 * computation on ±1 rewards, finite differences of eq. (11) and of the token reward model's eq. (12), the token
 * weights' special values, the pair selection, the wiring through the update, and its errors.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../../src/core/rng';
import {
  OREAL_RECIPE,
  orealPairs,
  orealSpec,
  orealTerms,
  orealTokenWeights,
  selectPairs,
  shapedRewards,
  thresholdRescale,
  tokenRmLoss,
  type OrealRollouts,
} from '../../../../../src/testbeds/reasoning/trainer/objectives/oreal';
import type { RlPolicy, Scored } from '../../../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES } from '../../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../../src/testbeds/reasoning/trainer/update';

/** A policy with fixed log-probabilities that records the token weights it is handed. */
class Tap implements RlPolicy {
  w: Float32Array[] = [];
  constructor(readonly logp: Float32Array) {}
  sample(): never {
    throw new Error('not a sampler');
  }
  score(): Scored {
    return { logp: Float32Array.from(this.logp) };
  }
  backward(_s: Scored, w: Float32Array): void {
    this.w.push(Float32Array.from(w));
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return new Float32Array(0);
  }
}

/** Two pairs (rows: correct, wrong, correct, wrong) of lengths 3, 2, 1, 3 in rows of L = 3. */
function pairBatch(): OrealRollouts {
  const B = 2,
    G = 2,
    P = 2,
    L = 3;
  const rng = new Rng(4);
  return {
    B,
    G,
    P,
    L,
    seq: new Int32Array(B * G * (P + L)),
    lengths: Int32Array.from([3, 2, 1, 3]),
    oldLogp: Float32Array.from({ length: B * G * L }, () => -rng.range(0.1, 2)),
    rewards: Float64Array.from([1, 0, 1, 0]),
    groupSize: 8,
    passRate: Float64Array.from([0.25, 0.625]),
  };
}

describe('shaped rewards', () => {
  it('RLOO and GRPO of the ±1 rewards equal a direct computation over the K answers', () => {
    const K = 8;
    for (const c of [1, 3, 7]) {
      const r = Array.from({ length: K }, (_, i) => (i < c ? 1 : -1));
      const p = c / K;
      const s = r.reduce((a, b) => a + b, 0);
      const rloo = r.map((x) => x - (s - x) / (K - 1));
      const m = s / K;
      const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / (K - 1));
      const a = shapedRewards('rloo', p, K);
      expect(a.pos).toBeCloseTo(rloo[0], 12);
      expect(a.neg).toBeCloseTo(rloo[K - 1], 12);
      const g = shapedRewards('grpo', p, K);
      expect(g.pos).toBeCloseTo((1 - m) / (sd + 1e-8), 9);
      expect(g.neg).toBeCloseTo((-1 - m) / (sd + 1e-8), 9);
      expect(shapedRewards('none', p, K)).toEqual({ pos: 1, neg: -1 });
    }
  });
  it('refuses p outside (0, 1) and K < 2', () => {
    expect(() => shapedRewards('rloo', 0, 8)).toThrow(/strictly in \(0, 1\)/);
    expect(() => shapedRewards('rloo', 0.5, 1)).toThrow(/K must be an integer/);
  });
});

describe('eq. (11): loss and gradient', () => {
  const b = pairBatch();
  const N = 4,
    L = 3;
  const rng = new Rng(9);
  const pw = Float32Array.from({ length: N * L }, () => rng.uniform());
  const nw = Float32Array.from({ length: N * L }, () => rng.uniform());
  for (const spec of [
    orealSpec(),
    orealSpec({ shaping: 'grpo', positiveAdvantage: false }),
    orealSpec({ shaping: 'none', negativeFactor: 1 }),
  ])
    it(`matches finite differences (${spec.shaping}, pos_mult_adv ${spec.positiveAdvantage})`, () => {
      const logp = Float64Array.from(b.oldLogp);
      const f = (x: Float64Array) => orealTerms(spec, x, b.lengths, b.rewards, b.passRate, 8, 2, L, pw, nw);
      const g = f(logp).grad;
      const h = 1e-6;
      for (let i = 0; i < N; i++)
        for (let t = 0; t < L; t++) {
          const j = i * L + t;
          const up = Float64Array.from(logp),
            dn = Float64Array.from(logp);
          up[j] += h;
          dn[j] -= h;
          const fd = (f(up).loss - f(dn).loss) / (2 * h);
          expect(g[j]).toBeCloseTo(t < b.lengths[i] ? fd : 0, 7);
        }
    });
  it('without token weights and η = 1: −A/N± per token (RLOO with the code’s per-sign token normalisation)', () => {
    const spec = orealSpec({ tokenWeights: false, negativeFactor: 1 });
    const t = orealTerms(spec, b.oldLogp, b.lengths, b.rewards, b.passRate, 8, 2, L, null, null);
    expect(t.posTokens).toBe(4);
    expect(t.negTokens).toBe(5);
    const a0 = shapedRewards('rloo', 0.25, 8),
      a1 = shapedRewards('rloo', 0.625, 8);
    expect(t.grad[0]).toBeCloseTo(-a0.pos / 4, 12);
    expect(t.grad[L]).toBeCloseTo(-a0.neg / 5, 12);
    expect(t.grad[2 * L]).toBeCloseTo(-a1.pos / 4, 12);
    expect(t.grad[3 * L + 2]).toBeCloseTo(-a1.neg / 5, 12);
    expect(t.grad[L + 2]).toBe(0); // after the end
  });
  it('no shaping, no negatives, no weights: plain behaviour cloning, the RFT recipe’s token weights', () => {
    const spec = orealSpec({ shaping: 'none', negativeFactor: 0, tokenWeights: false });
    const tap = new Tap(b.oldLogp);
    policyUpdate(tap, { ...OREAL_RECIPE, kl: { kind: 'none' }, objective: spec }, b, null);
    const rft = new Tap(b.oldLogp);
    policyUpdate(rft, RECIPES.rft, b, null);
    for (let j = 0; j < N * L; j++) expect(tap.w[0][j]).toBeCloseTo(rft.w[0][j], 7);
  });
  it('through the update: the objective’s gradient plus the recipe’s k3 KL over all pair tokens', () => {
    const tap = new Tap(b.oldLogp);
    const ref = Float32Array.from(b.oldLogp, (x, j) => x - 0.1 * (j % 3));
    const batch = { ...b, posWeight: pw, negWeight: nw };
    policyUpdate(tap, OREAL_RECIPE, batch, ref);
    const t = orealTerms(orealSpec(), b.oldLogp, b.lengths, b.rewards, b.passRate, 8, 2, L, pw, nw);
    for (let i = 0; i < N; i++)
      for (let k = 0; k < b.lengths[i]; k++) {
        const j = i * L + k;
        const kl = (0.01 / 9) * (1 - Math.exp(-(b.oldLogp[j] - ref[j])));
        expect(tap.w[0][j]).toBeCloseTo(t.grad[j] + kl, 6);
      }
  });
});

describe('token reward model (eq. 12) and token weights', () => {
  it('eq. (12) matches finite differences', () => {
    const rng = new Rng(2);
    const lengths = [3, 1, 2],
      rewards = [1, 0, 0],
      L = 3;
    const s = Float64Array.from({ length: 9 }, () => rng.normal());
    const g = tokenRmLoss(s, lengths, rewards, L).grad;
    for (let j = 0; j < 9; j++) {
      const up = Float64Array.from(s),
        dn = Float64Array.from(s);
      up[j] += 1e-6;
      dn[j] -= 1e-6;
      const fd = (tokenRmLoss(up, lengths, rewards, L).loss - tokenRmLoss(dn, lengths, rewards, L).loss) / 2e-6;
      expect(g[j]).toBeCloseTo(fd, 7);
    }
  });
  it('weights: 0 at a neutral score, w⁺ → 1 for confident-correct prefixes, w⁻ → 1 for confident-wrong ones', () => {
    const w = orealTokenWeights([0, 0, 20, 20, -20, 40], [2, 2, 2], 2);
    expect(Array.from(w.pos.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(w.neg.subarray(0, 2))).toEqual([0, 0]);
    expect(w.pos[2]).toBeCloseTo(1, 6);
    expect(w.neg[2]).toBe(0);
    expect(w.neg[4]).toBeCloseTo(1, 6);
    // Cumulative mean: (−20 + 40)/2 = 10 > 0 at the second token.
    expect(w.pos[5]).toBeCloseTo(2 / (1 + Math.exp(-10)) - 1, 6);
    expect(w.neg[5]).toBe(0);
    expect(thresholdRescale(0.75)).toBe(0.5);
    expect(thresholdRescale(0.3)).toBe(0);
  });
});

describe('pair selection (Algorithm 1, lines 7–9)', () => {
  it('keeps mixed questions only, one correct and one wrong answer each, with p and K', () => {
    const G = 4,
      P = 1,
      L = 2;
    const rewards = Float64Array.from([1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0]);
    const r: Rollouts = {
      B: 3,
      G,
      P,
      L,
      seq: Int32Array.from({ length: 12 * (P + L) }, (_, i) => Math.floor(i / (P + L))),
      lengths: new Int32Array(12).fill(2),
      oldLogp: new Float32Array(24),
      rewards,
    };
    const p = orealPairs(r, new Rng(1))!;
    expect(p.B).toBe(2);
    expect(p.G).toBe(2);
    expect(Array.from(p.rewards)).toEqual([1, 0, 1, 0]);
    expect(Array.from(p.passRate)).toEqual([0.25, 0.5]);
    expect(p.groupSize).toBe(4);
    // Row ids (the seq fill) come from the right questions: 0–3 and 8–11.
    expect(p.seq[0]).toBe(0);
    expect([8, 9, 10, 11]).toContain(p.seq[2 * (P + L)]);
    const one = selectPairs(p, [1]);
    expect(Array.from(one.passRate)).toEqual([0.5]);
    expect(one.seq[0]).toBe(p.seq[2 * (P + L)]);
    expect(orealPairs({ ...r, rewards: new Float64Array(12) }, new Rng(1))).toBeNull();
  });
});

describe('errors', () => {
  it('bad specs and batches say what is wrong', () => {
    expect(() => orealSpec({ shaping: 'ppo' as never })).toThrow(/shaping must be one of/);
    expect(() => orealSpec({ negativeFactor: -1 })).toThrow(/negativeFactor/);
    const b = pairBatch();
    const plain: Rollouts = { ...b };
    delete (plain as Partial<OrealRollouts>).passRate;
    expect(() => policyUpdate(new Tap(b.oldLogp), { ...OREAL_RECIPE, kl: { kind: 'none' } }, plain, null)).toThrow(
      /needs an OrealRollouts batch/,
    );
    expect(() => policyUpdate(new Tap(b.oldLogp), { ...OREAL_RECIPE, kl: { kind: 'none' } }, b, null)).toThrow(
      /set posWeight and negWeight/,
    );
  });
});
