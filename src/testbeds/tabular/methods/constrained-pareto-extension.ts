/**
 * C-MORL (Liu, Pan, Xu, Song, Bian, You & Chen, "Efficient Discovery of Pareto Front for Multi-Objective
 * Reinforcement Learning", ICLR 2025, arXiv:2410.02236), built as its official code does it
 * (github.com/RuohLiuq/C-MORL, morl/morl.py, morl/ep.py, morl/mopg.py and the `ipo_update` of its PPO), on the
 * tabular vector policy gradient (loops/vector-policy-gradient.ts), and the linear-scalarisation sweep it is
 * compared with.
 *
 * Stage 1, Pareto initialisation: one policy per preference w of a fixed grid, trained by scalarised PG
 * (advantage w·A). Every evaluated iterate enters an archive (the code's external Pareto set EP).
 * Stage 2, Pareto extension, for `rounds` rounds: pick `numSelect` policies of the archive's non-dominated set
 * with the largest crowding distance (ends first; an objective vector selected before is skipped, as the
 * code's obj_hist does), and from each selected π_r, for every objective i, run `branchUpdates` updates of
 * constrained PG on
 *   max_π J_i(π)  subject to  J_j(π) ≥ d_j, j ≠ i,   d_j = J_j(π_r) − (1 − β)|J_j(π_r)|
 * (= β J_j(π_r) for a positive return; the sign-safe form keeps the threshold below J_j(π_r) for negative
 * returns such as Deep Sea Treasure's time). Ĵ(π) is the vector critic's value at the start state (an
 * exponential average of batch returns, as the code's CPO variant uses its critic for the constraint value);
 * J(π_r) is that estimate when the branch starts.
 * Two solvers of the constrained step:
 * - 'ipo' (the code's default, `--update-method cmorl-ipo`): interior point, the log-barrier objective
 *   J_i/s_i + (1/t) Σ_j log(J_j − d_j), whose gradient is ∇J_i/s_i + Σ_j ∇J_j / (t (J_j − d_j)): combination
 *   coefficients c_i = 1/s_i, c_j = 1/(t·max(Ĵ_j − d_j, 1e-3 s_j)) (the code clamps the barrier's argument
 *   the same way);
 * - 'lagrangian': J_i/s_i + Σ_j λ_j (J_j − d_j)/s_j with projected dual descent
 *   λ_j ← max(0, λ_j − η (Ĵ_j − d_j)/s_j) after every batch.
 * s_k: the range (max − min) of objective k on the archive's front when stage 2 starts (the code normalises
 * objectives by running statistics instead).
 */
import { Rng } from '../../../core/rng';
import type { VectorMdp } from '../env/vector-reward';
import { VectorPgLearner, type VectorPgOptions } from '../loops/vector-policy-gradient';
import { nonDominated } from '../solvers/pareto-front';
import { crowdingDistance } from './front-quality';

/** One archived return vector and the latest policy that reached it. */
interface ArchiveEntry {
  ret: Float64Array;
  learner: VectorPgLearner;
}

/** The external Pareto archive: every evaluated greedy return, with the update count when first seen. */
export class ParetoArchive {
  private readonly entries = new Map<string, ArchiveEntry>();
  /** (update, return vector) the first time each distinct return vector was evaluated. */
  readonly history: { update: number; ret: Float64Array }[] = [];

  /** Evaluates `learner` greedily and archives its return (a copy of the policy is kept). */
  insert(learner: VectorPgLearner, update: number): Float64Array {
    const ret = learner.greedyReturn();
    const key = Array.from(ret, (x) => x.toFixed(9)).join(',');
    if (!this.entries.has(key)) this.history.push({ update, ret });
    this.entries.set(key, { ret, learner: learner.clone() });
    return ret;
  }

  /** The non-dominated archived entries, sorted as `nonDominated` sorts (lexicographic, descending). */
  front(): ArchiveEntry[] {
    const nd = nonDominated([...this.entries.values()].map((e) => e.ret));
    return nd.map((r) => this.entries.get(Array.from(r, (x) => x.toFixed(9)).join(','))!);
  }
}

/**
 * The front of the archive as it was after `update` updates (from the history).
 */
export function frontAtUpdate(history: readonly { update: number; ret: Float64Array }[], update: number) {
  return nonDominated(history.filter((h) => h.update <= update).map((h) => h.ret));
}

/**
 * Crowding-distance selection (ep.py, filter_by_crowding_distance): the `n` front entries with the largest
 * crowding distance whose return vector is not in `selected` (ties: front order). When fewer than n remain,
 * previously selected entries fill up, and a front smaller than n is cycled through (so the extension budget is
 * always spent; the code would run fewer branches).
 */
export function selectByCrowding<T extends { ret: Float64Array }>(
  front: readonly T[],
  n: number,
  selected: Set<string>,
) {
  const cd = crowdingDistance(front.map((e) => e.ret));
  const order = front.map((_, i) => i).sort((a, b) => cd[b] - cd[a] || a - b);
  const key = (e: T) => Array.from(e.ret, (x) => x.toFixed(9)).join(',');
  const fresh = order.filter((i) => !selected.has(key(front[i])));
  const picked = fresh.slice(0, n);
  for (const i of order) if (picked.length < n && !picked.includes(i)) picked.push(i);
  for (let r = 0; picked.length < n && order.length > 0; r++) picked.push(order[r % order.length]);
  for (const i of picked) selected.add(key(front[i]));
  return picked.map((i) => front[i]);
}

/** IPO barrier coefficients for maximising objective i under J_j ≥ d_j (see the module comment). */
export function barrierCoefficients(
  i: number,
  J: ArrayLike<number>,
  d: ArrayLike<number>,
  scale: ArrayLike<number>,
  t: number,
): Float64Array {
  const c = new Float64Array(J.length);
  for (let k = 0; k < J.length; k++) c[k] = k === i ? 1 / scale[k] : 1 / (t * Math.max(J[k] - d[k], 1e-3 * scale[k]));
  return c;
}

/** Thresholds d_j = J_j − (1 − β)|J_j| (β J_j for positive J_j). */
export function constraintThresholds(J: ArrayLike<number>, beta: number): Float64Array {
  return Float64Array.from(J, (x) => x - (1 - beta) * Math.abs(x));
}

export interface ScalarisationSweepOptions extends VectorPgOptions {
  /** Std of the initial logits. */
  initStd: number;
  /** Preference weights, one policy each. */
  weights: readonly Float64Array[];
  /** Updates per policy. */
  updates: number;
  /** If set, the round-robin stops after this many updates in all (the budget; some policies get one more). */
  total?: number;
}

/** A run: the archive and the number of updates (each `batch` episodes) it consumed. */
export interface FrontRun {
  archive: ParetoArchive;
  updates: number;
  /** Extension diagnostics (C-MORL only). */
  extension?: { branches: number; feasibleFinal: number; improvedTarget: number };
}

/**
 * Trains one policy per weight (round-robin, one update each in turn, so the archive's history is ordered by
 * budget spent), archiving every iterate. `counter` continues an update count (C-MORL's stage 1 uses it).
 */
export function trainScalarised(
  mdp: VectorMdp,
  rng: Rng,
  o: ScalarisationSweepOptions,
  archive = new ParetoArchive(),
  counter = 0,
): FrontRun {
  const learners = o.weights.map((_, m) => VectorPgLearner.random(mdp, rng.split(`init-${m}`), o.initStd));
  const streams = o.weights.map((_, m) => rng.split(`pg-${m}`));
  for (const l of learners) archive.insert(l, counter);
  const stop = counter + (o.total ?? o.updates * learners.length);
  for (let m = 0; counter < stop; m = (m + 1) % learners.length) {
    learners[m].update(learners[m].sampleBatch(streams[m], o.batch), o.weights[m], o);
    archive.insert(learners[m], ++counter);
  }
  return { archive, updates: counter };
}

export interface ParetoExtensionOptions extends ScalarisationSweepOptions {
  /** Extension rounds (selection, then branches). */
  rounds: number;
  /** Policies selected per round. */
  numSelect: number;
  /** Updates per branch (one branch per selected policy and objective). */
  branchUpdates: number;
  /** Constraint relaxation β (the code's default 0.9). */
  beta: number;
  /** Constrained step: 'ipo' (log barrier, coefficient t) or 'lagrangian' (dual step size dualLr). */
  solver: 'ipo' | 'lagrangian';
  t: number;
  dualLr: number;
}

/** C-MORL: Pareto initialisation by scalarised PG, then constrained Pareto extension (module comment). */
export function paretoExtension(mdp: VectorMdp, rng: Rng, o: ParetoExtensionOptions): FrontRun {
  const { archive } = trainScalarised(mdp, rng.split('stage1'), o);
  let counter = o.weights.length * o.updates;
  const nObj = mdp.nObj;
  const front0 = archive.front();
  const scale = new Float64Array(nObj);
  for (let k = 0; k < nObj; k++) {
    const v = front0.map((e) => e.ret[k]);
    scale[k] = Math.max(1e-9, Math.max(...v) - Math.min(...v), 1e-3 * Math.max(...v.map(Math.abs)));
  }
  const selected = new Set<string>();
  let branches = 0,
    feasibleFinal = 0,
    improvedTarget = 0;
  for (let r = 0; r < o.rounds; r++) {
    const picks = selectByCrowding(archive.front(), o.numSelect, selected);
    const bs = picks.flatMap((e, p) =>
      Array.from({ length: nObj }, (_, i) => ({
        i,
        learner: e.learner.clone(),
        rng: rng.split(`round-${r}`).split(`branch-${p}-${i}`),
        d: null as Float64Array | null,
        J0: null as Float64Array | null,
        J: null as Float64Array | null,
        lambda: new Float64Array(nObj),
      })),
    );
    for (let u = 0; u < o.branchUpdates; u++)
      for (const b of bs) {
        const batch = b.learner.sampleBatch(b.rng, o.batch);
        // Ĵ(π): the critic's value at the start state (an exponential average of the batch returns).
        const J = b.learner.critic.slice(mdp.start * nObj, (mdp.start + 1) * nObj);
        if (!b.d) {
          b.J0 = Float64Array.from(J);
          b.d = constraintThresholds(J, o.beta);
        }
        let c: Float64Array;
        if (o.solver === 'ipo') c = barrierCoefficients(b.i, J, b.d, scale, o.t);
        else {
          c = new Float64Array(nObj);
          for (let k = 0; k < nObj; k++) c[k] = k === b.i ? 1 / scale[k] : b.lambda[k] / scale[k];
          for (let k = 0; k < nObj; k++)
            if (k !== b.i) b.lambda[k] = Math.max(0, b.lambda[k] - (o.dualLr * (J[k] - b.d[k])) / scale[k]);
        }
        b.learner.update(batch, c, o);
        b.J = b.learner.critic.slice(mdp.start * nObj, (mdp.start + 1) * nObj);
        archive.insert(b.learner, ++counter);
      }
    for (const b of bs) {
      branches++;
      let ok = true;
      for (let k = 0; k < nObj; k++) if (k !== b.i && b.J![k] < b.d![k]) ok = false;
      if (ok) feasibleFinal++;
      if (b.J![b.i] > b.J0![b.i]) improvedTarget++;
    }
  }
  return { archive, updates: counter, extension: { branches, feasibleFinal, improvedTarget } };
}

/**
 * Simplex weights for a sweep of `count` policies in nObj objectives: the evenly spaced grid of the largest
 * resolution with at most `count` points (components multiples of 1/N), then Dirichlet(1) draws from `rng`
 * to fill up to `count`.
 */
export function sweepWeights(nObj: number, count: number, rng: Rng): Float64Array[] {
  const grid = (N: number): Float64Array[] => {
    const out: Float64Array[] = [];
    const cur = new Int32Array(nObj);
    const rec = (k: number, left: number) => {
      if (k === nObj - 1) {
        cur[k] = left;
        out.push(Float64Array.from(cur, (x) => x / N));
        return;
      }
      for (let x = left; x >= 0; x--) {
        cur[k] = x;
        rec(k + 1, left - x);
      }
    };
    rec(0, N);
    return out;
  };
  let best = grid(1);
  for (let N = 2; ; N++) {
    const g = grid(N);
    if (g.length > count) break;
    best = g;
  }
  const out = best.slice(0, count);
  while (out.length < count) {
    const w = new Float64Array(nObj);
    let z = 0;
    for (let k = 0; k < nObj; k++) z += w[k] = -Math.log(1 - rng.uniform());
    for (let k = 0; k < nObj; k++) w[k] /= z;
    out.push(w);
  }
  return out;
}
