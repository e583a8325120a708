/**
 * A compact history representation learned by minimising a bisimulation loss over the data's histories, tabular.
 *
 * The loss (Hong, Dragan & Levine, "Offline RL with Observation Histories", ICLR 2024, arXiv:2310.20663, §5; its
 * exact form is RECONSTRUCTED here — the paper's method section could not be read, see the notebook's deviations —
 * in the form of the encoder objective of deep bisimulation for control, Zhang et al., ICLR 2021, on histories):
 *   J(φ) = E_{(h_i, a, r_i, h_i'), (h_j, a, r_j, h_j') ∼ D}
 *            [ ( d(φ(h_i), φ(h_j)) − |r_i − r_j| − γ d(φ(h_i'), φ(h_j')) )² ]
 * Here φ is a recurrent partition encoder: it maps a history to a cell z, with z_0 = φ(o_0) and
 * z_{t+1} = g(z_t, a_t, o_{t+1}), and d is the discrete metric (0 within a cell). Two histories may share a cell
 * at zero loss iff, for every action both took in the data, they got the same reward and the same next
 * observation and their successors share a cell: the coarsest such partition is the data's bisimulation quotient
 * (model minimisation, Givan, Dean & Greig 2003). `bisimulationPartition` computes it by partition refinement:
 * start from the last observation, then repeatedly split each cell greedily (nodes in order of first appearance)
 * into groups whose shared actions agree, until no cell splits. Actions only one history took constrain nothing,
 * so histories whose data never conflict are merged (the compact, "action-relevant" summary the paper asks for);
 * with little data this can merge histories of different true cells (measured as `impurity`).
 */
import type { HistoryTrie } from '../data/histories';

export interface HistoryPartition {
  /** Cell of each trie node. */
  cellOf: Int32Array;
  nCells: number;
  /** Refinement rounds until the partition was stable. */
  rounds: number;
}

/** Outcome signature of (node, action): the sorted list of its edges' (next obs, reward, done, next cell). */
function signatures(trie: HistoryTrie, cls: Int32Array): Map<number, string>[] {
  const sig: Map<number, string[]>[] = Array.from({ length: trie.nNodes }, () => new Map());
  for (let e = 0; e < trie.nEdges; e++) {
    const u = trie.edgeFrom[e],
      a = trie.edgeAction[e];
    const to = trie.edgeTo[e];
    const part = `${trie.edgeObs[e]}|${trie.edgeReward[e]}|${trie.edgeDone[e]}|${to < 0 ? -1 : cls[to]}`;
    const m = sig[u];
    if (!m.has(a)) m.set(a, []);
    m.get(a)!.push(part);
  }
  return sig.map((m) => new Map([...m].map(([a, parts]) => [a, parts.sort().join(';')])));
}

/** The coarsest zero-loss recurrent partition of the data's histories (see the file header). */
export function bisimulationPartition(
  trie: HistoryTrie,
  opts: { evidence?: 'none' | 'shared'; byDepth?: boolean; maxRounds?: number } = {},
): HistoryPartition {
  const evidence = opts.evidence ?? 'none';
  const maxRounds = opts.maxRounds ?? 10_000;
  let cls = Int32Array.from(trie.obs, (o, u) => (opts.byDepth ? trie.depth[u] * trie.nObs + o : o));
  let nCells = new Set(cls).size;
  for (let round = 1; round <= maxRounds; round++) {
    const sig = signatures(trie, cls);
    const groupsOf = new Map<number, { id: number; table: Map<number, string> }[]>();
    const next = new Int32Array(trie.nNodes);
    let count = 0;
    for (let u = 0; u < trie.nNodes; u++) {
      let groups = groupsOf.get(cls[u]);
      if (!groups) groupsOf.set(cls[u], (groups = []));
      let joined = -1;
      for (const g of groups) {
        let ok = true,
          shared = 0;
        for (const [a, s] of sig[u]) {
          const t = g.table.get(a);
          if (t !== undefined && t !== s) {
            ok = false;
            break;
          }
          if (t !== undefined) shared++;
        }
        if (evidence === 'shared' && sig[u].size > 0 && shared === 0) ok = false;
        if (ok) {
          for (const [a, s] of sig[u]) if (!g.table.has(a)) g.table.set(a, s);
          joined = g.id;
          break;
        }
      }
      if (joined < 0) {
        joined = count++;
        groups.push({ id: joined, table: new Map(sig[u]) });
      }
      next[u] = joined;
    }
    cls = next;
    if (count === nCells) return { cellOf: cls, nCells: count, rounds: round };
    nCells = count;
  }
  throw new RangeError(`bisimulationPartition: no stable partition within ${maxRounds} rounds`);
}

/** The identity partition: every distinct history its own cell (offline RL on raw histories). */
export function identityPartition(trie: HistoryTrie): HistoryPartition {
  return { cellOf: Int32Array.from({ length: trie.nNodes }, (_, u) => u), nCells: trie.nNodes, rounds: 0 };
}

/**
 * The recurrent encoder of a partition: z_0 = cell of the root with the first observation, z' = g(z, a, o') read
 * from the data's edges; −1 (off the data) when a pair was never seen. Throws if the partition is not recurrent
 * (two members of a cell disagree on a successor), which a zero-loss partition never is.
 */
export function partitionEncoder(
  trie: HistoryTrie,
  part: HistoryPartition,
): { root: (o: number) => number; step: (z: number, a: number, o: number) => number } {
  const succ = new Map<number, number>();
  const key = (z: number, a: number, o: number) => (z * trie.nA + a) * (trie.nObs + 1) + (o + 1);
  for (let e = 0; e < trie.nEdges; e++) {
    if (trie.edgeTo[e] < 0) continue;
    const k = key(part.cellOf[trie.edgeFrom[e]], trie.edgeAction[e], trie.edgeObs[e]);
    const z = part.cellOf[trie.edgeTo[e]];
    const prev = succ.get(k);
    if (prev !== undefined && prev !== z)
      throw new RangeError(`partitionEncoder: cell successor conflict at edge ${e}`);
    succ.set(k, z);
  }
  return {
    root: (o) => (trie.roots[o] >= 0 ? part.cellOf[trie.roots[o]] : -1),
    step: (z, a, o) => (z < 0 ? -1 : (succ.get(key(z, a, o)) ?? -1)),
  };
}

/** Share of nodes whose cell's majority true state differs from their own (0 = every cell one true cell). */
export function partitionImpurity(trie: HistoryTrie, part: HistoryPartition): number {
  const counts = new Map<number, Map<number, number>>();
  for (let u = 0; u < trie.nNodes; u++) {
    const c = part.cellOf[u];
    if (!counts.has(c)) counts.set(c, new Map());
    const m = counts.get(c)!;
    m.set(trie.trueState[u], (m.get(trie.trueState[u]) ?? 0) + 1);
  }
  let majority = 0;
  for (const m of counts.values()) majority += Math.max(...m.values());
  return 1 - majority / trie.nNodes;
}
