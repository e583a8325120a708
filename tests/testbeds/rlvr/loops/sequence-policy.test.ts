import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as ds from '../../../../src/testbeds/rlvr/env/digit-sequences';
import * as sp from '../../../../src/testbeds/rlvr/loops/sequence-policy';

describe('rlvr digit-sequence task and the sequence-policy updates (ROVER, GRPO, REINFORCE)', () => {
  const task = ds.digitTask(6, 4, 3);

  it('exact success probability of the uniform policy equals the enumerated fraction of correct sequences', () => {
    const z = new Float64Array(task.nPrompts * ds.statesPerPrompt(task) * task.V);
    const ev = ds.exactEval(task, z);
    const Qu = ds.uniformQ(task);
    for (let q = 0; q < task.nPrompts; q++) {
      let c = 0;
      const seq = [0, 0, 0, 0];
      for (let x = 0; x < 10 ** task.L; x++) {
        let y = x;
        for (let t = task.L - 1; t >= 0; t--) {
          seq[t] = y % 10;
          y = Math.floor(y / 10);
        }
        if (ds.isCorrect(task, q, seq)) c++;
      }
      expect(ev.p[q]).toBeCloseTo(c / 10 ** task.L, 12);
      // V^u(root) = mean_a Q^u(root, a) = the same fraction.
      const base = ds.digitStateIndex(task, q, 0, task.V, 0, 1) * task.V;
      let m = 0;
      for (let a = 0; a < task.V; a++) m += Qu[base + a];
      expect(m / task.V).toBeCloseTo(c / 10 ** task.L, 12);
      expect(ev.entropy[q]).toBeCloseTo(task.L * Math.log(10), 10);
    }
  });

  it('greedy(Q^u) solves every prompt exactly (the theorem on the sequence MDP)', () => {
    const Qu = ds.uniformQ(task);
    const z = Qu.map((x) => x * 1e4); // softmax(Q^u/τ), τ → 0
    const ev = ds.exactEval(task, z);
    for (let q = 0; q < task.nPrompts; q++) expect(ev.p[q]).toBeGreaterThan(0.999);
  });

  it('sampled rewards agree with isCorrect, and nextState follows the sampled states', () => {
    const rng = new Rng(3);
    const z = rng.normals(task.nPrompts * ds.statesPerPrompt(task) * task.V, 0, 1);
    const b = sp.sampleSeqBatch(rng.split('b'), task, z, Int32Array.from([0, 1, 2, 3, 4, 5]), 20);
    for (let j = 0; j < 120; j++) {
      const q = Math.floor(j / 20);
      const s = Array.from(b.seq.slice(j * task.L, (j + 1) * task.L));
      expect(b.rewards[j]).toBe(ds.isCorrect(task, q, s) ? 1 : 0);
      for (let t = 0; t < task.L - 1; t++)
        expect(ds.nextState(task, b.states[j * task.L + t], s[t])).toBe(b.states[j * task.L + t + 1]);
      expect(ds.nextState(task, b.states[j * task.L + task.L - 1], s[task.L - 1])).toBe(-1);
    }
  });

  const cfg: sp.SequenceTrainConfig = { steps: 1, groupSize: 8, epochs: 1, lr: 0.7, clip: 0.2, rho: 1, criticLr: 0.1 };

  it(
    'with one epoch from the rollout policy, ROVER (½ squared loss, ' +
      'ρ = 1) takes exactly the REINFORCE-with-group-baseline step',
    () => {
      const rng = new Rng(5);
      const z0 = rng.normals(task.nPrompts * ds.statesPerPrompt(task) * task.V, 0, 1);
      const b = sp.sampleSeqBatch(rng.split('b'), task, z0, Int32Array.from([0, 1, 2, 3, 4, 5]), 8);
      const zr = Float64Array.from(z0);
      const zp = Float64Array.from(z0);
      sp.updateOnBatch(task, zr, z0, b, 'rover', cfg);
      sp.updateOnBatch(task, zp, z0, b, 'reinforce', cfg);
      let moved = 0;
      for (let i = 0; i < z0.length; i++) {
        expect(zr[i]).toBeCloseTo(zp[i], 12);
        if (Math.abs(zr[i] - z0[i]) > 1e-9) moved++;
      }
      expect(moved).toBeGreaterThan(0);
    },
  );

  it(
    'ROVER regresses Q = ρ(log π − log π_old) onto its target: many small ' +
      'epochs drive the loss to ~0, and the next-state mean term is used',
    () => {
      const t1 = ds.digitTask(1, 3, 0);
      const rng = new Rng(9);
      const z0 = rng.normals(ds.statesPerPrompt(t1) * t1.V, 0, 0.5);
      // One sampled response, reward forced to 1 with a group mean of 0.5 (r̃ = 0.5).
      const b = sp.sampleSeqBatch(rng.split('b'), t1, z0, Int32Array.from([0]), 1);
      b.rewards[0] = 1;
      b.G = 1;
      const z = Float64Array.from(z0);
      const c2: sp.SequenceTrainConfig = { ...cfg, epochs: 400, lr: 0.5, rho: 2 };
      // group of 1 → r̃ = 0; make the target non-trivial through a hand-computed check instead:
      const d = sp.updateOnBatch(t1, z, z0, b, 'rover', c2);
      expect(d.roverLoss).toBeLessThan(1e-10); // r̃ = 0 and the fixed point Q = 0 … y = 0 is reached / kept
      // Now a group of two with rewards (1, 0): r̃ = ±0.5; the fixed point satisfies Q_t = r̃ + ρ·mean next log-ratio.
      const b2 = sp.sampleSeqBatch(rng.split('b2'), t1, z0, Int32Array.from([0]), 2);
      b2.rewards[0] = 1;
      b2.rewards[1] = 0;
      const z2 = Float64Array.from(z0);
      const d2 = sp.updateOnBatch(t1, z2, z0, b2, 'rover', { ...c2, epochs: 3000 });
      expect(d2.roverLoss).toBeLessThan(1e-3);
      const lp = new Float64Array(t1.V);
      const lpo = new Float64Array(t1.V);
      // Last token of sample 0: Q = ρ(log π − log π_old) = r̃ = 0.5 if its state is not shared with sample 1's last
      // token.
      const L = t1.L;
      const s0 = b2.states[L - 1];
      const s1 = b2.states[2 * L - 1];
      expect(s0).not.toBe(s1); // precondition of the check below (fixed seed)
      ds.logSoftmaxInto(z2, s0 * t1.V, t1.V, lp);
      ds.logSoftmaxInto(z0, s0 * t1.V, t1.V, lpo);
      const a = b2.seq[L - 1];
      expect(2 * (lp[a] - lpo[a])).toBeCloseTo(0.5, 1);
    },
  );

  it('GRPO clipping: with a huge step the ratio of a positive-advantage token stops moving once past 1 + ε', () => {
    const rng = new Rng(11);
    const z0 = rng.normals(task.nPrompts * ds.statesPerPrompt(task) * task.V, 0, 1);
    const b = sp.sampleSeqBatch(rng.split('b'), task, z0, Int32Array.from([0, 1, 2, 3, 4, 5]), 8);
    const z = Float64Array.from(z0);
    const d = sp.updateOnBatch(task, z, z0, b, 'grpo', { ...cfg, epochs: 6, lr: 5 });
    expect(b.rewards.some((r) => r > 0)).toBe(true); // precondition (fixed seed): a positive advantage exists
    expect(d.clippedFraction).toBeGreaterThan(0);
    const z1 = Float64Array.from(z0);
    const d1 = sp.updateOnBatch(task, z1, z0, b, 'grpo', { ...cfg, epochs: 1 });
    expect(d1.clippedFraction).toBe(0); // ratio = 1 on the first epoch
  });
});
