/**
 * PPO's learned value function for the reasoning trainer: a transformer trunk with a linear value head on the
 * final hidden state, V(prompt, o_<t) = h_t·w + b at the position that predicts token t. As in verl and
 * OpenRLHF, the critic is a separate model initialised from the base policy's weights (its LM head is unused)
 * with a fresh head (here w = 0, b = 0: every value starts at 0). It is trained by Adam on the clipped value loss
 * (gae.ts) over the batch's tokens, with one global gradient-norm clip over trunk and head, as
 * `torch.nn.utils.clip_grad_norm_` over the critic's parameters.
 */
import { Adam, type AdamOptions } from '../../../nn/adam';
import { clippedValueLoss, gaeAdvantages, maskedWhiten } from './gae';
import { klEstimate, type KlPenalty } from './kl';
import type { Rollouts } from './update';

/** The critic's settings in a recipe (`Recipe.critic`), with verl's PPO defaults as the recipe's values. */
export interface CriticSpec {
  /** Discount γ and GAE λ (verl: 1 and 1). */
  gamma: number;
  lambda: number;
  /** The critic's Adam learning rate as a multiple of the policy's (verl's examples: 1e-5 vs 1e-6, i.e. 10). */
  lrScale: number;
  /** PPO's value clip range c around the values at sampling (verl's cliprange_value 0.5); null: unclipped. */
  valueClip: number | null;
}

/** A value model for `trainRl` (a recipe whose advantage is 'gae' needs one). */
export interface Critic {
  /** V at each completion position: N × L (row i: positions of tokens 0 … L − 1 after prompt P; T = P + L). */
  values(seq: Int32Array, N: number, T: number, P: number): Float32Array;
  /**
   * One pass of the clipped value loss over the tokens with mask 1 (N × L), targets `returns`, values at sampling
   * `oldValues`; takes one Adam step and returns the mean loss before it.
   */
  update(
    seq: Int32Array,
    N: number,
    T: number,
    P: number,
    returns: ArrayLike<number>,
    oldValues: ArrayLike<number>,
    mask: ArrayLike<number>,
    clip: number | null,
  ): number;
}

/**
 * What the critic needs of its trunk: a transformer with a final-hidden-state read-out and a backward that takes a
 * gradient on it — the kit's wasm `TransformerLm` or its TensorFlow.js twin `TfjsTransformerLm` (either engine).
 */
export interface CriticTrunk<F = unknown> {
  readonly config: { dModel: number };
  readonly size: number;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  forward(tokens: Int32Array, N: number, T: number, outFrom?: number): F;
  hidden(f: F): Float32Array;
  backward(f: F, w: Float32Array, o?: { hidden?: Float32Array }): void;
  zeroGrad(): void;
}

/** A transformer critic (see the module comment). */
export class TransformerCritic<F = unknown> implements Critic {
  readonly head: Float32Array;
  private readonly opt: Adam;
  private readonly joint: Float32Array;
  private readonly jointGrad: Float32Array;

  constructor(
    readonly model: CriticTrunk<F>,
    adam: AdamOptions,
  ) {
    const d = model.config.dModel;
    this.head = new Float32Array(d + 1);
    this.opt = new Adam(model.size + d + 1, adam);
    this.joint = new Float32Array(model.size + d + 1);
    this.jointGrad = new Float32Array(model.size + d + 1);
    model.zeroGrad();
  }

  private valuesOf(h: Float32Array, rows: number): Float32Array {
    const d = this.model.config.dModel,
      w = this.head;
    const v = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = w[d];
      for (let j = 0; j < d; j++) s += h[r * d + j] * w[j];
      v[r] = s;
    }
    return v;
  }

  values(seq: Int32Array, N: number, T: number, P: number): Float32Array {
    const f = this.model.forward(seq, N, T, P - 1);
    return this.valuesOf(this.model.hidden(f), N * (T - P));
  }

  update(
    seq: Int32Array,
    N: number,
    T: number,
    P: number,
    returns: ArrayLike<number>,
    oldValues: ArrayLike<number>,
    mask: ArrayLike<number>,
    clip: number | null,
  ): number {
    const L = T - P,
      d = this.model.config.dModel,
      m = this.model;
    if (returns.length !== N * L || oldValues.length !== N * L || mask.length !== N * L)
      throw new RangeError(
        `reasoning.TransformerCritic.update: returns, old values and mask need N·L = ${N * L} entries, got ` +
          `${returns.length}, ${oldValues.length} and ${mask.length}`,
      );
    let n = 0;
    for (let j = 0; j < N * L; j++) if (mask[j]) n++;
    if (n === 0) return NaN;
    const f = m.forward(seq, N, T, P - 1);
    const h = m.hidden(f);
    const v = this.valuesOf(h, N * L);
    const gh = new Float32Array(N * L * d),
      gw = new Float64Array(d + 1);
    let loss = 0;
    for (let j = 0; j < N * L; j++) {
      if (!mask[j]) continue;
      const l = clippedValueLoss(v[j], oldValues[j], returns[j], clip);
      loss += l.loss;
      const g = l.grad / n;
      if (g === 0) continue;
      for (let k = 0; k < d; k++) {
        gw[k] += g * h[j * d + k];
        gh[j * d + k] = g * this.head[k];
      }
      gw[d] += g;
    }
    m.zeroGrad();
    m.backward(f, new Float32Array(N * L), { hidden: gh });
    const S = m.size;
    this.joint.set(m.params.f);
    this.joint.set(this.head, S);
    this.jointGrad.set(m.grads.f);
    for (let k = 0; k <= d; k++) this.jointGrad[S + k] = gw[k];
    this.opt.step(this.joint, this.jointGrad);
    m.params.f.set(this.joint.subarray(0, S));
    this.head.set(this.joint.subarray(S));
    m.zeroGrad();
    return loss / n;
  }
}

/**
 * PPO's per-token quantities for a sampled batch: the critic's values at sampling, the token rewards (the
 * verifier's on the last token; −β·k_t on every token when the KL is in the reward), the GAE advantages whitened
 * over the batch's tokens (gae.ts), the returns and the token mask (all B·G × L).
 */
export function ppoTokens(
  critic: Critic,
  spec: CriticSpec,
  kl: KlPenalty,
  r: Rollouts,
  refLogp: Float32Array | null,
): { adv: Float64Array; returns: Float64Array; values: Float32Array; mask: Uint8Array } {
  const N = r.B * r.G,
    L = r.L;
  const values = critic.values(r.seq, N, r.P + L, r.P);
  const rewards = new Float64Array(N * L),
    mask = new Uint8Array(N * L);
  const inReward = kl.kind === 'reward' ? kl : null;
  if (inReward && !refLogp)
    throw new Error('reasoning.ppoTokens: a KL in the reward needs the reference log-probabilities');
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < r.lengths[i]; t++) {
      const j = i * L + t;
      mask[j] = 1;
      if (inReward) rewards[j] = -inReward.beta * klEstimate(inReward.estimator, r.oldLogp[j] - refLogp![j]);
    }
    rewards[i * L + r.lengths[i] - 1] += r.rewards[i];
  }
  const g = gaeAdvantages(rewards, values, r.lengths, N, L, spec.gamma, spec.lambda);
  return { adv: maskedWhiten(g.adv, mask), returns: g.returns, values, mask };
}
