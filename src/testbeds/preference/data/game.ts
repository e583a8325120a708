/**
 * Preference games: contexts (prompts) x × responses y with a general preference function
 * P(y ≻ y' | x), stored densely as typed arrays (index (x·nY + y)·nY + y').
 *
 * A valid preference satisfies P(y ≻ y') + P(y' ≻ y) = 1 (so P(y ≻ y) = ½); it need not be
 * transitive. Random games are built in logit space from two parts,
 *
 *   logit P(y ≻ y' | x) = [r(x, y) − r(x, y')]  +  C_x(y, y')  (+ λ·[ℓ(x, y) − ℓ(x, y')])
 *
 * a Bradley–Terry (transitive) part from a reward r, and a cyclic part C_x: a skew-symmetric matrix
 * whose rows sum to zero (a divergence-free "curl" in the sense of the Hodge decomposition of a
 * pairwise comparison graph, so it carries no transitive component), either dense random or made of
 * rock–paper–scissors triples. An optional length feature ℓ adds a length bias to the preference.
 *
 * Preference datasets: pairs sampled from a sampling policy (with controllable coverage), labelled
 * by Bernoulli draws from P, optionally flipped with probability `labelNoise`.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math';
import { sampleResponse, type TabularPolicy } from '../policies/tabular-policy';

export interface PreferenceGame {
  nX: number;
  nY: number;
  /** P(y ≻ y' | x) at (x·nY + y)·nY + y'. */
  P: Float64Array;
  /** Bradley–Terry part r(x, y) (nX·nY), when the game was built from parts. */
  reward?: Float64Array;
  /** Cyclic logit part C_x(y, y') (nX·nY·nY, skew-symmetric, zero row sums), when built from parts. */
  cyclic?: Float64Array;
  /** A response feature ℓ(x, y) ∈ [0, 1] ("length") and its weight λ in the preference logit. */
  length?: Float64Array;
  lengthBias?: number;
}

export const pIndex = (nY: number, x: number, y: number, z: number): number => (x * nY + y) * nY + z;

/** Throws unless P is a valid (possibly intransitive) preference: P ∈ [0, 1], P + Pᵀ = 1. */
export function checkGame(g: PreferenceGame, where = 'checkGame', tol = 1e-12): void {
  const { nX, nY, P } = g;
  if (!Number.isInteger(nX) || nX < 1 || !Number.isInteger(nY) || nY < 1)
    throw new RangeError(`${where}: nX, nY must be integers ≥ 1, got ${nX}, ${nY}`);
  if (P.length !== nX * nY * nY)
    throw new RangeError(`${where}: P has length ${P.length}, expected nX·nY·nY = ${nX * nY * nY}`);
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = 0; z < nY; z++) {
        const p = P[pIndex(nY, x, y, z)];
        if (!(p >= 0 && p <= 1)) throw new RangeError(`${where}: P(y=${y} ≻ y'=${z} | x=${x}) = ${p} is not in [0, 1]`);
        const q = P[pIndex(nY, x, z, y)];
        if (Math.abs(p + q - 1) > tol)
          throw new RangeError(`${where}: P(${y} ≻ ${z} | x=${x}) + P(${z} ≻ ${y} | x=${x}) = ${p + q}, must be 1`);
      }
}

/** A game from explicit matrices, one per context: mats[x][y][y'] = P(y ≻ y' | x). */
export function gameFromMatrices(mats: ArrayLike<ArrayLike<number>>[]): PreferenceGame {
  const nX = mats.length;
  const nY = nX > 0 ? mats[0].length : 0;
  const P = new Float64Array(nX * nY * nY);
  mats.forEach((m, x) => {
    if (m.length !== nY) throw new RangeError(`gameFromMatrices: context ${x} has ${m.length} rows, expected ${nY}`);
    for (let y = 0; y < nY; y++) {
      if (m[y].length !== nY)
        throw new RangeError(`gameFromMatrices: context ${x}, row ${y} has ${m[y].length} entries, expected ${nY}`);
      for (let z = 0; z < nY; z++) P[pIndex(nY, x, y, z)] = m[y][z];
    }
  });
  const g = { nX, nY, P };
  checkGame(g, 'gameFromMatrices', 1e-9);
  return g;
}

/**
 * Rock–paper–scissors as a preference (responses 0 = rock, 1 = paper, 2 = scissors):
 * P(paper ≻ rock) = P(scissors ≻ paper) = P(rock ≻ scissors) = pWin (1 for the classic game).
 */
export function rockPaperScissors(pWin = 1, nX = 1): PreferenceGame {
  if (!(pWin >= 0 && pWin <= 1)) throw new RangeError(`rockPaperScissors: pWin must be in [0, 1], got ${pWin}`);
  const q = 1 - pWin;
  const m = [
    [0.5, q, pWin],
    [pWin, 0.5, q],
    [q, pWin, 0.5],
  ];
  return gameFromMatrices(Array.from({ length: nX }, () => m));
}

export type CyclicKind = 'curl' | 'rps-blocks';

export interface GameSpec {
  nX: number;
  nY: number;
  /** Standard deviation of the Bradley–Terry reward r(x, y) ~ N(0, btScale²). */
  btScale: number;
  /**
   * Strength of the cyclic part: for 'curl', the root-mean-square of C_x(y, y') over y ≠ y';
   * for 'rps-blocks', the logit by which each response beats the next one of its triple.
   */
  cyclicScale: number;
  /**
   * 'curl': dense random divergence-free skew matrix; 'rps-blocks': disjoint rock–paper–scissors triples (default
   * 'curl').
   */
  cyclic?: CyclicKind;
  /** Weight λ of a length feature ℓ ~ U(0, 1) in the preference logit (default 0: no length feature). */
  lengthBias?: number;
}

/** Remove the gradient (transitive) component of a skew-symmetric n×n matrix in place: rows then sum to 0. */
export function curlProjection(C: Float64Array, n: number, off = 0): void {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += C[off + i * n + j];
    a[i] = s / n;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[off + i * n + j] -= a[i] - a[j];
}

function randomCurl(rng: Rng, n: number, scale: number, out: Float64Array, off: number): void {
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const g = rng.normal();
      out[off + i * n + j] = g;
      out[off + j * n + i] = -g;
    }
  curlProjection(out, n, off);
  let ss = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) ss += out[off + i * n + j] ** 2;
  const rms = n > 1 ? Math.sqrt(ss / (n * (n - 1))) : 0;
  const c = rms > 0 ? scale / rms : 0;
  for (let k = 0; k < n * n; k++) out[off + k] *= c;
}

function rpsBlocks(rng: Rng, n: number, scale: number, out: Float64Array, off: number): void {
  const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let b = 0; b + 3 <= n; b += 3) {
    const t = [perm[b], perm[b + 1], perm[b + 2]];
    for (let k = 0; k < 3; k++) {
      const i = t[k],
        j = t[(k + 1) % 3];
      out[off + i * n + j] = scale; // i beats j, j beats the next, the next beats i
      out[off + j * n + i] = -scale;
    }
  }
}

/** The preference logit parts → P = σ(r_y − r_y' + C + λ(ℓ_y − ℓ_y')). */
export function gameFromParts(
  nX: number,
  nY: number,
  reward: Float64Array,
  cyclic: Float64Array,
  length?: Float64Array,
  lengthBias = 0,
): PreferenceGame {
  if (reward.length !== nX * nY)
    throw new RangeError(`gameFromParts: reward has length ${reward.length}, expected ${nX * nY}`);
  if (cyclic.length !== nX * nY * nY)
    throw new RangeError(`gameFromParts: cyclic has length ${cyclic.length}, expected ${nX * nY * nY}`);
  const P = new Float64Array(nX * nY * nY);
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = 0; z < nY; z++) {
        if (y === z) {
          P[pIndex(nY, x, y, z)] = 0.5;
          continue;
        }
        let l = reward[x * nY + y] - reward[x * nY + z] + cyclic[pIndex(nY, x, y, z)];
        if (length && lengthBias) l += lengthBias * (length[x * nY + y] - length[x * nY + z]);
        P[pIndex(nY, x, y, z)] = sigmoid(l);
      }
  // exact complementarity: define the lower triangle from the upper one
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++) for (let z = y + 1; z < nY; z++) P[pIndex(nY, x, z, y)] = 1 - P[pIndex(nY, x, y, z)];
  const g: PreferenceGame = { nX, nY, P, reward, cyclic };
  if (length) {
    g.length = length;
    g.lengthBias = lengthBias;
  }
  return g;
}

/** A random game: Bradley–Terry part + cyclic part (+ length bias), independently per context. */
export function randomGame(rng: Rng, spec: GameSpec): PreferenceGame {
  const { nX, nY, btScale, cyclicScale } = spec;
  const kind = spec.cyclic ?? 'curl';
  if (!(btScale >= 0) || !(cyclicScale >= 0))
    throw new RangeError(`randomGame: btScale and cyclicScale must be ≥ 0, got ${btScale}, ${cyclicScale}`);
  if (kind !== 'curl' && kind !== 'rps-blocks')
    throw new RangeError(`randomGame: cyclic must be 'curl' or 'rps-blocks', got ${String(kind)}`);
  const reward = rng.split('bt').normals(nX * nY, 0, btScale);
  const cyclic = new Float64Array(nX * nY * nY);
  const rc = rng.split('cyclic');
  for (let x = 0; x < nX; x++) {
    if (kind === 'curl') randomCurl(rc, nY, cyclicScale, cyclic, x * nY * nY);
    else rpsBlocks(rc, nY, cyclicScale, cyclic, x * nY * nY);
  }
  let length: Float64Array | undefined;
  if (spec.lengthBias !== undefined) {
    const rl = rng.split('length');
    length = new Float64Array(nX * nY);
    for (let i = 0; i < length.length; i++) length[i] = rl.uniform();
  }
  return gameFromParts(nX, nY, reward, cyclic, length, spec.lengthBias ?? 0);
}

/** The same game without its length bias (the "length-controlled" preference). */
export function withoutLengthBias(g: PreferenceGame): PreferenceGame {
  if (!g.reward || !g.cyclic)
    throw new RangeError('withoutLengthBias: the game was not built from parts (reward, cyclic)');
  return gameFromParts(g.nX, g.nY, g.reward, g.cyclic, g.length, 0);
}

/** Only the Bradley–Terry part of a game built from parts: P = σ(r_y − r_y'). */
export function transitivePart(g: PreferenceGame): PreferenceGame {
  if (!g.reward) throw new RangeError('transitivePart: the game was not built from parts');
  return gameFromParts(g.nX, g.nY, g.reward, new Float64Array(g.nX * g.nY * g.nY));
}

/**
 * Share of the preference logit's variance (over ordered pairs y ≠ y') explained by the cyclic
 * part: Σ C² / Σ (Δr + C)² (the gradient and curl parts are orthogonal, so this lies in [0, 1]).
 */
export function cyclicShare(g: PreferenceGame): number {
  if (!g.reward || !g.cyclic) throw new RangeError('cyclicShare: the game was not built from parts');
  const { nX, nY } = g;
  let c2 = 0,
    t2 = 0;
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = 0; z < nY; z++) {
        if (y === z) continue;
        const c = g.cyclic[pIndex(nY, x, y, z)];
        const d = g.reward[x * nY + y] - g.reward[x * nY + z];
        c2 += c * c;
        t2 += (c + d) * (c + d);
      }
  return t2 > 0 ? c2 / t2 : 0;
}

export function preference(g: PreferenceGame, x: number, y: number, z: number): number {
  return g.P[pIndex(g.nY, x, y, z)];
}

/** Preference pairs (x, winner, loser), as typed arrays. */
export interface PreferencePairs {
  n: number;
  x: Int32Array;
  yw: Int32Array;
  yl: Int32Array;
}

/** Several sets of preference pairs as one, in order (e.g. the labels of several rounds, to refit a reward model). */
export function concatPairs(parts: readonly PreferencePairs[]): PreferencePairs {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const out: PreferencePairs = { n, x: new Int32Array(n), yw: new Int32Array(n), yl: new Int32Array(n) };
  let k = 0;
  for (const p of parts) {
    out.x.set(p.x.subarray(0, p.n), k);
    out.yw.set(p.yw.subarray(0, p.n), k);
    out.yl.set(p.yl.subarray(0, p.n), k);
    k += p.n;
  }
  return out;
}

export interface PairSamplingOptions {
  /** Probability of flipping each label (annotator noise), default 0. */
  labelNoise?: number;
  /** Sampler of the second response (default: the same as the first). */
  sampler2?: TabularPolicy;
  /** Redraw the second response until it differs from the first (when the sampler allows; default false). */
  distinct?: boolean;
}

/**
 * Sample `pairsPerContext` pairs per context: y ~ sampler(·|x), y' ~ sampler2(·|x), winner by a
 * Bernoulli(P(y ≻ y' | x)) draw, then flipped with probability labelNoise.
 */
export function samplePreferencePairs(
  g: PreferenceGame,
  sampler: TabularPolicy,
  pairsPerContext: number,
  rng: Rng,
  opts: PairSamplingOptions = {},
): PreferencePairs {
  const { nX, nY } = g;
  if (sampler.nX !== nX || sampler.nY !== nY)
    throw new RangeError(`samplePreferencePairs: sampler is ${sampler.nX}×${sampler.nY}, game is ${nX}×${nY}`);
  const s2 = opts.sampler2 ?? sampler;
  const noise = opts.labelNoise ?? 0;
  if (!(noise >= 0 && noise <= 0.5))
    throw new RangeError(`samplePreferencePairs: labelNoise must be in [0, 0.5], got ${noise}`);
  if (!Number.isInteger(pairsPerContext) || pairsPerContext < 0)
    throw new RangeError(`samplePreferencePairs: pairsPerContext must be an integer ≥ 0, got ${pairsPerContext}`);
  const n = nX * pairsPerContext;
  const out: PreferencePairs = { n, x: new Int32Array(n), yw: new Int32Array(n), yl: new Int32Array(n) };
  let k = 0;
  for (let x = 0; x < nX; x++) {
    let support2 = 0;
    for (let y = 0; y < nY; y++) if (s2.probs[x * nY + y] > 0) support2++;
    for (let i = 0; i < pairsPerContext; i++) {
      const a = sampleResponse(sampler, x, rng);
      let b = sampleResponse(s2, x, rng);
      if (opts.distinct && support2 > 1) {
        const pa = s2.probs[x * nY + a];
        if (pa < 1) while (b === a) b = sampleResponse(s2, x, rng);
      }
      let aWins = rng.uniform() < g.P[pIndex(nY, x, a, b)];
      if (noise > 0 && rng.uniform() < noise) aWins = !aWins;
      out.x[k] = x;
      out.yw[k] = aWins ? a : b;
      out.yl[k] = aWins ? b : a;
      k++;
    }
  }
  return out;
}

/**
 * A sampling policy with controlled coverage: in each context, uniform over a random subset of
 * max(2, round(coverage·nY)) responses (coverage = 1: uniform over all).
 */
export function coverageSampler(rng: Rng, nX: number, nY: number, coverage: number): TabularPolicy {
  if (!(coverage > 0 && coverage <= 1))
    throw new RangeError(`coverageSampler: coverage must be in (0, 1], got ${coverage}`);
  const m = Math.min(nY, Math.max(2, Math.round(coverage * nY)));
  const probs = new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    const perm = rng.shuffle(Array.from({ length: nY }, (_, i) => i));
    for (let k = 0; k < m; k++) probs[x * nY + perm[k]] = 1 / m;
  }
  return { nX, nY, probs };
}
