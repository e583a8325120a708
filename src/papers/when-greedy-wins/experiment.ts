/**
 * The miniature of Chen et al., "When Greedy Wins: Emergent Exploitation Bias in Meta-Bandit LLM Training"
 * (arXiv:2509.24923): a from-scratch GRU over the (arm, reward) history replaces the LLM; it is trained as a
 * meta-bandit agent by SFT on expert trajectories and by RL with three per-step rewards, and compared with UCB1 and
 * Thompson sampling on the training horizon T and on a 6× longer horizon, on regret and on greediness.
 *
 * World: K Bernoulli arms with means ~ U(0, 1) = Beta(1, 1), fresh every trial, one episode of T pulls
 * (testbeds/bandits/env/meta-bandit.ts). Trained variants (testbeds/bandits/loops/paradigm-train.ts; identical GRU,
 * trials per update, Adam updates, learning rate and clip):
 * - `sft-ucb`, `sft-ts`: behaviour cloning of UCB1's / Thompson sampling's arms on their own trajectories;
 * - `rl-original`: REINFORCE with a value baseline on the observed Bernoulli reward;
 * - `rl-strategic`: the same on the regret-shaped reward μ_{a_t} − μ*;
 * - `rl-algorithmic`: the same on the reward 1[a_t = UCB1's arm on the agent's own history].
 * References: `ucb1`, `thompson` (Beta-Bernoulli), `greedy` (highest posterior mean), `random`.
 * Every agent plays the same `evalTrials` trials of horizon 6T per seed (common random numbers).
 *
 * Record keys (`<agent>/<metric>`), for h = T (suffix `T`) and h = 6T (suffix `6T`): `regret<h>` (cumulative
 * pseudo-regret, Rao–Blackwellised over the agent's action distribution), `greedy<h>` (greedy mass per pull),
 * `suffix<h>` (share of trials without a pull of the best arm in [h/2, h)), `minFrac<h>` (K·MinFrac); trained agents
 * also `finalEntropy`; series `<agent>/trainCurve` (pseudo-regret per pull of the training trials, by block).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import type { MetaBanditSpec } from '../../testbeds/bandits/env/meta-bandit';
import {
  gruAgent,
  myopicAgent,
  randomAgent,
  thompsonAgent,
  type MetaAgent,
} from '../../testbeds/bandits/loops/meta-train';
import {
  evaluateBehaviour,
  trainParadigm,
  ucb1MetaAgent,
  type BehaviourEvaluation,
  type ParadigmTrainConfig,
  type TrainParadigm,
} from '../../testbeds/bandits/loops/paradigm-train';

export interface Config {
  /** Arms K. */
  arms: number;
  /** Training horizon T (pulls per trial). */
  pulls: number;
  /** Test horizon multiple: the long horizon is `longMult` · T. */
  longMult: number;
  /** Agent and optimiser, common to every trained variant. */
  train: ParadigmTrainConfig;
  /** Evaluation trials per agent (common to all agents). */
  evalTrials: number;
  /** Trials played in lockstep during evaluation. */
  evalBatch: number;
}

export const DEFAULTS: Config = {
  arms: 5,
  pulls: 50,
  longMult: 6,
  train: {
    hidden: 16,
    updates: 800,
    batch: 32,
    lr: 0.01,
    gamma: 0,
    valueCoef: 0.5,
    entropyStart: 0.01,
    entropyAnnealFrac: 0.5,
    maxGradNorm: 1,
    ucbC: 1,
  },
  evalTrials: 500,
  evalBatch: 125,
};

export const TRAINED = ['sft-ucb', 'sft-ts', 'rl-original', 'rl-strategic', 'rl-algorithmic'] as const;
export const REFERENCES = ['ucb1', 'thompson', 'greedy', 'random'] as const;
export type Trained = (typeof TRAINED)[number];

export const PARADIGMS: Record<Trained, TrainParadigm> = {
  'sft-ucb': { kind: 'sft', expert: 'ucb1' },
  'sft-ts': { kind: 'sft', expert: 'thompson' },
  'rl-original': { kind: 'rl', reward: 'original' },
  'rl-strategic': { kind: 'rl', reward: 'strategic' },
  'rl-algorithmic': { kind: 'rl', reward: 'algorithmic' },
};

export function trainSpec(config: Config): MetaBanditSpec {
  return { arms: config.arms, episodes: 1, pulls: config.pulls, structure: true, alpha: 1, beta: 1 };
}

function put(metrics: Record<string, number>, m: string, ev: BehaviourEvaluation): void {
  ev.checkpoints.forEach((_, i) => {
    const s = i === 0 ? 'T' : `${ev.checkpoints[i] / ev.checkpoints[0]}T`;
    metrics[`${m}/regret${s}`] = ev.regret[i];
    metrics[`${m}/greedy${s}`] = ev.greedyFrac[i];
    metrics[`${m}/suffix${s}`] = ev.suffixFail[i];
    metrics[`${m}/minFrac${s}`] = ev.minFrac[i];
  });
}

export function runSeed(config: Config, seed: number): RunResult {
  if (!(Number.isInteger(config.longMult) && config.longMult >= 2))
    throw new RangeError(`when-greedy-wins: longMult must be an integer ≥ 2, got ${config.longMult}`);
  const root = new Rng(seed);
  const spec = trainSpec(config);
  const checkpoints = [config.pulls, config.longMult * config.pulls];
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const evalOf = (name: string, agent: MetaAgent) =>
    evaluateBehaviour(
      spec,
      agent,
      checkpoints,
      config.evalTrials,
      config.evalBatch,
      root.split('eval-trials'),
      root.split('eval-act').split(name),
    );
  for (const m of TRAINED) {
    const res = trainParadigm(spec, config.train, PARADIGMS[m], root.split('train').split(m));
    put(metrics, m, evalOf(m, gruAgent(res.policy, 'sample')));
    metrics[`${m}/finalEntropy`] = res.finalEntropy;
    series[`${m}/trainCurve`] = res.curve;
  }
  const refs: Record<(typeof REFERENCES)[number], MetaAgent> = {
    ucb1: ucb1MetaAgent(config.arms, config.train.ucbC),
    thompson: thompsonAgent(config.arms, 1, 1),
    greedy: myopicAgent(config.arms, 1, 1),
    random: randomAgent(config.arms),
  };
  for (const r of REFERENCES) put(metrics, r, evalOf(r, refs[r]));
  return { metrics, series };
}
