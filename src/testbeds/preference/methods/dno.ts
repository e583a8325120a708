/**
 * DNO, Direct Nash Optimization (Rosset et al. 2024, "Direct Nash Optimization: Teaching Language
 * Models to Self-Improve with General Preferences"), tabular.
 *
 * DNO (Algorithm 1, the theoretical version): with r_t(x, y) = P(y ≻ π_t | x) (the win rate of y
 * against the current policy), π_{t+1} minimises the soft-label contrastive regression
 *
 *   −E_{(x, y1, y2)} [ σ(r_t(y1) − r_t(y2))·log σ(η·[log π/π_t](y1) − η·[log π/π_t](y2)) + (1 ↔ 2) ],
 *
 * whose minimiser is π_{t+1} ∝ π_t·exp(r_t/η) (soft policy iteration); the algorithm returns the
 * average of the iterates. DNO-Prct (Algorithm 2, the practical version): each iteration samples K
 * responses per prompt from π_t (plus one from a fixed teacher), annotates all pairs with the
 * preference oracle, keeps the largest-margin pair (best vs worst estimated win rate, if the
 * margin is large enough) and takes a DPO step with the previous iterate π_t as the reference
 * (methods/dpo.ts `dpoGradientSteps`).
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math';
import type { Comparisons } from '../data/comparisons';
import { pIndex, type PreferenceGame, type PreferencePairs } from '../data/game';
import { logSigmoid } from '../policies/logit-table';
import { sampleResponse, tabularPolicyFromLogits, type TabularPolicy } from '../policies/tabular-policy';
import { preferenceAgainst } from '../solvers/nash';

/**
 * DNO Algorithm 1's soft-label regression loss over weighted pairs (y1, y2) = (a, b) of the
 * comparisons (their labels are not used: the soft label is σ(r_t(y1) − r_t(y2))), under policy
 * logits θ, previous iterate log π_t and win rates r_t (for tests: its minimiser is π ∝ π_t·exp(r_t/η)).
 */
export function dnoRegressionLoss(
  theta: Float64Array,
  logPiT: Float64Array,
  r: Float64Array,
  eta: number,
  pairs: Comparisons,
  nY: number,
): number {
  let s = 0;
  for (let k = 0; k < pairs.n; k++) {
    const a = pairs.x[k] * nY + pairs.a[k],
      b = pairs.x[k] * nY + pairs.b[k];
    const z = eta * (theta[a] - logPiT[a] - (theta[b] - logPiT[b]));
    const t = sigmoid(r[a] - r[b]);
    s -= pairs.w[k] * (t * logSigmoid(z) + (1 - t) * logSigmoid(-z));
  }
  return s;
}

/** DNO Algorithm 1's exact update (the regression's population minimiser): π_{t+1} ∝ π_t·exp(P(y ≻ π_t)/η). */
export function dnoExactStep(g: PreferenceGame, pi: TabularPolicy, eta: number): TabularPolicy {
  if (!(eta > 0)) throw new RangeError(`dnoExactStep: η must be > 0, got ${eta}`);
  const r = preferenceAgainst(g, pi);
  const l = new Float64Array(r.length);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(pi.probs[i]) + r[i] / eta;
  return tabularPolicyFromLogits(pi.nX, pi.nY, l);
}

/** How the candidates of one iteration are labelled. */
export interface CandidateRound {
  /** Candidates per context (nX × m): K policy samples, then the teacher's (if any). */
  cand: Int32Array;
  m: number;
  /** Estimated win rate of each candidate against the other candidates (nX × m). */
  winRate: Float64Array;
  /**
   * Every oracle label of the round, one per annotated pair (x, winner, loser): the annotation budget
   * the round consumed (nX·m(m−1)/2 labels), e.g. to refit a reward model on the same labels.
   */
  labels?: PreferencePairs;
}

/**
 * Sample K responses per context from π (and one from the teacher, if given) and annotate every
 * unordered pair of candidates with one Bernoulli(P) draw from the preference oracle; each
 * candidate's win rate is its share of wins among its m − 1 comparisons. The labels are returned too.
 */
export function sampleAndAnnotate(
  g: PreferenceGame,
  pi: TabularPolicy,
  teacher: TabularPolicy | null,
  K: number,
  rng: Rng,
): CandidateRound {
  const { nX, nY } = g;
  const m = K + (teacher ? 1 : 0);
  const cand = new Int32Array(nX * m);
  const wins = new Float64Array(nX * m);
  const nl = (nX * m * (m - 1)) / 2;
  const labels: PreferencePairs = { n: nl, x: new Int32Array(nl), yw: new Int32Array(nl), yl: new Int32Array(nl) };
  let k = 0;
  for (let x = 0; x < nX; x++) {
    for (let k = 0; k < K; k++) cand[x * m + k] = sampleResponse(pi, x, rng);
    if (teacher) cand[x * m + K] = sampleResponse(teacher, x, rng);
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++) {
        const ya = cand[x * m + a],
          yb = cand[x * m + b];
        const aWins = rng.uniform() < g.P[pIndex(nY, x, ya, yb)];
        if (aWins) wins[x * m + a]++;
        else wins[x * m + b]++;
        labels.x[k] = x;
        labels.yw[k] = aWins ? ya : yb;
        labels.yl[k] = aWins ? yb : ya;
        k++;
      }
  }
  for (let i = 0; i < wins.length; i++) wins[i] /= Math.max(1, m - 1);
  return { cand, m, winRate: wins, labels };
}

/**
 * DNO-Prct's pair selection: per context the candidate with the highest score against the one with
 * the lowest (ties broken by a random candidate order), kept when the two are different responses
 * and the score margin is ≥ `margin`.
 */
export function largestMarginPairs(
  round: CandidateRound,
  score: Float64Array,
  nX: number,
  margin: number,
  rng: Rng,
): PreferencePairs {
  const { cand, m } = round;
  const xs: number[] = [],
    ws: number[] = [],
    ls: number[] = [];
  const order = Array.from({ length: m }, (_, i) => i);
  for (let x = 0; x < nX; x++) {
    rng.shuffle(order);
    let best = order[0],
      worst = order[0];
    for (const a of order) {
      if (score[x * m + a] > score[x * m + best]) best = a;
      if (score[x * m + a] < score[x * m + worst]) worst = a;
    }
    const yw = cand[x * m + best],
      yl = cand[x * m + worst];
    if (yw === yl || score[x * m + best] - score[x * m + worst] < margin) continue;
    xs.push(x);
    ws.push(yw);
    ls.push(yl);
  }
  return { n: xs.length, x: Int32Array.from(xs), yw: Int32Array.from(ws), yl: Int32Array.from(ls) };
}

/** Scores of the candidates under a reward table r(x, y) (for a reward-model-ranked baseline). */
export function rewardScores(round: CandidateRound, reward: Float64Array, nX: number, nY: number): Float64Array {
  const s = new Float64Array(nX * round.m);
  for (let x = 0; x < nX; x++)
    for (let a = 0; a < round.m; a++) s[x * round.m + a] = reward[x * nY + round.cand[x * round.m + a]];
  return s;
}
