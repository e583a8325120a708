/**
 * The grid-world miniature of Abdel Sadek, Nulli, Velja & Vincenti, "'Explaining RL Decisions with Trajectories': A
 * Reproducibility Study" (TMLR 2024, arXiv:2411.07200), which tests the claims of Deshmukh et al., "Explaining RL
 * Decisions with Trajectories" (ICLR 2023): trajectory attribution (methods/trajectory-attribution.ts) on the
 * original 7×7 grid-world (env/lava-grid.ts), with exact policy values as the oracle.
 *
 * Per seed:
 * - Data (the original code's generate_offline_data): episodes of at most `horizon` steps from a start cell drawn
 *   uniformly, each by one of `behaviourEpsilons.length` agents drawn uniformly (agent k: ε_k-greedy on Q*, standing
 *   in for the code's partially trained Dyna-Q agents); episodes that end in a goal are kept until `positives` are,
 *   episodes that end in lava until `negatives` are; truncated episodes are discarded.
 * - Encoder and clusters: `visitationEmbedding` per trajectory; X-means (kInit, kMax) on the embeddings.
 * - Learners (each on the full data = the original agent, and on every complementary dataset D \ c_j):
 *   `mb`: certainty-equivalence dynamic programming on the empirical model (the original code's generate_model + dp),
 *   restricted to the data's actions (fitted Q iteration to its fixed point, methods/fqi.ts);
 *   `cql`: tabular CQL(H) with weight `cqlAlpha` (methods/cql.ts).
 * - Claim (i) "training on less trajectories induces a lower initial state value", two ways: removing one cluster
 *   (the original's Table 1) and keeping a random share `fractions` of the trajectories (`subsets` draws each).
 *   ISV estimate: Σ_s μ₀(s) V̂(s) of the learner; oracle: J(π) = Σ_s μ₀(s) V^π(s), exact (linear solve).
 * - Claim (ii) "trajectories in a cluster present similar high-level patterns": purity of the clusters against the
 *   trajectory's (start cell, terminal cell) and against random partitions with the same cluster sizes; silhouette.
 * - Claim (iii) "distant trajectories influence the decision of an agent": every state with data where the
 *   attribution names a cluster; the share of that cluster's trajectories that never visit the state, and that
 *   never come within `nearCells` steps of it (BFS), against the same shares over all trajectories (base rate).
 *
 * Record keys (`method/metric`): for L ∈ {mb, cql}: `L/isvEst`, `L/isvTrue` (full data); `L/dropEst`,
 * `L/dropTrue` (mean over clusters of ISV(full) − ISV(D \ c_j)); `L/lowerEst`, `L/lowerTrue` (share of clusters
 * whose removal lowers the ISV by more than 1e-9); `L/raiseEst`, `L/raiseTrue` (share that raise it);
 * `L/isvEst-f<pct>`, `L/isvTrue-f<pct>` (mean over subset draws); `L/explained`, `L/attributed` (states);
 * `L/neverVisits`, `L/farFrom`, `L/baseNeverVisits`, `L/baseFarFrom` (means over attributions), `L/changedPerState`;
 * `clusters/k`, `clusters/silhouette`, `clusters/purity`, `clusters/purityRandom`, `clusters/outcomePurity`,
 * `clusters/outcomePurityRandom`; `optimal/isvTrue`, `uniform/isvTrue`, `mb/normalised`; `data/episodes`,
 * `data/transitions`, `data/tries`. Series: `L/dropEstByCluster`, `L/dropTrueByCluster` (one value per cluster).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  lavaGridworld,
  ORIGINAL_7X7,
  type LavaGridSpec,
  type LavaGridTask,
} from '../../testbeds/offline/env/lava-grid';
import { behaviourPolicy, collectDataset, type OfflineDataset } from '../../testbeds/offline/data/dataset';
import { concatDatasets } from '../../testbeds/offline/data/imitation';
import { episodeOffsets, selectEpisodes } from '../../testbeds/offline/data/episodes';
import { clusterPurity, silhouetteScore, xMeans } from '../../testbeds/offline/data/clustering';
import type { LearnedPolicy } from '../../testbeds/offline/data/empirical';
import { fittedQIteration } from '../../testbeds/offline/methods/fqi';
import { cql } from '../../testbeds/offline/methods/cql';
import {
  attributeDecision,
  dataEmbedding,
  optimalActionMask,
  valueSampleW1,
  visitationEmbedding,
} from '../../testbeds/offline/methods/trajectory-attribution';
import { bfsDistances, policyValue, valueScale } from '../../testbeds/offline/solvers/evaluation';

export interface Config {
  /** The grid-world (default: the original 7×7 with slip 0.1, see DEFAULTS). */
  grid: LavaGridSpec;
  /** Steps per episode at most (the code's max_traj_len = 10). */
  horizon: number;
  /** Episodes ending in a goal to keep (the code's num_pos_trajs = 50). */
  positives: number;
  /** Episodes ending in lava to keep (the code's num_neg_trajs = 10). */
  negatives: number;
  /** ε of each behaviour agent (ε-greedy on Q*); an episode's agent is drawn uniformly (the code: 5 agents). */
  behaviourEpsilons: number[];
  /** Give up after this many episodes without filling the quotas. */
  maxTries: number;
  /** Temperature of the data embedding (the code: 10). */
  tSoft: number;
  /** X-means: initial and largest number of clusters (the code: 2 and 10). */
  kInit: number;
  kMax: number;
  /** CQL(H) weight α (per sample, reward units). */
  cqlAlpha: number;
  /** Shares of the trajectories kept for the data-size form of claim (i). */
  fractions: number[];
  /** Random subsets drawn per share. */
  subsets: number;
  /** Random partitions (same cluster sizes) for the purity baseline. */
  permutations: number;
  /** A trajectory is far from a state when none of its states is within this many steps of it (BFS). */
  nearCells: number;
}

export const DEFAULTS: Config = {
  grid: { ...ORIGINAL_7X7, slip: 0.1 },
  horizon: 10,
  positives: 50,
  negatives: 10,
  behaviourEpsilons: [0.1, 0.3, 0.5, 0.7, 0.9],
  maxTries: 200_000,
  tSoft: 10,
  kInit: 2,
  kMax: 10,
  cqlAlpha: 0.1,
  fractions: [0.75, 0.5, 0.25],
  subsets: 10,
  permutations: 50,
  nearCells: 2,
};

export const LEARNERS = ['mb', 'cql'] as const;
export type Learner = (typeof LEARNERS)[number];

/** The data of a seed: `positives` goal episodes then `negatives` lava episodes, and each episode's agent. */
export function collectAttributionData(
  task: LavaGridTask,
  c: Config,
  rng: Rng,
): { data: OfflineDataset; agent: number[]; tries: number } {
  const behaviours = c.behaviourEpsilons.map((epsilon) => behaviourPolicy(task, { kind: 'epsilon', epsilon }));
  const pos: OfflineDataset[] = [],
    neg: OfflineDataset[] = [];
  const posAgent: number[] = [],
    negAgent: number[] = [];
  let tries = 0;
  while (pos.length < c.positives || neg.length < c.negatives) {
    if (++tries > c.maxTries)
      throw new RangeError(
        `collectAttributionData: ${c.maxTries} episodes gave only ${pos.length}/${c.positives} goal and ` +
          `${neg.length}/${c.negatives} lava episodes; raise maxTries or the behaviours' ε`,
      );
    const k = rng.int(behaviours.length);
    const ep = collectDataset(task, behaviours[k], { episodes: 1, horizon: c.horizon, quality: `agent-${k}` }, rng);
    const last = ep.size - 1;
    if (last < 0 || !ep.done[last]) continue;
    const o = task.outcome[ep.sp[last]];
    if (o > 0 && pos.length < c.positives) (pos.push(ep), posAgent.push(k));
    else if (o < 0 && neg.length < c.negatives) (neg.push(ep), negAgent.push(k));
  }
  return { data: concatDatasets([...pos, ...neg], 'attribution-data'), agent: [...posAgent, ...negAgent], tries };
}

function learn(L: Learner, data: OfflineDataset, c: Config): LearnedPolicy {
  return L === 'mb' ? fittedQIteration(data, { tol: 1e-12 }) : cql(data, { alpha: c.cqlAlpha, tol: 1e-12 });
}

/** Σ_s μ₀(s) V̂(s): the learner's own estimate of the initial state value. */
function isvEstimate(task: LavaGridTask, p: LearnedPolicy): number {
  let v = 0;
  for (const s of task.starts) v += task.env.init[s] * p.V![s];
  return v;
}

function mean(x: readonly number[]): number {
  return x.length ? x.reduce((u, v) => u + v, 0) / x.length : NaN;
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const rng = new Rng(seed).split('explaining-rl-decisions-with-trajectories');
  const task = lavaGridworld(c.grid);
  const { nS, nA } = task.env;
  const scale = valueScale(task);
  metrics['optimal/isvTrue'] = scale.optimal;
  metrics['uniform/isvTrue'] = scale.uniform;

  const { data, tries } = collectAttributionData(task, c, rng.split('data'));
  const off = episodeOffsets(data);
  const nE = off.length - 1;
  metrics['data/episodes'] = nE;
  metrics['data/transitions'] = data.size;
  metrics['data/tries'] = tries;

  // (1) encode, (2) cluster.
  const emb = Array.from({ length: nE }, (_, e) => visitationEmbedding(data, off[e], off[e + 1]));
  const dim = emb[0].length;
  const X = new Float64Array(nE * dim);
  emb.forEach((t, e) => X.set(t, e * dim));
  const km = xMeans(X, nE, dim, { kInit: c.kInit, kMax: c.kMax }, rng.split('xmeans'));
  const K = km.k;
  metrics['clusters/k'] = K;
  metrics['clusters/silhouette'] = K >= 2 ? silhouetteScore(X, nE, dim, km.labels) : NaN;
  // High-level pattern of a trajectory: (start state, terminal state); and its outcome alone.
  const pattern = Int32Array.from({ length: nE }, (_, e) => data.s[off[e]] * nS + data.sp[off[e + 1] - 1]);
  const outcome = Int32Array.from({ length: nE }, (_, e) => data.sp[off[e + 1] - 1]);
  metrics['clusters/purity'] = clusterPurity(km.labels, pattern);
  metrics['clusters/outcomePurity'] = clusterPurity(km.labels, outcome);
  {
    const prng = rng.split('permutations');
    const perm = Int32Array.from(km.labels);
    let pp = 0,
      po = 0;
    for (let r = 0; r < c.permutations; r++) {
      for (let i = nE - 1; i > 0; i--) {
        const j = prng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      pp += clusterPurity(perm, pattern) / c.permutations;
      po += clusterPurity(perm, outcome) / c.permutations;
    }
    metrics['clusters/purityRandom'] = pp;
    metrics['clusters/outcomePurityRandom'] = po;
  }

  // (3) data embeddings of D and of every D \ c_j.
  const dFull = dataEmbedding(emb, c.tSoft);
  const complement: OfflineDataset[] = [];
  const distance: number[] = [];
  for (let j = 0; j < K; j++) {
    const keep = Array.from(km.labels, (l) => l !== j);
    complement.push(selectEpisodes(data, keep, `without-cluster-${j}`));
    distance.push(
      valueSampleW1(
        dFull,
        dataEmbedding(
          emb.filter((_, e) => keep[e]),
          c.tSoft,
        ),
      ),
    );
  }

  // Which trajectories visit, or come near, each state.
  const visits: Uint8Array[] = [];
  for (let e = 0; e < nE; e++) {
    const v = new Uint8Array(nS);
    for (let i = off[e]; i < off[e + 1]; i++) v[data.s[i]] = 1;
    v[data.sp[off[e + 1] - 1]] = 1;
    visits.push(v);
  }
  const hasData = new Uint8Array(nS);
  for (let i = 0; i < data.size; i++) hasData[data.s[i]] = 1;

  for (const L of LEARNERS) {
    const full = learn(L, data, c);
    const isvE = isvEstimate(task, full);
    const isvT = policyValue(task, full.policy);
    metrics[`${L}/isvEst`] = isvE;
    metrics[`${L}/isvTrue`] = isvT;
    if (L === 'mb') metrics['mb/normalised'] = (isvT - scale.uniform) / (scale.optimal - scale.uniform);
    // (4) explanation policies.
    const expl = complement.map((d) => learn(L, d, c));
    const dropE = expl.map((p) => isvE - isvEstimate(task, p));
    const dropT = expl.map((p) => isvT - policyValue(task, p.policy));
    series[`${L}/dropEstByCluster`] = dropE;
    series[`${L}/dropTrueByCluster`] = dropT;
    metrics[`${L}/dropEst`] = mean(dropE);
    metrics[`${L}/dropTrue`] = mean(dropT);
    metrics[`${L}/lowerEst`] = mean(dropE.map((x) => (x > 1e-9 ? 1 : 0)));
    metrics[`${L}/lowerTrue`] = mean(dropT.map((x) => (x > 1e-9 ? 1 : 0)));
    metrics[`${L}/raiseEst`] = mean(dropE.map((x) => (x < -1e-9 ? 1 : 0)));
    metrics[`${L}/raiseTrue`] = mean(dropT.map((x) => (x < -1e-9 ? 1 : 0)));
    // Claim (i), data-size form: random shares of the trajectories.
    for (const f of c.fractions) {
      const srng = rng.split(`subset-${L}-${f}`);
      const keepN = Math.max(1, Math.round(f * nE));
      let e = 0,
        t = 0;
      for (let r = 0; r < c.subsets; r++) {
        const idx = Array.from({ length: nE }, (_, i) => i);
        for (let i = nE - 1; i > 0; i--) {
          const j = srng.int(i + 1);
          [idx[i], idx[j]] = [idx[j], idx[i]];
        }
        const keep = new Array<boolean>(nE).fill(false);
        for (let i = 0; i < keepN; i++) keep[idx[i]] = true;
        const p = learn(L, selectEpisodes(data, keep, `subset-${f}`), c);
        e += isvEstimate(task, p) / c.subsets;
        t += policyValue(task, p.policy) / c.subsets;
      }
      const pct = Math.round(f * 100);
      metrics[`${L}/isvEst-f${pct}`] = e;
      metrics[`${L}/isvTrue-f${pct}`] = t;
    }
    // (5) attribution at every non-terminal state with data.
    let explained = 0,
      changed = 0;
    const never: number[] = [],
      far: number[] = [],
      baseNever: number[] = [],
      baseFar: number[] = [];
    const masks = new Int32Array(K);
    for (let s = 0; s < nS; s++) {
      if (task.terminal[s] || !hasData[s]) continue;
      explained++;
      const orig = optimalActionMask(full.Q!, nA, s);
      for (let j = 0; j < K; j++) masks[j] = optimalActionMask(expl[j].Q!, nA, s);
      const at = attributeDecision(orig, masks, distance);
      changed += at.changed;
      if (at.cluster < 0) continue;
      const dist = bfsDistances(task.env, s);
      const isFar = (e: number): boolean => {
        for (let x = 0; x < nS; x++) if (visits[e][x] && dist[x] >= 0 && dist[x] <= c.nearCells) return false;
        return true;
      };
      const members: number[] = [];
      km.labels.forEach((l, e) => l === at.cluster && members.push(e));
      never.push(mean(members.map((e) => 1 - visits[e][s])));
      far.push(mean(members.map((e) => (isFar(e) ? 1 : 0))));
      const all = Array.from({ length: nE }, (_, e) => e);
      baseNever.push(mean(all.map((e) => 1 - visits[e][s])));
      baseFar.push(mean(all.map((e) => (isFar(e) ? 1 : 0))));
    }
    metrics[`${L}/explained`] = explained;
    metrics[`${L}/attributed`] = never.length;
    metrics[`${L}/changedPerState`] = changed / Math.max(1, explained);
    metrics[`${L}/neverVisits`] = mean(never);
    metrics[`${L}/farFrom`] = mean(far);
    metrics[`${L}/baseNeverVisits`] = mean(baseNever);
    metrics[`${L}/baseFarFrom`] = mean(baseFar);
  }
  return { metrics, series };
}

/** Re-exported for the notebook. */
export { lavaGridworld } from '../../testbeds/offline/env/lava-grid';
export { valueScale } from '../../testbeds/offline/solvers/evaluation';
