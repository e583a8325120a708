/**
 * SARM's progress labels and a tabular stage-aware progress model (Chen, Yu, Schwager, Abbeel, Shentu & Wu, "SARM:
 * Stage-Aware Reward Modeling for Long Horizon Robot Manipulation", arXiv:2509.25358), with the frame-index labels
 * it is compared against.
 *
 * Subtask annotations give each episode i its stage segments [s_k, e_k) (here: s_k the first frame in stage k, e_k
 * the first frame of stage k + 1, or the last frame T_i when stage k is the last one the episode reached; the final
 * frame belongs to the last segment).
 * - Formula (1), dataset-level temporal proportions: ᾱ_k = (1/M) Σ_i L_{i,k}/T_i with L_{i,k} = e_k − s_k (0 for a
 *   stage episode i never reached), normalised to Σ_k ᾱ_k = 1 (as LeRobot's compute_temporal_proportions).
 * - Formula (2), the stage-aware progress label of frame t in stage k: y_t = P_{k−1} + ᾱ_k τ_t with
 *   τ_t = (t − s_k)/(e_k − s_k) and P_{k−1} = Σ_{j<k} ᾱ_j.
 * - Frame-index labels (the baseline the paper argues against): y_t = t/T_i.
 * The model: a stage estimator (cross-entropy; its tabular minimiser is the empirical stage frequency per state, and
 * the predicted stage k̂(s) its argmax) and a subtask estimator conditioned on the stage (squared error on τ; its
 * tabular minimiser is the mean τ of the frames of state s annotated k̂(s)); the progress estimate is Formula (2)
 * at inference, φ(s) = P_{k̂−1} + ᾱ_{k̂} τ̂(s). A frame-index model regresses y_t = t/T on the state (the tabular
 * squared-error minimiser: the mean label per state). States without data get the mean label of all frames.
 */
import type { StagedEpisode } from '../data/staged-demos';

export interface StageAnnotation {
  /** Annotated stage of each frame (length T + 1). */
  stage: Int32Array;
  /** Within-stage progress τ_t of each frame. */
  tau: Float64Array;
  /** Segment length L_k = e_k − s_k per stage (0 if not reached). */
  length: Float64Array;
}

/**
 * The subtask annotation of one episode: `stageOfState(s)` gives the stage of a state (values ≥ K are clipped to
 * K − 1: the success state closes the last stage).
 */
export function annotateStages(states: Int32Array, stageOfState: ArrayLike<number>, K: number): StageAnnotation {
  const T = states.length - 1;
  const stage = Int32Array.from(states, (s) => Math.min(stageOfState[s], K - 1));
  for (let t = 1; t <= T; t++)
    if (stage[t] < stage[t - 1]) throw new RangeError(`annotateStages: stage decreases at frame ${t}`);
  const start = new Int32Array(K).fill(-1);
  for (let t = T; t >= 0; t--) start[stage[t]] = t;
  const end = new Int32Array(K).fill(-1);
  const last = stage[T];
  for (let k = 0; k < K; k++) {
    if (start[k] < 0) continue;
    let nxt = -1;
    for (let j = k + 1; j < K && nxt < 0; j++) if (start[j] >= 0) nxt = start[j];
    end[k] = k === last || nxt < 0 ? T : nxt;
  }
  const tau = new Float64Array(T + 1);
  const length = new Float64Array(K);
  for (let k = 0; k < K; k++) if (start[k] >= 0) length[k] = end[k] - start[k];
  for (let t = 0; t <= T; t++) {
    const k = stage[t];
    tau[t] = length[k] > 0 ? (t - start[k]) / length[k] : 1;
  }
  return { stage, tau, length };
}

/** Formula (1): ᾱ_k = (1/M) Σ_i L_{i,k}/T_i, normalised to sum 1. Episodes of length 0 are skipped. */
export function temporalProportions(annotations: readonly StageAnnotation[], K: number): Float64Array {
  const alpha = new Float64Array(K);
  let M = 0;
  for (const a of annotations) {
    const T = a.stage.length - 1;
    if (T <= 0) continue;
    M++;
    for (let k = 0; k < K; k++) alpha[k] += a.length[k] / T;
  }
  let z = 0;
  for (let k = 0; k < K; k++) z += alpha[k] / Math.max(M, 1);
  for (let k = 0; k < K; k++) alpha[k] = z > 0 ? alpha[k] / Math.max(M, 1) / z : 1 / K;
  return alpha;
}

/** Formula (2): y_t = P_{k−1} + ᾱ_k τ_t. */
export function stageAwareLabels(a: StageAnnotation, alpha: Float64Array): Float64Array {
  const P = cumulativePriors(alpha);
  return Float64Array.from(a.stage, (k, t) => P[k] + alpha[k] * a.tau[t]);
}

/** P_{k−1} = Σ_{j<k} ᾱ_j for k = 0 … K − 1 (P[k] is the progress at the start of stage k). */
export function cumulativePriors(alpha: Float64Array): Float64Array {
  const P = new Float64Array(alpha.length);
  for (let k = 1; k < alpha.length; k++) P[k] = P[k - 1] + alpha[k - 1];
  return P;
}

/** Frame-index labels y_t = t/T (y_0 = 0, y_T = 1; a one-frame episode gets 1). */
export function frameIndexLabels(T: number): Float64Array {
  return Float64Array.from({ length: T + 1 }, (_, t) => (T > 0 ? t / T : 1));
}

/** The tabular squared-error regressor: the mean label per state; states without frames get the overall mean. */
export function fitTabularProgress(
  nS: number,
  episodes: readonly StagedEpisode[],
  labels: readonly Float64Array[],
): Float64Array {
  const sum = new Float64Array(nS);
  const cnt = new Float64Array(nS);
  let all = 0,
    n = 0;
  episodes.forEach((ep, e) =>
    ep.states.forEach((s, t) => {
      sum[s] += labels[e][t];
      cnt[s]++;
      all += labels[e][t];
      n++;
    }),
  );
  const fallback = n > 0 ? all / n : 0;
  return Float64Array.from(sum, (v, s) => (cnt[s] > 0 ? v / cnt[s] : fallback));
}

export interface SarmModel {
  /** ᾱ_k (Formula 1). */
  alpha: Float64Array;
  /** Predicted stage k̂(s) (−1 where no data). */
  stage: Int32Array;
  /** Predicted within-stage progress τ̂(s). */
  tau: Float64Array;
  /** φ(s) = P_{k̂−1} + ᾱ_{k̂} τ̂(s) (Formula 2 at inference). */
  progress: Float64Array;
}

/** Fit the tabular SARM (stage estimator + stage-conditioned subtask estimator) on annotated episodes. */
export function fitSarm(
  nS: number,
  K: number,
  episodes: readonly StagedEpisode[],
  annotations: readonly StageAnnotation[],
): SarmModel {
  const alpha = temporalProportions(annotations, K);
  const P = cumulativePriors(alpha);
  const stageCount = new Float64Array(nS * K);
  const tauSum = new Float64Array(nS * K);
  let all = 0,
    n = 0;
  episodes.forEach((ep, e) =>
    ep.states.forEach((s, t) => {
      const k = annotations[e].stage[t];
      stageCount[s * K + k]++;
      tauSum[s * K + k] += annotations[e].tau[t];
      all += P[k] + alpha[k] * annotations[e].tau[t];
      n++;
    }),
  );
  const fallback = n > 0 ? all / n : 0;
  const stage = new Int32Array(nS).fill(-1);
  const tau = new Float64Array(nS);
  const progress = new Float64Array(nS).fill(fallback);
  for (let s = 0; s < nS; s++) {
    let best = -1,
      bestC = 0;
    for (let k = 0; k < K; k++)
      if (stageCount[s * K + k] > bestC) {
        bestC = stageCount[s * K + k];
        best = k;
      }
    if (best < 0) continue;
    stage[s] = best;
    tau[s] = tauSum[s * K + best] / bestC;
    progress[s] = P[best] + alpha[best] * tau[s];
  }
  return { alpha, stage, tau, progress };
}
