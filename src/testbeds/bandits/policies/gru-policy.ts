/**
 * A small recurrent actor-critic for meta-bandits (the RL² agent of Duan et al. 2016 / Wang et al. 2016): a
 * one-layer GRU over per-step inputs, a softmax policy head over the K arms and a scalar value head, float64
 * parameters in one flat vector and hand-written backpropagation through time.
 *
 * Gates follow PyTorch's convention (torch.nn.GRU), with input x (I) and previous state h (H):
 *   r = σ(W_xr x + b_xr + W_hr h + b_hr),  z = σ(W_xz x + b_xz + W_hz h + b_hz),
 *   n = tanh(W_xn x + b_xn + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h,
 *   logits = W_o h' + b_o (K),  value = w_v · h' + b_v.
 * With `memory: false` the previous state is replaced by 0 at every step, so the same parameters define a
 * feed-forward network of the current input only, h' = (1 − σ(W_xz x + b_xz + b_hz)) ⊙ tanh(W_xn x + b_xn + r ⊙ b_hn):
 * the "no memory" ablation with an identical head and parameter count.
 *
 * A batch of B trajectories advances in lockstep (`begin`, then `step` for t = 0 … L−1 with the inputs of every
 * trajectory), so a rollout can build step t's inputs from step t−1's sampled actions; `backward` takes the loss
 * gradients with respect to every step's logits and values and accumulates the parameter gradient in `grad`.
 * The kit's wasm GRU (`nn/gru-lm.ts`) is a token language model (one-hot token in, next-token logits out); this
 * policy needs real-valued inputs and an action/value head, hence its own small float64 implementation.
 */
import type { Rng } from '../../../core/rng';

export interface GruPolicyShape {
  /** Input features per step I. */
  input: number;
  /** Hidden units H. */
  hidden: number;
  /** Actions (arms) K. */
  actions: number;
  /** Carry the hidden state across steps (false: h is reset to 0 before every step). */
  memory: boolean;
}

export interface GruPolicyLayout {
  Wx: number;
  bx: number;
  Wh: number;
  bh: number;
  Wo: number;
  bo: number;
  wv: number;
  bv: number;
  size: number;
}

/** Offsets in the flat parameter vector: W_x (3H×I), b_x (3H), W_h (3H×H), b_h (3H), W_o (K×H), b_o, w_v, b_v. */
export function gruPolicyLayout(s: GruPolicyShape): GruPolicyLayout {
  const { input: I, hidden: H, actions: K } = s;
  const Wx = 0,
    bx = Wx + 3 * H * I,
    Wh = bx + 3 * H,
    bh = Wh + 3 * H * H,
    Wo = bh + 3 * H,
    bo = Wo + K * H,
    wv = bo + K,
    bv = wv + H;
  return { Wx, bx, Wh, bh, Wo, bo, wv, bv, size: bv + 1 };
}

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

export class GruPolicy {
  readonly shape: GruPolicyShape;
  readonly layout: GruPolicyLayout;
  readonly params: Float64Array;
  readonly grad: Float64Array;
  private B = 0;
  private L = 0;
  private t = 0;
  // caches, step-major: [t][b][·]
  private xs = new Float64Array(0);
  private hPrev = new Float64Array(0);
  private hs = new Float64Array(0);
  private rs = new Float64Array(0);
  private zs = new Float64Array(0);
  private ns = new Float64Array(0);
  private hns = new Float64Array(0);
  /** Softmax probabilities of every step, L × B × K (valid for the steps taken since `begin`). */
  probs = new Float64Array(0);
  /** Value estimates of every step, L × B. */
  values = new Float64Array(0);

  constructor(shape: GruPolicyShape, rng: Rng) {
    for (const k of ['input', 'hidden', 'actions'] as const)
      if (!(Number.isInteger(shape[k]) && shape[k] >= 1))
        throw new RangeError(`GruPolicy: shape.${k} must be an integer ≥ 1, got ${shape[k]}`);
    this.shape = { ...shape };
    this.layout = gruPolicyLayout(shape);
    this.params = new Float64Array(this.layout.size);
    this.grad = new Float64Array(this.layout.size);
    const { hidden: H } = shape;
    const a = 1 / Math.sqrt(H); // torch.nn.GRU's U(−1/√H, 1/√H)
    for (let i = 0; i < this.layout.Wo; i++) this.params[i] = rng.range(-a, a);
    for (let i = this.layout.Wo; i < this.layout.size; i++) this.params[i] = rng.range(-0.1 * a, 0.1 * a);
  }

  /** Starts a batch of B trajectories of at most L steps from h = 0. */
  begin(B: number, L: number): void {
    const { input: I, hidden: H, actions: K } = this.shape;
    if (B !== this.B || L !== this.L) {
      this.B = B;
      this.L = L;
      this.xs = new Float64Array(L * B * I);
      this.hPrev = new Float64Array(L * B * H);
      this.hs = new Float64Array(L * B * H);
      this.rs = new Float64Array(L * B * H);
      this.zs = new Float64Array(L * B * H);
      this.ns = new Float64Array(L * B * H);
      this.hns = new Float64Array(L * B * H);
      this.probs = new Float64Array(L * B * K);
      this.values = new Float64Array(L * B);
    }
    this.t = 0;
  }

  /**
   * One step of every trajectory: `x` holds B × I inputs. Returns the offset of this step's rows in `probs`
   * (B × K from there) and `values` (B from offset / K).
   */
  step(x: Float64Array): number {
    const { input: I, hidden: H, actions: K, memory } = this.shape;
    const { B, t } = this;
    if (t >= this.L) throw new RangeError(`GruPolicy.step: more than L = ${this.L} steps since begin()`);
    if (x.length !== B * I) throw new RangeError(`GruPolicy.step: x must hold B·I = ${B * I} values, got ${x.length}`);
    const p = this.params,
      lay = this.layout;
    const H3 = 3 * H;
    const gx = new Float64Array(H3),
      gh = new Float64Array(H3),
      logits = new Float64Array(K);
    this.xs.set(x, t * B * I);
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      const xo = row * I,
        ho = row * H;
      const prevOff = memory && t > 0 ? ((t - 1) * B + b) * H : -1;
      for (let j = 0; j < H; j++) this.hPrev[ho + j] = prevOff >= 0 ? this.hs[prevOff + j] : 0;
      for (let g = 0; g < H3; g++) {
        let sx = p[lay.bx + g],
          sh = p[lay.bh + g];
        const wxo = lay.Wx + g * I;
        for (let i = 0; i < I; i++) sx += p[wxo + i] * this.xs[xo + i];
        if (prevOff >= 0) {
          const who = lay.Wh + g * H;
          for (let j = 0; j < H; j++) sh += p[who + j] * this.hPrev[ho + j];
        }
        gx[g] = sx;
        gh[g] = sh;
      }
      for (let j = 0; j < H; j++) {
        const r = sigmoid(gx[j] + gh[j]);
        const z = sigmoid(gx[H + j] + gh[H + j]);
        const hn = gh[2 * H + j];
        const n = Math.tanh(gx[2 * H + j] + r * hn);
        this.rs[ho + j] = r;
        this.zs[ho + j] = z;
        this.ns[ho + j] = n;
        this.hns[ho + j] = hn;
        this.hs[ho + j] = (1 - z) * n + z * this.hPrev[ho + j];
      }
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = p[lay.bo + k];
        const wo = lay.Wo + k * H;
        for (let j = 0; j < H; j++) s += p[wo + j] * this.hs[ho + j];
        logits[k] = s;
        if (s > mx) mx = s;
      }
      let Z = 0;
      for (let k = 0; k < K; k++) Z += logits[k] = Math.exp(logits[k] - mx);
      for (let k = 0; k < K; k++) this.probs[row * K + k] = logits[k] / Z;
      let v = p[lay.bv];
      for (let j = 0; j < H; j++) v += p[lay.wv + j] * this.hs[ho + j];
      this.values[row] = v;
    }
    this.t++;
    return t * B * K;
  }

  /**
   * Backpropagation through the steps taken since `begin`. dLogits: L × B × K, dValues: L × B (gradients of the
   * loss; rows past the steps taken are ignored). Adds to `grad` (call `zeroGrad` first).
   */
  backward(dLogits: Float64Array, dValues: Float64Array): void {
    const { input: I, hidden: H, actions: K, memory } = this.shape;
    const { B, t: T } = this;
    const p = this.params,
      g = this.grad,
      lay = this.layout;
    const dh = new Float64Array(B * H); // gradient flowing into h_t from step t+1
    const dhNext = new Float64Array(B * H);
    const daR = new Float64Array(H),
      daZ = new Float64Array(H),
      daN = new Float64Array(H),
      dHn = new Float64Array(H);
    for (let t = T - 1; t >= 0; t--) {
      dhNext.fill(0);
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        const ho = row * H,
          xo = row * I,
          bo = b * H;
        // heads
        for (let k = 0; k < K; k++) {
          const d = dLogits[row * K + k];
          if (d === 0) continue;
          g[lay.bo + k] += d;
          const wo = lay.Wo + k * H;
          for (let j = 0; j < H; j++) {
            g[wo + j] += d * this.hs[ho + j];
            dh[bo + j] += d * p[wo + j];
          }
        }
        const dv = dValues[row];
        if (dv !== 0) {
          g[lay.bv] += dv;
          for (let j = 0; j < H; j++) {
            g[lay.wv + j] += dv * this.hs[ho + j];
            dh[bo + j] += dv * p[lay.wv + j];
          }
        }
        // cell
        for (let j = 0; j < H; j++) {
          const d = dh[bo + j];
          const z = this.zs[ho + j],
            n = this.ns[ho + j],
            r = this.rs[ho + j];
          const dn = d * (1 - z);
          const dz = d * (this.hPrev[ho + j] - n);
          const an = dn * (1 - n * n);
          daN[j] = an;
          dHn[j] = an * r;
          const dr = an * this.hns[ho + j];
          daR[j] = dr * r * (1 - r);
          daZ[j] = dz * z * (1 - z);
          if (memory && t > 0) dhNext[bo + j] += d * z;
        }
        for (let j = 0; j < H; j++) {
          const gr = j,
            gz = H + j,
            gn = 2 * H + j;
          g[lay.bx + gr] += daR[j];
          g[lay.bx + gz] += daZ[j];
          g[lay.bx + gn] += daN[j];
          g[lay.bh + gr] += daR[j];
          g[lay.bh + gz] += daZ[j];
          g[lay.bh + gn] += dHn[j];
          for (let i = 0; i < I; i++) {
            const xi = this.xs[xo + i];
            if (xi === 0) continue;
            g[lay.Wx + gr * I + i] += daR[j] * xi;
            g[lay.Wx + gz * I + i] += daZ[j] * xi;
            g[lay.Wx + gn * I + i] += daN[j] * xi;
          }
        }
        if (memory && t > 0) {
          for (let j = 0; j < H; j++) {
            const wr = lay.Wh + j * H,
              wz = lay.Wh + (H + j) * H,
              wn = lay.Wh + (2 * H + j) * H;
            const ar = daR[j],
              az = daZ[j],
              hn = dHn[j];
            for (let m = 0; m < H; m++) {
              const hm = this.hPrev[ho + m];
              g[wr + m] += ar * hm;
              g[wz + m] += az * hm;
              g[wn + m] += hn * hm;
              dhNext[bo + m] += ar * p[wr + m] + az * p[wz + m] + hn * p[wn + m];
            }
          }
        }
      }
      dh.set(dhNext);
    }
  }

  zeroGrad(): void {
    this.grad.fill(0);
  }
}
