/**
 * Training loop on the tabular bandit: sample a batch of prompts, G responses each from the behaviour
 * policy (the current policy, or the one `staleness` updates ago: a fixed sync offset, as in
 * Trinity-RFT's off-policy mode), compute the method's direction (pg.ts) and take SGD steps on the
 * logits. Exact steps (true gradient, natural gradient) are here too, for the checks that need them.
 */
import { Rng } from '../../core/rng';
import { type Bandit, logSoftmaxRows, softmaxRows } from './bandit';
import { type GroupBatch, type PgConfig, type PgDiagnostics, pgDirection, sampleBatch, samplePrompts } from './pg';

export interface BanditRunConfig {
  steps: number;
  /** Step size η: z_q ← z_q + η·d_q for every prompt q in the batch. */
  lr: number;
  /** Prompts per batch (≥ nPrompts: all prompts every step). */
  batchPrompts: number;
  groupSize: number;
  pg: PgConfig;
  /** The behaviour policy is the policy of `staleness` updates ago (0: on-policy). */
  staleness?: number;
  /** Gradient steps on each batch (default 1); the ratio ρ is always taken against the behaviour policy. */
  updatesPerBatch?: number;
}

export interface PolicyState {
  logits: Float64Array;
  probs: Float64Array;
  logProbs: Float64Array;
}

export function policyState(logits: Float64Array, K: number): PolicyState {
  return { logits, probs: softmaxRows(logits, K), logProbs: logSoftmaxRows(logits, K) };
}

export interface StepInfo {
  /** Update index, 1-based (after the update). */
  t: number;
  before: PolicyState;
  after: PolicyState;
  batch: GroupBatch;
  diag: PgDiagnostics;
}

/**
 * Run `cfg.steps` updates from logits0 (copied); `onStep` sees every update (before/after states).
 * The reference policy of a KL term is the initial policy. Returns the final state.
 */
export function runBandit(
  bandit: Bandit,
  logits0: Float64Array,
  cfg: BanditRunConfig,
  rng: Rng,
  onStep?: (s: StepInfo) => void,
): PolicyState {
  const K = bandit.nResponses;
  const Q = bandit.nPrompts;
  const k = cfg.staleness ?? 0;
  const inner = cfg.updatesPerBatch ?? 1;
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`rlvr.runBandit: staleness must be a non-negative integer, got ${k}`);
  if (!Number.isInteger(inner) || inner < 1)
    throw new RangeError(`rlvr.runBandit: updatesPerBatch must be a positive integer, got ${inner}`);
  let cur = policyState(Float64Array.from(logits0), K);
  const ref = cur.logProbs.slice();
  const history: PolicyState[] = [cur];
  const dir = new Float64Array(Q * K);
  const rp = rng.split('prompts');
  const rs = rng.split('samples');
  let t = 0;
  while (t < cfg.steps) {
    const behaviour = history[0];
    const prompts = samplePrompts(rp, Q, cfg.batchPrompts);
    const batch = sampleBatch(rs, bandit, behaviour.probs, behaviour.logProbs, prompts, cfg.groupSize);
    for (let u = 0; u < inner && t < cfg.steps; u++) {
      const diag = pgDirection(bandit, cur.probs, cur.logProbs, batch, cfg.pg, dir, ref);
      const z = cur.logits.slice();
      for (let i = 0; i < z.length; i++) z[i] += cfg.lr * dir[i];
      const next = policyState(z, K);
      t++;
      onStep?.({ t, before: cur, after: next, batch, diag });
      cur = next;
    }
    history.push(cur);
    while (history.length > k + 1) history.shift();
  }
  return cur;
}

/** Exact policy-gradient step on every prompt: Δz_qa = η π_q(a)(r_qa − p_q) (= η·Q·∂J/∂z). */
export function exactPgDirection(bandit: Bandit, probs: ArrayLike<number>, out: Float64Array): Float64Array {
  const K = bandit.nResponses;
  for (let q = 0; q < bandit.nPrompts; q++) {
    let p = 0;
    for (let a = 0; a < K; a++) p += probs[q * K + a] * bandit.rewards[q * K + a];
    for (let a = 0; a < K; a++) out[q * K + a] = probs[q * K + a] * (bandit.rewards[q * K + a] - p);
  }
  return out;
}

/** Exact natural-policy-gradient step (softmax NPG = advantage on the logits): Δz_qa = η (r_qa − p_q). */
export function naturalPgDirection(bandit: Bandit, probs: ArrayLike<number>, out: Float64Array): Float64Array {
  const K = bandit.nResponses;
  for (let q = 0; q < bandit.nPrompts; q++) {
    let p = 0;
    for (let a = 0; a < K; a++) p += probs[q * K + a] * bandit.rewards[q * K + a];
    for (let a = 0; a < K; a++) out[q * K + a] = bandit.rewards[q * K + a] - p;
  }
  return out;
}
