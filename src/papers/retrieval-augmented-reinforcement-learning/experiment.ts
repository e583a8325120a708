/**
 * The tabular miniature of Goyal et al., "Retrieval-Augmented Reinforcement Learning" (ICML 2022, arXiv:2202.08417):
 * in an offline multi-task gridworld, a single task-conditioned linear DQN suffers task interference; the same DQN
 * augmented with a retrieval process (attention over a batch of stored trajectory steps,
 * methods/retrieval-augmented-q.ts) avoids it. Scored exactly per task.
 *
 * World: `spec` (default a 5×5 open room, γ = 0.9, 10% slip), `goals` goal cells, one task each (reward −1 per step,
 * 0 on entering the task's goal, env/tasks.ts). Data: per task `episodes` ε-greedy episodes (ε = `epsilon`) of at
 * most `horizon` steps, all mixed in one dataset with the task id of each transition. Methods (same mixed data, same
 * fitted-Q iterations and ridge):
 * - `dqn`: linear Q(s, t, a) = w·[e_s ⊗ e_a ; e_t ⊗ e_a] (one shared value network conditioned on the task);
 * - `r2a`: the same head with its input extended by the retrieved vector u(x) = [c; u; 1[c = 0]] of (s, goal of t)
 *   (each action's output reads all of u(x)), retrieved from `retrievalEpisodes` trajectories drawn from the same
 *   data (the retrieval batch), keys = (state, outcome); `retrieved-greedy`: greedy on u_a itself (no learning);
 * - `r2a-state-key`: ablation, keys = state only (no backward summary);
 * - `per-task`: one tabular fitted Q iteration per task on that task's data only (separate agents, no sharing);
 * - `optimal`: exact per-task optimum (normalised value 1 by definition).
 * Record keys: `<m>/norm` (normalised value, mean over tasks: (J − J_unif)/(J* − J_unif)), `<m>/norm<t>` per task;
 * `r2a/hit` (share of agent states whose top-1 retrieved step has the right state and outcome); `data/size`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { goalTask, type OfflineTask, type OfflineWorldSpec } from '../../testbeds/offline/env/tasks';
import { behaviourPolicy, collectDataset, type OfflineDataset } from '../../testbeds/offline/data/dataset';
import { fittedQIteration } from '../../testbeds/offline/methods/fqi';
import { normalisedValue, policyValue, valueScale } from '../../testbeds/offline/solvers/evaluation';
import {
  linearFittedQIteration,
  retrieveByAttention,
  type RetrievalMemory,
  type RetrievalOptions,
} from '../../testbeds/offline/methods/retrieval-augmented-q';

export interface Config {
  spec: OfflineWorldSpec;
  /** Goal cells (row·size + col), one task each. */
  goals: number[];
  /** Episodes per task. */
  episodes: number;
  horizon: number;
  /** Behaviour: ε-greedy around each task's optimal policy. */
  epsilon: number;
  /** Trajectories in the retrieval batch (drawn from the mixed data). */
  retrievalEpisodes: number;
  topK: number;
  temperature: number;
  /** Fitted Q iterations (every learner) and ridge λ (linear learners). */
  iterations: number;
  ridge: number;
}

export const DEFAULTS: Config = {
  spec: { layout: 'open-room', size: 5, gamma: 0.9, slip: 0.1 },
  goals: [0, 4, 12, 20, 24],
  episodes: 100,
  horizon: 20,
  epsilon: 0.3,
  retrievalEpisodes: 500,
  topK: 3,
  temperature: 0.25,
  iterations: 60,
  ridge: 1,
};

export const METHODS = ['dqn', 'r2a', 'r2a-state-key', 'per-task'] as const;

export function setup(c: Config) {
  return { tasks: c.goals.map((g) => goalTask(c.spec, g)) };
}

function greedy(Q: Float64Array, offset: number, nS: number, nA: number): Float64Array {
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, Q[offset + s * nA + a]);
    const best: number[] = [];
    for (let a = 0; a < nA; a++) if (Q[offset + s * nA + a] >= m - 1e-9) best.push(a);
    for (const a of best) pi[s * nA + a] = 1 / best.length;
  }
  return pi;
}

/** Per-step discounted return-to-go within each episode of a dataset. */
function returnsToGo(d: OfflineDataset): Float64Array {
  const G = new Float64Array(d.size);
  for (let i = d.size - 1; i >= 0; i--) {
    const cont = i + 1 < d.size && d.episode[i + 1] === d.episode[i] && !d.done[i];
    G[i] = d.r[i] + (cont ? d.gamma * G[i + 1] : 0);
  }
  return G;
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const metrics: Record<string, number> = {};
  const rng = new Rng(seed).split('r2a');
  const { tasks } = setup(c);
  const K = tasks.length;
  const { nS, nA } = tasks[0].env;
  const data = tasks.map((t: OfflineTask, k) =>
    collectDataset(
      t,
      behaviourPolicy(t, { kind: 'epsilon', epsilon: c.epsilon }),
      { episodes: c.episodes, horizon: c.horizon, quality: `task-${k}` },
      rng.split(`data-${k}`),
    ),
  );
  // The mixed dataset: transitions with agent state x = s·K + t.
  const xs: number[] = [],
    as: number[] = [],
    rs: number[] = [],
    xps: number[] = [],
    dones: number[] = [];
  data.forEach((d, t) => {
    for (let i = 0; i < d.size; i++) {
      xs.push(d.s[i] * K + t);
      as.push(d.a[i]);
      rs.push(d.r[i]);
      xps.push(d.sp[i] * K + t);
      dones.push(d.done[i]);
    }
  });
  metrics['data/size'] = xs.length;
  // Retrieval batch: retrievalEpisodes trajectories drawn without replacement from the mixed data.
  const eps: { t: number; lo: number; hi: number }[] = [];
  data.forEach((d, t) => {
    let lo = 0;
    for (let i = 1; i <= d.size; i++)
      if (i === d.size || d.episode[i] !== d.episode[lo]) {
        eps.push({ t, lo, hi: i });
        lo = i;
      }
  });
  const pick = rng
    .split('retrieval')
    .shuffle(eps.map((_, i) => i))
    .slice(0, Math.min(c.retrievalEpisodes, eps.length));
  const mst: number[] = [],
    mout: number[] = [],
    mact: number[] = [],
    mG: number[] = [];
  const Gs = data.map(returnsToGo);
  for (const e of pick) {
    const { t, lo, hi } = eps[e];
    const d = data[t];
    const last = d.sp[hi - 1];
    for (let i = lo; i < hi; i++) {
      mst.push(d.s[i]);
      mout.push(last);
      mact.push(d.a[i]);
      mG.push(Gs[t][i]);
    }
  }
  const mem: RetrievalMemory = {
    state: Int32Array.from(mst),
    outcome: Int32Array.from(mout),
    action: Int32Array.from(mact),
    returnToGo: Float64Array.from(mG),
  };
  const nX = nS * K;
  const base = nS * nA + K * nA;
  const problem = (extra: number) => ({
    nX,
    nA,
    dim: base + extra,
    features: new Float64Array(nX * nA * (base + extra)),
    x: Int32Array.from(xs),
    a: Int32Array.from(as),
    r: Float64Array.from(rs),
    xp: Int32Array.from(xps),
    done: Uint8Array.from(dones),
    gamma: c.spec.gamma,
    vMin: -1 / (1 - c.spec.gamma),
    vMax: 0,
  });
  const baseFeatures = (F: Float64Array, dim: number) => {
    for (let s = 0; s < nS; s++)
      for (let t = 0; t < K; t++)
        for (let a = 0; a < nA; a++) {
          const o = ((s * K + t) * nA + a) * dim;
          F[o + s * nA + a] = 1;
          F[o + nS * nA + t * nA + a] = 1;
        }
  };
  const scales = tasks.map((t) => valueScale(t));
  // perTask: each task's own policy (greedy in the task data's support, methods/fqi.ts)
  const score = (name: string, Q: Float64Array, layout: 'x' | 'perTask', perTask?: Float64Array[]) => {
    let sum = 0;
    tasks.forEach((task, t) => {
      let pi: Float64Array;
      if (layout === 'perTask') pi = perTask![t];
      else {
        const q = new Float64Array(nS * nA);
        for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) q[s * nA + a] = Q[(s * K + t) * nA + a];
        pi = greedy(q, 0, nS, nA);
      }
      const v = normalisedValue(policyValue(task, pi), scales[t]);
      metrics[`${name}/norm${t}`] = v;
      sum += v;
    });
    metrics[`${name}/norm`] = sum / K;
  };
  const fqiOpts = { iterations: c.iterations, ridge: c.ridge };

  const pd = problem(0);
  baseFeatures(pd.features, pd.dim);
  score('dqn', linearFittedQIteration(pd, fqiOpts).Q, 'x');

  for (const [name, keyOutcome] of [
    ['r2a', true],
    ['r2a-state-key', false],
  ] as const) {
    const p = problem(3 * nA * nA);
    baseFeatures(p.features, p.dim);
    const ro: RetrievalOptions = { topK: c.topK, temperature: c.temperature, keyOutcome };
    let hits = 0;
    for (let s = 0; s < nS; s++)
      for (let t = 0; t < K; t++) {
        const { info, top1 } = retrieveByAttention(mem, s, tasks[t].goal, nA, ro);
        if (top1 >= 0 && mem.state[top1] === s && mem.outcome[top1] === tasks[t].goal) hits++;
        // The DQN head's input [e_s; e_t] extended by the retrieved vector u(x) = [c; u; 1[c = 0]] (3·nA
        // numbers); one output per action, so action a's block of weights reads all of u(x).
        const u = new Float64Array(3 * nA);
        for (let a = 0; a < nA; a++) {
          u[a] = info[a];
          u[nA + a] = info[nA + a];
          u[2 * nA + a] = info[a] > 0 ? 0 : 1;
        }
        for (let a = 0; a < nA; a++) {
          const o = ((s * K + t) * nA + a) * p.dim + base + a * 3 * nA;
          for (let j = 0; j < 3 * nA; j++) p.features[o + j] = u[j];
        }
      }
    metrics[`${name}/hit`] = hits / (nS * K);
    if (keyOutcome) {
      // Reference (no learning): greedy on the retrieved returns u_a among retrieved actions.
      const Qr = new Float64Array(nX * nA);
      for (let xa = 0; xa < nX * nA; xa++) {
        const a = xa % nA;
        const o = xa * p.dim + base + a * 3 * nA;
        Qr[xa] = p.features[o + 2 * nA + a] ? -1e6 : p.features[o + nA + a];
      }
      score('retrieved-greedy', Qr, 'x');
    }
    score(name, linearFittedQIteration(p, fqiOpts).Q, 'x');
  }

  const per = data.map((d) => fittedQIteration(d).policy);
  score('per-task', new Float64Array(0), 'perTask', per);
  metrics['optimal/norm'] = 1;
  return { metrics };
}
