/**
 * Clustering of embedding vectors: k-means (Lloyd's iterations from k-means++ seeds, Arthur & Vassilvitskii 2007),
 * X-means (Pelleg & Moore, "X-means: Extending K-means with Efficient Estimation of the Number of Clusters", ICML
 * 2000: start from kInit clusters, split each cluster in two by 2-means when the split raises its Bayesian information
 * criterion, refit, repeat until no cluster splits or kMax is reached), with the BIC as pyclustering's xmeans computes
 * it (the library the explaining-RL-decisions code uses), and the silhouette score (Rousseeuw 1987).
 *
 * Points are rows of a row-major Float64Array (n × d). Squared Euclidean distances throughout.
 */
import type { Rng } from '../../../core/rng';

function sqDist(X: Float64Array, i: number, C: Float64Array, j: number, d: number): number {
  let acc = 0;
  for (let f = 0; f < d; f++) {
    const u = X[i * d + f] - C[j * d + f];
    acc += u * u;
  }
  return acc;
}

/** k-means++ seeds: the first uniformly, each next with probability ∝ squared distance to the nearest seed. */
export function kMeansPlusPlus(X: Float64Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  if (!(k >= 1 && k <= n)) throw new RangeError(`kMeansPlusPlus: k must lie in [1, n = ${n}], got ${k}`);
  const C = new Float64Array(k * d);
  const first = rng.int(n);
  C.set(X.subarray(first * d, first * d + d), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i], sqDist(X, i, C, j - 1, d));
      total += best[i];
    }
    let pick = 0;
    if (total > 0) {
      let u = rng.uniform() * total;
      for (pick = 0; pick < n - 1; pick++) if ((u -= best[pick]) < 0) break;
    } else pick = rng.int(n);
    C.set(X.subarray(pick * d, pick * d + d), j * d);
  }
  return C;
}

export interface KMeansResult {
  /** Cluster of each point (0..k − 1). */
  labels: Int32Array;
  /** Centres, k × d. */
  centers: Float64Array;
  k: number;
  /** Within-cluster sum of squared distances. */
  wcss: number;
}

/** Lloyd's iterations from given centres until the assignment is stable (an empty cluster keeps its centre). */
export function kMeansFrom(X: Float64Array, n: number, d: number, init: Float64Array, maxIter = 200): KMeansResult {
  const k = init.length / d;
  const C = Float64Array.from(init);
  const labels = new Int32Array(n).fill(-1);
  for (let it = 0; it < maxIter; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let bj = 0,
        bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dd = sqDist(X, i, C, j, d);
        if (dd < bd) ((bd = dd), (bj = j));
      }
      if (labels[i] !== bj) ((labels[i] = bj), (changed = true));
    }
    if (!changed) break;
    const cnt = new Float64Array(k);
    const S = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      cnt[labels[i]]++;
      for (let f = 0; f < d; f++) S[labels[i] * d + f] += X[i * d + f];
    }
    for (let j = 0; j < k; j++) if (cnt[j] > 0) for (let f = 0; f < d; f++) C[j * d + f] = S[j * d + f] / cnt[j];
  }
  let wcss = 0;
  for (let i = 0; i < n; i++) wcss += sqDist(X, i, C, labels[i], d);
  return { labels, centers: C, k, wcss };
}

/**
 * pyclustering's X-means BIC of a partition (xmeans.__bayesian_information_criterion): with N points, K clusters,
 * σ² = Σ_i ‖x_i − μ_{c(i)}‖² / (N − K) and p = (K − 1) + dK + 1,
 *   BIC = Σ_c [ n_c log n_c − n_c log N − (n_c/2) log 2π − n_c (d/2) log σ² − (n_c − K)/2 − (p/2) log N ].
 * (The penalty is charged once per cluster, as in the library.) −∞ when σ² = 0; NaN when N ≤ K.
 */
export function xMeansBic(X: Float64Array, d: number, members: readonly number[][], centers: Float64Array): number {
  const K = members.length;
  let N = 0,
    ss = 0;
  members.forEach((m, c) => {
    N += m.length;
    for (const i of m) ss += sqDist(X, i, centers, c, d);
  });
  if (N - K <= 0) return NaN;
  const sigma2 = ss / (N - K);
  const p = K - 1 + d * K + 1;
  const sigmaTerm = sigma2 > 0 ? 0.5 * d * Math.log(sigma2) : -Infinity;
  let bic = 0;
  for (const m of members) {
    const nc = m.length;
    if (nc === 0) continue;
    bic += nc * Math.log(nc) - nc * Math.log(N) - 0.5 * nc * Math.log(2 * Math.PI) - nc * sigmaTerm;
    bic += -(nc - K) / 2 - (p / 2) * Math.log(N);
  }
  return bic;
}

function membersOf(labels: Int32Array, k: number): number[][] {
  const m: number[][] = Array.from({ length: k }, () => []);
  labels.forEach((c, i) => m[c].push(i));
  return m;
}

/** Drop empty clusters and renumber labels 0..k − 1 in order of first appearance of the old label. */
function compact(res: KMeansResult, d: number): KMeansResult {
  const map = new Map<number, number>();
  const labels = new Int32Array(res.labels.length);
  res.labels.forEach((c, i) => {
    if (!map.has(c)) map.set(c, map.size);
    labels[i] = map.get(c)!;
  });
  const centers = new Float64Array(map.size * d);
  for (const [old, nu] of map) centers.set(res.centers.subarray(old * d, old * d + d), nu * d);
  return { labels, centers, k: map.size, wcss: res.wcss };
}

export interface XMeansOptions {
  /** Clusters to start from (pyclustering's amount_initial_centers; the code: 2). */
  kInit: number;
  /** Largest number of clusters (the code: 10). */
  kMax: number;
}

/** X-means with the BIC above; k-means++ seeds for the start and for every trial split. */
export function xMeans(X: Float64Array, n: number, d: number, o: XMeansOptions, rng: Rng): KMeansResult {
  if (!(o.kInit >= 1 && o.kInit <= o.kMax))
    throw new RangeError(`xMeans: need 1 ≤ kInit ≤ kMax, got ${o.kInit}, ${o.kMax}`);
  let res = compact(kMeansFrom(X, n, d, kMeansPlusPlus(X, n, d, Math.min(o.kInit, n), rng.split('init'))), d);
  for (let round = 0; res.k < o.kMax; round++) {
    const members = membersOf(res.labels, res.k);
    const next: number[] = [];
    let k = res.k;
    members.forEach((m, c) => {
      const parent = Array.from(res.centers.subarray(c * d, c * d + d));
      if (m.length < 3 || k >= o.kMax) return void next.push(...parent);
      const Y = new Float64Array(m.length * d);
      m.forEach((i, r) => Y.set(X.subarray(i * d, i * d + d), r * d));
      const child = kMeansFrom(Y, m.length, d, kMeansPlusPlus(Y, m.length, d, 2, rng.split(`split-${round}-${c}`)));
      const cm = membersOf(child.labels, 2);
      const local = m.map((_, r) => r);
      const parentBic = xMeansBic(Y, d, [local], Float64Array.from(parent));
      const childBic = cm.some((x) => x.length === 0) ? -Infinity : xMeansBic(Y, d, cm, child.centers);
      if (childBic > parentBic) {
        next.push(...child.centers);
        k++;
      } else next.push(...parent);
    });
    if (next.length / d === res.k) break;
    res = compact(kMeansFrom(X, n, d, Float64Array.from(next)), d);
  }
  return res;
}

/**
 * Mean silhouette (Euclidean distances): s(i) = (b − a) / max(a, b) with a the mean distance to the other members
 * of i's cluster and b the smallest mean distance to another cluster; s(i) = 0 for a singleton. NaN when k < 2.
 */
export function silhouetteScore(X: Float64Array, n: number, d: number, labels: Int32Array): number {
  let k = 0;
  for (const c of labels) k = Math.max(k, c + 1);
  if (k < 2) return NaN;
  const size = new Float64Array(k);
  for (const c of labels) size[c]++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let acc = 0;
      for (let f = 0; f < d; f++) acc += (X[i * d + f] - X[j * d + f]) ** 2;
      sums[labels[j]] += Math.sqrt(acc);
    }
    const own = labels[i];
    if (size[own] <= 1) continue;
    const a = sums[own] / (size[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

/** Weighted purity of a partition against reference labels: Σ_c max_l n(c, l) / n. */
export function clusterPurity(labels: ArrayLike<number>, reference: ArrayLike<number>): number {
  const table = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    let m = table.get(labels[i]);
    if (!m) table.set(labels[i], (m = new Map()));
    m.set(reference[i], (m.get(reference[i]) ?? 0) + 1);
  }
  let acc = 0;
  for (const m of table.values()) acc += Math.max(...m.values());
  return acc / labels.length;
}
