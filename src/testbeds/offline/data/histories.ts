/**
 * Offline data in a partially observed gridworld (env/aliased-grid-pomdp.ts) and the observation histories it
 * contains.
 *
 * Collection (`collectWaypointEpisodes`): each episode draws a waypoint uniformly among the free cells at least
 * `minGoalDistance` moves from the goal, walks a random shortest path to it that avoids the goal (uniform over the
 * moves that lower the goal-avoiding BFS distance), then moves uniformly at random until the goal or the horizon.
 * Each episode covers part of a good route and wanders after: the data of a stitching task (as D4RL's "stitching"
 * datasets, Fu et al. 2020), drawn here in a POMDP.
 *
 * Histories (`HistoryTrie`): the prefix tree of the data's observation–action histories
 * h_t = (o_0, a_0, o_1, …, a_{t−1}, o_t). Node = one distinct history; edge = (history, action, next observation)
 * with its reward and whether the episode ended. The true cell of each node is kept for diagnostics and the
 * state-based oracle only; the history learners never read it.
 */
import type { Rng } from '../../../core/rng';
import type { OfflineDataset } from './dataset';
import { gridDistancesTo, type AliasedGridPomdp } from '../env/aliased-grid-pomdp';

export interface PomdpEpisode {
  /** True cells s_0 … s_T (s_T after the last action). */
  states: number[];
  actions: number[];
  rewards: number[];
  /** 1 when the last transition entered the goal. */
  done: number;
}

/** Waypoint-then-random episodes (see the file header) of at most `horizon` steps. */
export function collectWaypointEpisodes(
  p: AliasedGridPomdp,
  opts: { episodes: number; horizon: number; minGoalDistance: number },
  rng: Rng,
): PomdpEpisode[] {
  const toGoal = gridDistancesTo(p, p.goal);
  const cells: number[] = [];
  for (let s = 0; s < p.nS; s++) if (!p.blocked[s] && toGoal[s] >= opts.minGoalDistance) cells.push(s);
  if (cells.length === 0) throw new RangeError('collectWaypointEpisodes: no waypoint cell that far from the goal');
  const dist = new Map<number, Int32Array>();
  const out: PomdpEpisode[] = [];
  for (let e = 0; e < opts.episodes; e++) {
    const w = cells[rng.int(cells.length)];
    if (!dist.has(w)) dist.set(w, gridDistancesTo(p, w, p.goal));
    const d = dist.get(w)!;
    const ep: PomdpEpisode = { states: [p.start], actions: [], rewards: [], done: 0 };
    let s = p.start,
      reached = s === w;
    for (let t = 0; t < opts.horizon; t++) {
      let a: number;
      if (!reached) {
        const down: number[] = [];
        for (let b = 0; b < p.nA; b++) {
          const n = p.next[s * p.nA + b];
          if (n !== p.goal && d[n] === d[s] - 1) down.push(b);
        }
        a = down[rng.int(down.length)];
      } else a = rng.int(p.nA);
      const sp = p.next[s * p.nA + a];
      ep.actions.push(a);
      ep.rewards.push(p.reward[s * p.nA + a]);
      ep.states.push(sp);
      s = sp;
      if (s === w) reached = true;
      if (s === p.goal) {
        ep.done = 1;
        break;
      }
    }
    out.push(ep);
  }
  return out;
}

/** Prefix tree of the data's histories. Node 0.. in order of first appearance; edges likewise. */
export interface HistoryTrie {
  readonly nA: number;
  readonly nObs: number;
  readonly nNodes: number;
  /** Last observation of each node's history. */
  readonly obs: Int32Array;
  /** True cell of each node (diagnostics and the oracle only). */
  readonly trueState: Int32Array;
  readonly depth: Int32Array;
  /** Root node of each initial observation (−1 if none). */
  readonly roots: Int32Array;
  readonly nEdges: number;
  readonly edgeFrom: Int32Array;
  readonly edgeAction: Int32Array;
  /** Child node, or −1 when the transition ended the episode (terminal). */
  readonly edgeTo: Int32Array;
  /** Next observation (−1 when terminal). */
  readonly edgeObs: Int32Array;
  readonly edgeReward: Float64Array;
  readonly edgeDone: Uint8Array;
  /** Number of data transitions on each edge. */
  readonly edgeCount: Int32Array;
  /** Data transitions in episode order: their edge. */
  readonly transitionEdge: Int32Array;
}

/** Build the history trie of episodes in `p` (terminal = entering the goal). */
export function buildHistoryTrie(p: AliasedGridPomdp, episodes: readonly PomdpEpisode[]): HistoryTrie {
  const obs: number[] = [],
    trueState: number[] = [],
    depth: number[] = [];
  const roots = new Int32Array(p.nObs).fill(-1);
  const eFrom: number[] = [],
    eA: number[] = [],
    eTo: number[] = [],
    eObs: number[] = [],
    eR: number[] = [],
    eDone: number[] = [],
    eCount: number[] = [];
  const edgeKey = new Map<number, number>();
  const tEdge: number[] = [];
  const addNode = (s: number, dep: number) => {
    obs.push(p.obs[s]);
    trueState.push(s);
    depth.push(dep);
    return obs.length - 1;
  };
  for (const ep of episodes) {
    const o0 = p.obs[ep.states[0]];
    if (roots[o0] < 0) roots[o0] = addNode(ep.states[0], 0);
    let u = roots[o0];
    if (trueState[u] !== ep.states[0]) throw new RangeError('buildHistoryTrie: two start cells share an observation');
    for (let t = 0; t < ep.actions.length; t++) {
      const sp = ep.states[t + 1];
      const term = t === ep.actions.length - 1 && ep.done === 1;
      const o = term ? -1 : p.obs[sp];
      const key = (u * p.nA + ep.actions[t]) * (p.nObs + 1) + (o + 1);
      let e = edgeKey.get(key);
      if (e === undefined) {
        e = eFrom.length;
        edgeKey.set(key, e);
        eFrom.push(u);
        eA.push(ep.actions[t]);
        eObs.push(o);
        eR.push(ep.rewards[t]);
        eDone.push(term ? 1 : 0);
        eCount.push(0);
        eTo.push(term ? -1 : addNode(sp, t + 1));
      }
      eCount[e]++;
      tEdge.push(e);
      if (!term) u = eTo[e];
    }
  }
  return {
    nA: p.nA,
    nObs: p.nObs,
    nNodes: obs.length,
    obs: Int32Array.from(obs),
    trueState: Int32Array.from(trueState),
    depth: Int32Array.from(depth),
    roots,
    nEdges: eFrom.length,
    edgeFrom: Int32Array.from(eFrom),
    edgeAction: Int32Array.from(eA),
    edgeTo: Int32Array.from(eTo),
    edgeObs: Int32Array.from(eObs),
    edgeReward: Float64Array.from(eR),
    edgeDone: Uint8Array.from(eDone),
    edgeCount: Int32Array.from(eCount),
    transitionEdge: Int32Array.from(tEdge),
  };
}

/**
 * The data as an offline dataset over a representation of histories: transition i becomes
 * (φ(h_i), a_i, r_i, φ(h_{i+1}), done_i) with φ = `cellOf` (a node → cell map, nCells cells). With φ = identity
 * this is offline RL on raw histories; with φ = true cell, the state-based oracle.
 */
export function historyDataset(
  trie: HistoryTrie,
  cellOf: Int32Array,
  nCells: number,
  gamma: number,
  quality: string,
): OfflineDataset {
  const n = trie.transitionEdge.length;
  const s = new Int32Array(n),
    a = new Int32Array(n),
    r = new Float64Array(n),
    sp = new Int32Array(n),
    done = new Uint8Array(n),
    episode = new Int32Array(n),
    step = new Int32Array(n);
  let ep = -1;
  for (let i = 0; i < n; i++) {
    const e = trie.transitionEdge[i];
    const u = trie.edgeFrom[e];
    if (trie.depth[u] === 0) ep++;
    s[i] = cellOf[u];
    a[i] = trie.edgeAction[e];
    r[i] = trie.edgeReward[e];
    done[i] = trie.edgeDone[e];
    sp[i] = done[i] ? cellOf[u] : cellOf[trie.edgeTo[e]];
    episode[i] = ep;
    step[i] = trie.depth[u];
  }
  return { nS: nCells, nA: trie.nA, gamma, size: n, s, a, r, sp, done, episode, step, quality };
}
