/**
 * Offline imitation data on the offline testbed: expert demonstrations D^E and suboptimal data D^S as transition
 * datasets, their empirical distributions over state-action pairs, and the empirical MDP (count-based model P̂ and
 * initial-state distribution μ̂₀) that the dual (DICE-style) imitation learners are solved on.
 *
 * Absorbing states (Kostrikov et al., "Discriminator-Actor-Critic", ICLR 2019, §4.2): an episode that enters a
 * terminal state before its horizon is padded with absorbing transitions (g, a, g), a uniform at random, up to the
 * horizon, so that the time spent at the goal is part of each distribution and P̂ holds the goal's self-loop (the
 * gridworld kit's terminal cells are absorbing, every action stays).
 *
 * Distributions are uniform over transitions (how the learners sample their batches): d(s, a) = n(s, a) / N.
 */
import type { Rng } from '../../../core/rng';
import type { OfflineDataset } from './dataset';

/** Pad every episode that ended in a terminal state with absorbing transitions up to `horizon` steps. */
export function padAbsorbing(data: OfflineDataset, horizon: number, rng: Rng): OfflineDataset {
  const out = {
    s: [] as number[],
    a: [] as number[],
    r: [] as number[],
    sp: [] as number[],
    done: [] as number[],
    episode: [] as number[],
    step: [] as number[],
  };
  const push = (s: number, a: number, r: number, sp: number, done: number, ep: number, t: number): void => {
    out.s.push(s);
    out.a.push(a);
    out.r.push(r);
    out.sp.push(sp);
    out.done.push(done);
    out.episode.push(ep);
    out.step.push(t);
  };
  for (let i = 0; i < data.size; i++) {
    push(data.s[i], data.a[i], data.r[i], data.sp[i], data.done[i], data.episode[i], data.step[i]);
    const last = i === data.size - 1 || data.episode[i + 1] !== data.episode[i];
    if (last && data.done[i])
      for (let t = data.step[i] + 1; t < horizon; t++)
        push(data.sp[i], rng.int(data.nA), 0, data.sp[i], 1, data.episode[i], t);
  }
  return {
    nS: data.nS,
    nA: data.nA,
    gamma: data.gamma,
    size: out.s.length,
    s: Int32Array.from(out.s),
    a: Int32Array.from(out.a),
    r: Float64Array.from(out.r),
    sp: Int32Array.from(out.sp),
    done: Uint8Array.from(out.done),
    episode: Int32Array.from(out.episode),
    step: Int32Array.from(out.step),
    quality: `${data.quality}+absorbing`,
  };
}

/** The transitions of `data` whose state s is not in `drop` (a new dataset; episode/step indices are kept). */
export function withoutStates(data: OfflineDataset, drop: ReadonlySet<number>): OfflineDataset {
  const keep: number[] = [];
  for (let i = 0; i < data.size; i++) if (!drop.has(data.s[i])) keep.push(i);
  const take = <A extends Int32Array | Float64Array | Uint8Array>(x: A, make: (n: number) => A): A => {
    const o = make(keep.length);
    keep.forEach((i, k) => (o[k] = x[i]));
    return o;
  };
  return {
    nS: data.nS,
    nA: data.nA,
    gamma: data.gamma,
    size: keep.length,
    s: take(data.s, (n) => new Int32Array(n)),
    a: take(data.a, (n) => new Int32Array(n)),
    r: take(data.r, (n) => new Float64Array(n)),
    sp: take(data.sp, (n) => new Int32Array(n)),
    done: take(data.done, (n) => new Uint8Array(n)),
    episode: take(data.episode, (n) => new Int32Array(n)),
    step: take(data.step, (n) => new Int32Array(n)),
    quality: `${data.quality}-without-${drop.size}`,
  };
}

/** Concatenate datasets of one MDP (episode indices are offset so episodes stay distinct). */
export function concatDatasets(parts: readonly OfflineDataset[], quality: string): OfflineDataset {
  if (parts.length === 0) throw new RangeError('concatDatasets: nothing to concatenate');
  const { nS, nA, gamma } = parts[0];
  for (const p of parts)
    if (p.nS !== nS || p.nA !== nA || p.gamma !== gamma)
      throw new RangeError(`concatDatasets: dataset '${p.quality}' is ${p.nS}×${p.nA} (γ ${p.gamma}), not ${nS}×${nA}`);
  const size = parts.reduce((u, p) => u + p.size, 0);
  const s = new Int32Array(size),
    a = new Int32Array(size),
    sp = new Int32Array(size),
    episode = new Int32Array(size),
    step = new Int32Array(size);
  const r = new Float64Array(size);
  const done = new Uint8Array(size);
  let at = 0,
    epOffset = 0;
  for (const p of parts) {
    s.set(p.s, at);
    a.set(p.a, at);
    sp.set(p.sp, at);
    step.set(p.step, at);
    r.set(p.r, at);
    done.set(p.done, at);
    let maxEp = -1;
    for (let i = 0; i < p.size; i++) {
      episode[at + i] = p.episode[i] + epOffset;
      maxEp = Math.max(maxEp, p.episode[i]);
    }
    epOffset += maxEp + 1;
    at += p.size;
  }
  return { nS, nA, gamma, size, s, a, r, sp, done, episode, step, quality };
}

/** States visited (as s) by a dataset. */
export function visitedStates(data: OfflineDataset): number[] {
  const seen = new Uint8Array(data.nS);
  for (let i = 0; i < data.size; i++) seen[data.s[i]] = 1;
  const out: number[] = [];
  for (let s = 0; s < data.nS; s++) if (seen[s]) out.push(s);
  return out;
}

/**
 * The empirical MDP of a dataset, over its supported pairs k = (s_k, a_k) (n(s, a) > 0), in a fixed order:
 *   P̂(s' | k) = n(s_k, a_k, s') / n(s_k, a_k)   (CSR: succ[succPtr[k] .. succPtr[k+1]), prob alike)
 *   μ̂₀(s) = share of episodes whose first transition (step 0) starts at s
 * `pairIndex[s·nA + a]` is k, or −1 at an unsupported pair.
 */
export interface EmpiricalMdp {
  readonly nS: number;
  readonly nA: number;
  readonly gamma: number;
  readonly nPairs: number;
  readonly pairState: Int32Array;
  readonly pairAction: Int32Array;
  readonly pairIndex: Int32Array;
  readonly succPtr: Int32Array;
  readonly succ: Int32Array;
  readonly prob: Float64Array;
  readonly init: Float64Array;
}

export function empiricalMdp(data: OfflineDataset): EmpiricalMdp {
  const { nS, nA, gamma } = data;
  const pairIndex = new Int32Array(nS * nA).fill(-1);
  const counts = new Map<number, Map<number, number>>();
  let nStarts = 0;
  const init = new Float64Array(nS);
  for (let i = 0; i < data.size; i++) {
    const row = data.s[i] * nA + data.a[i];
    let m = counts.get(row);
    if (!m) counts.set(row, (m = new Map()));
    m.set(data.sp[i], (m.get(data.sp[i]) ?? 0) + 1);
    if (data.step[i] === 0) {
      init[data.s[i]]++;
      nStarts++;
    }
  }
  if (nStarts === 0) throw new RangeError(`empiricalMdp('${data.quality}'): no episode starts (step 0) in the data`);
  for (let s = 0; s < nS; s++) init[s] /= nStarts;
  const rows = [...counts.keys()].sort((x, y) => x - y);
  const nPairs = rows.length;
  const pairState = new Int32Array(nPairs),
    pairAction = new Int32Array(nPairs),
    succPtr = new Int32Array(nPairs + 1);
  const succ: number[] = [],
    prob: number[] = [];
  rows.forEach((row, k) => {
    pairIndex[row] = k;
    pairState[k] = Math.floor(row / nA);
    pairAction[k] = row % nA;
    const m = counts.get(row)!;
    let n = 0;
    for (const c of m.values()) n += c;
    for (const sp of [...m.keys()].sort((x, y) => x - y)) {
      succ.push(sp);
      prob.push(m.get(sp)! / n);
    }
    succPtr[k + 1] = succ.length;
  });
  return {
    nS,
    nA,
    gamma,
    nPairs,
    pairState,
    pairAction,
    pairIndex,
    succPtr,
    succ: Int32Array.from(succ),
    prob: Float64Array.from(prob),
    init,
  };
}

/** d(k) = n(s_k, a_k) / N of a dataset over the supported pairs of `mdp` (0 at pairs the dataset lacks). */
export function pairDistribution(data: OfflineDataset, mdp: EmpiricalMdp): Float64Array {
  const d = new Float64Array(mdp.nPairs);
  for (let i = 0; i < data.size; i++) {
    const k = mdp.pairIndex[data.s[i] * mdp.nA + data.a[i]];
    if (k < 0)
      throw new RangeError(
        `pairDistribution: transition ${i} (s=${data.s[i]}, a=${data.a[i]}) of '${data.quality}' is not a pair of ` +
          `the empirical MDP; build the MDP from data that includes it`,
      );
    d[k] += 1 / data.size;
  }
  return d;
}

/** State marginal d(s) = n(s) / N (length nS). */
export function stateMarginal(data: OfflineDataset): Float64Array {
  const d = new Float64Array(data.nS);
  for (let i = 0; i < data.size; i++) d[data.s[i]] += 1 / data.size;
  return d;
}
