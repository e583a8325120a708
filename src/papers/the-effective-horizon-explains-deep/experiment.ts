/**
 * The tabular miniature of Laidlaw, Zhu, Russell & Dragan, "The Effective Horizon Explains Deep RL Performance
 * in Stochastic Environments" (ICLR 2024, arXiv:2312.08369): one seed = one suite of small stochastic MDPs.
 *
 * Suite: `mdpsPerSeed` finite-horizon MDPs, alternately (a) random tabular MDPs (3 Dirichlet successors per
 * (s, a), sparse or dense U(0, 1) rewards) and (b) gridworlds with slips whose absorbing goal pays 1, some
 * with a nearer absorbing distractor paying less. MDPs where the random policy is already near-optimal
 * (J* − J_rand below `minGap`) are redrawn.
 * Exact part (testbeds/tabular/solvers/effective-horizon.ts): k_min (least k with every greedy policy on the
 * k-th iterate of Q-value iteration from Q^rand optimal, Definition 3.1), the effective-horizon proxy
 * H̄ = min_k k + log_A m_k, its sample bound T²·A^H̄, and a worst-case (minimax-style) bound T³·S·A.
 * Learners (testbeds/tabular/methods/sqirl.ts), each with the same step budget and three configurations
 * (best per MDP): SQIRL with k ∈ `sqirlKs`, rollouts per timestep doubled m = 1, 2, 4, … until success;
 * ε-greedy tabular Q-learning with ε ∈ `epsilons`, greedy policy evaluated exactly every `evalEvery` steps.
 * Sample complexity: environment steps until the (greedy) policy's exact normalised return
 * (J − J_rand)/(J* − J_rand) first reaches `successLevel`; `2·budget` when never (censored).
 *
 * Record keys (`method/metric`): per seed `all/rhoSqirlQl`, `all/rhoEffQl`, `all/rhoMinimaxQl`,
 * `all/rhoKminQl`, `all/rhoEffSqirl` (Spearman ρ across the suite, on sample complexities / bounds),
 * `all/fracKle2`, `all/meanKmin`, `all/nMdps`; `sqirl/solvedFrac`, `qlearning/solvedFrac`; exact checks
 * `exact/maxQTminusQstar`, `exact/maxGreedyKminRegret`. Series (one entry per MDP): `mdp/{kind, nS, T, kMin,
 * effHorizon, log10EffBound, log10MinimaxBound}`, `sqirl/log10Samples`, `qlearning/log10Samples`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { spearman } from '../../stats/correlation';
import { randomFiniteHorizonMdp, slipGridMdp, type FiniteHorizonMdp } from '../../testbeds/tabular/env/finite-horizon';
import {
  effectiveHorizonAnalysis,
  finiteHorizonOptimalReturn,
  finiteHorizonRandomReturn,
  timeIndexedPolicyReturn,
} from '../../testbeds/tabular/solvers/effective-horizon';
import { finiteHorizonQLearning, sqirl } from '../../testbeds/tabular/methods/sqirl';

export interface Config {
  /** MDPs per seed (alternately random tabular and gridworld). */
  mdpsPerSeed: number;
  /** Random tabular MDPs: state counts, actions, horizons, successors, reward densities drawn from. */
  random: { nS: number[]; nA: number; T: number[]; branching: number; rewardDensity: number[] };
  /** Gridworlds: sides, horizons, slip probabilities, probability of a distractor and its reward. */
  grid: { size: number[]; T: number[]; slip: number[]; distractorProb: number; distractorReward: number };
  /** Redraw an MDP whose J* − J_rand is below this (the random policy is then already near-optimal). */
  minGap: number;
  /** Environment-step budget of every learner run. */
  budget: number;
  /** Normalised return that counts as solved. */
  successLevel: number;
  /** SQIRL depths tried (best per MDP). */
  sqirlKs: number[];
  /** Q-learning exploration rates tried (best per MDP). */
  epsilons: number[];
  /** Q-learning evaluation period (steps). */
  evalEvery: number;
}

export const DEFAULTS: Config = {
  mdpsPerSeed: 12,
  random: { nS: [10, 20], nA: 3, T: [5, 10], branching: 3, rewardDensity: [0.05, 0.2, 1] },
  grid: { size: [4, 5], T: [8, 12], slip: [0.1, 0.3], distractorProb: 0.5, distractorReward: 0.3 },
  minGap: 0.05,
  budget: 100000,
  successLevel: 0.95,
  sqirlKs: [1, 2, 3],
  epsilons: [0.05, 0.2, 0.5],
  evalEvery: 1000,
};

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** MDP i of a suite: even i random tabular, odd i gridworld; redrawn until J* − J_rand ≥ minGap. */
export function suiteMdp(config: Config, rng: Rng, i: number): { mdp: FiniteHorizonMdp; kind: number } {
  for (let attempt = 0; ; attempt++) {
    const g = rng.split(attempt);
    let mdp: FiniteHorizonMdp;
    if (i % 2 === 0) {
      const c = config.random;
      mdp = randomFiniteHorizonMdp(g, {
        nS: pick(g, c.nS),
        nA: c.nA,
        T: pick(g, c.T),
        branching: c.branching,
        rewardDensity: pick(g, c.rewardDensity),
      });
    } else {
      const c = config.grid;
      const size = pick(g, c.size);
      const n = size * size;
      const goal = 1 + g.int(n - 1);
      let distractor: number | undefined;
      if (g.uniform() < c.distractorProb) {
        distractor = 1 + g.int(n - 1);
        if (distractor === goal) distractor = undefined;
      }
      mdp = slipGridMdp({
        size,
        T: pick(g, c.T),
        slip: pick(g, c.slip),
        goal,
        distractor,
        distractorReward: c.distractorReward,
        start: 0,
      });
    }
    if (finiteHorizonOptimalReturn(mdp) - finiteHorizonRandomReturn(mdp) >= config.minGap || attempt > 100)
      return { mdp, kind: i % 2 };
  }
}

/** Normalised return (J − J_rand)/(J* − J_rand) of a time-indexed policy. */
function normaliser(mdp: FiniteHorizonMdp): (pi: Int32Array) => number {
  const js = finiteHorizonOptimalReturn(mdp);
  const jr = finiteHorizonRandomReturn(mdp);
  return (pi) => (timeIndexedPolicyReturn(mdp, pi) - jr) / (js - jr);
}

/** SQIRL's sample complexity at depth k: steps m·T² at the first m (doubling) that solves, else Infinity. */
export function sqirlSampleComplexity(mdp: FiniteHorizonMdp, rng: Rng, k: number, config: Config): number {
  const score = normaliser(mdp);
  for (let m = 1; m * mdp.T * mdp.T <= config.budget; m *= 2) {
    const { policy, steps } = sqirl(mdp, rng.split(m), { k, m });
    if (score(policy) >= config.successLevel) return steps;
  }
  return Infinity;
}

/** Q-learning's sample complexity at exploration rate ε (first evaluation that solves), else Infinity. */
export function qLearningSampleComplexity(mdp: FiniteHorizonMdp, rng: Rng, epsilon: number, config: Config): number {
  const score = normaliser(mdp);
  let solvedAt = Infinity;
  finiteHorizonQLearning(mdp, rng, { epsilon, budget: config.budget, evalEvery: config.evalEvery }, (steps, pi) => {
    if (score(pi) >= config.successLevel) {
      solvedAt = steps;
      return true;
    }
    return false;
  });
  return solvedAt;
}

export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('effective-horizon');
  const n = config.mdpsPerSeed;
  const censored = Math.log10(2 * config.budget);
  const series: Record<string, number[]> = {
    'mdp/kind': [],
    'mdp/nS': [],
    'mdp/T': [],
    'mdp/kMin': [],
    'mdp/effHorizon': [],
    'mdp/log10EffBound': [],
    'mdp/log10MinimaxBound': [],
    'sqirl/log10Samples': [],
    'qlearning/log10Samples': [],
  };
  let maxQT = 0;
  let maxRegret = 0;
  for (let i = 0; i < n; i++) {
    const { mdp, kind } = suiteMdp(config, root.split('suite').split(i), i);
    // δ: the per-step share of the return loss the success criterion tolerates.
    const delta =
      ((1 - config.successLevel) * (finiteHorizonOptimalReturn(mdp) - finiteHorizonRandomReturn(mdp))) / mdp.T;
    const eh = effectiveHorizonAnalysis(mdp, delta);
    maxQT = Math.max(maxQT, eh.qTMinusQstar);
    maxRegret = Math.max(maxRegret, Math.abs(eh.greedyKminRegret));
    series['mdp/kind'].push(kind);
    series['mdp/nS'].push(mdp.nS);
    series['mdp/T'].push(mdp.T);
    series['mdp/kMin'].push(eh.kMin);
    series['mdp/effHorizon'].push(eh.effectiveHorizon);
    series['mdp/log10EffBound'].push(2 * Math.log10(mdp.T) + eh.effectiveHorizon * Math.log10(mdp.nA));
    series['mdp/log10MinimaxBound'].push(Math.log10(mdp.T ** 3 * mdp.nS * mdp.nA));
    let sq = Infinity;
    for (const k of config.sqirlKs)
      sq = Math.min(sq, sqirlSampleComplexity(mdp, root.split('sqirl').split(i).split(k), k, config));
    let ql = Infinity;
    for (const [j, eps] of config.epsilons.entries())
      ql = Math.min(ql, qLearningSampleComplexity(mdp, root.split('qlearning').split(i).split(j), eps, config));
    series['sqirl/log10Samples'].push(Number.isFinite(sq) ? Math.log10(sq) : censored);
    series['qlearning/log10Samples'].push(Number.isFinite(ql) ? Math.log10(ql) : censored);
  }
  const sqS = series['sqirl/log10Samples'];
  const qlS = series['qlearning/log10Samples'];
  const kMin = series['mdp/kMin'];
  const metrics: Record<string, number> = {
    'all/nMdps': n,
    'all/rhoSqirlQl': spearman(sqS, qlS),
    'all/rhoEffQl': spearman(series['mdp/log10EffBound'], qlS),
    'all/rhoMinimaxQl': spearman(series['mdp/log10MinimaxBound'], qlS),
    'all/rhoKminQl': spearman(kMin, qlS),
    'all/rhoEffSqirl': spearman(series['mdp/log10EffBound'], sqS),
    'all/fracKle2': kMin.filter((k) => k <= 2).length / n,
    'all/meanKmin': kMin.reduce((a, b) => a + b, 0) / n,
    'all/meanT': series['mdp/T'].reduce((a, b) => a + b, 0) / n,
    'sqirl/solvedFrac': sqS.filter((x) => x < censored).length / n,
    'qlearning/solvedFrac': qlS.filter((x) => x < censored).length / n,
    'exact/maxQTminusQstar': maxQT,
    'exact/maxGreedyKminRegret': maxRegret,
  };
  return { metrics, series };
}
