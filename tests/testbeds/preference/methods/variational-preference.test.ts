import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { bceWithLogit, BtMlpReward } from '../../../../src/testbeds/preference/methods/bradley-terry-mlp';
import { softplus } from '../../../../src/testbeds/tabular/methods/reward-learning';
import {
  encoderInput,
  gaussianKl,
  VplRewardModel,
  type ContextBatch,
} from '../../../../src/testbeds/preference/methods/variational-preference';

function randomBatch(rng: Rng, B: number, K: number, d: number): ContextBatch {
  const u = (n: number) => Float32Array.from({ length: n }, () => rng.range(-1, 1));
  return { x1: u(B * K * d), x2: u(B * K * d), y: Float32Array.from({ length: B * K }, () => rng.int(3) / 2), B };
}

describe('Bradley–Terry pieces', () => {
  it('softplus and the BCE of a logit match their closed forms and derivative', () => {
    expect(softplus(0)).toBeCloseTo(Math.LN2, 14);
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBeCloseTo(0, 300);
    for (const [d, y] of [
      [0.3, 1],
      [-1.2, 0],
      [2, 0.5],
    ]) {
      const p = 1 / (1 + Math.exp(-d));
      const g = bceWithLogit(d, y);
      expect(g.loss).toBeCloseTo(-(y * Math.log(p) + (1 - y) * Math.log(1 - p)), 12);
      const h = 1e-6;
      expect(g.dd).toBeCloseTo((bceWithLogit(d + h, y).loss - bceWithLogit(d - h, y).loss) / (2 * h), 7);
    }
  });

  it("an MLP BT model trained on one annotator's labels recovers its ranking of held-out items", () => {
    const rng = new Rng(3);
    const util = (x: number, y: number) => -Math.hypot(x - 0.8, y - 0.2); // closer to (0.8, 0.2) is better
    const m = new BtMlpReward({ dIn: 2, hidden: [32, 32], lr: 3e-3 }, rng.split('init'));
    const draw = (n: number) => Float32Array.from({ length: 2 * n }, () => rng.uniform());
    for (let t = 0; t < 600; t++) {
      const a = draw(64),
        b = draw(64);
      const y = Array.from({ length: 64 }, (_, i) =>
        util(a[2 * i], a[2 * i + 1]) > util(b[2 * i], b[2 * i + 1]) ? 1 : 0,
      );
      m.step(a, b, y, 64);
    }
    const a = draw(500),
      b = draw(500);
    const ra = m.reward(a, 500),
      rb = m.reward(b, 500);
    let ok = 0;
    for (let i = 0; i < 500; i++)
      ok += ra[i] > rb[i] === util(a[2 * i], a[2 * i + 1]) > util(b[2 * i], b[2 * i + 1]) ? 1 : 0;
    expect(ok / 500).toBeGreaterThan(0.93);
  });
});

describe('Variational Preference Learning', () => {
  it('the Gaussian KL to N(0, I) matches its closed form and vanishes at the prior', () => {
    expect(gaussianKl([0, 0], [0, 0])).toBeCloseTo(0, 15);
    expect(gaussianKl([1], [0])).toBeCloseTo(0.5, 14);
    expect(gaussianKl([0], [Math.log(4)])).toBeCloseTo(0.5 * (4 - 1 - Math.log(4)), 14);
  });

  it('the encoder input lays out each context as its K triples (s¹, s², y)', () => {
    const b: ContextBatch = {
      x1: Float32Array.of(1, 2, 3, 4),
      x2: Float32Array.of(5, 6, 7, 8),
      y: Float32Array.of(1, 0),
      B: 1,
    };
    expect(Array.from(encoderInput(b, 2, 2))).toEqual([1, 2, 5, 6, 1, 3, 4, 7, 8, 0]);
  });

  it('the hand-written gradients of the negative ELBO match finite differences (encoder, decoder)', () => {
    const rng = new Rng(11);
    const o = { dIn: 2, K: 3, latent: 2, hidden: [8], beta: 0.7, lr: 1e-3 };
    const m = new VplRewardModel(o, rng.split('init'));
    const batch = randomBatch(rng.split('batch'), 4, o.K, o.dIn);
    const eps = Float32Array.from(rng.split('eps').normals(4 * o.latent));
    const loss = () => {
      const r = m.lossAndGrads(batch, eps);
      return r.bce + o.beta * r.kl;
    };
    loss();
    for (const net of [m.enc, m.dec]) {
      const g = Float64Array.from(net.grads.f);
      const order = Array.from(g.keys())
        .sort((i, j) => Math.abs(g[j]) - Math.abs(g[i]))
        .slice(0, 12);
      for (const i of order) {
        const p = net.params.f,
          x0 = p[i],
          h = 1e-3; // small enough not to cross a ReLU kink
        p[i] = x0 + h;
        const up = loss();
        p[i] = x0 - h;
        const down = loss();
        p[i] = x0;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(fd - g[i])).toBeLessThan(0.02 * Math.abs(g[i]) + 1e-3);
      }
      loss(); // restore the grads of the unperturbed parameters for the next network
    }
  });

  it('trained on two opposite annotator types, the latent inferred from a context selects the right reward', () => {
    const rng = new Rng(5);
    const K = 6;
    const m = new VplRewardModel({ dIn: 1, K, latent: 2, hidden: [32, 32], beta: 1, lr: 3e-3 }, rng.split('init'));
    // Two annotator types on items x ∈ [0, 1]: type 0 prefers larger x, type 1 smaller x.
    const context = (u: number, r: Rng) => {
      const x1 = Float32Array.from({ length: K }, () => r.uniform());
      const x2 = Float32Array.from({ length: K }, () => r.uniform());
      const y = Float32Array.from(x1, (a, i) => (a > x2[i] === (u === 0) ? 1 : 0));
      return { x1, x2, y };
    };
    const batchOf = (us: number[], r: Rng): ContextBatch => {
      const cs = us.map((u) => context(u, r));
      const cat = (k: 'x1' | 'x2' | 'y') => Float32Array.from(cs.flatMap((c) => Array.from(c[k])));
      return { x1: cat('x1'), x2: cat('x2'), y: cat('y'), B: us.length };
    };
    const data = rng.split('data'),
      noise = rng.split('noise');
    for (let t = 0; t < 800; t++)
      m.step(
        batchOf(
          Array.from({ length: 16 }, () => data.int(2)),
          data,
        ),
        noise,
      );
    const grid = Float32Array.from({ length: 11 }, (_, i) => i / 10);
    for (const u of [0, 1]) {
      const { mu } = m.encode(batchOf([u], rng.split(`test${u}`)));
      const r = m.reward(grid, 11, mu);
      // type 0's reward increases in x, type 1's decreases
      expect(Math.sign(r[10] - r[0])).toBe(u === 0 ? 1 : -1);
    }
  });
});
