import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  durationBanditValue,
  meanUpdate,
  raceInclusion,
  runAsyncPolicyGradient,
  softmaxObjectiveGradient,
  durationSoftmax,
  type VariableDurationBandit,
} from '../../../src/testbeds/bandits/methods/duration-aware-pg';

const env: VariableDurationBandit = {
  durations: Float64Array.from([1, 3, 7]),
  means: Float64Array.from([0.3, 0.6, 0.9]),
};

describe('duration-aware policy gradient', () => {
  it('softmaxObjectiveGradient matches finite differences of J(softmax(θ))', () => {
    const theta = Float64Array.from([0.2, -0.4, 0.1]);
    const g = softmaxObjectiveGradient(durationSoftmax(theta), env.means);
    for (let k = 0; k < 3; k++) {
      const h = 1e-6;
      const tp = Float64Array.from(theta),
        tm = Float64Array.from(theta);
      tp[k] += h;
      tm[k] -= h;
      const fd =
        (durationBanditValue(env, durationSoftmax(tp)) - durationBanditValue(env, durationSoftmax(tm))) / (2 * h);
      expect(g[k]).toBeCloseTo(fd, 8);
    }
  });

  it('raceInclusion equals brute-force enumeration over all W-tuples of draws', () => {
    const pi = Float64Array.from([0.5, 0.3, 0.2]);
    const W = 4,
      B = 2;
    const brute = new Float64Array(3),
      mass = new Float64Array(3);
    for (let code = 0; code < 3 ** W; code++) {
      const acts: number[] = [];
      let c = code,
        p = 1;
      for (let i = 0; i < W; i++) {
        acts.push(c % 3);
        p *= pi[c % 3];
        c = Math.floor(c / 3);
      }
      // Draw 0's inclusion probability: rank among the others with uniform tie-breaking.
      const a = acts[0];
      const L = acts.slice(1).filter((b) => env.durations[b] < env.durations[a]).length;
      const E = acts.slice(1).filter((b) => b === a).length;
      brute[a] += p * Math.min(1, Math.max(0, (B - L) / (E + 1)));
      mass[a] += p;
    }
    const inc = raceInclusion(env, pi, W, B);
    for (let a = 0; a < 3; a++) expect(inc[a]).toBeCloseTo(brute[a] / mass[a], 12);
    // Exactly B of the W draws are kept: W Σ π_a ι_a = B.
    expect(W * pi.reduce((s, p, a) => s + p * inc[a], 0)).toBeCloseTo(B, 12);
  });

  it('a frozen stream run completes actions in proportion to π (not π/d) and its naive mean step is ∇J', () => {
    const pi = durationSoftmax(new Float64Array(3));
    const r = runAsyncPolicyGradient(
      env,
      'naive',
      { workers: 4, batch: 4, lr: 0, horizon: 40000, checkpoints: [] },
      new Rng(7),
    );
    for (let a = 0; a < 3; a++) expect(Math.abs(r.counts[a] / r.completions - 1 / 3)).toBeLessThan(0.015);
    const g = meanUpdate(env, pi, 'naive');
    for (let k = 0; k < 3; k++) expect(Math.abs(r.gradSum[k] / r.updates - g[k])).toBeLessThan(0.01);
  });

  it('a frozen race run matches the closed-form naive mean step, which favours the fast arm', () => {
    const pi = durationSoftmax(new Float64Array(3));
    const opts = { workers: 6, batch: 2, mode: 'race' as const, lr: 0, horizon: 30000, checkpoints: [] };
    const r = runAsyncPolicyGradient(env, 'naive', opts, new Rng(8));
    const g = meanUpdate(env, pi, 'naive', 'race', 6, 2);
    for (let k = 0; k < 3; k++) expect(Math.abs(r.gradSum[k] / r.updates - g[k])).toBeLessThan(0.01);
    expect(g[0]).toBeGreaterThan(0); // pushes towards the fastest arm
    expect(g[2]).toBeLessThan(0); // and away from the slow optimum
  });

  it('sync learns the optimum on an easy instance and the race naive rule does not', () => {
    const opts = { workers: 6, batch: 2, lr: 0.5, horizon: 3000, checkpoints: [] };
    const s = runAsyncPolicyGradient(env, 'sync', opts, new Rng(9));
    const n = runAsyncPolicyGradient(env, 'naive', { ...opts, mode: 'race' }, new Rng(9));
    expect(s.pi[2]).toBeGreaterThan(0.5);
    expect(n.pi[2]).toBeLessThan(0.1);
  });
});
