/**
 * Sample-based policy gradient on a deterministic vector-reward MDP (env/vector-reward.ts) with a tabular
 * softmax policy and a tabular vector critic: the learner every multi-objective method of the testbed plugs
 * into (linear scalarisation, C-MORL's constrained extension).
 *
 * One update: sample `batch` episodes from π_θ; for every step t and objective k the advantage
 * A_t^k = G_t^k − V^k(s_t) (undiscounted return-to-go minus the critic); the method supplies coefficients c
 * and the update ascends the combined advantage Â_t = Σ_k c_k A_t^k, normalised over the batch
 * ((Â − mean)/(std + 1e-5), as the PPO code C-MORL builds on), with the score-function gradient
 *   θ(s, b) += lr / batch · Σ_t Â_t (1{b = a_t} − π(b|s_t))  over the steps with s_t = s;
 * the critic moves toward the batch's Monte-Carlo returns, V^k(s) += criticLr (mean_{t: s_t = s} G_t^k − V^k(s)).
 * Policies are evaluated greedily (argmax θ(s, ·), ties to the lowest action), as the C-MORL code evaluates
 * them (`deterministic=True`): on a deterministic MDP one rollout gives the exact return vector.
 */
import { Rng } from '../../../core/rng';
import type { VectorMdp } from '../env/vector-reward';

export interface VectorPgOptions {
  /** Episodes per update. */
  batch: number;
  /** Policy step size on the normalised advantage. */
  lr: number;
  /** Critic step size toward Monte-Carlo returns. */
  criticLr: number;
}

/** One batch of episodes: its steps and the per-objective advantages and mean returns. */
export interface VectorBatch {
  states: Int32Array;
  actions: Int32Array;
  /** A_t^k at index t·nObj + k (computed with the critic before its update). */
  advantages: Float64Array;
  /** Mean episode return per objective (the batch estimate of J(π)). */
  meanReturn: Float64Array;
}

/** A tabular softmax policy with its vector critic. */
export class VectorPgLearner {
  readonly theta: Float64Array;
  readonly critic: Float64Array;
  constructor(
    readonly mdp: VectorMdp,
    theta: Float64Array,
    critic?: Float64Array,
  ) {
    if (theta.length !== mdp.nS * mdp.nA) throw new RangeError('VectorPgLearner: θ must have nS·nA entries');
    this.theta = Float64Array.from(theta);
    this.critic = critic ? Float64Array.from(critic) : new Float64Array(mdp.nS * mdp.nObj);
  }

  /** θ ~ N(0, std²) per entry (breaks the ties of the greedy policy at random). */
  static random(mdp: VectorMdp, rng: Rng, std: number): VectorPgLearner {
    const theta = new Float64Array(mdp.nS * mdp.nA);
    for (let i = 0; i < theta.length; i++) theta[i] = std * rng.normal();
    return new VectorPgLearner(mdp, theta);
  }

  clone(): VectorPgLearner {
    return new VectorPgLearner(this.mdp, this.theta, this.critic);
  }

  private probs(s: number, out: Float64Array): void {
    const nA = this.mdp.nA;
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, this.theta[s * nA + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) z += out[a] = Math.exp(this.theta[s * nA + a] - m);
    for (let a = 0; a < nA; a++) out[a] /= z;
  }

  /** Samples `batch` episodes and their advantages. */
  sampleBatch(rng: Rng, batch: number): VectorBatch {
    const { nA, nObj, horizon } = this.mdp;
    const p = new Float64Array(nA);
    const states: number[] = [],
      actions: number[] = [],
      adv: number[] = [];
    const meanReturn = new Float64Array(nObj);
    for (let e = 0; e < batch; e++) {
      const epS: number[] = [],
        epA: number[] = [],
        epR: number[] = [];
      let s = this.mdp.start;
      for (let t = 0; t < horizon && s >= 0; t++) {
        this.probs(s, p);
        let u = rng.uniform(),
          a = 0;
        while (a < nA - 1 && u >= p[a]) u -= p[a++];
        const i = s * nA + a;
        epS.push(s);
        epA.push(a);
        for (let k = 0; k < nObj; k++) epR.push(this.mdp.reward[i * nObj + k]);
        s = this.mdp.next[i];
      }
      const G = new Float64Array(nObj);
      const epAdv = new Float64Array(epS.length * nObj);
      for (let t = epS.length - 1; t >= 0; t--)
        for (let k = 0; k < nObj; k++) {
          G[k] += epR[t * nObj + k];
          epAdv[t * nObj + k] = G[k] - this.critic[epS[t] * nObj + k];
        }
      for (let k = 0; k < nObj; k++) meanReturn[k] += G[k] / batch;
      states.push(...epS);
      actions.push(...epA);
      for (const x of epAdv) adv.push(x);
    }
    return {
      states: Int32Array.from(states),
      actions: Int32Array.from(actions),
      advantages: Float64Array.from(adv),
      meanReturn,
    };
  }

  /**
   * One update on `b` with objective coefficients `c` (length nObj): ascends Σ_k c_k A^k (normalised over the
   * batch), then moves the critic toward the batch's returns.
   */
  update(b: VectorBatch, c: ArrayLike<number>, o: VectorPgOptions): void {
    const { nA, nObj } = this.mdp;
    const T = b.states.length;
    if (T === 0) return;
    const A = new Float64Array(T);
    let mean = 0;
    for (let t = 0; t < T; t++) {
      let x = 0;
      for (let k = 0; k < nObj; k++) x += c[k] * b.advantages[t * nObj + k];
      A[t] = x;
      mean += x / T;
    }
    let v = 0;
    for (let t = 0; t < T; t++) v += (A[t] - mean) ** 2 / T;
    const sd = Math.sqrt(v) + 1e-5;
    const p = new Float64Array(nA);
    const grad = new Float64Array(this.theta.length);
    for (let t = 0; t < T; t++) {
      const s = b.states[t];
      const g = (A[t] - mean) / sd;
      this.probs(s, p);
      for (let a = 0; a < nA; a++) grad[s * nA + a] += g * ((a === b.actions[t] ? 1 : 0) - p[a]);
    }
    for (let i = 0; i < grad.length; i++) this.theta[i] += (o.lr / o.batch) * grad[i];
    // Critic: V^k(s) moves toward the batch mean of the returns-to-go observed from s.
    const sumAdv = new Float64Array(this.critic.length);
    const count = new Float64Array(this.mdp.nS);
    for (let t = 0; t < T; t++) {
      const s = b.states[t];
      count[s]++;
      for (let k = 0; k < nObj; k++) sumAdv[s * nObj + k] += b.advantages[t * nObj + k];
    }
    for (let s = 0; s < this.mdp.nS; s++)
      if (count[s] > 0)
        for (let k = 0; k < nObj; k++) this.critic[s * nObj + k] += (o.criticLr * sumAdv[s * nObj + k]) / count[s];
  }

  /** Greedy action in s (argmax θ(s, ·), ties to the lowest index). */
  greedy(s: number): number {
    const nA = this.mdp.nA;
    let best = 0;
    for (let a = 1; a < nA; a++) if (this.theta[s * nA + a] > this.theta[s * nA + best]) best = a;
    return best;
  }

  /** Exact return vector of the greedy policy (one rollout: the MDP is deterministic). */
  greedyReturn(): Float64Array {
    const { nA, nObj, horizon } = this.mdp;
    const ret = new Float64Array(nObj);
    let s = this.mdp.start;
    for (let t = 0; t < horizon && s >= 0; t++) {
      const i = s * nA + this.greedy(s);
      for (let k = 0; k < nObj; k++) ret[k] += this.mdp.reward[i * nObj + k];
      s = this.mdp.next[i];
    }
    return ret;
  }
}
