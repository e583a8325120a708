/**
 * Reward shaping for RLHF, as compared in Fu et al. 2025 ("Reward Shaping to Mitigate Reward Hacking in
 * RLHF"); definitions follow the authors' code (github.com/PorUna-byte/PAR, src/trainers/reward_shaper.py):
 *   vanilla  r
 *   clip     clip(r, μ − σ, μ + σ) with running mean μ and std σ of the raw rewards
 *   meanstd  (r − μ)/σ, running statistics
 *   minmax   (r − min)/(max − min), running extremes
 *   lsc      log σ(r − r_85), r_85 = mean(refs) + 1.0364·std(refs): the normal 85th percentile of the
 *            prompt's reference rewards (log-sigmoid-centred shaping, Wang et al. 2024)
 *   sigmoid  σ(r) (bounded but not centred; an ablation of the centring principle)
 *   par      Preference As Reward: (1/M) Σ_m σ(r − r_ref,m) over the prompt's first M reference rewards
 * Running statistics are updated with each batch before it is shaped (as in the official code).
 */
import { sigmoid } from '../../../math';
import { logSigmoid } from '../policies/logit-table';

export const SHAPINGS = ['vanilla', 'clip', 'meanstd', 'minmax', 'lsc', 'sigmoid', 'par'] as const;
export type ShapingName = (typeof SHAPINGS)[number];

const NORMAL_85TH_PERCENTILE = 1.0364333894937898;

/** Running mean and (population) variance over all values seen (Chan et al. parallel update). */
export class RunningMeanStd {
  count = 0;
  mean = 0;
  private m2 = 0;
  update(v: ArrayLike<number>): void {
    const n = v.length;
    if (n === 0) return;
    let bm = 0;
    for (let i = 0; i < n; i++) bm += v[i];
    bm /= n;
    let bv = 0;
    for (let i = 0; i < n; i++) bv += (v[i] - bm) * (v[i] - bm);
    bv /= n;
    if (this.count === 0) {
      this.count = n;
      this.mean = bm;
      this.m2 = bv * n;
      return;
    }
    const delta = bm - this.mean,
      tot = this.count + n;
    this.mean += (delta * n) / tot;
    this.m2 += bv * n + (delta * delta * this.count * n) / tot;
    this.count = tot;
  }
  get std(): number {
    return this.count > 0 ? Math.sqrt(Math.max(this.m2 / this.count, 1e-8)) : 1;
  }
}

export interface ShaperOptions {
  /** Number of reference rewards PAR / LSC use per prompt (the first M). Default: all. */
  maxRefs?: number;
}

/** A stateful reward shaper (running statistics persist across batches). */
export class RewardShaper {
  private stats = new RunningMeanStd();
  private min = Infinity;
  private max = -Infinity;
  constructor(
    readonly kind: ShapingName,
    private readonly o: ShaperOptions = {},
  ) {
    if (!(SHAPINGS as readonly string[]).includes(kind))
      throw new RangeError(`RewardShaper: unknown shaping "${kind}"; use one of ${SHAPINGS.join(', ')}.`);
  }

  private refs(all: ArrayLike<number>): ArrayLike<number> {
    const m = Math.min(this.o.maxRefs ?? all.length, all.length);
    if (m === 0) throw new RangeError(`RewardShaper(${this.kind}): no reference rewards for this prompt.`);
    return Array.prototype.slice.call(all, 0, m);
  }

  /** Shape the raw rewards of a batch; refRewards(x) gives the reference rewards of prompt x. */
  shape(raw: Float64Array, contexts: ArrayLike<number>, refRewards: (x: number) => ArrayLike<number>): Float64Array {
    const n = raw.length;
    const out = new Float64Array(n);
    switch (this.kind) {
      case 'vanilla':
        out.set(raw);
        break;
      case 'meanstd': {
        this.stats.update(raw);
        for (let i = 0; i < n; i++) out[i] = (raw[i] - this.stats.mean) / this.stats.std;
        break;
      }
      case 'clip': {
        this.stats.update(raw);
        const lo = this.stats.mean - this.stats.std,
          hi = this.stats.mean + this.stats.std;
        for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(raw[i], lo), hi);
        break;
      }
      case 'minmax': {
        for (let i = 0; i < n; i++) {
          if (raw[i] < this.min) this.min = raw[i];
          if (raw[i] > this.max) this.max = raw[i];
        }
        const scale = Math.max(this.max - this.min, 1e-8);
        for (let i = 0; i < n; i++) out[i] = (raw[i] - this.min) / scale;
        break;
      }
      case 'lsc':
        for (let i = 0; i < n; i++) out[i] = logSigmoid(raw[i] - reference85(this.refs(refRewards(contexts[i]))));
        break;
      case 'sigmoid':
        for (let i = 0; i < n; i++) out[i] = sigmoid(raw[i]);
        break;
      case 'par':
        for (let i = 0; i < n; i++) out[i] = parReward(raw[i], this.refs(refRewards(contexts[i])));
        break;
    }
    return out;
  }
}

/** PAR's shaped reward (1/M) Σ_m σ(r − r_ref,m). */
export function parReward(r: number, refs: ArrayLike<number>): number {
  let s = 0;
  for (let m = 0; m < refs.length; m++) s += sigmoid(r - refs[m]);
  return s / refs.length;
}

/** mean(refs) + Φ⁻¹(0.85)·std(refs) (population std), LSC's centring value. */
export function reference85(refs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < refs.length; i++) m += refs[i];
  m /= refs.length;
  let v = 0;
  for (let i = 0; i < refs.length; i++) v += (refs[i] - m) * (refs[i] - m);
  return m + NORMAL_85TH_PERCENTILE * Math.sqrt(v / refs.length);
}
