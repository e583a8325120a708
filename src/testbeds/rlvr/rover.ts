/**
 * ROVER — Random Policy Valuation for Diverse Reasoning (He et al. 2025, "Random Policy Valuation is
 * Enough for LLM Reasoning with Verifiable Rewards"), in two miniatures.
 *
 * (1) The theorem (their Thm. 3.1) on random tree MDPs: deterministic transitions, tree-structured
 *     states, binary terminal rewards. Q^u, the Q-function of the uniformly random policy, is computed
 *     exactly by backward recursion V^u(s) = mean_a V^u(child(s, a)), Q^u(s, a) = V^u(child(s, a));
 *     the claim is that greedy(Q^u) is an optimal policy.
 *
 * (2) The practical algorithm on a token-sequence task with many valid answers, as in the official code
 *     (github.com/yuxiaooye/ROVER, `DataParallelROVERActor.update_policy`): the Q-value of a token is the
 *     policy's log-probability relative to the rollout policy,
 *         Q(s_t, a_t) = ρ (log π_θ(a_t|s_t) − log π_old(a_t|s_t)),
 *     so that π_θ(·|s) ∝ π_old(·|s) exp(Q(s, ·)/ρ) (sampling from a softmax over Q); the target is the
 *     group-centred reward plus the *uniform* mean of the successor state's Q over the whole vocabulary,
 *         y_t = (r − mean_group r) + ρ · (1/|V|) Σ_a' (log π_θ(a'|s_{t+1}) − log π_old(a'|s_{t+1})),
 *     (0 after the last token), held fixed (stop-gradient), and the loss is mean_t ½ (Q − y)².
 *     Baselines on the same batches: REINFORCE (group-mean baseline), GRPO (std-normalised group
 *     advantage, clipped ratio) and PPO (tabular critic, A_t = R − V(s_t), whitened, clipped ratio).
 *
 * The policy is tabular over the prefix's sufficient statistic (position, last digit, running sum mod
 * the modulus, "no rule broken yet"): every prefix with the same statistic has the same future, so this
 * is an exact aggregation of the prefix tree, and success probability, entropy and Q^u are computed
 * exactly by dynamic programming. Typed arrays throughout.
 */
import { Rng } from '../../core/rng';

// ───────────────────────────── (1) random tree MDPs ─────────────────────────────

/** A rooted tree in breadth-first order: the children of node i are firstChild[i] … firstChild[i] + nChildren[i] − 1. */
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
  /** 'binary': reward 1 on rewarding leaves (the theorem's setting); 'continuous': U(0, 1) (a control where the theorem's assumption fails). */
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

/** V^u by backward recursion (children follow their parent in BFS order): V(leaf) = r, V(s) = mean over children. Q^u(s, a) = V(child). */
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

/** A naive score: the immediate fraction of a child's *direct* children that are rewarding leaves (0 for deeper subtrees). */
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

// ───────────────────────────── (2) the digit-sequence task ─────────────────────────────

/**
 * Length-L sequences over digits 0…V−1; a sequence of prompt q is correct iff no two adjacent digits are
 * equal, it uses none of the prompt's banned digits, and its digit sum ≡ target[q] (mod M). Prompt q
 * has target q mod M and bans the q mod (maxBanned + 1) digits (3q + j) mod V, j = 0, 1, …: the number
 * of banned digits sets the difficulty. Policy state (t, prev, sum mod M, ok), prev = V for t = 0;
 * ok = 0 once a rule is broken (later tokens are still generated, as an LLM keeps writing after a slip).
 */
export interface DigitTask {
  L: number;
  V: number;
  M: number;
  nPrompts: number;
  targets: Int32Array;
  /** banned[q·V + a] = 1 if digit a is banned in prompt q. */
  banned: Uint8Array;
}

export function digitTask(nPrompts: number, L = 8, maxBanned = 0, V = 10, M = 11): DigitTask {
  if (!(Number.isInteger(L) && L >= 2)) throw new RangeError(`rover.digitTask: L must be an integer ≥ 2, got ${L}`);
  if (!(Number.isInteger(nPrompts) && nPrompts >= 1))
    throw new RangeError(`rover.digitTask: nPrompts must be a positive integer, got ${nPrompts}`);
  if (!(Number.isInteger(maxBanned) && maxBanned >= 0 && maxBanned <= V - 3))
    throw new RangeError(`rover.digitTask: maxBanned must be an integer in [0, V − 3 = ${V - 3}], got ${maxBanned}`);
  const banned = new Uint8Array(nPrompts * V);
  for (let q = 0; q < nPrompts; q++) {
    const k = q % (maxBanned + 1);
    for (let j = 0; j < k; j++) banned[q * V + ((3 * q + j) % V)] = 1;
  }
  return { L, V, M, nPrompts, targets: Int32Array.from({ length: nPrompts }, (_, q) => q % M), banned };
}

/** The ok flag after token a at a state with flag ok and previous digit prev, in prompt q. */
export function okAfter(task: DigitTask, q: number, ok: number, prev: number, a: number): number {
  return ok && a !== prev && !task.banned[q * task.V + a] ? 1 : 0;
}

/** States per prompt: L · (V + 1) · M · 2. */
export function statesPerPrompt(task: DigitTask): number {
  return task.L * (task.V + 1) * task.M * 2;
}

export function stateIndex(task: DigitTask, q: number, t: number, prev: number, sum: number, ok: number): number {
  return (((q * task.L + t) * (task.V + 1) + prev) * task.M + sum) * 2 + ok;
}

/** Is a full sequence correct for prompt q? */
export function isCorrect(task: DigitTask, q: number, seq: ArrayLike<number>): boolean {
  let s = 0;
  for (let t = 0; t < task.L; t++) {
    if (t > 0 && seq[t] === seq[t - 1]) return false;
    if (task.banned[q * task.V + seq[t]]) return false;
    s += seq[t];
  }
  return s % task.M === task.targets[q];
}

/** log-softmax of logits[off … off + V) into out[0 … V); returns nothing. */
export function logSoftmaxInto(z: ArrayLike<number>, off: number, V: number, out: Float64Array): void {
  let m = -Infinity;
  for (let a = 0; a < V; a++) if (z[off + a] > m) m = z[off + a];
  let s = 0;
  for (let a = 0; a < V; a++) s += Math.exp(z[off + a] - m);
  const lz = m + Math.log(s);
  for (let a = 0; a < V; a++) out[a] = z[off + a] - lz;
}

export interface ExactEval {
  /** Success probability of each prompt. */
  p: Float64Array;
  /** Sequence entropy of each prompt (nats). */
  entropy: Float64Array;
}

/** Exact success probability and sequence entropy per prompt by forward dynamic programming. */
export function exactEval(task: DigitTask, z: Float64Array): ExactEval {
  const { L, V, M } = task;
  const W = (V + 1) * M * 2;
  let d = new Float64Array(W);
  let d2 = new Float64Array(W);
  const lp = new Float64Array(V);
  const p = new Float64Array(task.nPrompts);
  const H = new Float64Array(task.nPrompts);
  for (let q = 0; q < task.nPrompts; q++) {
    d.fill(0);
    d[(V * M + 0) * 2 + 1] = 1;
    let h = 0;
    for (let t = 0; t < L; t++) {
      d2.fill(0);
      for (let prev = 0; prev <= V; prev++)
        for (let s = 0; s < M; s++)
          for (let ok = 0; ok < 2; ok++) {
            const w = d[(prev * M + s) * 2 + ok];
            if (w === 0) continue;
            logSoftmaxInto(z, stateIndex(task, q, t, prev, s, ok) * V, V, lp);
            for (let a = 0; a < V; a++) {
              const pa = Math.exp(lp[a]);
              h -= w * pa * lp[a];
              const ok2 = okAfter(task, q, ok, prev, a);
              d2[(a * M + ((s + a) % M)) * 2 + ok2] += w * pa;
            }
          }
      const tmp = d;
      d = d2;
      d2 = tmp;
    }
    let succ = 0;
    for (let a = 0; a < V; a++) succ += d[(a * M + task.targets[q]) * 2 + 1];
    p[q] = succ;
    H[q] = h;
  }
  return { p, entropy: H };
}

/** Exact Q^u (uniform-policy Q) at every state and action, by backward recursion; layout as the logits. */
export function uniformQ(task: DigitTask): Float64Array {
  const { L, V, M } = task;
  const Q = new Float64Array(task.nPrompts * statesPerPrompt(task) * V);
  for (let q = 0; q < task.nPrompts; q++) {
    for (let t = L - 1; t >= 0; t--)
      for (let prev = 0; prev <= V; prev++)
        for (let s = 0; s < M; s++)
          for (let ok = 0; ok < 2; ok++) {
            const base = stateIndex(task, q, t, prev, s, ok) * V;
            for (let a = 0; a < V; a++) {
              const ok2 = okAfter(task, q, ok, prev, a);
              const s2 = (s + a) % M;
              if (t === L - 1) Q[base + a] = ok2 && s2 === task.targets[q] ? 1 : 0;
              else {
                const nb = stateIndex(task, q, t + 1, a, s2, ok2) * V;
                let m = 0;
                for (let b = 0; b < V; b++) m += Q[nb + b];
                Q[base + a] = m / V;
              }
            }
          }
  }
  return Q;
}

/** Sample one sequence of prompt q into seq[off … off + L), its states into st[…] and log π(a_t|s_t) into lp[…]; returns the reward. */
export function sampleSequence(
  rng: Rng,
  task: DigitTask,
  z: Float64Array,
  q: number,
  seq: Int32Array,
  st: Int32Array,
  lpOut: Float64Array,
  off: number,
  buf: Float64Array,
): number {
  const { L, V, M } = task;
  let prev = V;
  let s = 0;
  let ok = 1;
  for (let t = 0; t < L; t++) {
    const si = stateIndex(task, q, t, prev, s, ok);
    logSoftmaxInto(z, si * V, V, buf);
    let u = rng.uniform();
    let a = V - 1;
    for (let b = 0; b < V; b++) {
      u -= Math.exp(buf[b]);
      if (u < 0) {
        a = b;
        break;
      }
    }
    seq[off + t] = a;
    st[off + t] = si;
    lpOut[off + t] = buf[a];
    ok = okAfter(task, q, ok, prev, a);
    s = (s + a) % M;
    prev = a;
  }
  return ok && s === task.targets[q] ? 1 : 0;
}

// ───────────────────────────── methods ─────────────────────────────

export type RoverMethod = 'rover' | 'grpo' | 'ppo' | 'reinforce';
export const ROVER_METHODS: readonly RoverMethod[] = ['rover', 'grpo', 'ppo', 'reinforce'];

export interface TrainConfig {
  steps: number;
  /** Responses per prompt per step (the group). */
  groupSize: number;
  /** Full-batch gradient steps per batch (the same for every method). */
  epochs: number;
  /** Step size on the logits (per-prompt group mean of the per-token terms). */
  lr: number;
  /** PPO/GRPO clip ε. */
  clip: number;
  /** ROVER's ρ in Q = ρ (log π − log π_old). */
  rho: number;
  /** PPO critic step size (tabular V(s), Monte-Carlo regression). */
  criticLr: number;
}

/** One batch: B·G sequences of length L (sample-major), prompts of each group, rewards. */
export interface SeqBatch {
  prompts: Int32Array;
  G: number;
  seq: Int32Array;
  states: Int32Array;
  oldLogProb: Float64Array;
  rewards: Float64Array;
}

export function sampleSeqBatch(rng: Rng, task: DigitTask, z: Float64Array, prompts: Int32Array, G: number): SeqBatch {
  const N = prompts.length * G;
  const L = task.L;
  const seq = new Int32Array(N * L);
  const states = new Int32Array(N * L);
  const olp = new Float64Array(N * L);
  const rewards = new Float64Array(N);
  const buf = new Float64Array(task.V);
  for (let b = 0; b < prompts.length; b++)
    for (let i = 0; i < G; i++) {
      const j = b * G + i;
      rewards[j] = sampleSequence(rng, task, z, prompts[b], seq, states, olp, j * L, buf);
    }
  return { prompts, G, seq, states, oldLogProb: olp, rewards };
}

/** State reached after action a in state index si (−1 after the last token). */
export function nextState(task: DigitTask, si: number, a: number): number {
  const { L, V, M } = task;
  const ok = si % 2;
  let r = (si - ok) / 2;
  const s = r % M;
  r = (r - s) / M;
  const prev = r % (V + 1);
  r = (r - prev) / (V + 1);
  const t = r % L;
  const q = (r - t) / L;
  if (t === L - 1) return -1;
  return stateIndex(task, q, t + 1, a, (s + a) % M, okAfter(task, q, ok, prev, a));
}

function groupStats(r: Float64Array, off: number, G: number): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < G; i++) m += r[off + i];
  m /= G;
  let ss = 0;
  for (let i = 0; i < G; i++) ss += (r[off + i] - m) ** 2;
  return { mean: m, std: G > 1 ? Math.sqrt(ss / (G - 1)) : 0 };
}

export interface UpdateDiagnostics {
  /** Fraction of token terms the clip removed (GRPO/PPO), over all epochs. */
  clippedFraction: number;
  /** ROVER: mean squared error ½(Q − y)² at the last epoch (before its step). */
  roverLoss: number;
}

/**
 * Update the logits z in place on one batch with `epochs` full-batch steps of the method. zOld is the
 * rollout policy's logits (a copy of z before the update). critic: PPO's tabular V (updated in place).
 */
export function updateOnBatch(
  task: DigitTask,
  z: Float64Array,
  zOld: Float64Array,
  batch: SeqBatch,
  method: RoverMethod,
  cfg: TrainConfig,
  critic?: Float64Array,
): UpdateDiagnostics {
  const { L, V } = task;
  const G = batch.G;
  const B = batch.prompts.length;
  const N = B * G;
  // Per-sample (GRPO, REINFORCE, ROVER) or per-token (PPO) advantages / centred rewards.
  const adv = new Float64Array(N * L);
  for (let b = 0; b < B; b++) {
    const { mean, std } = groupStats(batch.rewards, b * G, G);
    for (let i = 0; i < G; i++) {
      const j = b * G + i;
      const r = batch.rewards[j];
      let A = 0;
      if (method === 'grpo') A = (r - mean) / (std + 1e-6);
      else if (method === 'reinforce' || method === 'rover') A = r - mean;
      for (let t = 0; t < L; t++) adv[j * L + t] = A;
    }
  }
  if (method === 'ppo') {
    if (!critic) throw new RangeError('rover.updateOnBatch: PPO needs a critic array');
    let m = 0;
    for (let j = 0; j < N; j++)
      for (let t = 0; t < L; t++) m += adv[j * L + t] = batch.rewards[j] - critic[batch.states[j * L + t]];
    m /= N * L;
    let v = 0;
    for (let k = 0; k < N * L; k++) v += (adv[k] - m) ** 2;
    const sd = Math.sqrt(v / (N * L));
    for (let k = 0; k < N * L; k++) adv[k] = (adv[k] - m) / (sd + 1e-8);
  }
  const lp = new Float64Array(V);
  const lpOld = new Float64Array(V);
  const dir = new Float64Array(z.length);
  const touched: number[] = [];
  const mark = new Uint8Array(z.length / V);
  let clipped = 0;
  let roverLoss = 0;
  const lo = 1 - cfg.clip;
  const hi = 1 + cfg.clip;
  for (let e = 0; e < cfg.epochs; e++) {
    roverLoss = 0;
    for (let j = 0; j < N; j++) {
      for (let t = 0; t < L; t++) {
        const k = j * L + t;
        const si = batch.states[k];
        const a = batch.seq[k];
        logSoftmaxInto(z, si * V, V, lp);
        let w: number;
        if (method === 'reinforce') w = adv[k];
        else if (method === 'grpo' || method === 'ppo') {
          const A = adv[k];
          const ratio = Math.exp(lp[a] - batch.oldLogProb[k]);
          const keep = !((A > 0 && ratio > hi) || (A < 0 && ratio < lo));
          if (!keep) clipped++;
          w = keep ? A * ratio : 0;
        } else {
          // ROVER: Q = ρ(log π − log π_old); y = r̃ + ρ·mean_a'(log π − log π_old)(s_{t+1}, a'), stop-gradient.
          const Qv = cfg.rho * (lp[a] - batch.oldLogProb[k]);
          let y = adv[k];
          if (t < L - 1) {
            const sn = batch.states[k + 1];
            logSoftmaxInto(z, sn * V, V, lpOld);
            let m = 0;
            for (let b = 0; b < V; b++) m += lpOld[b];
            logSoftmaxInto(zOld, sn * V, V, lpOld);
            for (let b = 0; b < V; b++) m -= lpOld[b];
            y += (cfg.rho * m) / V;
          }
          roverLoss += 0.5 * (Qv - y) ** 2;
          // −∂/∂z of ½(Q − y)²: −(Q − y)·ρ·(e_a − π).
          w = -(Qv - y) * cfg.rho;
        }
        if (w === 0) continue;
        const c = w / G;
        const off = si * V;
        if (!mark[si]) {
          mark[si] = 1;
          touched.push(si);
        }
        for (let b = 0; b < V; b++) dir[off + b] -= c * Math.exp(lp[b]);
        dir[off + a] += c;
      }
    }
    for (const si of touched) {
      const off = si * V;
      for (let b = 0; b < V; b++) {
        z[off + b] += cfg.lr * dir[off + b];
        dir[off + b] = 0;
      }
      mark[si] = 0;
    }
    touched.length = 0;
  }
  if (method === 'ppo' && critic) {
    for (let j = 0; j < N; j++)
      for (let t = 0; t < L; t++) {
        const si = batch.states[j * L + t];
        critic[si] += cfg.criticLr * (batch.rewards[j] - critic[si]);
      }
  }
  return {
    clippedFraction: method === 'grpo' || method === 'ppo' ? clipped / (cfg.epochs * N * L) : 0,
    roverLoss: roverLoss / (N * L),
  };
}

/** Sample n sequences of every prompt: correct counts, distinct correct sequences (encoded base V). */
export function sampleEval(
  rng: Rng,
  task: DigitTask,
  z: Float64Array,
  n: number,
): { correct: Int32Array; distinctCorrect: Int32Array } {
  const { L, V } = task;
  const seq = new Int32Array(L);
  const st = new Int32Array(L);
  const lp = new Float64Array(L);
  const buf = new Float64Array(V);
  const correct = new Int32Array(task.nPrompts);
  const distinct = new Int32Array(task.nPrompts);
  for (let q = 0; q < task.nPrompts; q++) {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const r = sampleSequence(rng, task, z, q, seq, st, lp, 0, buf);
      if (r > 0) {
        correct[q]++;
        let code = 0;
        for (let t = 0; t < L; t++) code = code * V + seq[t];
        seen.add(code);
      }
    }
    distinct[q] = seen.size;
  }
  return { correct, distinctCorrect: distinct };
}
