/**
 * Explicable reward design by linear programming (ExpRD): Devidze, Radanovic, Kamalaruban & Singla, "Explicable
 * Reward Design for Reinforcement Learning Agents", NeurIPS 2021 — the teacher-driven chapter of R. Devidze,
 * "Reward Design for Reinforcement Learning Agents" (PhD thesis, arXiv:2503.21949). The paper's text beyond its
 * abstract was not reachable here, so no equation numbers are cited: the program below is the one of the official
 * code (github.com/adishs/neurips2021_explicable-reward-design_code, code_RoomsNavEnv/fourroom_reward_design_exprd.py,
 * `reward_design_model_based`, with its defaults C₁ = 1, C₂ = 0, one target policy), solved with HiGHS.
 *
 * Given an MDP with original reward R̄, a target (optimal) policy π with optimal-action sets, per-state margins
 * δ_s = min_{a ∉ opt(s)} [Q^π_R̄(s, π(s)) − Q^π_R̄(s, a)] / (1 + 10⁻⁵), a support Z of states, a bound R_max and a
 * set of horizons H, ExpRD designs a state-action reward R̂ by
 *
 *   maximise  I_H(R̂) = −1/(|H|·|S|) Σ_{h∈H} Σ_s max(0, max_{a∉opt(s)} [δ_s − (Q^π_{R̂,h}(s,π(s)) − Q^π_{R̂,h}(s,a))])
 *   s.t.      Q^π_R̂(s, π(s)) − Q^π_R̂(s, a) ≥ δ_s   for a ∉ opt(s),   ≥ 0 for the other a ≠ π(s)   (invariance)
 *             |R̂(s, a)| ≤ R_max,   R̂(s, ·) = 0 for s ∉ Z                                       (bounds, sparsity)
 *
 * where Q^π_{R,h} = Σ_{k=0}^{h} γ^k P_π^k R is the h-step truncated action value of π (P_π the state-action
 * transition matrix of π) and Q^π_R = (I − γP_π)⁻¹R. The informativeness I_H rewards a designed reward under which
 * the target policy's actions already look best at short horizons; the invariance constraints keep π optimal under
 * R̂ (so the designed reward preserves the optimal policy). With epigraph variables t_{s,h} ≥ 0 for the hinge terms
 * this is a linear program. The support Z is chosen by the paper's iterative greedy algorithm (Algorithm 1 in the
 * paper; `get_important_states_by_shaping` in the code): start from the goal states and add, B − |Z₀| times, the
 * candidate state whose LP optimum is best.
 */
import type { TabularEnv } from '../env/mdp';
import { policyQ, valueIteration } from '../solvers/exact';

// ---------------------------------------------------------------------------------------------
// The LP solver (HiGHS, WebAssembly)
// ---------------------------------------------------------------------------------------------

/** The part of a HiGHS solution read here. */
export interface LpSolution {
  Status: string;
  ObjectiveValue: number;
  Columns: Record<string, { Index: number; Primal: number; Dual: number; Lower: number | null; Upper: number | null }>;
  Rows: { Index: number; Name: string; Primal: number; Dual: number; Lower: number | null; Upper: number | null }[];
}

/** A loaded HiGHS solver: `solve` is synchronous once loaded (CPLEX LP-format model in, solution out). */
export interface LpSolver {
  solve(problem: string, options?: Record<string, unknown>): LpSolution;
}

let solverPromise: Promise<LpSolver> | null = null;

/** Load HiGHS once per thread (the wasm module loads asynchronously). */
export function loadLpSolver(): Promise<LpSolver> {
  if (!solverPromise) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const load = require('highs') as () => Promise<LpSolver>;
    solverPromise = load();
  }
  return solverPromise;
}

// ---------------------------------------------------------------------------------------------
// Target policy and horizon operators
// ---------------------------------------------------------------------------------------------

export interface TargetPolicy {
  /** π(s), one optimal action per state (the first optimal one). */
  policy: Int32Array;
  /** 1 where a is optimal at s under the original reward (ties kept), length nS·nA. */
  optimal: Uint8Array;
  /** δ_s (0 where every action is optimal). */
  delta: Float64Array;
}

/** The target policy of an original reward r̄(s,a): its optimal actions and margins δ_s (official code). */
export function targetFromReward(env: TabularEnv, rbar: Float64Array, tieTol = 1e-7): TargetPolicy {
  const { nS, nA } = env;
  const vi = valueIteration(env, rbar, { tol: 1e-12 });
  const optimal = new Uint8Array(nS * nA);
  const policy = new Int32Array(nS);
  for (let s = 0; s < nS; s++) {
    let best = -Infinity;
    for (let a = 0; a < nA; a++) best = Math.max(best, vi.Q[s * nA + a]);
    const tol = tieTol * Math.max(1, Math.abs(best));
    policy[s] = -1;
    for (let a = 0; a < nA; a++)
      if (vi.Q[s * nA + a] >= best - tol) {
        optimal[s * nA + a] = 1;
        if (policy[s] < 0) policy[s] = a;
      }
  }
  const Q = policyQ(env, rbar, policy);
  const delta = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let m = Infinity;
    for (let a = 0; a < nA; a++) if (!optimal[s * nA + a]) m = Math.min(m, Q[s * nA + policy[s]] - Q[s * nA + a]);
    delta[s] = Number.isFinite(m) ? m / (1 + 1e-5) : 0;
  }
  return { policy, optimal, delta };
}

/**
 * Gap operators of π on state-action rewards (row-major nSA × nSA): for each horizon h,
 * D_h[(s,a), j] = L_h[(s,π(s)), j] − L_h[(s,a), j] with L_h = Σ_{k=0}^{h} γ^k P_π^k, and D_∞ the same with
 * (I − γP_π)⁻¹ (summed until γ^k < 1e−15). So (D_h r)(s,a) = Q^π_{r,h}(s,π(s)) − Q^π_{r,h}(s,a).
 */
export interface GapOperators {
  horizons: number[];
  byHorizon: Float64Array[];
  infinite: Float64Array;
}

export function gapOperators(env: TabularEnv, policy: Int32Array, horizons: number[]): GapOperators {
  const { nS, nA, gamma, T } = env;
  const n = nS * nA;
  const maxH = Math.max(...horizons);
  let X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) X[i * n + i] = 1;
  const acc = Float64Array.from(X);
  const truncated = new Map<number, Float64Array>();
  if (horizons.includes(0)) truncated.set(0, Float64Array.from(acc));
  let g = 1;
  for (let k = 1; g >= 1e-15 || k <= maxH; k++) {
    g *= gamma;
    const Y = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const yi = i * n;
      for (let e = T.rowPtr[i]; e < T.rowPtr[i + 1]; e++) {
        const sp = T.col[e];
        const p = T.prob[e];
        const xr = (sp * nA + policy[sp]) * n;
        for (let j = 0; j < n; j++) Y[yi + j] += p * X[xr + j];
      }
    }
    X = Y;
    for (let i = 0; i < n * n; i++) acc[i] += g * X[i];
    if (horizons.includes(k)) truncated.set(k, Float64Array.from(acc));
    if (gamma === 0) break;
  }
  const gap = (L: Float64Array) => {
    const D = new Float64Array(n * n);
    for (let s = 0; s < nS; s++)
      for (let a = 0; a < nA; a++) {
        const i = (s * nA + a) * n,
          p = (s * nA + policy[s]) * n;
        for (let j = 0; j < n; j++) D[i + j] = L[p + j] - L[i + j];
      }
    return D;
  };
  return {
    horizons: [...horizons],
    byHorizon: horizons.map((h) => gap(truncated.get(h) as Float64Array)),
    infinite: gap(acc),
  };
}

/** (D r)(i) for a gap operator D and a state-action reward r. */
export function applyGap(D: Float64Array, r: ArrayLike<number>): Float64Array {
  const n = r.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += D[i * n + j] * r[j];
    out[i] = acc;
  }
  return out;
}

/**
 * The informativeness criterion I_H(r) of a state-action reward r (the LP's objective, evaluated directly):
 * −1/(|H|·|S|) Σ_h Σ_s max(0, max_{a ∉ opt(s)} [δ_s − (D_h r)(s,a)]).
 */
export function informativeness(
  env: TabularEnv,
  target: TargetPolicy,
  ops: GapOperators,
  r: ArrayLike<number>,
): number {
  const { nS, nA } = env;
  let total = 0;
  for (const D of ops.byHorizon) {
    const gap = applyGap(D, r);
    for (let s = 0; s < nS; s++) {
      let worst = -Infinity;
      for (let a = 0; a < nA; a++)
        if (!target.optimal[s * nA + a]) worst = Math.max(worst, target.delta[s] - gap[s * nA + a]);
      if (worst > 0) total += worst;
    }
  }
  return -total / (ops.horizons.length * nS);
}

// ---------------------------------------------------------------------------------------------
// The linear program
// ---------------------------------------------------------------------------------------------

/** A linear program min cᵀx s.t. rowᵀx ≥ lower, bounds on x — kept explicit so tests can check certificates. */
export interface LinearProgram {
  names: string[];
  cost: Float64Array;
  lowerBound: Float64Array;
  upperBound: Float64Array;
  rows: { name: string; idx: number[]; coef: number[]; lower: number }[];
}

export interface ExplicableRewardOptions {
  /** Support Z: the states whose rewards may be non-zero. */
  support: number[];
  /** Bound |R̂(s,a)| ≤ rMax. */
  rMax: number;
}

const COEF_EPS = 1e-13;

/** Build the ExpRD linear program (variables: r_{s,a} for s ∈ Z, then t_{s,h}). */
export function explicableRewardProgram(
  env: TabularEnv,
  target: TargetPolicy,
  ops: GapOperators,
  opts: ExplicableRewardOptions,
): LinearProgram {
  const { nS, nA } = env;
  const n = nS * nA;
  const support = [...new Set(opts.support)].sort((x, y) => x - y);
  const rCols: number[] = []; // state-action index of each r variable
  const names: string[] = [];
  for (const s of support)
    for (let a = 0; a < nA; a++) {
      rCols.push(s * nA + a);
      names.push(`r${s}_${a}`);
    }
  const nR = names.length;
  const constrained: number[] = [];
  for (let s = 0; s < nS; s++) {
    let any = false;
    for (let a = 0; a < nA; a++) if (!target.optimal[s * nA + a]) any = true;
    if (any) constrained.push(s);
  }
  const H = ops.horizons.length;
  const tIndex = new Map<string, number>();
  for (const s of constrained)
    for (let h = 0; h < H; h++) {
      tIndex.set(`${s},${h}`, names.length);
      names.push(`t${s}_${h}`);
    }
  const cost = new Float64Array(names.length);
  for (let k = nR; k < names.length; k++) cost[k] = 1 / (H * nS);
  const lowerBound = new Float64Array(names.length);
  const upperBound = new Float64Array(names.length).fill(Infinity);
  for (let k = 0; k < nR; k++) {
    lowerBound[k] = -opts.rMax;
    upperBound[k] = opts.rMax;
  }
  const rows: LinearProgram['rows'] = [];
  const rowOf = (D: Float64Array, i: number) => {
    const idx: number[] = [],
      coef: number[] = [];
    for (let k = 0; k < nR; k++) {
      const c = D[i * n + rCols[k]];
      if (Math.abs(c) > COEF_EPS) {
        idx.push(k);
        coef.push(c);
      }
    }
    return { idx, coef };
  };
  // invariance: Q^π(s,π(s)) − Q^π(s,a) ≥ δ_s (a non-optimal) or ≥ 0 (a tied optimal action)
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      if (a === target.policy[s]) continue;
      const lower = target.optimal[s * nA + a] ? 0 : target.delta[s];
      const { idx, coef } = rowOf(ops.infinite, s * nA + a);
      if (idx.length === 0 && lower <= 0) continue;
      rows.push({ name: `g${s}_${a}`, idx, coef, lower });
    }
  // hinge epigraphs: t_{s,h} + (D_h r)(s,a) ≥ δ_s for non-optimal a
  ops.byHorizon.forEach((D, h) => {
    for (const s of constrained)
      for (let a = 0; a < nA; a++) {
        if (target.optimal[s * nA + a]) continue;
        const { idx, coef } = rowOf(D, s * nA + a);
        rows.push({
          name: `l${s}_${h}_${a}`,
          idx: [tIndex.get(`${s},${h}`) as number, ...idx],
          coef: [1, ...coef],
          lower: target.delta[s],
        });
      }
  });
  return { names, cost, lowerBound, upperBound, rows };
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(16));

/** The program in CPLEX LP format (HiGHS's text input). */
export function toLpFormat(lp: LinearProgram): string {
  const terms = (idx: number[], coef: number[]) => {
    if (idx.length === 0) return `0 ${lp.names[0]}`;
    const parts = idx.map((k, i) => `${coef[i] < 0 ? '-' : '+'} ${num(Math.abs(coef[i]))} ${lp.names[k]}`);
    const lines: string[] = [];
    for (let i = 0; i < parts.length; i += 6) lines.push(parts.slice(i, i + 6).join(' '));
    return lines.join('\n   ');
  };
  const objIdx: number[] = [],
    objCoef: number[] = [];
  lp.cost.forEach((c, k) => {
    if (c !== 0) {
      objIdx.push(k);
      objCoef.push(c);
    }
  });
  const out: string[] = ['Minimize', ` obj: ${terms(objIdx, objCoef)}`, 'Subject To'];
  for (const r of lp.rows) out.push(` ${r.name}: ${terms(r.idx, r.coef)} >= ${num(r.lower)}`);
  out.push('Bounds');
  lp.names.forEach((name, k) => {
    const lo = lp.lowerBound[k],
      hi = lp.upperBound[k];
    out.push(` ${Number.isFinite(lo) ? num(lo) : '-inf'} <= ${name} <= ${Number.isFinite(hi) ? num(hi) : '+inf'}`);
  });
  out.push('End');
  return out.join('\n');
}

export interface ExplicableRewardResult {
  /** HiGHS model status ('Optimal' on success). */
  status: string;
  /** LP optimum (= −I_H(R̂)). */
  objective: number;
  /** Designed reward r̂(s,a), length nS·nA (zero off the support). */
  reward: Float64Array;
  support: number[];
  program: LinearProgram;
  solution: LpSolution;
}

/** Solve the ExpRD program for one support Z. Throws unless HiGHS reports an optimum. */
export function designExplicableReward(
  solver: LpSolver,
  env: TabularEnv,
  target: TargetPolicy,
  ops: GapOperators,
  opts: ExplicableRewardOptions,
): ExplicableRewardResult {
  const program = explicableRewardProgram(env, target, ops, opts);
  const solution = solver.solve(toLpFormat(program));
  if (solution.Status !== 'Optimal')
    throw new Error(
      `designExplicableReward: HiGHS status "${solution.Status}" for support {${opts.support.join(', ')}} ` +
        `(R_max ${opts.rMax}); the invariance constraints may be infeasible for this support — widen it or ` +
        'raise R_max.',
    );
  const reward = new Float64Array(env.nS * env.nA);
  const nA = env.nA;
  for (const name of program.names) {
    if (name[0] !== 'r') continue;
    const [s, a] = name.slice(1).split('_').map(Number);
    const v = solution.Columns[name]?.Primal ?? 0;
    reward[s * nA + a] = Math.abs(v) < 1e-10 ? 0 : v;
  }
  return {
    status: solution.Status,
    objective: solution.ObjectiveValue,
    reward,
    support: [...opts.support],
    program,
    solution,
  };
}

export interface GreedySupportOptions {
  /** Total number of states allowed non-zero rewards (B), including the initial ones. */
  budget: number;
  rMax: number;
  /** Initial support (the goal states). */
  initial: number[];
  /** States the greedy step may add. */
  candidates: number[];
}

/**
 * The iterative greedy algorithm of ExpRD: from the initial support, add B − |Z₀| states one at a time, each time
 * the candidate whose LP optimum is lowest (first one on ties). Returns the final design and the objective after
 * each addition.
 */
export function greedyExplicableReward(
  solver: LpSolver,
  env: TabularEnv,
  target: TargetPolicy,
  ops: GapOperators,
  opts: GreedySupportOptions,
): { result: ExplicableRewardResult; trace: { added: number; objective: number }[]; lpSolved: number } {
  let support = [...opts.initial];
  let result = designExplicableReward(solver, env, target, ops, { support, rMax: opts.rMax });
  const trace: { added: number; objective: number }[] = [{ added: -1, objective: result.objective }];
  let lpSolved = 1;
  while (support.length < opts.budget) {
    let best: ExplicableRewardResult | null = null;
    let bestState = -1;
    for (const s of opts.candidates) {
      if (support.includes(s)) continue;
      const r = designExplicableReward(solver, env, target, ops, { support: [...support, s], rMax: opts.rMax });
      lpSolved++;
      if (!best || r.objective < best.objective - 1e-12) {
        best = r;
        bestState = s;
      }
    }
    if (!best) break;
    support = [...support, bestState];
    result = best;
    trace.push({ added: bestState, objective: best.objective });
  }
  return { result, trace, lpSolved };
}
