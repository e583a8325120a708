/**
 * DynLin-UCB (Mussi, Metelli & Restelli 2023, "Dynamical Linear Bandits", Algorithm 1, as in the official code
 * github.com/marcomussi/DLB, `DynLinUCBAgent` / `LinearAgent(dynlinucb=True)`).
 *
 * Rounds are grouped in blocks; block m keeps one action for H_m = 1 + ⌊ln m / ln(1/ρ̄)⌋ rounds, so that the
 * transient of the previous action has decayed by ρ̄^{H_m − 1} ≤ 1/m when the block's last reward is observed.
 * Only that last reward enters a ridge regression of y on a, whose target is the steady-state gain
 * h = θ + Bᵀ(I − A)^{-ᵀ}ω. The next block plays the optimistic action argmax_a ⟨ĥ, a⟩ + β_t ‖a‖_{V^{-1}} with
 *   β_t = c1 √λ + (c2 / √λ) ln(e (t + 1)) + σ̄ sqrt(2 ln(1/δ) + d ln(1 + t U² / (d λ)))
 *   c1 = ‖θ‖ + ‖ω‖ ‖B‖ Φ(A) / (1 − ρ̄),  c2 = U ‖ω‖ Φ(A) (U ‖B‖ / (1 − ρ̄) + U / (1 − ρ̄)),
 *   σ̄² = σ² (1 + ‖ω‖² Φ(A)² / (1 − ρ̄²)),
 * where t counts rounds (the code's `self.t`), U bounds ‖a‖, and the c2 term bounds the bias the undecayed
 * transients add to the regression. With `dynamics: false` the same estimator updates every round (H_m = 1) and the
 * c2 term is dropped: the official code's LinUCB baseline (`LinearAgent(linucb=True)`), which ignores the dynamics.
 */
import { actionOf } from '../env/linear';
import { RidgeRegression, optimisticAction } from './lin-ucb';

/** H_m = 1 + ⌊ln m / ln(1/ρ̄)⌋ (m ≥ 1); 1 when ρ̄ = 0. */
export function blockLength(m: number, rhoBar: number): number {
  if (rhoBar <= 1e-6) return 1;
  return 1 + Math.floor(Math.log(m) / Math.log(1 / rhoBar));
}

/** Known bounds of the system the algorithm is given (as the official code computes them from the true system). */
export interface DynLinBounds {
  rhoBar: number;
  phi: number;
  omegaNorm: number;
  thetaNorm: number;
  bNorm: number;
  /** max ‖a‖ over the action set. */
  U: number;
  sigma: number;
}

export function dynLinConstants(b: DynLinBounds): { c1: number; c2: number; sigmaBar: number } {
  const g = 1 - b.rhoBar;
  const c1 = b.thetaNorm + (b.omegaNorm * b.bNorm * b.phi) / g;
  const c2 = b.U * b.omegaNorm * b.phi * ((b.U * b.bNorm) / g + b.U / g);
  const sigmaBar = b.sigma * Math.sqrt(1 + (b.omegaNorm ** 2 * b.phi ** 2) / (1 - b.rhoBar ** 2));
  return { c1, c2, sigmaBar };
}

/** β_t of DynLin-UCB (`dynamics: true`) or of the dynamics-ignoring LinUCB (`dynamics: false`). */
export function dynLinBeta(o: {
  t: number;
  d: number;
  lambda: number;
  delta: number;
  c1: number;
  c2: number;
  sigmaBar: number;
  U: number;
  dynamics: boolean;
}): number {
  const { t, d, lambda, delta, c1, c2, sigmaBar, U } = o;
  const bias = o.dynamics ? (c2 / Math.sqrt(lambda)) * Math.log(Math.E * (t + 1)) : 0;
  const noise = sigmaBar * Math.sqrt(2 * Math.log(1 / delta) + d * Math.log(1 + (t * U * U) / (d * lambda)));
  return c1 * Math.sqrt(lambda) + bias + noise;
}

/**
 * The learner: `select(t)` returns the action index for round t (a new one only at a block start), `update(y)`
 * observes the reward of round t (used only at a block's last round).
 */
export function dynLinUcb(o: {
  actions: Float64Array;
  d: number;
  bounds: DynLinBounds;
  lambda: number;
  delta: number;
  dynamics: boolean;
  firstAction: number;
}) {
  const { actions, d } = o;
  const { c1, c2, sigmaBar } = dynLinConstants(o.bounds);
  const ridge = new RidgeRegression(d, o.lambda);
  const rhoBar = o.dynamics ? o.bounds.rhoBar : 0;
  let current = o.firstAction,
    block = 1,
    blockEnd = blockLength(1, rhoBar) - 1, // last round of the current block
    t = 0;
  return {
    ridge,
    get blocks() {
      return block;
    },
    select(round: number): number {
      if (round !== t) throw new RangeError(`dynLinUcb: rounds must be played in order (expected ${t}, got ${round})`);
      return current;
    },
    update(y: number): void {
      if (t === blockEnd) {
        ridge.add(actionOf({ actions, d }, current), y);
        const beta = dynLinBeta({
          t: t + 1,
          d,
          lambda: o.lambda,
          delta: o.delta,
          c1,
          c2,
          sigmaBar,
          U: o.bounds.U,
          dynamics: o.dynamics,
        });
        current = optimisticAction(ridge, actions, beta);
        block++;
        blockEnd = t + blockLength(block, rhoBar);
      }
      t++;
    },
  };
}
