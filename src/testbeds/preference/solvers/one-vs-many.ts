/**
 * Reward-model benchmark scores on scored candidate sets (the RewardMATH design, Kim et al. 2024, sec. 3): each
 * problem has one correct candidate and k incorrect ones; the one-vs-many accuracy counts a problem as solved only
 * when the correct candidate's reward is strictly above every incorrect candidate's reward, and the reciprocal rank
 * is 1 / (1 + #incorrect candidates scored at least as high as the correct one). With k = 1 the accuracy is the
 * pairwise (RewardBench-style, one chosen vs one rejected) accuracy.
 */

/**
 * One-vs-many accuracy and mean reciprocal rank over P problems: `correct[p]` the reward of problem p's correct
 * candidate, `incorrect` a row-major P × k table of the rewards of its incorrect candidates. Ties count against
 * the correct candidate (a problem with a tie is not solved).
 */
export function oneVsManyScores(
  correct: ArrayLike<number>,
  incorrect: ArrayLike<number>,
  k: number,
): { accuracy: number; mrr: number } {
  const P = correct.length;
  if (!(Number.isInteger(k) && k >= 1) || incorrect.length !== P * k)
    throw new RangeError(`oneVsManyScores: expected ${P} × ${k} incorrect rewards, got ${incorrect.length}`);
  if (P === 0) throw new RangeError('oneVsManyScores: no problems');
  let solved = 0,
    rr = 0;
  for (let p = 0; p < P; p++) {
    let above = 0;
    for (let j = 0; j < k; j++) if (incorrect[p * k + j] >= correct[p]) above++;
    if (above === 0) solved++;
    rr += 1 / (1 + above);
  }
  return { accuracy: solved / P, mrr: rr / P };
}
