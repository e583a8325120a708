import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomEnv, randomReward, type TabularEnv, uniformPolicy } from '../../../../src/testbeds/tabular/env/mdp';
import {
  gaussianPerturbation,
  interpolateRewards,
  negateReward,
  positiveRescale,
  potentialShaping,
  randomPotential,
  sPrimeRedistribution,
} from '../../../../src/testbeds/tabular/env/shaping';
import {
  type CanonicalisationName,
  canonicalise,
  canonicaliseMinimalL2,
  canonicaliseVAL,
  dardDistance,
  epicDistance,
  l2Distance,
  lpNorm,
  regretBoundCheck,
  standardise,
  standardisedDistance,
  starcDistance,
} from '../../../../src/testbeds/tabular/methods/reward-metrics';
import { policyReturn } from '../../../../src/testbeds/tabular/solvers/exact';

function setup(seed: number, nS = 6, nA = 3, branching = 3, gamma = 0.9) {
  const rng = new Rng(seed);
  const env = randomEnv(rng.split('env'), { nS, nA, gamma, branching });
  const R = randomReward(rng.split('R'), env);
  return { rng, env, R };
}

/** R shaped by a large random potential, rescaled, and S'-redistributed. */
function equivalents(rng: Rng, env: TabularEnv, R: Float64Array) {
  const Phi = randomPotential(rng.split('phi'), env.nS, 10, 3);
  const shaped = potentialShaping(env, R, Phi);
  const rescaled = positiveRescale(R, 3.7);
  const redistributed = sPrimeRedistribution(rng.split('redist'), env, R, 2);
  const combined = sPrimeRedistribution(
    rng.split('redist2'),
    env,
    positiveRescale(potentialShaping(env, R, Phi), 0.05),
    1,
  );
  return { shaped, rescaled, redistributed, combined };
}

const STARC: CanonicalisationName[] = ['val', 'minimal'];

describe('STARC distance: invariances (Def. 1 / Def. 3)', () => {
  it("is 0 (to 1e-9) for potential shaping, positive rescaling, S'-redistribution and their combination", () => {
    for (let seed = 0; seed < 5; seed++) {
      const { rng, env, R } = setup(seed);
      const eq = equivalents(rng, env, R);
      for (const c of STARC) {
        for (const [name, R2] of Object.entries(eq)) {
          const d = starcDistance(env, R, R2, { canonicalisation: c });
          expect(d, `${c} / ${name} / seed ${seed}`).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('is > 0 for a Gaussian-perturbed reward and for an unrelated reward', () => {
    const { rng, env, R } = setup(10);
    const unrelated = randomReward(rng.split('other'), env);
    for (const c of STARC) {
      const dSmall = starcDistance(env, R, gaussianPerturbation(rng.split('p1'), R, 0.05), { canonicalisation: c });
      const dBig = starcDistance(env, R, unrelated, { canonicalisation: c });
      expect(dSmall).toBeGreaterThan(1e-3);
      expect(dBig).toBeGreaterThan(0.3);
      expect(dBig).toBeGreaterThan(dSmall);
    }
  });

  it('is symmetric, satisfies the triangle inequality, and is maximal (= 2) for −R', () => {
    const { rng, env } = setup(20);
    const rewards = Array.from({ length: 8 }, (_, i) =>
      randomReward(rng.split(`r${i}`), env, { kind: i % 2 ? 'sparse' : 'dense', density: 0.2 }),
    );
    rewards.push(potentialShaping(env, rewards[0], randomPotential(rng.split('phi'), env.nS, 3)));
    for (const c of STARC) {
      const d = (a: Float64Array, b: Float64Array) => starcDistance(env, a, b, { canonicalisation: c });
      for (let i = 0; i < rewards.length; i++) {
        expect(Math.abs(d(rewards[i], negateReward(rewards[i])) - 2)).toBeLessThan(1e-9);
        for (let j = 0; j < rewards.length; j++) {
          const dij = d(rewards[i], rewards[j]);
          expect(Math.abs(dij - d(rewards[j], rewards[i]))).toBeLessThan(1e-12);
          expect(dij).toBeLessThanOrEqual(2 + 1e-12);
          for (let k = 0; k < rewards.length; k++) {
            expect(d(rewards[i], rewards[k])).toBeLessThanOrEqual(dij + d(rewards[j], rewards[k]) + 1e-12);
          }
        }
      }
    }
  });

  it('keeps a zero (or pure-shaping) reward at zero and puts it at distance 1 from any non-trivial reward', () => {
    const { rng, env, R } = setup(30);
    const zero = new Float64Array(R.length);
    const pureShaping = potentialShaping(env, zero, randomPotential(rng, env.nS, 4));
    for (const c of STARC) {
      expect(lpNorm(standardise(env, zero, { canonicalisation: c }).s)).toBe(0);
      expect(lpNorm(standardise(env, pureShaping, { canonicalisation: c }).s)).toBe(0);
      expect(starcDistance(env, zero, pureShaping, { canonicalisation: c })).toBe(0);
      expect(Math.abs(starcDistance(env, zero, R, { canonicalisation: c }) - 1)).toBeLessThan(1e-12);
    }
  });
});

describe('canonicalisations', () => {
  it('are linear; all but DARD change returns only by a policy-independent constant', () => {
    const { rng, env, R } = setup(40);
    const R2 = randomReward(rng.split('R2'), env);
    const policies = [uniformPolicy(env), new Int32Array(env.nS).map(() => rng.int(env.nA)), new Int32Array(env.nS)];
    for (const c of ['val', 'minimal', 'epic', 'dard', 'value-potential'] as const) {
      const lin = canonicalise(env, interpolateRewards(R, R2, 0.3), c);
      const a = canonicalise(env, R, c),
        b = canonicalise(env, R2, c);
      for (let i = 0; i < lin.length; i++) expect(Math.abs(lin[i] - (0.7 * a[i] + 0.3 * b[i]))).toBeLessThan(1e-10);
      const shifts = policies.map((pi) => policyReturn(env, a, pi) - policyReturn(env, R, pi));
      const spread = Math.max(...shifts) - Math.min(...shifts);
      if (c === 'dard')
        expect(spread).toBeGreaterThan(1e-3); // C_DARD(R) is not in R's equivalence class
      else expect(spread).toBeLessThan(1e-9);
    }
  });

  it('the minimal canonicalisation has the smallest L2 norm in the equivalence class', () => {
    for (let seed = 0; seed < 5; seed++) {
      const { rng, env, R } = setup(50 + seed);
      const cmin = canonicaliseMinimalL2(env, R);
      const nmin = lpNorm(cmin);
      expect(nmin).toBeLessThanOrEqual(lpNorm(R) + 1e-12);
      expect(nmin).toBeLessThanOrEqual(lpNorm(canonicaliseVAL(env, R)) + 1e-12);
      for (const R2 of Object.values(equivalents(rng, env, R))) {
        // every equivalent reward rescaled back to the same scale has norm ≥ the minimum
        const c2 = canonicaliseMinimalL2(env, R2);
        const scale = lpNorm(c2) / nmin;
        expect(lpNorm(R2) / scale).toBeGreaterThanOrEqual(nmin - 1e-9);
      }
      // random directions inside the class never go below the minimum
      for (let k = 0; k < 5; k++) {
        const R3 = sPrimeRedistribution(
          rng.split(`d${k}`),
          env,
          potentialShaping(env, R, randomPotential(rng.split(`p${k}`), env.nS, 0.3)),
          0.3,
        );
        expect(lpNorm(R3)).toBeGreaterThanOrEqual(nmin - 1e-12);
      }
    }
  });
});

describe('EPIC, DARD and L2 baselines', () => {
  it('EPIC and DARD are 0 for shaped and rescaled pairs; plain L2 is not', () => {
    for (let seed = 0; seed < 3; seed++) {
      const { rng, env, R } = setup(60 + seed);
      const { shaped, rescaled } = equivalents(rng, env, R);
      const both = positiveRescale(shaped, 0.2);
      for (const R2 of [shaped, rescaled, both]) {
        expect(epicDistance(env, R, R2)).toBeLessThan(1e-9);
        expect(dardDistance(env, R, R2)).toBeLessThan(1e-9);
      }
      expect(l2Distance(R, rescaled)).toBeLessThan(1e-12);
      expect(l2Distance(R, shaped)).toBeGreaterThan(0.1);
      expect(l2Distance(R, both)).toBeGreaterThan(0.1);
    }
  });

  it("EPIC and DARD are NOT invariant to S'-redistribution (STARC App. A–B); VAL-potential is not either", () => {
    const { rng, env, R } = setup(70);
    const { redistributed } = equivalents(rng, env, R);
    expect(epicDistance(env, R, redistributed)).toBeGreaterThan(0.05);
    expect(dardDistance(env, R, redistributed)).toBeGreaterThan(0.05);
    expect(standardisedDistance(env, R, redistributed, { canonicalisation: 'value-potential' })).toBeGreaterThan(0.05);
    expect(starcDistance(env, R, redistributed)).toBeLessThan(1e-9);
  });

  it('EPIC is a pseudometric in [0,1] with D(R,−R) = 1, and equals ½·‖ĉ₁ − ĉ₂‖₂ of its canonical rewards', () => {
    const { rng, env } = setup(80);
    const rs = Array.from({ length: 6 }, (_, i) => randomReward(rng.split(`e${i}`), env));
    for (const a of rs) {
      expect(Math.abs(epicDistance(env, a, negateReward(a)) - 1)).toBeLessThan(1e-12);
      for (const b of rs) {
        const d = epicDistance(env, a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(Math.abs(d - 0.5 * standardisedDistance(env, a, b, { canonicalisation: 'epic' }))).toBeLessThan(1e-12);
        for (const c of rs) expect(epicDistance(env, a, c)).toBeLessThanOrEqual(d + epicDistance(env, b, c) + 1e-12);
      }
    }
  });
});

describe('regret bounds (STARC §3, soundness)', () => {
  it('normalised regret of the R2-optimal policy under R1 stays below the explicit soundness bound', () => {
    let checked = 0;
    let maxRatio = 0;
    for (let seed = 0; seed < 12; seed++) {
      const { rng, env, R } = setup(100 + seed, 5, 3, 3, 0.9);
      const unrelated = randomReward(rng.split('u'), env);
      const R2s = [0.02, 0.1, 0.3, 0.6, 1].map((t) => interpolateRewards(R, unrelated, t));
      R2s.push(gaussianPerturbation(rng.split('g'), R, 0.3));
      R2s.push(potentialShaping(env, R, randomPotential(rng.split('phi'), env.nS, 5)));
      for (const c of STARC) {
        for (const R2 of R2s) {
          const chk = regretBoundCheck(env, R, R2, { canonicalisation: c });
          expect(chk.normalisedRegret).toBeGreaterThanOrEqual(0);
          expect(chk.normalisedRegret).toBeLessThanOrEqual(chk.holderBound + 1e-9);
          expect(chk.holderBound).toBeLessThanOrEqual(chk.bound + 1e-9);
          if (chk.distance < 1e-9) expect(chk.normalisedRegret).toBeLessThan(1e-9);
          if (chk.distance > 0) maxRatio = Math.max(maxRatio, chk.normalisedRegret / chk.distance);
          checked++;
        }
      }
    }
    expect(checked).toBe(12 * 7 * 2);
    expect(maxRatio).toBeGreaterThan(0);
  });

  it("the bound factor K(R) is invariant for STARC but blows up for EPIC under S'-redistribution", () => {
    const { rng, env, R } = setup(130, 5, 3, 3, 0.9);
    const R2 = randomReward(rng.split('R2'), env);
    const noisy = sPrimeRedistribution(rng.split('big'), env, R, 50);
    const kVal = regretBoundCheck(env, R, R2, { canonicalisation: 'val' }).factor;
    const kValNoisy = regretBoundCheck(env, noisy, R2, { canonicalisation: 'val' }).factor;
    expect(Math.abs(kValNoisy - kVal)).toBeLessThan(1e-6 * kVal);
    const kEpic = regretBoundCheck(env, R, R2, { canonicalisation: 'epic' }).factor;
    const kEpicNoisy = regretBoundCheck(env, noisy, R2, { canonicalisation: 'epic' }).factor;
    expect(kEpicNoisy).toBeGreaterThan(10 * kEpic);
  });
});
