/**
 * Inverse dynamics p(a | s, s') and behavioural cloning from observation (BCO; Torabi, Warnell & Stone, "Behavioral
 * Cloning from Observation", IJCAI 2018, arXiv:1805.01954), tabular.
 *
 * Inverse-dynamics model (BCO §4, the model M_θ(a | s, s') learned from the agent's own interaction I^pre): the
 * maximum-likelihood minimiser of −E_{(s,a,s')∼D}[log p(a | s, s')] over all tabular models, the count ratio
 *   p̂(a | s, s') = n(s, a, s') / n(s, s'),   uniform where n(s, s') = 0.
 * Its population form under a behaviour π on known dynamics τ (`exactInverseDynamics`, Bayes' rule):
 *   p(a | s, s') = π(a|s) τ(s'|s, a) / Σ_b π(b|s) τ(s'|s, b).
 * BCO (§4, Algorithm 1 with α = 0, the non-iterative BCO(0)): label every (s, s') of a state-only demonstration
 * with the model, then behaviour-clone the labelled data. Labels: 'argmax' (BCO's inferred action, the model's most
 * likely action; ties share the label equally, so the result does not depend on action order) or 'soft' (the whole
 * posterior as fractional counts). The exact BC minimiser of the labelled data is
 *   π(a|s) = Σ_{(s,s')∈D} ℓ(a | s, s') / n(s),   uniform at states without data,
 * with ℓ the label distribution. Identity (tested): with soft labels from the exact inverse dynamics of the
 * demonstrator's own π, the population BCO policy is π (Σ_{s'} P_π(s'|s) p(a|s, s') = π(a|s)).
 */
import type { OfflineDataset } from '../data/dataset';
import type { LearnedPolicy } from '../data/empirical';
import type { TabularEnv } from '../../tabular/env/mdp';

/** A tabular inverse-dynamics model: p(a | s, s') for the observed (s, s') pairs (key s·nS + s'). */
export interface InverseDynamicsModel {
  nS: number;
  nA: number;
  /** p(· | s, s') (length nA) by key s·nS + s'; pairs without data are absent (uniform). */
  table: Map<number, Float64Array>;
}

/** p(· | s, s'): the stored row, or uniform for a pair the model never saw. */
export function inverseDynamicsRow(idm: InverseDynamicsModel, s: number, sp: number): Float64Array {
  if (!(Number.isInteger(s) && s >= 0 && s < idm.nS && Number.isInteger(sp) && sp >= 0 && sp < idm.nS))
    throw new RangeError(`inverseDynamicsRow: (s, s') = (${s}, ${sp}) is not a pair of states in [0, ${idm.nS})`);
  return idm.table.get(s * idm.nS + sp) ?? new Float64Array(idm.nA).fill(1 / idm.nA);
}

/** The count minimiser p̂(a | s, s') = n(s, a, s') / n(s, s') of an action-labelled dataset. */
export function fitInverseDynamics(data: OfflineDataset): InverseDynamicsModel {
  const { nS, nA } = data;
  if (data.size === 0) throw new RangeError('fitInverseDynamics: the dataset is empty (no (s, a, s′) to count)');
  const table = new Map<number, Float64Array>();
  for (let i = 0; i < data.size; i++) {
    const key = data.s[i] * nS + data.sp[i];
    let row = table.get(key);
    if (!row) table.set(key, (row = new Float64Array(nA)));
    row[data.a[i]]++;
  }
  for (const row of table.values()) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += row[a];
    for (let a = 0; a < nA; a++) row[a] /= z;
  }
  return { nS, nA, table };
}

/** The population inverse dynamics of a behaviour π (nS·nA) on dynamics τ: π(a|s)τ(s'|s,a) / Σ_b π(b|s)τ(s'|s,b). */
export function exactInverseDynamics(env: TabularEnv, behaviour: Float64Array): InverseDynamicsModel {
  const { nS, nA, T } = env;
  if (behaviour.length !== nS * nA)
    throw new RangeError(
      `exactInverseDynamics: behaviour must have length nS·nA = ${nS * nA}, got ${behaviour.length}`,
    );
  const table = new Map<number, Float64Array>();
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const p = behaviour[s * nA + a];
      if (!(p > 0)) continue;
      const row = s * nA + a;
      for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) {
        if (!(T.prob[k] > 0)) continue;
        const key = s * nS + T.col[k];
        let r = table.get(key);
        if (!r) table.set(key, (r = new Float64Array(nA)));
        r[a] += p * T.prob[k];
      }
    }
  for (const r of table.values()) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += r[a];
    for (let a = 0; a < nA; a++) r[a] /= z;
  }
  return { nS, nA, table };
}

export type BcoLabels = 'argmax' | 'soft';

/** The label distribution ℓ(· | s, s') of a model row: the row itself (soft) or uniform over its maximisers. */
export function bcoLabel(row: Float64Array, labels: BcoLabels): Float64Array {
  if (labels === 'soft') return row;
  if (labels !== 'argmax') throw new RangeError(`bcoLabel: labels must be 'argmax' or 'soft', got '${labels}'`);
  let m = -Infinity;
  for (let a = 0; a < row.length; a++) m = Math.max(m, row[a]);
  const out = new Float64Array(row.length);
  let c = 0;
  for (let a = 0; a < row.length; a++) if (row[a] >= m - 1e-12) ((out[a] = 1), c++);
  for (let a = 0; a < row.length; a++) out[a] /= c;
  return out;
}

export interface BcoPolicy extends LearnedPolicy {
  /** Label distribution of every transition of the observations (size × nA). */
  labels: Float64Array;
}

/**
 * BCO(0): label the (s, s') pairs of `observations` (its actions are never read) with the model, then behaviour-clone
 * the labelled data: π(a|s) = Σ_i ℓ_i(a) [s_i = s] / n(s), uniform at states without data.
 */
export function behaviourCloningFromObservation(
  idm: InverseDynamicsModel,
  observations: Pick<OfflineDataset, 'nS' | 'nA' | 'size' | 's' | 'sp'>,
  labels: BcoLabels = 'argmax',
): BcoPolicy {
  const { nS, nA } = idm;
  if (observations.nS !== nS || observations.nA !== nA)
    throw new RangeError(
      `behaviourCloningFromObservation: observations are ${observations.nS}×${observations.nA}, the model ${nS}×${nA}`,
    );
  const lab = new Float64Array(observations.size * nA);
  const w = new Float64Array(nS * nA);
  const n = new Float64Array(nS);
  for (let i = 0; i < observations.size; i++) {
    const s = observations.s[i];
    const l = bcoLabel(inverseDynamicsRow(idm, s, observations.sp[i]), labels);
    for (let a = 0; a < nA; a++) {
      lab[i * nA + a] = l[a];
      w[s * nA + a] += l[a];
    }
    n[s]++;
  }
  const policy = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) policy[s * nA + a] = n[s] > 0 ? w[s * nA + a] / n[s] : 1 / nA;
  return { policy, labels: lab };
}
