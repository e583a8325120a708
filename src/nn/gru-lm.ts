/**
 * A one-layer GRU language model on the kit's wasm engine, with hand-written backpropagation through
 * time. Tokens enter one-hot (so the input projection is a row lookup in W_x), the GRU follows
 * PyTorch's gate convention (torch.nn.GRU):
 *   r = σ(W_x[x]_r + b_xr + h W_hr + b_hr),  z = σ(W_x[x]_z + b_xz + h W_hz + b_hz),
 *   n = tanh(W_x[x]_n + b_xn + r ⊙ (h W_hn + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h,
 * and logits = h' W_o + b_o. All parameters live in one flat float32 vector (layout `PARAM_LAYOUT`),
 * so an optimizer is a loop over one array and a checkpoint is one file.
 *
 * Per time step the whole batch costs one GEMM (N × H · H × 3H) plus element-wise loops; output
 * logits, W_h's and W_o's gradients are single large GEMMs over all steps. Sampling draws tokens
 * with the kit's seeded Rng from the exact float32 probabilities, so a seed reproduces its samples.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '../core/rng';
import { writeFileAtomic } from '../core/records';
import { Arena, Buf, columnSums, gemm, gruBackwardGates, gruForwardGates, transpose } from './wasm';

export interface GruLmShape {
  vocab: number;
  hidden: number;
}

export interface ParamSlices {
  Wx: number;
  bx: number;
  Wh: number;
  bh: number;
  Wo: number;
  bo: number;
  size: number;
}

/**
 * Offsets of each parameter block in the flat vector: W_x (V×3H), b_x (3H), W_h (H×3H), b_h (3H), W_o (H×V),
 * b_o (V).
 */
export function paramLayout(s: GruLmShape): ParamSlices {
  const { vocab: V, hidden: H } = s;
  const Wx = 0;
  const bx = Wx + V * 3 * H;
  const Wh = bx + 3 * H;
  const bh = Wh + H * 3 * H;
  const Wo = bh + 3 * H;
  const bo = Wo + H * V;
  return { Wx, bx, Wh, bh, Wo, bo, size: bo + V };
}

/** The cache of one teacher-forced forward pass, consumed by `backward`. */
export interface GruForward {
  N: number;
  T: number;
  outFrom: number;
  /** log π(tokens[n, s+1] | tokens[n, ≤ s]) for s = outFrom … T−2, N × O (row n, column s − outFrom). */
  logp: Float32Array;
  /** Entropy of the predictive distribution at each output position, N × O. */
  entropy: Float32Array;
  readonly tokens: Int32Array;
  readonly mark: number;
  readonly hs: Buf;
  readonly gates: Buf;
  readonly probs: Buf;
  /** Input tokens, time-major (S × N, int32), for the gate kernels. */
  readonly tokT: Buf;
}

export interface SampleResult {
  N: number;
  L: number;
  /** Generated tokens, N × L (after an `eos`, the rest of the row is `pad`). */
  tokens: Int32Array;
  /** log π of each generated token (0 after the end), N × L. */
  logp: Float32Array;
  /** Generated tokens per row, including the eos when produced. */
  lengths: Int32Array;
  /** Predictive entropy at each generated position (0 after the end), N × L. */
  entropy: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class GruLm {
  readonly shape: GruLmShape;
  readonly layout: ParamSlices;
  readonly arena: Arena;
  readonly params: Buf;
  readonly grads: Buf;
  private readonly base: number;

  /** Whether the fused wasm SIMD gate kernels are used (H a multiple of 4) or the scalar JavaScript loops. */
  readonly simd: boolean;

  constructor(shape: GruLmShape, rng: Rng, arena: Arena = new Arena(), o: { kernels?: 'simd' | 'scalar' } = {}) {
    const { vocab: V, hidden: H } = shape;
    if (!Number.isInteger(V) || V < 2) throw new RangeError(`nn.GruLm: vocab must be an integer ≥ 2, got ${V}`);
    if (!Number.isInteger(H) || H < 1) throw new RangeError(`nn.GruLm: hidden must be a positive integer, got ${H}`);
    this.shape = { vocab: V, hidden: H };
    this.layout = paramLayout(this.shape);
    this.arena = arena;
    if (o.kernels === 'simd' && H % 4 !== 0)
      throw new RangeError(`nn.GruLm: the simd kernels need hidden to be a multiple of 4, got ${H}`);
    this.simd = o.kernels !== 'scalar' && H % 4 === 0;
    this.params = arena.alloc(this.layout.size, 'GruLm.params');
    this.grads = arena.alloc(this.layout.size, 'GruLm.grads');
    this.base = arena.mark();
    // PyTorch's default initialisation: U(−1/√H, 1/√H) for every GRU and output weight and bias.
    const p = this.params.f;
    const k = 1 / Math.sqrt(H);
    const r = rng.split('init');
    for (let i = 0; i < this.layout.size; i++) p[i] = r.range(-k, k);
  }

  get size(): number {
    return this.layout.size;
  }

  zeroGrad(): void {
    this.grads.f.fill(0);
  }

  /** Free every forward cache (they are also freed by the next forward or sample call). */
  releaseCaches(): void {
    this.arena.release(this.base);
  }

  /** V × 3H table W_x + b_x (input projection of each token, biases folded in). */
  private inputTable(): Buf {
    const { vocab: V, hidden: H } = this.shape;
    const t = this.arena.alloc(V * 3 * H, 'GruLm.inputTable', false);
    const tf = t.f,
      p = this.params.f,
      L = this.layout;
    for (let v = 0; v < V; v++)
      for (let j = 0; j < 3 * H; j++) tf[v * 3 * H + j] = p[L.Wx + v * 3 * H + j] + p[L.bx + j];
    return t;
  }

  /**
   * One GRU step for the whole batch: h (N × H, at `hOff` of `hBuf`) and the input tokens (int32, N
   * entries at `tokOff` of `tok`) → new hidden state at `outOff` of `outBuf`; optionally keeps r, z, n
   * and h·W_hn + b_hn as four N × H blocks.
   */
  private step(
    N: number,
    table: Buf,
    tok: Buf,
    tokOff: number,
    hBuf: Buf,
    hOff: number,
    gh: Buf,
    outBuf: Buf,
    outOff: number,
    keep?: { buf: Buf; offset: number },
  ): void {
    const H = this.shape.hidden,
      H3 = 3 * H,
      L = this.layout;
    gemm(N, H3, H, { buf: hBuf, offset: hOff, ld: H }, { buf: this.params, offset: L.Wh, ld: H3 }, { buf: gh, ld: H3 });
    if (this.simd) {
      gruForwardGates(
        N,
        H,
        { buf: table },
        { buf: tok, offset: tokOff },
        { buf: gh },
        { buf: this.params, offset: L.bh },
        { buf: hBuf, offset: hOff },
        { buf: outBuf, offset: outOff },
        keep,
      );
      return;
    }
    const tf = table.f,
      ti = tok.i,
      g = gh.f,
      p = this.params.f,
      hp = hBuf.f,
      ho = outBuf.f;
    const kf = keep ? keep.buf.f : null;
    const NH = N * H;
    for (let n = 0; n < N; n++) {
      const tb = ti[tokOff + n] * H3;
      const gb = n * H3;
      const hb = n * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(tf[tb + j] + g[gb + j] + p[L.bh + j]);
        const z = sigmoid(tf[tb + H + j] + g[gb + H + j] + p[L.bh + H + j]);
        const ghn = g[gb + 2 * H + j] + p[L.bh + 2 * H + j];
        const nn = Math.tanh(tf[tb + 2 * H + j] + r * ghn);
        ho[outOff + hb + j] = nn + z * (hp[hOff + hb + j] - nn);
        if (kf) {
          const o = keep!.offset + hb + j;
          kf[o] = r;
          kf[o + NH] = z;
          kf[o + 2 * NH] = nn;
          kf[o + 3 * NH] = ghn;
        }
      }
    }
  }

  /**
   * Teacher-forced forward over tokens (N × T): step s reads tokens[:, s] and predicts tokens[:, s+1];
   * log-probabilities and entropies are returned for s ≥ outFrom (so outFrom = P − 1 scores a response
   * that follows a P-token prompt). Keeps what `backward` needs; the cache lives until the next
   * forward/sample call on this model.
   */
  forward(tokens: Int32Array, N: number, T: number, outFrom: number): GruForward {
    const { vocab: V, hidden: H } = this.shape;
    if (!Number.isInteger(N) || N < 1 || !Number.isInteger(T) || T < 2 || tokens.length !== N * T)
      throw new RangeError(
        `nn.GruLm.forward: tokens has ${tokens.length} entries, expected N·T with N = ${N} ≥ 1 and T = ${T} ≥ 2`,
      );
    if (!Number.isInteger(outFrom) || outFrom < 0 || outFrom > T - 2)
      throw new RangeError(`nn.GruLm.forward: outFrom must be an integer in [0, T−2 = ${T - 2}], got ${outFrom}`);
    for (let i = 0; i < tokens.length; i++)
      if (!(tokens[i] >= 0 && tokens[i] < V))
        throw new RangeError(`nn.GruLm.forward: token ${tokens[i]} at index ${i} is outside the vocabulary [0, ${V})`);
    this.arena.release(this.base);
    const mark = this.arena.mark();
    const S = T - 1;
    const O = S - outFrom;
    const NH = N * H;
    const tableBuf = this.inputTable();
    const hs = this.arena.alloc((S + 1) * NH, 'GruLm.hs', false);
    const gates = this.arena.alloc(S * 4 * NH, 'GruLm.gates', false);
    const gh = this.arena.alloc(N * 3 * H, 'GruLm.gh', false);
    const probs = this.arena.alloc(O * N * V, 'GruLm.probs', false);
    const tokT = this.arena.alloc(S * N, 'GruLm.tokens', false);
    // Views are taken after the last allocation (growing the memory detaches earlier views).
    const ti = tokT.i;
    hs.f.fill(0, 0, NH); // h_0 = 0
    for (let s = 0; s < S; s++) for (let n = 0; n < N; n++) ti[s * N + n] = tokens[n * T + s];
    for (let s = 0; s < S; s++) {
      this.step(N, tableBuf, tokT, s * N, hs, s * NH, gh, hs, (s + 1) * NH, { buf: gates, offset: s * 4 * NH });
    }
    // Output logits for all scored steps at once: (O·N × H) · (H × V).
    gemm(
      O * N,
      V,
      H,
      { buf: hs, offset: (outFrom + 1) * NH, ld: H },
      { buf: this.params, offset: this.layout.Wo, ld: V },
      { buf: probs, ld: V },
      { bias: { buf: this.params, offset: this.layout.bo } },
    );
    const logp = new Float32Array(N * O);
    const entropy = new Float32Array(N * O);
    const pr = probs.f;
    for (let o = 0; o < O; o++) {
      for (let n = 0; n < N; n++) {
        const row = (o * N + n) * V;
        let mx = -Infinity;
        for (let v = 0; v < V; v++) {
          const l = pr[row + v];
          if (l > mx) mx = l;
        }
        let sum = 0;
        for (let v = 0; v < V; v++) sum += Math.exp(pr[row + v] - mx);
        const lse = mx + Math.log(sum);
        const y = tokens[n * T + outFrom + o + 1];
        logp[n * O + o] = pr[row + y] - lse;
        let ent = 0;
        for (let v = 0; v < V; v++) {
          const lp = pr[row + v] - lse;
          const q = Math.exp(lp);
          pr[row + v] = q;
          if (q > 0) ent -= q * lp;
        }
        entropy[n * O + o] = ent;
      }
    }
    return { N, T, outFrom, logp, entropy, tokens, mark, hs, gates, probs, tokT };
  }

  /**
   * Accumulates into `grads` the gradient of Σ_{n,o} w[n·O + o] · logp[n·O + o] (pass w = ∂loss/∂logp,
   * e.g. −advantage/normaliser for a policy-gradient loss). Must follow the `forward` that made `f`.
   */
  backward(f: GruForward, w: Float32Array): void {
    const { vocab: V, hidden: H } = this.shape;
    const { N, T, outFrom } = f;
    const S = T - 1,
      O = S - outFrom,
      NH = N * H,
      H3 = 3 * H;
    if (w.length !== N * O)
      throw new RangeError(`nn.GruLm.backward: w has ${w.length} entries, expected N·O = ${N * O}`);
    const L = this.layout;
    const WoT = this.arena.alloc(V * H, 'GruLm.WoT', false);
    const dHout = this.arena.alloc(O * NH, 'GruLm.dHout', false);
    const WhT = this.arena.alloc(H3 * H, 'GruLm.WhT', false);
    const dgh = this.arena.alloc(S * N * H3, 'GruLm.dgh', false);
    const dh = this.arena.alloc(NH, 'GruLm.dh');
    const dhPrev = this.arena.alloc(NH, 'GruLm.dhPrev', false);
    // Views are taken after the last allocation (growing the memory detaches earlier views).
    // d logits = w · (onehot(y) − p), in place of the cached probabilities.
    const pr = f.probs.f;
    for (let o = 0; o < O; o++) {
      for (let n = 0; n < N; n++) {
        const row = (o * N + n) * V;
        const wi = w[n * O + o];
        for (let v = 0; v < V; v++) pr[row + v] = -wi * pr[row + v];
        pr[row + f.tokens[n * T + outFrom + o + 1]] += wi;
      }
    }
    const gr = this.grads.f;
    columnSums(O * N, V, { buf: f.probs }, V, { buf: this.grads, offset: L.bo });
    // dW_o += Hsᵀ · dlogits (Hs read transposed in place)
    gemm(
      H,
      V,
      O * N,
      { buf: f.hs, offset: (outFrom + 1) * NH, ld: H, trans: true },
      { buf: f.probs, ld: V },
      { buf: this.grads, offset: L.Wo, ld: V },
      true,
    );
    // dH_out = dlogits · W_oᵀ
    transpose(this.params.f, L.Wo, H, V, WoT.f);
    gemm(O * N, H, V, { buf: f.probs, ld: V }, { buf: WoT, ld: H }, { buf: dHout, ld: H });
    // Backpropagation through time.
    transpose(this.params.f, L.Wh, H, H3, WhT.f);
    const g = f.gates.f,
      hs = f.hs.f,
      dho = dHout.f;
    let cur = dh,
      nxt = dhPrev;
    for (let s = S - 1; s >= 0; s--) {
      const d = cur.f;
      if (s >= outFrom) {
        const off = (s - outFrom) * NH;
        for (let i = 0; i < NH; i++) d[i] += dho[off + i];
      }
      const gOff = s * 4 * NH,
        hOff = s * NH,
        dgOff = s * N * H3;
      if (this.simd) {
        gruBackwardGates(
          N,
          H,
          { buf: f.tokT, offset: s * N },
          { buf: f.gates, offset: gOff },
          { buf: f.hs, offset: hOff },
          { buf: cur },
          { buf: nxt },
          { buf: dgh, offset: dgOff },
          { buf: this.grads, offset: L.Wx },
          { buf: this.grads, offset: L.bx },
          { buf: this.grads, offset: L.bh },
        );
      } else {
        const dg = dgh.f,
          dp = nxt.f;
        for (let n = 0; n < N; n++) {
          const x = f.tokens[n * T + s];
          const wxRow = L.Wx + x * H3;
          for (let j = 0; j < H; j++) {
            const i = n * H + j;
            const r = g[gOff + i],
              z = g[gOff + NH + i],
              nn = g[gOff + 2 * NH + i],
              ghn = g[gOff + 3 * NH + i];
            const dhi = d[i];
            const dz = dhi * (hs[hOff + i] - nn);
            dp[i] = dhi * z;
            const dan = dhi * (1 - z) * (1 - nn * nn);
            const dar = dan * ghn * r * (1 - r);
            const daz = dz * z * (1 - z);
            const o = dgOff + n * H3 + j;
            dg[o] = dar;
            dg[o + H] = daz;
            dg[o + 2 * H] = dan * r;
            gr[wxRow + j] += dar;
            gr[wxRow + H + j] += daz;
            gr[wxRow + 2 * H + j] += dan;
            gr[L.bx + j] += dar;
            gr[L.bx + H + j] += daz;
            gr[L.bx + 2 * H + j] += dan;
            gr[L.bh + j] += dar;
            gr[L.bh + H + j] += daz;
            gr[L.bh + 2 * H + j] += dan * r;
          }
        }
      }
      // dh_{s} (into nxt, which holds dh·z) += dgh_s · W_hᵀ
      gemm(N, H, H3, { buf: dgh, offset: dgOff, ld: H3 }, { buf: WhT, ld: H }, { buf: nxt, ld: H }, true);
      const t = cur;
      cur = nxt;
      nxt = t;
    }
    // dW_h += H_prevᵀ · dgh over all steps (K = S·N).
    gemm(
      H,
      H3,
      S * N,
      { buf: f.hs, ld: H, trans: true },
      { buf: dgh, ld: H3 },
      { buf: this.grads, offset: L.Wh, ld: H3 },
      true,
    );
  }

  /**
   * Samples L tokens after each prompt row (prompts: N × P, P ≥ 1). Rows stop at `eos` (the rest is
   * `pad`, log-probability 0) when eos is given; otherwise exactly L tokens are drawn. `temperature`
   * scales the logits (log-probabilities are those of the tempered sampling distribution); `greedy`
   * takes the most probable token (lowest index on ties) instead of sampling.
   */
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos?: number; pad?: number; temperature?: number; greedy?: boolean } = {},
  ): SampleResult {
    const { vocab: V, hidden: H } = this.shape;
    if (!Number.isInteger(P) || P < 1 || prompts.length !== N * P)
      throw new RangeError(
        `nn.GruLm.sample: prompts has ${prompts.length} entries, expected N·P with N = ${N}, P = ${P} ≥ 1`,
      );
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`nn.GruLm.sample: L must be a positive integer, got ${L}`);
    const temp = o.temperature ?? 1;
    if (!(temp > 0)) throw new RangeError(`nn.GruLm.sample: temperature must be > 0, got ${temp}`);
    const eos = o.eos ?? -1;
    const pad = o.pad ?? 0;
    this.arena.release(this.base);
    const tableBuf = this.inputTable();
    const NH = N * H;
    const h = [this.arena.alloc(NH, 'h0'), this.arena.alloc(NH, 'h1', false)];
    const gh = this.arena.alloc(N * 3 * H, 'gh', false);
    const logits = this.arena.alloc(N * V, 'logits', false);
    const tokCol = this.arena.alloc(N, 'tokens', false);
    const tc = tokCol.i; // after the last allocation
    const tokens = new Int32Array(N * L).fill(pad);
    const logp = new Float32Array(N * L);
    const entropy = new Float32Array(N * L);
    const lengths = new Int32Array(N);
    const done = new Uint8Array(N);
    const prev = new Int32Array(N);
    const u = new Float64Array(N);
    let cur = 0;
    for (let s = 0; s < P + L - 1; s++) {
      if (s < P) for (let n = 0; n < N; n++) tc[n] = prompts[n * P + s];
      else tc.set(prev);
      this.step(N, tableBuf, tokCol, 0, h[cur], 0, gh, h[1 - cur], 0);
      cur = 1 - cur;
      if (s < P - 1) continue;
      const t = s - (P - 1);
      gemm(
        N,
        V,
        H,
        { buf: h[cur], ld: H },
        { buf: this.params, offset: this.layout.Wo, ld: V },
        { buf: logits, ld: V },
        { bias: { buf: this.params, offset: this.layout.bo } },
      );
      const lg = logits.f;
      for (let n = 0; n < N; n++) u[n] = rng.uniform();
      for (let n = 0; n < N; n++) {
        if (done[n]) {
          prev[n] = pad;
          continue;
        }
        const row = n * V;
        let mx = -Infinity;
        for (let v = 0; v < V; v++) {
          const l = (lg[row + v] = lg[row + v] / temp);
          if (l > mx) mx = l;
        }
        let sum = 0;
        for (let v = 0; v < V; v++) sum += Math.exp(lg[row + v] - mx);
        const lse = mx + Math.log(sum);
        let acc = 0,
          pick = V - 1,
          ent = 0;
        const target = u[n];
        let picked = false;
        for (let v = 0; v < V; v++) {
          const lp = lg[row + v] - lse;
          const q = Math.exp(lp);
          ent -= q > 0 ? q * lp : 0;
          acc += q;
          if (!picked && target < acc) {
            pick = v;
            picked = true;
          }
        }
        if (o.greedy) {
          pick = 0;
          for (let v = 1; v < V; v++) if (lg[row + v] > lg[row + pick]) pick = v;
        }
        tokens[n * L + t] = pick;
        logp[n * L + t] = lg[row + pick] - lse;
        entropy[n * L + t] = ent;
        lengths[n] = t + 1;
        prev[n] = pick;
        if (pick === eos) done[n] = 1;
      }
    }
    return { N, L, tokens, logp, lengths, entropy };
  }

  /** Copies the parameters out (a plain Float32Array snapshot). */
  snapshot(): Float32Array {
    return Float32Array.from(this.params.f);
  }

  load(values: Float32Array): void {
    if (values.length !== this.layout.size)
      throw new RangeError(
        `nn.GruLm.load: expected ${this.layout.size} parameters for vocab ${this.shape.vocab}, ` +
          `hidden ${this.shape.hidden}; got ${values.length}`,
      );
    this.params.f.set(values);
  }

  /** Saves the parameters to a little-endian float32 file with a JSON header line (atomic write). */
  save(file: string, meta: Record<string, unknown> = {}): void {
    const header = Buffer.from(
      JSON.stringify({ format: 'rlmini-gru-lm/1', shape: this.shape, size: this.layout.size, meta }) + '\n',
    );
    const body = Buffer.from(this.snapshot().buffer);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, Buffer.concat([header, body]));
  }

  /** Loads a model saved by `save`; returns null when the file is missing, throws on a corrupt or mismatched file. */
  static loadFile(file: string, arena?: Arena): { model: GruLm; meta: Record<string, unknown> } | null {
    if (!fs.existsSync(file)) return null;
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    if (nl < 0) throw new Error(`nn.GruLm.loadFile: ${file} has no header line; delete it to retrain`);
    const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as {
      format: string;
      shape: GruLmShape;
      size: number;
      meta: Record<string, unknown>;
    };
    if (header.format !== 'rlmini-gru-lm/1')
      throw new Error(
        `nn.GruLm.loadFile: ${file} has format ${header.format}, expected rlmini-gru-lm/1; delete it to retrain`,
      );
    const body = buf.subarray(nl + 1);
    if (body.length !== header.size * 4)
      throw new Error(
        `nn.GruLm.loadFile: ${file} holds ${body.length} bytes of parameters, expected ${header.size * 4}; ` +
          'delete it to retrain',
      );
    const model = new GruLm(header.shape, new Rng(0), arena);
    const vals = new Float32Array(header.size);
    for (let i = 0; i < header.size; i++) vals[i] = body.readFloatLE(i * 4);
    model.load(vals);
    return { model, meta: header.meta };
  }
}
