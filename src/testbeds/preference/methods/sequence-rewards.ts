/**
 * The two reward models of the token-sequence task (data/token-sequences.ts), over one shared feature
 * backbone ψ: the explicit Bradley–Terry reward model (EXRM, a scalar head, RLHF's reward model,
 * Ouyang et al. 2022 eq. 1) and DPO's implicit reward β·log π_φ/π_ref (DPORM, Rafailov et al. 2023
 * eq. 5), trained by the same pairwise loss (DPO's loss, eq. 7, is the BT loss of implicit-reward
 * margins), and their pairwise accuracy.
 */
import { sigmoid } from '../../../math';
import {
  featureIndices,
  refLogProbs,
  type SequencePairs,
  type SequenceSet,
  type TokenPolicy,
} from '../data/token-sequences';
import { logSigmoid } from '../policies/logit-table';

/** EXRM reward Σ_t w·ψ_t of every sequence of a set; with `grad`, also adds coef[i]·∂r_i/∂w into grad. */
export function explicitRewards(
  w: Float64Array,
  V: number,
  s: SequenceSet,
  coef?: Float64Array,
  grad?: Float64Array,
): Float64Array {
  const r = new Float64Array(s.n);
  const idx = new Int32Array(4);
  for (let i = 0; i < s.n; i++) {
    let prev = V,
      sum = 0;
    for (let t = 0; t < s.L; t++) {
      const v = s.responses[i * s.L + t];
      featureIndices(V, s.prompts, i * s.P, s.P, prev, v, idx);
      for (let k = 0; k < 4; k++)
        if (idx[k] >= 0) {
          sum += w[idx[k]];
          if (grad && coef) grad[idx[k]] += coef[i];
        }
      prev = v;
    }
    r[i] = sum;
  }
  return r;
}

/**
 * DPORM implicit reward β·log π_φ/π_ref of every sequence (see header); with `grad`, adds
 * coef[i]·∂r_i/∂φ = coef[i]·Σ_t [ψ(y_t) − E_{v~π_φ(·|ctx_t)} ψ(v)] into grad.
 */
export function implicitRewards(
  phi: Float64Array,
  beta: number,
  ref: TokenPolicy,
  s: SequenceSet,
  coef?: Float64Array,
  grad?: Float64Array,
): Float64Array {
  const V = ref.V;
  const r = new Float64Array(s.n);
  const lp = new Float64Array(V),
    z = new Float64Array(V);
  const idx = new Int32Array(4 * V);
  const one = new Int32Array(4);
  for (let i = 0; i < s.n; i++) {
    let prev = V,
      sum = 0;
    for (let t = 0; t < s.L; t++) {
      const y = s.responses[i * s.L + t];
      refLogProbs(ref, s.prompts, i * s.P, s.P, prev, lp);
      let m = -Infinity;
      for (let v = 0; v < V; v++) {
        featureIndices(V, s.prompts, i * s.P, s.P, prev, v, one);
        let sc = 0;
        for (let k = 0; k < 4; k++) {
          idx[v * 4 + k] = one[k];
          if (one[k] >= 0) sc += phi[one[k]];
        }
        z[v] = lp[v] + sc / beta;
        if (z[v] > m) m = z[v];
      }
      let se = 0;
      for (let v = 0; v < V; v++) se += Math.exp(z[v] - m);
      const lse = m + Math.log(se); // log Σ_v π_ref(v)·exp(φ·ψ_v/β)
      let scY = 0;
      for (let k = 0; k < 4; k++) if (idx[y * 4 + k] >= 0) scY += phi[idx[y * 4 + k]];
      sum += scY - beta * lse;
      if (grad && coef) {
        const c = coef[i];
        for (let k = 0; k < 4; k++) if (idx[y * 4 + k] >= 0) grad[idx[y * 4 + k]] += c;
        for (let v = 0; v < V; v++) {
          const pv = Math.exp(z[v] - lse);
          for (let k = 0; k < 4; k++) if (idx[v * 4 + k] >= 0) grad[idx[v * 4 + k]] -= c * pv;
        }
      }
      prev = y;
    }
    r[i] = sum;
  }
  return r;
}

/**
 * Bradley–Terry loss on reward margins, generic over the reward function: mean_i −log σ(r(chosen_i) − r(rejected_i))
 * + (l2/2)‖params‖². The EXRM loss and the DPO loss (margins of implicit rewards, Rafailov et al. eq. 7) are both this.
 */
export function pairwiseLoss(
  params: Float64Array,
  pairs: SequencePairs,
  reward: (params: Float64Array, s: SequenceSet, coef?: Float64Array, grad?: Float64Array) => Float64Array,
  l2: number,
): { loss: number; grad: Float64Array } {
  const n = pairs.chosen.n;
  const rw = reward(params, pairs.chosen),
    rl = reward(params, pairs.rejected);
  let loss = 0;
  const cw = new Float64Array(n),
    cl = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = rw[i] - rl[i];
    loss -= logSigmoid(m) / n;
    const g = -sigmoid(-m) / n;
    cw[i] = g;
    cl[i] = -g;
  }
  const grad = new Float64Array(params.length);
  reward(params, pairs.chosen, cw, grad);
  reward(params, pairs.rejected, cl, grad);
  for (let k = 0; k < params.length; k++) {
    loss += 0.5 * l2 * params[k] * params[k];
    grad[k] += l2 * params[k];
  }
  return { loss, grad };
}

/** Accuracy of a reward function on labelled pairs: fraction with r(chosen) > r(rejected) (ties ½). */
export function pairAccuracy(rw: Float64Array, rl: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rw.length; i++) s += rw[i] > rl[i] ? 1 : rw[i] === rl[i] ? 0.5 : 0;
  return rw.length ? s / rw.length : NaN;
}
