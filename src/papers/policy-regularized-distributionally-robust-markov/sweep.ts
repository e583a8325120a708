/**
 * Post-hoc horizon sweep for the DR-RPO miniature (added after the full run of `experiment.ts`; reported as an
 * exploratory reading, not a verdict). The theorem's rate concerns the regret after K episodes of a run tuned to K
 * (OPPO's step η ∝ 1/√K), while the pre-registered test fits the slope of one K = 2000 run's cumulative regret over
 * K/8..K. Here each K in `sweepEpisodes` is a separate run with its own η(K); the notebook fits log regret(K) on
 * log K per seed.
 * Record keys: dr-rpo/regret@<K> and dr-rpo/robustRegret@<K> (cumulative regularised and unregularised robust regret
 * after K episodes), dr-lsvi-o/robustRegret@<K> (the value-based learner, for contrast).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { riskyShortcutLinearMdp } from '../../testbeds/tabular/env/risky-shortcut';
import {
  makeRegularizedRobustProblem,
  runDrRpo,
} from '../../testbeds/tabular/methods/robust-regularized-policy-optimization';
import { uniformReference } from '../../testbeds/tabular/solvers/regularized-robust-dp';
import { stepSize, type Config } from './experiment';

export interface SweepConfig extends Config {
  /** Episode budgets K, one independent run each. */
  sweepEpisodes: number[];
}

const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);

export function runSweep(config: SweepConfig, seed: number): RunResult {
  const rng = new Rng(seed).split('sweep');
  const m = riskyShortcutLinearMdp({ H: config.H, pWin: config.pWin, rSafe: config.rSafe });
  const problem = makeRegularizedRobustProblem(m, config.rhoTrain, config.beta, uniformReference(m.nS, m.nA));
  const metrics: Record<string, number> = {};
  for (const K of config.sweepEpisodes) {
    const base = { episodes: K, eta: stepSize({ ...config, episodes: K }, m.nA), bonus: config.bonus };
    const o = { ...base, lambda: config.lambda, rho: config.rhoTrain };
    const a = runDrRpo(problem, { ...o, beta: config.beta, greedy: false }, rng.split(`dr-rpo-${K}`));
    metrics[metricKey('dr-rpo', `regret@${K}`)] = sum(a.regret);
    metrics[metricKey('dr-rpo', `robustRegret@${K}`)] = sum(a.robustRegret);
    const g = runDrRpo(problem, { ...o, beta: 0, greedy: true }, rng.split(`dr-lsvi-o-${K}`));
    metrics[metricKey('dr-lsvi-o', `robustRegret@${K}`)] = sum(g.robustRegret);
  }
  return { metrics };
}
