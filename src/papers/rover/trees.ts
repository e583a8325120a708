/**
 * ROVER's theorem (He et al. 2025, "Random Policy Valuation is Enough for LLM Reasoning with Verifiable
 * Rewards", Thm. 3.1) on random tree MDPs (rlvr/env/random-trees.ts): greedy(Q^u), Q^u the Q-function
 * of the uniformly random policy, is optimal when the terminal rewards are binary. Exact, no learning.
 * Per tree: the theorem check on binary rewards, the myopic-score control and the continuous-reward
 * control (same tree shape). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { checkGreedy, myopicScore, randomTree } from '../../testbeds/rlvr/env/random-trees';

export interface Config {
  /** Random trees per seed. */
  trees: number;
  /** Inclusive range of the number of actions at an internal node. */
  branching: [number, number];
  /** Inclusive range of the maximum depth (drawn per tree). */
  depth: [number, number];
  /** Probability that a non-root node above the maximum depth is a leaf. */
  pStop: number;
  /** Range of the fraction of rewarding leaves (drawn per tree). */
  rewardFraction: [number, number];
  /** Trees with more nodes are redrawn. */
  maxNodes: number;
}

/** The full-profile check (the notebook overrides trees). */
export const DEFAULTS: Config = {
  trees: 25,
  branching: [4, 8],
  depth: [4, 8],
  pStop: 0.3,
  rewardFraction: [0.01, 0.1],
  maxNodes: 400000,
};

/** Series keys of the record by column: `tree/…` the tree itself, `uniform-q/…` greedy(Q^u) on binary
 * rewards, `myopic/…` greedy on the myopic score, `continuous/…` greedy(Q^u) with U(0, 1) rewards. */
const COLUMNS: Record<string, string> = {
  depth: 'tree/depth',
  nodes: 'tree/nodes',
  leaves: 'tree/leaves',
  rewardingLeaves: 'tree/rewardingLeaves',
  solvable: 'tree/solvable',
  optimalReturn: 'tree/optimalReturn',
  internalStates: 'tree/internalStates',
  redraws: 'tree/redraws',
  greedyReturn: 'uniform-q/greedyReturn',
  suboptimalStates: 'uniform-q/suboptimalStates',
  supportMismatches: 'uniform-q/supportMismatches',
  myopicReturn: 'myopic/greedyReturn',
  myopicSuboptimalStates: 'myopic/suboptimalStates',
  contGreedyReturn: 'continuous/greedyReturn',
  contOptimalReturn: 'continuous/optimalReturn',
  contSuboptimalStates: 'continuous/suboptimalStates',
};

/**
 * One seed of `trees` random trees. Series (one entry per tree) keyed as `COLUMNS`; metrics per seed:
 * tree/count, tree/solvable, tree/nodes, uniform-q/suboptimalStates, uniform-q/supportMismatches.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('rover-trees');
  const cols: Record<string, number[]> = {
    depth: [],
    nodes: [],
    leaves: [],
    rewardingLeaves: [],
    solvable: [],
    greedyReturn: [],
    optimalReturn: [],
    suboptimalStates: [],
    internalStates: [],
    supportMismatches: [],
    myopicReturn: [],
    myopicSuboptimalStates: [],
    contGreedyReturn: [],
    contOptimalReturn: [],
    contSuboptimalStates: [],
    redraws: [],
  };
  for (let k = 0; k < c.trees; k++) {
    const r = root.split(k);
    const D = c.depth[0] + r.split('D').int(c.depth[1] - c.depth[0] + 1);
    const f = r.split('f').range(c.rewardFraction[0], c.rewardFraction[1]);
    const t = randomTree(r.split('tree'), {
      branching: c.branching,
      depth: D,
      pStop: c.pStop,
      rewardFraction: f,
      maxNodes: c.maxNodes,
    });
    const g = checkGreedy(t);
    const my = checkGreedy(t, myopicScore(t));
    // Continuous control: same shape and rewarding leaves, rewards U(0, 1) instead of 1.
    const rc = r.split('cont');
    const cont = { ...t, reward: t.reward.map((x) => (x > 0 ? rc.uniform() : 0)) };
    const gc = checkGreedy(cont);
    cols.depth.push(D);
    cols.nodes.push(g.nodes);
    cols.leaves.push(g.leaves);
    cols.rewardingLeaves.push(g.rewardingLeaves);
    cols.solvable.push(g.solvable ? 1 : 0);
    cols.greedyReturn.push(g.greedyReturn);
    cols.optimalReturn.push(g.optimalReturn);
    cols.suboptimalStates.push(g.suboptimalStates);
    cols.internalStates.push(g.internalStates);
    cols.supportMismatches.push(g.supportMismatches);
    cols.myopicReturn.push(my.greedyReturn);
    cols.myopicSuboptimalStates.push(my.suboptimalStates);
    cols.contGreedyReturn.push(gc.greedyReturn);
    cols.contOptimalReturn.push(gc.optimalReturn);
    cols.contSuboptimalStates.push(gc.suboptimalStates);
    cols.redraws.push(t.redraws);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const series: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(cols)) series[COLUMNS[k]] = v;
  return {
    metrics: {
      [metricKey('tree', 'count')]: c.trees,
      [metricKey('tree', 'solvable')]: sum(cols.solvable),
      [metricKey('uniform-q', 'suboptimalStates')]: sum(cols.suboptimalStates),
      [metricKey('uniform-q', 'supportMismatches')]: sum(cols.supportMismatches),
      [metricKey('tree', 'nodes')]: sum(cols.nodes),
    },
    series,
  };
}
