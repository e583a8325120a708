/**
 * The tabular miniature of Hong, Dragan & Levine, "Offline RL with Observation Histories: Analyzing and Improving
 * Sample Complexity" (ICLR 2024, arXiv:2310.20663): offline RL conditioned on observation histories against the
 * same learner on a bisimulation-compressed history representation, behaviour cloning and a state-based oracle,
 * over dataset sizes, scored exactly in the true POMDP.
 *
 * World (testbeds/offline/env/aliased-grid-pomdp.ts): an open `grid.width × grid.height` room, fixed start and
 * goal (reward 1 on entry, episode ends, discount `grid.gamma`); the agent observes only its 4-bit wall mask, so all
 * interior cells look alike. Data (data/histories.ts): `size` waypoint-then-random episodes of at most `horizon`
 * steps: each follows part of a good route and then wanders, so good behaviour needs stitching.
 * Methods, all on the same data of a seed and size, each the testbed's exact tabular CQL(H) (methods/cql.ts, weight
 * `cqlAlpha`) on a different representation of the history:
 * - `state`: the true cell (the oracle the paper's stitching argument assumes; not available to the agent);
 * - `history`: the raw history (every distinct observation–action history its own row);
 * - `bisim` (primary): the history's cell in the coarsest zero-bisimulation-loss recurrent partition of the data
 *   (methods/history-bisimulation.ts), i.e. offline RL plus the bisimulation objective;
 * - `bisim-shared`: the same partition refinement, but a history joins a cell only when it shares an action with it
 *   (positive evidence), a less compact variant;
 * - `lastobs`: the last observation only (memoryless; shows that the task needs memory);
 * - `bc`: behaviour cloning on raw histories.
 * A policy acts greedily on its representation; a history its representation never saw acts uniformly at random.
 * Score (solvers/recurrent-policy-evaluation.ts, exact): E[Σ_{t<H} γ^t r_t] from the start in the true POMDP, and
 * its ratio to the optimal return.
 *
 * Record keys (`method/metric@n<size>`): `<m>/value`, `<m>/normalized` (value / optimal), `<m>/success`,
 * `<m>/offData`; `<m>/cells` (rows of the representation) for history, bisim(-shared), state, lastobs;
 * `<bisim>/impurity` (share of histories whose bisimulation cell's majority true cell is another), `<bisim>/rounds`;
 * `history/bestGap` (|history value − best data episode return| / optimal: 0 when history-based RL can do no
 * better than replay the best episode); `data/bestReturn`
 * and `data/meanReturn` (discounted, over the episodes), `data/goalEpisodes`, `data/transitions`;
 * `optimal/value`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  aliasedGridPomdp,
  optimalGridReturn,
  type AliasedGridSpec,
} from '../../testbeds/offline/env/aliased-grid-pomdp';
import {
  buildHistoryTrie,
  collectWaypointEpisodes,
  historyDataset,
  type HistoryTrie,
} from '../../testbeds/offline/data/histories';
import {
  bisimulationPartition,
  identityPartition,
  partitionEncoder,
  partitionImpurity,
  type HistoryPartition,
} from '../../testbeds/offline/methods/history-bisimulation';
import {
  evaluateRecurrentPolicy,
  type RecurrentEncoder,
} from '../../testbeds/offline/solvers/recurrent-policy-evaluation';
import { cql } from '../../testbeds/offline/methods/cql';
import { behaviourCloning } from '../../testbeds/offline/methods/bc';
import type { AliasedGridPomdp } from '../../testbeds/offline/env/aliased-grid-pomdp';

export interface Config {
  /** The partially observed room (start, goal, walls, discount). */
  grid: AliasedGridSpec;
  /** Episode length limit of the data and of the evaluation. */
  horizon: number;
  /** Dataset sizes (episodes). Each size draws its own dataset from the seed. */
  sizes: number[];
  /** Waypoints are drawn among cells at least this many moves from the goal. */
  minGoalDistance: number;
  /** Whether the bisimulation partition starts from (observation, time step) rather than the observation. */
  bisimByDepth: boolean;
  /** Weight α of CQL's conservative term (per sample, reward units), the same for every representation. */
  cqlAlpha: number;
}

export const DEFAULTS: Config = {
  grid: { width: 7, height: 7, walls: [], start: [0, 0], goal: [4, 4], gamma: 0.9 },
  horizon: 20,
  sizes: [25, 50, 100, 200, 400],
  minGoalDistance: 4,
  bisimByDepth: false,
  cqlAlpha: 0.01,
};

export const METHODS = ['state', 'history', 'bisim', 'bisim-shared', 'lastobs', 'bc'] as const;

/** A partition of the trie's nodes as a recurrent encoder for evaluation. */
function encoderOf(trie: HistoryTrie, part: HistoryPartition): RecurrentEncoder {
  const enc = partitionEncoder(trie, part);
  return { nZ: part.nCells, init: (_s, o) => enc.root(o), step: (z, a, _sp, op) => enc.step(z, a, op) };
}

function discountedReturns(trie: HistoryTrie, gamma: number): number[] {
  const out: number[] = [];
  let g = 0,
    disc = 1;
  for (let i = 0; i < trie.transitionEdge.length; i++) {
    const e = trie.transitionEdge[i];
    if (trie.depth[trie.edgeFrom[e]] === 0 && i > 0) (out.push(g), (g = 0), (disc = 1));
    g += disc * trie.edgeReward[e];
    disc *= gamma;
  }
  out.push(g);
  return out;
}

/** Everything for one dataset size; returns metrics keyed `<m>/<metric>@n<size>`. */
export function runSize(c: Config, p: AliasedGridPomdp, size: number, rng: Rng): Record<string, number> {
  const at = `@n${size}`;
  const m: Record<string, number> = {};
  const opt = optimalGridReturn(p, c.horizon);
  const episodes = collectWaypointEpisodes(
    p,
    { episodes: size, horizon: c.horizon, minGoalDistance: c.minGoalDistance },
    rng,
  );
  const trie = buildHistoryTrie(p, episodes);
  const rets = discountedReturns(trie, p.gamma);
  m[`data/bestReturn${at}`] = Math.max(...rets);
  m[`data/meanReturn${at}`] = rets.reduce((u, x) => u + x, 0) / rets.length;
  m[`data/goalEpisodes${at}`] = episodes.filter((e) => e.done).length;
  m[`data/transitions${at}`] = trie.transitionEdge.length;

  const score = (name: string, enc: RecurrentEncoder, policy: Float64Array) => {
    const ev = evaluateRecurrentPolicy(p, enc, policy, c.horizon);
    m[`${name}/value${at}`] = ev.value;
    m[`${name}/normalized${at}`] = ev.value / opt;
    m[`${name}/success${at}`] = ev.success;
    m[`${name}/offData${at}`] = ev.offData;
  };
  const fit = (cellOf: Int32Array, nCells: number, name: string) =>
    cql(historyDataset(trie, cellOf, nCells, p.gamma, name), { alpha: c.cqlAlpha }).policy;

  // state oracle: rows = true cells
  const stateEnc: RecurrentEncoder = { nZ: p.nS, init: (s) => s, step: (_z, _a, sp) => sp };
  score('state', stateEnc, fit(trie.trueState, p.nS, 'state'));
  m[`state/cells${at}`] = new Set(trie.trueState).size;

  // raw histories
  const raw = identityPartition(trie);
  const rawEnc = encoderOf(trie, raw);
  score('history', rawEnc, fit(raw.cellOf, raw.nCells, 'history'));
  m[`history/cells${at}`] = raw.nCells;
  score('bc', rawEnc, behaviourCloning(historyDataset(trie, raw.cellOf, raw.nCells, p.gamma, 'bc')).policy);

  m[`history/bestGap${at}`] = Math.abs(m[`history/value${at}`] - m[`data/bestReturn${at}`]) / opt;

  // bisimulation partitions of histories: the coarsest zero-loss one (primary) and the positive-evidence one
  for (const [name, evidence] of [
    ['bisim', 'none'],
    ['bisim-shared', 'shared'],
  ] as const) {
    const bis = bisimulationPartition(trie, { evidence, byDepth: c.bisimByDepth });
    score(name, encoderOf(trie, bis), fit(bis.cellOf, bis.nCells, name));
    m[`${name}/cells${at}`] = bis.nCells;
    m[`${name}/rounds${at}`] = bis.rounds;
    m[`${name}/impurity${at}`] = partitionImpurity(trie, bis);
  }

  // last observation only (memoryless)
  const lastEnc: RecurrentEncoder = { nZ: p.nObs, init: (_s, o) => o, step: (_z, _a, _sp, op) => op };
  score('lastobs', lastEnc, fit(trie.obs, p.nObs, 'lastobs'));
  m[`lastobs/cells${at}`] = new Set(trie.obs).size;
  return m;
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const p = aliasedGridPomdp(c.grid);
  const rng = new Rng(seed).split('offline-rl-with-observation-histories');
  const metrics: Record<string, number> = { 'optimal/value': optimalGridReturn(p, c.horizon) };
  for (const size of c.sizes) Object.assign(metrics, runSize(c, p, size, rng.split(`n${size}`)));
  return { metrics };
}
