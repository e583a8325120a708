/**
 * CAPO's curvature model and update (src/papers/stabilizing-policy-gradients-for-sample-efficient): the predicted
 * objective shift is the second-order Taylor expansion of the token's surrogate A·π/π_old along the step (finite
 * differences), ⟨g, ĝ⟩ = A·s, the prospective Adam direction matches a dense computation, the mask bounds, CAPO with
 * infinite thresholds is the shared GRPO update bit for bit, masking changes the update, and a tiny seed of the
 * experiment is deterministic with every key present. Bad configurations are refused with messages.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { loadEngine } from '../../../src/nn/engine';
import { TfjsTransformerLm } from '../../../src/nn/tfjs/transformer-lm';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import {
  checkThresholds,
  keepToken,
  ShadowAdam,
  tokenCurvature,
} from '../../../src/papers/stabilizing-policy-gradients-for-sample-efficient/curvature';
import {
  capoUpdate,
  DEFAULTS,
  GRPO,
  runSeed,
  samplesToTarget,
  type Config,
} from '../../../src/papers/stabilizing-policy-gradients-for-sample-efficient/experiment';
import { ADDITION_BASE, reasoningBase } from '../../../src/testbeds/reasoning/base-model';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { ProblemStream } from '../../../src/testbeds/reasoning/tasks/splits';
import { completionBudget, sampleRollouts } from '../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy } from '../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES } from '../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

const d = 5,
  V = 4;

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** A random token: h (d), logits z (V), a shadow state with `steps` moment updates. */
function setup(seed: number, steps: number) {
  const rng = new Rng(seed);
  const h = Array.from({ length: d }, () => rng.normal());
  const z = Array.from({ length: V }, () => rng.normal());
  const st = new ShadowAdam(d, V);
  for (let k = 0; k < steps; k++) st.update(Float64Array.from({ length: d * V }, () => 0.3 * rng.normal()));
  return { h, z, pi: softmax(z), st };
}

/** The prospective Adam direction ĝ (d × V) of the token, computed densely. */
function denseDirection(h: number[], pi: number[], a: number, A: number, st: ShadowAdam): number[] {
  const out: number[] = [];
  for (let i = 0; i < d; i++)
    for (let w = 0; w < V; w++) {
      const g = A * h[i] * ((w === a ? 1 : 0) - pi[w]);
      if (st.t === 0) out.push(g);
      else {
        const mh = (0.9 * st.m[i * V + w] + 0.1 * g) / (1 - 0.9 ** (st.t + 1));
        const vh = (0.999 * st.v[i * V + w] + 0.001 * g * g) / (1 - 0.999 ** (st.t + 1));
        out.push(mh / (Math.sqrt(vh) + 1e-8));
      }
    }
  return out;
}

describe('curvature model', () => {
  it.each([0, 3])('objective shift is the second-order expansion of A·π/π_old (%i shadow steps)', (steps) => {
    const { h, z, pi, st } = setup(11 + steps, steps);
    const a = 2,
      A = -1.3;
    const gh = denseDirection(h, pi, a, A, st);
    // logits after a step of size η along ĝ: z + η·ĝᵀh
    const u = Array.from({ length: V }, (_, w) => h.reduce((s, hi, i) => s + hi * gh[i * V + w], 0));
    const f = (eta: number) => (A * softmax(z.map((x, w) => x + eta * u[w]))[a]) / pi[a];
    for (const eta of [1e-2, 5e-3]) {
      const c = tokenCurvature(h, pi, a, A, eta, st);
      const exact = f(eta) - f(0);
      // third-order remainder: shrinks by ~8 when η halves
      expect(Math.abs(c.objShift - exact)).toBeLessThan(50 * eta ** 3 * (1 + Math.abs(A)) * 1e2);
    }
    const c1 = tokenCurvature(h, pi, a, A, 1e-2, st),
      c2 = tokenCurvature(h, pi, a, A, 5e-3, st);
    const e1 = Math.abs(c1.objShift - (f(1e-2) - f(0))),
      e2 = Math.abs(c2.objShift - (f(5e-3) - f(0)));
    expect(e1 / e2).toBeGreaterThan(5);
    expect(e1 / e2).toBeLessThan(11);
    // first-order term: ⟨g, ĝ⟩ = A·s, and s is the change of log π(a) per unit step
    expect(c1.gradDot).toBeCloseTo(A * c1.s, 10);
    const dl = (Math.log(softmax(z.map((x, w) => x + 1e-6 * u[w]))[a]) - Math.log(pi[a])) / 1e-6;
    expect(c1.s).toBeCloseTo(dl, 4);
    expect(c1.klShift).toBeCloseTo(0.5 * 1e-4 * c1.s * c1.s, 14);
  });

  it('a zero advantage: no objective shift, but the momentum still moves the token; first step: raw gradient', () => {
    const { h, pi, st } = setup(3, 2);
    const c = tokenCurvature(h, pi, 1, 0, 0.1, st);
    expect([c.objShift, c.gradDot, c.hess].map(Math.abs)).toEqual([0, 0, 0]);
    expect(c.klShift).toBeGreaterThan(0);
    expect(tokenCurvature(h, pi, 1, 0, 0.1, new ShadowAdam(d, V)).klShift).toBe(0);
    const fresh = new ShadowAdam(d, V);
    const c0 = tokenCurvature(h, pi, 1, 2, 0.1, fresh);
    const hh = h.reduce((s, x) => s + x * x, 0);
    const vv = pi.reduce((s, p, w) => s + ((w === 1 ? 1 : 0) - p) ** 2, 0);
    expect(c0.gradDot).toBeCloseTo(4 * hh * vv, 10);
    expect(c0.s).toBeCloseTo(2 * hh * vv, 10);
  });

  it('mask: strict bounds, symmetric on the objective shift', () => {
    const th = { tauKl: 1e-4, tauObj: 0.01 };
    const c = (objShift: number, klShift: number) => ({ gradDot: 0, hess: 0, s: 0, objShift, klShift });
    expect(keepToken(c(0.005, 5e-5), th)).toBe(true);
    expect(keepToken(c(-0.005, 5e-5), th)).toBe(true);
    expect(keepToken(c(0.01, 0), th)).toBe(false);
    expect(keepToken(c(-0.02, 0), th)).toBe(false);
    expect(keepToken(c(0, 1e-4), th)).toBe(false);
    expect(keepToken(c(NaN, 0), th)).toBe(false);
    expect(keepToken(c(1e9, 1e9), { tauKl: Infinity, tauObj: Infinity })).toBe(true);
  });

  it('refuses bad thresholds and shapes', () => {
    expect(() => checkThresholds({ tauKl: 0, tauObj: 1 })).toThrow(/tauKl must be > 0/);
    expect(() => new ShadowAdam(0, 4)).toThrow(/positive integers/);
    const st = new ShadowAdam(d, V);
    expect(() => tokenCurvature([1, 2], [0.5, 0.5], 0, 1, 0.1, st)).toThrow(/expected h of 5/);
    expect(() => tokenCurvature(new Array(d).fill(0), [0.25, 0.25, 0.25, 0.25], 7, 1, 0.1, st)).toThrow(/outside/);
  });
});

describe('CAPO update', () => {
  const base = reasoningBase(ADDITION_BASE).model;
  const task = getTask('addition');
  const copy = () => {
    const m = new TransformerLm(base.config, new Rng(0));
    m.load(base.snapshot());
    return m;
  };
  const stream = new ProblemStream(task, 0, 'train');
  (stream as { rng: Rng }).rng = new Rng(5);
  const batch: Rollouts = sampleRollouts(
    new LmPolicy(copy(), { lr: 1 }),
    task,
    stream.batch(2, 4),
    8,
    completionBudget(task, 2),
    new Rng(7),
  );
  const recipe = { ...GRPO, epochs: 2 };

  it('the batch has mixed rewards (so the test moves the policy)', () => {
    const r = Array.from(batch.rewards);
    expect(r.some((x) => x === 1) && r.some((x) => x === 0)).toBe(true);
  });

  it('infinite thresholds: the shared GRPO update bit for bit', () => {
    const m1 = copy(),
      m2 = copy();
    const s1 = policyUpdate(new LmPolicy(m1, { lr: 4e-4, maxGradNorm: 1 }), recipe, batch, null);
    const p2 = new LmPolicy(m2, { lr: 4e-4, maxGradNorm: 1 });
    const s2 = capoUpdate(m2, p2, new ShadowAdam(64, 39), recipe, batch, 4e-4, { tauKl: Infinity, tauObj: Infinity });
    expect(s2.masked).toBe(0);
    expect(s2.gradNorm).toBe(s1.gradNorm);
    expect(Array.from(m2.snapshot())).toEqual(Array.from(m1.snapshot()));
  });

  it('finite thresholds mask tokens and change the update; the shadow state advances once per pass', () => {
    const m1 = copy(),
      m2 = copy();
    policyUpdate(new LmPolicy(m1, { lr: 4e-4, maxGradNorm: 1 }), recipe, batch, null);
    const st = new ShadowAdam(64, 39);
    const s = capoUpdate(m2, new LmPolicy(m2, { lr: 4e-4, maxGradNorm: 1 }), st, recipe, batch, 4e-4, {
      tauKl: 1e-6,
      tauObj: 1e-4,
    });
    expect(s.masked).toBeGreaterThan(0);
    expect(s.masked).toBeLessThan(s.tokens);
    expect(s.maskedKl + s.maskedObj).toBeGreaterThanOrEqual(s.masked);
    expect(st.t).toBe(2);
    expect(Array.from(m2.snapshot())).not.toEqual(Array.from(m1.snapshot()));
  });

  it('on a tfjs engine (tfjs-cpu): the masks, statistics and update of the wasm engine, to rounding', async () => {
    const tf = await loadEngine('tfjs-cpu');
    const onTf = () => {
      const m = new TfjsTransformerLm(tf.tf!, base.config, new Rng(0));
      m.load(base.snapshot());
      return m;
    };
    const th = { tauKl: 1e-6, tauObj: 1e-4 };
    const m1 = copy(),
      m2 = onTf();
    const s1 = capoUpdate(
      m1,
      new LmPolicy(m1, { lr: 4e-4, maxGradNorm: 1 }),
      new ShadowAdam(64, 39),
      recipe,
      batch,
      4e-4,
      th,
    );
    const s2 = capoUpdate(
      m2,
      new LmPolicy(m2, { lr: 4e-4, maxGradNorm: 1 }),
      new ShadowAdam(64, 39),
      recipe,
      batch,
      4e-4,
      th,
    );
    expect(s1.masked).toBeGreaterThan(0);
    // a token whose predicted shift sits within rounding of a threshold could flip; none does here
    for (const k of ['tokens', 'masked', 'maskedKl', 'maskedObj', 'maskedNeg', 'maskedPos', 'keptSignal'] as const)
      expect(s2[k], k).toBe(s1[k]);
    for (const k of ['meanKl', 'meanAbsObj', 'keptPi', 'maskedPi', 'gradNorm'] as const)
      expect(Math.abs(s2[k] - s1[k]), k).toBeLessThan(1e-4 * Math.max(1, Math.abs(s1[k])));
    const a = m1.snapshot(),
      b = m2.snapshot(),
      b0 = base.snapshot();
    let far = 0,
      moved = 0;
    for (let i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > 4e-4) far++;
      if (a[i] !== b0[i]) moved++;
    }
    expect(moved).toBeGreaterThan(a.length / 2);
    // every parameter within one Adam step (lr) of the wasm update (Adam amplifies the rounding of tiny gradients)
    expect(far).toBe(0);
  }, 120_000);

  it('refuses recipes it does not apply', () => {
    const m = copy();
    expect(() =>
      capoUpdate(m, new LmPolicy(m, { lr: 1e-4 }), new ShadowAdam(64, 39), RECIPES.grpo, batch, 1e-4, {
        tauKl: 1,
        tauObj: 1,
      }),
    ).toThrow(/use GRPO without KL/);
  });
});

describe('experiment', () => {
  it('samples to target: first curve point at or above it after the start, else censored', () => {
    expect(samplesToTarget([0.9, 0.8, 0.92, 0.95], [0, 10, 20, 30], 0.91, 99)).toEqual({ samples: 20, reached: 1 });
    expect(samplesToTarget([0.95, 0.8, 0.85], [0, 10, 20], 0.91, 99)).toEqual({ samples: 99, reached: 0 });
  });

  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 2,
    batchPrompts: 2,
    groupSize: 4,
    curveEvery: 1,
    curveProblems: 4,
    curveSamples: 2,
    evalProblems: 4,
    evalSamples: 2,
  };
  it('a tiny seed is deterministic and has every key', () => {
    const a = runSeed(tiny, 3),
      b = runSeed(tiny, 3);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const me of tiny.methods)
      for (const k of ['L2:pass@1', 'curveMax', 'collapsed', 'meanReward', 'lateReward', 'samplesToTarget', 'reached'])
        expect(Number.isFinite(a.metrics[`${me}/${k}`])).toBe(true);
    expect(a.metrics['CAPO-A/maskedFrac']).toBeGreaterThanOrEqual(0);
    expect(a.series!['GRPO-C/curve']).toHaveLength(3);
  });
  it('refuses unknown methods and bad sizes', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
    expect(() => runSeed({ ...tiny, rollouts: 0 }, 1)).toThrow(/rollouts must be a positive integer/);
    expect(() => runSeed({ ...tiny, tauKl: -1 }, 1)).toThrow(/tauKl must be > 0/);
  });
});
