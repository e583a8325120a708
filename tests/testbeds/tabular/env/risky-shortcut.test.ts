import { describe, expect, it } from 'vitest';
import { validateLinearMdp } from '../../../../src/testbeds/tabular/env/linear-mdp';
import { riskyShortcutLinearMdp } from '../../../../src/testbeds/tabular/env/risky-shortcut';
import { robustDRectangular } from '../../../../src/testbeds/tabular/solvers/robust-value-iteration';

describe('risky-shortcut linear MDP', () => {
  const o = { H: 5, pWin: 0.4, rSafe: 0.3 };
  const m = riskyShortcutLinearMdp(o);

  it('is a valid d-rectangular linear MDP with d < nS·nA', () => {
    expect(() => validateLinearMdp(m)).not.toThrow();
    expect(m.d).toBeLessThan(m.nS * m.nA);
  });

  it('robust values match the closed forms of the absorbing lanes', () => {
    // Absorbing goal / lane: V(h) = r + (1 − ρ) V(h + 1) (the adversary moves ρ of each factor onto the trap).
    for (const rho of [0, 0.1, 0.3]) {
      const sol = robustDRectangular(m, rho);
      const lane = (r: number, h: number): number => (h >= o.H ? 0 : r + (1 - rho) * lane(r, h + 1));
      expect(sol.V[1 * m.nS + 3]).toBeCloseTo(lane(1, 1), 12); // G at h = 1
      expect(sol.V[1 * m.nS + 2]).toBeCloseTo(lane(o.rSafe, 1), 12); // M at h = 1
      expect(sol.V[1 * m.nS + 4]).toBeCloseTo(0, 12); // trap
      // D0 at h = 0: shortcut r + (pWin − ρ)·V_G(1) (ρ ≤ pWin), safe lane r + (1 − ρ)·V_M(1).
      expect(sol.Q[0]).toBeCloseTo(o.rSafe + (o.pWin - rho) * lane(1, 1), 12);
      expect(sol.Q[1]).toBeCloseTo(o.rSafe + (1 - rho) * lane(o.rSafe, 1), 12);
    }
  });

  it('the nominal optimum takes the shortcut, the robust optimum at ρ = 0.3 the safe lane', () => {
    const nominal = robustDRectangular(m, 0);
    const robust = robustDRectangular(m, 0.3);
    expect(nominal.Q[0]).toBeGreaterThan(nominal.Q[1]);
    expect(robust.Q[1]).toBeGreaterThan(robust.Q[0]);
  });
});
