import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  aliasedGridPomdp,
  gridDistancesTo,
  optimalGridReturn,
  type AliasedGridSpec,
} from '../../../src/testbeds/offline/env/aliased-grid-pomdp';
import {
  buildHistoryTrie,
  collectWaypointEpisodes,
  historyDataset,
  type PomdpEpisode,
} from '../../../src/testbeds/offline/data/histories';
import {
  bisimulationPartition,
  identityPartition,
  partitionEncoder,
  partitionImpurity,
} from '../../../src/testbeds/offline/methods/history-bisimulation';
import {
  evaluateRecurrentPolicy,
  type RecurrentEncoder,
} from '../../../src/testbeds/offline/solvers/recurrent-policy-evaluation';
import { cql } from '../../../src/testbeds/offline/methods/cql';

const SPEC: AliasedGridSpec = { width: 5, height: 5, walls: [], start: [0, 0], goal: [3, 3], gamma: 0.9 };

describe('aliased grid POMDP', () => {
  const p = aliasedGridPomdp(SPEC);
  it('interior cells alias, corners do not', () => {
    expect(p.obs[1 * 5 + 1]).toBe(0);
    expect(p.obs[2 * 5 + 3]).toBe(0);
    expect(p.obs[0]).toBe(0b0101); // up and left blocked
    expect(p.obs[24]).toBe(0b1010); // down and right blocked
  });
  it('optimal return is γ^(d−1) for the BFS distance d', () => {
    expect(gridDistancesTo(p, p.goal)[p.start]).toBe(6);
    expect(optimalGridReturn(p, 20)).toBeCloseTo(0.9 ** 5, 12);
    expect(optimalGridReturn(p, 5)).toBe(0);
  });
});

/** Finite-horizon value of the memoryless uniform policy by backward DP on the true MDP (independent solve). */
function uniformValue(p: ReturnType<typeof aliasedGridPomdp>, H: number): number {
  let V = new Float64Array(p.nS);
  for (let t = 0; t < H; t++) {
    const W = new Float64Array(p.nS);
    for (let s = 0; s < p.nS; s++) {
      if (s === p.goal) continue;
      for (let a = 0; a < p.nA; a++) {
        const sp = p.next[s * p.nA + a];
        W[s] += 0.25 * (p.reward[s * p.nA + a] + p.gamma * (sp === p.goal ? 0 : V[sp]));
      }
    }
    V = W;
  }
  return V[p.start];
}

describe('recurrent policy evaluation', () => {
  const p = aliasedGridPomdp(SPEC);
  const stateEnc: RecurrentEncoder = { nZ: p.nS, init: (s) => s, step: (_z, _a, sp) => sp };
  it('off-data agent (uniform) matches backward DP', () => {
    const off: RecurrentEncoder = { nZ: 1, init: () => -1, step: () => -1 };
    const ev = evaluateRecurrentPolicy(p, off, new Float64Array(4), 12);
    expect(ev.value).toBeCloseTo(uniformValue(p, 12), 12);
    expect(ev.offData + ev.success).toBeCloseTo(1, 12);
  });
  it('the BFS-greedy state policy achieves the optimum', () => {
    const d = gridDistancesTo(p, p.goal);
    const pi = new Float64Array(p.nS * p.nA);
    for (let s = 0; s < p.nS; s++) {
      const a = [0, 1, 2, 3].find((b) => d[p.next[s * 4 + b]] === d[s] - 1) ?? 0;
      pi[s * 4 + a] = 1;
    }
    const ev = evaluateRecurrentPolicy(p, stateEnc, pi, 20);
    expect(ev.value).toBeCloseTo(optimalGridReturn(p, 20), 12);
    expect(ev.success).toBeCloseTo(1, 12);
  });
});

function ep(p: ReturnType<typeof aliasedGridPomdp>, actions: number[]): PomdpEpisode {
  const e: PomdpEpisode = { states: [p.start], actions: [], rewards: [], done: 0 };
  let s = p.start;
  for (const a of actions) {
    const sp = p.next[s * p.nA + a];
    e.actions.push(a);
    e.rewards.push(p.reward[s * p.nA + a]);
    e.states.push(sp);
    s = sp;
    if (s === p.goal) {
      e.done = 1;
      break;
    }
  }
  return e;
}

describe('history trie and bisimulation partition', () => {
  const p = aliasedGridPomdp(SPEC);
  const R = 3,
    D = 1;
  it('trie nodes replay to their true cells; dataset keeps every transition', () => {
    const eps = collectWaypointEpisodes(p, { episodes: 30, horizon: 12, minGoalDistance: 2 }, new Rng(3));
    const trie = buildHistoryTrie(p, eps);
    const n = eps.reduce((u, e) => u + e.actions.length, 0);
    expect(trie.transitionEdge.length).toBe(n);
    for (let e = 0; e < trie.nEdges; e++)
      if (trie.edgeTo[e] >= 0)
        expect(trie.trueState[trie.edgeTo[e]]).toBe(p.next[trie.trueState[trie.edgeFrom[e]] * 4 + trie.edgeAction[e]]);
    const raw = identityPartition(trie);
    const data = historyDataset(trie, raw.cellOf, raw.nCells, p.gamma, 'raw');
    expect(data.size).toBe(n);
    expect(partitionImpurity(trie, raw)).toBe(0);
  });
  it('every bisimulation cell agrees on shared actions (zero loss) and is recurrent', () => {
    const eps = collectWaypointEpisodes(p, { episodes: 60, horizon: 12, minGoalDistance: 2 }, new Rng(5));
    const trie = buildHistoryTrie(p, eps);
    for (const evidence of ['none', 'shared'] as const) {
      const part = bisimulationPartition(trie, { evidence });
      // independent check: members' edges with the same action agree on (obs, reward, done, next cell)
      const seen = new Map<string, string>();
      for (let e = 0; e < trie.nEdges; e++) {
        const k = `${part.cellOf[trie.edgeFrom[e]]}|${trie.edgeAction[e]}`;
        const to = trie.edgeTo[e];
        const v = `${trie.edgeObs[e]}|${trie.edgeReward[e]}|${to < 0 ? -1 : part.cellOf[to]}`;
        if (seen.has(k)) expect(seen.get(k)).toBe(v);
        else seen.set(k, v);
      }
      expect(() => partitionEncoder(trie, part)).not.toThrow();
      expect(part.nCells).toBeLessThanOrEqual(trie.nNodes);
    }
  });
  it('merges histories of one cell without conflicting data; splits a shared action with another outcome', () => {
    // Two routes to cell (1,1): right-down and down-right; then different actions (no shared action): merged.
    const trie = buildHistoryTrie(p, [ep(p, [R, D, R]), ep(p, [D, R, D])]);
    const part = bisimulationPartition(trie);
    const at11 = [...Array(trie.nNodes).keys()].filter((u) => trie.trueState[u] === 6);
    expect(at11.length).toBe(2);
    expect(part.cellOf[at11[0]]).toBe(part.cellOf[at11[1]]);
    // (0,1) and (1,0) are both edge cells with different masks: never merged.
    const u01 = [...Array(trie.nNodes).keys()].find((u) => trie.trueState[u] === 1)!;
    const u10 = [...Array(trie.nNodes).keys()].find((u) => trie.trueState[u] === 5)!;
    expect(part.cellOf[u01]).not.toBe(part.cellOf[u10]);
    // Interior cells (1,1) and (1,2) alias; 'left' from both gives different next observations (edge vs
    // interior): split.
    const L = 2;
    const t2 = buildHistoryTrie(p, [ep(p, [D, R, L]), ep(p, [D, R, R, L])]);
    const b2 = bisimulationPartition(t2);
    const a = [...Array(t2.nNodes).keys()].find((u) => t2.trueState[u] === 6)!;
    const b = [...Array(t2.nNodes).keys()].find((u) => t2.trueState[u] === 7)!;
    expect(t2.obs[a]).toBe(t2.obs[b]);
    expect(b2.cellOf[a]).not.toBe(b2.cellOf[b]);
    // With positive-evidence merging the first pair (no shared action) stays apart.
    const shared = bisimulationPartition(trie, { evidence: 'shared' });
    expect(shared.cellOf[at11[0]]).not.toBe(shared.cellOf[at11[1]]);
  });
  it('CQL with α = 0 on raw histories achieves exactly the best data episode (no stitching)', () => {
    const eps = collectWaypointEpisodes(p, { episodes: 80, horizon: 14, minGoalDistance: 2 }, new Rng(11));
    const trie = buildHistoryTrie(p, eps);
    const raw = identityPartition(trie);
    const fit = cql(historyDataset(trie, raw.cellOf, raw.nCells, p.gamma, 'raw'), { alpha: 0 });
    const enc = partitionEncoder(trie, raw);
    const recurrent: RecurrentEncoder = {
      nZ: raw.nCells,
      init: (_s, o) => enc.root(o),
      step: (z, a, _sp, o) => enc.step(z, a, o),
    };
    const ev = evaluateRecurrentPolicy(p, recurrent, fit.policy, 14);
    const best = Math.max(...eps.map((e) => e.rewards.reduce((u, r, t) => u + p.gamma ** t * r, 0)));
    expect(best).toBeGreaterThan(0);
    expect(ev.value).toBeCloseTo(best, 10);
  });
});
