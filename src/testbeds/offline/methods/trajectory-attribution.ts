/**
 * Trajectory attribution (Deshmukh, Dasgupta, Krishnamurthy, Jiang, Agarwal, Theocharous & Subramanian, "Explaining
 * RL Decisions with Trajectories", ICLR 2023, arXiv:2305.04073), its five steps as the original authors' grid-world
 * code implements them (github.com/karim-abdel/Explaining-RL-Decisions-with-Trajectories, Grid-World/
 * table1_and_DTDAclaim.ipynb, which the reproducibility study recovered from the original partial code):
 *   (1) encode each trajectory τ_j of the offline data into an embedding t_j (the code: a seq2seq LSTM over
 *       (s, a, r) tokens; here `visitationEmbedding`, a stated fixed encoder);
 *   (2) cluster the embeddings (X-means, data/clustering.ts) into clusters c_1..c_K;
 *   (3) embed a set of trajectories as d = softmax(Σ_j t_j / T_soft) over the embedding's coordinates
 *       (`dataEmbedding`; the code: T_soft = 10);
 *   (4) train an explanation policy π_j on each complementary dataset D \ c_j and embed D \ c_j as d_j;
 *   (5) attribute the decision of the original policy π at state s (`attributeDecision`): among the clusters whose
 *       explanation policy's set of optimal actions at s differs from π's, the one with the smallest data distance
 *       W₁(d, d_j); no attribution when no removal changes the decision or the smallest distance is 0.
 * The data distance is SciPy's `wasserstein_distance(d, d_j)` as the code calls it: the 1-D Wasserstein-1 distance
 * between the two vectors read as samples of values (`valueSampleW1`), not a transport between coordinates.
 */

/**
 * Embedding of a trajectory (episode [lo, hi) of the data): the visit frequency of each state (the states s of its
 * transitions and the final s', each visit counting 1/(length + 1)), then the frequency of each action
 * (1/length each), then its outcome (1 in coordinate nS + nA when it ended with a positive terminal reward, in
 * nS + nA + 1 when with a negative one). Length nS + nA + 2.
 */
export function visitationEmbedding(
  data: { nS: number; nA: number; s: Int32Array; a: Int32Array; sp: Int32Array; r: Float64Array; done: Uint8Array },
  lo: number,
  hi: number,
): Float64Array {
  const { nS, nA } = data;
  const len = hi - lo;
  if (!(len >= 1)) throw new RangeError(`visitationEmbedding: empty trajectory [${lo}, ${hi})`);
  const t = new Float64Array(nS + nA + 2);
  for (let i = lo; i < hi; i++) {
    t[data.s[i]] += 1 / (len + 1);
    t[nS + data.a[i]] += 1 / len;
  }
  t[data.sp[hi - 1]] += 1 / (len + 1);
  if (data.done[hi - 1]) {
    if (data.r[hi - 1] > 0) t[nS + nA] = 1;
    else if (data.r[hi - 1] < 0) t[nS + nA + 1] = 1;
  }
  return t;
}

/** d = softmax(Σ_j t_j / T_soft) over coordinates (step 3; the code's get_data_embedding with T_soft = 10). */
export function dataEmbedding(embeddings: readonly Float64Array[], tSoft: number): Float64Array {
  if (embeddings.length === 0) throw new RangeError('dataEmbedding: no trajectories');
  if (!(tSoft > 0)) throw new RangeError(`dataEmbedding: tSoft must be positive, got ${tSoft}`);
  const dim = embeddings[0].length;
  const z = new Float64Array(dim);
  for (const t of embeddings) for (let f = 0; f < dim; f++) z[f] += t[f] / tSoft;
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (let f = 0; f < dim; f++) s += z[f] = Math.exp(z[f] - m);
  for (let f = 0; f < dim; f++) z[f] /= s;
  return z;
}

/**
 * W₁ between the empirical distributions of the values in u and in v (equal weights; SciPy's
 * wasserstein_distance(u_values, v_values)): ∫ |F_u(x) − F_v(x)| dx.
 */
export function valueSampleW1(u: ArrayLike<number>, v: ArrayLike<number>): number {
  if (u.length === 0 || v.length === 0) throw new RangeError('valueSampleW1: empty sample');
  const a = Float64Array.from(u).sort(),
    b = Float64Array.from(v).sort();
  const all = Float64Array.from([...a, ...b]).sort();
  let i = 0,
    j = 0,
    w = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    w += Math.abs(i / a.length - j / b.length) * (all[k + 1] - x);
  }
  return w;
}

/**
 * The set of optimal actions at s of a tabular Q (length nS·nA, NaN at unsupported actions): the actions within
 * `tol` of the largest finite Q(s, ·), as a bit mask; all actions when s has no finite Q (the code's all-zero row).
 */
export function optimalActionMask(Q: Float64Array, nA: number, s: number, tol = 1e-9): number {
  let m = -Infinity;
  for (let a = 0; a < nA; a++) {
    const q = Q[s * nA + a];
    if (q === q && q > m) m = q;
  }
  if (m === -Infinity) return (1 << nA) - 1;
  let mask = 0;
  for (let a = 0; a < nA; a++) {
    const q = Q[s * nA + a];
    if (q === q && q >= m - tol) mask |= 1 << a;
  }
  return mask;
}

export interface DecisionAttribution {
  /** The attributed cluster, or −1 when none. */
  cluster: number;
  /** Its data distance W₁(d, d_j) (NaN when none). */
  distance: number;
  /** How many clusters' removal changed the decision. */
  changed: number;
}

/**
 * Step (5) at one state: `original` is the original policy's optimal-action mask at s, `masks[j]` and `distances[j]`
 * the explanation policy's mask at s and the data distance of cluster j's complementary dataset.
 */
export function attributeDecision(
  original: number,
  masks: ArrayLike<number>,
  distances: ArrayLike<number>,
): DecisionAttribution {
  let cluster = -1,
    distance = Infinity,
    changed = 0;
  for (let j = 0; j < masks.length; j++) {
    if (masks[j] === original) continue;
    changed++;
    if (distances[j] < distance) ((distance = distances[j]), (cluster = j));
  }
  if (cluster < 0 || distance === 0) return { cluster: -1, distance: NaN, changed };
  return { cluster, distance, changed };
}
