/**
 * Exp3 (Auer, Cesa-Bianchi, Freund & Schapire 2002, "The Nonstochastic Multiarmed Bandit Problem", Fig. 1), in the
 * form of the dynamical-linear-bandits official code's `Exp3Agent`: G_i += r̂_i (importance-weighted reward, r̂ = r/p_i
 * on the played arm), p = (1 − γ)·softmax(η G) + γ/K, rewards mapped to [0, 1] by (r + shift) / scale.
 */
import { type ArmPolicy } from './policy';

export function exp3(K: number, o: { gamma: number; eta: number; shift: number; scale: number }): ArmPolicy {
  const G = new Float64Array(K),
    p = new Float64Array(K).fill(1 / K);
  return {
    select(_t, rng) {
      return rng.categorical(p);
    },
    update(arm, r) {
      G[arm] += (r + o.shift) / o.scale / p[arm];
      let mx = -Infinity;
      for (let j = 0; j < K; j++) mx = Math.max(mx, o.eta * G[j]);
      let z = 0;
      for (let j = 0; j < K; j++) z += Math.exp(o.eta * G[j] - mx);
      for (let j = 0; j < K; j++) p[j] = (1 - o.gamma) * (Math.exp(o.eta * G[j] - mx) / z) + o.gamma / K;
    },
  };
}

/** The learning rate γ = min(1, sqrt(K ln K / ((e − 1)·2T/3))) of the official code (Auer et al. 2002, Cor. 3.2). */
export function exp3Gamma(K: number, T: number): number {
  return Math.min(1, Math.sqrt((K * Math.log(K)) / ((Math.E - 1) * ((2 * T) / 3))));
}
