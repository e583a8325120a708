/**
 * Retrieval-augmented offline Q-learning, a linear tabular analogue of R2A (Goyal et al., "Retrieval-Augmented
 * Reinforcement Learning", ICML 2022, §2 and Fig. 1): the agent's value Q(x, a) is computed from its own features of
 * the agent state x = (s, g) AND from information u(x) retrieved, by attention, from a batch of stored trajectories.
 *
 * Retrieval (Fig. 1B–C, as read): every step j of a stored trajectory is summarised by a key k_j (forward summary:
 * the state s_j; backward summary: the last state the trajectory reached, i.e. the outcome it led to) and a value
 * v_j = (a_j, G_j) (the action taken and the discounted return-to-go, a backward summary of the trajectory's
 * future under the querying task's reward). The query of agent state (s, g) is q = (e_s, e_g); the scores are
 * q·k_j / τ with identity encoders (one-hot codes; the paper learns the encoders), the top-k steps are kept and
 * softmax-normalised to weights α_j. Retrieved information, per action a:
 *   c_a(x) = Σ_j α_j 1[a_j = a]                          (attention mass on a)
 *   u_a(x) = Σ_j α_j 1[a_j = a] G_j / max(c_a(x), ε)     (attention-weighted return of a)
 * Agent: Q_w(x, a) = w · [ φ(x, a) ; c_a(x) ; u_a(x) ; 1[c_a(x) = 0] ], with φ the baseline's features, trained
 * by fitted Q iteration with ridge least squares (offline DQN with a linear head and a full-batch target update):
 *   w_{k+1} = argmin_w Σ_i (r_i + γ (1 − done_i) clip(max_{a'} Q_{w_k}(x'_i, a')) − Q_w(x_i, a_i))² + λ‖w‖²,
 * the bootstrapped value clipped to the return range [vMin, vMax] (linear FQI can otherwise diverge).
 * Without the retrieved block this is the baseline linear DQN on φ.
 */
import { solveLinearSystem } from '../../tabular/solvers/exact';

/** Stored steps the retrieval process reads (the retrieval batch), with their summaries. */
export interface RetrievalMemory {
  /** Forward summary: state of each step. */
  state: Int32Array;
  /** Backward summary: the last state of the step's trajectory. */
  outcome: Int32Array;
  action: Int32Array;
  /** Discounted return-to-go of each step (the trajectory's own rewards). */
  returnToGo: Float64Array;
}

export interface RetrievalOptions {
  /** Number of steps kept (top-k). */
  topK: number;
  /** Softmax temperature of the scores. */
  temperature: number;
  /** Score the backward summary (outcome) too; false: the state alone (an ablation). */
  keyOutcome: boolean;
}

/**
 * Retrieved information of query (s, goal state gs): [c_0..c_{nA−1}, u_0..u_{nA−1}] and the index of the top-1
 * step. Scores are 1[s_j = s] + 1[outcome_j = gs] (the second term only with keyOutcome); ties in the top-k are
 * broken by step index (deterministic).
 */
export function retrieveByAttention(
  mem: RetrievalMemory,
  s: number,
  gs: number,
  nA: number,
  o: RetrievalOptions,
): { info: Float64Array; top1: number } {
  const n = mem.state.length;
  const score = new Float64Array(n);
  for (let j = 0; j < n; j++) score[j] = (mem.state[j] === s ? 1 : 0) + (o.keyOutcome && mem.outcome[j] === gs ? 1 : 0);
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => score[y] - score[x] || x - y);
  const k = Math.min(o.topK, n);
  const out = new Float64Array(2 * nA);
  if (k === 0) return { info: out, top1: -1 };
  const top = score[order[0]];
  let z = 0;
  const w = new Float64Array(k);
  for (let i = 0; i < k; i++) z += w[i] = Math.exp((score[order[i]] - top) / o.temperature);
  const G = mem.returnToGo;
  for (let i = 0; i < k; i++) {
    const j = order[i];
    const al = w[i] / z;
    out[mem.action[j]] += al;
    out[nA + mem.action[j]] += al * G[j];
  }
  for (let a = 0; a < nA; a++) out[nA + a] = out[a] > 1e-12 ? out[nA + a] / out[a] : 0;
  return { info: out, top1: order[0] };
}

/** A linear Q over a finite set of agent states x (feature vectors given per (x, a)). */
export interface LinearQProblem {
  nX: number;
  nA: number;
  dim: number;
  /** Features of (x, a), row-major [(x·nA + a)·dim + d]. */
  features: Float64Array;
  /** Transitions: agent state, action, reward, next agent state, done. */
  x: Int32Array;
  a: Int32Array;
  r: Float64Array;
  xp: Int32Array;
  done: Uint8Array;
  gamma: number;
  /** The bootstrapped max is clipped to [vMin, vMax] (the return range), so the linear iteration cannot diverge. */
  vMin: number;
  vMax: number;
}

export interface LinearFqiResult {
  w: Float64Array;
  /** Q(x, a) for all x, a. */
  Q: Float64Array;
  iterations: number;
}

/** Fitted Q iteration with a linear head and ridge least squares (see the file comment). */
export function linearFittedQIteration(
  p: LinearQProblem,
  opts: { iterations: number; ridge: number; tol?: number },
): LinearFqiResult {
  const { nX, nA, dim, features: F } = p;
  const A = new Float64Array(dim * dim);
  for (let i = 0; i < p.x.length; i++) {
    const o = (p.x[i] * nA + p.a[i]) * dim;
    for (let d = 0; d < dim; d++) {
      const fd = F[o + d];
      if (fd === 0) continue;
      for (let e = 0; e < dim; e++) A[d * dim + e] += fd * F[o + e];
    }
  }
  for (let d = 0; d < dim; d++) A[d * dim + d] += opts.ridge;
  let w = new Float64Array(dim);
  const Q = new Float64Array(nX * nA);
  const computeQ = () => {
    for (let xa = 0; xa < nX * nA; xa++) {
      let v = 0;
      for (let d = 0; d < dim; d++) v += F[xa * dim + d] * w[d];
      Q[xa] = v;
    }
  };
  let it = 0;
  for (; it < opts.iterations; it++) {
    computeQ();
    const b = new Float64Array(dim);
    for (let i = 0; i < p.x.length; i++) {
      let y = p.r[i];
      if (!p.done[i]) {
        let m = -Infinity;
        for (let a = 0; a < nA; a++) m = Math.max(m, Q[p.xp[i] * nA + a]);
        y += p.gamma * Math.min(p.vMax, Math.max(p.vMin, m));
      }
      const o = (p.x[i] * nA + p.a[i]) * dim;
      for (let d = 0; d < dim; d++) b[d] += F[o + d] * y;
    }
    const wn = solveLinearSystem(A.slice(), b, dim);
    let diff = 0;
    for (let d = 0; d < dim; d++) diff = Math.max(diff, Math.abs(wn[d] - w[d]));
    w = wn;
    if (diff < (opts.tol ?? 1e-9)) {
      it++;
      break;
    }
  }
  computeQ();
  return { w, Q, iterations: it };
}
