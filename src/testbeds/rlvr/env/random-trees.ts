/**
 * Random tree MDPs for ROVER's theorem (He et al. 2025, "Random Policy Valuation is Enough for LLM
 * Reasoning with Verifiable Rewards", Thm. 3.1): deterministic transitions, tree-structured states,
 * binary terminal rewards. Q^u, the Q-function of the uniformly random policy, is computed exactly by
 * backward recursion V^u(s) = mean_a V^u(child(s, a)), Q^u(s, a) = V^u(child(s, a)); the theorem says
 * greedy(Q^u) is an optimal policy, which `checkGreedy` tests against V* at every state.
 */
import { Rng } from '../../../core/rng';

/**
 * A rooted tree in breadth-first order: the children of node i are firstChild[i] … firstChild[i] + nChildren[i] − 1.
 */
export interface TreeMdp {
  n: number;
  firstChild: Int32Array;
  nChildren: Int32Array;
  depth: Int32Array;
  /** Terminal reward of each leaf (0 for internal nodes). */
  reward: Float64Array;
}

export interface RandomTreeOptions {
  /** Inclusive range of the number of actions at an internal node. */
  branching: readonly [number, number];
  /** Maximum depth (leaves at this depth are forced). */
  depth: number;
  /** Probability that a non-root node above the maximum depth is a leaf (an early end of the response). */
  pStop: number;
  /** Probability that a leaf is rewarding. */
  rewardFraction: number;
  /**
   * 'binary': reward 1 on rewarding leaves (the theorem's setting); 'continuous': U(0, 1) (a control where the
   * theorem's assumption fails).
   */
  rewardKind?: 'binary' | 'continuous';
  /** Trees with more nodes are redrawn (default 400 000). */
  maxNodes?: number;
}

/** A random tree MDP (redrawn while larger than maxNodes; `redraws` counts them). */
export function randomTree(rng: Rng, o: RandomTreeOptions): TreeMdp & { redraws: number } {
  const [bLo, bHi] = o.branching;
  if (!(Number.isInteger(bLo) && Number.isInteger(bHi) && bLo >= 2 && bHi >= bLo))
    throw new RangeError(`rover.randomTree: branching must be integers 2 ≤ lo ≤ hi, got [${bLo}, ${bHi}]`);
  if (!(Number.isInteger(o.depth) && o.depth >= 1))
    throw new RangeError(`rover.randomTree: depth must be an integer ≥ 1, got ${o.depth}`);
  if (!(o.pStop >= 0 && o.pStop < 1)) throw new RangeError(`rover.randomTree: pStop must be in [0, 1), got ${o.pStop}`);
  if (!(o.rewardFraction >= 0 && o.rewardFraction <= 1))
    throw new RangeError(`rover.randomTree: rewardFraction must be in [0, 1], got ${o.rewardFraction}`);
  const cap = o.maxNodes ?? 400_000;
  const kind = o.rewardKind ?? 'binary';
  for (let redraws = 0; redraws < 1000; redraws++) {
    let cp = 1024;
    let firstChild = new Int32Array(cp);
    let nChildren = new Int32Array(cp);
    let depth = new Int32Array(cp);
    let n = 1;
    let tooBig = false;
    for (let i = 0; i < n; i++) {
      const d = depth[i];
      const leaf = d >= o.depth || (d >= 1 && rng.uniform() < o.pStop);
      if (leaf) continue;
      const b = bLo + rng.int(bHi - bLo + 1);
      if (n + b > cap) {
        tooBig = true;
        break;
      }
      if (n + b > cp) {
        while (n + b > cp) cp *= 2;
        const f2 = new Int32Array(cp),
          c2 = new Int32Array(cp),
          d2 = new Int32Array(cp);
        f2.set(firstChild);
        c2.set(nChildren);
        d2.set(depth);
        firstChild = f2;
        nChildren = c2;
        depth = d2;
      }
      firstChild[i] = n;
      nChildren[i] = b;
      for (let k = 0; k < b; k++) depth[n + k] = d + 1;
      n += b;
    }
    if (tooBig) continue;
    const reward = new Float64Array(n);
    for (let i = 0; i < n; i++)
      if (nChildren[i] === 0 && rng.uniform() < o.rewardFraction) reward[i] = kind === 'binary' ? 1 : rng.uniform();
    return {
      n,
      firstChild: firstChild.slice(0, n),
      nChildren: nChildren.slice(0, n),
      depth: depth.slice(0, n),
      reward,
      redraws,
    };
  }
  throw new RangeError(
    `rover.randomTree: 1000 draws all exceeded maxNodes = ${cap}; lower depth, branching or raise pStop`,
  );
}

/**
 * V^u by backward recursion (children follow their parent in BFS order): V(leaf) = r, V(s) = mean over children. Q^u(s,
 * a) = V(child).
 */
export function uniformValues(t: TreeMdp): Float64Array {
  const V = new Float64Array(t.n);
  for (let i = t.n - 1; i >= 0; i--) {
    const b = t.nChildren[i];
    if (b === 0) {
      V[i] = t.reward[i];
      continue;
    }
    let s = 0;
    const f = t.firstChild[i];
    for (let k = 0; k < b; k++) s += V[f + k];
    V[i] = s / b;
  }
  return V;
}

/** V* by backward recursion: V*(leaf) = r, V*(s) = max over children. */
export function optimalValues(t: TreeMdp): Float64Array {
  const V = new Float64Array(t.n);
  for (let i = t.n - 1; i >= 0; i--) {
    const b = t.nChildren[i];
    if (b === 0) {
      V[i] = t.reward[i];
      continue;
    }
    let m = -Infinity;
    const f = t.firstChild[i];
    for (let k = 0; k < b; k++) if (V[f + k] > m) m = V[f + k];
    V[i] = m;
  }
  return V;
}

/**
 * V^u by brute force: for every node, enumerate every root-to-leaf path below it and sum
 * P(path | node) · r(leaf) with P the product of 1/|A(s)| along the path. O(n · depth); small trees only.
 */
export function uniformValuesBruteForce(t: TreeMdp): Float64Array {
  const V = new Float64Array(t.n);
  const stackNode: number[] = [];
  const stackProb: number[] = [];
  for (let s = 0; s < t.n; s++) {
    let v = 0;
    stackNode.push(s);
    stackProb.push(1);
    while (stackNode.length) {
      const i = stackNode.pop() as number;
      const p = stackProb.pop() as number;
      const b = t.nChildren[i];
      if (b === 0) {
        v += p * t.reward[i];
        continue;
      }
      for (let k = 0; k < b; k++) {
        stackNode.push(t.firstChild[i] + k);
        stackProb.push(p / b);
      }
    }
    V[s] = v;
  }
  return V;
}

/** First index of the largest value among children of node i under values V (the greedy action). */
export function greedyChild(t: TreeMdp, V: Float64Array, i: number): number {
  const f = t.firstChild[i];
  let best = f;
  for (let k = 1; k < t.nChildren[i]; k++) if (V[f + k] > V[best]) best = f + k;
  return best;
}

export interface GreedyCheck {
  /** V*(root) > 0: some leaf is rewarding. */
  solvable: boolean;
  /** Reward of the leaf reached by following greedy(score) from the root. */
  greedyReturn: number;
  /** V*(root): the optimal return. */
  optimalReturn: number;
  /** Internal nodes where the greedy action's optimal value is below V*(s) (greedy not optimal there). */
  suboptimalStates: number;
  internalStates: number;
  /** Nodes where (V^u > 0) ≠ (V* > 0) (only meaningful for non-negative rewards). */
  supportMismatches: number;
  nodes: number;
  maxDepth: number;
  leaves: number;
  rewardingLeaves: number;
}

/** Check greedy(score) against V* at every state and along the root path; score defaults to V^u. */
export function checkGreedy(t: TreeMdp, score?: Float64Array): GreedyCheck {
  const Vu = uniformValues(t);
  const S = score ?? Vu;
  const Vs = optimalValues(t);
  let sub = 0;
  let internal = 0;
  let mismatch = 0;
  let leaves = 0;
  let rewarding = 0;
  let maxDepth = 0;
  for (let i = 0; i < t.n; i++) {
    if (t.depth[i] > maxDepth) maxDepth = t.depth[i];
    if (Vu[i] > 0 !== Vs[i] > 0) mismatch++;
    if (t.nChildren[i] === 0) {
      leaves++;
      if (t.reward[i] > 0) rewarding++;
      continue;
    }
    internal++;
    const g = greedyChild(t, S, i);
    if (Vs[g] < Vs[i] - 1e-12) sub++;
  }
  let i = 0;
  while (t.nChildren[i] > 0) i = greedyChild(t, S, i);
  return {
    solvable: Vs[0] > 0,
    greedyReturn: t.reward[i],
    optimalReturn: Vs[0],
    suboptimalStates: sub,
    internalStates: internal,
    supportMismatches: mismatch,
    nodes: t.n,
    maxDepth,
    leaves,
    rewardingLeaves: rewarding,
  };
}

/**
 * A naive score: the immediate fraction of a child's *direct* children that are rewarding leaves (0 for deeper
 * subtrees).
 */
export function myopicScore(t: TreeMdp): Float64Array {
  const S = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const b = t.nChildren[i];
    if (b === 0) {
      S[i] = t.reward[i];
      continue;
    }
    let s = 0;
    for (let k = 0; k < b; k++) {
      const c = t.firstChild[i] + k;
      if (t.nChildren[c] === 0) s += t.reward[c];
    }
    S[i] = s / b;
  }
  return S;
}
