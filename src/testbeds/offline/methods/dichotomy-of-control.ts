/**
 * Dichotomy of Control (DoC), tabular: Yang, Schuurmans, Abbeel & Nachum, "Dichotomy of Control: Separating What You
 * Can Control from What You Cannot", ICLR 2023 (arXiv:2210.13435), §4, with the structure of the official code
 * (google-research dichotomy_of_control: models/tabular_sdt.py, models/stochastic_decision_transformer.py,
 * scripts/stochastic_decision_transformer_training.py).
 *
 * Future-conditioned supervised learning (§4.1): a latent z ∼ q(z | τ) of a trajectory's future conditions the
 * policy, trained to imitate the trajectory's actions,
 *   L(π, q) = E_{τ∼D, z∼q(z|τ)}[ Σ_t −log π(a_t | s_t, z) ];
 * the dichotomy-of-control constraint (§4.2) asks z to carry no information about the environment's randomness,
 *   MI(r_t, s_{t+1}; z | s_t, a_t) = 0 at every step, relaxed to the penalty
 *   L_DoC(π, q) = L(π, q) + β Σ_t MI(r_t, s_{t+1}; z | s_t, a_t),
 * with the MI estimated contrastively (the code's `energy_loss`: f(z, s, a, r, s') against a log-sum-exp over
 * (r̂, ŝ') drawn from the data's marginal ρ(r̂, ŝ' | s, a), weighted by `rtg_prior` in tabular_sdt.py). At test time
 * (§4.3) a learned prior p(z) proposes latents and a learned value V(z) = E[return | z] picks the best one; the
 * policy conditioned on it acts. The paper's consistency result: when the constraint holds, π(·|·, z) achieves
 * return V(z) in the environment.
 *
 * Tabular, exact version implemented here (every part has a closed form or an exact gradient):
 * - q: one categorical posterior over K latents per data episode, q_i = softmax(θ_i) (the future of an episode's
 *   first step is the whole episode; z is held for the episode, as the prior-chosen z is at test time).
 * - π(a | s, z) = c_z(s, a) / c_z(s) with soft counts c_z(·) = Σ_i q_i(z) n_i(·): the exact minimiser of L over
 *   tabular policies given q (uniform where c_z(s) = 0).
 * - The value model p(R_t | s_t, z) = c_z(s, R) / c_z(s) over the discrete returns-to-go R_t, trained, as in the
 *   code (tabular_sdt.py `value_loss`, whose gradient reaches the posterior through the straight-through sample),
 *   by −log p(R_t | s_t, z) with weight `valueWeight` (1 in the code); V(z) = E[R_0 | s_0, z] picks z at test time.
 * - The MI term with its critic at the optimum: the contrastive bound E[f] − E_z log E_ρ[exp f] is maximised by
 *   f* = log p(s' | s, a, z) / ρ(s' | s, a) (r is a function of s' in these MDPs), where it equals the MI, so the
 *   penalty is the exact conditional MI of the data's joint p(s, a, s', z) ∝ Σ_i q_i(z) n_i(s, a, s').
 * - F(q) = Σ_i Σ_z q_i(z) g_i(z), g_i(z) = Σ_{t ∈ i} [ −log π(a_t | s_t, z) − w_v log p(R_t | s_t, z)
 *   + β log p(s_{t+1} | s_t, a_t, z) / ρ(s_{t+1} | s_t, a_t) ] is |D| times the per-transition loss; each term is a
 *   count-weighted log of its own maximum-likelihood ratio, so ∂F/∂q_i(z) = g_i(z) (envelope theorem; tested by
 *   finite differences). θ is minimised by full-batch Adam (the code: Adam, lr 0.01, minibatches of 64).
 * - Prior p(z) = (1/N) Σ_i q_i(z) (the aggregate posterior a learned prior fits); V(z) = Σ_i q_i(z) R_i /
 *   Σ_i q_i(z) with R_i the episode's return. Selection: z* = argmax V(z) over latents with p(z) ≥ `minPrior`
 *   (the neural code draws 100 latents from the prior and keeps the best V; the tabular code takes the argmax over
 *   all latents).
 * β = 0 is the future-conditioned VAE-style baseline without the constraint.
 */
import type { Rng } from '../../../core/rng';
import { asEpisodeBatch, type OfflineDataset } from '../data/dataset';
import { returnsToGo } from '../../tabular/loops/learners';

export interface DocOptions {
  /** Number of latents K. */
  latents: number;
  /** Weight β of the MI penalty (the code's energy_weight). */
  beta: number;
  /** Weight of the value loss −log p(R_t | s_t, z) in the posterior's objective (the code: 1). */
  valueWeight?: number;
  /** Adam steps and learning rate on the posterior logits. */
  steps: number;
  lr: number;
  /** Standard deviation of the initial logits (the code: truncated normal, s.d. ≈ 0.88). */
  initScale: number;
  /** Latents eligible at test time: prior mass ≥ minPrior. */
  minPrior: number;
  /** Record the objective every this many steps (0: only the last). */
  curveEvery?: number;
}

export interface DocModel {
  K: number;
  nEpisodes: number;
  /** q_i(z), row-major N × K. */
  q: Float64Array;
  /** p(z), length K. */
  prior: Float64Array;
  /** V(z) = E[return | z] under q (NaN where p(z) = 0). */
  value: Float64Array;
  /** π(·|·, z), one nS·nA table per latent. */
  policies: Float64Array[];
  /** Selected latent z*, its policy and its predicted value V(z*). */
  chosen: number;
  policy: Float64Array;
  predicted: number;
  /** Final per-transition action NLL, value NLL, conditional MI (nats) and L_DoC. */
  actionNll: number;
  valueNll: number;
  mi: number;
  objective: number;
  /** L_DoC along training. */
  curve: number[];
}

/** Episode structure of a dataset: transitions of episode i are [off[i], off[i+1]), with returns. */
interface Episodes {
  N: number;
  off: Int32Array;
  ret: Float64Array;
}

function episodesOf(data: OfflineDataset): Episodes {
  const b = asEpisodeBatch(data);
  const ret = new Float64Array(b.nEpisodes);
  for (let e = 0; e < b.nEpisodes; e++) for (let i = b.offsets[e]; i < b.offsets[e + 1]; i++) ret[e] += data.r[i];
  return { N: b.nEpisodes, off: b.offsets, ret };
}

/**
 * The data compressed to distinct keys u = (s, a, s', R) (R: the transition's undiscounted return-to-go) and, per
 * episode, a sparse list of (key, count); each key knows its (s, a) row, its (s, a, s') triple, its (s, R) pair and
 * its state, and the data's empirical ρ(s' | s, a).
 */
interface KeyIndex {
  U: number;
  /** Episode i's keys are key[ptr[i] .. ptr[i+1]) with counts cnt[...]. */
  ptr: Int32Array;
  key: Int32Array;
  cnt: Float64Array;
  state: Int32Array;
  row: Int32Array;
  triple: Int32Array;
  nTriple: number;
  pair: Int32Array;
  nPair: number;
  /** log ρ(s' | s, a) of each key. */
  logRho: Float64Array;
}

function keyIndex(data: OfflineDataset, ep: Episodes): KeyIndex {
  const { nS, nA } = data;
  const G = returnsToGo(asEpisodeBatch(data), data.r, 1);
  const keys = new Map<string, number>(),
    triples = new Map<number, number>(),
    pairs = new Map<string, number>();
  const state: number[] = [],
    row: number[] = [],
    triple: number[] = [],
    pair: number[] = [];
  const id = new Int32Array(data.size);
  for (let j = 0; j < data.size; j++) {
    const s = data.s[j],
      rw = s * nA + data.a[j],
      tr = rw * nS + data.sp[j];
    const k = `${tr}|${G[j]}`;
    let u = keys.get(k);
    if (u === undefined) {
      keys.set(k, (u = keys.size));
      state.push(s);
      row.push(rw);
      let t = triples.get(tr);
      if (t === undefined) triples.set(tr, (t = triples.size));
      triple.push(t);
      const pk = `${s}|${G[j]}`;
      let p = pairs.get(pk);
      if (p === undefined) pairs.set(pk, (p = pairs.size));
      pair.push(p);
    }
    id[j] = u;
  }
  const U = keys.size;
  const nRow = new Float64Array(nS * nA),
    nTr = new Float64Array(triples.size);
  for (let j = 0; j < data.size; j++) {
    nRow[row[id[j]]]++;
    nTr[triple[id[j]]]++;
  }
  const logRho = new Float64Array(U);
  for (let u = 0; u < U; u++) logRho[u] = Math.log(nTr[triple[u]] / nRow[row[u]]);
  const ptr = new Int32Array(ep.N + 1);
  const key: number[] = [],
    cnt: number[] = [];
  const local = new Map<number, number>();
  for (let i = 0; i < ep.N; i++) {
    local.clear();
    for (let j = ep.off[i]; j < ep.off[i + 1]; j++) local.set(id[j], (local.get(id[j]) ?? 0) + 1);
    for (const [u, c] of local) (key.push(u), cnt.push(c));
    ptr[i + 1] = key.length;
  }
  return {
    U,
    ptr,
    key: Int32Array.from(key),
    cnt: Float64Array.from(cnt),
    state: Int32Array.from(state),
    row: Int32Array.from(row),
    triple: Int32Array.from(triple),
    nTriple: triples.size,
    pair: Int32Array.from(pair),
    nPair: pairs.size,
    logRho,
  };
}

const TINY = 1e-300;

export interface DocObjective {
  /** |D| · L_DoC. */
  F: number;
  /** ∂F/∂q_i(z), N × K. */
  grad: Float64Array;
  /** Per transition: action NLL, value NLL, conditional MI (nats). */
  actionNll: number;
  valueNll: number;
  mi: number;
}

function objectiveWith(
  data: OfflineDataset,
  ki: KeyIndex,
  N: number,
  q: Float64Array,
  K: number,
  beta: number,
  valueWeight: number,
): DocObjective {
  const { nS, nA } = data;
  const { U, ptr, key, cnt, state, row, triple, nTriple, pair, nPair, logRho } = ki;
  const cKey = new Float64Array(U * K);
  for (let i = 0; i < N; i++)
    for (let e = ptr[i]; e < ptr[i + 1]; e++) {
      const base = key[e] * K,
        c = cnt[e];
      for (let z = 0; z < K; z++) cKey[base + z] += c * q[i * K + z];
    }
  const cRow = new Float64Array(nS * nA * K),
    cState = new Float64Array(nS * K),
    cTr = new Float64Array(nTriple * K),
    cPair = new Float64Array(nPair * K);
  for (let u = 0; u < U; u++)
    for (let z = 0; z < K; z++) {
      const w = cKey[u * K + z];
      cRow[row[u] * K + z] += w;
      cState[state[u] * K + z] += w;
      cTr[triple[u] * K + z] += w;
      cPair[pair[u] * K + z] += w;
    }
  // Per key and latent: −log π(a|s,z), log p(s'|s,a,z)/ρ(s'|s,a), −log p(R|s,z).
  const term = new Float64Array(U * K);
  let nll = 0,
    vnll = 0,
    mi = 0;
  for (let u = 0; u < U; u++)
    for (let z = 0; z < K; z++) {
      const cr = Math.max(cRow[row[u] * K + z], TINY),
        cs = Math.max(cState[state[u] * K + z], TINY);
      const a = -Math.log(cr / cs);
      const m = Math.log(Math.max(cTr[triple[u] * K + z], TINY) / cr) - logRho[u];
      const v = -Math.log(Math.max(cPair[pair[u] * K + z], TINY) / cs);
      term[u * K + z] = a + beta * m + valueWeight * v;
      const w = cKey[u * K + z];
      nll += w * a;
      mi += w * m;
      vnll += w * v;
    }
  const grad = new Float64Array(N * K);
  for (let i = 0; i < N; i++)
    for (let e = ptr[i]; e < ptr[i + 1]; e++) {
      const base = key[e] * K,
        c = cnt[e];
      for (let z = 0; z < K; z++) grad[i * K + z] += c * term[base + z];
    }
  const D = data.size;
  return {
    F: nll + beta * mi + valueWeight * vnll,
    grad,
    actionNll: nll / D,
    valueNll: vnll / D,
    mi: mi / D,
  };
}

/** The DoC objective and its gradient at a posterior q (N × K). Exported for tests. */
export function docObjective(
  data: OfflineDataset,
  q: Float64Array,
  K: number,
  beta: number,
  valueWeight = 1,
): DocObjective {
  const ep = episodesOf(data);
  return objectiveWith(data, keyIndex(data, ep), ep.N, q, K, beta, valueWeight);
}

function softmaxRows(theta: Float64Array, N: number, K: number, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let z = 0; z < K; z++) m = Math.max(m, theta[i * K + z]);
    let sum = 0;
    for (let z = 0; z < K; z++) sum += out[i * K + z] = Math.exp(theta[i * K + z] - m);
    for (let z = 0; z < K; z++) out[i * K + z] /= sum;
  }
}

/** Fit DoC on a dataset (see the file comment). */
export function dichotomyOfControl(data: OfflineDataset, opts: DocOptions, rng: Rng): DocModel {
  const { latents: K, beta, steps, lr, initScale, minPrior } = opts;
  const valueWeight = opts.valueWeight ?? 1;
  if (!(Number.isInteger(K) && K >= 1)) throw new RangeError(`dichotomyOfControl: latents must be ≥ 1, got ${K}`);
  if (!(beta >= 0)) throw new RangeError(`dichotomyOfControl: beta must be ≥ 0, got ${beta}`);
  if (!(valueWeight >= 0)) throw new RangeError(`dichotomyOfControl: valueWeight must be ≥ 0, got ${valueWeight}`);
  if (!(Number.isInteger(steps) && steps >= 0 && lr > 0))
    throw new RangeError(`dichotomyOfControl: need integer steps ≥ 0 and lr > 0 (got ${steps}, ${lr})`);
  if (!(minPrior >= 0 && minPrior <= 1 / K))
    throw new RangeError(`dichotomyOfControl: minPrior must lie in [0, 1/K] so a latent is eligible, got ${minPrior}`);
  if (data.size === 0) throw new RangeError('dichotomyOfControl: the dataset is empty');
  const ep = episodesOf(data);
  const ki = keyIndex(data, ep);
  const N = ep.N;
  const theta = new Float64Array(N * K);
  for (let i = 0; i < N * K; i++) theta[i] = initScale * rng.normal();
  const q = new Float64Array(N * K);
  const m1 = new Float64Array(N * K),
    m2 = new Float64Array(N * K);
  const b1 = 0.9,
    b2 = 0.999,
    eps = 1e-8;
  const curve: number[] = [];
  const every = opts.curveEvery ?? 0;
  const D = data.size;
  for (let t = 1; t <= steps; t++) {
    softmaxRows(theta, N, K, q);
    const { F, grad } = objectiveWith(data, ki, N, q, K, beta, valueWeight);
    if (every > 0 && (t - 1) % every === 0) curve.push(F / D);
    // Chain rule through the softmax; the loss is a mean over transitions (the code's reduce_mean); Adam.
    const c1 = 1 - Math.pow(b1, t),
      c2 = 1 - Math.pow(b2, t);
    for (let i = 0; i < N; i++) {
      let gbar = 0;
      for (let z = 0; z < K; z++) gbar += q[i * K + z] * grad[i * K + z];
      for (let z = 0; z < K; z++) {
        const k = i * K + z;
        const g = (q[k] * (grad[k] - gbar)) / D;
        m1[k] = b1 * m1[k] + (1 - b1) * g;
        m2[k] = b2 * m2[k] + (1 - b2) * g * g;
        theta[k] -= (lr * (m1[k] / c1)) / (Math.sqrt(m2[k] / c2) + eps);
      }
    }
  }
  softmaxRows(theta, N, K, q);
  const fin = objectiveWith(data, ki, N, q, K, beta, valueWeight);
  curve.push(fin.F / D);
  return summarise(data, ep, q, K, minPrior, fin, curve);
}

/** Prior, values, per-latent policies and the selected latent of a posterior q. */
function summarise(
  data: OfflineDataset,
  ep: Episodes,
  q: Float64Array,
  K: number,
  minPrior: number,
  fin: DocObjective,
  curve: number[],
): DocModel {
  const { nS, nA } = data;
  const { N, off, ret } = ep;
  const prior = new Float64Array(K),
    value = new Float64Array(K);
  for (let i = 0; i < N; i++)
    for (let z = 0; z < K; z++) {
      prior[z] += q[i * K + z];
      value[z] += q[i * K + z] * ret[i];
    }
  for (let z = 0; z < K; z++) {
    value[z] = prior[z] > 0 ? value[z] / prior[z] : NaN;
    prior[z] /= N;
  }
  const policies: Float64Array[] = [];
  for (let z = 0; z < K; z++) {
    const c = new Float64Array(nS * nA);
    for (let i = 0; i < N; i++) {
      const w = q[i * K + z];
      for (let j = off[i]; j < off[i + 1]; j++) c[data.s[j] * nA + data.a[j]] += w;
    }
    const pi = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      let tot = 0;
      for (let a = 0; a < nA; a++) tot += c[s * nA + a];
      for (let a = 0; a < nA; a++) pi[s * nA + a] = tot > 0 ? c[s * nA + a] / tot : 1 / nA;
    }
    policies.push(pi);
  }
  let chosen = -1;
  for (let z = 0; z < K; z++) if (prior[z] >= minPrior && (chosen < 0 || value[z] > value[chosen])) chosen = z;
  return {
    K,
    nEpisodes: N,
    q,
    prior,
    value,
    policies,
    chosen,
    policy: policies[chosen],
    predicted: value[chosen],
    actionNll: fin.actionNll,
    valueNll: fin.valueNll,
    mi: fin.mi,
    objective: fin.F / data.size,
    curve,
  };
}

/** The model of a given posterior q (N × K) without training (for tests and analysis). */
export function docFromPosterior(
  data: OfflineDataset,
  q: Float64Array,
  K: number,
  beta: number,
  minPrior: number,
  valueWeight = 1,
): DocModel {
  const ep = episodesOf(data);
  if (q.length !== ep.N * K) throw new RangeError(`docFromPosterior: q must be N×K = ${ep.N * K}, got ${q.length}`);
  const fin = docObjective(data, q, K, beta, valueWeight);
  return summarise(data, ep, q, K, minPrior, fin, [fin.F / data.size]);
}
