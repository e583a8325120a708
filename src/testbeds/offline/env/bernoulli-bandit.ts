/**
 * The two-armed Bernoulli bandit of Yang, Schuurmans, Abbeel & Nachum, "Dichotomy of Control: Separating What You
 * Can Control from What You Cannot" (ICLR 2023, arXiv:2210.13435), as its official code builds it
 * (google-research/dice_rl environments/bernoulli_bandit.py with `bernoulli_prob = p`, used by
 * google-research/google-research dichotomy_of_control/scripts/run_tabular.py): arm 0 pays 1 with probability p,
 * arm 1 with probability 1 − p (0 otherwise), one step per episode. Its behaviour policy (`get_bandit_policy` with
 * the same p) pulls arm 0 with probability 1 − p and arm 1 with probability p; with p = 0.1 both arms then produce
 * the same number of successes in expectation (0.9·0.1 = 0.1·0.9), so a policy conditioned on "return 1" cannot
 * tell the arms apart, although arm 1 is nine times better.
 *
 * As an offline MDP (env/tasks.ts `OfflineMdp`): a start state 0 and two absorbing terminal states, 1 ('win',
 * entered with reward 1) and 2 ('lose', reward 0); pulling arm a moves to 'win' with probability P(win | a). The
 * reward's randomness is thus a transition's randomness, which is what the offline learners and the finite-horizon
 * evaluation (solvers/finite-horizon.ts) see. `gamma` only matters to discounted learners (one step: none).
 */
import type { TabularEnv } from '../../tabular/env/mdp';
import type { OfflineMdp } from './tasks';

export interface BernoulliBanditSpec {
  /** P(reward 1) of each arm, e.g. [0.1, 0.9]. */
  winProb: number[];
  /** Discount (for discounted learners; the episode has one step). */
  gamma: number;
}

export const BANDIT_START = 0;
export const BANDIT_WIN = 1;
export const BANDIT_LOSE = 2;

/** The official code's bandit: arms [p, 1 − p]. */
export function officialBanditSpec(p = 0.1, gamma = 0.99): BernoulliBanditSpec {
  if (!(p > 0 && p < 1)) throw new RangeError(`officialBanditSpec: p must lie in (0, 1), got ${p}`);
  return { winProb: [p, 1 - p], gamma };
}

/** The official code's behaviour policy on that bandit: π(arm 0) = 1 − p, π(arm 1) = p (length nS·nA). */
export function officialBanditBehaviour(p = 0.1): Float64Array {
  const pi = new Float64Array(3 * 2).fill(0.5);
  pi[0] = 1 - p;
  pi[1] = p;
  return pi;
}

export function bernoulliBanditMdp(spec: BernoulliBanditSpec): OfflineMdp {
  const nA = spec.winProb.length;
  if (nA < 1) throw new RangeError('bernoulliBanditMdp: need at least one arm');
  for (const p of spec.winProb)
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulliBanditMdp: win probabilities must lie in [0, 1], got ${p}`);
  if (!(spec.gamma >= 0 && spec.gamma < 1))
    throw new RangeError(`bernoulliBanditMdp: gamma must lie in [0, 1), got ${spec.gamma}`);
  const nS = 3;
  const rowPtr = new Int32Array(nS * nA + 1);
  const col: number[] = [],
    prob: number[] = [],
    entryReward: number[] = [];
  const reward = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const row = s * nA + a;
      if (s === BANDIT_START) {
        const p = spec.winProb[a];
        // Successors sorted ascending (win = 1, lose = 2); zero-probability entries omitted.
        if (p > 0) (col.push(BANDIT_WIN), prob.push(p), entryReward.push(1));
        if (p < 1) (col.push(BANDIT_LOSE), prob.push(1 - p), entryReward.push(0));
        reward[row] = p;
      } else {
        (col.push(s), prob.push(1), entryReward.push(0));
      }
      rowPtr[row + 1] = col.length;
    }
  const env: TabularEnv = {
    nS,
    nA,
    gamma: spec.gamma,
    T: { nS, nA, rowPtr, col: Int32Array.from(col), prob: Float64Array.from(prob) },
    init: Float64Array.from([1, 0, 0]),
  };
  return { env, reward, entryReward: Float64Array.from(entryReward), terminal: Uint8Array.from([0, 1, 1]) };
}
