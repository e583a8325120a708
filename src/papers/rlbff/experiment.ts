/**
 * The synthetic miniature of Wang et al., "RLBFF: Binary Flexible Feedback to bridge between Human Feedback &
 * Verifiable Rewards" (arXiv:2509.21319, ICLR 2026): a principle-entailment scalar reward model trained on binary
 * principle judgments against a Bradley–Terry reward model trained on pairwise preferences of the same prompts and
 * responses, at matched annotation budgets, and both scored under principles named only at inference time.
 *
 * World (testbeds/preference/data/principle-feedback.ts). K principles with true log-odds s_k(x) = g(⟨u_k, x⟩ + b_k)
 * of being satisfied by a response x ~ N(0, I_d); C prompt types, each with importance weights w_c ~ Dirichlet(α);
 * the true utility of a response to a prompt of type c is U(w_c, x) = Σ_k w_ck s_k(x).
 *
 * Data, for each budget N (`budgets`): N prompts (types uniform), each with two responses. Annotations of them:
 * - `bt`: one Bradley–Terry preference label per prompt (N labels), P(a ≻ b) = σ(U(w_c, a) − U(w_c, b));
 * - `principle`: one binary judgment per prompt (N labels, the equal annotation budget): one of the two responses at
 *   random, a principle k ~ Categorical(w_c), z ~ Bernoulli(σ(s_k(x)));
 * - `principle2`: one judgment of each of the two responses (2N labels: the same prompts and responses as `bt`, the
 *   paper's "matched for data", where every response of a preference pair also has written feedback).
 * Reward models: MLPs with the same widths, Adam learning rate, batch and number of updates (`epochs` passes over
 * the N prompts; `principle2`'s batches hold both judgments of each sampled prompt). `bt` reads [one-hot(c) | x];
 * the principle models read [one-hot(c) | one-hot(k) | x] and output r = log P(Yes) − log P(No)
 * (methods/principle-entailment.ts); the principle models' reward for a prompt of type c is Σ_k w_ck r(c, x, k), the
 * principles of interest named at inference (w_c, known to the user who wrote the prompt type).
 *
 * Evaluation on `nTest` fresh prompt pairs and `pools` pools of `poolSize` responses:
 * - `acc`: agreement with the true preference sign(U(w_c, a) − U(w_c, b));
 * - `accNew`: agreement with a new user weighting w' ~ Dirichlet(α) drawn per test pair (not a prompt type's), the
 *   principle models scoring Σ_k w'_k r_k, the Bradley–Terry model unchanged (it takes no principle);
 * - `accSingle`: agreement with a single principle k' (uniform) named at inference, sign(s_k'(a) − s_k'(b));
 * - `bon` / `bonNew`: mean true utility of the response a reward model ranks first in each pool (best-of-poolSize)
 *   under the prompt's weights / a new weighting per pool; `exact/bonMax`, `exact/bonMean` (and `…New`) are the
 *   best response's and the pool average's;
 * - `judgeAcc` (principle models): agreement of sign(r_k) with sign(s_k) over test responses and all principles.
 * Record keys `method/metric@n=<N>`; `data/flip` (share of test pairs whose preferred response differs between w_c
 * and w'), `data/flipSingle` (between w_c and the single principle), `data/yesRate` (share of Yes judgments).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { BtMlpReward } from '../../testbeds/preference/methods/bradley-terry-mlp';
import {
  PrincipleEntailmentReward,
  principleWeightedReward,
} from '../../testbeds/preference/methods/principle-entailment';
import {
  pairwiseLabels,
  principleInputs,
  principleJudgments,
  principleLogOdds,
  principleUtility,
  principleWorld,
  promptPairs,
  type PrincipleJudgments,
  type PrincipleWorld,
} from '../../testbeds/preference/data/principle-feedback';
import { responses, rowsOf } from '../../testbeds/preference/data/feature-preferences';

export interface Config {
  /** Feature dimension, principles K, prompt types C. */
  d: number;
  K: number;
  C: number;
  /** Gain g of the principles' log-odds, Dirichlet α of the importance weights, offset range of b_k. */
  gain: number;
  alpha: number;
  offset: number;
  /** Annotation budgets N (prompts with two responses; one scenario each). */
  budgets: number[];
  /** MLP hidden widths, Adam learning rate, prompts per step, passes over the N prompts. */
  hidden: number[];
  lr: number;
  batch: number;
  epochs: number;
  /** Test prompt pairs; best-of-n pools and their size. */
  nTest: number;
  pools: number;
  poolSize: number;
}

export const DEFAULTS: Config = {
  d: 16,
  K: 8,
  C: 8,
  gain: 2,
  alpha: 0.5,
  offset: 0.5,
  budgets: [250, 1000, 4000],
  hidden: [64, 64],
  lr: 1e-3,
  batch: 32,
  epochs: 20,
  nTest: 2000,
  pools: 300,
  poolSize: 16,
};

export const METHODS = ['bt', 'principle', 'principle2'] as const;

/** Share of i < n with sign(a_i − b_i) = sign(t_i) (ties in the score count half). */
function agreement(a: ArrayLike<number>, b: ArrayLike<number>, t: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const dlt = a[i] - b[i];
    s += dlt === 0 ? 0.5 : dlt > 0 === t[i] > 0 ? 1 : 0;
  }
  return s / n;
}

/** Rewards of every principle model for n (c, x) items: r_k for k = 0..K−1. */
function perPrincipleRewards(m: PrincipleEntailmentReward, world: PrincipleWorld, c: Int32Array, x: Float32Array) {
  const n = c.length;
  return Array.from({ length: world.K }, (_, k) =>
    m.reward(principleInputs(world, c, new Int32Array(n).fill(k), x), n),
  );
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const rng = new Rng(seed).split('rlbff');
  const world = principleWorld(rng.split('world'), {
    d: c.d,
    K: c.K,
    C: c.C,
    gain: c.gain,
    alpha: c.alpha,
    offset: c.offset,
  });
  const metrics: Record<string, number> = {};

  // Test pairs with a new user weighting and a single principle each.
  const ev = rng.split('test');
  const test = promptPairs(ev.split('pairs'), world, c.nTest);
  const wNew = Array.from({ length: c.nTest }, () => ev.dirichlet(c.K, c.alpha));
  const kSingle = Int32Array.from({ length: c.nTest }, () => ev.int(c.K));
  const tU = new Float64Array(c.nTest),
    tNew = new Float64Array(c.nTest),
    tSingle = new Float64Array(c.nTest);
  let flip = 0,
    flipSingle = 0;
  for (let i = 0; i < c.nTest; i++) {
    const w = world.w[test.c[i]];
    tU[i] = principleUtility(world, w, test.x1, i) - principleUtility(world, w, test.x2, i);
    tNew[i] = principleUtility(world, wNew[i], test.x1, i) - principleUtility(world, wNew[i], test.x2, i);
    tSingle[i] = principleLogOdds(world, kSingle[i], test.x1, i) - principleLogOdds(world, kSingle[i], test.x2, i);
    if (tU[i] > 0 !== tNew[i] > 0) flip++;
    if (tU[i] > 0 !== tSingle[i] > 0) flipSingle++;
  }
  metrics['data/flip'] = flip / c.nTest;
  metrics['data/flipSingle'] = flipSingle / c.nTest;

  // Best-of-n pools: a prompt type and a new weighting per pool.
  const pv = rng.split('pools');
  const P = c.pools,
    S = c.poolSize,
    nP = P * S;
  const poolC = new Int32Array(nP);
  const poolW: Float64Array[] = [];
  for (let p = 0; p < P; p++) {
    poolC.fill(pv.int(c.C), p * S, (p + 1) * S);
    poolW.push(pv.dirichlet(c.K, c.alpha));
  }
  const poolX = responses(pv.split('x'), nP, c.d);
  const gold = Float64Array.from({ length: nP }, (_, i) => principleUtility(world, world.w[poolC[i]], poolX, i));
  const goldNew = Float64Array.from({ length: nP }, (_, i) =>
    principleUtility(world, poolW[Math.floor(i / S)], poolX, i),
  );
  const bestOf = (score: ArrayLike<number>, g: Float64Array) => {
    let v = 0;
    for (let p = 0; p < P; p++) {
      let j = p * S;
      for (let i = p * S + 1; i < (p + 1) * S; i++) if (score[i] > score[j]) j = i;
      v += g[j] / P;
    }
    return v;
  };
  metrics['exact/bonMax'] = bestOf(gold, gold);
  metrics['exact/bonMaxNew'] = bestOf(goldNew, goldNew);
  metrics['exact/bonMean'] = gold.reduce((a, b) => a + b, 0) / nP;
  metrics['exact/bonMeanNew'] = goldNew.reduce((a, b) => a + b, 0) / nP;

  const testIn = {
    x1: principleInputs(world, test.c, null, test.x1),
    x2: principleInputs(world, test.c, null, test.x2),
  };
  const poolIn = principleInputs(world, poolC, null, poolX);
  const n = c.nTest;

  for (const N of c.budgets) {
    const at = `@n=${N}`;
    const sc = rng.split(`n=${N}`);
    const pairs = promptPairs(sc.split('pairs'), world, N);
    const y = pairwiseLabels(sc.split('preferences'), world, pairs);
    const judged: Record<'principle' | 'principle2', PrincipleJudgments> = {
      principle: principleJudgments(sc.split('judgments-1'), world, pairs, 1),
      principle2: principleJudgments(sc.split('judgments-2'), world, pairs, 2),
    };
    let yes = 0;
    for (const z of judged.principle2.z) yes += z;
    metrics[`data/yesRate${at}`] = yes / (2 * N);
    const init = sc.split('init');
    const bt = new BtMlpReward({ dIn: c.C + c.d, hidden: c.hidden, lr: c.lr }, init.split('bt'));
    const pm = {
      principle: new PrincipleEntailmentReward({ dIn: c.C + c.K + c.d, hidden: c.hidden, lr: c.lr }, init.split('p1')),
      principle2: new PrincipleEntailmentReward({ dIn: c.C + c.K + c.d, hidden: c.hidden, lr: c.lr }, init.split('p2')),
    };
    const btX1 = principleInputs(world, pairs.c, null, pairs.x1),
      btX2 = principleInputs(world, pairs.c, null, pairs.x2);
    const inputs = {
      principle: principleInputs(world, judged.principle.c, judged.principle.k, judged.principle.x),
      principle2: principleInputs(world, judged.principle2.c, judged.principle2.k, judged.principle2.x),
    };
    const wBt = c.C + c.d,
      wP = c.C + c.K + c.d;
    const steps = Math.ceil((c.epochs * N) / c.batch);
    const order = sc.split('batches');
    for (let t = 0; t < steps; t++) {
      // The same sampled prompts for every model: prompt i's preference label, judgment, or both judgments.
      const idx = Int32Array.from({ length: c.batch }, () => order.int(N));
      bt.step(
        rowsOf(btX1, idx, wBt),
        rowsOf(btX2, idx, wBt),
        Array.from(idx, (i) => y[i]),
        c.batch,
      );
      pm.principle.step(
        rowsOf(inputs.principle, idx, wP),
        Array.from(idx, (i) => judged.principle.z[i]),
        c.batch,
      );
      const idx2 = Int32Array.from({ length: 2 * c.batch }, (_, j) => 2 * idx[j >> 1] + (j & 1));
      pm.principle2.step(
        rowsOf(inputs.principle2, idx2, wP),
        Array.from(idx2, (i) => judged.principle2.z[i]),
        2 * c.batch,
      );
    }

    // Bradley–Terry: one reward per (prompt type, response); principles cannot be named.
    const b1 = bt.reward(testIn.x1, n),
      b2 = bt.reward(testIn.x2, n);
    metrics[`bt/acc${at}`] = agreement(b1, b2, tU, n);
    metrics[`bt/accNew${at}`] = agreement(b1, b2, tNew, n);
    metrics[`bt/accSingle${at}`] = agreement(b1, b2, tSingle, n);
    const bPool = bt.reward(poolIn, nP);
    metrics[`bt/bon${at}`] = bestOf(bPool, gold);
    metrics[`bt/bonNew${at}`] = bestOf(bPool, goldNew);

    for (const m of ['principle', 'principle2'] as const) {
      const r1 = perPrincipleRewards(pm[m], world, test.c, test.x1),
        r2 = perPrincipleRewards(pm[m], world, test.c, test.x2);
      const agg = (R: Float32Array[], w: (i: number) => ArrayLike<number>) =>
        Float64Array.from({ length: n }, (_, i) => {
          const wi = w(i);
          let s = 0;
          for (let k = 0; k < c.K; k++) s += wi[k] * R[k][i];
          return s;
        });
      const prompt = (i: number) => world.w[test.c[i]];
      metrics[`${m}/acc${at}`] = agreement(agg(r1, prompt), agg(r2, prompt), tU, n);
      metrics[`${m}/accNew${at}`] = agreement(
        agg(r1, (i) => wNew[i]),
        agg(r2, (i) => wNew[i]),
        tNew,
        n,
      );
      metrics[`${m}/accSingle${at}`] = agreement(
        Float64Array.from({ length: n }, (_, i) => r1[kSingle[i]][i]),
        Float64Array.from({ length: n }, (_, i) => r2[kSingle[i]][i]),
        tSingle,
        n,
      );
      let judge = 0;
      for (let k = 0; k < c.K; k++)
        for (let i = 0; i < n; i++) if (r1[k][i] > 0 === principleLogOdds(world, k, test.x1, i) > 0) judge++;
      metrics[`${m}/judgeAcc${at}`] = judge / (n * c.K);
      const rp = perPrincipleRewards(pm[m], world, poolC, poolX);
      const score = new Float64Array(nP),
        scoreNew = new Float64Array(nP);
      for (let p = 0; p < P; p++) {
        const sl = (a: Float32Array) => a.subarray(p * S, (p + 1) * S);
        const slice = rp.map(sl);
        score.set(principleWeightedReward(slice, world.w[poolC[p * S]], S), p * S);
        scoreNew.set(principleWeightedReward(slice, poolW[p], S), p * S);
      }
      metrics[`${m}/bon${at}`] = bestOf(score, gold);
      metrics[`${m}/bonNew${at}`] = bestOf(scoreNew, goldNew);
    }
  }
  return { metrics };
}
