/**
 * Task entry points of the ROVER notebook (He et al. 2025):
 *   runRoverTreeSeed(config, seed)  — the theorem check on random tree MDPs (exact, no learning);
 *   runRoverSeed(config, seed)      — ROVER vs GRPO, PPO and REINFORCE on the digit-sequence task, all
 *                                     methods from the same random "base model" prior and with the same
 *                                     number of samples and gradient steps.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { passAtK } from './passk';
import {
  checkGreedy,
  digitTask,
  exactEval,
  myopicScore,
  randomTree,
  sampleEval,
  sampleSeqBatch,
  statesPerPrompt,
  updateOnBatch,
  type RoverMethod,
  type TrainConfig,
} from './rover';

export interface TreeCheckConfig {
  trees: number;
  branching: [number, number];
  depth: [number, number];
  pStop: number;
  rewardFraction: [number, number];
  maxNodes: number;
}

/** Per tree: the theorem check on binary rewards, the myopic-score control and the continuous-reward control (same tree shape). */
export function runRoverTreeSeed(c: TreeCheckConfig, seed: number): RunResult {
  const root = new Rng(seed).split('rover-trees');
  const cols: Record<string, number[]> = {
    depth: [],
    nodes: [],
    leaves: [],
    rewardingLeaves: [],
    solvable: [],
    greedyReturn: [],
    optimalReturn: [],
    suboptimalStates: [],
    internalStates: [],
    supportMismatches: [],
    myopicReturn: [],
    myopicSuboptimalStates: [],
    contGreedyReturn: [],
    contOptimalReturn: [],
    contSuboptimalStates: [],
    redraws: [],
  };
  for (let k = 0; k < c.trees; k++) {
    const r = root.split(k);
    const D = c.depth[0] + r.split('D').int(c.depth[1] - c.depth[0] + 1);
    const f = r.split('f').range(c.rewardFraction[0], c.rewardFraction[1]);
    const t = randomTree(r.split('tree'), {
      branching: c.branching,
      depth: D,
      pStop: c.pStop,
      rewardFraction: f,
      maxNodes: c.maxNodes,
    });
    const g = checkGreedy(t);
    const my = checkGreedy(t, myopicScore(t));
    // Continuous control: same shape and rewarding leaves, rewards U(0, 1) instead of 1.
    const rc = r.split('cont');
    const cont = { ...t, reward: t.reward.map((x) => (x > 0 ? rc.uniform() : 0)) };
    const gc = checkGreedy(cont);
    cols.depth.push(D);
    cols.nodes.push(g.nodes);
    cols.leaves.push(g.leaves);
    cols.rewardingLeaves.push(g.rewardingLeaves);
    cols.solvable.push(g.solvable ? 1 : 0);
    cols.greedyReturn.push(g.greedyReturn);
    cols.optimalReturn.push(g.optimalReturn);
    cols.suboptimalStates.push(g.suboptimalStates);
    cols.internalStates.push(g.internalStates);
    cols.supportMismatches.push(g.supportMismatches);
    cols.myopicReturn.push(my.greedyReturn);
    cols.myopicSuboptimalStates.push(my.suboptimalStates);
    cols.contGreedyReturn.push(gc.greedyReturn);
    cols.contOptimalReturn.push(gc.optimalReturn);
    cols.contSuboptimalStates.push(gc.suboptimalStates);
    cols.redraws.push(t.redraws);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    metrics: {
      trees: c.trees,
      solvable: sum(cols.solvable),
      suboptimalStates: sum(cols.suboptimalStates),
      supportMismatches: sum(cols.supportMismatches),
      nodes: sum(cols.nodes),
    },
    series: cols,
  };
}

export interface RoverExperimentConfig extends TrainConfig {
  nPrompts: number;
  L: number;
  /** Prompt q bans q mod (maxBanned + 1) digits (difficulty). */
  maxBanned: number;
  /** Base-model prior: initial logits ~ N(0, priorScale²) per state and token. */
  priorScale: number;
  evalEvery: number;
  /** Samples per prompt for the final sampled evaluation (unbiased pass@k, distinct correct sequences). */
  evalSamples: number;
  passKs: number[];
  methods: RoverMethod[];
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

export function runRoverSeed(c: RoverExperimentConfig, seed: number): RunResult {
  const root = new Rng(seed).split('rover');
  const task = digitTask(c.nPrompts, c.L, c.maxBanned);
  const nLogits = c.nPrompts * statesPerPrompt(task) * task.V;
  const z0 = root.split('prior').normals(nLogits, 0, c.priorScale);
  const prompts = Int32Array.from({ length: c.nPrompts }, (_, q) => q);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const record = (m: string, cols: Record<string, number[]>, z: Float64Array, step: number) => {
    const ev = exactEval(task, z);
    cols.step.push(step);
    cols.pass1.push(mean(ev.p));
    cols.entropy.push(mean(ev.entropy) / c.L);
    for (const k of c.passKs) cols[`exactPass@${k}`].push(mean(Array.from(ev.p, (p) => 1 - Math.pow(1 - p, k))));
  };
  for (const m of c.methods) {
    const t0 = Date.now();
    const rng = root.split(m);
    const z = Float64Array.from(z0);
    const critic = new Float64Array(nLogits / task.V);
    const cols: Record<string, number[]> = { step: [], pass1: [], entropy: [], clipped: [], roverLoss: [] };
    for (const k of c.passKs) cols[`exactPass@${k}`] = [];
    record(m, cols, z, 0);
    let clippedSum = 0;
    let lossSum = 0;
    let nSince = 0;
    for (let s = 1; s <= c.steps; s++) {
      const zOld = Float64Array.from(z);
      const batch = sampleSeqBatch(rng.split(s), task, z, prompts, c.groupSize);
      const d = updateOnBatch(task, z, zOld, batch, m, c, critic);
      clippedSum += d.clippedFraction;
      lossSum += d.roverLoss;
      nSince++;
      if (s % c.evalEvery === 0 || s === c.steps) {
        record(m, cols, z, s);
        cols.clipped.push(clippedSum / nSince);
        cols.roverLoss.push(lossSum / nSince);
        clippedSum = lossSum = nSince = 0;
      }
    }
    const ev = sampleEval(rng.split('eval'), task, z, c.evalSamples);
    const ex = exactEval(task, z);
    for (const k of c.passKs) {
      let s = 0;
      for (let q = 0; q < c.nPrompts; q++) s += passAtK(c.evalSamples, ev.correct[q], k);
      metrics[`${m}:pass@${k}`] = s / c.nPrompts;
      metrics[`${m}:exactPass@${k}`] = mean(Array.from(ex.p, (p) => 1 - Math.pow(1 - p, k)));
    }
    metrics[`${m}:distinctCorrect`] = mean(ev.distinctCorrect);
    metrics[`${m}:distinctFraction`] = mean(ev.distinctCorrect) / c.evalSamples;
    metrics[`${m}:solvedPrompts`] = Array.from(ev.correct).filter((x) => x > 0).length / c.nPrompts;
    metrics[`${m}:entropy`] = mean(ex.entropy) / c.L;
    metrics[`${m}:exactPass1`] = mean(ex.p);
    for (const [k, v] of Object.entries(cols)) series[`${m}:${k}`] = v;
    series[`${m}:finalPerPromptP`] = Array.from(ex.p);
    series[`${m}:finalDistinct`] = Array.from(ev.distinctCorrect);
    timings[m] = Date.now() - t0;
  }
  // The base model (the shared prior), evaluated the same way.
  const ev0 = sampleEval(root.split('eval-base'), task, z0, c.evalSamples);
  const ex0 = exactEval(task, z0);
  for (const k of c.passKs) {
    let s = 0;
    for (let q = 0; q < c.nPrompts; q++) s += passAtK(c.evalSamples, ev0.correct[q], k);
    metrics[`base:pass@${k}`] = s / c.nPrompts;
    metrics[`base:exactPass@${k}`] = mean(Array.from(ex0.p, (p) => 1 - Math.pow(1 - p, k)));
  }
  metrics['base:distinctCorrect'] = mean(ev0.distinctCorrect);
  metrics['base:distinctFraction'] = mean(ev0.distinctCorrect) / c.evalSamples;
  metrics['base:solvedPrompts'] = Array.from(ev0.correct).filter((x) => x > 0).length / c.nPrompts;
  metrics['base:entropy'] = mean(ex0.entropy) / c.L;
  metrics['base:exactPass1'] = mean(ex0.p);
  series['base:finalPerPromptP'] = Array.from(ex0.p);
  return { metrics, series, timings };
}
