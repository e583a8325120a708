import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  covarianceRows,
  entropyRows,
  exactGradient,
  logSoftmaxRows,
  makeBandit,
  objective,
  randomBinaryBandit,
  softmaxRows,
  addEntropyGradient,
  addKlGradient,
  klRows,
} from '../../src/testbeds/rlvr/bandit';
import {
  batchAdvantages,
  betaPdf,
  bnpoParameters,
  groupAdvantages,
  pgDirection,
  sampleBatch,
  type PgConfig,
} from '../../src/testbeds/rlvr/pg';
import { policyState, runBandit, type PolicyState } from '../../src/testbeds/rlvr/train';

const adv = (
  r: number[],
  o: Parameters<typeof groupAdvantages>[3],
  p?: number,
  ab?: { alpha: number; beta: number },
) => {
  const out = new Float64Array(r.length);
  groupAdvantages(r, 0, r.length, o, out, p, ab);
  return Array.from(out);
};

describe('rlvr group-relative advantages on hand cases', () => {
  const r = [1, 0, 0, 1];
  it('REINFORCE uses the raw reward; the baseline and Dr. GRPO subtract the group mean', () => {
    expect(adv(r, { kind: 'reinforce' })).toEqual([1, 0, 0, 1]);
    expect(adv(r, { kind: 'baseline' })).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(adv(r, { kind: 'dr-grpo' })).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(adv([1, 0, 0, 0], { kind: 'baseline' })).toEqual([0.75, -0.25, -0.25, -0.25]);
  });
  it('RLOO subtracts the mean of the other G − 1 rewards', () => {
    const a = adv([1, 0, 0, 1], { kind: 'rloo' });
    [2 / 3, -2 / 3, -2 / 3, 2 / 3].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 14));
    const b = adv([1, 0, 0, 0], { kind: 'rloo' });
    [1, -1 / 3, -1 / 3, -1 / 3].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 14));
  });
  it('GRPO divides by the group std (unbiased by default, population optional) and gives 0 to uniform groups', () => {
    const s = Math.sqrt(1 / 3); // unbiased std of [1,0,0,1]
    adv(r, { kind: 'grpo', eps: 0 }).forEach((v, i) => expect(v).toBeCloseTo((r[i] - 0.5) / s, 12));
    adv(r, { kind: 'grpo', eps: 0, std: 'population' }).forEach((v, i) =>
      expect(v).toBeCloseTo((r[i] - 0.5) / 0.5, 12),
    );
    expect(adv([1, 1, 1], { kind: 'grpo' })).toEqual([0, 0, 0]);
  });
  it('BNPO(1,1) is REINFORCE with baseline; BNPO(3/2,3/2) is GRPO (population std) times π/8', () => {
    adv(r, { kind: 'bnpo', bnpo: { alpha: 1, beta: 1 } }).forEach((v, i) => expect(v).toBeCloseTo(r[i] - 0.5, 12));
    const g = adv([1, 0, 0, 0], { kind: 'grpo', eps: 0, std: 'population' });
    const b = adv([1, 0, 0, 0], { kind: 'bnpo', bnpo: { alpha: 1.5, beta: 1.5 } });
    b.forEach((v, i) => expect(v).toBeCloseTo((g[i] * Math.PI) / 8, 12));
  });
  it('BNPO uses the oracle p when given, and is 0 (not NaN) at p̂ ∈ {0, 1}', () => {
    const a = adv([1, 0], { kind: 'bnpo', bnpo: { alpha: 2, beta: 2 } }, 0.25);
    const f = 6 * 0.25 * 0.75; // Beta(2,2) density at 0.25
    expect(a[0]).toBeCloseTo(0.75 / f, 12);
    expect(a[1]).toBeCloseTo(-0.25 / f, 12);
    expect(adv([0, 0, 0], { kind: 'bnpo', bnpo: { alpha: 2, beta: 3 } })).toEqual([0, 0, 0]);
    expect(adv([1, 1, 1], { kind: 'bnpo', bnpo: { alpha: 2, beta: 3 } })).toEqual([0, 0, 0]);
  });
  it("BNPO's adaptive (α, β) follow the method-of-moments Beta fit: α = max(1 + a/3, 1), β = max(1 + b/3, 1)", () => {
    // p̂ = [0.2, 0.4, 0.6]: m = 0.4, v = 0.04, m(1 − m)/v − 1 = 5 → a = 2, b = 3.
    const f = bnpoParameters([0.2, 0.4, 0.6]);
    expect(f.a).toBeCloseTo(2, 12);
    expect(f.b).toBeCloseTo(3, 12);
    expect(f.alpha).toBeCloseTo(5 / 3, 12);
    expect(f.beta).toBeCloseTo(2, 12);
    // batchAdvantages applies it: groups of 5 with means 0.2, 0.4, 0.6.
    const rw = [1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0];
    const { adv: A, alpha, beta } = batchAdvantages(rw, 3, 5, { kind: 'bnpo' });
    expect(alpha).toBeCloseTo(5 / 3, 12);
    expect(beta).toBeCloseTo(2, 12);
    expect(A[0]).toBeCloseTo(0.8 / betaPdf(0.2, 5 / 3, 2), 12);
    // A U-shaped spread (v > m(1 − m)/2) gives a, b < 0 → clamped to (1, 1).
    const u = bnpoParameters([0, 1, 0, 1]);
    expect([u.alpha, u.beta]).toEqual([1, 1]);
  });
  it('the Beta density integrates to 1 and handles α = 1 at the boundary', () => {
    let s = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) s += betaPdf((i + 0.5) / n, 2.5, 1.7) / n;
    expect(s).toBeCloseTo(1, 6);
    expect(betaPdf(0, 1, 3)).toBeCloseTo(3, 12);
  });
});

describe('rlvr tabular softmax: exact gradients', () => {
  const rng = new Rng(7);
  const { bandit, logits } = randomBinaryBandit(rng, { nPrompts: 3, nResponses: 5, correct: [1, 2] });
  const K = bandit.nResponses;
  it('exactGradient matches central finite differences of J', () => {
    const g = exactGradient(bandit, softmaxRows(logits, K));
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const zp = logits.slice(),
        zm = logits.slice();
      zp[i] += h;
      zm[i] -= h;
      const fd = (objective(bandit, softmaxRows(zp, K)) - objective(bandit, softmaxRows(zm, K))) / (2 * h);
      expect(g[i]).toBeCloseTo(fd, 8);
    }
  });
  it('entropy and KL gradients match finite differences', () => {
    const ref = logSoftmaxRows(
      logits.map((z, i) => z * 0.5 + (i % 3)),
      K,
    );
    const H = (z: Float64Array) => entropyRows(softmaxRows(z, K), K)[1];
    const KL = (z: Float64Array) => klRows(logSoftmaxRows(z, K), ref, K)[1];
    const p = softmaxRows(logits, K),
      lp = logSoftmaxRows(logits, K);
    const gH = new Float64Array(logits.length),
      gK = new Float64Array(logits.length);
    addEntropyGradient(p, lp, K, 1, 1, gH);
    addKlGradient(p, lp, ref, K, 1, 1, gK);
    const h = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const zp = logits.slice(),
        zm = logits.slice();
      zp[i] += h;
      zm[i] -= h;
      expect(gH[i]).toBeCloseTo((H(zp) - H(zm)) / (2 * h), 7);
      expect(gK[i]).toBeCloseTo((KL(zp) - KL(zm)) / (2 * h), 7);
    }
  });
});

describe('rlvr policy-gradient estimate vs the exact gradient (in expectation)', () => {
  // Q·∇J = π ⊙ (r − p) per prompt is the expected direction of REINFORCE and RLOO; the group mean
  // including the sample itself shrinks it by (G − 1)/G.
  const rng = new Rng(11);
  const bandit = makeBandit(2, 4, [1, 0, 0, 1, 0, 1, 0, 0]);
  const logits = Float64Array.from([0.3, -0.2, 0.5, -1, 0.1, 0.4, -0.3, 0.2]);
  const st = policyState(logits, 4);
  const exact = exactGradient(bandit, st.probs).map((g) => g * bandit.nPrompts);
  const prompts = Int32Array.from([0, 1]);
  const G = 4;
  const N = 20000;
  const check = (cfg: PgConfig, factor: number) => {
    const n = logits.length;
    const sum = new Float64Array(n),
      sq = new Float64Array(n),
      d = new Float64Array(n);
    const r = rng.split(cfg.advantage.kind);
    for (let t = 0; t < N; t++) {
      const batch = sampleBatch(r, bandit, st.probs, st.logProbs, prompts, G);
      pgDirection(bandit, st.probs, st.logProbs, batch, cfg, d);
      for (let i = 0; i < n; i++) {
        sum[i] += d[i];
        sq[i] += d[i] * d[i];
      }
    }
    let maxZ = 0;
    for (let i = 0; i < n; i++) {
      const m = sum[i] / N;
      const se = Math.sqrt((sq[i] / N - m * m) / N);
      maxZ = Math.max(maxZ, Math.abs(m - factor * exact[i]) / se);
    }
    return maxZ;
  };
  const base = { importanceWeight: false, clip: 'none' } as const;
  it('REINFORCE (no baseline) is unbiased (every coordinate within 4.5 standard errors)', () => {
    expect(check({ ...base, advantage: { kind: 'reinforce' } }, 1)).toBeLessThan(4.5);
  });
  it('RLOO is unbiased', () => {
    expect(check({ ...base, advantage: { kind: 'rloo' } }, 1)).toBeLessThan(4.5);
  });
  it('the group-mean baseline is unbiased up to the factor (G − 1)/G, and the test can tell the difference', () => {
    expect(check({ ...base, advantage: { kind: 'baseline' } }, (G - 1) / G)).toBeLessThan(4.5);
    expect(check({ ...base, advantage: { kind: 'baseline' } }, 1)).toBeGreaterThan(6);
  });
});

describe('rlvr surrogate: clipping, importance weights, sample filters, staleness', () => {
  const bandit = makeBandit(1, 3, [1, 0, 0]);
  const st = policyState(Float64Array.from([0, 0, 0]), 3);
  const batch = {
    prompts: Int32Array.from([0]),
    G: 2,
    actions: Int32Array.from([0, 1]),
    rewards: Float64Array.from([1, 0]),
    behaviourLogProb: Float64Array.from([Math.log(0.5), Math.log(1 / 3)]),
  };
  // ρ(o=0) = (1/3)/0.5 = 2/3 (A = +0.5), ρ(o=1) = 1 (A = −0.5).
  const d = new Float64Array(3);
  it('the PPO one-sided clip keeps a positive-advantage sample whose ratio fell (ρ < 1 − ε), and weights by ρ with IS', () => {
    const diag = pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: true, clip: 'ppo', clipLow: 0.2 },
      d,
    );
    expect(diag.clippedFraction).toBe(0);
    // d = (1/G)[0.5·(2/3)(e0 − π) − 0.5·1·(e1 − π)]
    const pi = 1 / 3;
    expect(d[0]).toBeCloseTo(0.5 * (0.5 * (2 / 3) * (1 - pi) + 0.5 * pi), 12);
  });
  it('the two-sided clip drops it; the "negative" filter keeps only A < 0', () => {
    const diag = pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'two-side', clipLow: 0.2 },
      d,
    );
    expect(diag.clippedFraction).toBe(0.5);
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', samples: 'negative' },
      d,
    );
    // only −0.5·(e1 − π)/2
    expect(Array.from(d).map((x) => +x.toFixed(12))).toEqual([1 / 12, -1 / 6, 1 / 12].map((x) => +x.toFixed(12)));
  });
  it('AsymRE shifts every sample weight by τ; OPMD pulls log π toward log μ', () => {
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', asymShift: 0.1 },
      d,
    );
    const e = new Float64Array(3);
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none' },
      e,
    );
    // extra (τ/G)Σ_i (e_{o_i} − π) = 0.05·([1,1,0] − 2/3)
    [1 / 3, 1 / 3, -2 / 3].forEach((v, i) => expect(d[i] - e[i]).toBeCloseTo(0.05 * v, 12));
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'baseline' }, importanceWeight: false, clip: 'none', k2Coef: 1 },
      d,
    );
    // sample 0: log π − log μ = log(2/3) < 0 → the k2 term raises z0
    expect(d[0] - e[0]).toBeGreaterThan(0);
  });
  it('with staleness k the behaviour log-probabilities are those of the policy k updates earlier', () => {
    const { bandit: b, logits } = randomBinaryBandit(new Rng(3), { nPrompts: 4, nResponses: 6 });
    const states: PolicyState[] = [policyState(logits.slice(), 6)];
    let checked = 0;
    runBandit(
      b,
      logits,
      {
        steps: 8,
        lr: 1,
        batchPrompts: 4,
        groupSize: 3,
        pg: { advantage: { kind: 'rloo' }, importanceWeight: false, clip: 'none' },
        staleness: 2,
      },
      new Rng(5),
      (s) => {
        const mu = states[Math.max(0, s.t - 1 - 2)];
        for (let j = 0; j < s.batch.actions.length; j++) {
          const q = s.batch.prompts[Math.floor(j / 3)];
          expect(s.batch.behaviourLogProb[j]).toBeCloseTo(mu.logProbs[q * 6 + s.batch.actions[j]], 12);
          checked++;
        }
        states.push(s.after);
      },
    );
    expect(checked).toBe(8 * 12);
  });
});

describe('entropy-mechanism identity on a tabular softmax: ΔH = −Cov(log π, Δz) + O(‖Δz‖²)', () => {
  const rng = new Rng(21);
  const K = 8,
    Q = 5;
  const z = Float64Array.from({ length: Q * K }, () => rng.normal(0, 1.5));
  const v = Float64Array.from({ length: Q * K }, () => rng.normal(0, 1));
  const p = softmaxRows(z, K),
    lp = logSoftmaxRows(z, K);
  const H0 = entropyRows(p, K);
  const cov = covarianceRows(p, lp, v, K);
  const err = (eps: number) => {
    const z1 = z.map((x, i) => x + eps * v[i]);
    const H1 = entropyRows(softmaxRows(z1, K), K);
    let e = 0;
    for (let q = 0; q < Q; q++) e += Math.abs(H1[q] - H0[q] - -eps * cov[q]);
    return e;
  };
  it('the residual shrinks quadratically with the step (halving the step quarters it)', () => {
    for (const eps of [0.1, 0.01, 0.001]) {
      const ratio = err(eps) / err(eps / 2);
      expect(ratio).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    }
  });
  it('the first-order term is the derivative: residual/step → 0, and the prediction carries the sign', () => {
    expect(err(1e-4) / 1e-4).toBeLessThan(1e-3);
    const z1 = z.map((x, i) => x + 1e-3 * v[i]);
    const H1 = entropyRows(softmaxRows(z1, K), K);
    for (let q = 0; q < Q; q++) expect(Math.sign(H1[q] - H0[q])).toBe(Math.sign(-cov[q]));
  });
  it('under the exact policy gradient (Δz = η π A) the covariance is Cov(log π, π A)', () => {
    const { bandit, logits } = randomBinaryBandit(new Rng(4), { nPrompts: 6, nResponses: 8 });
    const st = policyState(logits, 8);
    const pa = exactGradient(bandit, st.probs).map((g) => g * bandit.nPrompts); // π ⊙ A
    const eta = 1e-3;
    const z1 = logits.map((x, i) => x + eta * pa[i]);
    const H1 = entropyRows(softmaxRows(z1, 8), 8),
      H0b = entropyRows(st.probs, 8);
    const c = covarianceRows(st.probs, st.logProbs, pa, 8);
    for (let q = 0; q < 6; q++) expect(H1[q] - H0b[q]).toBeCloseTo(-eta * c[q], 6);
  });
});

describe('rlvr mechanisms the notebooks rely on', () => {
  const bandit = makeBandit(1, 5, [0.7, 0.7, 1, 0, 0]);
  const st = policyState(Float64Array.from([1, 1, -3, 0, 0]), 5);
  const batch = {
    prompts: Int32Array.from([0]),
    G: 4,
    actions: Int32Array.from([0, 1, 3, 0]),
    rewards: Float64Array.from([0.7, 0.7, 0, 0.7]),
    behaviourLogProb: Float64Array.from([0, 0, 0, 0]),
  };
  const d = new Float64Array(5);
  it('group-centred advantages (GRPO, RLOO, baseline) leave the logits of unsampled responses unchanged', () => {
    for (const kind of ['grpo', 'rloo', 'baseline'] as const) {
      pgDirection(
        bandit,
        st.probs,
        st.logProbs,
        batch,
        { advantage: { kind }, importanceWeight: false, clip: 'none' },
        d,
      );
      expect(d[2]).toBeCloseTo(0, 14); // the optimal token was not sampled
      expect(d[4]).toBeCloseTo(0, 14);
      expect(d[0]).toBeGreaterThan(0);
      expect(d[3]).toBeLessThan(0);
    }
    // without a baseline every unsampled logit moves down
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'reinforce' }, importanceWeight: false, clip: 'none' },
      d,
    );
    expect(d[2]).toBeLessThan(0);
  });
  it('negative samples alone raise every other logit in proportion to its probability (−N keeps ratios only to first order)', () => {
    pgDirection(
      bandit,
      st.probs,
      st.logProbs,
      batch,
      { advantage: { kind: 'grpo' }, importanceWeight: false, clip: 'none', samples: 'negative' },
      d,
    );
    expect(d[3]).toBeLessThan(0);
    expect(d[0] / st.probs[0]).toBeCloseTo(d[2] / st.probs[2], 12);
    expect(d[0]).toBeGreaterThan(d[2]);
  });
});
