import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  gameFromParts,
  pIndex,
  randomGame,
  rockPaperScissors,
  samplePreferencePairs,
  type PreferenceGame,
} from '../../src/testbeds/preference/game';
import { preferenceAgainst, regularisedNash, winRate, exploitability } from '../../src/testbeds/preference/nash';
import { nashMDStep, stepSize } from '../../src/testbeds/preference/nash-md';
import { omdStep, runDynamics } from '../../src/testbeds/preference/online-md';
import {
  geometricMixture,
  kl,
  policyFromRows,
  randomSoftmaxPolicy,
  softmaxPolicy,
  type TabularPolicy,
} from '../../src/testbeds/preference/policies';
import { inpoLoss, inpoUpdate, signedFromPairs, solvePairwiseSquare } from '../../src/testbeds/preference/inpo';
import {
  comparisonsFromPairs,
  dnoExactStep,
  dnoRegressionLoss,
  dpoGradientSteps,
  dpoLoss,
  fitBradleyTerryMinimal,
  populationComparisons,
} from '../../src/testbeds/preference/dno';
import { populationSignedPairs } from '../../src/testbeds/preference/inpo-experiment';
import { klMatchedBeta, logCheckpoints, rlhfReward } from '../../src/testbeds/preference/nash-md-experiment';

function logOf(p: TabularPolicy): Float64Array {
  return Float64Array.from(p.probs, Math.log);
}

describe('Nash-MD', () => {
  it("last iterate converges to rock–paper–scissors' regularised equilibrium (KL < 1e-6), the average lags", () => {
    const g = rockPaperScissors(1);
    const mu = policyFromRows([[0.6, 0.3, 0.1]]);
    const beta = 0.1;
    const star = regularisedNash(g, mu, beta).policy;
    // the equilibrium is not μ and not uniform: it tilts μ toward the responses that beat μ's favourite
    expect(kl(star, mu)).toBeGreaterThan(0.05);
    const pi0 = policyFromRows([[0.05, 0.05, 0.9]]);
    const kls: Record<number, number> = {};
    const res = runDynamics(
      g,
      pi0,
      mu,
      { method: 'nash-md', beta, schedule: { kind: 'decreasing', c: 2 }, steps: 3000, checkpoints: [300, 3000] },
      (t, last) => {
        kls[t] = kl(star, last);
      },
    );
    expect(kls[3000]).toBeLessThan(1e-6);
    expect(kls[3000]).toBeLessThan(kls[300] / 10); // still shrinking: not stuck at a biased point
    expect(kl(star, res.average)).toBeGreaterThan(kls[3000]);
  });

  it('with a constant step its fixed point is biased by O(η) (π ∝ μ·exp(P(· ≻ π^μ)/β)), while OMD without the mixture is exact', () => {
    const g = rockPaperScissors(1);
    const mu = policyFromRows([[0.6, 0.3, 0.1]]);
    const beta = 0.1;
    const star = regularisedNash(g, mu, beta).policy;
    const bias = (eta: number, method: 'nash-md' | 'omd') =>
      kl(
        star,
        runDynamics(
          g,
          mu,
          mu,
          { method, beta, schedule: { kind: 'constant', eta }, steps: 4000, checkpoints: [] },
          () => {},
        ).last,
      );
    const b1 = bias(1, 'nash-md'),
      b05 = bias(0.5, 'nash-md');
    expect(b1).toBeGreaterThan(1e-6);
    expect(b05).toBeLessThan(b1 / 2); // KL ~ bias² shrinks about 4× when η halves
    expect(bias(1, 'omd')).toBeLessThan(1e-20 + 1e-14);
  });

  it('one step is the argmax of η·P(π ≻ π^μ) − KL(π ‖ π^μ) (no perturbation does better)', () => {
    const rng = new Rng(11);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 2, 5, 1);
    const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
    const eta = 0.7,
      beta = 0.5;
    const next = nashMDStep(g, pi, mu, eta, beta);
    const mix = geometricMixture(pi, mu, eta * beta);
    const obj = (p: TabularPolicy) => eta * winRate(g, p, mix) - kl(p, mix);
    const best = obj(next);
    for (let k = 0; k < 30; k++) {
      const d = rng.split(`d${k}`).normals(10, 0, 0.05);
      const l = logOf(next).map((v, i) => v + d[i]);
      expect(obj(softmaxPolicy(2, 5, l))).toBeLessThan(best);
    }
    // and the closed form π_{t+1} ∝ π^{1−ηβ} μ^{ηβ} exp(η P(y ≻ π^μ)) written out
    const pref = preferenceAgainst(g, mix);
    const l = new Float64Array(10);
    for (let i = 0; i < 10; i++)
      l[i] = (1 - eta * beta) * Math.log(pi.probs[i]) + eta * beta * Math.log(mu.probs[i]) + eta * pref[i];
    const byHand = softmaxPolicy(2, 5, l);
    for (let i = 0; i < 10; i++) expect(next.probs[i]).toBeCloseTo(byHand.probs[i], 14);
  });

  it("Theorem 1's per-step inequality KL(π*, π_{t+1}) ≤ (1 − ηβ)·KL(π*, π_t) + 2η² holds on random games", () => {
    const rng = new Rng(12);
    for (let k = 0; k < 6; k++) {
      const beta = [0.05, 0.3, 1][k % 3];
      const g = randomGame(rng.split(`g${k}`), { nX: 2, nY: 6, btScale: 1, cyclicScale: 3 });
      const mu = randomSoftmaxPolicy(rng.split(`mu${k}`), 2, 6, 1);
      const star = regularisedNash(g, mu, beta).policy;
      for (const eta of [0.05, 0.5, 1 / beta]) {
        let p = randomSoftmaxPolicy(rng.split(`p${k}`), 2, 6, 2);
        for (let t = 0; t < 50; t++) {
          const q = nashMDStep(g, p, mu, eta, beta);
          expect(kl(star, q)).toBeLessThanOrEqual((1 - eta * beta) * kl(star, p) + 2 * eta * eta + 1e-12);
          p = q;
        }
      }
    }
  });

  it('step-size schedules: horizon η = log T/(βT), decreasing 2/(β(t+2)), and the mixture weight is checked', () => {
    expect(stepSize({ kind: 'horizon', T: 1000 }, 5, 0.1)).toBeCloseTo(Math.log(1000) / 100, 15);
    expect(stepSize({ kind: 'decreasing' }, 0, 0.1)).toBeCloseTo(10, 15);
    expect(stepSize({ kind: 'decreasing' }, 8, 0.1)).toBeCloseTo(2, 15);
    const g = rockPaperScissors(1);
    const u = policyFromRows([[0.2, 0.3, 0.5]]);
    expect(() => nashMDStep(g, u, u, 20, 0.1)).toThrow(/η·β/);
    expect(logCheckpoints(1000, 4)).toEqual([0, 1, 10, 100, 1000]);
  });
});

describe('self-play baselines', () => {
  it('unregularised multiplicative-weights self-play on RPS: the last iterate spirals away, the average converges', () => {
    const g = rockPaperScissors(1);
    const pi0 = policyFromRows([[0.5, 0.3, 0.2]]);
    const ex: Record<number, [number, number]> = {};
    runDynamics(
      g,
      pi0,
      null,
      { method: 'omd', beta: 0, schedule: { kind: 'constant', eta: 0.1 }, steps: 5000, checkpoints: [0, 5000] },
      (t, l, a) => {
        ex[t] = [exploitability(g, l), exploitability(g, a)];
      },
    );
    expect(ex[5000][0]).toBeGreaterThan(ex[0][0]); // last iterate: farther from (⅓, ⅓, ⅓) than where it started
    expect(ex[5000][1]).toBeLessThan(0.05); // average: close to the equilibrium
  });

  it('regularised fictitious play: the average converges to π*_β', () => {
    const rng = new Rng(13);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 2, 5, 1);
    const star = regularisedNash(g, mu, 0.2).policy;
    const res = runDynamics(
      g,
      mu,
      mu,
      { method: 'fictitious-play', beta: 0.2, schedule: { kind: 'decreasing' }, steps: 2000, checkpoints: [] },
      () => {},
    );
    expect(kl(star, res.average)).toBeLessThan(1e-4);
  });
});

describe('INPO', () => {
  it("the loss's minimiser on population pairs is exactly the OMD step π ∝ π_t^{1−ητ} π_ref^{ητ} exp(η P(y ≻ π_t))", () => {
    const rng = new Rng(14);
    const g = randomGame(rng.split('g'), { nX: 3, nY: 6, btScale: 1, cyclicScale: 2 });
    const ref = randomSoftmaxPolicy(rng.split('ref'), 3, 6, 1);
    const pi = randomSoftmaxPolicy(rng.split('pi'), 3, 6, 1);
    for (const [eta, tau] of [
      [2, 0.1],
      [0.5, 1],
      [1, 0],
    ]) {
      const viaLoss = inpoUpdate(pi, ref, populationSignedPairs(g, pi), eta, tau, 1e-15);
      const viaOmd = omdStep(g, pi, ref, eta, tau);
      for (let i = 0; i < 18; i++)
        expect(Math.abs(Math.log(viaLoss.probs[i]) - Math.log(viaOmd.probs[i]))).toBeLessThan(1e-9);
    }
  });

  it('on sampled pairs the update is a stationary point of the empirical INPO loss (finite differences)', () => {
    const rng = new Rng(15);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const ref = randomSoftmaxPolicy(rng.split('ref'), 2, 5, 1);
    const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
    const pairs = samplePreferencePairs(g, pi, 40, rng.split('pairs'));
    const eta = 2,
      tau = 0.1;
    const next = inpoUpdate(pi, ref, signedFromPairs(pairs), eta, tau, 1e-14);
    const l = logOf(next),
      lt = logOf(pi),
      lr = logOf(ref);
    const base = inpoLoss(l, lt, lr, 5, pairs, eta, tau);
    const h = 1e-5;
    for (let i = 0; i < 10; i++) {
      const up = Float64Array.from(l),
        dn = Float64Array.from(l);
      up[i] += h;
      dn[i] -= h;
      const d = (inpoLoss(up, lt, lr, 5, pairs, eta, tau) - inpoLoss(dn, lt, lr, 5, pairs, eta, tau)) / (2 * h);
      expect(Math.abs(d)).toBeLessThan(1e-7);
    }
    // and a random perturbation of the logits does not lower the loss
    for (let k = 0; k < 10; k++) {
      const d = rng.split(`d${k}`).normals(10, 0, 0.1);
      expect(
        inpoLoss(
          l.map((v, i) => v + d[i]),
          lt,
          lr,
          5,
          pairs,
          eta,
          tau,
        ),
      ).toBeGreaterThan(base);
    }
  });

  it('the pairwise least-squares solver reproduces a hand-solved chain a ≻ b ≻ c', () => {
    // pairs (a≻b), (b≻c), margin m: minimiser φ_a − φ_b = m, φ_b − φ_c = m, mean 0 → (m, 0, −m)
    const phi = solvePairwiseSquare(
      1,
      3,
      {
        n: 2,
        x: Int32Array.from([0, 0]),
        i: Int32Array.from([0, 1]),
        j: Int32Array.from([1, 2]),
        w: Float64Array.from([1, 1]),
        s: Float64Array.from([1, 1]),
      },
      0.7,
      1e-14,
    );
    expect(phi[0]).toBeCloseTo(0.7, 10);
    expect(phi[1]).toBeCloseTo(0, 10);
    expect(phi[2]).toBeCloseTo(-0.7, 10);
  });
});

describe('DNO and the minimal baselines', () => {
  it('DNO Algorithm 1: π ∝ π_t·exp(r_t/η) minimises the soft-label regression over all pairs (zero gradient, finite differences)', () => {
    const rng = new Rng(16);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
    const eta = 0.8;
    const next = dnoExactStep(g, pi, eta);
    const r = preferenceAgainst(g, pi);
    const pairs = populationComparisons(g, pi);
    const l = logOf(next),
      lt = logOf(pi);
    const h = 1e-5;
    for (let i = 0; i < 10; i++) {
      const up = Float64Array.from(l),
        dn = Float64Array.from(l);
      up[i] += h;
      dn[i] -= h;
      const d = (dnoRegressionLoss(up, lt, r, eta, pairs, 5) - dnoRegressionLoss(dn, lt, r, eta, pairs, 5)) / (2 * h);
      expect(Math.abs(d)).toBeLessThan(1e-8);
    }
    // soft policy iteration improves on its predecessor: P(π_{t+1} ≻ π_t) ≥ ½
    expect(winRate(g, next, pi)).toBeGreaterThanOrEqual(0.5);
  });

  it('the minimal Bradley–Terry fit recovers a known reward up to a constant on noiseless (population) BT data', () => {
    const rng = new Rng(17);
    const nX = 3,
      nY = 6;
    const r = rng.split('r').normals(nX * nY);
    const g: PreferenceGame = gameFromParts(nX, nY, r, new Float64Array(nX * nY * nY));
    const fit = fitBradleyTerryMinimal(
      nX,
      nY,
      populationComparisons(g, randomSoftmaxPolicy(rng.split('s'), nX, nY, 0.5)),
      1e-12,
    );
    for (let x = 0; x < nX; x++)
      for (let y = 1; y < nY; y++) expect(fit[x * nY + y] - fit[x * nY]).toBeCloseTo(r[x * nY + y] - r[x * nY], 7);
  });

  it('DPO gradient steps follow the finite-difference gradient of the DPO loss and lower it', () => {
    const rng = new Rng(18);
    const g = randomGame(rng.split('g'), { nX: 1, nY: 4, btScale: 1, cyclicScale: 1 });
    const pi = randomSoftmaxPolicy(rng.split('pi'), 1, 4, 1);
    const pairs = samplePreferencePairs(g, pi, 30, rng.split('pairs'), { distinct: true });
    const ref = logOf(pi);
    const theta = Float64Array.from(ref).map((v, i) => v + 0.3 * Math.sin(i + 1));
    const beta = 0.5,
      lrScale = 1e-4;
    const before = Float64Array.from(theta);
    dpoGradientSteps(theta, ref, 4, pairs, { beta, steps: 1, lrScale });
    const lr = lrScale / (beta * beta);
    const h = 1e-6;
    for (let i = 0; i < 4; i++) {
      const up = Float64Array.from(before),
        dn = Float64Array.from(before);
      up[i] += h;
      dn[i] -= h;
      const grad = (dpoLoss(up, ref, 4, pairs, beta) - dpoLoss(dn, ref, 4, pairs, beta)) / (2 * h);
      expect((before[i] - theta[i]) / lr).toBeCloseTo(grad, 6);
    }
    const t2 = Float64Array.from(before);
    dpoGradientSteps(t2, ref, 4, pairs, { beta, steps: 50, lrScale: 0.5 });
    expect(dpoLoss(t2, ref, 4, pairs, beta)).toBeLessThan(dpoLoss(before, ref, 4, pairs, beta));
    expect(comparisonsFromPairs(pairs).n).toBe(pairs.n);
  });

  it('the KL-matched RLHF β reproduces the target KL; RLHF under a pure BT game equals the KL-optimum of the true reward', () => {
    const rng = new Rng(19);
    const nX = 2,
      nY = 5;
    const r = rng.split('r').normals(nX * nY);
    const g = gameFromParts(nX, nY, r, new Float64Array(nX * nY * nY));
    const mu = randomSoftmaxPolicy(rng.split('mu'), nX, nY, 1);
    const rHat = rlhfReward(g, mu);
    const b = klMatchedBeta(mu, rHat, 0.3);
    const pol = softmaxPolicy(
      nX,
      nY,
      Float64Array.from(rHat, (v, i) => Math.log(mu.probs[i]) + v / b),
    );
    expect(kl(pol, mu)).toBeCloseTo(0.3, 9);
    for (let x = 0; x < nX; x++)
      for (let y = 1; y < nY; y++) expect(rHat[x * nY + y] - rHat[x * nY]).toBeCloseTo(r[x * nY + y] - r[x * nY], 6);
    expect(g.P[pIndex(nY, 0, 1, 2)]).toBeCloseTo(1 / (1 + Math.exp(-(r[1] - r[2]))), 14);
  });
});

describe('experiment tasks (tiny configurations)', () => {
  const finite = (m: Record<string, number>, s: Record<string, number[]>) => {
    for (const [k, v] of Object.entries(m)) expect(Number.isFinite(v), `metric ${k} = ${v}`).toBe(true);
    for (const [k, v] of Object.entries(s))
      for (const x of v) expect(Number.isFinite(x), `series ${k} has ${x}`).toBe(true);
  };
  it('nash-md, dno and inpo seeds return finite metrics and are deterministic per seed', async () => {
    const nm = await import('../../src/testbeds/preference/nash-md-experiment');
    const cfg = {
      nY: 4,
      contexts: [1, 3],
      btScale: 1,
      cyclicScale: 2,
      cyclic: 'curl' as const,
      beta: 0.2,
      muScale: 1,
      steps: 200,
      constantEta: 1,
      selfPlayEta: 1,
      checkpoints: 5,
      sweepCyclicScales: [0, 2],
    };
    const a = nm.runSeed(cfg, 3);
    finite(a.metrics, a.series ?? {});
    expect(nm.runSeed(cfg, 3).metrics).toEqual(a.metrics);
    expect(a.metrics['multi_theoremViolations']).toBe(0);
    const dn = await import('../../src/testbeds/preference/dno-experiment');
    const d = dn.runSeed(
      {
        nX: 4,
        nY: 6,
        btScale: 1,
        cyclicScale: 2,
        cyclic: 'rps-blocks',
        teacherTemperature: 0.25,
        sftQuality: 0.5,
        sftNoise: 1,
        iterations: 2,
        samples: 3,
        margin: 0.5,
        eta: 1,
        gdSteps: 5,
        lrScale: 0.5,
        rmPairsPerContext: 10,
        rmL2: 0.1,
      },
      1,
    );
    finite(d.metrics, d.series ?? {});
    expect(d.metrics['rlhf-bt_klInit']).toBeCloseTo(d.metrics['dno-prct_klInit'], 8); // RLHF at DNO-Prct's KL budget
    const ip = await import('../../src/testbeds/preference/inpo-experiment');
    const i = ip.runSeed(
      {
        nX: 4,
        nY: 6,
        btScale: 1,
        cyclicScale: 2,
        cyclic: 'rps-blocks',
        lengthBias: 1,
        refScale: 1,
        iterations: 3,
        pairsPerContext: 8,
        tau: 0.1,
        eta: 2,
        dpoSamples: 4,
        gdSteps: 5,
        lrScale: 0.5,
        rmPairsPerContext: 8,
        rmL2: 0.1,
      },
      2,
    );
    finite(i.metrics, i.series ?? {});
    expect(i.metrics.lossVsOmdMaxDiff).toBeLessThan(1e-6);
  });
});
