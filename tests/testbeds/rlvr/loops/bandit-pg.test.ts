import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { exactGradient, makeBandit, randomBinaryBandit } from '../../../../src/testbeds/rlvr/env/bandit';
import {
  banditPolicyState,
  pgDirection,
  runBandit,
  sampleBatch,
  type BanditPolicyState,
  type PgConfig,
} from '../../../../src/testbeds/rlvr/loops/bandit-pg';

describe('rlvr policy-gradient estimate vs the exact gradient (in expectation)', () => {
  // Q·∇J = π ⊙ (r − p) per prompt is the expected direction of REINFORCE and RLOO; the group mean
  // including the sample itself shrinks it by (G − 1)/G.
  const rng = new Rng(11);
  const bandit = makeBandit(2, 4, [1, 0, 0, 1, 0, 1, 0, 0]);
  const logits = Float64Array.from([0.3, -0.2, 0.5, -1, 0.1, 0.4, -0.3, 0.2]);
  const st = banditPolicyState(logits, 4);
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
  const st = banditPolicyState(Float64Array.from([0, 0, 0]), 3);
  const batch = {
    prompts: Int32Array.from([0]),
    G: 2,
    actions: Int32Array.from([0, 1]),
    rewards: Float64Array.from([1, 0]),
    behaviourLogProb: Float64Array.from([Math.log(0.5), Math.log(1 / 3)]),
  };
  // ρ(o=0) = (1/3)/0.5 = 2/3 (A = +0.5), ρ(o=1) = 1 (A = −0.5).
  const d = new Float64Array(3);
  it(
    'the PPO one-sided clip keeps a positive-advantage sample ' +
      'whose ratio fell (ρ < 1 − ε), and weights by ρ with IS',
    () => {
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
    },
  );
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
    const states: BanditPolicyState[] = [banditPolicyState(logits.slice(), 6)];
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

describe('rlvr mechanisms the notebooks rely on', () => {
  const bandit = makeBandit(1, 5, [0.7, 0.7, 1, 0, 0]);
  const st = banditPolicyState(Float64Array.from([1, 1, -3, 0, 0]), 5);
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
  it(
    'negative samples alone raise every other logit in proportion ' +
      'to its probability (−N keeps ratios only to first order)',
    () => {
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
    },
  );
});
