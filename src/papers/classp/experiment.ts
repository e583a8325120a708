/**
 * The miniature of Ludwig, "CLASSP: a Biologically-Inspired Approach to Continual Learning through Adjustment
 * Suppression and Sparsity Promotion" (arXiv:2405.09637, 2024): CLASSP (a per-weight learning rate that decays with
 * the accumulated gradient magnitude, plus a threshold on the squared gradient; methods/classp.ts) against EWC
 * (Kirkpatrick et al. 2017; methods/ewc.ts) and plain fine-tuning, on a stream of permuted-feature classification
 * tasks (env/permuted-clusters.ts), with joint training on all tasks as the ceiling.
 *
 * Every method of a seed sees the same stream (same train and test samples), starts from the same initial network
 * and draws the same minibatch order: `epochs` passes of minibatches of `batch` per task, one step per minibatch
 * (the joint learner: `epochs` passes over the union, the same number of steps). Methods:
 * - `sgd`, `adam`: fine-tuning with plain SGD / Adam (one optimiser state for the whole stream);
 * - `decay-only`: CLASSP without its threshold (threshold 0; p ∈ {1, 2}, p = 2 being AdaGrad): the paper's ablation;
 * - `classp`: CLASSP (lr α, exponent p, threshold, ε);
 * - `ewc`: SGD on the task loss + EWC's penalty of every earlier task (λ; the Fisher of the model's own predictive
 *   distribution, exact over classes, averaged over the task's training inputs);
 * - `joint`: Adam on the union of all tasks (the reference ceiling; not a continual learner).
 * Record keys: `<m>/avgAcc` (mean test accuracy over the tasks after the stream), `<m>/forgetting`,
 * `<m>/learningAcc`, `<m>/acc<j>` (final accuracy on task j), `<m>/stateFloats` (floats the method keeps between
 * steps beyond the weights), `<m>/density` for classp and decay-only (share of (weight, step) updates that were
 * non-zero), `classp/g2q10`, `classp/g2q50`, `classp/g2q90` (10th, 50th and 90th percentiles of the squared
 * gradient over the first task's steps under SGD, the scale the threshold grid is read against).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { Adam } from '../../nn/adam';
import { mlpOn, type AnyMlp } from '../../nn/thread-engine';
import {
  concatSets,
  permutedClusterStream,
  type PermutedClustersSpec,
  type StreamTask,
} from '../../testbeds/continual/env/permuted-clusters';
import { classifierAccuracy, PlainSgd, trainEpochs, type Stepper } from '../../testbeds/continual/loops/classifier';
import { continualScores, trainSequentially } from '../../testbeds/continual/loops/sequential';
import { Classp } from '../../testbeds/continual/methods/classp';
import { diagonalFisher, EwcPenalty } from '../../testbeds/continual/methods/ewc';

export const METHODS = ['sgd', 'adam', 'decay-only', 'classp', 'ewc', 'joint'] as const;
export type Method = (typeof METHODS)[number];

/** The hyperparameters of every method (only the ones a method reads matter to it). */
export interface Hyper {
  lr: number;
  /** CLASSP's exponent p. */
  p?: number;
  /** CLASSP's threshold on the squared gradient (decay-only: 0). */
  threshold?: number;
  /** EWC's λ. */
  lambda?: number;
}

export interface Config {
  stream: PermutedClustersSpec;
  /** Hidden layer widths of the MLP classifier (ReLU). */
  hidden: number[];
  /** Passes over each task's training set (joint: over the union). */
  epochs: number;
  batch: number;
  /** CLASSP's ε (also decay-only's). */
  eps: number;
  /** The hyperparameters each method runs with (chosen by `tuneSeed` on tuning seeds in the notebook). */
  hyper: Record<Method, Hyper>;
  /** The tuning grid of each method: the same number of points for every method. */
  grid: Record<Method, Hyper[]>;
}

const logGrid = (lo: number, hi: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => Number((lo * (hi / lo) ** (i / (n - 1))).toPrecision(3)));
const product = <A, B>(as: A[], bs: B[]): [A, B][] => as.flatMap((a) => bs.map((b) => [a, b] as [A, B]));

export const DEFAULTS: Config = {
  stream: {
    dim: 20,
    classes: 4,
    centresPerClass: 2,
    centreScale: 1,
    noise: 0.8,
    tasks: 5,
    trainPerTask: 400,
    testPerTask: 400,
  },
  hidden: [64, 64],
  epochs: 4,
  batch: 32,
  eps: 1e-8,
  hyper: {
    sgd: { lr: 0.1 },
    adam: { lr: 0.003 },
    'decay-only': { lr: 0.01, p: 2, threshold: 0 },
    classp: { lr: 0.01, p: 2, threshold: 1e-4 },
    ewc: { lr: 0.1, lambda: 100 },
    joint: { lr: 0.003 },
  },
  grid: {
    sgd: logGrid(0.003, 1, 18).map((lr) => ({ lr })),
    adam: logGrid(1e-4, 0.03, 18).map((lr) => ({ lr })),
    'decay-only': [
      ...logGrid(0.03, 3, 9).map((lr) => ({ lr, p: 1, threshold: 0 })),
      ...logGrid(0.001, 0.1, 9).map((lr) => ({ lr, p: 2, threshold: 0 })),
    ],
    classp: [
      ...product([0.1, 0.3, 1], [1e-7, 1e-6, 1e-5]).map(([lr, threshold]) => ({ lr, p: 1, threshold })),
      ...product([0.003, 0.01, 0.03], [1e-7, 1e-6, 1e-5]).map(([lr, threshold]) => ({ lr, p: 2, threshold })),
    ],
    ewc: product([0.03, 0.1, 0.3], [1, 3, 10, 20, 30, 50]).map(([lr, lambda]) => ({ lr, lambda })),
    joint: logGrid(1e-4, 0.03, 18).map((lr) => ({ lr })),
  },
};

export function setup(c: Config, seed: number): { tasks: StreamTask[] } {
  return { tasks: permutedClusterStream(c.stream, new Rng(seed).split('classp').split('stream')) };
}

/** One method with hyperparameters h on the seed's stream; its scores and state size. */
export function runMethod(
  c: Config,
  method: Method,
  h: Hyper,
  tasks: readonly StreamTask[],
  seed: number,
): Record<string, number> {
  const rng = new Rng(seed).split('classp');
  const K = tasks.length;
  const net = mlpOn('classp', [c.stream.dim, ...c.hidden, c.stream.classes], rng.split('init'));
  const order = rng.split('order');
  const P = net.size;
  const out: Record<string, number> = {};
  const eo = { epochs: c.epochs, batch: c.batch };
  if (method === 'joint') {
    const all = concatSets(
      tasks.map((t) => t.train),
      c.stream.dim,
    );
    trainEpochs(net, all, new Adam(P, { lr: h.lr }), eo, order.split('joint'));
    let s = 0;
    tasks.forEach((t, j) => {
      const a = classifierAccuracy(net, t.test);
      out[`acc${j}`] = a;
      s += a;
    });
    out.avgAcc = s / K;
    out.stateFloats = 2 * P;
    return out;
  }
  let opt: Stepper;
  let ewc: EwcPenalty | undefined;
  let classp: Classp | undefined;
  if (method === 'sgd') opt = new PlainSgd(h.lr);
  else if (method === 'adam') opt = new Adam(P, { lr: h.lr });
  else if (method === 'decay-only' || method === 'classp') {
    classp = new Classp(P, { lr: h.lr, p: h.p ?? 2, threshold: h.threshold ?? 0, eps: c.eps });
    opt = classp;
  } else {
    opt = new PlainSgd(h.lr);
    ewc = new EwcPenalty(h.lambda ?? 0);
  }
  const R = trainSequentially(net, tasks, opt, eo, order, {
    extraGradient: ewc ? (p, g) => ewc!.addGradient(p, g) : undefined,
    afterTask: ewc
      ? (k, t) => {
          if (k < K - 1) {
            // The Fisher first: its backward passes may grow the network's memory, which detaches any view of the
            // parameters taken before (an argument evaluated earlier would be a detached array).
            const fisher = diagonalFisher(net, t.train.x, t.train.n);
            ewc!.consolidate(net.params.f, fisher);
          }
        }
      : undefined,
  });
  const sc = continualScores(R, K);
  out.avgAcc = sc.avgAcc;
  out.forgetting = sc.forgetting;
  out.learningAcc = sc.learningAcc;
  for (let j = 0; j < K; j++) out[`acc${j}`] = R[(K - 1) * K + j];
  out.stateFloats = method === 'adam' ? 2 * P : classp ? P : ewc ? ewc.storedFloats() : 0;
  if (classp) out.density = classp.density();
  return out;
}

/** Quantiles of the squared gradient over the first task's minibatch steps under plain SGD at lr `lr`. */
export function gradientScale(c: Config, tasks: readonly StreamTask[], seed: number, lr: number): number[] {
  const rng = new Rng(seed).split('classp');
  const net = mlpOn('classp', [c.stream.dim, ...c.hidden, c.stream.classes], rng.split('init'));
  const sq: number[] = [];
  const sgd = new PlainSgd(lr);
  const probe: Stepper = {
    step(p, g) {
      for (let i = 0; i < g.length; i += 7) sq.push(g[i] * g[i]);
      sgd.step(p, g);
    },
  };
  trainEpochs(net, tasks[0].train, probe, { epochs: c.epochs, batch: c.batch }, rng.split('order').split('task0'));
  sq.sort((a, b) => a - b);
  return [0.1, 0.5, 0.9].map((q) => sq[Math.floor(q * (sq.length - 1))]);
}

/** Every method with its chosen hyperparameters (`config.hyper`) on one seed. */
export function runSeed(config: Config, seed: number): RunResult {
  const { tasks } = setup(config, seed);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const m of METHODS) {
    const r = runMethod(config, m, config.hyper[m], tasks, seed);
    for (const [k, v] of Object.entries(r)) metrics[`${m}/${k}`] = v;
    series[`${m}/acc`] = tasks.map((_, j) => r[`acc${j}`]);
  }
  const [q10, q50, q90] = gradientScale(config, tasks, seed, config.hyper.sgd.lr);
  metrics['classp/g2q10'] = q10;
  metrics['classp/g2q50'] = q50;
  metrics['classp/g2q90'] = q90;
  return { metrics, series };
}

/** Every grid point of every method on one (tuning) seed: `<m>@<i>/avgAcc` for grid point i of method m. */
export function tuneSeed(config: Config, seed: number): RunResult {
  const { tasks } = setup(config, seed);
  const metrics: Record<string, number> = {};
  for (const m of METHODS)
    config.grid[m].forEach((h, i) => {
      const r = runMethod(config, m, h, tasks, seed);
      metrics[`${m}@${i}/avgAcc`] = r.avgAcc;
      if (r.forgetting !== undefined) metrics[`${m}@${i}/forgetting`] = r.forgetting;
    });
  return { metrics };
}
